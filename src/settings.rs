//! Settings that transforms own: each group is a transform's part of the command line (its flags) and of the
//! configuration file (one top-level key of `express-harden.json`), the way a lint rule owns its configuration.
//! The command line collects the groups of every registered transform, so a transform's flags exist (and are
//! checked) whether or not it runs; each transform then reads its groups in [`crate::transform::Transform::configure`].

use clap::ArgMatches;
use serde::de::DeserializeOwned;

/// One group of settings: flags and a configuration key. Several transforms may read the same group (the cookie
/// policy is read by every cookie transform); it is declared once, where it is defined.
pub struct SettingsGroup {
    /// Its key in `express-harden.json` (`"cookies"`); groups are told apart by it.
    pub key: &'static str,
    /// Adds its flags to the command line: `<Flags as clap::Args>::augment_args` of a `#[derive(clap::Args)]`
    /// struct, read back with [`SettingsInput::flags`].
    pub augment: fn(clap::Command) -> clap::Command,
    /// Checks its value in the configuration file, so that a bad file fails even when no transform reading the
    /// group runs; the error names what is wrong without the key (the caller adds it).
    pub check: fn(&serde_json::Value) -> Result<(), String>,
}

impl SettingsGroup {
    /// Checks a configuration value by deserializing it as `T` (serde's message names the bad field or variant).
    pub fn check_as<T: DeserializeOwned>(value: &serde_json::Value) -> Result<(), String> {
        T::deserialize(value).map(|_| ()).map_err(|e| e.to_string())
    }
}

/// What a transform reads its settings from: the parsed command line and the configuration file's keys. A flag
/// given on the command line wins over the file.
#[derive(Default)]
pub struct SettingsInput<'a> {
    /// The command line, when there is one (tests and the benchmark configure from the file alone, or nothing).
    pub matches: Option<&'a ArgMatches>,
    /// The configuration file's top-level keys that belong to settings groups.
    pub config: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

impl SettingsInput<'_> {
    /// A group's flags as given on the command line (all unset without one).
    pub fn flags<T: clap::FromArgMatches + Default>(&self) -> Result<T, String> {
        match self.matches {
            Some(matches) => T::from_arg_matches(matches).map_err(|e| e.to_string()),
            None => Ok(T::default()),
        }
    }

    /// The configuration file's value under `key`, deserialized; an error names the key.
    pub fn config<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, String> {
        match self.config.and_then(|c| c.get(key)) {
            None => Ok(None),
            Some(value) => T::deserialize(value).map(Some).map_err(|e| format!("\"{key}\": {e}")),
        }
    }
}
