//! Which database to use, picked from `DATABASE_URL`. Its `Debug` hides passwords:
//! configurations get logged.

use std::fmt;

use url::Url;

/// Where the data lives: the embedded default or a shared PostgreSQL server. `Debug`
/// hides the PostgreSQL password: configurations get logged.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseConfig {
    /// A SQLite file (created on first use) or any `sqlite:` URL.
    Sqlite(String),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl DatabaseConfig {
    /// Picks the backend from a URL; `None` means the embedded file under `data_dir`.
    pub fn from_url(url: Option<&str>, data_dir: &std::path::Path) -> Self {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Self::Postgres(u.to_owned())
            }
            Some(u) => Self::Sqlite(u.to_owned()),
            None => Self::Sqlite(data_dir.join("app.db").to_string_lossy().into_owned()),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(location) => f.debug_tuple("Sqlite").field(location).finish(),
            Self::Postgres(url) => f.debug_tuple("Postgres").field(&redact_url(url)).finish(),
        }
    }
}

/// `url` with each password (in the userinfo, or a query pair such as `password=` or
/// `sslpassword=`) replaced by `***`; text that is not a URL is hidden whole.
fn redact_url(url: &str) -> String {
    let Ok(mut url) = Url::parse(url) else {
        return "<not a URL, hidden>".into();
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    let secret_key = |key: &str| key.to_ascii_lowercase().contains("password");
    if url.query_pairs().any(|(key, _)| secret_key(&key)) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(key, value)| {
                let value = if secret_key(&key) {
                    "***".into()
                } else {
                    value
                };
                (key.into_owned(), value.into_owned())
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_database_passwords() {
        let url =
            "postgres://app:s3cr%40t-pw@db.example.com:5432/taskdeck?sslmode=require&password=q-pw";
        let shown = format!("{:?}", DatabaseConfig::Postgres(url.into()));
        assert!(
            !shown.contains("s3cr") && !shown.contains("q-pw"),
            "{shown}"
        );
        assert!(
            shown.contains("app:***@db.example.com:5432/taskdeck"),
            "{shown}"
        );
        assert!(shown.contains("sslmode=require"), "{shown}");
        let shown = format!("{:?}", DatabaseConfig::Postgres("not a url s3cr".into()));
        assert!(!shown.contains("s3cr"), "{shown}");
    }

    #[test]
    fn database_url_selects_the_backend() {
        let dir = std::path::Path::new("d");
        assert_eq!(
            DatabaseConfig::from_url(None, dir),
            DatabaseConfig::Sqlite("d/app.db".into())
        );
        for url in ["postgres://x/y", "postgresql://x/y"] {
            assert_eq!(
                DatabaseConfig::from_url(Some(url), dir).backend_name(),
                "postgres"
            );
        }
        assert_eq!(
            DatabaseConfig::from_url(Some("sqlite://a.db"), dir).backend_name(),
            "sqlite"
        );
    }
}
