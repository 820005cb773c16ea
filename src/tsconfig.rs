//! Module aliases from a project's `tsconfig.json` or `jsconfig.json`: `compilerOptions.baseUrl` and
//! `compilerOptions.paths` (`"@/*": ["src/*"]`), so that `import { x } from '@/config/session'` is followed like a
//! relative import. `extends` is not followed.

use std::path::{Path, PathBuf};

use jsonc_parser::ast::{Object, ObjectPropName, Value};
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

/// The aliases one configuration file declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathAliases {
    /// The folder the configuration applies to (where it is).
    pub dir: PathBuf,
    /// `baseUrl`, resolved against `dir`: non-relative imports are looked up below it (and `paths` are relative to
    /// it). `None` without one (then `paths` are relative to `dir`).
    pub base_url: Option<PathBuf>,
    /// `paths`, in order: a pattern with at most one `*`, and its targets.
    pub paths: Vec<(String, Vec<String>)>,
    /// `compilerOptions.target`, lower-cased (`es2017`, `esnext`), when given.
    pub target: Option<String>,
}

impl PathAliases {
    /// Whether the compiler's target predates ES2018, where regular expressions got named groups (TypeScript then
    /// refuses `(?<id>...)` with TS1503). TypeScript's default target is ES5.
    pub fn target_before_es2018(&self) -> bool {
        match self.target.as_deref() {
            None => true,
            Some(t) => matches!(t, "es3" | "es5" | "es6" | "es2015" | "es2016" | "es2017"),
        }
    }
}

impl PathAliases {
    /// The candidate paths (without extension rules applied) an import `spec` maps to.
    pub fn candidates(&self, spec: &str) -> Vec<PathBuf> {
        let base = self.base_url.clone().unwrap_or_else(|| self.dir.clone());
        let mut out = Vec::new();
        for (pattern, targets) in &self.paths {
            let captured = match pattern.split_once('*') {
                Some((prefix, suffix)) => {
                    spec.strip_prefix(prefix).and_then(|rest| rest.strip_suffix(suffix)).map(str::to_string)
                }
                None => (spec == pattern).then(String::new),
            };
            let Some(captured) = captured else { continue };
            out.extend(targets.iter().map(|t| base.join(t.replacen('*', &captured, 1))));
        }
        if let Some(base_url) = &self.base_url {
            out.push(base_url.join(spec));
        }
        out
    }
}

/// Reads the aliases of the `tsconfig.json` (else `jsconfig.json`) in `dir`, when it declares any. A file that
/// cannot be read or parsed declares none (type checking is not this tool's business).
pub fn read(dir: &Path, root: Option<&Path>) -> Option<PathAliases> {
    ["tsconfig.json", "jsconfig.json"].iter().find_map(|name| {
        let text = crate::fsread::read_text(&dir.join(name), crate::fsread::TEXT_LIMIT, root).ok()?;
        parse(dir, crate::source::without_bom(&text))
    })
}

/// Parses a configuration's text (comments and trailing commas allowed, as TypeScript does).
pub fn parse(dir: &Path, text: &str) -> Option<PathAliases> {
    let parsed = parse_to_ast(text, &CollectOptions::default(), &ParseOptions::default()).ok()?;
    let Some(Value::Object(root)) = parsed.value else { return None };
    let options = match prop(&root, "compilerOptions") {
        Some(Value::Object(options)) => Some(options),
        _ => None,
    };
    let option = |key: &str| options.and_then(|o| prop(o, key));
    let base_url = match option("baseUrl") {
        Some(Value::StringLit(s)) => Some(crate::root::normalize(&dir.join(s.value.as_ref()))),
        _ => None,
    };
    let mut paths = Vec::new();
    if let Some(Value::Object(map)) = option("paths") {
        for p in &map.properties {
            let Value::Array(targets) = &p.value else { continue };
            let targets: Vec<String> = targets
                .elements
                .iter()
                .filter_map(|t| match t {
                    Value::StringLit(s) => Some(s.value.to_string()),
                    _ => None,
                })
                .collect();
            paths.push((name(&p.name).to_string(), targets));
        }
    }
    let target = match option("target") {
        Some(Value::StringLit(s)) => Some(s.value.to_ascii_lowercase()),
        _ => None,
    };
    Some(PathAliases { dir: dir.to_path_buf(), base_url, paths, target })
}

fn name<'b>(name: &'b ObjectPropName<'_>) -> &'b str {
    match name {
        ObjectPropName::String(lit) => &lit.value,
        ObjectPropName::Word(word) => word.value,
    }
}

fn prop<'o, 'a>(object: &'o Object<'a>, key: &str) -> Option<&'o Value<'a>> {
    object.properties.iter().rev().find(|p| name(&p.name) == key).map(|p| &p.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_base_url_and_paths() {
        let text = r#"{
          // comments and trailing commas, as tsc accepts
          "compilerOptions": { "baseUrl": "./src", "paths": { "@/*": ["*"], "~db": ["lib/db.ts",], }, },
        }"#;
        let aliases = parse(Path::new("app"), text).expect("aliases");
        assert_eq!(aliases.base_url, Some(PathBuf::from("app/src")));
        assert_eq!(
            aliases.candidates("@/config/session"),
            [PathBuf::from("app/src/config/session"), PathBuf::from("app/src/@/config/session")]
        );
        assert_eq!(aliases.candidates("~db")[0], PathBuf::from("app/src/lib/db.ts"));
        let plain = parse(Path::new("."), r#"{ "compilerOptions": { "strict": true, "target": "ES2017" } }"#);
        assert!(plain.as_ref().is_some_and(|p| p.paths.is_empty() && p.target_before_es2018()));
        let modern = parse(Path::new("."), r#"{ "compilerOptions": { "target": "es2022" } }"#);
        assert!(modern.is_some_and(|p| !p.target_before_es2018()));
    }
}
