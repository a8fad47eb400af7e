//! Two-factor sign-in for the UI's forms, on the core's flows (the same the REST
//! door's `/api/auth/two-factor/*` use): turning it on (password, then a first code
//! from the app), managing backup codes and trusted devices, turning it off, and the
//! sign-in's second step. Plain form posts: with or without JavaScript, the answer is
//! a redirect. A new secret and new backup codes are shown once, on the page after
//! the password step, through a single-use server-side value (`Reveal`) whose handle
//! rides in the one-minute form cookie: never the codes themselves.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::UiError;
#[cfg(feature = "ssr")]
use super::{
    call::{done, fail, remember_form, set_cookies, Call},
    url::encode,
};
#[cfg(feature = "ssr")]
use taskdeck::{
    auth::service::{Factor, Prover, Renewal, Reveal},
    problem::Code,
};

/// The form cookie's field that carries a [`Reveal`] handle to the next page.
pub const REVEAL_FIELD: &str = "reveal";

/// Two-factor as the settings pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorView {
    pub enabled: bool,
    /// Set-up begun and not confirmed yet.
    pub pending: bool,
    /// What the user needs to add the account to an authenticator app: only on the
    /// page right after the password step.
    pub setup: Option<PendingSetup>,
    /// Backup codes just made, shown once.
    pub new_codes: Vec<String>,
    pub backup_codes_left: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSetup {
    /// The `otpauth://` URI as a QR code (inline SVG, made on the server).
    pub qr_svg: String,
    /// The secret in base32, grouped by four, for typing in by hand.
    pub secret: String,
    pub backup_codes: Vec<String>,
}

#[cfg(feature = "ssr")]
fn qr_svg(uri: &str) -> String {
    use qrcode::{render::svg, EcLevel, QrCode};
    match QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M) {
        Ok(code) => code
            .render::<svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
        Err(_) => String::new(),
    }
}

