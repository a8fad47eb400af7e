//! Reading one variable's text: the shared helpers of `env` and `mail`.

use super::ConfigError;

pub(super) fn parse_or<T: std::str::FromStr>(
    value: Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value.map_or(Ok(default), |v| {
        v.trim().parse().map_err(|e: T::Err| ConfigError::Invalid {
            name,
            reason: e.to_string(),
        })
    })
}

pub(super) fn at_least_one<T: PartialOrd + From<u8>>(
    value: T,
    name: &'static str,
) -> Result<T, ConfigError> {
    if value < T::from(1) {
        return Err(ConfigError::Invalid {
            name,
            reason: "must be at least 1".into(),
        });
    }
    Ok(value)
}

pub(super) fn parse_bool(
    value: Option<String>,
    name: &'static str,
) -> Result<Option<bool>, ConfigError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(None),
        Some("1" | "true" | "on" | "yes") => Ok(Some(true)),
        Some("0" | "false" | "off" | "no") => Ok(Some(false)),
        Some(other) => Err(ConfigError::Invalid {
            name,
            reason: format!("{other:?} is not a boolean"),
        }),
    }
}
