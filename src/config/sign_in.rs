//! The sign-in settings that name other parties: the WebAuthn relying party passkeys
//! are bound to, and the providers to sign in with (`OAUTH_PROVIDERS`).

use url::Url;

use super::ConfigError;
use crate::auth::social::{github, Kind, ProviderConfig};

/// Where a discovery URL ends: the issuer is what comes before.
const DISCOVERY_SUFFIX: &str = "/.well-known/openid-configuration";

/// The providers of `OAUTH_PROVIDERS=id1,id2`, each from `OAUTH_<ID>_CLIENT_ID`,
/// `_CLIENT_SECRET`, `_DISCOVERY_URL` (an OpenID Connect discovery document; Google's
/// is known), `_NAME` (the button's) and `_SCOPES` (default `email profile`), with `<ID>`
/// the id upper-cased and `-` as `_`. A wrong one stops the start, naming the variable.
pub(super) fn social_providers(
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<ProviderConfig>, ConfigError> {
    let mut out: Vec<ProviderConfig> = Vec::new();
    let list = get("OAUTH_PROVIDERS").unwrap_or_default();
    for id in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let id = id.to_ascii_lowercase();
        let bad = |name: String, reason: &str| ConfigError::Provider {
            name,
            reason: reason.to_string(),
        };
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || out.iter().any(|p| p.id == id)
        {
            return Err(bad(
                "OAUTH_PROVIDERS".into(),
                &format!("{id:?}: ids are letters, digits, - and _, each named once"),
            ));
        }
        let key = id.to_ascii_uppercase().replace('-', "_");
        let var = |suffix: &str| format!("OAUTH_{key}_{suffix}");
        let client_id = get(&var("CLIENT_ID")).ok_or_else(|| {
            bad(
                var("CLIENT_ID"),
                "required for each provider in OAUTH_PROVIDERS",
            )
        })?;
        let scopes = get(&var("SCOPES")).map(|s| {
            s.split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        });
        // GitHub is not OpenID Connect: its own preset, no discovery.
        if id == "github" && get(&var("DISCOVERY_URL")).is_none() {
            out.push(ProviderConfig {
                kind: Kind::GitHub,
                name: get(&var("NAME")).unwrap_or_else(|| "GitHub".into()),
                client_secret: get(&var("CLIENT_SECRET")),
                issuer: Url::parse(github::ISSUER).expect("GitHub's URL"),
                scopes: scopes.unwrap_or_else(|| github::SCOPES.map(String::from).to_vec()),
                id,
                client_id,
            });
            continue;
        }
        let preset = match id.as_str() {
            "google" => Some(("Google", "https://accounts.google.com")),
            _ => None,
        };
        let discovery = get(&var("DISCOVERY_URL"))
            .or_else(|| preset.map(|(_, issuer)| format!("{issuer}{DISCOVERY_SUFFIX}")))
            .ok_or_else(|| {
                bad(
                    var("DISCOVERY_URL"),
                    "required: the provider's OpenID Connect discovery URL (…/.well-known/openid-configuration)",
                )
            })?;
        let issuer = discovery
            .strip_suffix(DISCOVERY_SUFFIX)
            .and_then(|i| Url::parse(i).ok())
            .filter(|u| matches!(u.scheme(), "https" | "http"))
            .ok_or_else(|| {
                bad(
                    var("DISCOVERY_URL"),
                    &format!("{discovery:?} is not an http(s) URL ending in {DISCOVERY_SUFFIX}"),
                )
            })?;
        let scopes = scopes.unwrap_or_else(|| vec!["email".into(), "profile".into()]);
        out.push(ProviderConfig {
            kind: Kind::OpenIdConnect,
            name: get(&var("NAME"))
                .or_else(|| preset.map(|(name, _)| name.to_string()))
                .unwrap_or_else(|| id.clone()),
            client_secret: get(&var("CLIENT_SECRET")),
            id,
            client_id,
            issuer,
            scopes,
        });
    }
    Ok(out)
}

