//! The time zone that decides what "today" is on the board (Today, Upcoming, "due
//! tomorrow", quick add's dates). Kept per browser in a plain cookie, like the theme:
//! the board island writes the browser's own zone there on the first visit, and
//! settings has a form to pick another (which works without JavaScript). Without
//! either, UTC.

use leptos::prelude::*;

use super::error::UiError;

/// Remembers `tz` (an IANA name; anything else, or empty, forgets the choice) and, for
/// a form without JavaScript, sends the browser back to settings.
#[server(prefix = "/api/ui", endpoint = "set_time_zone")]
pub async fn set_time_zone(tz: String) -> Result<(), UiError> {
    let known = taskdeck::tasks::model::parse_time_zone(tz.trim()).is_some();
    let (value, max_age) = if known {
        (tz.trim(), crate::TIME_ZONE_COOKIE_MAX_AGE)
    } else {
        ("", 0)
    };
    super::call::set_cookies([format!(
        "{}={value}; Path=/; Max-Age={max_age}; SameSite=Lax",
        crate::TIME_ZONE_COOKIE
    )]);
    super::call::done("/settings#time-zone");
    Ok(())
}

/// The time zone this request's cookie names, if it names a known one.
#[cfg(feature = "ssr")]
pub fn remembered() -> Option<chrono_tz::Tz> {
    super::call::request_cookie(crate::TIME_ZONE_COOKIE)
        .and_then(|name| taskdeck::tasks::model::parse_time_zone(&name))
}

/// The time zone this request's cookie names, UTC when none (or an unknown one).
#[cfg(feature = "ssr")]
pub fn chosen() -> chrono_tz::Tz {
    remembered().unwrap_or(chrono_tz::Tz::UTC)
}

/// Every IANA zone name, for the settings' list.
#[cfg(feature = "ssr")]
pub fn names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

/// Today where the caller is (see [`chosen`]).
#[cfg(feature = "ssr")]
pub fn today() -> chrono::NaiveDate {
    taskdeck::tasks::model::today_in(chosen(), chrono::Utc::now())
}