#[cfg(feature = "ssr")]
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The set-up state; with `reveal` (the handle the password step left in the form
/// cookie), also the secret or the new codes, once.
#[server(prefix = "/api/ui", endpoint = "two_factor")]
pub async fn get_two_factor(reveal: Option<String>) -> Result<TwoFactorView, UiError> {
    let call = Call::enter(None).await?;
    let current = call.session().await?;
    let setup = call
        .auth
        .two_factor_setup(&current.user)
        .await
        .map_err(|e| fail(None, &e))?;
    let shown = match reveal.filter(|r| !r.is_empty()) {
        // One page render may call this more than once: the request's own nonce lets
        // the same request read it again, and no other.
        Some(handle) => call
            .auth
            .take_reveal(&current.session.id, &handle, call.request_nonce())
            .await
            .map_err(|e| fail(None, &e))?,
        None => None,
    };
    let (pending, backup_codes_left) = match &setup {
        None => (false, 0),
        Some((enrolment, verified)) => (!verified, enrolment.backup_codes.len()),
    };
    let mut view = TwoFactorView {
        enabled: current.user.two_factor_enabled,
        pending,
        setup: None,
        new_codes: Vec::new(),
        backup_codes_left,
    };
    match shown {
        Some(Reveal {
            totp_uri: Some(uri),
            backup_codes,
        }) if pending => {
            let secret =
                taskdeck::auth::two_factor::totp::base32_secret_of(&uri).unwrap_or_default();
            view.setup = Some(PendingSetup {
                qr_svg: qr_svg(&uri),
                secret: grouped(&secret),
                backup_codes,
            });
        }
        Some(Reveal {
            totp_uri: None,
            backup_codes,
        }) => view.new_codes = backup_codes,
        _ => {}
    }
    Ok(view)
}

/// Keeps `reveal` for the next page (see [`REVEAL_FIELD`]).
#[cfg(feature = "ssr")]
async fn reveal_next(
    call: &Call,
    session_id: &str,
    reveal: Reveal,
    page: &str,
) -> Result<(), UiError> {
    let handle = call
        .auth
        .stash_reveal(session_id, reveal)
        .await
        .map_err(|e| fail(Some(page), &e))?;
    remember_form(&call.auth, &[(REVEAL_FIELD, &handle)]);
    Ok(())
}

/// The "sign out other devices" checkbox.
#[cfg(feature = "ssr")]
fn renewal(call: &Call, revoke_others: Option<String>) -> Renewal {
    Renewal {
        remember: call.remembers(),
        revoke_others: revoke_others.is_some_and(|v| v != "false"),
    }
}

/// Step one of turning it on: the password, then the set-up page with the QR code.
#[server(prefix = "/api/ui", endpoint = "enable_two_factor")]
pub async fn enable_two_factor(password: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/two-factor/enable")).await?;
    let current = call.session().await?;
    let enrolment = call
        .auth
        .enable_two_factor(&current, &password, None)
        .await
        .map_err(|e| fail(Some("/settings"), &e))?;
    let reveal = Reveal {
        totp_uri: Some(enrolment.totp_uri),
        backup_codes: enrolment.backup_codes,
    };
    reveal_next(&call, &current.session.id, reveal, "/settings").await?;
    done("/settings/two-factor");
    Ok(())
}

/// Step two: a first code from the app proves it holds the secret; two-factor is on.
#[server(prefix = "/api/ui", endpoint = "confirm_two_factor")]
pub async fn confirm_two_factor(
    code: String,
    revoke_others: Option<String>,
) -> Result<(), UiError> {
    let call = Call::enter(Some("/two-factor/verify-totp")).await?;
    let current = call.session().await?;
    let prover = Prover::SignedIn(Box::new(current));
    let renewal = renewal(&call, revoke_others);
    let passed = call
        .auth
        .verify_second_factor(
            &prover,
            &Factor::Totp(code.trim().to_string()),
            false,
            renewal,
            &call.client(),
        )
        .await
        .map_err(|e| fail(Some("/settings/two-factor"), &e))?;
    set_cookies(
        call.auth
            .second_factor_cookies(&prover, &passed, renewal.remember)
            .await,
    );
    done("/settings?done=two_factor_on");
    Ok(())
}

/// New backup codes (the old ones stop working), shown once on the set-up page.
#[server(prefix = "/api/ui", endpoint = "regenerate_backup_codes")]
pub async fn regenerate_backup_codes(password: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/two-factor/generate-backup-codes")).await?;
    let current = call.session().await?;
    let page = "/settings/two-factor";
    let codes = call
        .auth
        .regenerate_backup_codes(&current, &password)
        .await
        .map_err(|e| fail(Some(page), &e))?;
    let reveal = Reveal {
        totp_uri: None,
        backup_codes: codes,
    };
    reveal_next(&call, &current.session.id, reveal, page).await?;
    done(page);
    Ok(())
}

#[server(prefix = "/api/ui", endpoint = "disable_two_factor")]
pub async fn disable_two_factor(
    password: String,
    revoke_others: Option<String>,
) -> Result<(), UiError> {
    let call = Call::enter(Some("/two-factor/disable")).await?;
    let current = call.session().await?;
    let trusted_device = call.auth.trust_value(call.incoming().cookies()).is_some();
    let renewal = renewal(&call, revoke_others);
    let (session, user) = call
        .auth
        .disable_two_factor(&current, &password, renewal)
        .await
        .map_err(|e| fail(Some("/settings"), &e))?;
    set_cookies(
        call.auth
            .two_factor_off_cookies(&session, &user, renewal.remember, trusted_device)
            .await,
    );
    done("/settings?done=two_factor_off");
    Ok(())
}

/// Forgets one trusted device (`id`), or all of them: they will be asked for a code
/// at their next sign-in.
#[server(prefix = "/api/ui", endpoint = "forget_trusted_devices")]
pub async fn forget_trusted_devices(id: Option<String>) -> Result<(), UiError> {
    let call = Call::enter(None).await?;
    let current = call.session().await?;
    call.auth
        .forget_trusted_devices(&current.user.id, id.as_deref().filter(|i| !i.is_empty()))
        .await
        .map_err(|e| fail(Some("/settings"), &e))?;
    done("/settings?done=devices_forgotten");
    Ok(())
}

/// Whether the second step may offer a code by e-mail (`TWO_FACTOR_EMAIL_OTP`).
#[server(prefix = "/api/ui", endpoint = "two_factor_email_codes")]
pub async fn two_factor_email_codes() -> Result<bool, UiError> {
    let call = Call::enter(None).await?;
    Ok(call.auth.settings().two_factor_email_otp)
}

/// The sign-in's second step: an authenticator code, a backup code (`method=backup`)
/// or an e-mailed code (`method=otp`).
#[server(prefix = "/api/ui", endpoint = "verify_two_factor")]
pub async fn verify_two_factor(
    code: String,
    method: Option<String>,
    trust: Option<String>,
    next: Option<String>,
) -> Result<(), UiError> {
    // Each factor spends the same rate-limit bucket as its REST path.
    let path = match method.as_deref() {
        Some("backup") => "/two-factor/verify-backup-code",
        Some("otp") => "/two-factor/verify-otp",
        _ => "/two-factor/verify-totp",
    };
    let call = Call::enter(Some(path)).await?;
    let next = call.safe_next(next);
    let here = format!("/sign-in/two-factor?next={}", encode(&next));
    let Some(challenge) = call.auth.challenge_value(call.incoming().cookies()) else {
        return Err(fail(
            Some(&format!("/sign-in?next={}", encode(&next))),
            Code::InvalidTwoFactorCookie,
        ));
    };
    let code = code.trim().to_string();
    let factor = match method.as_deref() {
        Some("backup") => Factor::BackupCode(code),
        Some("otp") => Factor::Otp(code),
        _ => Factor::Totp(code),
    };
    let remember = call.remembers();
    let prover = Prover::SigningIn(challenge);
    let result = call
        .auth
        .verify_second_factor(
            &prover,
            &factor,
            trust.is_some(),
            Renewal {
                remember,
                revoke_others: false,
            },
            &call.client(),
        )
        .await;
    let passed = match result {
        Ok(passed) => passed,
        Err(error) => {
            // A challenge that ended (expired, used up) needs the password again.
            let restart = matches!(
                error.code(),
                Some(Code::InvalidTwoFactorCookie | Code::TooManyTwoFactorAttempts)
            );
            if restart {
                set_cookies(call.auth.ended_challenge_cookies());
                return Err(fail(
                    Some(&format!("/sign-in?next={}", encode(&next))),
                    &error,
                ));
            }
            return Err(fail(Some(&here), &error));
        }
    };
    set_cookies(
        call.auth
            .second_factor_cookies(&prover, &passed, remember)
            .await,
    );
    leptos_axum::redirect(&next);
    Ok(())
}

/// Mails a one-time code for the pending sign-in.
#[server(prefix = "/api/ui", endpoint = "send_two_factor_code")]
pub async fn send_two_factor_code(next: Option<String>) -> Result<(), UiError> {
    let call = Call::enter(Some("/two-factor/send-otp")).await?;
    let next = call.safe_next(next);
    let restart = format!("/sign-in?next={}", encode(&next));
    let Some(challenge) = call.auth.challenge_value(call.incoming().cookies()) else {
        return Err(fail(Some(&restart), Code::InvalidTwoFactorCookie));
    };
    call.auth
        .send_two_factor_otp(&Prover::SigningIn(challenge))
        .await
        .map_err(|e| fail(Some(&restart), &e))?;
    done(&format!(
        "/sign-in/two-factor?next={}&method=otp&sent=1",
        encode(&next)
    ));
    Ok(())
}