/// The WebAuthn relying party id: the base URL's host, or `PASSKEY_RP_ID` if it is that
/// host or a parent domain of it (browsers refuse any other, so a wrong one is caught
/// at start rather than at every ceremony).
pub(super) fn passkey_rp_id(
    configured: Option<String>,
    base_url: &Url,
) -> Result<String, ConfigError> {
    let host = base_url
        .host_str()
        .unwrap_or("localhost")
        .to_ascii_lowercase();
    let Some(id) = configured.map(|v| v.trim().to_ascii_lowercase()) else {
        return Ok(host);
    };
    if host == id || host.ends_with(&format!(".{id}")) {
        Ok(id)
    } else {
        Err(ConfigError::Invalid {
            name: "PASSKEY_RP_ID",
            reason: format!(
                "{id:?} is neither the host of BETTER_AUTH_URL ({host}) nor a parent domain of it"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_support::cfg;

    #[test]
    fn social_providers_come_from_their_settings_or_name_the_missing_one() {
        let c = cfg(&[
            ("OAUTH_PROVIDERS", "google, company-sso"),
            ("OAUTH_GOOGLE_CLIENT_ID", "g-id"),
            ("OAUTH_GOOGLE_CLIENT_SECRET", "g-secret"),
            ("OAUTH_COMPANY_SSO_CLIENT_ID", "c-id"),
            (
                "OAUTH_COMPANY_SSO_DISCOVERY_URL",
                "https://id.example.com/realms/x/.well-known/openid-configuration",
            ),
            ("OAUTH_COMPANY_SSO_NAME", "Example SSO"),
            ("OAUTH_COMPANY_SSO_SCOPES", "email groups"),
        ])
        .unwrap();
        let p = &c.auth.social_providers;
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].id.as_str(), p[0].name.as_str()), ("google", "Google"));
        assert_eq!(p[0].issuer.as_str(), "https://accounts.google.com/");
        assert_eq!(p[0].client_secret.as_deref(), Some("g-secret"));
        assert_eq!(p[0].scopes, ["email", "profile"]);
        assert_eq!(p[1].id, "company-sso");
        assert_eq!(p[1].name, "Example SSO");
        assert_eq!(p[1].issuer.as_str(), "https://id.example.com/realms/x");
        assert_eq!(p[1].client_secret, None);
        assert_eq!(p[1].scopes, ["email", "groups"]);
        assert!(cfg(&[]).unwrap().auth.social_providers.is_empty());
        // GitHub: its own preset (not OpenID Connect), no discovery URL needed.
        let c = cfg(&[
            ("OAUTH_PROVIDERS", "github"),
            ("OAUTH_GITHUB_CLIENT_ID", "Iv1.abc"),
            ("OAUTH_GITHUB_CLIENT_SECRET", "s"),
        ])
        .unwrap();
        let gh = &c.auth.social_providers[0];
        assert_eq!((gh.kind, gh.name.as_str()), (Kind::GitHub, "GitHub"));
        assert_eq!(gh.issuer.as_str(), "https://github.com/");
        assert_eq!(gh.scopes, ["read:user", "user:email"]);
        assert_eq!(p[0].kind, Kind::OpenIdConnect);

        let refused = |pairs: &[(&str, &str)]| match cfg(pairs) {
            Err(ConfigError::Provider { name, .. }) => name,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(
            refused(&[("OAUTH_PROVIDERS", "acme")]),
            "OAUTH_ACME_CLIENT_ID"
        );
        assert_eq!(
            refused(&[("OAUTH_PROVIDERS", "acme"), ("OAUTH_ACME_CLIENT_ID", "x")]),
            "OAUTH_ACME_DISCOVERY_URL"
        );
        assert_eq!(
            refused(&[
                ("OAUTH_PROVIDERS", "acme"),
                ("OAUTH_ACME_CLIENT_ID", "x"),
                ("OAUTH_ACME_DISCOVERY_URL", "https://id.example.com/"),
            ]),
            "OAUTH_ACME_DISCOVERY_URL"
        );
        assert_eq!(refused(&[("OAUTH_PROVIDERS", "a b")]), "OAUTH_PROVIDERS");
        assert_eq!(
            refused(&[
                ("OAUTH_PROVIDERS", "google,google"),
                ("OAUTH_GOOGLE_CLIENT_ID", "x")
            ]),
            "OAUTH_PROVIDERS"
        );
    }

    #[test]
    fn the_passkey_rp_is_the_base_urls_host_or_a_parent_of_it() {
        let dev = ("APP_ENV", "development");
        let c = cfg(&[dev, ("BETTER_AUTH_URL", "https://tasks.example.com")]).unwrap();
        assert_eq!(c.auth.passkey_rp_id, "tasks.example.com");
        assert_eq!(c.auth.passkey_rp_name, "Taskdeck");
        let c = cfg(&[
            dev,
            ("BETTER_AUTH_URL", "https://tasks.example.com"),
            ("PASSKEY_RP_ID", "example.com"),
            ("PASSKEY_RP_NAME", "Our tasks"),
        ])
        .unwrap();
        assert_eq!(c.auth.passkey_rp_id, "example.com");
        assert_eq!(c.auth.passkey_rp_name, "Our tasks");
        for wrong in ["other.com", "ample.com", "tasks.example.com.evil"] {
            assert!(
                matches!(
                    cfg(&[
                        dev,
                        ("BETTER_AUTH_URL", "https://tasks.example.com"),
                        ("PASSKEY_RP_ID", wrong),
                    ]),
                    Err(ConfigError::Invalid {
                        name: "PASSKEY_RP_ID",
                        ..
                    })
                ),
                "{wrong}"
            );
        }
    }
}
