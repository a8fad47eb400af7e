//! `server`: reads the configuration, starts the app, serves until SIGINT/SIGTERM.

use std::process::ExitCode;

use server::{startup, telemetry, Application};
use taskdeck::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("taskdeck: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log_filter);
    if config.secret_generated {
        tracing::warn!(
            "BETTER_AUTH_SECRET is not set: using a random secret for this run \
             (sessions and tokens will not survive a restart; set it in .env)"
        );
    }

    let leptos_options = startup::leptos_options_from_env();
    let app = match Application::build(config, leptos_options).await {
        Ok(app) => app,
        Err(error) => {
            tracing::error!("start-up failed: {error:#}");
            eprintln!("taskdeck: start-up failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("listening on http://{}", app.local_addr());
    match app.run_until_stopped(startup::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("server error: {error}");
            ExitCode::FAILURE
        }
    }
}
