//! Published libraries (a package.json with a `name` and a `version`, not `private`): what of a package other apps
//! install, and which of its files only show how to use it (a `sample.js`, an `examples/` app, a `scripts/` helper
//! that none of its entry points reach, or a file outside its `files`). Such code never changes the library's
//! `dependencies`: its packages go to `devDependencies`, and a file whose own packages the library does not even
//! declare is left alone with the `engine/example-code` finding (see `pipeline.rs`).

use std::path::{Path, PathBuf};

use crate::manifest::ManifestInfo;

/// The engine's finding on an example file of a published library that is left alone.
pub const RULE: &str = "engine/example-code";

/// Folders whose code shows how to use the project rather than being it.
const EXAMPLE_DIRS: [&str; 6] = ["example", "examples", "demo", "demos", "sample", "samples"];

/// Node's built-in modules (`require('module').builtinModules` of Node 20, less the internal `_` ones and the
/// sub-paths): imported without being declared.
const NODE_BUILTINS: [&str; 42] = [
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// Whether `relative` (a path relative to its package's folder) lies under an example folder (`examples/basic/app.js`,
/// `demo/server.js`): example code in any package.
pub fn in_example_folder(relative: &Path) -> bool {
    let mut dirs = relative.components().rev().skip(1);
    dirs.any(|c| c.as_os_str().to_str().is_some_and(|name| EXAMPLE_DIRS.contains(&name)))
}

/// The example `relative` (a path relative to its package's folder) belongs to: the outermost example folder and the
/// folder or file right below it (`examples/blog` for `examples/blog/views/index.ejs`, `examples/standalone.js` for
/// itself); `None` outside every example folder. Each such unit is an app of its own, with its own views.
pub fn example_unit(relative: &Path) -> Option<PathBuf> {
    let names: Vec<&std::ffi::OsStr> = relative.iter().collect();
    let folder = names[..names.len().saturating_sub(1)]
        .iter()
        .position(|name| name.to_str().is_some_and(|name| EXAMPLE_DIRS.contains(&name)))?;
    Some(names[..=folder + 1].iter().collect())
}

/// Whether `relative` is named as example code: under an example folder, a file named `sample`, `example*` or
/// `demo*`, or a file under the package's `scripts/` folder (tools of its own development).
pub fn looks_like_example(relative: &Path) -> bool {
    let stem = relative.file_name().and_then(|n| n.to_str()).and_then(|n| n.split('.').next()).unwrap_or_default();
    let stem = stem.to_ascii_lowercase();
    let first = relative.components().next().and_then(|c| c.as_os_str().to_str());
    in_example_folder(relative)
        || stem == "sample"
        || stem == "samples"
        || stem.starts_with("example")
        || stem.starts_with("demo")
        || (first == Some("scripts") && relative.components().count() > 1)
}

/// Whether `relative` is outside what the package publishes (`files`: folders, files and `*` patterns; npm always
/// publishes package.json, the entry and the `bin` files, which the caller treats as entry points).
pub fn outside_files(relative: &Path, files: &[String]) -> bool {
    let text = relative.to_string_lossy().replace('\\', "/");
    !files.iter().any(|pattern| {
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        let pattern = pattern.trim_end_matches("/**").trim_end_matches("/*");
        if pattern.is_empty() || pattern == "*" || pattern == "**" {
            return true;
        }
        if pattern.contains('*') {
            // (`lib/*.js`, `*.js`: the part before the first `*` as a prefix, the part after it as a suffix.)
            let (head, tail) = pattern.split_once('*').unwrap_or((pattern, ""));
            let tail = tail.trim_start_matches('*');
            return text.starts_with(head) && text.ends_with(tail) && text.len() >= head.len() + tail.len();
        }
        text == pattern || text.starts_with(&format!("{pattern}/"))
    })
}

/// The files the package runs or gives to others, relative to its folder: its entry (`exports['.']`, else `main`),
/// its `bin` files and the source files its `start` script names (`node server.js`, `nodemon src/app.ts`), less those
/// that are its example ([`example_start`]: the example is no entry point of the library).
pub fn entry_points(manifest: &ManifestInfo) -> Vec<String> {
    let mut points: Vec<String> = manifest.entry().into_iter().map(str::to_string).collect();
    points.extend(manifest.bin().iter().cloned());
    points.extend(start_files(manifest).into_iter().filter(|file| !example_start(Path::new(file), manifest)));
    points
}

/// The source files the `start` script names, relative to the package's folder (`./` left out).
pub fn start_files(manifest: &ManifestInfo) -> Vec<String> {
    let files = manifest.start_script().into_iter().flat_map(script_files);
    files.map(|file| file.trim_start_matches("./").to_string()).collect()
}

/// Whether `relative`, a file the `start` script names, is an example of a library rather than the package itself
/// (`"start": "node examples/blog/server.js"`, a way to let contributors try a framework): the package declares an
/// entry other packages import (`main`/`exports`), and the file lies under an example folder, outside `files` when
/// the package lists them. (Whether the library's entry reaches it is for the caller: then it is no example.)
pub fn example_start(relative: &Path, manifest: &ManifestInfo) -> bool {
    manifest.entry().is_some()
        && in_example_folder(relative)
        && manifest.files().is_none_or(|files| outside_files(relative, files))
}

/// The source files a package script names (words with a JavaScript or TypeScript extension, or a path).
fn script_files(script: &str) -> Vec<String> {
    const EXTENSIONS: [&str; 8] = [".js", ".cjs", ".mjs", ".ts", ".cts", ".mts", ".jsx", ".tsx"];
    script
        .split(|c: char| c.is_whitespace() || c == '&' || c == ';' || c == '|')
        .map(|word| word.trim_matches(|c| c == '"' || c == '\''))
        .filter(|word| !word.starts_with('-') && (EXTENSIONS.iter().any(|e| word.ends_with(e)) || word.contains('/')))
        .map(str::to_string)
        .collect()
}

/// Whether the package runs itself: it has a `bin` or a `start` script (an app published to a registry, run with
/// `npx` or `npm start`), not only code for other apps. A `start` script that runs only the library's example
/// (`start_runs_example`: every file it names is [`example_start`] and reached from no entry point) does not count.
pub fn runs_itself(manifest: &ManifestInfo, start_runs_example: bool) -> bool {
    !manifest.bin().is_empty() || (manifest.start_script().is_some() && !start_runs_example)
}

/// The packages among `specs` (what a file imports) that `manifest` declares in no section: neither Node's own
/// modules nor relative paths nor the project's own workspace packages (`is_project`: the specifier names a file of
/// the project).
pub fn undeclared<'a>(
    specs: impl Iterator<Item = &'a str>,
    manifest: &ManifestInfo,
    is_project: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    for spec in specs {
        if spec.starts_with('.') || spec.starts_with('/') || spec.contains(':') || is_project(spec) {
            continue;
        }
        let Some(name) = package_name(spec) else { continue };
        if NODE_BUILTINS.contains(&name)
            || manifest.dependency(name).is_some()
            || missing.iter().any(|m| m == name)
            || manifest.name() == Some(name)
        {
            continue;
        }
        missing.push(name.to_string());
    }
    missing.sort();
    missing
}

