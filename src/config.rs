//! The configuration file: `express-harden.json` in the folder the tool runs in, or an `"express-harden"` key in the
//! package.json there. Every key is optional; command-line flags override it. Unknown keys and bad values are errors
//! that name the key and the values it accepts. Documented in `docs/config.md`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::settings::SettingsGroup;

/// The file's content: the engine's own keys, and the keys of the transforms' settings groups (each checked by its
/// group, and read by the transforms that own it).
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// Which transforms run.
    pub transforms: TransformsConfig,
    /// Paths to fix and to leave out.
    pub paths: PathsConfig,
    /// `"includeTests": true`: also fix test code and fixtures (`--include-tests`). `None`: not set.
    pub include_tests: Option<bool>,
    /// `"maxFileSize": 2097152` or `"2M"`: source files bigger than this are not analysed (`--max-file-size`).
    pub max_file_size: Option<crate::transform::FileSizeLimit>,
    /// `"includeMinified": true`: also analyse files that look minified (`--include-minified`). `None`: not set.
    pub include_minified: Option<bool>,
    /// The settings groups' keys (`"cookies"`, `"store"`, ...), as written.
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// What the configuration file may name: the transforms' ids and their settings groups (the command line gives
/// them, from the registry).
pub struct Known {
    /// Transform ids, for `transforms.only` and `transforms.skip`.
    pub ids: Vec<&'static str>,
    /// The settings groups, whose keys are the file's other top-level keys.
    pub groups: Vec<&'static SettingsGroup>,
}

/// The engine's own top-level keys.
const ENGINE_KEYS: [&str; 5] = ["transforms", "paths", "includeTests", "maxFileSize", "includeMinified"];

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
/// `Ok(None)` when there is none; an error names the file, the key and what it accepts. Both files are read through
/// [`crate::fsread`] (a regular file of at most 4 MiB, not through a link out of `root`); a BOM is allowed.
pub fn load(dir: &Path, known: &Known, root: Option<&Path>) -> Result<Option<(Config, PathBuf)>, String> {
    let read = |path: &Path| crate::fsread::read_text(path, crate::fsread::TEXT_LIMIT, root);
    let file = dir.join(FILE_NAME);
    match read(&file) {
        Ok(text) => {
            let config = parse(&text, known).map_err(|e| format!("{}: {e}", crate::discover::display_path(&file)))?;
            return Ok(Some((config, file)));
        }
        Err(err) if err.is_missing() => {}
        Err(err) => return Err(format!("{}: {err}", crate::discover::display_path(&file))),
    }
    let manifest = dir.join("package.json");
    // A package.json that cannot be read or parsed is reported by the run, if it is part of it.
    let Ok(text) = read(&manifest) else { return Ok(None) };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(crate::source::without_bom(&text)) else {
        return Ok(None);
    };
    let Some(section) = json.get("express-harden") else { return Ok(None) };
    let config = from_value(section.clone(), known)
        .map_err(|e| format!("{} (key \"express-harden\"): {e}", crate::discover::display_path(&manifest)))?;
    Ok(Some((config, manifest)))
}

/// Parses and validates a configuration file's text.
pub fn parse(text: &str, known: &Known) -> Result<Config, String> {
    from_value(serde_json::from_str(crate::source::without_bom(text)).map_err(|e| e.to_string())?, known)
}

/// Reads and validates a configuration object.
fn from_value(value: serde_json::Value, known: &Known) -> Result<Config, String> {
    let serde_json::Value::Object(object) = value else {
        return Err("expected an object of settings".to_string());
    };
    let mut config = Config::default();
    for (key, value) in object {
        match key.as_str() {
            "transforms" => {
                config.transforms = TransformsConfig::deserialize(value).map_err(|e| format!("\"{key}\": {e}"))?
            }
            "paths" => config.paths = PathsConfig::deserialize(value).map_err(|e| format!("\"{key}\": {e}"))?,
            "includeTests" => {
                config.include_tests = Option::<bool>::deserialize(value).map_err(|e| format!("\"{key}\": {e}"))?
            }
            "includeMinified" => {
                config.include_minified = Option::<bool>::deserialize(value).map_err(|e| format!("\"{key}\": {e}"))?
            }
            "maxFileSize" => {
                config.max_file_size = match value {
                    serde_json::Value::Null => None,
                    serde_json::Value::Number(n) => Some(
                        crate::transform::FileSizeLimit::parse(&n.to_string())
                            .map_err(|e| format!("\"{key}\": {e}"))?,
                    ),
                    serde_json::Value::String(s) => {
                        Some(crate::transform::FileSizeLimit::parse(&s).map_err(|e| format!("\"{key}\": {e}"))?)
                    }
                    other => return Err(format!("\"{key}\": expected bytes or a size such as \"2M\", not {other}")),
                }
            }
            _ => match known.groups.iter().find(|g| g.key == key) {
                // `null` leaves the setting unset, as it always did.
                Some(_) if value.is_null() => {}
                Some(group) => {
                    (group.check)(&value).map_err(|e| format!("\"{key}\": {e}"))?;
                    config.settings.insert(key, value);
                }
                None => {
                    let keys: Vec<String> = ENGINE_KEYS
                        .iter()
                        .chain(known.groups.iter().map(|g| &g.key))
                        .map(|k| format!("`{k}`"))
                        .collect();
                    return Err(format!("unknown field `{key}`, expected one of {}", keys.join(", ")));
                }
            },
        }
    }
    validate(&config, known)?;
    Ok(config)
}

/// The checks serde's types cannot express.
fn validate(config: &Config, known: &Known) -> Result<(), String> {
    let ids = &known.ids;
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

    fn parse(text: &str) -> Result<Config, String> {
        super::parse(text, &crate::cli::known(&crate::transforms::registry()))
    }

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
        let err = parse(r#"{ "includeTests": "yes" }"#).expect_err("not a boolean");
        assert!(err.contains("\"includeTests\": invalid type: string \"yes\", expected a boolean"), "{err}");
    }

    #[test]
    fn include_tests_is_a_boolean_and_null_leaves_it_unset() {
        assert_eq!(parse(r#"{ "includeTests": true }"#).expect("valid").include_tests, Some(true));
        assert_eq!(parse(r#"{ "includeTests": false }"#).expect("valid").include_tests, Some(false));
        assert_eq!(parse(r#"{ "includeTests": null }"#).expect("valid").include_tests, None);
        assert_eq!(parse("{}").expect("valid").include_tests, None);
    }

    #[test]
    fn null_leaves_a_setting_unset() {
        let config = parse(r#"{ "store": null, "express": null, "cookies": { "name": null } }"#).expect("valid");
        assert!(!config.settings.contains_key("store") && !config.settings.contains_key("express"));
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
        assert_eq!(config.settings["store"], "postgres");
        assert_eq!(config.settings["cookies"]["behindProxy"], 1);
        assert_eq!(config.paths.exclude, ["legacy/**"]);
    }

    #[test]
    fn a_byte_order_mark_is_allowed() {
        let config = parse("\u{feff}{ \"transforms\": { \"only\": [\"helmet\"] } }").expect("a BOM is fine");
        assert_eq!(config.transforms.only, ["helmet"]);
    }
}
