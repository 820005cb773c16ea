//! Reading the npm registry for `--latest` (through `npm view`, found by absolute path and run without credentials:
//! `crate::child`), instead of the versions bundled in `transforms/<id>/data.json`.

use std::collections::BTreeMap;

use nodejs_semver::Version;

/// `npm view <spec> <fields...> --json`, parsed. An npm that is missing or fails is an error saying to run without
/// `--latest`.
pub fn view(spec: &str, fields: &[&str]) -> Result<serde_json::Value, String> {
    let out = crate::child::command("npm")
        .and_then(|mut npm| npm.arg("view").arg(spec).args(fields).arg("--json").output().map_err(|e| e.to_string()))
        .map_err(|e| {
            format!("--latest needs npm to read the registry ({e}); run without --latest to use the bundled versions")
        })?;
    if !out.status.success() {
        return Err(format!(
            "--latest could not read {spec} from the npm registry: {}; run without --latest to use the bundled \
             versions",
            String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("npm failed")
        ));
    }
    // (A field the version does not have prints nothing at all.)
    if out.stdout.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("--latest: unexpected answer from npm for {spec}: {e}"))
}

/// The newest version of each major of `package`, from the registry.
pub fn newest_of_each_major(package: &str) -> Result<BTreeMap<u64, String>, String> {
    let versions: Vec<String> = serde_json::from_value(view(package, &["versions"])?)
        .map_err(|e| format!("--latest: unexpected list of {package}'s versions: {e}"))?;
    Ok(newest_per_major(&versions))
}

/// The newest version of each major in a list of published versions (pre-releases left out).
pub fn newest_per_major(versions: &[String]) -> BTreeMap<u64, String> {
    let mut newest: BTreeMap<u64, Version> = BTreeMap::new();
    for v in versions.iter().filter_map(|v| Version::parse(v).ok()).filter(|v| v.pre_release.is_empty()) {
        let slot = newest.entry(v.major).or_insert_with(|| v.clone());
        if v > *slot {
            *slot = v;
        }
    }
    newest.into_iter().map(|(k, v)| (k, v.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_per_major_ignores_pre_releases() {
        let versions: Vec<String> = ["4.21.2", "4.22.3", "4.9.9", "5.0.0-beta.3", "5.3.0", "5.10.0-rc.1", "3.21.2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let newest = newest_per_major(&versions);
        assert_eq!(newest.get(&4).map(String::as_str), Some("4.22.3"));
        assert_eq!(newest.get(&5).map(String::as_str), Some("5.3.0"));
        assert_eq!(newest.get(&3).map(String::as_str), Some("3.21.2"));
    }
}