/// Whether `spec` names one of Node's built-in modules (`path`, `node:url`, `fs/promises`).
pub fn is_builtin(spec: &str) -> bool {
    let name = spec.strip_prefix("node:").unwrap_or(spec);
    NODE_BUILTINS.contains(&name.split('/').next().unwrap_or(name))
}

/// `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`.
fn package_name(spec: &str) -> Option<&str> {
    let parts = if spec.starts_with('@') { 2 } else { 1 };
    let end = spec.match_indices('/').nth(parts - 1).map_or(spec.len(), |(i, _)| i);
    Some(&spec[..end]).filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_code_is_recognised_by_folder_and_name() {
        assert!(in_example_folder(Path::new("examples/basic/app.js")));
        assert!(in_example_folder(Path::new("demo/server.js")));
        assert!(!in_example_folder(Path::new("src/example.js")));
        assert!(!in_example_folder(Path::new("lib/samples.js")));
        assert!(!in_example_folder(Path::new("app.js")));
        assert!(looks_like_example(Path::new("sample.js")));
        assert!(looks_like_example(Path::new("src/example-server.js")));
        assert!(looks_like_example(Path::new("demo.mjs")));
        assert!(looks_like_example(Path::new("scripts/serve-docs.js")));
        assert!(!looks_like_example(Path::new("scripts.js")));
        assert!(!looks_like_example(Path::new("lib/scripts/x.js")));
        assert!(!looks_like_example(Path::new("server.js")));
    }

    #[test]
    fn each_example_is_a_unit_of_its_own() {
        let unit = |path: &str| example_unit(Path::new(path)).map(|u| u.to_string_lossy().into_owned());
        assert_eq!(unit("examples/blog/views/index.ejs").as_deref(), Some("examples/blog"));
        assert_eq!(unit("examples/blog/server.js").as_deref(), Some("examples/blog"));
        assert_eq!(unit("examples/standalone.js").as_deref(), Some("examples/standalone.js"));
        assert_eq!(unit("packages/a/demo/x/y.js").as_deref(), Some("packages/a/demo/x"));
        assert_eq!(unit("views/index.ejs"), None);
        assert_eq!(unit("examples"), None);
    }

    #[test]
    fn files_patterns_say_what_is_published() {
        let files = ["lib".to_string(), "index.js".to_string(), "bin/*.js".to_string()];
        assert!(!outside_files(Path::new("lib/a/b.js"), &files));
        assert!(!outside_files(Path::new("index.js"), &files));
        assert!(!outside_files(Path::new("bin/cli.js"), &files));
        assert!(outside_files(Path::new("scripts/serve-docs.js"), &files));
        assert!(outside_files(Path::new("library.js"), &files));
        assert!(!outside_files(Path::new("x.js"), &["*".to_string()]));
    }

    #[test]
    fn start_scripts_name_their_files() {
        assert_eq!(script_files("node scripts/serve.js"), ["scripts/serve.js"]);
        assert_eq!(script_files("NODE_ENV=production nodemon --watch src src/app.ts"), ["src/app.ts"]);
        assert_eq!(script_files("npm run build && node dist/index.js"), ["dist/index.js"]);
    }

    #[test]
    fn a_start_script_that_runs_the_example_is_no_entry_point() {
        let manifest = |text: &str| ManifestInfo::parse(text).expect("parses");
        let library = manifest(
            r#"{ "name": "pagekit", "version": "1.0.0", "main": "index.js", "files": ["index.js", "lib/"],
                 "scripts": { "start": "node ./examples/blog/server.js" } }"#,
        );
        assert_eq!(start_files(&library), ["examples/blog/server.js"]);
        assert!(example_start(Path::new("examples/blog/server.js"), &library));
        assert_eq!(entry_points(&library), ["index.js"]);
        // (No `main`: an app whose code lies in an example folder; a `files` that publishes the folder.)
        let app =
            manifest(r#"{ "name": "a", "version": "1.0.0", "scripts": { "start": "node examples/blog/server.js" } }"#);
        assert!(!example_start(Path::new("examples/blog/server.js"), &app));
        let published = manifest(
            r#"{ "name": "a", "version": "1.0.0", "main": "index.js", "files": ["index.js", "examples"],
                 "scripts": { "start": "node examples/blog/server.js" } }"#,
        );
        assert!(!example_start(Path::new("examples/blog/server.js"), &published));
        // (The library's own entry, or a server outside any example folder.)
        assert!(!example_start(Path::new("index.js"), &library));
        assert!(!example_start(Path::new("server.js"), &library));
        assert!(runs_itself(&library, false));
        assert!(!runs_itself(&library, true));
    }

    #[test]
    fn packages_are_named_without_their_paths() {
        assert_eq!(package_name("@scope/name/sub"), Some("@scope/name"));
        assert_eq!(package_name("express/lib/router"), Some("express"));
        assert_eq!(package_name("express"), Some("express"));
        assert!(is_builtin("node:url") && is_builtin("fs/promises") && !is_builtin("swagger-ui-dist"));
    }
}
