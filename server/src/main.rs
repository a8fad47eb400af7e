//! `server`: reads the configuration, starts the app, serves until SIGINT/SIGTERM.

use std::process::ExitCode;

use server::{startup, telemetry, Application};
use taskdeck::Config;

/// glibc keeps freed large blocks (argon2id's 19 MiB working memory) in its arenas
/// instead of returning them, so resident memory stayed at 300-500 MiB after a burst of
/// sign-ins (measured by `bench/`). Serving blocks of 128 KiB and more with mmap gives
/// them back to the system as soon as they are freed.
fn return_large_allocations_to_the_os() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

fn main() -> ExitCode {
    return_large_allocations_to_the_os();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("taskdeck: could not start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("taskdeck: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log_filter, config.is_production());
    tracing::info!(mode = ?config.mode, reason = config.mode_reason(), "configuration rules in force");
    for protection in config.relaxed_protections() {
        tracing::warn!("protection relaxed: {protection}");
    }
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
