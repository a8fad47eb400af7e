//! A provider's discovery document and keys, fetched on first use and again after a
//! while; one fetch at a time, so a burst of sign-ins asks the provider once. A failed
//! fetch is not kept: the next sign-in tries again.

use std::time::{Duration, Instant};

use openidconnect::{core::CoreProviderMetadata, IssuerUrl};
use tokio::sync::Mutex;
use url::Url;

use super::SocialError;

/// The provider's metadata, with the issuer it announced (checked against `iss`).
#[derive(Clone)]
pub struct Discovered {
    pub metadata: CoreProviderMetadata,
    pub issuer: String,
}

#[derive(Default)]
pub struct Cache(Mutex<Option<(Discovered, Instant)>>);

impl Cache {
    /// A cache that already holds `found` (unit tests).
    #[cfg(test)]
    pub fn holding(found: Discovered) -> Self {
        Self(Mutex::new(Some((found, Instant::now()))))
    }

    pub async fn get(
        &self,
        issuer: &Url,
        http: &reqwest::Client,
        ttl: Duration,
    ) -> Result<Discovered, SocialError> {
        let mut slot = self.0.lock().await;
        if let Some((found, at)) = slot.as_ref() {
            if at.elapsed() < ttl {
                return Ok(found.clone());
            }
        }
        let issuer_url = IssuerUrl::new(issuer.as_str().trim_end_matches('/').to_string())
            .map_err(|e| SocialError::Discovery(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(issuer_url, http)
            .await
            .map_err(|e| SocialError::Discovery(e.to_string()))?;
        let found = Discovered {
            issuer: metadata.issuer().as_str().to_string(),
            metadata,
        };
        *slot = Some((found.clone(), Instant::now()));
        Ok(found)
    }
}
