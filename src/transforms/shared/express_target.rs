//! The Express version the user asks for: flags `--express` and `--latest`, key `"express"` of the configuration
//! file. Read by express-version (which moves the manifest) and by the code migrations that go with it.

use serde::Deserialize;

use crate::settings::{SettingsGroup, SettingsInput};

// The group's flags (no doc comment: clap would make it the command's description).
#[derive(Debug, Default, clap::Args)]
#[command(next_help_heading = "Express version (express-version, express4, express5)")]
pub struct ExpressFlags {
    /// Move Express to this major (4 or 5); by default the current major is kept (3 goes to 4).
    #[arg(long, value_name = "MAJOR", value_parser = clap::value_parser!(u64).range(4..=5))]
    pub express: Option<u64>,

    /// Read the newest versions from the npm registry (through `npm view`) instead of the bundled tables: Express's,
    /// and each session store major's (its newest release, engines and peer dependencies).
    #[arg(long)]
    pub latest: bool,
}

/// The Express versions' flags and configuration key.
pub static EXPRESS: SettingsGroup =
    SettingsGroup { key: "express", augment: <ExpressFlags as clap::Args>::augment_args, check };

fn check(value: &serde_json::Value) -> Result<(), String> {
    major_of(value).map(|_| ())
}

/// The configured major, checked.
fn major_of(value: &serde_json::Value) -> Result<u64, String> {
    let major = u64::deserialize(value).map_err(|e| e.to_string())?;
    if !(4..=5).contains(&major) {
        return Err(format!("{major} is not a major express-harden moves to, expected 4 or 5"));
    }
    Ok(major)
}

/// What the user asked of Express's version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpressTarget {
    /// `--express N`: the major to move to (the current one is kept otherwise; 3 goes to 4).
    pub major: Option<u64>,
    /// `--latest`: read the newest versions from the npm registry.
    pub latest: bool,
}

impl ExpressTarget {
    /// The target the command line and the configuration file ask for (a flag wins).
    pub fn read(input: &SettingsInput<'_>) -> Result<ExpressTarget, String> {
        let flags: ExpressFlags = input.flags()?;
        let configured = match input.config.and_then(|c| c.get(EXPRESS.key)) {
            Some(value) => Some(major_of(value).map_err(|e| format!("\"{}\": {e}", EXPRESS.key))?),
            None => None,
        };
        Ok(ExpressTarget { major: flags.express.or(configured), latest: flags.latest })
    }
}
