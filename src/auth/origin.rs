//! Better Auth's origin / CSRF checks for state-changing auth requests.
//!
//! A cookie-carrying POST must come from a trusted origin (`Origin`, else `Referer`);
//! sign-in and sign-up without cookies are checked with Fetch Metadata so that a
//! cross-site form cannot log a victim into an attacker's account. Redirect targets
//! (`callbackURL`, `redirectTo`) must be trusted origins or safe relative paths.

use url::Url;

use super::error::AuthError;

/// Trusted origin patterns: the base URL's origin plus configured ones. A pattern with
/// `://` is matched against the whole origin, one without against the host; `*` and `?`
/// are wildcards.
#[derive(Debug, Clone)]
pub struct TrustedOrigins {
    patterns: Vec<String>,
}

impl TrustedOrigins {
    pub fn new(base_origin: &str, extra: &[String]) -> Self {
        let mut patterns = vec![base_origin.trim_end_matches('/').to_string()];
        patterns.extend(extra.iter().map(|p| p.trim_end_matches('/').to_string()));
        Self { patterns }
    }

    /// Whether `value` (an origin or a full URL) belongs to a trusted origin.
    pub fn is_trusted(&self, value: &str) -> bool {
        let Ok(url) = Url::parse(value) else {
            return false;
        };
        let origin = match url.origin() {
            o @ url::Origin::Tuple(..) => o.ascii_serialization(),
            // Custom schemes (myapp://…) have opaque origins: compare scheme://host.
            url::Origin::Opaque(_) => {
                format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""))
            }
        };
        let host = url.host_str().unwrap_or("");
        self.patterns.iter().any(|p| {
            if p.contains("://") {
                wildcard_match(p, &origin)
            } else {
                wildcard_match(p, host)
            }
        })
    }

    /// A redirect target is fine when it is a trusted absolute URL or a relative path
    /// that cannot be read as another host (`/tasks?x=1` yes, `//evil.com` no).
    pub fn is_safe_redirect(&self, target: &str) -> bool {
        if target.starts_with('/') {
            return !target.starts_with("//")
                && !target.starts_with("/\\")
                && !target.contains(['\r', '\n'])
                && target.chars().all(|c| !c.is_control());
        }
        self.is_trusted(target)
    }
}

