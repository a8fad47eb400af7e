//! The colour theme a visitor picked, for the form the theme toggle is without
//! JavaScript. Stored in a plain cookie (the island writes the same one), which the
//! shell renders as `<html data-theme>`.

use leptos::prelude::*;

use super::error::UiError;

/// Remembers `theme` (`light` or `dark`; anything else forgets the choice) and sends
/// the browser back to its page.
#[server(prefix = "/api/ui", endpoint = "set_theme")]
pub async fn set_theme(theme: String) -> Result<(), UiError> {
    let value = match theme.as_str() {
        "light" | "dark" => theme.as_str(),
        _ => "",
    };
    let max_age = if value.is_empty() {
        0
    } else {
        crate::THEME_COOKIE_MAX_AGE
    };
    super::call::set_cookies([format!(
        "{}={value}; Path=/; Max-Age={max_age}; SameSite=Lax",
        crate::THEME_COOKIE
    )]);
    Ok(())
}

/// The theme this request's cookie names, if any.
#[cfg(feature = "ssr")]
pub fn chosen() -> Option<String> {
    super::call::request_cookie(crate::THEME_COOKIE).filter(|v| v == "light" || v == "dark")
}
