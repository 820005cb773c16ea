//! The configuration file: `express-harden.json` in the folder the tool runs in, or an `"express-harden"` key in the
//! package.json there. Every key is optional; command-line flags override it. Unknown keys and bad values are errors
//! that name the key and the values it accepts. Documented in `docs/config.md`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::transform::SecurePolicy;

/// The file's content.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// Which transforms run.
    #[serde(default)]
    pub transforms: TransformsConfig,
    /// The session store backend (`redis`, `mongo`, `postgres`, `mysql`, `sequelize`, `knex`).
    pub store: Option<String>,
    /// Environment variable names for moved secrets.
    #[serde(default)]
    pub env: EnvConfig,
    /// The cookie policy.
    #[serde(default)]
    pub cookies: CookiesConfig,
    /// The Express major to move to (4 or 5).
    pub express: Option<u64>,
    /// Paths to fix and to leave out.
    #[serde(default)]
    pub paths: PathsConfig,
}

/// `"transforms": { "only": [...], "skip": [...] }`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransformsConfig {
    /// Run only these ids.
    #[serde(default)]
    pub only: Vec<String>,
    /// Skip these ids.
    #[serde(default)]
    pub skip: Vec<String>,
}

/// `"env": { "sessionSecret": ..., "sessionKeys": ..., "cookieSecret": ... }`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvConfig {
    /// For express-session's (and cookie-session's) secret.
    pub session_secret: Option<String>,
    /// For cookie-session's keys.
    pub session_keys: Option<String>,
    /// For cookie-parser's secret.
    pub cookie_secret: Option<String>,
}

/// `"cookies": { "secure": ..., "sameSite": ..., "name": ..., "behindProxy": N }`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CookiesConfig {
    /// `always`, `production` or `auto`.
    pub secure: Option<SecureValue>,
    /// `lax` or `strict`.
    pub same_site: Option<SameSiteValue>,
    /// The neutral session cookie name.
    pub name: Option<String>,
    /// TLS-terminating proxies in front of the app.
    pub behind_proxy: Option<u32>,
}

/// `cookies.secure`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecureValue {
    /// `secure: true`.
    Always,
    /// `secure: process.env.NODE_ENV === 'production'`.
    Production,
    /// `secure: 'auto'`.
    Auto,
}

impl From<SecureValue> for SecurePolicy {
    fn from(value: SecureValue) -> SecurePolicy {
        match value {
            SecureValue::Always => SecurePolicy::Always,
            SecureValue::Production => SecurePolicy::Production,
            SecureValue::Auto => SecurePolicy::Auto,
        }
    }
}

/// `cookies.sameSite`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SameSiteValue {
    /// `'lax'`.
    Lax,
    /// `'strict'`.
    Strict,
}

/// `"paths": { "include": [...], "exclude": [...] }`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathsConfig {
    /// What to fix when no path is given on the command line.
    #[serde(default)]
    pub include: Vec<PathBuf>,
    /// Glob patterns (gitignore syntax) of paths to leave out.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// The name of the configuration file.
pub const FILE_NAME: &str = "express-harden.json";

/// Reads the configuration of the folder `dir`: `express-harden.json`, else package.json's `"express-harden"` key.
/// `Ok(None)` when there is none; an error names the file, the key and what it accepts.
pub fn load(dir: &Path) -> Result<Option<(Config, PathBuf)>, String> {
    let file = dir.join(FILE_NAME);
    if file.exists() {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: cannot be read: {e}", file.display()))?;
        let config = parse(&text).map_err(|e| format!("{}: {e}", crate::discover::display_path(&file)))?;
        return Ok(Some((config, file)));
    }
    let manifest = dir.join("package.json");
    let Ok(text) = std::fs::read_to_string(&manifest) else { return Ok(None) };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { return Ok(None) };
    let Some(section) = json.get("express-harden") else { return Ok(None) };
    let config = serde_json::from_value::<Config>(section.clone())
        .map_err(|e| format!("{} (key \"express-harden\"): {e}", crate::discover::display_path(&manifest)))?;
    validate(&config)
        .map_err(|e| format!("{} (key \"express-harden\"): {e}", crate::discover::display_path(&manifest)))?;
    Ok(Some((config, manifest)))
}

/// Parses and validates a configuration file's text.
pub fn parse(text: &str) -> Result<Config, String> {
    let config: Config = serde_json::from_str(text).map_err(|e| e.to_string())?;
    validate(&config)?;
    Ok(config)
}

/// The checks serde's types cannot express.
fn validate(config: &Config) -> Result<(), String> {
    if let Some(store) = &config.store {
        let valid = crate::transforms::session_store::store_flags();
        if !valid.contains(&store.as_str()) {
            return Err(format!("\"store\": unknown store `{store}`, expected one of {}", valid.join(", ")));
        }
    }
    if let Some(major) = config.express {
        if !(4..=5).contains(&major) {
            return Err(format!("\"express\": {major} is not a major express-harden moves to, expected 4 or 5"));
        }
    }
    let ids = crate::transform::all_ids();
    for (key, list) in [("transforms.only", &config.transforms.only), ("transforms.skip", &config.transforms.skip)] {
        if let Some(unknown) = list.iter().find(|id| !ids.contains(&id.as_str())) {
            return Err(format!("\"{key}\": unknown transform `{unknown}`, expected one of {}", ids.join(", ")));
        }
    }
    for pattern in &config.paths.exclude {
        ignore::overrides::OverrideBuilder::new(".")
            .add(&format!("!{pattern}"))
            .map_err(|e| format!("\"paths.exclude\": `{pattern}` is not a glob: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_bad_values_name_the_key_and_the_accepted_values() {
        let err = parse(r#"{ "stor": "redis" }"#).expect_err("unknown key");
        assert!(err.contains("unknown field `stor`") && err.contains("`store`"), "{err}");
        let err = parse(r#"{ "cookies": { "secure": "sometimes" } }"#).expect_err("bad value");
        assert!(err.contains("unknown variant `sometimes`") && err.contains("`production`"), "{err}");
        let err = parse(r#"{ "store": "dynamo" }"#).expect_err("bad store");
        assert!(err.contains("\"store\": unknown store `dynamo`, expected one of redis, mongo"), "{err}");
        let err = parse(r#"{ "express": 6 }"#).expect_err("bad major");
        assert!(err.contains("expected 4 or 5"), "{err}");
        let err = parse(r#"{ "transforms": { "only": ["helmut"] } }"#).expect_err("bad id");
        assert!(err.contains("\"transforms.only\": unknown transform `helmut`"), "{err}");
        let err = parse(r#"{ "cookies": { "sameSite": "none" } }"#).expect_err("none is not offered");
        assert!(err.contains("expected `lax` or `strict`"), "{err}");
    }

    #[test]
    fn a_full_file_parses() {
        let config = parse(
            r#"{
              "transforms": { "skip": ["helmet"] },
              "store": "postgres",
              "env": { "sessionSecret": "APP_SECRET" },
              "cookies": { "secure": "always", "sameSite": "strict", "name": "app.sid", "behindProxy": 1 },
              "express": 5,
              "paths": { "include": ["src"], "exclude": ["legacy/**"] }
            }"#,
        )
        .expect("valid");
        assert_eq!(config.store.as_deref(), Some("postgres"));
        assert_eq!(config.cookies.behind_proxy, Some(1));
        assert_eq!(config.paths.exclude, ["legacy/**"]);
    }
}