fn wildcard_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], t) || (!t.is_empty() && go(p, &t[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => go(&p[1..], &t[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

/// What the origin check needs to know about a request.
#[derive(Debug, Default, Clone)]
pub struct RequestOrigin<'a> {
    pub method: &'a str,
    /// Path relative to `/api/auth`.
    pub path: &'a str,
    pub has_cookie: bool,
    pub origin: Option<&'a str>,
    pub referer: Option<&'a str>,
    pub sec_fetch_site: Option<&'a str>,
    pub sec_fetch_mode: Option<&'a str>,
}

impl<'a> RequestOrigin<'a> {
    /// Reads the headers the check needs through `header` (a name → value lookup), so
    /// every HTTP layer builds it the same way.
    pub fn from_headers(
        method: &'a str,
        path: &'a str,
        header: impl Fn(&str) -> Option<&'a str>,
    ) -> Self {
        Self {
            method,
            path,
            has_cookie: header("cookie").is_some_and(|c| !c.is_empty()),
            origin: header("origin"),
            referer: header("referer"),
            sec_fetch_site: header("sec-fetch-site"),
            sec_fetch_mode: header("sec-fetch-mode"),
        }
    }
}

/// Better Auth's `originCheck` middleware, request part (redirect targets are checked
/// by [`check_redirect`]).
pub fn check_request(req: &RequestOrigin<'_>, trusted: &TrustedOrigins) -> Result<(), AuthError> {
    if matches!(req.method, "GET" | "HEAD" | "OPTIONS") {
        return Ok(());
    }
    let claimed = req.origin.or(req.referer).filter(|o| !o.is_empty());
    if req.has_cookie {
        let origin = match claimed {
            None | Some("null") => {
                return Err(AuthError::api(
                    403,
                    "MISSING_OR_NULL_ORIGIN",
                    "Missing or null Origin",
                ))
            }
            Some(o) => o,
        };
        if !trusted.is_trusted(origin) {
            return Err(AuthError::api(403, "INVALID_ORIGIN", "Invalid origin"));
        }
        return Ok(());
    }
    let is_login = req.path.starts_with("/sign-in") || req.path.starts_with("/sign-up");
    if !is_login {
        return Ok(());
    }
    let has_metadata = req.sec_fetch_site.is_some() || req.sec_fetch_mode.is_some();
    if req.sec_fetch_site == Some("cross-site") && req.sec_fetch_mode == Some("navigate") {
        return Err(AuthError::api(
            403,
            "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
            "Cross-site navigation login blocked. This request appears to be a CSRF attack.",
        ));
    }
    match claimed {
        Some(o) if o != "null" && trusted.is_trusted(o) => Ok(()),
        Some(_) => Err(AuthError::api(403, "INVALID_ORIGIN", "Invalid origin")),
        None if has_metadata => Err(AuthError::api(
            403,
            "MISSING_OR_NULL_ORIGIN",
            "Missing or null Origin",
        )),
        None => Ok(()),
    }
}

/// Checks a `callbackURL` / `redirectTo`-style field.
pub fn check_redirect(
    field: &str,
    value: Option<&str>,
    trusted: &TrustedOrigins,
) -> Result<(), AuthError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    if trusted.is_safe_redirect(value) {
        return Ok(());
    }
    let (code, message) = match field {
        "redirectTo" => ("INVALID_REDIRECT_URL", "Invalid redirect URL"),
        "errorCallbackURL" => ("INVALID_ERROR_CALLBACK_URL", "Invalid error callback URL"),
        "newUserCallbackURL" => (
            "INVALID_NEW_USER_CALLBACK_URL",
            "Invalid new user callback URL",
        ),
        _ => ("INVALID_CALLBACK_URL", "Invalid callback URL"),
    };
    Err(AuthError::api(403, code, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted() -> TrustedOrigins {
        TrustedOrigins::new(
            "http://localhost:3000",
            &[
                "https://*.example.com".into(),
                "myapp://".into(),
                "app.test".into(),
            ],
        )
    }

    #[test]
    fn origins_and_wildcards() {
        let t = trusted();
        assert!(t.is_trusted("http://localhost:3000"));
        assert!(t.is_trusted("http://localhost:3000/some/page"));
        assert!(!t.is_trusted("http://localhost:3001"));
        assert!(t.is_trusted("https://a.example.com"));
        assert!(!t.is_trusted("http://a.example.com"));
        assert!(t.is_trusted("https://app.test/x"));
        assert!(!t.is_trusted("https://evil.com"));
        assert!(!t.is_trusted("null"));
    }

    #[test]
    fn redirects() {
        let t = trusted();
        assert!(t.is_safe_redirect("/tasks?x=1"));
        assert!(!t.is_safe_redirect("//evil.com"));
        assert!(!t.is_safe_redirect("/\\evil.com"));
        assert!(!t.is_safe_redirect("https://evil.com/"));
        assert!(check_redirect("redirectTo", Some("https://evil.com"), &t).is_err());
    }

    #[test]
    fn cookie_posts_need_a_trusted_origin() {
        let t = trusted();
        let mut r = RequestOrigin {
            method: "POST",
            path: "/sign-out",
            has_cookie: true,
            ..Default::default()
        };
        assert!(matches!(
            check_request(&r, &t),
            Err(AuthError::Api {
                code: Some("MISSING_OR_NULL_ORIGIN"),
                ..
            })
        ));
        r.origin = Some("null");
        assert!(matches!(
            check_request(&r, &t),
            Err(AuthError::Api {
                code: Some("MISSING_OR_NULL_ORIGIN"),
                ..
            })
        ));
        r.origin = Some("https://evil.com");
        assert!(matches!(
            check_request(&r, &t),
            Err(AuthError::Api {
                code: Some("INVALID_ORIGIN"),
                ..
            })
        ));
        r.origin = Some("http://localhost:3000");
        assert!(check_request(&r, &t).is_ok());
        r.method = "GET";
        r.origin = None;
        assert!(check_request(&r, &t).is_ok());
    }

    #[test]
    fn cookieless_login_csrf() {
        let t = trusted();
        let mut r = RequestOrigin {
            method: "POST",
            path: "/sign-in/email",
            ..Default::default()
        };
        assert!(check_request(&r, &t).is_ok(), "curl-like request passes");
        r.sec_fetch_site = Some("cross-site");
        r.sec_fetch_mode = Some("navigate");
        assert!(matches!(
            check_request(&r, &t),
            Err(AuthError::Api {
                code: Some("CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"),
                ..
            })
        ));
        r.sec_fetch_site = Some("same-origin");
        r.sec_fetch_mode = Some("cors");
        assert!(check_request(&r, &t).is_err(), "metadata without origin");
        r.origin = Some("http://localhost:3000");
        assert!(check_request(&r, &t).is_ok());
        r.origin = Some("https://evil.com");
        assert!(check_request(&r, &t).is_err());
    }
}
