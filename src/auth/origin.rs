//! Better Auth's origin / CSRF checks for state-changing auth requests.
//!
//! A cookie-carrying POST must come from a trusted origin (`Origin`, else `Referer`);
//! sign-in and sign-up without cookies are checked with Fetch Metadata so that a
//! cross-site form cannot log a victim into an attacker's account. Redirect targets
//! (`callbackURL`, `redirectTo`) must be trusted origins or safe relative paths.

use url::Url;

use super::error::AuthError;
use crate::problem::Code;

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

    /// A redirect target is fine when it is a trusted absolute URL or a local path
    /// (see [`Self::local_path`]).
    pub fn is_safe_redirect(&self, target: &str) -> bool {
        if target.starts_with('/') {
            return self.local_path(target).is_some();
        }
        self.is_trusted(target)
    }

    /// The one check for "go back to this page of ours": a path that, resolved against
    /// the base URL the way a browser resolves it, stays on the base origin. Control
    /// characters and `\` are refused outright, because browsers drop tabs and
    /// newlines and read `\` as `/` (`/%09/evil.example` becomes `//evil.example`).
    /// Returns the normalised path, query and fragment.
    pub fn local_path(&self, target: &str) -> Option<String> {
        if !target.starts_with('/') || target.chars().any(|c| c.is_control() || c == '\\') {
            return None;
        }
        let base = Url::parse(&self.patterns[0]).ok()?;
        let resolved = base.join(target).ok()?;
        if resolved.origin() != base.origin() {
            return None;
        }
        let mut local = resolved.path().to_string();
        if let Some(query) = resolved.query() {
            local.push('?');
            local.push_str(query);
        }
        if let Some(fragment) = resolved.fragment() {
            local.push('#');
            local.push_str(fragment);
        }
        // `/.//evil.example` normalises to `//evil.example`: a scheme-relative URL.
        (!local.starts_with("//")).then_some(local)
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
            None | Some("null") => return Err(Code::MissingOrNullOrigin.into()),
            Some(o) => o,
        };
        if !trusted.is_trusted(origin) {
            return Err(Code::InvalidOrigin.into());
        }
        return Ok(());
    }
    let is_login = req.path.starts_with("/sign-in") || req.path.starts_with("/sign-up");
    if !is_login {
        return Ok(());
    }
    let has_metadata = req.sec_fetch_site.is_some() || req.sec_fetch_mode.is_some();
    if req.sec_fetch_site == Some("cross-site") && req.sec_fetch_mode == Some("navigate") {
        return Err(Code::CrossSiteLogin.into());
    }
    match claimed {
        Some("null") => Err(Code::MissingOrNullOrigin.into()),
        Some(o) if trusted.is_trusted(o) => Ok(()),
        Some(_) => Err(Code::InvalidOrigin.into()),
        None if has_metadata => Err(Code::MissingOrNullOrigin.into()),
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
    Err(match field {
        "redirectTo" => Code::InvalidRedirectUrl,
        "errorCallbackURL" => Code::InvalidErrorCallbackUrl,
        "newUserCallbackURL" => Code::InvalidNewUserCallbackUrl,
        _ => Code::InvalidCallbackUrl,
    }
    .into())
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
        for bad in [
            "/\t/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/a\\b",
            "/\u{7f}x",
            "/.//evil.example",
            "/..//evil.example",
            "https://evil.example",
            "evil",
            "",
        ] {
            assert_eq!(t.local_path(bad), None, "{bad:?}");
        }
        assert_eq!(
            t.local_path("/tasks?x=1#a").as_deref(),
            Some("/tasks?x=1#a")
        );
        assert_eq!(t.local_path("/a/../b").as_deref(), Some("/b"));
        assert_eq!(t.local_path("/sp ace").as_deref(), Some("/sp%20ace"));
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
                code: Code::MissingOrNullOrigin,
                ..
            })
        ));
        r.origin = Some("null");
        assert!(matches!(
            check_request(&r, &t),
            Err(AuthError::Api {
                code: Code::MissingOrNullOrigin,
                ..
            })
        ));
        r.origin = Some("https://evil.com");
        assert!(matches!(
            check_request(&r, &t),
            Err(AuthError::Api {
                code: Code::InvalidOrigin,
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
                code: Code::CrossSiteLogin,
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
