//! `Cache-Control: no-store` on every answer that may hold a secret or a signed-in
//! user's data: all of `/api/auth/*` (a TOTP URI, backup codes, tokens), the UI's
//! server functions, and the signed-in pages (the board, settings, the two-factor
//! pages). After sign-out on a shared computer, Back, the disk cache or a proxy must
//! not show them again (ASVS 8.2.1; review 2026-12 L7).

use axum::http::{header, HeaderValue};

use crate::around::Around;

/// Whether answers under `path` must never be stored.
pub fn is_private(path: &str) -> bool {
    path == "/"
        || path.starts_with("/api/auth/")
        || path.starts_with("/api/ui/")
        || path == "/settings"
        || path.starts_with("/settings/")
        || path.starts_with("/sign-in/two-factor")
}

/// The layer: `no-store` on the answers to private paths.
pub const NO_STORE: Around<bool> = Around::new(
    |request| is_private(request.uri().path()),
    |private, response| {
        if private {
            response
                .headers
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    },
);

#[cfg(test)]
mod tests {
    use super::is_private;

    #[test]
    fn signed_in_pages_and_auth_answers_are_private() {
        for path in [
            "/",
            "/settings",
            "/settings/two-factor",
            "/sign-in/two-factor",
            "/api/auth/two-factor/enable",
            "/api/ui/two_factor",
        ] {
            assert!(is_private(path), "{path}");
        }
        for path in ["/pkg/taskdeck.wasm", "/sign-in", "/healthz", "/settingsx"] {
            assert!(!is_private(path), "{path}");
        }
    }
}
