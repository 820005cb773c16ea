//! The advisories transform (issue 15) on the projects of every lockfile format (`tests/inventory/`, made by the
//! package managers), offline: the advisories are the OSV records under `tests/advisories/osv/` (recorded from the
//! GitHub advisory database, given with `--advisories PATH`). Each case's findings, planned fixes and JSON entries
//! are an exact snapshot; `--check` and `--fail-on` are checked by their exit codes, SARIF by its rules.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, express_harden};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn osv() -> String {
    Path::new(REPO).join("tests/advisories/osv").display().to_string()
}

/// A folder holding only the records `ids` of [`osv`], for a test about one fix that other advisories of its fixture
/// would join (the fixture's express 4.21.2 pins path-to-regexp 0.1.12, which GHSA-37ch-88jc-xwx2 affects).
fn osv_only(ids: &[&str]) -> tempfile::TempDir {
    let records = tempfile::tempdir().expect("tempdir");
    for id in ids {
        let name = format!("{id}.json");
        std::fs::copy(Path::new(&osv()).join(&name), records.path().join(&name)).expect("copy record");
    }
    records
}

/// A copy of `tests/inventory/<name>` in a temporary folder.
fn project(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(name);
    copy_dir(&Path::new(REPO).join("tests/inventory").join(name), &dir);
    (tmp, dir)
}

/// What a user reads of the run: each advisory (JSON) and each dependency change, one line each.
fn audit(dir: &Path, extra: &[&str]) -> (i32, String) {
    audit_from(dir, &osv(), extra)
}

/// [`audit`] with the advisories of `source`.
fn audit_from(dir: &Path, source: &str, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["--only", "advisories", "--advisories", source, "--format", "json"];
    args.extend(extra);
    let out = express_harden(dir, &args);
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut lines = Vec::new();
    for a in doc["advisories"].as_array().expect("advisories") {
        lines.push(format!(
            "{} {}@{} -> {} [{}] {} {}:{} reach={} ({}) fix={}: {}",
            a["id"].as_str().unwrap_or_default(),
            a["package"].as_str().unwrap_or_default(),
            a["installed"].as_str().unwrap_or_default(),
            a["patched"].as_str().unwrap_or("none"),
            a["severity"].as_str().unwrap_or("unknown"),
            if a["gate"] == true { "gate" } else { "-" },
            a["manifest"].as_str().unwrap_or_default(),
            a["line"],
            a["reachability"].as_str().unwrap_or_default(),
            a["reachability_reason"].as_str().unwrap_or_default(),
            a["fix"]["kind"].as_str().unwrap_or_default(),
            a["fix"]["description"].as_str().unwrap_or_default(),
        ));
        for path in a["paths"].as_array().expect("paths") {
            lines.push(format!("  via {}", path.as_str().unwrap_or_default()));
        }
    }
    for d in doc["dependency_changes"].as_array().expect("dependency_changes") {
        lines.push(format!(
            "change {} {} {} {} -> {}",
            d["manifest"].as_str().unwrap_or_default(),
            d["section"].as_str().unwrap_or_default(),
            d["package"].as_str().unwrap_or_default(),
            d["from"].as_str().unwrap_or("(new)"),
            d["to"].as_str().unwrap_or_default()
        ));
    }
    for e in doc["errors"].as_array().expect("errors") {
        lines.push(format!("error {}", e));
    }
    (out.status.code().unwrap_or(-1), lines.join("\n") + "\n")
}

fn snapshot(name: &str) {
    let (_tmp, dir) = project(name);
    let (code, text) = audit(&dir, &[]);
    assert_eq!(code, 0, "a dry run exits 0 whatever it finds:\n{text}");
    insta::with_settings!({ snapshot_path => Path::new(REPO).join("snapshots"), prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("audit__{name}"), text);
    });
}

#[test]
fn npm_lockfile_version_1() {
    snapshot("npm-v1");
}

#[test]
fn npm_lockfile_version_2() {
    snapshot("npm-v2");
}

#[test]
fn npm_lockfile_version_3() {
    snapshot("npm-v3");
}

#[test]
fn npm_shrinkwrap() {
    snapshot("npm-shrinkwrap");
}

#[test]
fn yarn_1() {
    snapshot("yarn-v1");
}

#[test]
fn yarn_berry() {
    snapshot("yarn-berry");
}

#[test]
fn pnpm_lockfile_version_6() {
    snapshot("pnpm-v6");
}

#[test]
fn pnpm_lockfile_version_9() {
    snapshot("pnpm-v9");
}

#[test]
fn the_express_app() {
    snapshot("npm-express");
}

/// `--check` fails on an advisory at or above `--fail-on` (high by default), and only then: in the pnpm project the
/// only advisory (cookie 0.4.1, low) has no fix this tool writes (0.7.0 is on another line than its parents declare),
/// so no change is due and the severity alone decides.
#[test]
fn check_fails_at_or_above_the_fail_on_severity() {
    let (_tmp, dir) = project("pnpm-v9");
    let manifest = std::fs::read_to_string(dir.join("package.json")).expect("manifest");
    let manifest =
        manifest.replacen("\"private\": true,", "\"private\": true,\n  \"packageManager\": \"pnpm@11.2.0\",", 1);
    std::fs::write(dir.join("package.json"), manifest).expect("write");
    let (_, text) = audit(&dir, &[]);
    assert!(!text.contains("\nchange "), "{text}");
    for (extra, expected) in [
        (&["--check"][..], 0),
        (&["--check", "--fail-on", "moderate"][..], 0),
        (&["--check", "--fail-on", "low"][..], 1),
        (&[][..], 0),
    ] {
        let (code, text) = audit(&dir, extra);
        assert_eq!(code, expected, "{extra:?}:\n{text}");
    }
    // The configuration key says the same.
    std::fs::write(dir.join("express-harden.json"), "{ \"advisories\": { \"failOn\": \"low\" } }").expect("write");
    assert_eq!(audit(&dir, &["--check"]).0, 1);
    std::fs::write(dir.join("express-harden.json"), "{ \"advisories\": { \"failOn\": \"severe\" } }").expect("write");
    let out = express_harden(&dir, &["--only", "advisories", "--check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("severe"), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(dir.join("express-harden.json")).expect("remove");
    let out = express_harden(&dir, &["--only", "advisories", "--fail-on", "severe"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The same records in a zip (OSV's ecosystem export, osv-scanner's offline cache) give the same advisories; a
/// broken record is an error naming it.
#[test]
fn osv_records_from_a_zip_and_bad_records() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let zip_path = tmp.path().join("all.zip");
    zip_of_records(&zip_path);
    let from_dir = express_harden_bin::load(Path::new(&osv()));
    let from_zip = express_harden_bin::load(&zip_path);
    assert_eq!(from_dir, from_zip);
    let records = std::fs::read_dir(osv()).expect("osv").count();
    assert!(from_dir.len() >= records, "every record gives at least one advisory: {} < {records}", from_dir.len());

    let bad = tmp.path().join("bad");
    std::fs::create_dir(&bad).expect("mkdir");
    std::fs::write(bad.join("GHSA-bad.json"), "{\"id\": 1}").expect("write");
    let err = express_harden::advisories::Database::load_osv(&bad).expect_err("refused");
    assert!(err.contains("GHSA-bad.json") && err.contains("not an OSV record"), "{err}");
    let (_p, dir) = project("npm-v3");
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &bad.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GHSA-bad.json"));
    let missing = express_harden(&dir, &["--only", "advisories", "--advisories", "no/such/folder"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/folder"));
}

/// Writes a zip at `path` holding every recorded OSV record of `tests/advisories/osv/`.
fn zip_of_records(path: &Path) {
    let file = std::fs::File::create(path).expect("zip");
    let mut zip = zip::ZipWriter::new(file);
    for entry in std::fs::read_dir(osv()).expect("osv").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("entry");
        std::io::Write::write_all(&mut zip, &std::fs::read(entry.path()).expect("read")).expect("write");
    }
    zip.finish().expect("finish");
}

mod express_harden_bin {
    use std::path::Path;

    /// The advisories a source holds, as `package id ranges`, sorted.
    pub fn load(path: &Path) -> Vec<String> {
        let db = express_harden::advisories::Database::load_osv(path).expect("loads");
        db.all().iter().map(|a| format!("{} {} {:?} {:?}", a.package, a.id, a.ranges, a.severity)).collect()
    }
}

/// SARIF: a rule per advisory, with its osv.dev page as help URI, and the advisory's result under it.
#[test]
fn sarif_has_a_rule_per_advisory() {
    let (_tmp, dir) = project("npm-express");
    let source = osv();
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &source, "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    for id in ["GHSA-qwcr-r2fm-qrc7", "GHSA-pxg6-pf52-xh8x", "GHSA-phwq-j96m-2c2q"] {
        let rule = rules.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("no rule {id}"));
        assert_eq!(rule["helpUri"], format!("https://osv.dev/vulnerability/{id}"));
    }
    let results = log["runs"][0]["results"].as_array().expect("results");
    let critical = results.iter().find(|r| r["ruleId"] == "GHSA-phwq-j96m-2c2q").expect("ejs result");
    assert_eq!(critical["level"], "error");
    assert!(!results.iter().any(|r| r["ruleId"] == "advisories/fix-planned"), "no duplicate of an advisory's result");
}

/// A package-lock.json (v3) in which the project depends on `deps` (name, range, locked version) and nothing else.
fn lockfile(deps: &[(&str, &str, &str)]) -> String {
    let mut packages = serde_json::Map::new();
    let root: serde_json::Map<String, serde_json::Value> =
        deps.iter().map(|(name, range, _)| (name.to_string(), (*range).into())).collect();
    packages.insert(String::new(), serde_json::json!({ "name": "styles", "dependencies": root }));
    for (name, _, version) in deps {
        packages.insert(format!("node_modules/{name}"), serde_json::json!({ "version": version }));
    }
    serde_json::json!({ "name": "styles", "lockfileVersion": 3, "requires": true, "packages": packages }).to_string()
}

/// The project's own dependencies: a range that admits the fix is a lockfile refresh; otherwise the raise keeps the
/// author's style (exact stays exact, a complex range becomes a caret) and never crosses a major (a 0.x minor counts
/// as one). An advisory whose record says nothing of the API it concerns is "unknown".
#[test]
fn the_raise_keeps_the_range_style_and_never_crosses_a_major() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("styles");
    std::fs::create_dir(&dir).expect("mkdir");
    let deps =
        [("body-parser", ">=1.18.0 <1.20.0", "1.19.0"), ("cookie", "~0.4.1", "0.4.1"), ("ejs", "^3.1.5", "3.1.5")];
    let manifest: serde_json::Map<String, serde_json::Value> =
        deps.iter().map(|(name, range, _)| (name.to_string(), (*range).into())).collect();
    std::fs::write(
        dir.join("package.json"),
        serde_json::to_string_pretty(&serde_json::json!({ "name": "styles", "dependencies": manifest })).expect("json"),
    )
    .expect("write");
    std::fs::write(dir.join("package-lock.json"), lockfile(&deps)).expect("write");
    let (code, text) = audit(&dir, &[]);
    assert_eq!(code, 0, "{text}");
    let kinds: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("GHSA") || l.starts_with("change"))
        .map(|l| match l.split(" fix=").nth(1) {
            Some(fix) => format!("{} {}", l.split(' ').nth(1).unwrap_or(l), fix.split(':').next().unwrap_or(fix)),
            None => l.to_string(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "body-parser@1.19.0 bump",
            "cookie@0.4.1 none",
            "ejs@3.1.5 lockfile-refresh",
            "ejs@3.1.5 lockfile-refresh",
            "change package.json dependencies body-parser >=1.18.0 <1.20.0 -> ^1.20.3",
        ],
        "{text}"
    );
    assert!(text.contains("is a new major for `~0.4.1`"), "{text}");

    // The same advisory from a record that names no API (not in the bundled table): its reachability is unknown.
    let (_records, source) = renamed_record("GHSA-phwq-j96m-2c2q");
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &source, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["advisories"][0]["id"], "GHSA-0000-0000-0000");
    assert_eq!(doc["advisories"][0]["reachability"], "unknown", "{doc:#}");
}

/// A dependency's own API reached through a package the code uses: express-session serializes its cookie with
/// `cookie`, so the cookie advisory (`res.cookie`, `cookie.serialize`) is "unknown" for an app that uses
/// express-session and never calls either itself, and "not called" when nothing the code uses leads to it.
#[test]
fn a_dependency_reached_through_a_package_the_code_uses_is_unknown_not_uncalled() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("sessions");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(
        dir.join("package.json"),
        r#"{ "name": "sessions", "dependencies": { "express-session": "1.17.1", "left-pad": "1.3.0" } }"#,
    )
    .expect("write");
    let lock = serde_json::json!({
        "name": "sessions", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "sessions", "dependencies": { "express-session": "1.17.1", "left-pad": "1.3.0" } },
            "node_modules/express-session": { "version": "1.17.1", "dependencies": { "cookie": "0.4.0" } },
            "node_modules/left-pad": { "version": "1.3.0" },
            "node_modules/cookie": { "version": "0.4.0" }
        }
    });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    let reach = |code: &str| {
        std::fs::write(dir.join("app.js"), code).expect("write");
        let (status, text) = audit(&dir, &[]);
        assert_eq!(status, 0, "{text}");
        let line = text.lines().find(|l| l.starts_with("GHSA-pxg6-pf52-xh8x")).unwrap_or_else(|| panic!("{text}"));
        line.split(" reach=").nth(1).and_then(|r| r.split(" fix=").next()).unwrap_or_default().to_string()
    };
    assert_eq!(
        reach("const session = require('express-session');\nmodule.exports = session({ secret: process.env.S });\n"),
        "unknown (no module of the project uses res.cookie, cookie.serialize itself, but it uses express-session, \
         which may)"
    );
    // (A file the run reads: one that names nothing watched might use express-session, see
    // `a_parent_known_only_to_the_registry_and_one_used_in_an_unread_file_are_said`.)
    assert_eq!(
        reach("const app = require('express')();\nconst pad = require('left-pad');\napp.locals.p = pad('a', 3);\n"),
        "not-called (no module uses res.cookie, cookie.serialize)"
    );
}

/// A fixed version npm never published (xmldom's fix went out as `@xmldom/xmldom`) is never a fix: the project is
/// not moved to a version `npm install` cannot find.
#[test]
fn a_fixed_version_npm_never_published_is_not_offered() {
    let (_tmp, dir) = scratch("xml", r#"{ "name": "xml", "dependencies": { "xmldom": "^0.6.0" } }"#);
    std::fs::write(dir.join("package-lock.json"), lockfile(&[("xmldom", "^0.6.0", "0.6.0")])).expect("write");
    let (code, text) = audit(&dir, &[]);
    assert_eq!(code, 0, "{text}");
    let line = text.lines().find(|l| l.starts_with("GHSA-5fg8-2547-mr8q")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.starts_with("GHSA-5fg8-2547-mr8q xmldom@0.6.0 -> none "), "{line}");
    assert!(!text.contains("0.7.0"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("change")), "{text}");
}

/// A fix never lands on a version another advisory affects: axios 0.21.4's fix for GHSA-wf5p-g6vw-rhxx (1.6.0) is
/// inside GHSA-8hc4-vh64-cxmj's range (1.3.2 to 1.7.4), and 1.7.4 inside GHSA-jr5f-v2jv-69x6's (below 1.8.2), so the fix
/// is 1.8.2 at once (here reported: it is on another line than the 0.21.4 its parent pins, so no override is written).
#[test]
fn a_fix_skips_versions_other_advisories_affect() {
    let (_tmp, dir) = scratch("tunnel", r#"{ "name": "tunnel", "dependencies": { "localtunnel": "^2.0.2" } }"#);
    let lock = serde_json::json!({
        "name": "tunnel", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "tunnel", "dependencies": { "localtunnel": "^2.0.2" } },
            "node_modules/localtunnel": { "version": "2.0.2", "dependencies": { "axios": "0.21.4" } },
            "node_modules/axios": { "version": "0.21.4" }
        }
    });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    // The bundled table (the recorded GHSA-8hc4-vh64-cxmj names the package `Axios`, as GitHub's record does).
    let (doc, changes) = json_audit(&dir);
    // 1.8.2 is on another line than the 0.21.4 localtunnel pins: reported with the parent to raise, not overridden.
    assert_eq!(changes, Vec::<String>::new(), "{doc:#}");
    let fixes: Vec<&str> = doc["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .filter_map(|a| a["fix"]["description"].as_str())
        .filter(|d| {
            d.starts_with(
                "1.8.2 is on another line of releases than its parents declare (localtunnel@2.0.2 declares 0.21.4;",
            )
        })
        .collect();
    assert!(!fixes.is_empty(), "{doc:#}");
}

/// What the advisories added from the newer stored copy concern, as the code shows it: multer's four (`multer()`) are
/// "called" where a module creates the upload middleware and "not called" where none does; on-headers' (`res.writeHead`,
/// which the files are not all read for) is "unknown"; brace-expansion's (`brace-expansion()`) is "unknown" in a
/// project that uses minimatch, which may call it, and "not called" otherwise.
/// A package whose advisories are not all fixed on its installed line of releases (axios 0.21.1: GHSA-cph5-m8f7-6c5x
/// is fixed in 0.21.2, inside `^0.21.1`; GHSA-wf5p-g6vw-rhxx only in 1.6.0, a new major for 0.x) still gets the fix of
/// those that are, and the others are reported as left, with why.
#[test]
fn advisories_fixed_on_the_installed_line_are_fixed_when_others_need_a_new_major() {
    let manifest = r#"{ "name": "client", "dependencies": { "axios": "^0.21.1" } }"#;
    let lock = serde_json::json!({
        "name": "client", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "client", "dependencies": { "axios": "^0.21.1" } },
            "node_modules/axios": { "version": "0.21.1" }
        }
    });
    let (_tmp, dir) = scratch("client", manifest);
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    std::fs::write(dir.join("app.js"), "const axios = require('axios');\nmodule.exports = () => axios.get('/x');\n")
        .expect("write");
    let (doc, changes) = json_audit(&dir);
    let fix = |id: &str| -> (String, String) {
        let a = doc["advisories"].as_array().expect("advisories").iter().find(|a| a["id"] == id).expect(id);
        (
            a["fix"]["kind"].as_str().unwrap_or_default().to_string(),
            a["fix"]["description"].as_str().unwrap_or_default().to_string(),
        )
    };
    let (kind, description) = fix("GHSA-cph5-m8f7-6c5x");
    assert_eq!(kind, "lockfile-refresh", "{description}");
    assert!(description.starts_with("0.21.2 fits the ranges its parents declare"), "{description}");
    let (kind, description) = fix("GHSA-wf5p-g6vw-rhxx");
    assert_eq!(kind, "none", "{description}");
    assert!(
        description.ends_with(
            "is a new major for `^0.21.1` (its API may change): not raised; move to it by hand, checking its \
             changelog; the lockfile refresh planned for its advisories fixed on the 0.21.x line leaves this one"
        ),
        "{description}"
    );
    assert!(changes.is_empty(), "{changes:?}");
}

/// The API an advisory concerns is called in the forms code writes without binding a name to the package: a member of
/// an inline require (`require('lodash').template(s)`), a package's per-function module (`require('lodash/template')`,
/// `import template from 'lodash/template.js'`), and Express's own `app.engine('html', require('ejs').renderFile)`.
#[test]
fn inline_requires_and_per_function_modules_count_as_calls() {
    let manifest = r#"{ "name": "forms", "dependencies": { "lodash": "4.17.15", "cookie": "0.5.0", "ejs": "3.1.6" } }"#;
    let lock = serde_json::json!({
        "name": "forms", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "forms", "dependencies": { "lodash": "4.17.15", "cookie": "0.5.0", "ejs": "3.1.6" } },
            "node_modules/lodash": { "version": "4.17.15" },
            "node_modules/cookie": { "version": "0.5.0" },
            "node_modules/ejs": { "version": "3.1.6" }
        }
    });
    let ids = ["GHSA-35jh-r3h4-6jhm", "GHSA-pxg6-pf52-xh8x", "GHSA-phwq-j96m-2c2q"];
    let reach = |file: &str, code: &str| reachabilities(("forms", manifest), &lock, &[(file, code)], &ids);
    let lodash = |verdict: &str| {
        vec!["cookie not-called".to_string(), "ejs not-called".to_string(), format!("lodash {verdict}")]
    };
    assert_eq!(reach("app.js", "module.exports = (s) => require('lodash').template(s);\n"), lodash("called"));
    assert_eq!(
        reach("app.js", "const template = require('lodash/template');\nmodule.exports = (s) => template(s);\n"),
        lodash("called")
    );
    assert_eq!(
        reach("app.mjs", "import template from 'lodash/template.js';\nexport default (s) => template(s);\n"),
        lodash("called")
    );
    // The control: the package required, its template never called.
    assert_eq!(reach("app.js", "module.exports = (o) => require('lodash').merge({}, o);\n"), lodash("not-called"));
    assert_eq!(
        reach("app.js", "module.exports = (v) => require('cookie').serialize('a', v);\n"),
        ["cookie called", "ejs not-called", "lodash not-called"]
    );
    assert_eq!(
        reach(
            "app.js",
            "const express = require('express');\nconst app = express();\napp.engine('html', require('ejs').renderFile);\n\
             app.set('view engine', 'html');\napp.get('/', (req, res) => res.render('index'));\n"
        ),
        ["cookie not-called", "ejs called", "lodash not-called"]
    );
}

/// An API the code hands on instead of calling is reached (`util.promisify(jwt.verify)`, `{ tpl: _.template }`,
/// `export default template` of a named import, `const { static: serveStatic } = express`), and a package the code
/// reaches in ways whose calls are not followed (a dynamic `import('lodash')`, a re-export, the module object put in
/// an object literal) is "unknown", never "not called" (review rv11-15 `reach`, `reach-express`).
#[test]
fn apis_handed_on_count_as_called_and_packages_not_followed_are_unknown() {
    let manifest = r#"{ "name": "handed", "dependencies": { "lodash": "4.17.15", "jsonwebtoken": "8.5.1",
        "express": "4.18.2" } }"#;
    let lock = serde_json::json!({
        "name": "handed", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "handed",
                  "dependencies": { "lodash": "4.17.15", "jsonwebtoken": "8.5.1", "express": "4.18.2" } },
            "node_modules/lodash": { "version": "4.17.15" },
            "node_modules/jsonwebtoken": { "version": "8.5.1" },
            "node_modules/express": { "version": "4.18.2", "dependencies": { "send": "0.18.0" } },
            "node_modules/send": { "version": "0.18.0" }
        }
    });
    let ids = ["GHSA-35jh-r3h4-6jhm", "GHSA-27h2-hvpr-p74q", "GHSA-m6fv-jmcg-4jfg"];
    let reach = |files: &[(&str, &str)]| reachabilities(("handed", manifest), &lock, files, &ids);
    let verdicts = |jwt: &str, lodash: &str, send: &str| {
        vec![format!("jsonwebtoken {jwt}"), format!("lodash {lodash}"), format!("send {send}")]
    };
    // The control: all three packages required, none of the three APIs named.
    assert_eq!(
        reach(&[(
            "app.js",
            "const _ = require('lodash');
const jwt = require('jsonwebtoken');
const express = require('express');
             module.exports = (o, p) => [_.merge({}, o), jwt.sign(p, process.env.K), express.json()];
"
        )]),
        verdicts("not-called", "not-called", "not-called")
    );
    assert_eq!(
        reach(&[(
            "app.js",
            "const util = require('util');
const jwt = require('jsonwebtoken');
const _ = require('lodash');
             const express = require('express');
const { static: serveStatic } = express;
             const verifyAsync = util.promisify(jwt.verify);
const engines = { tpl: _.template };
             module.exports = (t, s) => [verifyAsync(t, 'k'), engines.tpl(s), serveStatic('public')];
"
        )]),
        verdicts("called", "called", "called")
    );
    assert_eq!(
        reach(&[
            (
                "lib/tpl.mjs",
                "import { template } from 'lodash';
export default template;
"
            ),
            (
                "app.mjs",
                "import tpl from './lib/tpl.mjs';
import 'jsonwebtoken';
import 'express';
export default (s) => tpl(s)();
"
            ),
        ]),
        verdicts("not-called", "called", "not-called")
    );
    // Not followed: a dynamic import, a re-export, the module object handed on in an object literal.
    assert_eq!(
        reach(&[(
            "app.mjs",
            "import 'express';
export { verify } from 'jsonwebtoken';
             export default async (s) => { const { default: _ } = await import('lodash'); return _.template(s)(); };
"
        )]),
        verdicts("unknown", "unknown", "not-called")
    );
    assert_eq!(
        reach(&[(
            "util.js",
            "require('express');
const jwt = require('jsonwebtoken');
module.exports = { jwt, _: require('lodash') };
"
        )]),
        verdicts("unknown", "unknown", "not-called")
    );
}

#[test]
fn the_new_advisories_say_whether_the_code_calls_what_they_concern() {
    let manifest = r#"{ "name": "uploads", "dependencies": { "multer": "1.4.5-lts.1", "express-session": "1.18.1",
        "minimatch": "3.1.2" } }"#;
    let lock = serde_json::json!({
        "name": "uploads", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "uploads",
                  "dependencies": { "multer": "1.4.5-lts.1", "express-session": "1.18.1", "minimatch": "3.1.2" } },
            "node_modules/multer": { "version": "1.4.5-lts.1" },
            "node_modules/express-session": { "version": "1.18.1", "dependencies": { "on-headers": "~1.0.2" } },
            "node_modules/on-headers": { "version": "1.0.2" },
            "node_modules/minimatch": { "version": "3.1.2", "dependencies": { "brace-expansion": "^1.1.7" } },
            "node_modules/brace-expansion": { "version": "1.1.11" }
        }
    });
    let reach = |app: &str| -> Vec<String> {
        let (_tmp, dir) = scratch("uploads", manifest);
        std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
        std::fs::write(dir.join("app.js"), app).expect("write");
        let (doc, _) = json_audit(&dir);
        doc["advisories"]
            .as_array()
            .expect("advisories")
            .iter()
            .map(|a| format!("{} {} {}", a["id"].as_str().unwrap_or_default(), a["package"], a["reachability"]))
            .collect()
    };
    let uploads = "const express = require('express');\nconst multer = require('multer');\n\
                   const session = require('express-session');\nconst app = express();\n\
                   const upload = multer({ dest: 'uploads/' });\napp.use(session({ secret: process.env.SECRET }));\n\
                   app.post('/avatar', upload.single('avatar'), (req, res) => res.send('ok'));\n";
    let called = reach(uploads);
    assert_eq!(
        called,
        [
            "GHSA-v6h2-p8h4-qcjw \"brace-expansion\" \"not-called\"",
            "GHSA-44fp-w29j-9vj5 \"multer\" \"called\"",
            "GHSA-4pg4-qvpc-4q3h \"multer\" \"called\"",
            "GHSA-g5hg-p3ph-g8qg \"multer\" \"called\"",
            "GHSA-fjgf-rc76-4x9p \"multer\" \"called\"",
            "GHSA-v52c-386h-88mc \"multer\" \"called\"",
            "GHSA-xf7r-hgr6-v32p \"multer\" \"called\"",
            "GHSA-72gw-mp4g-v24j \"multer\" \"called\"",
            "GHSA-76c9-3jph-rj3q \"on-headers\" \"unknown\"",
        ]
    );
    let none =
        reach("const { minimatch } = require('minimatch');\nmodule.exports = (f) => minimatch(f, '*.{js,ts}');\n");
    assert_eq!(
        none,
        [
            "GHSA-v6h2-p8h4-qcjw \"brace-expansion\" \"unknown\"",
            "GHSA-44fp-w29j-9vj5 \"multer\" \"not-called\"",
            "GHSA-4pg4-qvpc-4q3h \"multer\" \"not-called\"",
            "GHSA-g5hg-p3ph-g8qg \"multer\" \"not-called\"",
            "GHSA-fjgf-rc76-4x9p \"multer\" \"not-called\"",
            "GHSA-v52c-386h-88mc \"multer\" \"not-called\"",
            "GHSA-xf7r-hgr6-v32p \"multer\" \"not-called\"",
            "GHSA-72gw-mp4g-v24j \"multer\" \"not-called\"",
            "GHSA-76c9-3jph-rj3q \"on-headers\" \"unknown\"",
        ]
    );
}

/// A copy of `tests/advisories/axios-app` (axios 0.21.1 and its lockfile, made by npm), and the path of
/// `tests/advisories/axios-osv/<records>`.
fn axios_app(records: &str) -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("axios-app");
    copy_dir(&Path::new(REPO).join("tests/advisories/axios-app"), &dir);
    let source = Path::new(REPO).join("tests/advisories/axios-osv").join(records).display().to_string();
    (tmp, dir, source)
}

/// A record that spells the package `Axios` (as one of GitHub's does) is about npm's `axios`: no package of that
/// exact spelling is installed.
#[test]
fn a_record_names_the_package_in_another_case() {
    assert_eq!(axios_audit("mixed-case"), format!("{AXIOS_FIXED}{AXIOS_RAISED}"));
}

/// The axios app audited with the records of `axios-osv/<records>`: what it reports (a dry run exits 0).
fn axios_audit(records: &str) -> String {
    let (_tmp, dir, source) = axios_app(records);
    let (code, text) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{text}");
    text
}

/// What the axios app's fixable advisory reports, and its change.
const AXIOS_FIXED: &str = "GHSA-cph5-m8f7-6c5x axios@0.21.1 -> 0.21.2 [high] gate package.json:6 reach=unknown (the \
                           advisory does not say which API it concerns) fix=bump: axios is raised to 0.21.2 in \
                           package.json\n  via axios-app > axios@0.21.1\n";
const AXIOS_RAISED: &str = "change package.json dependencies axios 0.21.1 -> 0.21.2\n";

/// One advisory of axios 0.21.1 has a fix (0.21.2), another none: the fix is planned for the first, the second
/// stays reported, saying why.
#[test]
fn an_unfixable_advisory_does_not_hold_back_the_fix_of_the_others() {
    let unfixed = "TEST-unfixed-axios axios@0.21.1 -> none [low] - package.json:6 reach=unknown (the advisory does \
                   not say which API it concerns) fix=none: TEST-unfixed-axios lists no fixed version of axios \
                   (per its record, every release is affected): there is no release to move to: not fixed (the fix \
                   planned for its other advisories, a raised dependency, leaves it)\n  via axios-app > \
                   axios@0.21.1\n";
    assert_eq!(axios_audit("unfixed"), format!("{AXIOS_FIXED}{unfixed}{AXIOS_RAISED}"));
}

/// The bundled table's age, counted from its newest advisory (2026-06-17; today set by `EXPRESS_HARDEN_TODAY`, so that
/// the test does not depend on the clock): a note past 90 days, once, none before; the other sources never get it.
#[test]
fn an_old_bundled_table_suggests_the_network_sources() {
    let (_tmp, dir) = project("npm-v3");
    let run = |today: &str, source: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_express-harden"))
            .args(["--only", "advisories", "--advisories", source])
            .current_dir(&dir)
            .env("EXPRESS_HARDEN_TODAY", today)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8_lossy(&out.stderr).lines().filter(|l| l.starts_with("note:")).collect::<Vec<_>>().join("\n")
    };
    let table: serde_json::Value =
        serde_json::from_str(include_str!("../transforms/advisories/data.json")).expect("table");
    let newest = table["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .filter_map(|a| a["published"].as_str())
        .map(|d| d.get(..10).unwrap_or(d))
        .max()
        .expect("dated records");
    assert_eq!(newest, "2026-06-17", "the dates below count from the newest advisory");
    assert_eq!(run("2026-09-15", "bundled"), "", "90 days after it");
    assert_eq!(
        run("2026-09-17", "bundled"),
        format!(
            "note: the bundled advisory table's newest advisory was published 2026-06-17, 92 days ago (table \
             compiled {}): advisories published since are not in it; --advisories osv or --advisories npm reads the \
             current ones from the network",
            table["compiled"].as_str().expect("compiled")
        )
    );
    assert_eq!(run("2026-09-17", &osv()), "");
}

/// pnpm reads the scoped override the tool writes: after `--write --lockfile` (which runs pnpm's lockfile-only
/// install) pnpm-lock.yaml records it, @pm2/agent's ws moves to 7.5.x and engine.io's ws 8.17.1 stays. A pnpm that
/// reads overrides from pnpm-workspace.yaml only (11.2 and later) gets the same override named, not written. Needs
/// pnpm and the registry.
#[test]
fn pnpm_reads_the_written_override() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("override-app-pnpm");
    copy_dir(&Path::new(REPO).join("tests/advisories/override-app-pnpm"), &dir);
    let out = express_harden(&dir, &["--only", "advisories", "--write", "--allow-no-vcs", "--lockfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).expect("manifest")).expect("json");
    assert_eq!(manifest["pnpm"]["overrides"], serde_json::json!({ "ws@7.x": "^7.5.10" }), "{manifest:#}");
    let lock = std::fs::read_to_string(dir.join("pnpm-lock.yaml")).expect("lockfile");
    assert!(lock.contains("overrides:\n  ws@7.x: ^7.5.10\n"), "{lock}");
    assert!(!lock.contains("ws@7.2.5"), "{lock}");
    assert!(lock.contains("ws@7.5."), "{lock}");
    assert!(lock.contains("ws@8.17.1"), "{lock}");

    let (_tmp, dir) = (tmp, dir.with_file_name("pnpm-11"));
    copy_dir(&Path::new(REPO).join("tests/advisories/override-app-pnpm"), &dir);
    let manifest = std::fs::read_to_string(dir.join("package.json")).expect("manifest");
    let manifest =
        manifest.replacen("\"private\": true,", "\"private\": true,\n  \"packageManager\": \"pnpm@11.2.0\",", 1);
    std::fs::write(dir.join("package.json"), manifest).expect("write");
    let (code, text) = audit(&dir, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("add `overrides: { \"ws@7.x\": \"^7.5.10\" }` to pnpm-workspace.yaml"), "{text}");
    assert!(!text.contains("\nchange "), "{text}");
}

/// Yarn 1 reads the `resolutions` the tool writes (`tests/fixtures/advisories/08-yarn-resolutions`: @pm2/agent 1.0.8 pins
/// ws ~7.2.0 and semver ~7.2.0, each the only copy): after `--write --lockfile` (which runs Yarn's lockfile update)
/// yarn.lock resolves ws and semver to their fixed lines, and a second run plans nothing more and reports neither.
/// Needs Yarn 1 and the registry.
#[test]
fn yarn_reads_the_written_resolutions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("yarn-app");
    copy_dir(&Path::new(REPO).join("tests/fixtures/advisories/08-yarn-resolutions"), &dir);
    let out = express_harden(&dir, &["--only", "advisories", "--write", "--allow-no-vcs", "--lockfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).expect("manifest")).expect("json");
    assert_eq!(manifest["resolutions"], serde_json::json!({ "semver": "^7.5.2", "ws": "^7.5.10" }), "{manifest:#}");
    let lock = std::fs::read_to_string(dir.join("yarn.lock")).expect("lockfile");
    let version = |name: &str| -> String {
        let at = lock.find(&format!("\n{name}@")).unwrap_or_else(|| panic!("{name} in\n{lock}"));
        let rest = &lock[at..];
        let line = rest.lines().find(|l| l.trim_start().starts_with("version ")).unwrap_or_default();
        line.trim().trim_start_matches("version ").trim_matches('"').to_string()
    };
    assert!(version("ws").starts_with("7.5."), "{lock}");
    assert!(!lock.contains("version \"7.2.5\""), "{lock}");
    let (code, text) = audit_from(&dir, "bundled", &[]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("\nchange ") && !text.contains(" ws@") && !text.contains(" semver@"), "{text}");
}

/// A workspace member lists body-parser 1.20.1 itself (`tests/advisories/workspace-app`, lockfile made by npm): the
/// fix raises it in the member's package.json, not by an override in the root's (to 1.20.4, the first 1.20.x that
/// depends on a qs GHSA-6rw7-vpxm-498p does not affect); after `--write --lockfile` the lockfile installs 1.20.4 and a
/// second run finds nothing. Needs npm and the registry.
#[test]
fn a_workspace_members_own_dependency_is_raised_in_its_manifest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("workspace-app");
    copy_dir(&Path::new(REPO).join("tests/advisories/workspace-app"), &dir);
    let root_before = std::fs::read_to_string(dir.join("package.json")).expect("root");
    let (code, text) = audit(&dir, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.ends_with(
            "fix=bump: 6.14.1 is outside what its parents declare (body-parser@1.20.1 declares 6.11.0); body-parser is \
             raised to 1.20.4 (1.20.3 still depends on qs 6.13.0; 1.20.4 depends on qs ~6.14.0): the lockfile update \
             of packages/api/package.json moves qs inside the new range\n  via api > body-parser@1.20.1 > qs@6.11.0\n\
             change packages/api/package.json dependencies body-parser 1.20.1 -> 1.20.4\n"
        ),
        "{text}"
    );
    let (code, text) = audit(&dir, &["--write", "--allow-no-vcs", "--lockfile"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(std::fs::read_to_string(dir.join("package.json")).expect("root"), root_before);
    let member = std::fs::read_to_string(dir.join("packages/api/package.json")).expect("member");
    assert!(member.contains("\"body-parser\": \"1.20.4\""), "{member}");
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package-lock.json")).expect("lock")).expect("json");
    assert_eq!(lock["packages"]["node_modules/body-parser"]["version"], "1.20.4");
    let (code, text) = audit(&dir, &["--check"]);
    assert_eq!((code, text.as_str()), (0, "\n"));
}

/// The same workspace with a package-lock.json of the member's own (body-parser 1.20.1 too), which npm ignores inside
/// a workspace: the member is audited and refreshed through the root's lockfile only, its own lockfile is named as
/// ignored and left as it is, and a second run finds nothing (found by the review: every run planned the fix again
/// from the member's lockfile, and "updated packages/api/package-lock.json (unchanged)" while npm rewrote the root's).
/// Needs npm and the registry.
#[test]
fn a_workspace_members_own_lockfile_is_ignored_as_npm_ignores_it() {
    let (_tmp, dir) = app("workspace-app");
    let own = dir.join("packages/api/package-lock.json");
    let own_text = r#"{
  "name": "api",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": { "name": "api", "version": "1.0.0", "dependencies": { "body-parser": "1.20.1" } },
    "node_modules/body-parser": { "version": "1.20.1" }
  }
}
"#;
    std::fs::write(&own, own_text).expect("write");
    let (code, text) = audit(&dir, &[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(text.matches("GHSA-qwcr-r2fm-qrc7 body-parser@1.20.1").count(), 1, "{text}");
    let output = write_with_lockfile(&dir, &osv());
    assert!(output.contains("updated package-lock.json (body-parser 1.20.1 -> 1.20.4)"), "{output}");
    assert!(output.contains(&ignored_lockfile("package-lock.json", "npm", "package.json")), "{output}");
    assert_eq!(std::fs::read_to_string(&own).expect("own"), own_text);
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package-lock.json")).expect("lock")).expect("json");
    assert_eq!(lock["packages"]["node_modules/body-parser"]["version"], "1.20.4");
    let (code, text) = audit(&dir, &["--check"]);
    assert_eq!((code, text.as_str()), (0, "\n"));
}

/// What `--write --lockfile` with the advisories of `source` prints (standard output and error), once it exits 0 and
/// says nothing of updating the member's own lockfile.
fn write_with_lockfile(dir: &Path, source: &str) -> String {
    let out = express_harden(
        dir,
        &["--only", "advisories", "--advisories", source, "--write", "--allow-no-vcs", "--lockfile"],
    );
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{output}");
    assert!(!output.contains("updated packages/api/"), "{output}");
    output
}

/// The finding about packages/api's own `lockfile`, which `manager` ignores in the workspace `root` names.
fn ignored_lockfile(lockfile: &str, manager: &str, root: &str) -> String {
    format!(
        "packages/api/package.json:1:1: warning [advisories/ignored-lockfile] packages/api/{lockfile} is ignored by \
         {manager}: this project is a workspace of {root}, whose lockfile, {lockfile}, installs it: its packages are \
         checked there; this file is neither read nor updated (delete it)"
    )
}

/// A pnpm workspace (`tests/advisories/pnpm-workspace-app`, lockfiles made by pnpm): pnpm-workspace.yaml lists
/// `packages/*`, the root's pnpm-lock.yaml installs packages/api (its `importers`), and packages/api carries a stray
/// pnpm-lock.yaml of its own, which pnpm ignores when run in the workspace. The member's packages are audited once,
/// through the root's lockfile: attributed to the member (its dependency lines, the paths from it, "called" by its
/// own code), fixed by raises in its package.json; its own lockfile is named as ignored, neither audited nor written.
/// After `--write --lockfile` (real pnpm) the root's lockfile installs the fixes, `pnpm install --frozen-lockfile`
/// accepts it, and a second run finds nothing (before: each advisory twice, once from the stray lockfile, and
/// "updated packages/api/pnpm-lock.yaml (unchanged)" while pnpm rewrote the root's). Needs pnpm and the registry.
#[test]
fn a_pnpm_workspace_members_own_lockfile_is_ignored_as_pnpm_ignores_it() {
    let (_tmp, dir) = app("pnpm-workspace-app");
    let own = dir.join("packages/api/pnpm-lock.yaml");
    let own_text = std::fs::read_to_string(&own).expect("own lockfile");
    let (code, text) = audit_from(&dir, "bundled", &[]);
    assert_eq!(code, 0, "{text}");
    let lines: Vec<&str> = text.lines().map(|l| l.split(": ").next().unwrap_or(l)).collect();
    assert_eq!(
        lines,
        [
            "GHSA-qwcr-r2fm-qrc7 body-parser@1.20.1 -> 1.20.3 [high] gate packages/api/package.json:5 \
             reach=called (body-parser.urlencoded) fix=bump",
            "  via api > body-parser@1.20.1",
            "GHSA-pxg6-pf52-xh8x cookie@0.4.1 -> 0.7.0 [low] - packages/api/package.json:6 reach=called (res.cookie) \
             fix=bump",
            "  via api > cookie-parser@1.4.6 > cookie@0.4.1",
            "GHSA-6rw7-vpxm-498p qs@6.11.0 -> 6.14.1 [moderate] - packages/api/package.json:5 reach=unknown \
             (req.query, qs.parse cannot be told from the code) fix=bump",
            "  via api > body-parser@1.20.1 > qs@6.11.0",
            "change packages/api/package.json dependencies cookie-parser 1.4.6 -> 1.4.7",
            "change packages/api/package.json dependencies body-parser 1.20.1 -> 1.20.4",
        ],
        "{text}"
    );
    let output = write_with_lockfile(&dir, "bundled");
    assert!(output.contains("updated pnpm-lock.yaml ("), "{output}");
    assert!(output.contains(&ignored_lockfile("pnpm-lock.yaml", "pnpm", "pnpm-workspace.yaml")), "{output}");
    assert_eq!(std::fs::read_to_string(&own).expect("own"), own_text);
    let lock = std::fs::read_to_string(dir.join("pnpm-lock.yaml")).expect("lock");
    assert!(lock.contains("body-parser@1.20.4:") && !lock.contains("body-parser@1.20.1:"), "{lock}");
    assert!(lock.contains("cookie@0.7.2:") && !lock.contains("cookie@0.4.1:"), "{lock}");
    common::pnpm_install_frozen(&dir);
    let (code, text) = audit(&dir, &["--check"]);
    assert_eq!((code, text.as_str()), (0, "\n"));
}

/// A pnpm workspace member's dependency whose range admits the fix (`"body-parser": "^1.20.1"`, locked at 1.20.1) is
/// the lockfile's to move, with the command pnpm needs for a member at the workspace's root: `pnpm update -r`
/// (without `-r` pnpm updates only the root project's packages and leaves it), `--no-save` (without it pnpm rewrites
/// the member's package.json). The named command, run with the real pnpm, moves it and leaves package.json as it was;
/// `pnpm install --frozen-lockfile` accepts the lockfile, and a second run finds no body-parser advisory. Needs pnpm
/// and the registry.
#[test]
fn a_pnpm_workspace_members_refresh_names_pnpms_recursive_update() {
    let (_tmp, dir) = app("pnpm-workspace-app");
    let member = dir.join("packages/api/package.json");
    let text = std::fs::read_to_string(&member).expect("member").replace(r#""1.20.1""#, r#""^1.20.1""#);
    std::fs::write(&member, &text).expect("write");
    let pnpm = |args: &[&str]| run_pnpm(&dir, args);
    // (The lockfile keeps 1.20.1, which `^1.20.1` admits.)
    pnpm(&["install", "--lockfile-only", "--ignore-scripts"]);
    let (code, text) = audit_from(&dir, "bundled", &[]);
    assert_eq!(code, 0, "{text}");
    let command = "pnpm update -r body-parser --lockfile-only --no-save --ignore-scripts";
    assert!(
        text.contains(&format!(
            "body-parser@1.20.1 -> 1.20.3 [high] gate packages/api/package.json:5 reach=called (body-parser.urlencoded) \
             fix=lockfile-refresh: 1.20.3 fits the ranges its parents declare: the lockfile moves it (`{command}`, run \
             by --write --lockfile)"
        )),
        "{text}"
    );
    let before = std::fs::read_to_string(&member).expect("member");
    pnpm(&command.split(' ').skip(1).collect::<Vec<_>>());
    assert_eq!(std::fs::read_to_string(&member).expect("member"), before);
    common::pnpm_install_frozen(&dir);
    let (code, again) = audit_from(&dir, "bundled", &[]);
    assert_eq!(code, 0, "{again}");
    assert!(!again.contains("body-parser@"), "{again}");
}

/// The JSON document of a dry run of the advisories on `dir` (bundled table), and its dependency changes as
/// `"section" "package" -> "to"`.
fn json_audit(dir: &Path) -> (serde_json::Value, Vec<String>) {
    let out = express_harden(dir, &["--only", "advisories", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let changes = doc["dependency_changes"]
        .as_array()
        .expect("dependency_changes")
        .iter()
        .map(|d| format!("{} {} -> {}", d["section"], d["package"], d["to"]))
        .collect();
    (doc, changes)
}

/// "package reachability" of the advisories `ids` the audit finds in a new project (`name`, `manifest`) with
/// `lock` as its package-lock.json and `files` (path, code) as its sources.
fn reachabilities(
    (name, manifest): (&str, &str),
    lock: &serde_json::Value,
    files: &[(&str, &str)],
    ids: &[&str],
) -> Vec<String> {
    let (_tmp, dir) = scratch(name, manifest);
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    for (file, code) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, code).expect("write");
    }
    let (doc, _) = json_audit(&dir);
    doc["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .filter(|a| ids.contains(&a["id"].as_str().unwrap_or_default()))
        .map(|a| {
            format!("{} {}", a["package"].as_str().unwrap_or_default(), a["reachability"].as_str().unwrap_or_default())
        })
        .collect()
}

/// A new project folder `name` holding only `manifest` as its package.json.
fn scratch(name: &str, manifest: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(name);
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("package.json"), manifest).expect("write");
    (tmp, dir)
}

/// A copy of `tests/advisories/override-app` (lockfile made by npm): @pm2/agent 1.0.8 pins ws ~7.2.0 (7.2.5, affected,
/// fixed in 7.5.10 on the same major) and semver ~7.2.0 (7.2.3, affected), and no release of @pm2/agent 1.x depends on
/// a fixed one (2.0.4 does: another major), so no raise of it helps; engine.io installs an unaffected ws 8.17.1, and
/// the project depends on semver ^7.6.0 itself.
fn override_app() -> (tempfile::TempDir, PathBuf) {
    app("override-app")
}

/// A folder holding the recorded OSV record `id` under another id, GHSA-0000-0000-0000 (which the bundled table does
/// not know), and its path.
fn renamed_record(id: &str) -> (tempfile::TempDir, String) {
    let records = tempfile::tempdir().expect("tempdir");
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(&osv()).join(format!("{id}.json"))).expect("read"))
            .expect("json");
    record["id"] = "GHSA-0000-0000-0000".into();
    std::fs::write(records.path().join("r.json"), record.to_string()).expect("write");
    let source = records.path().display().to_string();
    (records, source)
}

/// A copy of `tests/advisories/<name>` in a temporary folder.
fn app(name: &str) -> (tempfile::TempDir, PathBuf) {
    copy_of("tests/advisories", name)
}

/// Runs the real pnpm in `dir`; it must succeed.
fn run_pnpm(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("pnpm")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("pnpm must be installed (scripts/test.sh installs it)");
    assert!(out.status.success(), "pnpm {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A copy of the folder `<folder>/<name>` of the repository in a temporary folder.
fn copy_of(folder: &str, name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(name);
    copy_dir(&Path::new(REPO).join(folder).join(name), &dir);
    (tmp, dir)
}

/// The override is scoped to the affected major (`ws@7.x`), so engine.io's ws 8 stays where it is, and none is written
/// for semver, which the project depends on itself (npm would refuse it: EOVERRIDE). After `--write --lockfile`,
/// `npm ci` installs, `npm ls` shows ws 7.5.x under @pm2/agent and ws 8.17.1 under engine.io, and a second run changes
/// nothing. Needs npm and the registry.
#[test]
fn an_override_is_scoped_to_the_affected_major_and_never_over_the_projects_own_dependency() {
    let (_tmp, dir) = override_app();
    let (code, text) = audit(&dir, &["--write", "--allow-no-vcs", "--lockfile"]);
    assert_eq!(code, 0, "{text}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).expect("manifest")).expect("json");
    assert_eq!(manifest["overrides"], serde_json::json!({ "ws@7.x": "^7.5.10" }), "{manifest:#}");
    assert_eq!(manifest["dependencies"]["semver"], "^7.6.0");
    assert!(
        text.contains(
            "semver@7.2.3 -> 7.5.2 [moderate] - package.json:6 reach=not-called (no module uses semver.Range) \
             fix=none: 7.5.2 is outside what its parents declare (@pm2/agent@1.0.8 declares ~7.2.0), and package.json \
             depends on semver itself"
        ),
        "{text}"
    );
    let ci = std::process::Command::new("npm")
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .output()
        .expect("npm ci");
    assert!(ci.status.success(), "{}", String::from_utf8_lossy(&ci.stderr));
    let ls = std::process::Command::new("npm").args(["ls", "ws", "--json"]).current_dir(&dir).output().expect("npm ls");
    assert!(ls.status.success(), "{}", String::from_utf8_lossy(&ls.stdout));
    let tree: serde_json::Value = serde_json::from_slice(&ls.stdout).expect("json");
    let deps = &tree["dependencies"];
    let agent_ws = deps["@pm2/agent"]["dependencies"]["ws"]["version"].as_str().expect("ws under @pm2/agent");
    assert!(agent_ws.starts_with("7.5."), "{tree:#}");
    assert_eq!(deps["engine.io"]["dependencies"]["ws"]["version"], "8.17.1", "{tree:#}");
    let (code, text) = audit(&dir, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("\nchange "), "a second run changes nothing:\n{text}");
}

/// The next steps name an override by its section, its key (which may hold a range: `ws@7.x`) and what it forces, as
/// the README writes it.
#[test]
fn the_next_steps_name_an_override_by_its_key() {
    let (_tmp, dir) = override_app();
    let out = express_harden(&dir, &["--only", "advisories", "--color", "never"]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains(
            "package.json changed (overrides ws@7.x -> ^7.5.10), so package-lock.json is stale and `npm ci` would fail"
        ),
        "{text}"
    );
}

/// When the package manager cannot bring the lockfile up to date (here: its registry is unreachable), package.json is
/// put back as it was, the lockfile is untouched, and the run fails saying so: nothing is left half-written.
#[test]
fn a_failed_lockfile_update_puts_package_json_back() {
    let (_tmp, dir) = override_app();
    std::fs::create_dir(dir.join("empty-cache")).expect("mkdir");
    std::fs::write(dir.join(".npmrc"), "registry=http://127.0.0.1:9/\nfetch-retries=0\ncache=./empty-cache\n")
        .expect("write");
    let manifest = std::fs::read_to_string(dir.join("package.json")).expect("manifest");
    let lock = std::fs::read_to_string(dir.join("package-lock.json")).expect("lock");
    let out = express_harden(&dir, &["--only", "advisories", "--write", "--allow-no-vcs", "--lockfile"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(format!("{stdout}{stderr}").contains("package.json put back as it was"), "{stdout}{stderr}");
    assert_eq!(std::fs::read_to_string(dir.join("package.json")).expect("manifest"), manifest);
    assert_eq!(std::fs::read_to_string(dir.join("package-lock.json")).expect("lock"), lock);
}

/// The Express app of the end-to-end test, with `--only advisories`: Express 4.18.2's own fix is 4.20.0, but 4.20.0
/// still pins cookie 0.6.0 (affected), and 4.21.1, the first 4.x release that depends on a fixed cookie, still pins
/// path-to-regexp 0.1.10, which GHSA-rhx6-c78j-4q9w affects (fixed in 0.1.12), and 4.21.2 pins path-to-regexp 0.1.12,
/// which GHSA-37ch-88jc-xwx2 affects (fixed in 0.1.13): Express is raised to 4.22.0, whose `~0.1.12` admits 0.1.13,
/// and its own cookie, path-to-regexp, serve-static and send (through serve-static) come with the raise, each saying
/// what the new release depends on; cookie-parser 1.4.6 (cookie 0.4.1) is raised to 1.4.7 (cookie 0.7.2), body-parser
/// 1.20.1 to 1.20.4 (the first 1.20.x whose qs range admits 6.14.1, GHSA-6rw7-vpxm-498p). No override is written.
#[test]
fn a_package_whose_parent_the_run_raises_comes_with_the_raise() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("advisories-app");
    copy_dir(&Path::new(REPO).join("tests/e2e/advisories-app"), &dir);
    let (doc, changes) = json_audit(&dir);
    assert_eq!(
        changes,
        [
            r#""dependencies" "ejs" -> "3.1.10""#,
            r#""dependencies" "cookie-parser" -> "1.4.7""#,
            r#""dependencies" "express" -> "4.22.0""#,
            r#""dependencies" "body-parser" -> "1.20.4""#,
        ],
        "{doc:#}"
    );
    let fix = |package: &str, installed: &str| -> String {
        doc["advisories"]
            .as_array()
            .expect("advisories")
            .iter()
            .find(|a| a["package"] == package && a["installed"] == installed)
            .map(|a| format!("{} {}", a["fix"]["kind"].as_str().unwrap_or_default(), a["fix"]["description"]))
            .unwrap_or_default()
    };
    let after = |package: &str, installed: &str| -> String {
        let fix = fix(package, installed);
        fix.split("); ").nth(1).unwrap_or(&fix).to_string()
    };
    assert_eq!(
        fix("express", "4.18.2"),
        "bump \"express is raised to 4.22.0 in package.json: past 4.21.1, to the first release of its line that also \
         depends on a fixed path-to-regexp\""
    );
    assert_eq!(
        after("cookie", "0.5.0"),
        "express is raised to 4.22.0, which depends on cookie ~0.7.1: the lockfile update of package.json moves cookie \
         inside the new range\""
    );
    assert_eq!(
        after("cookie", "0.4.1"),
        "cookie-parser is raised to 1.4.7, which depends on cookie 0.7.2: the lockfile update of package.json moves \
         cookie inside the new range\""
    );
    assert_eq!(
        after("path-to-regexp", "0.1.7"),
        "express is raised to 4.22.0 (4.21.1 still depends on path-to-regexp 0.1.10; 4.22.0 depends on \
         path-to-regexp ~0.1.12): the lockfile update of package.json moves path-to-regexp inside the new range\""
    );
    assert_eq!(
        after("send", "0.18.0"),
        "express is raised to 4.22.0, which depends on send ~0.19.0; serve-static comes as 1.16.3 with express 4.22.0, \
         and depends on send ~0.19.1: the lockfile update of package.json moves send inside the new range\""
    );
    assert!(fix("serve-static", "1.15.0").starts_with("bump "), "{}", fix("serve-static", "1.15.0"));
}

/// A parent raised by the run whose line has no release that depends on a fixed package: the package is reported
/// as not fixed, saying what the new release still depends on (never "raise"). Here an advisory (recorded for the
/// test) fixes cookie only in 1.0.1, which no Express 4 release depends on.
#[test]
fn a_raise_that_keeps_an_affected_package_says_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("advisories-app");
    copy_dir(&Path::new(REPO).join("tests/e2e/advisories-app"), &dir);
    let records = with_test_record("GHSA-qw6h-vgh9-j6wx", ("GHSA-test-cook-ie01", "cookie", "1.0.1", "LOW"));
    let source = records.path().display().to_string();
    let (_, text) = audit_from(&dir, &source, &[]);
    let line = text.lines().find(|l| l.contains("cookie@0.5.0")).unwrap_or_default();
    assert!(
        line.ends_with(
            "fix=none: 1.0.1 is outside what its parents declare (express@4.18.2 declares 0.5.0); express is raised by \
             this run to 4.20.0, which still depends on cookie 0.6.0, and no later release of its line that this run \
             may raise it to depends on a fixed cookie: not fixed"
        ),
        "{text}"
    );
    assert!(text.contains("change package.json dependencies express 4.18.2 -> 4.20.0"), "{text}");
}

/// A copy npm installs from its parent's tarball (`inBundle`, here fsevents' bundled minimist 1.2.0, which
/// GHSA-xvch-5gv4-984h affects) cannot be moved by the lockfile nor by an override: it is reported as fixable only by
/// a release of the package that bundles it (fsevents, not mkdirp, the bundled package that depends on it), and no
/// change is planned, while the same minimist outside the bundle would be refreshed. The same in a lockfile of
/// version 1 (`"bundled": true`).
#[test]
fn a_bundled_copy_is_fixed_only_by_its_parent() {
    let (_tmp, dir) = scratch("bundle", r#"{ "name": "bundle", "dependencies": { "fsevents": "^1.2.4" } }"#);
    let lock = |in_bundle: bool| {
        serde_json::json!({
            "name": "bundle", "lockfileVersion": 3, "requires": true,
            "packages": {
                "": { "name": "bundle", "dependencies": { "fsevents": "^1.2.4" } },
                "node_modules/fsevents": {
                    "version": "1.2.4", "bundleDependencies": ["mkdirp"], "dependencies": { "mkdirp": "^0.5.1" }
                },
                "node_modules/fsevents/node_modules/mkdirp": {
                    "version": "0.5.1", "inBundle": in_bundle, "dependencies": { "minimist": "^1.2.0" }
                },
                "node_modules/fsevents/node_modules/minimist": { "version": "1.2.0", "inBundle": in_bundle }
            }
        })
        .to_string()
    };
    let fixes = |in_bundle: bool| -> Vec<String> {
        std::fs::write(dir.join("package-lock.json"), lock(in_bundle)).expect("write");
        let out = express_harden(&dir, &["--only", "advisories", "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(doc["dependency_changes"], serde_json::json!([]), "{doc:#}");
        doc["advisories"]
            .as_array()
            .expect("advisories")
            .iter()
            .filter(|a| a["package"] == "minimist")
            .map(|a| format!("{} {}", a["fix"]["kind"].as_str().unwrap_or_default(), a["fix"]["description"]))
            .collect()
    };
    let bundled = fixes(true);
    assert!(!bundled.is_empty());
    for fix in &bundled {
        assert!(
            fix.starts_with(
                "none \"minimist 1.2.0 is bundled inside fsevents@1.2.4 (bundleDependencies): neither the lockfile nor \
                 an override changes it"
            ),
            "{fix}"
        );
    }
    assert!(fixes(false).iter().all(|f| f.starts_with("lockfile-refresh ")), "{:?}", fixes(false));
    // Version 1: the bundled packages nested under fsevents, each `"bundled": true`.
    let v1 = serde_json::json!({
        "name": "bundle", "lockfileVersion": 1, "requires": true,
        "dependencies": {
            "fsevents": {
                "version": "1.2.4", "requires": { "mkdirp": "^0.5.1" },
                "dependencies": {
                    "mkdirp": { "version": "0.5.1", "bundled": true, "requires": { "minimist": "^1.2.0" } },
                    "minimist": { "version": "1.2.0", "bundled": true }
                }
            }
        }
    });
    std::fs::write(dir.join("package-lock.json"), v1.to_string()).expect("write");
    let (doc, changes) = json_audit(&dir);
    assert_eq!(changes, Vec::<String>::new(), "{doc:#}");
    let minimist: Vec<&serde_json::Value> =
        doc["advisories"].as_array().expect("advisories").iter().filter(|a| a["package"] == "minimist").collect();
    assert!(!minimist.is_empty(), "{doc:#}");
    for a in minimist {
        assert!(
            a["fix"]["description"]
                .as_str()
                .is_some_and(|d| d.starts_with("minimist 1.2.0 is bundled inside fsevents@1.2.4")),
            "{a:#}"
        );
    }
}

/// package.json ahead of its lockfile (Express raised to ^4.22.3 by an earlier run, the lockfile not updated yet): no
/// raise lowers a spec, neither Express's own (to 4.20.0) nor a parent's (to the 4.21.1 whose cookie is fixed): nothing
/// is changed, Express is left to the lockfile update and cookie is said to come with it.
#[test]
fn a_parent_raise_never_lowers_a_spec() {
    let (_tmp, dir) = scratch("ahead", r#"{ "name": "ahead", "dependencies": { "express": "^4.22.3" } }"#);
    let lock = serde_json::json!({
        "name": "ahead", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "ahead", "dependencies": { "express": "^4.22.3" } },
            "node_modules/express": { "version": "4.17.1", "dependencies": { "cookie": "0.4.0" } },
            "node_modules/cookie": { "version": "0.4.0" }
        }
    });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    let (doc, changes) = json_audit(&dir);
    assert_eq!(changes, Vec::<String>::new(), "{doc:#}");
    let fix = |package: &str| {
        let found = doc["advisories"].as_array().expect("advisories").iter().find(|a| a["package"] == package);
        found.map(|a| a["fix"].clone()).unwrap_or_default()
    };
    assert_eq!(fix("cookie")["kind"], "bump", "{doc:#}");
    // Express's own advisories: package.json asks for ^4.22.3 already, the lockfile moves it; never lowered to 4.20.0.
    assert_eq!(fix("express")["kind"], "lockfile-refresh", "{doc:#}");
    assert!(
        fix("express")["description"].as_str().is_some_and(
            |d| d.starts_with("package.json already asks for express ^4.22.3, which the lockfile is behind")
        ),
        "{doc:#}"
    );
}

/// A workspace member's own dependency: the finding is placed on its line in the member's package.json (not at the
/// root's `package.json:1:1`), and the member's own code counts for reachability (`cookie.serialize()` in
/// packages/api/index.js is "called"; the root has no code).
#[test]
fn a_members_finding_is_on_its_own_line_and_its_code_counts() {
    let (_tmp, dir) = scratch("ws-cookie", r#"{ "name": "ws-cookie", "workspaces": ["packages/*"] }"#);
    let member = dir.join("packages/api");
    std::fs::create_dir_all(&member).expect("mkdir");
    std::fs::write(
        member.join("package.json"),
        "{\n  \"name\": \"api\",\n  \"dependencies\": {\n    \"cookie\": \"0.4.1\"\n  }\n}\n",
    )
    .expect("write");
    std::fs::write(
        member.join("index.js"),
        "const cookie = require('cookie');\nmodule.exports = (res) => res.setHeader('Set-Cookie', cookie.serialize('a', 'b'));\n",
    )
    .expect("write");
    let lock = serde_json::json!({
        "name": "ws-cookie", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "ws-cookie", "workspaces": ["packages/*"] },
            "node_modules/api": { "resolved": "packages/api", "link": true },
            "packages/api": { "name": "api", "dependencies": { "cookie": "0.4.1" } },
            "node_modules/cookie": { "version": "0.4.1" }
        }
    });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    let (doc, _) = json_audit(&dir);
    let cookie = doc["advisories"].as_array().expect("advisories").iter().find(|a| a["package"] == "cookie");
    let cookie = cookie.expect("cookie advisory");
    assert_eq!(cookie["manifest"], "packages/api/package.json", "{doc:#}");
    assert_eq!(cookie["line"], 4, "{doc:#}");
    assert_eq!(cookie["reachability"], "called", "{doc:#}");
    assert_eq!(cookie["reachability_reason"], "cookie.serialize", "{doc:#}");
    let findings: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("advisories/")))
        .map(|f| format!("{}:{}", f["path"].as_str().unwrap_or_default(), f["line"]))
        .collect();
    assert_eq!(findings, ["packages/api/package.json:4"], "{doc:#}");
}

/// A workspace member pins ws 7.4.6 itself and a package (agent) pins it with `~7.4.0`: a root override would move the
/// member's own exact dependency too, so none is written; the finding names the member.
#[test]
fn no_override_changes_a_workspace_members_own_dependency() {
    let (_tmp, dir) = scratch("ws-root", r#"{ "name": "ws-root", "workspaces": ["packages/*"] }"#);
    let member = dir.join("packages/api");
    std::fs::create_dir_all(&member).expect("mkdir");
    std::fs::write(
        member.join("package.json"),
        r#"{ "name": "api", "dependencies": { "ws": "7.4.6", "agent": "1.0.0" } }"#,
    )
    .expect("write");
    let lock = serde_json::json!({
        "name": "ws-root", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "ws-root", "workspaces": ["packages/*"] },
            "node_modules/api": { "resolved": "packages/api", "link": true },
            "packages/api": { "name": "api", "dependencies": { "ws": "7.4.6", "agent": "1.0.0" } },
            "node_modules/agent": { "version": "1.0.0", "dependencies": { "ws": "~7.4.0" } },
            "node_modules/ws": { "version": "7.4.6" }
        }
    });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    let (doc, changes) = json_audit(&dir);
    assert_eq!(changes, Vec::<String>::new(), "{doc:#}");
    let fix = doc["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .find(|a| a["package"] == "ws")
        .map(|a| a["fix"]["description"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    assert!(fix.contains("and api depends on ws itself (an override would change that dependency too)"), "{fix}");
}

/// A workspace member that lists express itself (found by the eighth session's review): express-version raises it in
/// the member's package.json, and the advisories of express and of what it pins (cookie 0.5.0) come with that raise.
/// Before, advisories lowered the member's express to its own fix, 4.20.0, which still pins an affected cookie, and
/// the next run raised it again.
#[test]
fn a_members_own_express_is_raised_by_express_version_and_never_lowered() {
    let (_tmp, dir) = scratch("ws-express", r#"{ "name": "ws-express", "workspaces": ["packages/*"] }"#);
    let member = dir.join("packages/a");
    std::fs::create_dir_all(&member).expect("mkdir");
    std::fs::write(
        member.join("package.json"),
        "{\n  \"name\": \"a\",\n  \"dependencies\": {\n    \"express\": \"4.18.2\"\n  }\n}\n",
    )
    .expect("write");
    let lock = serde_json::json!({
        "name": "ws-express", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "ws-express", "workspaces": ["packages/*"] },
            "node_modules/a": { "resolved": "packages/a", "link": true },
            "packages/a": { "name": "a", "dependencies": { "express": "4.18.2" } },
            "node_modules/express": { "version": "4.18.2", "dependencies": { "cookie": "0.5.0" } },
            "node_modules/cookie": { "version": "0.5.0" }
        }
    });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    let out = express_harden(&dir, &["--only", "advisories,express-version", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let changes: Vec<String> = doc["dependency_changes"]
        .as_array()
        .expect("dependency_changes")
        .iter()
        .map(|d| format!("{} {} {} -> {}", d["manifest"], d["package"], d["from"], d["to"]))
        .collect();
    assert_eq!(changes, [r#""packages/a/package.json" "express" "4.18.2" -> "4.22.3""#], "{doc:#}");
}

/// npm's nested overrides pin a package under another (`"cookie-parser": { "cookie": "0.4.1" }`): such a pin is named
/// as what keeps the version, and no parent raise is claimed, which npm would undo (found by the ninth session's review:
/// cookie-parser raised, "fix-planned" on every run); a scoped package's key (`@types/cookie`) pins that package, not
/// `cookie`. Offline: the dry run only.
#[test]
fn nested_and_scoped_override_keys_are_read_as_npm_reads_them() {
    for (overrides, pinned) in [
        (r#"{ "cookie-parser": { "cookie": "0.4.1" } }"#, true),
        (r#"{ "cookie-parser": { ".": "1.4.6", "cookie": "0.4.1" } }"#, true),
        (r#"{ "@types/cookie": "0.4.1" }"#, false),
    ] {
        let (_tmp, dir) = app("pin-app");
        let manifest = std::fs::read_to_string(dir.join("package.json")).expect("manifest");
        let at = manifest.find("\"overrides\"").expect("overrides");
        let manifest = format!("{}\"overrides\": {overrides}\n}}\n", &manifest[..at]);
        std::fs::write(dir.join("package.json"), manifest).expect("write");
        let (code, text) = audit_from(&dir, "bundled", &[]);
        assert_eq!(code, 0, "{text}");
        let named = text
            .contains("package.json's own `overrides` entry `cookie-parser > cookie`: `\"0.4.1\"` keeps cookie 0.4.1");
        assert_eq!(named, pinned, "{overrides}: {text}");
        let raised = text.lines().any(|l| l.starts_with("change package.json dependencies cookie-parser"));
        assert_eq!(raised, !pinned, "{overrides}: {text}");
    }
}

/// The project's own pin of a package the fix raises moves with the raise, as a pin of the affected package does (on
/// its line): cookie-parser 1.4.6 pinned by npm's nested form (`"cookie-parser": { ".": "1.4.6", ... }`, the entries
/// under it kept) or a flat `"cookie-parser": "1.4.6"` is raised to 1.4.7 for its cookie with its pin, and a pinned
/// direct dependency (body-parser 1.20.1, fixed in 1.20.3, raised to 1.20.4 for its qs) is raised with its pin. Before, npm refused the install
/// (EOVERRIDE: the override conflicts with the direct dependency) and the run failed with nothing fixed. After
/// `--write --lockfile` (the real npm) the lockfile installs the fixed versions, `npm ci` accepts it, and a second run
/// finds neither advisory. Needs npm and the registry.
#[test]
fn a_pin_of_the_raised_dependency_moves_with_the_raise() {
    for (overrides, moved) in [
        (
            r#"{ "cookie-parser": { ".": "1.4.6", "cookie-signature": "1.0.6" }, "body-parser": "1.20.1" }"#,
            r#"{ "cookie-parser": { ".": "1.4.7", "cookie-signature": "1.0.6" }, "body-parser": "1.20.4" }"#,
        ),
        (
            r#"{ "cookie-parser": "1.4.6", "body-parser": "1.20.1" }"#,
            r#"{ "cookie-parser": "1.4.7", "body-parser": "1.20.4" }"#,
        ),
    ] {
        let manifest = format!(
            "{{\n  \"name\": \"pinned-parent\",\n  \"version\": \"1.0.0\",\n  \"private\": true,\n  \
             \"dependencies\": {{\n    \"body-parser\": \"1.20.1\",\n    \"cookie-parser\": \"1.4.6\"\n  }},\n  \
             \"overrides\": {overrides}\n}}\n"
        );
        let (_tmp, dir) = scratch("pinned-parent", &manifest);
        let npm = |args: &[&str]| {
            let out = std::process::Command::new("npm")
                .args(args)
                .args(["--ignore-scripts", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .output()
                .expect("npm must be installed (scripts/test.sh installs it)");
            assert!(out.status.success(), "npm {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        npm(&["install", "--package-lock-only"]);
        let (code, text) = audit_from(&dir, "bundled", &[]);
        assert_eq!(code, 0, "{text}");
        let changes: Vec<&str> = text.lines().filter(|l| l.starts_with("change ")).collect();
        assert_eq!(
            changes,
            [
                "change package.json dependencies cookie-parser 1.4.6 -> 1.4.7",
                "change package.json overrides cookie-parser 1.4.6 -> 1.4.7",
                "change package.json dependencies body-parser 1.20.1 -> 1.20.4",
                "change package.json overrides body-parser 1.20.1 -> 1.20.4",
            ],
            "{overrides}: {text}"
        );
        let out = express_harden(
            &dir,
            &["--only", "advisories", "--advisories", "bundled", "--write", "--allow-no-vcs", "--lockfile"],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{overrides}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        // Each package raised with its pin moved once, said once.
        assert!(
            stdout.contains("updated package-lock.json (cookie-parser 1.4.6 -> 1.4.7, body-parser 1.20.1 -> 1.20.4)\n"),
            "{overrides}: {stdout}"
        );
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).expect("manifest")).expect("json");
        let moved: serde_json::Value = serde_json::from_str(moved).expect("json");
        assert_eq!(written["overrides"], moved, "{written:#}");
        npm(&["ci"]);
        let installed = |path: &str| {
            let text = std::fs::read_to_string(dir.join(path).join("package.json")).unwrap_or_default();
            serde_json::from_str::<serde_json::Value>(&text).map(|v| v["version"].clone()).unwrap_or_default()
        };
        assert_eq!(installed("node_modules/cookie-parser"), "1.4.7");
        assert_eq!(installed("node_modules/body-parser"), "1.20.4");
        assert_eq!(installed("node_modules/cookie"), "0.7.2");
        let (code, again) = audit_from(&dir, "bundled", &[]);
        assert_eq!(code, 0, "{again}");
        assert!(!again.contains("cookie@") && !again.contains("body-parser@") && !again.contains("change "), "{again}");
    }
}

/// A pin of the parent a fix would raise that cannot move with the raise (`tests/advisories/pin-app-yarn`, its
/// `resolutions` given `"cookie-parser": "<=1.4.6"`, a range no raise rewrites in its style) is named, with its line,
/// as what keeps cookie-parser 1.4.6, and cookie-parser is not raised: Yarn would install 1.4.6 whatever the
/// dependency says. Offline: the dry run only.
#[test]
fn a_parents_pin_that_cannot_move_with_the_raise_is_named() {
    let (_tmp, dir) = app("pin-app-yarn");
    let manifest = std::fs::read_to_string(dir.join("package.json")).expect("manifest");
    std::fs::write(dir.join("package.json"), manifest.replace(r#""cookie": "0.4.1""#, r#""cookie-parser": "<=1.4.6""#))
        .expect("write");
    let (code, text) = audit_from(&dir, "bundled", &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(
            "fix=none: 0.7.0 is outside what its parents declare (cookie-parser@1.4.6 declares 0.4.1; express@4.21.2 \
             declares 0.7.1); cookie-parser 1.4.7 depends on a fixed cookie, but package.json's own `resolutions` entry \
             `\"cookie-parser\": \"<=1.4.6\"` (package.json:10) keeps cookie-parser 1.4.6 and cannot be moved to 1.4.7 \
             on its line: cookie-parser is not raised; change or remove that entry by hand"
        ),
        "{text}"
    );
    let changes: Vec<&str> = text.lines().filter(|l| l.starts_with("change ")).collect();
    assert_eq!(
        changes,
        [
            "change package.json resolutions path-to-regexp 0.1.7 -> 0.1.13",
            "change package.json resolutions qs (new) -> ^6.14.1"
        ],
        "{text}"
    );
}

/// The project's own pin is what keeps a vulnerable version (`tests/advisories/pin-app`, npm's `overrides`,
/// `pin-app-yarn`, Yarn 1's `resolutions`, and `pin-app-pnpm`, `pnpm.overrides`; lockfiles made by the package managers): `"path-to-regexp": "0.1.7"` is
/// moved to the fix on its line (0.1.13, which fixes its three advisories); `"cookie": "0.4.1"` would cross a 0.x line, so it is reported as the cause and
/// nothing is planned for cookie (cookie-parser is not raised: the pin would still win). After `--write --lockfile`
/// the lockfile installs the fixed path-to-regexp, and a second run changes nothing and claims no fix. Needs npm,
/// Yarn 1, pnpm and the registry.
#[test]
fn the_projects_own_pin_is_moved_on_its_line_or_named() {
    for (name, field, lockfile) in [
        ("pin-app", "overrides", "package-lock.json"),
        ("pin-app-yarn", "resolutions", "yarn.lock"),
        ("pin-app-pnpm", "pnpm.overrides", "pnpm-lock.yaml"),
    ] {
        let (_tmp, dir) = app(name);
        // express 4.21.2 and body-parser 1.20.3 pin qs 6.13.0 (GHSA-6rw7-vpxm-498p), whose override this test is not
        // about: it reads the records of the two pinned packages.
        let records =
            osv_only(&["GHSA-pxg6-pf52-xh8x", "GHSA-9wv6-86v2-598j", "GHSA-rhx6-c78j-4q9w", "GHSA-37ch-88jc-xwx2"]);
        let source = records.path().display().to_string();
        let (code, text) = audit_from(&dir, &source, &[]);
        assert_eq!(code, 0, "{text}");
        assert!(
            text.contains(&format!(
                "fix=none: package.json's own `{field}` entry `\"cookie\": \"0.4.1\"` keeps cookie 0.4.1, and the \
                 fix, 0.7.0, is on another line of releases"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "fix=override: package.json's own `{field}` entry `\"path-to-regexp\": \"0.1.7\"` keeps \
                 path-to-regexp 0.1.7: changed to `\"path-to-regexp\": \"0.1.13\"`"
            )),
            "{text}"
        );
        let changes: Vec<&str> = text.lines().filter(|l| l.starts_with("change ")).collect();
        assert_eq!(changes, [format!("change package.json {field} path-to-regexp 0.1.7 -> 0.1.13")], "{text}");

        let (code, text) = audit_from(&dir, &source, &["--write", "--allow-no-vcs", "--lockfile"]);
        assert_eq!(code, 0, "{text}");
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).expect("manifest")).expect("json");
        let pins = manifest.pointer(&format!("/{}", field.replace('.', "/"))).cloned().unwrap_or_default();
        assert_eq!(pins, serde_json::json!({ "cookie": "0.4.1", "path-to-regexp": "0.1.13" }), "{manifest:#}");
        assert_eq!(manifest["dependencies"]["cookie-parser"], "1.4.6");
        let lock = std::fs::read_to_string(dir.join(lockfile)).expect("lockfile");
        assert!(!lock.contains("0.1.7") && lock.contains("0.1.13"), "{lock}");
        let (code, again) = audit_from(&dir, &source, &[]);
        assert_eq!(code, 0, "{again}");
        assert!(!again.contains("path-to-regexp@") && !again.contains("\nchange "), "{again}");
        assert!(again.contains("cookie@0.4.1") && !again.contains("fix=override") && !again.contains("fix=bump"));
    }
}

/// Yarn 1 moves a transitive package inside its parent's range (`tests/advisories/yarn1-refresh-app`: request 2.88.0
/// declares qs ~6.5.2, yarn.lock has 6.5.2, fixed in 6.5.3): `yarn upgrade qs` would leave it, so `--write --lockfile`
/// removes qs's entries from yarn.lock and runs Yarn's install, which resolves `qs@~6.5.2` again. request's form-data
/// 2.3.3 (`~2.3.2`; GHSA-fjxv-7rqg-78g4, fixed in 2.5.4, on the same major) gets a `resolutions` entry, `^2.5.4`. Then
/// `yarn install --frozen-lockfile` accepts the lockfile, and a second run finds no qs or form-data advisory. Needs
/// Yarn 1 and the registry.
#[test]
fn yarn_1_refreshes_a_transitive_package_inside_its_parents_range() {
    let (_tmp, dir) = app("yarn1-refresh-app");
    // qs 6.5.3 is affected by GHSA-6rw7-vpxm-498p too, fixed only in 6.14.1, outside request's ~6.5.2: this test is
    // about the refresh inside the range, so it reads only the records it is about.
    let records = osv_only(&["GHSA-hrpp-h998-j3pp", "GHSA-fjxv-7rqg-78g4"]);
    let source = records.path().display().to_string();
    let manifest = std::fs::read_to_string(dir.join("package.json")).expect("manifest");
    let (code, text) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("qs@6.5.2 -> 6.5.3") && text.contains("fix=lockfile-refresh"), "{text}");
    assert!(text.contains("the entries of qs in yarn.lock removed first") && !text.contains("yarn upgrade"), "{text}");

    let out = express_harden(
        &dir,
        &["--only", "advisories", "--advisories", &source, "--write", "--allow-no-vcs", "--lockfile"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("refreshed yarn.lock for qs (qs 6.5.2 -> 6.5."), "{stdout}");
    let written = std::fs::read_to_string(dir.join("package.json")).expect("manifest");
    let resolutions = "  },\n  \"resolutions\": {\n    \"form-data\": \"^2.5.4\"\n  }\n}";
    assert_eq!(written, manifest.replacen("  }\n}", resolutions, 1), "{written}");
    let lock = std::fs::read_to_string(dir.join("yarn.lock")).expect("lockfile");
    assert!(lock.contains("qs@~6.5.2:\n  version \"6.5.") && !lock.contains("version \"6.5.2\""), "{lock}");
    assert!(lock.contains("form-data@^2.5.4, form-data@~2.3.2:\n  version \"2.5."), "{lock}");

    let modules = tempfile::tempdir().expect("tempdir");
    let frozen = std::process::Command::new("yarn")
        .args(["install", "--frozen-lockfile", "--ignore-scripts", "--non-interactive", "--modules-folder"])
        .arg(modules.path())
        .current_dir(&dir)
        .output()
        .expect("run yarn");
    assert!(frozen.status.success(), "{}", String::from_utf8_lossy(&frozen.stderr));
    let (code, again) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{again}");
    assert!(!again.contains(" qs@") && !again.contains(" form-data@"), "{again}");
}

/// An aliased parent whose spec admits any release (`tests/advisories/alias-star-app`: `"cp": "npm:cookie-parser@*"`,
/// 1.4.6 installed, which pins the affected cookie 0.4.1) gets the lockfile refresh that `"cookie-parser": "*"` gets,
/// under the alias's name (`npm update cp`): after `--write --lockfile`, package.json is as it was, `npm ci` installs
/// cookie-parser 1.4.7 with cookie 0.7.2, and a second run finds no cookie advisory (found by the review: neither
/// raised nor refreshed). Needs npm and the registry.
#[test]
fn an_aliased_parent_with_a_star_is_moved_by_the_lockfile() {
    let (_tmp, dir) = app("alias-star-app");
    let manifest = std::fs::read_to_string(dir.join("package.json")).expect("manifest");
    let (code, text) = audit_from(&dir, "bundled", &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(
            "fix=lockfile-refresh: 0.7.0 is outside what its parents declare (cookie-parser@1.4.6 declares 0.4.1); \
             cookie-parser moves to 1.4.7 within the range package.json declares for it, and 1.4.7 depends on cookie \
             0.7.2: the lockfile moves them (`npm update cp --package-lock-only --ignore-scripts --no-audit`, run by \
             --write --lockfile)"
        ),
        "{text}"
    );
    let out = express_harden(&dir, &["--only", "advisories", "--write", "--allow-no-vcs", "--lockfile"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("refreshed package-lock.json for cp (cp 1.4.6 -> 1.4.7)"), "{stdout}");
    // express 4.21.2 pins path-to-regexp 0.1.12 (GHSA-37ch-88jc-xwx2): it is raised, the alias is left as it was.
    assert_eq!(
        std::fs::read_to_string(dir.join("package.json")).expect("manifest"),
        manifest.replace(r#""express": "4.21.2""#, r#""express": "4.22.0""#)
    );
    let ci = std::process::Command::new("npm")
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .output()
        .expect("run npm");
    assert!(ci.status.success(), "{}", String::from_utf8_lossy(&ci.stderr));
    let installed = |path: &str| {
        let text = std::fs::read_to_string(dir.join(path).join("package.json")).unwrap_or_default();
        serde_json::from_str::<serde_json::Value>(&text).map(|v| v["version"].clone()).unwrap_or_default()
    };
    assert_eq!(installed("node_modules/cp"), "1.4.7");
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package-lock.json")).expect("lock")).expect("json");
    let cookies: Vec<String> = lock["packages"]
        .as_object()
        .expect("packages")
        .iter()
        .filter(|(key, _)| key.ends_with("node_modules/cookie"))
        .map(|(key, entry)| format!("{key} {}", entry["version"].as_str().unwrap_or_default()))
        .collect();
    assert!(cookies.iter().all(|c| !c.ends_with(" 0.4.1") && installed(c.split(' ').next().unwrap_or("")) != "0.4.1"));
    assert!(cookies.iter().any(|c| c.ends_with(" 0.7.2")), "{cookies:?}");
    let (code, again) = audit_from(&dir, "bundled", &[]);
    assert_eq!(code, 0, "{again}");
    assert!(!again.contains(" cookie@"), "{again}");
}

/// Yarn 1 moves a parent whose spec admits a fixed release (`tests/advisories/yarn1-star-app`: `"cookie-parser":
/// "latest"`, 1.4.6 pinning cookie 0.4.1): the finding says this tool runs it (found by the review: "run it yourself"
/// although `--write --lockfile` ran it); when Yarn fails, the finding says it failed instead of promising the run. A
/// fake `yarn` that fails stands in for the install.
#[cfg(unix)]
#[test]
fn a_yarn_1_parent_refresh_is_said_to_be_run_and_said_to_have_failed() {
    use std::os::unix::fs::PermissionsExt;
    let (tmp, dir) = app("yarn1-star-app");
    let records = osv_only(&["GHSA-pxg6-pf52-xh8x"]);
    let source = records.path().display().to_string();
    let (code, text) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{text}");
    let promised =
        "the lockfile moves them (`yarn install --ignore-scripts`, the entries of cookie-parser in yarn.lock \
                    removed first, so that Yarn resolves them again; run by --write --lockfile)";
    assert!(text.contains(promised) && !text.contains("run it yourself"), "{text}");
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    let yarn = bin.join("yarn");
    std::fs::write(
        &yarn,
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 1.22.22; exit 0; fi\necho offline >&2\nexit 1\n",
    )
    .expect("fake yarn");
    std::fs::set_permissions(&yarn, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let lock = std::fs::read_to_string(dir.join("yarn.lock")).expect("lockfile");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_express-harden"))
        .args(["--only", "advisories", "--advisories", &source, "--write", "--allow-no-vcs", "--lockfile", "."])
        .current_dir(&dir)
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
        .env(common::BUNDLED_TABLE_CURRENT.0, common::BUNDLED_TABLE_CURRENT.1)
        .output()
        .expect("express-harden");
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(output.contains("error: yarn.lock `yarn install --ignore-scripts` failed: offline"), "{output}");
    assert!(
        output.contains(
            "removed first, so that Yarn resolves them again; run by --write --lockfile, which failed (see the error \
             for yarn.lock): not fixed yet)"
        ),
        "{output}"
    );
    assert!(!output.contains("--write --lockfile)"), "{output}");
    assert_eq!(std::fs::read_to_string(dir.join("yarn.lock")).expect("lockfile"), lock);
}

/// A Yarn `resolutions` entry that admits the fix too (`tests/advisories/yarn1-resolutions-app`: `"qs": "^6.5.2"`,
/// request 2.88.0 declares qs ~6.5.2) replaces the parents' ranges: the refresh takes the newest qs 6.x, and the
/// finding says so rather than "6.5.3 fits the ranges its parents declare" (found by the review: qs went to 6.17.1).
#[test]
fn a_broad_resolution_is_named_as_what_the_refresh_follows() {
    let (_tmp, dir) = app("yarn1-resolutions-app");
    // qs 6.5.3 is affected by GHSA-6rw7-vpxm-498p too, fixed only in 6.14.1, outside request's ~6.5.2: this test is
    // about the refresh inside the range, so it reads only the records it is about.
    let records = osv_only(&["GHSA-hrpp-h998-j3pp"]);
    let source = records.path().display().to_string();
    let (code, text) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{text}");
    let qs = text.lines().find(|l| l.starts_with("GHSA-hrpp-h998-j3pp qs@6.5.2")).unwrap_or_default();
    assert!(
        qs.ends_with(
            "fix=lockfile-refresh: package.json's own `resolutions` entry `\"qs\": \"^6.5.2\"` replaces the ranges its \
             parents declare for every copy: the lockfile moves qs to the newest release `^6.5.2` admits, which may be \
             past 6.5.3 and past what its parents declare (`yarn install --ignore-scripts`, the entries of qs in \
             yarn.lock removed first, so that Yarn resolves them again; run by --write --lockfile)"
        ),
        "{text}"
    );
}

/// Ctrl-C while Yarn 1 resolves the refreshed entries again stops Yarn, and yarn.lock is put back as it was before the
/// process ends by the signal (found by the ninth session's review: the lockfile was left without qs's entries, which
/// Yarn 1 accepts even with --frozen-lockfile, and the next run no longer saw qs). A fake `yarn` that notes its start,
/// runs until the signal is sent, and then fails stands in for a slow install; the signal goes to express-harden
/// alone. qs's advisory alone is read (its recorded OSV record), so that the refresh is the only thing Yarn runs for.
#[cfg(unix)]
#[test]
fn an_interrupted_yarn_refresh_puts_the_lockfile_back() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::ExitStatusExt;
    let (tmp, dir) = app("yarn1-refresh-app");
    let records = tmp.path().join("records");
    std::fs::create_dir(&records).expect("records");
    std::fs::copy(Path::new(&osv()).join("GHSA-hrpp-h998-j3pp.json"), records.join("GHSA-hrpp-h998-j3pp.json"))
        .expect("qs's record");
    let lock = std::fs::read_to_string(dir.join("yarn.lock")).expect("lockfile");
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    let started = tmp.path().join("yarn-started");
    // (The fake Yarn runs until the test has sent its signal, up to a minute: with a fixed sleep, a slow machine could
    // see the run end before the signal came.)
    let release = tmp.path().join("yarn-may-end");
    let yarn = bin.join("yarn");
    std::fs::write(
        &yarn,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 1.22.22; exit 0; fi\ntouch '{}'\ni=0\nwhile [ ! -e '{}' ] \
             && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\nexit 1\n",
            started.display(),
            release.display()
        ),
    )
    .expect("fake yarn");
    std::fs::set_permissions(&yarn, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_express-harden"));
    command
        .args(["--only", "advisories", "--write", "--allow-no-vcs", "--lockfile", "--advisories"])
        .arg(&records)
        .arg(".")
        .current_dir(&dir)
        .env("PATH", path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // The tests may run where SIGINT is ignored (started in the background by a shell without job control, or under
    // nohup), which express-harden rightly leaves ignored: the child gets SIGINT's default action, as in a terminal.
    // SAFETY: `signal` is async-signal-safe, the only call between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = command.spawn().expect("express-harden");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !started.exists() {
        assert!(std::time::Instant::now() < deadline, "the fake yarn never ran the install");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let stripped = std::fs::read_to_string(dir.join("yarn.lock")).expect("lockfile");
    assert!(stripped != lock && !stripped.contains("\nqs@"), "qs's entries are out while Yarn runs");
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    std::fs::write(&release, "").expect("let the fake yarn end");
    let status = child.wait().expect("wait");
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?}");
    let after = std::fs::read_to_string(dir.join("yarn.lock")).expect("lockfile");
    assert!(after == lock, "yarn.lock was not put back: qs's entries are missing: {}", after.contains("\nqs@"));
}

/// A raise found through the registry is previewed before it is written (`tests/advisories/preview-app`: passport-jwt
/// 4.0.0 depends on an affected jsonwebtoken 8; its releases are not bundled, and 4.0.1 depends on jsonwebtoken 9):
/// `--lockfile` without `--write` asks the registry and shows the raise, writing nothing; `--write --lockfile` then
/// writes exactly what was shown. Needs npm and the registry.
#[test]
fn the_dry_run_with_lockfile_previews_the_raises_the_registry_finds() {
    let (_tmp, dir) = app("preview-app");
    // The fixture's express 4.21.2 pins path-to-regexp 0.1.12 (GHSA-37ch-88jc-xwx2), whose raise the bundled releases
    // know: this test is about passport-jwt's, so it reads only jsonwebtoken's records.
    let records =
        osv_only(&["GHSA-27h2-hvpr-p74q", "GHSA-8cf7-32gw-wr33", "GHSA-hjrf-2m68-5959", "GHSA-qwph-4952-7xr6"]);
    let source = records.path().display().to_string();
    let before = common::tree(&dir);
    let (code, offline) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{offline}");
    assert!(!offline.contains("\nchange "), "the bundled releases alone know no raise of passport-jwt:\n{offline}");
    let (code, preview) = audit_from(&dir, &source, &["--lockfile"]);
    assert_eq!(code, 0, "{preview}");
    let shown: Vec<&str> = preview.lines().filter(|l| l.starts_with("change ")).collect();
    assert_eq!(shown, ["change package.json dependencies passport-jwt 4.0.0 -> 4.0.1"], "{preview}");
    assert_eq!(common::tree(&dir), before, "the preview writes nothing");

    let (code, written) = audit_from(&dir, &source, &["--write", "--allow-no-vcs", "--lockfile"]);
    assert_eq!(code, 0, "{written}");
    let made: Vec<&str> = written.lines().filter(|l| l.starts_with("change ")).collect();
    assert_eq!(made, shown);
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package-lock.json")).expect("lock")).expect("json");
    assert!(lock["packages"]["node_modules/jsonwebtoken"]["version"].as_str().is_some_and(|v| v.starts_with("9.")));
}

/// An advisory whose range ends with `last_affected` (`tests/advisories/last-affected-app`: nodemailer 6.6.1,
/// GHSA-9h6g-pr28-7cqp affects up to 6.9.8) is fixed by the first release after it: 6.9.9, from the bundled table's
/// `next_release`; the same record under another id (so the table knows nothing of it) has no fix known offline,
/// and with `--lockfile` the registry's releases give it (a preview: nothing is written). Needs the registry.
#[test]
fn the_first_release_after_last_affected_is_the_fix() {
    let (_tmp, dir) = app("last-affected-app");
    let (code, text) = audit_from(&dir, "bundled", &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.starts_with(
            "GHSA-9h6g-pr28-7cqp nodemailer@6.6.1 -> 6.9.9 [moderate] - package.json:1 reach=called \
             (nodemailer.createTransport) fix=lockfile-refresh: 6.9.9 fits the ranges its parents declare"
        ),
        "{text}"
    );

    let (_records, source) = renamed_record("GHSA-9h6g-pr28-7cqp");
    let (code, offline) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{offline}");
    assert!(
        offline.contains("nodemailer@6.6.1 -> none") && offline.contains("fix=none: No fixed version"),
        "{offline}"
    );
    let before = common::tree(&dir);
    let (code, asked) = audit_from(&dir, &source, &["--lockfile"]);
    assert_eq!(code, 0, "{asked}");
    assert!(asked.contains("nodemailer@6.6.1 -> 6.9.9") && asked.contains("fix=lockfile-refresh"), "{asked}");
    assert_eq!(common::tree(&dir), before);
}

/// A range that ends with `last_affected` in OSV records given with `--advisories PATH` is fixed as the bundled
/// table's `next_release` is: by the first release after it, unless the same advisory's fix of another package depends
/// on a later one (GHSA-3965-hpx2-q597: pug 3.0.3 depends on pug-code-gen ^3.0.3, so 3.0.0 is no fix). Here a record
/// made for the test in that shape, about packages whose releases the tool bundles (`parents.json`), so the test is
/// offline: body-parser up to 1.20.1 (`last_affected`), express fixed in 4.20.0, which depends on body-parser 1.20.3.
/// The first release after 1.20.1 is 1.20.2; the fix is 1.20.3, with and without `--lockfile` (a preview). Before,
/// no fix was known without `--lockfile`, and 1.20.2 was planned with it.
#[test]
fn a_last_affected_fix_from_osv_records_follows_the_other_packages_fix() {
    let records = tempfile::tempdir().expect("tempdir");
    let range = |event: &str, version: &str| serde_json::json!([{ "type": "ECOSYSTEM", "events": [{ "introduced": "0" }, { event: version }] }]);
    let record = serde_json::json!({
        "schema_version": "1.4.0",
        "id": "GHSA-0000-0000-0000",
        "summary": "a record made for the test",
        "affected": [
            { "package": { "ecosystem": "npm", "name": "body-parser" }, "ranges": range("last_affected", "1.20.1") },
            { "package": { "ecosystem": "npm", "name": "express" }, "ranges": range("fixed", "4.20.0") }
        ],
        "database_specific": { "severity": "HIGH" }
    });
    std::fs::write(records.path().join("r.json"), record.to_string()).expect("write");
    let source = records.path().display().to_string();
    let (_tmp, dir) = scratch("last-affected", r#"{ "name": "styles", "dependencies": { "body-parser": "1.20.1" } }"#);
    std::fs::write(dir.join("package-lock.json"), lockfile(&[("body-parser", "1.20.1", "1.20.1")])).expect("write");
    for extra in [&[][..], &["--lockfile"]] {
        let (code, text) = audit_from(&dir, &source, extra);
        assert_eq!(code, 0, "{text}");
        assert!(text.starts_with("GHSA-0000-0000-0000 body-parser@1.20.1 -> 1.20.3 [high]"), "{extra:?}: {text}");
        assert!(text.ends_with("change package.json dependencies body-parser 1.20.1 -> 1.20.3\n"), "{extra:?}: {text}");
    }
}

/// A copy of the test app `tests/e2e/<name>` (its lockfile made by npm or pnpm) in a temporary folder.
fn e2e_app(name: &str) -> (tempfile::TempDir, PathBuf) {
    copy_of("tests/e2e", name)
}

/// The bundled dry run of `dir`: each dependency change (`manifest section package from -> to`), and each advisory
/// of `package` (`manifest:line kind: description`).
fn plan_for(dir: &Path, package: &str) -> (Vec<String>, Vec<String>) {
    let (doc, _) = json_audit(dir);
    let changes = doc["dependency_changes"]
        .as_array()
        .expect("dependency_changes")
        .iter()
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            format!(
                "{} {} {} {} -> {}",
                field("manifest"),
                field("section"),
                field("package"),
                field("from"),
                field("to")
            )
        })
        .collect();
    let fixes = doc["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .filter(|a| a["package"] == package)
        .map(|a| {
            let manifest = a["manifest"].as_str().unwrap_or_default();
            let kind = a["fix"]["kind"].as_str().unwrap_or_default();
            format!("{manifest}:{} {kind}: {}", a["line"], a["fix"]["description"].as_str().unwrap_or_default())
        })
        .collect();
    (changes, fixes)
}

/// A workspace member's own dependency that pins an affected package (packages/a lists `"cookie-parser": "1.4.6"`,
/// which pins cookie 0.4.1, whose fix is on another line) is raised in the member's package.json, in its style, as
/// the root's would be: npm workspaces and a pnpm workspace. (Installed by npm and pnpm: tests/e2e_advisories.rs.)
#[test]
fn a_members_direct_parent_is_raised_in_its_own_package_json() {
    for (app, lockfile, declared) in [
        ("advisories-member-npm", "package-lock.json", "0.4.1"),
        // (pnpm's lockfile records no range between packages: the bundled parents table says what 1.4.6 declares.)
        ("advisories-member-pnpm", "pnpm-lock.yaml", "0.4.1"),
    ] {
        let (_tmp, dir) = e2e_app(app);
        let (changes, fixes) = plan_for(&dir, "cookie");
        // (The root's express 4.21.2 pins path-to-regexp 0.1.12, which GHSA-37ch-88jc-xwx2 affects: raised too.)
        assert_eq!(
            changes,
            [
                "package.json dependencies express 4.21.2 -> 4.22.0",
                "packages/a/package.json dependencies cookie-parser 1.4.6 -> 1.4.7"
            ],
            "{app}"
        );
        assert_eq!(
            fixes,
            [format!(
                "packages/a/package.json:1 bump: 0.7.0 is outside what its parents declare (cookie-parser@1.4.6 \
                 declares {declared}); cookie-parser is raised to 1.4.7, which depends on cookie 0.7.2: the lockfile \
                 update of packages/a/package.json moves cookie inside the new range"
            )],
            "{app} ({lockfile})"
        );
    }
}

/// A parent whose spec admits the release that fixes what it pins already (`"cookie-parser": "*"`, locked at 1.4.6,
/// which pins cookie 0.4.1; 1.4.7 depends on cookie 0.7.2) is moved by the lockfile refresh, package.json left as it
/// is; a spec that is a version is raised in its style.
#[test]
fn a_parent_whose_spec_admits_the_fix_is_refreshed() {
    for spec in ["*", "latest", "x", ">=1.4.0", "1.x"] {
        let (_tmp, dir) = e2e_app("advisories-star");
        let manifest =
            format!(r#"{{ "name": "h5", "version": "1.0.0", "dependencies": {{ "cookie-parser": "{spec}" }} }}"#);
        std::fs::write(dir.join("package.json"), manifest).expect("write");
        let (changes, fixes) = plan_for(&dir, "cookie");
        assert_eq!(changes, Vec::<String>::new(), "{spec}");
        assert_eq!(
            fixes,
            ["package.json:1 lockfile-refresh: 0.7.0 is outside what its parents declare (cookie-parser@1.4.6 declares \
              0.4.1); cookie-parser moves to 1.4.7 within the range package.json declares for it, and 1.4.7 depends on \
              cookie 0.7.2: the lockfile moves them (`npm update cookie-parser --package-lock-only --ignore-scripts \
              --no-audit`, run by --write --lockfile)"],
            "{spec}"
        );
    }
    let (_tmp, dir) = e2e_app("advisories-star");
    std::fs::write(dir.join("package.json"), r#"{ "name": "h5", "dependencies": { "cookie-parser": "^1.4.6" } }"#)
        .expect("write");
    let (changes, _) = plan_for(&dir, "cookie");
    assert_eq!(changes, ["package.json dependencies cookie-parser ^1.4.6 -> ^1.4.7"]);
}

/// An aliased parent (`"cp": "npm:cookie-parser@1.4.6"`) is raised within its alias, and the finding sits on its line.
#[test]
fn an_aliased_parent_is_raised_within_its_alias() {
    let (_tmp, dir) = e2e_app("advisories-alias");
    let (changes, fixes) = plan_for(&dir, "cookie");
    assert!(
        changes
            .contains(&"package.json dependencies cp npm:cookie-parser@1.4.6 -> npm:cookie-parser@1.4.7".to_string()),
        "{changes:?}"
    );
    assert_eq!(
        fixes,
        ["package.json:5 bump: 0.7.0 is outside what its parents declare (cookie-parser@1.4.6 declares 0.4.1); \
          cookie-parser is raised to 1.4.7, which depends on cookie 0.7.2: the lockfile update of package.json moves \
          cookie inside the new range"]
    );
}

/// The lockfile update's line names every package that moved, of every manifest written that the lockfile installs
/// (the root's and the members'), a workspace member's own copy included: packages/a's body-parser 1.20.1 (nested
/// under packages/a, the root's express has 1.20.3) goes with the raise, and both move to the 1.20.4 they now share
/// (found by the review: the line listed only cookie-parser; with the root's express raised too, it listed only
/// express). Needs npm and the registry.
#[test]
fn the_lockfile_update_names_a_members_own_copy_that_moved() {
    let (_tmp, dir) = e2e_app("advisories-two-copies");
    let out = express_harden(&dir, &["--only", "advisories", "--write", "--allow-no-vcs", "--lockfile"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.lines().any(|l| l
            == "updated package-lock.json (express 4.21.2 -> 4.22.0, cookie-parser 1.4.6 -> 1.4.7, body-parser \
                    1.20.1, 1.20.3 -> 1.20.4)"),
        "{stdout}"
    );
}

/// Two copies of cookie 0.4.1 in npm workspaces: one under cookie-parser 1.4.6 (which packages/a and packages/b list),
/// one that packages/b lists itself (`"cookie": "0.4.1"`). The first is fixed by raising cookie-parser in both members;
/// the second's fix, 0.7.0, is a new line for b's exact `0.4.1`: left, with that reason, and the package is not
/// claimed fixed (the gate still counts it).
#[test]
fn two_copies_in_a_workspace_get_each_its_own_fix() {
    let (_tmp, dir) = e2e_app("advisories-two-copies");
    let (changes, fixes) = plan_for(&dir, "cookie");
    assert_eq!(
        changes,
        [
            "package.json dependencies express 4.21.2 -> 4.22.0",
            "packages/a/package.json dependencies cookie-parser 1.4.6 -> 1.4.7",
            "packages/a/package.json dependencies body-parser 1.20.1 -> 1.20.4",
            "packages/b/package.json dependencies cookie-parser ~1.4.5 -> ~1.4.7",
        ]
    );
    assert_eq!(
        fixes,
        ["packages/a/package.json:1 none: not every copy can be fixed: fixed: a > cookie-parser@1.4.6 > cookie@0.4.1: \
          0.7.0 is outside what its parents declare (cookie-parser@1.4.6 declares 0.4.1); cookie-parser is raised to \
          1.4.7, which depends on cookie 0.7.2: the lockfile update of packages/a/package.json, packages/b/package.json \
          moves cookie inside the new range; left: b > cookie@0.4.1: the fix, cookie 0.7.0, is on another line of \
          releases than `0.4.1` in b (a new major, or a new minor under 1.0.0, whose API may change): not raised; move \
          to it by hand, checking its changelog"]
    );
}

/// `--check` does not pass a project whose lockfile it could not read (a truncated package-lock.json, a pnpm lockfile
/// of version 5.4): exit 2, and the error says which lockfile and why; the pnpm one names its version.
#[test]
fn check_fails_when_the_lockfile_cannot_be_read() {
    let manifest = r#"{ "name": "u", "version": "1.0.0", "dependencies": { "body-parser": "1.20.1" } }"#;
    let pnpm54 =
        "lockfileVersion: 5.4\n\nspecifiers:\n  body-parser: 1.20.1\n\ndependencies:\n  body-parser: 1.20.1\n\n\
                  packages:\n\n  /body-parser/1.20.1:\n    resolution: {integrity: sha512-x}\n    dev: false\n";
    for (name, text, reason) in [
        (
            "package-lock.json",
            "{\"lockfileVersion\": 3, \"packages\": {\n",
            "package-lock.json: is not a valid npm lockfile: EOF while parsing an object at line 2 column 0",
        ),
        (
            "pnpm-lock.yaml",
            pnpm54,
            "pnpm-lock.yaml: has lockfileVersion 5.4, which this tool does not read (it reads 6 to 9)",
        ),
    ] {
        let (_tmp, dir) = scratch("u", manifest);
        std::fs::write(dir.join(name), text).expect("write");
        let out = express_harden(&dir, &["--check", "--only", "advisories", "--fail-on", "low", "--color", "never"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "error: package.json --check cannot pass: the lockfile could not be read: {reason}: its packages were \
                 not checked against known advisories"
            )),
            "{stderr}"
        );
        // A dry run still only warns.
        let out = express_harden(&dir, &["--only", "advisories"]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

/// An advisory below `--fail-on` does not fail `--check`, whichever its fix: cookie 0.4.1 (low) under cookie-parser
/// 1.4.6 is fixed by raising cookie-parser to 1.4.7, a change to package.json, which is shown and which `--write`
/// writes, as a lockfile refresh would be. At or above the threshold the same change fails the gate.
#[test]
fn a_fix_below_fail_on_does_not_fail_check() {
    let (_tmp, dir) = app("gate-low-app");
    let (_, text) = audit(&dir, &[]);
    assert!(text.contains("change package.json dependencies cookie-parser 1.4.6 -> 1.4.7"), "{text}");
    for (level, expected) in [("critical", 0), ("high", 0), ("moderate", 0), ("low", 1)] {
        let (code, text) = audit(&dir, &["--check", "--fail-on", level]);
        assert_eq!(code, expected, "--fail-on {level}:\n{text}");
    }
    // The text output still shows the change it would make.
    let out =
        express_harden(&dir, &["--only", "advisories", "--advisories", &osv(), "--check", "--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("package.json"), "{stdout}");
    // And `--write` writes it.
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &osv(), "--write", "--allow-no-vcs"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest = std::fs::read_to_string(dir.join("package.json")).expect("manifest");
    assert!(manifest.contains("\"cookie-parser\": \"1.4.7\""), "{manifest}");
}

/// An advisory whose record lists no fixed version (GHSA-gpv5-7x3g-ghjv: fast-xml-parser's only range is
/// `introduced: "0"`, no `fixed` nor `last_affected`; GitHub's `last_known_affected_version_range` is a note, not an
/// OSV range) is kept, and its finding says why no fix is offered: the record lists none, and calls every release
/// affected.
#[test]
fn an_advisory_that_lists_no_fixed_version_says_so() {
    let (_tmp, dir) = app("fxp-app");
    let (code, text) = audit(&dir, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(
            "GHSA-gpv5-7x3g-ghjv fast-xml-parser@4.5.0 -> none [low] - package.json:1 reach=called (fast-xml-parser.XMLParser) fix=none: \
             GHSA-gpv5-7x3g-ghjv lists no fixed version of fast-xml-parser (per \
             its record, every release is affected): there is no release to move to: not fixed\n"
        ),
        "{text}"
    );
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &osv(), "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "The advisory lists no fixed version: per its record, every release of fast-xml-parser is affected;"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("No fixed version is known"), "{stderr}");
}

/// The JSON `paths` list every route to each copy, as npm audit does (body-parser 1.20.1, installed once, is the
/// project's own and express's), and a package that many parents reach lists at most 20 routes and counts the rest.
#[test]
fn paths_list_every_route_to_each_copy() {
    let (_tmp, dir) = project("npm-express");
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &osv(), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let advisories = doc["advisories"].as_array().expect("advisories");
    let body_parser = advisories.iter().find(|a| a["package"] == "body-parser").expect("body-parser");
    let paths: Vec<&str> = body_parser["paths"].as_array().expect("paths").iter().filter_map(|p| p.as_str()).collect();
    assert!(paths.len() >= 2 && paths.iter().any(|p| p.contains("express@")), "{paths:?}");
    assert_eq!(body_parser["paths_omitted"], 0);

    // 25 packages depend on one copy of qs 6.5.2: 20 routes listed, 5 counted.
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut deps = serde_json::Map::new();
    let mut packages = serde_json::Map::new();
    for i in 0..25 {
        deps.insert(format!("p{i}"), "1.0.0".into());
        packages.insert(
            format!("node_modules/p{i}"),
            serde_json::json!({ "version": "1.0.0", "dependencies": { "qs": "~6.5.2" } }),
        );
    }
    packages.insert("node_modules/qs".into(), serde_json::json!({ "version": "6.5.2" }));
    packages.insert("".into(), serde_json::json!({ "name": "many", "version": "1.0.0", "dependencies": deps }));
    let lock = serde_json::json!({ "name": "many", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
        "packages": packages });
    let manifest = serde_json::json!({ "name": "many", "version": "1.0.0", "dependencies": deps });
    std::fs::write(tmp.path().join("package.json"), manifest.to_string()).expect("write");
    std::fs::write(tmp.path().join("package-lock.json"), lock.to_string()).expect("write");
    let out = express_harden(tmp.path(), &["--only", "advisories", "--advisories", &osv(), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let qs = doc["advisories"].as_array().and_then(|a| a.iter().find(|a| a["package"] == "qs")).expect("qs");
    let paths = qs["paths"].as_array().expect("paths");
    assert_eq!(paths.len(), 20, "{paths:?}");
    assert_eq!(paths[0], "many > p0@1.0.0 > qs@6.5.2");
    assert_eq!(qs["paths_omitted"], 5);
}

/// The Express 3 -> 4 migration raises express to 4.22.3, which no longer depends on connect 2, body-parser 1.13,
/// send 0.13 and the rest of Express 3's tree: the debug 2.2.0, mime 1.3.4, ms 0.7.1 and on-headers 1.0.2 that only
/// they install leave with it, so no override is planned for them (`tests/e2e/express3-app`, its lockfile made
/// by npm for `~3.21.2`, `tests/advisories/express3-lock`; ms is known to leave once the registry says what debug 2.6.9 depends on, with --lockfile). Without the migration (`--only advisories`, express stays on 3) the overrides are still
/// planned. After `--write --lockfile` (the real npm) the lockfile installs none of those versions, and a second run
/// reports none of them. Needs npm and the registry.
#[test]
fn packages_whose_parents_all_leave_with_a_raise_need_no_fix() {
    let (_tmp, dir) = copy_of("tests/e2e", "express3-app");
    std::fs::remove_file(dir.join("EXPECTED-app.js")).expect("remove");
    std::fs::copy(
        Path::new(REPO).join("tests/advisories/express3-lock/package-lock.json"),
        dir.join("package-lock.json"),
    )
    .expect("lockfile");
    let json = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["--advisories", "bundled", "--format", "json"];
        args.extend(extra);
        let out = express_harden(&dir, &args);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let overrides = |doc: &serde_json::Value| -> Vec<String> {
        doc["dependency_changes"]
            .as_array()
            .expect("changes")
            .iter()
            .filter(|d| d["section"] == "overrides")
            .map(|d| d["package"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    // (ms 0.7.1 is also under debug 2.2.0, which express 4.22.3 replaces with debug 2.6.9: what that one depends on
    // is the registry's, asked with --lockfile; offline, ms stays reported.)
    let offline = json(&[]);
    let online = json(&["--lockfile"]);
    assert_eq!(overrides(&offline), Vec::<String>::new(), "{offline:#}");
    assert_eq!(overrides(&online), Vec::<String>::new(), "{online:#}");
    for (package, version, doc) in [
        ("debug", "2.2.0", &offline),
        ("mime", "1.3.4", &offline),
        ("on-headers", "1.0.2", &offline),
        ("ms", "0.7.1", &online),
    ] {
        let found: Vec<&serde_json::Value> = doc["advisories"]
            .as_array()
            .expect("advisories")
            .iter()
            .filter(|a| a["package"] == package && a["installed"] == version)
            .collect();
        assert!(!found.is_empty(), "{package}");
        for a in found {
            assert_eq!(a["fix"]["kind"], "bump", "{a:#}");
            assert_eq!(
                a["fix"]["description"],
                format!(
                    "Every package that depends on {package} {version} leaves the tree with this run's raises \
                     (express is raised to 4.22.3): it needs no fix of its own"
                ),
            );
        }
    }
    // Express stays on 3: its tree stays, and so do the overrides.
    let doc = json(&["--only", "advisories"]);
    let kept = overrides(&doc);
    assert!(kept.contains(&"debug@2.x".to_string()) && kept.contains(&"on-headers@1.x".to_string()), "{kept:?}");

    let out = express_harden(&dir, &["--advisories", "bundled", "--write", "--allow-no-vcs", "--lockfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest = std::fs::read_to_string(dir.join("package.json")).expect("manifest");
    assert!(!manifest.contains("\"overrides\""), "{manifest}");
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package-lock.json")).expect("lockfile")).expect("json");
    let installed: Vec<String> = lock["packages"]
        .as_object()
        .expect("packages")
        .iter()
        .filter_map(|(path, p)| Some(format!("{}@{}", path.rsplit("node_modules/").next()?, p["version"].as_str()?)))
        .collect();
    for gone in ["debug@2.2.0", "mime@1.3.4", "ms@0.7.1", "on-headers@1.0.2"] {
        assert!(!installed.contains(&gone.to_string()), "{gone}: {installed:?}");
    }
    let again = json(&["--only", "advisories"]);
    for a in again["advisories"].as_array().expect("advisories") {
        let at =
            format!("{}@{}", a["package"].as_str().unwrap_or_default(), a["installed"].as_str().unwrap_or_default());
        assert!(!["debug@2.2.0", "mime@1.3.4", "ms@0.7.1", "on-headers@1.0.2"].contains(&at.as_str()), "{at}");
    }
}

/// pnpm's lockfile records no range between packages (`tests/advisories/pnpm-transitive-app`: request 2.88.0, which
/// declares qs ~6.5.2, with qs 6.5.2, fixed in 6.5.3). Offline, with nothing installed, the range is not known: the
/// finding says so (not "outside what its parents declare") and the override stays the fix. With the project
/// installed (the real pnpm), request's own package.json in node_modules/.pnpm gives `~6.5.2`, and with `--lockfile`
/// the registry does: the fix is a lockfile refresh, as for npm and Yarn 1, which `--write --lockfile` runs (`pnpm
/// update qs --lockfile-only --no-save`): qs 6.5.x, no `pnpm.overrides` entry for it (which would force qs 6.17 under
/// request), a lockfile `pnpm install --frozen-lockfile` accepts, and a second run finds no qs advisory. Needs pnpm
/// and the registry.
#[test]
fn pnpm_transitive_packages_are_refreshed_inside_their_parents_declared_range() {
    let (_tmp, dir) = app("pnpm-transitive-app");
    // qs 6.5.3 is affected by GHSA-6rw7-vpxm-498p too, fixed only in 6.14.1, outside request's ~6.5.2: this test is
    // about the refresh inside the range, so it reads only the records it is about.
    let records = osv_only(&["GHSA-hrpp-h998-j3pp", "GHSA-fjxv-7rqg-78g4"]);
    let source = records.path().display().to_string();
    let qs = |text: &str| -> String {
        text.lines().find(|l| l.starts_with("GHSA-hrpp-h998-j3pp qs@6.5.2")).unwrap_or_default().to_string()
    };
    let (code, text) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        qs(&text).contains(
            "fix=override: Whether 6.5.3 is inside what its parents declare is not known (request@2.88.0 declares a \
             range the lockfile does not record: pnpm-lock.yaml records no range between packages, node_modules does \
             not have the parent installed, and the registry is asked only with --lockfile), on the line of the \
             installed version: `pnpm.overrides` forces the copies of qs on 6.x to ^6.5.3"
        ),
        "{text}"
    );
    let refresh = "fix=lockfile-refresh: 6.5.3 fits the ranges its parents declare: the lockfile moves it (`pnpm \
                   update qs --lockfile-only --no-save --ignore-scripts`, run by --write --lockfile)";
    let pnpm = |args: &[&str]| run_pnpm(&dir, args);
    // Installed: request's package.json says.
    pnpm(&["install", "--frozen-lockfile", "--ignore-scripts"]);
    let (code, text) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(qs(&text).contains(refresh), "{text}");
    assert!(!text.contains("change package.json pnpm.overrides qs"), "{text}");
    std::fs::remove_dir_all(dir.join("node_modules")).expect("remove node_modules");
    // Not installed, --lockfile: the registry says.
    let (code, text) = audit_from(&dir, &source, &["--lockfile"]);
    assert_eq!(code, 0, "{text}");
    assert!(qs(&text).contains(refresh), "{text}");

    let out = express_harden(
        &dir,
        &["--only", "advisories", "--advisories", &source, "--write", "--allow-no-vcs", "--lockfile"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("refreshed pnpm-lock.yaml for qs ("), "{stdout}");
    let manifest = std::fs::read_to_string(dir.join("package.json")).expect("manifest");
    assert!(!manifest.contains("\"qs"), "{manifest}");
    let lock = std::fs::read_to_string(dir.join("pnpm-lock.yaml")).expect("lockfile");
    let locked: Vec<&str> = lock.lines().filter(|l| l.starts_with("  qs@")).collect();
    assert!(
        !locked.is_empty() && locked.iter().all(|l| l.starts_with("  qs@6.5.") && !l.starts_with("  qs@6.5.2")),
        "{lock}"
    );
    pnpm(&["install", "--frozen-lockfile", "--lockfile-only", "--ignore-scripts"]);
    let (code, again) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{again}");
    assert!(!again.contains(" qs@"), "{again}");
}

/// `--fail-on medium` is `moderate`, as the configuration's `failOn` and OSV records say.
#[test]
fn fail_on_takes_medium_as_the_configuration_does() {
    // (Two low advisories: low fails, moderate passes, and so does medium, which was refused before.)
    let (_tmp, dir) = project("npm-v3");
    let codes = ["low", "moderate", "medium"].map(|level| audit(&dir, &["--check", "--fail-on", level]).0);
    assert_eq!(codes, [1, 0, 0]);
}

/// A pnpm workspace without a lockfile (git ignores it) is installed with pnpm at its root: the next step does not
/// say `npm install` in the member, which fails on `workspace:` versions.
#[test]
fn without_a_lockfile_the_next_step_names_the_workspaces_package_manager() {
    let (_tmp, dir) = scratch("ws", r#"{ "name": "ws-root", "private": true, "packageManager": "pnpm@9.15.9" }"#);
    std::fs::write(dir.join("pnpm-workspace.yaml"), "packages:\n  - 'packages/*'\n").expect("write");
    std::fs::create_dir_all(dir.join("packages/site")).expect("mkdir");
    std::fs::write(
        dir.join("packages/site/package.json"),
        r#"{ "name": "site", "dependencies": { "express": "4.18.2", "util": "workspace:^" } }"#,
    )
    .expect("write");
    std::fs::write(dir.join("packages/site/app.js"), "const express = require('express');\nexpress().listen(3000);\n")
        .expect("write");
    let out = express_harden(&dir, &["--only", "express-version", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("install the changed packages (express@4.22.3): run `pnpm install` in .\n"), "{stderr}");
}

/// With two lockfiles (a project and a subproject of its own), the markdown table says which installs each copy
/// (the rows are otherwise the same); with one, it has no such column. Its fix column says `bump`, as JSON's
/// `fix.kind` does.
#[test]
fn the_markdown_table_names_the_lockfile_when_there_are_several() {
    let (_tmp, dir) = project("npm-v3");
    let table = |dir: &Path| {
        let out = express_harden(dir, &["--only", "advisories", "--advisories", &osv(), "--format", "markdown"]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let rows: Vec<String> = text
            .lines()
            .skip_while(|l| *l != "## Known advisories")
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| l.split(" | [").next().unwrap_or_default().to_string())
            .collect();
        rows
    };
    assert_eq!(
        table(&dir)[..3],
        [
            "| severity | package | installed | patched | advisory | the code | fix |",
            "|---|---|---|---|---|---|---|",
            "| low | `cookie` | 0.3.1 | 0.7.0"
        ]
    );
    copy_dir(&Path::new(REPO).join("tests/inventory/npm-v2"), &dir.join("sub"));
    assert_eq!(
        table(&dir),
        [
            "| severity | package | installed | lockfile | patched | advisory | the code | fix |",
            "|---|---|---|---|---|---|---|---|",
            "| low | `cookie` | 0.3.1 | package-lock.json | 0.7.0",
            "| low | `cookie` | 0.4.1 | package-lock.json | 0.7.0",
            "| low | `cookie` | 0.3.1 | sub/package-lock.json | 0.7.0",
            "| low | `cookie` | 0.4.1 | sub/package-lock.json | 0.7.0",
        ]
    );

    let (_tmp, dir, source) = axios_app("mixed-case");
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &source, "--format", "markdown"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("| unknown | bump: axios is raised to 0.21.2 in package.json |"), "{text}");
}

/// A summary that ends its sentence (GitHub's "Remote code execution via the `pretty` option.") is not followed by a
/// second period.
#[test]
fn a_summarys_period_is_not_doubled() {
    let (_tmp, dir, _) = axios_app("mixed-case");
    let records = tempfile::tempdir().expect("tempdir");
    let record = Path::new(REPO).join("tests/advisories/axios-osv/mixed-case/GHSA-cph5-m8f7-6c5x.json");
    let text = std::fs::read_to_string(record).expect("read");
    let text = text.replace("\"summary\": \"Incorrect Comparison in axios\"", "\"summary\": \"Incorrect Comparison.\"");
    std::fs::write(records.path().join("r.json"), text).expect("write");
    let source = records.path().display().to_string();
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &source, "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(high, CVE-2021-3749): Incorrect Comparison. Fixed in 0.21.2;"), "{stderr}");
}

/// A run whose only change is a lockfile refresh (Yarn 1, `"cookie-parser": "latest"` locked at 1.4.6) says it
/// changed the lockfile, not "changed no files".
#[test]
fn a_refresh_alone_is_a_changed_file() {
    let (_tmp, dir) = app("yarn1-star-app");
    let records = osv_only(&["GHSA-pxg6-pf52-xh8x"]);
    let source = records.path().display().to_string();
    let out = express_harden(
        &dir,
        &[
            "--only",
            "advisories",
            "--advisories",
            &source,
            "--write",
            "--allow-no-vcs",
            "--lockfile",
            "--color",
            "never",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.starts_with("express-harden: changed 1 lockfile\n"), "{stderr}");
}

/// npm workspaces: the root's express 4.18.2 and the member api's own `"body-parser": "1.20.1"` both install an affected
/// body-parser. The run raises express (4.22.0, for path-to-regexp; it depends on body-parser ~1.20.3) and, in the same
/// run, the member's own dependency, to 1.20.4, the first 1.20.x whose qs range admits 6.14.1 (GHSA-6rw7-vpxm-498p), as
/// its finding says: before, the member's raise came only on a second run, the first reporting body-parser as not
/// fixable.
#[test]
fn a_members_own_dependency_is_raised_in_the_run_that_raises_the_roots_parent() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("member-and-raised-parent");
    copy_dir(&Path::new(REPO).join("tests/advisories/member-and-raised-parent"), &dir);
    let (doc, changes) = json_audit(&dir);
    assert_eq!(
        changes,
        ["\"dependencies\" \"express\" -> \"4.22.0\"", "\"dependencies\" \"body-parser\" -> \"1.20.4\""],
        "{doc:#}"
    );
    let body_parser: Vec<String> = doc["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .filter(|a| a["package"] == "body-parser")
        .map(|a| format!("{}: {}", a["fix"]["kind"], a["fix"]["description"]))
        .collect();
    assert_eq!(
        body_parser,
        ["\"bump\": \"body-parser is raised to 1.20.4 in packages/api/package.json: past 1.20.3, to the first release of \
          its line that also depends on a fixed qs\""]
    );
}

/// Yarn 1 workspaces (`tests/advisories/yarn1-workspace-app`, lockfiles made by Yarn 1): the root's package.json lists
/// `packages/*`, its yarn.lock installs every member, and packages/api carries a yarn.lock of its own (from a
/// `yarn install` run outside the workspace), which Yarn 1 ignores in the workspace. The member's packages are audited
/// through the root's yarn.lock only; its own is named as ignored, neither audited nor written (found by the review:
/// it was audited as the member's lockfile, so every run planned fixes from it and `--check` failed forever).
#[test]
fn a_yarn_1_workspace_members_own_lockfile_is_ignored_as_yarn_ignores_it() {
    let (_tmp, dir) = app("yarn1-workspace-app");
    let out = express_harden(&dir, &["--only", "advisories"]);
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(output.contains(&ignored_lockfile("yarn.lock", "Yarn", "package.json")), "{output}");
    assert!(!output.contains("(packages/api/yarn.lock)"), "{output}");
    assert!(output.contains("body-parser@1.20.1 (yarn.lock)"), "{output}");
}

/// Express 4.17.1 under two parents, one pinning it exactly (`old`: `"express": "4.17.1"`) and one declaring
/// `^4.17.1`: express gets an override (`express@4.x`), and the packages under it (body-parser, qs, send, serve-static,
/// cookie, path-to-regexp) come with the release the override brings, with no override of their own (found by the
/// second review: they were overridden against the old express, forcing qs outside the new one's `~6.16.0`).
#[test]
fn packages_under_an_overridden_parent_come_with_its_new_release() {
    let (_tmp, dir) = app("order-override");
    let (doc, changes) = json_audit(&dir);
    assert_eq!(changes, ["\"overrides\" \"express@4.x\" -> \"^4.20.0\""], "{doc:#}");
    let fixes: Vec<String> = doc["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .filter(|a| a["package"] != "express")
        .map(|a| {
            format!("{} {}", a["package"].as_str().unwrap_or_default(), a["fix"]["kind"].as_str().unwrap_or_default())
        })
        .collect();
    assert!(!fixes.is_empty() && fixes.iter().all(|f| f.ends_with(" lockfile-refresh")), "{fixes:?}");
}

/// npm-shrinkwrap.json next to package-lock.json: npm installs from the shrinkwrap and ignores package-lock.json
/// (npm's docs: "If both package-lock.json and npm-shrinkwrap.json are present in a package root,
/// npm-shrinkwrap.json will be preferred"). The shrinkwrap locks ejs 3.1.6 (critical GHSA-phwq-j96m-2c2q), the
/// package-lock.json 3.1.10: the real `npm ci` installs 3.1.6, so the audit reads the shrinkwrap, `--check` fails,
/// and a warning names package-lock.json as ignored (before: package-lock.json was read and the gate passed). Needs
/// npm and the registry.
#[test]
fn npm_shrinkwrap_wins_over_package_lock() {
    let (_tmp, dir) = scratch("styles", r#"{ "name": "styles", "dependencies": { "ejs": "^3.1.6" } }"#);
    std::fs::write(dir.join("npm-shrinkwrap.json"), lockfile(&[("ejs", "^3.1.6", "3.1.6")])).expect("write");
    std::fs::write(dir.join("package-lock.json"), lockfile(&[("ejs", "^3.1.6", "3.1.10")])).expect("write");
    common::npm_ci(&dir);
    let installed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("node_modules/ejs/package.json")).expect("ejs"))
            .expect("json");
    assert_eq!(installed["version"], "3.1.6", "npm installs from npm-shrinkwrap.json");
    std::fs::remove_dir_all(dir.join("node_modules")).expect("rm");
    let (code, text) = audit(&dir, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("GHSA-phwq-j96m-2c2q ejs@3.1.6 -> 3.1.7 [critical] gate"), "{text}");
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &osv(), "--check"]);
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{output}");
    assert!(
        output.contains(
            "package.json:1:1: warning [advisories/ignored-lockfile] package-lock.json is ignored by npm: npm installs \
             from npm-shrinkwrap.json next to it; this file is neither read nor updated (delete it)"
        ),
        "{output}"
    );
}

/// A lockfile out of sync with package.json (ejs 3.1.6 added and cookie-parser removed by hand, the lockfile from
/// before): the real `npm ci` refuses it, so what will be installed is not what the lockfile says. A finding names
/// both packages and `--check` exits 2, as for an unreadable lockfile (before: "would change no files", exit 0 with
/// ejs 3.1.6, critical, in package.json). Once npm brings the lockfile in line, the finding is gone and ejs's advisory
/// is there. An empty yarn.lock of a project with a dependency is the same case. Needs npm and the registry.
#[test]
fn a_lockfile_out_of_sync_with_package_json_does_not_pass_the_gate() {
    let manifest = r#"{ "name": "styles", "dependencies": { "ms": "2.1.3", "ejs": "3.1.6" } }"#;
    let (_tmp, dir) = scratch("styles", manifest);
    std::fs::write(
        dir.join("package-lock.json"),
        lockfile(&[("ms", "2.1.3", "2.1.3"), ("cookie-parser", "1.4.6", "1.4.6")]),
    )
    .expect("write");
    let npm = |args: &[&str]| {
        std::process::Command::new("npm")
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("npm must be installed (scripts/test.sh installs it)")
    };
    let ci = npm(&["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--dry-run"]);
    assert!(!ci.status.success(), "npm ci accepts the lockfile: {}", String::from_utf8_lossy(&ci.stdout));
    let check = |dir: &Path| {
        let out = express_harden(dir, &["--only", "advisories", "--advisories", &osv(), "--check"]);
        (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let (code, output) = check(&dir);
    assert_eq!(code, Some(2), "{output}");
    assert!(
        output.contains(
            "package.json:1:54: warning [advisories/lockfile-out-of-sync] package-lock.json is out of sync with \
             package.json: package.json lists ejs 3.1.6 that the lockfile does not install; the lockfile installs \
             cookie-parser that package.json no longer lists. `npm ci` refuses it"
        ),
        "{output}"
    );
    assert!(output.contains("error: package.json --check cannot pass: the lockfile is not what will be installed"));
    let synced = npm(&["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"]);
    assert!(synced.status.success(), "{}", String::from_utf8_lossy(&synced.stderr));
    let (code, output) = check(&dir);
    assert_eq!(code, Some(1), "{output}");
    assert!(!output.contains("out of sync") && output.contains("ejs@3.1.6"), "{output}");

    let (_tmp, dir) = scratch("styles", manifest);
    std::fs::write(dir.join("yarn.lock"), "").expect("write");
    let (code, output) = check(&dir);
    assert_eq!(code, Some(2), "{output}");
    assert!(output.contains("yarn.lock is out of sync with package.json: package.json lists ms 2.1.3, ejs 3.1.6"));
}

/// A declared range raised past what the lockfile locks (as `--write` without `--lockfile` does): npm ci refuses
/// `express 4.22.3` when the lockfile has 4.21.2 ("Invalid: lock file's express@4.21.2 does not satisfy"), but
/// accepts `ms ^2.1.3` over a recorded `^2.1.1` since it locks 2.1.3; pnpm's frozen install refuses any changed
/// specifier, and `pnpm.overrides` that differ from the lockfile's `overrides:`. Each is an
/// `advisories/lockfile-out-of-sync` finding and `--check` exits 2 (before: nothing, the package being installed at
/// some version). The real npm and pnpm agree on each case (pnpm offline; npm from its cache, or the registry when
/// the cache lacks the metadata).
#[test]
fn a_raised_range_the_lockfile_does_not_satisfy_is_out_of_sync() {
    let run = |dir: &Path, program: &str, args: &[&str]| {
        let out = std::process::Command::new(program)
            .args(args)
            .current_dir(dir)
            .output()
            .expect("npm and pnpm must be installed (scripts/test.sh installs them)");
        (
            out.status.success(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };
    // (npm reads the raised package's metadata to say why the lockfile does not satisfy it: from its cache when it has
    // them, else from the registry; with `--offline` and a cold cache it fails with ENOTCACHED instead.)
    let npm_ci = ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--dry-run", "--prefer-offline"];
    let check = |dir: &Path| {
        let out = express_harden(dir, &["--only", "advisories", "--advisories", &osv(), "--check"]);
        (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let lock = lockfile(&[("ms", "^2.1.1", "2.1.3"), ("express", "4.21.2", "4.21.2")]);

    let (_tmp, dir) =
        scratch("styles", r#"{ "name": "styles", "dependencies": { "ms": "^2.1.3", "express": "4.21.2" } }"#);
    std::fs::write(dir.join("package-lock.json"), &lock).expect("write");
    let (ok, npm) = run(&dir, "npm", &npm_ci);
    assert!(ok, "npm ci accepts a range the locked version satisfies: {npm}");
    let (_, output) = check(&dir);
    assert!(!output.contains("out of sync"), "{output}");

    let (_tmp, dir) =
        scratch("styles", r#"{ "name": "styles", "dependencies": { "ms": "^2.1.3", "express": "4.22.3" } }"#);
    std::fs::write(dir.join("package-lock.json"), &lock).expect("write");
    let (ok, npm) = run(&dir, "npm", &npm_ci);
    assert!(!ok && npm.contains("express@4.21.2 does not satisfy express@4.22.3"), "{npm}");
    let (code, output) = check(&dir);
    assert_eq!(code, Some(2), "{output}");
    assert!(
        output.contains(
            "package.json:1:55: warning [advisories/lockfile-out-of-sync] package-lock.json is out of sync with \
             package.json: package.json lists express 4.22.3 (locked at 4.21.2) that the lockfile does not install. \
             `npm ci` refuses it"
        ),
        "{output}"
    );

    let pnpm_lock = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      ms:\n        specifier: ^2.1.1\n        \
                     version: 2.1.3\n\npackages:\n\n  ms@2.1.3:\n    resolution: {integrity: \
                     sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==}\n\n\
                     snapshots:\n\n  ms@2.1.3: {}\n";
    let pnpm_frozen = ["install", "--frozen-lockfile", "--offline", "--ignore-scripts"];
    let (_tmp, dir) = scratch("styles", r#"{ "name": "styles", "dependencies": { "ms": "^2.1.3" } }"#);
    std::fs::write(dir.join("pnpm-lock.yaml"), pnpm_lock).expect("write");
    let (ok, pnpm) = run(&dir, "pnpm", &pnpm_frozen);
    assert!(!ok && pnpm.contains("ERR_PNPM_OUTDATED_LOCKFILE"), "{pnpm}");
    let (code, output) = check(&dir);
    assert_eq!(code, Some(2), "{output}");
    assert!(
        output.contains(
            "pnpm-lock.yaml is out of sync with package.json: package.json lists ms ^2.1.3 (locked at 2.1.3) that the \
             lockfile does not install. `pnpm install --frozen-lockfile` refuses it"
        ),
        "{output}"
    );

    let (_tmp, dir) = scratch(
        "styles",
        r#"{ "name": "styles", "dependencies": { "ms": "^2.1.1" }, "pnpm": { "overrides": { "ms": "2.1.3" } } }"#,
    );
    std::fs::write(dir.join("pnpm-lock.yaml"), pnpm_lock).expect("write");
    let (ok, pnpm) = run(&dir, "pnpm", &pnpm_frozen);
    assert!(!ok && pnpm.contains("ERR_PNPM_LOCKFILE_CONFIG_MISMATCH"), "{pnpm}");
    let (code, output) = check(&dir);
    assert_eq!(code, Some(2), "{output}");
    assert!(
        output.contains(
            "pnpm-lock.yaml is out of sync with package.json: package.json's pnpm.overrides differ from the \
             lockfile's: ms 2.1.3. `pnpm install --frozen-lockfile` refuses it"
        ),
        "{output}"
    );
}

/// A project with dependencies and no lockfile (package-lock.json git-ignored): nothing installed can be checked. A
/// finding says so and names the command that makes one; with `"ejs": "3.1.6"` (critical GHSA-phwq-j96m-2c2q) the
/// declared range admits an affected version, so the finding is an error and `--check` exits 2, as npm audit stops
/// with ENOLOCK (before: no finding, exit 0). With `"ejs": "^3.1.10"` no known advisory at or above `--fail-on`
/// can be installed: a warning, and `--check` passes. Once the named command (real npm) makes the lockfile, the
/// finding is gone.
#[test]
fn a_project_without_a_lockfile_is_said_to_be_unaudited() {
    let check = |dir: &Path| {
        let out = express_harden(dir, &["--only", "advisories", "--advisories", &osv(), "--check"]);
        (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let (_tmp, dir) = scratch("styles", r#"{ "name": "styles", "dependencies": { "ejs": "2.7.4", "ms": "2.1.3" } }"#);
    let (code, output) = check(&dir);
    assert_eq!(code, Some(2), "{output}");
    let unaudited = "package.json:1:1: {} [advisories/no-lockfile] no lockfile: the versions an install of its 2 \
                     registry dependencies brings are unknown, and none was checked against known advisories; run \
                     `npm install --package-lock-only --ignore-scripts` in . to make one (and commit it)";
    assert!(
        output.contains(&format!(
            "{}; the fix, ejs 3.1.10, is a new major for `2.7.4` (its API may change): not raised; move to it by \
             hand, checking its changelog; what package.json declares admits affected versions: ejs 2.7.4 \
             (GHSA-phwq-j96m-2c2q critical): --check does not pass",
            unaudited.replace("{}", "error")
        )),
        "{output}"
    );

    let (_tmp, dir) = scratch("styles", r#"{ "name": "styles", "dependencies": { "ejs": "^3.1.10", "ms": "2.1.3" } }"#);
    let (code, output) = check(&dir);
    assert_eq!(code, Some(0), "{output}");
    assert!(output.contains(&format!("{}\n", unaudited.replace("{}", "warning"))), "{output}");
    let npm = std::process::Command::new("npm")
        .args(["install", "--package-lock-only", "--ignore-scripts"])
        .current_dir(&dir)
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)");
    assert!(npm.status.success(), "{}", String::from_utf8_lossy(&npm.stderr));
    let (code, output) = check(&dir);
    assert_eq!(code, Some(0), "{output}");
    assert!(!output.contains("no-lockfile"), "{output}");
}

/// Records without GitHub's severity (OSV's npm export): a malicious package (`MAL-`, no severity at all) is
/// critical; one with only a CVSS v3 vector gets the rating of its base score (9.8: critical); one with neither is
/// "severity unknown", said so, and fails `--check` at any `--fail-on` (before: all three counted as moderate, and
/// the default gate passed).
#[test]
fn a_record_without_githubs_severity_is_graded_by_its_cvss_vector_or_as_malware() {
    let records = tempfile::tempdir().expect("tempdir");
    let record = |id: &str, package: &str, extra: &str| {
        format!(
            r#"{{ "id": "{id}", "modified": "2099-01-01T00:00:00Z", "summary": "s", {extra}
               "affected": [{{ "package": {{ "ecosystem": "npm", "name": "{package}" }}, "versions": ["1.0.0"] }}] }}"#
        )
    };
    for (file, text) in [
        ("mal.json", record("MAL-2099-0001", "left-pad", "")),
        (
            "cvss.json",
            record(
                "GHSA-cvss-only-0001",
                "kind-of",
                r#""severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],"#,
            ),
        ),
        ("none.json", record("GHSA-none-0001", "ms", "")),
    ] {
        std::fs::write(records.path().join(file), text).expect("write");
    }
    let deps = [("left-pad", "1.0.0", "1.0.0"), ("kind-of", "1.0.0", "1.0.0"), ("ms", "1.0.0", "1.0.0")];
    let manifest: serde_json::Map<String, serde_json::Value> =
        deps.iter().map(|(name, range, _)| (name.to_string(), (*range).into())).collect();
    let (_tmp, dir) = scratch("styles", &serde_json::json!({ "name": "styles", "dependencies": manifest }).to_string());
    std::fs::write(dir.join("package-lock.json"), lockfile(&deps)).expect("write");
    let source = records.path().display().to_string();
    let (_, text) = audit_from(&dir, &source, &[]);
    let graded: Vec<&str> =
        text.lines().filter(|l| !l.starts_with(' ')).map(|l| l.split(" reach=").next().unwrap_or(l)).collect();
    assert_eq!(
        graded,
        [
            "GHSA-cvss-only-0001 kind-of@1.0.0 -> none [critical] gate package.json:1",
            "MAL-2099-0001 left-pad@1.0.0 -> none [critical] gate package.json:1",
            "GHSA-none-0001 ms@1.0.0 -> none [unknown] gate package.json:1",
        ],
        "{text}"
    );
    let out =
        express_harden(&dir, &["--only", "advisories", "--advisories", &source, "--check", "--fail-on", "critical"]);
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{output}");
    assert!(
        output.contains("GHSA-none-0001 (severity unknown: the record gives none, and --check counts it as failing)"),
        "{output}"
    );
}

/// A peer dependency npm installs (mongoose 6.12.0, peer of mongoose-unique-validator 3.1.0: `"peer": true` in the
/// lockfile made by the real npm), affected by GHSA-vg7j-7cwx-8wgw, fixed on 8.x only. The registry's
/// `peerDependencies` count as what a release depends on (3.1.0 declares mongoose ^6.0.0), and a raise to the
/// installed release is never a fix: nothing is planned, and the finding says which parent to raise (before, with the
/// registry read: "mongoose-unique-validator is raised to 3.1.0, which no longer depends on mongoose", planned again
/// every run while nothing changed). Needs npm and the registry.
#[test]
fn a_peer_dependency_is_a_dependency_of_its_parent_and_no_raise_to_the_installed_release_is_planned() {
    let (_tmp, dir) =
        scratch("styles", r#"{ "name": "styles", "dependencies": { "mongoose-unique-validator": "3.1.0" } }"#);
    let npm = std::process::Command::new("npm")
        .args(["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)");
    assert!(npm.status.success(), "{}", String::from_utf8_lossy(&npm.stderr));
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package-lock.json")).expect("lock")).expect("json");
    assert_eq!(lock["packages"]["node_modules/mongoose"]["peer"], true, "{lock:#}");
    let (code, text) = audit(&dir, &["--lockfile"]);
    assert_eq!(code, 0, "{text}");
    let line = text.lines().find(|l| l.starts_with("GHSA-vg7j-7cwx-8wgw mongoose@")).expect("the advisory");
    assert!(
        line.contains(" fix=none: ")
            && line.contains("mongoose-unique-validator@3.1.0 declares ^6.0.0")
            && !line.contains("is raised to 3.1.0"),
        "{text}"
    );
    assert!(!text.contains("\nchange "), "{text}");
}

/// The project's own override installs a package from a source that is no registry version (`"qs":
/// "file:vendor/qs-6.5.2.tgz"`, a patched fork as hackathon-starter's `github:` overrides): nothing a refresh, raise
/// or override of this tool does can move it (before: a lockfile refresh, `npm update qs`, planned every run). The
/// finding names that entry, nothing is planned, `--write --lockfile` changes no file, and a second run says the same. Lockfile made by the real npm; needs
/// npm and the registry.
#[test]
fn an_override_to_a_non_registry_source_is_named_and_nothing_is_planned() {
    let manifest = r#"{
  "name": "styles",
  "dependencies": { "superagent": "3.8.3" },
  "overrides": { "qs": "file:vendor/qs-6.5.2.tgz" }
}
"#;
    let (_tmp, dir) = scratch("styles", manifest);
    std::fs::create_dir(dir.join("vendor")).expect("mkdir");
    let npm = |args: &[&str], at: &Path| {
        let out = std::process::Command::new("npm")
            .args(args)
            .current_dir(at)
            .output()
            .expect("npm must be installed (scripts/test.sh installs it)");
        assert!(out.status.success(), "npm {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    npm(&["pack", "qs@6.5.2", "--silent"], &dir.join("vendor"));
    npm(&["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], &dir);
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package-lock.json")).expect("lock")).expect("json");
    assert_eq!(lock["packages"]["node_modules/qs"]["resolved"], "file:vendor/qs-6.5.2.tgz", "{lock:#}");
    let before = [std::fs::read(dir.join("package.json")), std::fs::read(dir.join("package-lock.json"))];
    for run in 0..2 {
        if run == 1 {
            let write = ["--only", "advisories", "--advisories", &osv(), "--write", "--allow-no-vcs", "--lockfile"];
            let out = express_harden(&dir, &write);
            assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
            let after = [std::fs::read(dir.join("package.json")), std::fs::read(dir.join("package-lock.json"))];
            assert!(before.iter().zip(&after).all(|(b, a)| b.as_ref().ok() == a.as_ref().ok()), "files changed");
        }
        let (code, text) = audit(&dir, &["--lockfile"]);
        assert_eq!(code, 0, "{text}");
        let line = text.lines().find(|l| l.starts_with("GHSA-hrpp-h998-j3pp qs@6.5.2")).expect("the advisory");
        assert!(
            line.ends_with(
                "fix=none: package.json's own `overrides` entry `\"qs\": \"file:vendor/qs-6.5.2.tgz\"` installs qs \
                 6.5.2 from a local path, not from the registry: nothing is planned, and nothing else can move qs \
                 while it stays; point it at 6.14.1 or later, or remove it, by hand"
            ),
            "{text}"
        );
        assert!(!text.contains("\nchange "), "{text}");
    }
}

/// `--advisories PATH` that is osv-scanner's offline cache (`{dir}/osv-scanner/npm/all.zip`) reads the zip inside,
/// as from the zip itself; a folder that holds no npm record is refused (exit 2, naming it) instead of a gate that
/// passes on no advisories; a folder named `osv` or `npm` next to the keyword is refused too (the keyword would send
/// the project's names over the network), and `./npm` reads it.
#[test]
fn an_advisory_path_reads_osv_scanners_cache_and_refuses_one_without_records() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    std::fs::create_dir_all(cache.join("osv-scanner/npm")).expect("mkdir");
    zip_of_records(&cache.join("osv-scanner/npm/all.zip"));
    assert_eq!(express_harden_bin::load(&cache), express_harden_bin::load(Path::new(&osv())));
    let (_p, dir) = project("npm-v3");
    let (code, from_cache) = audit_from(&dir, &cache.display().to_string(), &[]);
    assert_eq!(code, 0, "{from_cache}");
    assert_eq!(from_cache, audit(&dir, &[]).1);
    assert!(from_cache.contains("GHSA-"), "{from_cache}");

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &empty.display().to_string(), "--check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty: holds no OSV record of an npm package"));

    copy_dir(Path::new(&osv()), &dir.join("npm"));
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", "npm", "--check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "--advisories npm asks the npm registry over the network, but a folder `npm` is here too: write `./npm`"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, local) = audit_from(&dir, "./npm", &[]);
    assert_eq!((code, &local), (0, &from_cache));
}

/// An exact prerelease pin (`"multer": "2.0.0-rc.4"`) is raised to an exact version (2.2.0, which fixes
/// GHSA-72gw-mp4g-v24j and GHSA-3p4h-7m6x-2hcm too), as an exact `1.4.4` is: the author's style is kept (before:
/// `"^2.0.2"`).
#[test]
fn an_exact_prerelease_pin_stays_exact() {
    let (_tmp, dir) = scratch("styles", r#"{ "name": "styles", "dependencies": { "multer": "2.0.0-rc.4" } }"#);
    std::fs::write(dir.join("package-lock.json"), lockfile(&[("multer", "2.0.0-rc.4", "2.0.0-rc.4")])).expect("write");
    let (code, text) = audit(&dir, &[]);
    assert_eq!(code, 0, "{text}");
    let changes: Vec<&str> = text.lines().filter(|l| l.starts_with("change ")).collect();
    assert_eq!(changes, ["change package.json dependencies multer 2.0.0-rc.4 -> 2.2.0"], "{text}");
}

/// A yarn.lock with merge-conflict markers is unreadable, said in plain words with the line (before: the parser's
/// "Nom(Fail) at `descriptor does not end with : followed by newline`"); `--check` exits 2.
#[test]
fn a_lockfile_with_merge_conflict_markers_is_named_as_such() {
    let (_tmp, dir) = scratch("styles", r#"{ "name": "styles", "dependencies": { "ejs": "3.1.6" } }"#);
    let conflicted = "# yarn lockfile v1\n\n\n<<<<<<< HEAD\nejs@3.1.6:\n  version \"3.1.6\"\n=======\nejs@3.1.10:\n  \
                      version \"3.1.10\"\n>>>>>>> other\n";
    std::fs::write(dir.join("yarn.lock"), conflicted).expect("write");
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &osv(), "--check"]);
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{output}");
    assert!(
        output.contains(
            "[advisories/unreadable-lockfile] yarn.lock: has git merge-conflict markers (line 4): resolve the \
             conflict, or run the package manager's install to rewrite it"
        ),
        "{output}"
    );
}

/// An advisory about two installed packages (lodash and lodash-es, one GHSA) is one SARIF rule, and its short
/// description and help name both (before: only the first, "Command Injection in lodash (lodash)" for lodash-es too).
#[test]
fn a_sarif_rule_shared_by_two_packages_names_both() {
    let records = tempfile::tempdir().expect("tempdir");
    let affected =
        |name: &str| serde_json::json!({ "package": { "ecosystem": "npm", "name": name }, "versions": ["4.17.20"] });
    let record = serde_json::json!({
        "id": "GHSA-shar-ed00-0001", "modified": "2099-01-01T00:00:00Z", "summary": "Command Injection in lodash",
        "database_specific": { "severity": "HIGH" }, "affected": [affected("lodash"), affected("lodash-es")]
    });
    std::fs::write(records.path().join("r.json"), record.to_string()).expect("write");
    let deps = [("lodash", "4.17.20", "4.17.20"), ("lodash-es", "4.17.20", "4.17.20")];
    let manifest: serde_json::Map<String, serde_json::Value> =
        deps.iter().map(|(name, range, _)| (name.to_string(), (*range).into())).collect();
    let (_tmp, dir) = scratch("styles", &serde_json::json!({ "name": "styles", "dependencies": manifest }).to_string());
    std::fs::write(dir.join("package-lock.json"), lockfile(&deps)).expect("write");
    let source = records.path().display().to_string();
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &source, "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let rules: Vec<&serde_json::Value> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter(|r| r["id"] == "GHSA-shar-ed00-0001")
        .collect();
    assert_eq!(rules.len(), 1, "{log:#}");
    assert_eq!(rules[0]["shortDescription"]["text"], "Command Injection in lodash (lodash, lodash-es)");
    assert!(rules[0]["help"]["text"].as_str().unwrap_or_default().contains("affects lodash, lodash-es before"));
}

/// A package-lock.json (v3) of `deps` (the project's: name, range, version) and `nested` (location, version,
/// dependencies).
fn lock_with(deps: &[(&str, &str, &str)], nested: &[(&str, &str, serde_json::Value)]) -> serde_json::Value {
    let mut packages = serde_json::Map::new();
    let root: serde_json::Map<String, serde_json::Value> =
        deps.iter().map(|(name, range, _)| (name.to_string(), (*range).into())).collect();
    packages.insert(String::new(), serde_json::json!({ "name": "app", "dependencies": root }));
    for (name, _, version) in deps {
        packages.insert(format!("node_modules/{name}"), serde_json::json!({ "version": version }));
    }
    for (location, version, dependencies) in nested {
        packages.insert(location.to_string(), serde_json::json!({ "version": version, "dependencies": dependencies }));
    }
    serde_json::json!({ "name": "app", "lockfileVersion": 3, "requires": true, "packages": packages })
}

/// Review rv12-15, problem 6: a fix that is only a lockfile refresh (`"lodash": "^4.17.20"` locked at 4.17.20) is a
/// planned change of the lockfile: the summary counts it (and names it), the next steps say how to apply it (JSON
/// `next_steps` too), and the pull-request body does not say "Nothing to change" above it.
#[test]
fn a_refresh_only_fix_is_a_planned_change_of_the_lockfile() {
    let (_tmp, dir) = scratch("refresh", r#"{ "name": "app", "dependencies": { "lodash": "^4.17.20" } }"#);
    let lock = lock_with(&[("lodash", "^4.17.20", "4.17.20")], &[]);
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    std::fs::write(dir.join("app.js"), "const _ = require('lodash');\nmodule.exports = _.template('x');\n")
        .expect("write");
    let step = "refresh package-lock.json to fix lodash 4.17.20 -> 4.17.21: run express-harden again with --write \
                --lockfile (it runs the package manager's lockfile-only update of lodash)";

    let out = express_harden(&dir, &["--only", "advisories"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.starts_with("express-harden: would change 1 lockfile with --lockfile\n"), "{stderr}");
    assert!(
        stderr.contains(
            "\n  package-lock.json: lockfile refresh planned (lodash 4.17.20 -> 4.17.21), made by --write --lockfile\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("next steps:\n  - {step}\n")), "{stderr}");

    let (doc, changes) = json_audit(&dir);
    assert_eq!(changes, Vec::<String>::new());
    assert_eq!(doc["next_steps"], serde_json::json!([step]), "{doc:#}");

    let out = express_harden(&dir, &["--only", "advisories", "--format", "markdown"]);
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.starts_with("# express-harden: security fixes in 1 file\n\n"), "{body}");
    assert!(!body.contains("Nothing to change"), "{body}");
    assert!(
        body.contains(
            "`package-lock.json`: lockfile refresh planned (lodash 4.17.20 -&gt; 4.17.21), made by `express-harden \
             --write --lockfile`."
        ),
        "{body}"
    );
    assert!(body.contains(&format!("- [ ] {step}")), "{body}");

    // --write without --lockfile changes no file, and says the refresh was not applied.
    let out = express_harden(&dir, &["--only", "advisories", "--write", "--allow-no-vcs"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("express-harden: changed no files\n"), "{stderr}");
    assert!(
        stderr.contains(
            "\n  package-lock.json: lockfile refresh not applied (lodash 4.17.20 -> 4.17.21): needs --lockfile\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("  - {step}\n")), "{stderr}");
}

/// mkdirp 0.5.1 pins minimist 0.0.8 (review rv12-15, problems 5 and 8). mkdirp's releases are not in the bundled
/// parents table: the dry run (which does not ask the registry) says that --lockfile may plan a raise of it, in the
/// finding and in the next steps. And used only in a file that names nothing the prefilter watches (`mk.js`), mkdirp
/// makes minimist's advisory "unknown", as it does in a file the run reads: never "not called". Such a file counts
/// only where it names mkdirp.
#[test]
fn a_parent_known_only_to_the_registry_and_one_used_in_an_unread_file_are_said() {
    let manifest = r#"{ "name": "app", "dependencies": { "express": "4.22.1", "mkdirp": "0.5.1" } }"#;
    let (_tmp, dir) = scratch("mk", manifest);
    let lock = lock_with(
        &[("express", "4.22.1", "4.22.1"), ("mkdirp", "0.5.1", "0.5.1")],
        &[("node_modules/minimist", "0.0.8", serde_json::json!({}))],
    );
    let mut lock = lock;
    lock["packages"]["node_modules/mkdirp"]["dependencies"] = serde_json::json!({ "minimist": "0.0.8" });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    std::fs::write(dir.join("app.js"), "const express = require('express');\nexpress().listen(3000);\n")
        .expect("write");
    std::fs::write(dir.join("mk.js"), "require('mkdirp').sync(process.argv[2]);\n").expect("write");
    let (doc, _) = json_audit(&dir);
    let minimist: Vec<&serde_json::Value> =
        doc["advisories"].as_array().expect("advisories").iter().filter(|a| a["package"] == "minimist").collect();
    assert!(!minimist.is_empty(), "{doc:#}");
    for a in &minimist {
        assert_eq!(a["reachability"], "unknown", "{a:#}");
        assert_eq!(
            a["reachability_reason"],
            "no module the run read uses minimist() itself, but the project depends on mkdirp, which may, and 1 file \
             it did not read (naming no package it watches) may use mkdirp",
            "{a:#}"
        );
        let fix = a["fix"]["description"].as_str().unwrap_or_default();
        assert!(
            fix.ends_with(
                "the releases of mkdirp are not in the bundled table and were not looked up: --lockfile asks the \
                 registry and may plan that raise (run with --lockfile to see it before --write --lockfile)"
            ),
            "{fix}"
        );
    }
    let steps: Vec<&str> = doc["next_steps"].as_array().expect("steps").iter().filter_map(|s| s.as_str()).collect();
    assert_eq!(
        steps,
        ["the releases of mkdirp were not looked up (not in the bundled table; the registry is asked only with \
          --lockfile), so this plan may raise less than --write --lockfile does: run with --lockfile to see that plan"],
        "{doc:#}"
    );
    // A file the prefilter leaves unread that names no mkdirp (a script that only prints its arguments) cannot use it:
    // minimist's advisory is "not called" then.
    std::fs::write(dir.join("mk.js"), "console.log(process.argv.slice(2).join(' '));\n").expect("write");
    let (doc, _) = json_audit(&dir);
    let reasons: Vec<String> = doc["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .filter(|a| a["package"] == "minimist")
        .map(|a| format!("{} ({})", a["reachability"].as_str().unwrap_or_default(), a["reachability_reason"]))
        .collect();
    assert!(!reasons.is_empty(), "{doc:#}");
    for reason in reasons {
        assert_eq!(reason, "not-called (\"no module uses minimist()\")");
    }
}

/// Review rv12-15, problem 7: passport's session-fixation advisory concerns the login, which passport defines as
/// `req.login` and `req.logIn` (`req.logout` and `req.logOut`), and which `passport.authenticate(...)` does itself:
/// each of them makes it "called".
#[test]
fn passports_login_is_called_in_every_spelling_and_through_authenticate() {
    let manifest = r#"{ "name": "login", "dependencies": { "express": "4.22.1", "passport": "0.4.0" } }"#;
    let lock = lock_with(&[("express", "4.22.1", "4.22.1"), ("passport", "0.4.0", "0.4.0")], &[]);
    let head = "const express = require('express');\nconst passport = require('passport');\nconst app = express();\n";
    for (code, reason) in [
        ("app.post('/login', passport.authenticate('local', { successRedirect: '/' }));\n", "passport.authenticate"),
        ("app.post('/logout', (req, res) => { req.logOut(); res.redirect('/'); });\n", "req.logOut"),
        ("app.post('/in', (req, res, next) => req.logIn(req.body, next));\n", "req.logIn"),
        ("app.post('/in', (req, res, next) => req.login(req.body, next));\n", "req.login"),
    ] {
        let (_tmp, dir) = scratch("login", manifest);
        std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
        std::fs::write(dir.join("app.js"), format!("{head}{code}")).expect("write");
        let (doc, _) = json_audit(&dir);
        let a = doc["advisories"]
            .as_array()
            .expect("advisories")
            .iter()
            .find(|a| a["id"] == "GHSA-v923-w3x8-wh69")
            .unwrap_or_else(|| panic!("{doc:#}"))
            .clone();
        assert_eq!((a["reachability"].as_str(), a["reachability_reason"].as_str()), (Some("called"), Some(reason)));
    }
    // Neither: not called.
    let (_tmp, dir) = scratch("login", manifest);
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    std::fs::write(dir.join("app.js"), format!("{head}app.use(passport.initialize());\n")).expect("write");
    let (doc, _) = json_audit(&dir);
    let a = doc["advisories"].as_array().expect("advisories").iter().find(|a| a["id"] == "GHSA-v923-w3x8-wh69");
    assert_eq!(a.map(|a| a["reachability"].clone()), Some("not-called".into()), "{doc:#}");
}

/// Review rv12-15, problem 9b: an advisory whose `api` is `import` says "imports <package>", not "uses import".
#[test]
fn an_import_advisory_says_imports_the_package() {
    let manifest = r#"{ "name": "spawn", "dependencies": { "cross-spawn": "7.0.3" } }"#;
    let lock = lock_with(&[("cross-spawn", "7.0.3", "7.0.3")], &[]);
    let (_tmp, dir) = scratch("spawn", manifest);
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    std::fs::write(dir.join("app.js"), "module.exports = 1;\n").expect("write");
    let (doc, _) = json_audit(&dir);
    let a = &doc["advisories"][0];
    assert_eq!(a["package"], "cross-spawn", "{doc:#}");
    assert_eq!(a["reachability_reason"], "no module imports cross-spawn", "{doc:#}");
}

/// An advisory that concerns the package itself (`api: import`, form-data's GHSA-fjxv) reads right in the finding
/// whether the code imports it, imports only the dependency that brings it (axios), or neither: "uses" and "imports
/// form-data", never "calls what it concerns (import)".
#[test]
fn an_import_advisory_reads_right_in_the_finding() {
    let manifest = r#"{ "name": "fd", "dependencies": { "axios": "1.12.0" } }"#;
    let mut lock =
        lock_with(&[("axios", "1.12.0", "1.12.0")], &[("node_modules/form-data", "4.0.0", serde_json::json!({}))]);
    lock["packages"]["node_modules/axios"]["dependencies"] = serde_json::json!({ "form-data": "^4.0.0" });
    let said = |code: &str| {
        let (_tmp, dir) = scratch("fd", manifest);
        std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
        std::fs::write(dir.join("app.js"), code).expect("write");
        let (doc, _) = json_audit(&dir);
        let message = doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["message"].as_str())
            .find(|m| m.contains("GHSA-fjxv-7rqg-78g4"))
            .unwrap_or_else(|| panic!("{doc:#}"))
            .to_string();
        let clause = message.split("Fixed in 4.0.4; ").nth(1).and_then(|rest| rest.split(". ").next());
        clause.unwrap_or_else(|| panic!("{message}")).to_string()
    };
    assert_eq!(said("module.exports = 1;\n"), "the code does not use what it concerns (no module imports form-data)");
    assert_eq!(
        said("const axios = require('axios');\nmodule.exports = () => axios.get('/x');\n"),
        "whether the code uses what it concerns is unknown (no module of the project imports form-data itself, but it \
         uses axios, which may)"
    );
    assert_eq!(
        said("const FormData = require('form-data');\nmodule.exports = () => new FormData();\n"),
        "the code uses what it concerns (a module imports form-data)"
    );
}

/// Review rv12-15, problem 2: in npm workspaces, a member's dependency on a sibling (`"@mono/util": "1.0.0"`) is
/// installed as a link to the sibling's folder: the lockfile is in sync (`npm ci` accepts it), and `--check` passes.
#[test]
fn a_workspace_sibling_is_installed_by_its_link() {
    let (_tmp, dir) = scratch("mono", r#"{ "name": "mono", "private": true, "workspaces": ["packages/*"] }"#);
    for (member, manifest) in [
        ("api", r#"{ "name": "@mono/api", "version": "1.0.0", "dependencies": { "@mono/util": "1.0.0" } }"#),
        ("util", r#"{ "name": "@mono/util", "version": "1.0.0" }"#),
    ] {
        std::fs::create_dir_all(dir.join("packages").join(member)).expect("mkdir");
        std::fs::write(dir.join("packages").join(member).join("package.json"), manifest).expect("write");
    }
    let lock = serde_json::json!({
        "name": "mono", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "mono", "workspaces": ["packages/*"] },
            "node_modules/@mono/api": { "resolved": "packages/api", "link": true },
            "node_modules/@mono/util": { "resolved": "packages/util", "link": true },
            "packages/api": { "name": "@mono/api", "version": "1.0.0", "dependencies": { "@mono/util": "1.0.0" } },
            "packages/util": { "name": "@mono/util", "version": "1.0.0" }
        }
    });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    let out = express_harden(&dir, &["--only", "advisories", "--check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("lockfile-out-of-sync"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");

    // By range, not by name: `*` admits the member's 1.0.0 and is linked; `^2.0.0` does not, and npm fetches it from
    // the registry instead, which this lockfile does not install. Checked with npm 11.19.1 on a real 2-member
    // workspace (a member `ms` at 1.0.0, listed by its sibling as `^1.0.0`, then `^2.0.0`, then `*`): `npm ci`
    // installs the first and the last, and refuses the second with EUSAGE, "`npm ci` can only install packages when
    // your package.json and package-lock.json or npm-shrinkwrap.json are in sync ... Missing: ms@2.1.3 from lock file"
    // (under a name the registry lacks, it fails with E404 instead).
    let api = |spec: &str| {
        let manifest =
            format!(r#"{{ "name": "@mono/api", "version": "1.0.0", "dependencies": {{ "@mono/util": "{spec}" }} }}"#);
        std::fs::write(dir.join("packages/api/package.json"), manifest).expect("write");
        let out = express_harden(&dir, &["--only", "advisories", "--check"]);
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (code, stderr) = api("*");
    assert!(!stderr.contains("lockfile-out-of-sync"), "{stderr}");
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = api("^2.0.0");
    assert!(
        stderr.contains(
            "packages/api/package.json lists @mono/util ^2.0.0 (the workspace's own @mono/util is 1.0.0) that the \
             lockfile does not install"
        ),
        "{stderr}"
    );
    assert_eq!(code, Some(2), "{stderr}");
    api("1.0.0");

    // Yarn 1 records no entry for a workspace (`yarn install --frozen-lockfile` accepts this one); a registry
    // dependency the lockfile misses is still out of sync.
    std::fs::remove_file(dir.join("package-lock.json")).expect("rm");
    std::fs::write(
        dir.join("yarn.lock"),
        "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n",
    )
    .expect("write");
    let out = express_harden(&dir, &["--only", "advisories", "--check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("lockfile-out-of-sync"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    std::fs::write(
        dir.join("packages/api/package.json"),
        r#"{ "name": "@mono/api", "version": "1.0.0", "dependencies": { "@mono/util": "1.0.0", "ms": "2.1.3" } }"#,
    )
    .expect("write");
    let out = express_harden(&dir, &["--only", "advisories", "--check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("lists ms 2.1.3 that the lockfile does not install"), "{stderr}");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
}

/// Each advisory of the JSON document as `package@installed kind: carriers`, the carriers being the
/// `dependency_changes` entries its `fix.dependency_changes` names, `manifest section package -> to` each.
fn carriers(dir: &Path, source: &str) -> Vec<String> {
    let out = express_harden(dir, &["--only", "advisories", "--advisories", source, "--format", "json"]);
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let changes = doc["dependency_changes"].as_array().expect("dependency_changes");
    doc["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .map(|a| {
            let by: Vec<String> = a["fix"]["dependency_changes"]
                .as_array()
                .expect("fix.dependency_changes")
                .iter()
                .map(|i| {
                    let d = &changes[i.as_u64().expect("an index") as usize];
                    format!(
                        "{} {} {} -> {}",
                        d["manifest"].as_str().unwrap_or_default(),
                        d["section"].as_str().unwrap_or_default(),
                        d["package"].as_str().unwrap_or_default(),
                        d["to"].as_str().unwrap_or_default()
                    )
                })
                .collect();
            format!(
                "{} {}@{} {}: {}",
                a["id"].as_str().unwrap_or_default(),
                a["package"].as_str().unwrap_or_default(),
                a["installed"].as_str().unwrap_or_default(),
                a["fix"]["kind"].as_str().unwrap_or_default(),
                by.join(", ")
            )
        })
        .collect()
}

/// The JSON `fix.dependency_changes` of each advisory names the `dependency_changes` entries that carry its fix (their
/// indices): the project's own dependency raised (ejs's two advisories share it), the parent raised for a package
/// under it (cookie-parser for cookie 0.4.1; express for cookie 0.5.0, path-to-regexp, send and serve-static as for
/// its own advisories, one entry for eight; qs 6.11.0 carried by both express and body-parser), an override, the project's pin moved on its line, a workspace member's
/// dependency raised in its own package.json; none for a lockfile refresh or an advisory left unfixed.
#[test]
fn a_fix_names_the_dependency_changes_that_carry_it() {
    let (_tmp, dir) = project("npm-express");
    assert_eq!(
        carriers(&dir, &osv()),
        [
            "GHSA-qwcr-r2fm-qrc7 body-parser@1.20.1 bump: package.json dependencies body-parser -> 1.20.4",
            "GHSA-pxg6-pf52-xh8x cookie@0.4.1 bump: package.json dependencies cookie-parser -> 1.4.7",
            "GHSA-pxg6-pf52-xh8x cookie@0.5.0 bump: package.json dependencies express -> 4.22.0",
            "GHSA-ghr5-ch3p-vcr6 ejs@3.1.6 bump: package.json dependencies ejs -> 3.1.10",
            "GHSA-phwq-j96m-2c2q ejs@3.1.6 bump: package.json dependencies ejs -> 3.1.10",
            "GHSA-qw6h-vgh9-j6wx express@4.18.2 bump: package.json dependencies express -> 4.22.0",
            "GHSA-rv95-896h-c2vc express@4.18.2 bump: package.json dependencies express -> 4.22.0",
            "GHSA-37ch-88jc-xwx2 path-to-regexp@0.1.7 bump: package.json dependencies express -> 4.22.0",
            "GHSA-9wv6-86v2-598j path-to-regexp@0.1.7 bump: package.json dependencies express -> 4.22.0",
            "GHSA-rhx6-c78j-4q9w path-to-regexp@0.1.7 bump: package.json dependencies express -> 4.22.0",
            "GHSA-6rw7-vpxm-498p qs@6.11.0 bump: package.json dependencies express -> 4.22.0, package.json dependencies \
             body-parser -> 1.20.4",
            "GHSA-m6fv-jmcg-4jfg send@0.18.0 bump: package.json dependencies express -> 4.22.0",
            "GHSA-cm22-4g7w-348p serve-static@1.15.0 bump: package.json dependencies express -> 4.22.0",
        ]
    );
    let (_tmp, dir) = override_app();
    let found = carriers(&dir, "bundled");
    assert!(
        found.iter().any(|l| l.ends_with("ws@7.2.5 override: package.json overrides ws@7.x -> ^7.5.10")),
        "{found:#?}"
    );
    assert!(found.iter().any(|l| l.ends_with("semver@7.2.3 none: ")), "{found:#?}");
    let (_tmp, dir) = app("pin-app");
    let found = carriers(&dir, "bundled");
    assert!(
        found
            .iter()
            .any(|l| l.ends_with("path-to-regexp@0.1.7 override: package.json overrides path-to-regexp -> 0.1.13")),
        "{found:#?}"
    );
    assert!(found.iter().any(|l| l.ends_with("cookie@0.4.1 none: ")), "{found:#?}");
    let (_tmp, dir) = app("workspace-app");
    assert_eq!(
        carriers(&dir, &osv()),
        [
            "GHSA-qwcr-r2fm-qrc7 body-parser@1.20.1 bump: packages/api/package.json dependencies body-parser -> 1.20.4",
            "GHSA-6rw7-vpxm-498p qs@6.11.0 bump: packages/api/package.json dependencies body-parser -> 1.20.4",
        ]
    );
    // A range that admits the fix: the lockfile moves it, and no package.json entry carries it.
    let (_tmp, dir) = scratch("refresh", r#"{ "name": "refresh", "dependencies": { "ejs": "^3.1.5" } }"#);
    std::fs::write(dir.join("package-lock.json"), lockfile(&[("ejs", "^3.1.5", "3.1.5")])).expect("write");
    assert_eq!(
        carriers(&dir, &osv()),
        ["GHSA-ghr5-ch3p-vcr6 ejs@3.1.5 lockfile-refresh: ", "GHSA-phwq-j96m-2c2q ejs@3.1.5 lockfile-refresh: "]
    );
}

/// A package call only in a file the run does not analyse is "unknown", never "not called", and the reason names the
/// file and why it was not read: one that does not parse, one over the size limit (`maxFileSize` 1K here), one that
/// looks minified. Without such a file, the same project's call is "not called". Such a file counts only where its
/// text names the package as a module specifier would (`'lodash'`, `"lodash/`): a minified bundle of browser code, or
/// a broken script, that names no lodash leaves "not called" as it is; a file that cannot be read as text (not UTF-8)
/// may use anything.
#[test]
fn a_call_only_in_a_file_the_run_sets_aside_is_unknown() {
    let manifest = r#"{ "name": "aside", "dependencies": { "lodash": "4.17.15" } }"#;
    let lock = serde_json::json!({
        "name": "aside", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "aside", "dependencies": { "lodash": "4.17.15" } },
            "node_modules/lodash": { "version": "4.17.15" }
        }
    });
    let reach_bytes = |files: &[(&str, &str)], raw: &[(&str, &[u8])]| {
        let (_tmp, dir) = scratch("aside", manifest);
        std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
        for (file, code) in files.iter().map(|(f, c)| (f, c.as_bytes())).chain(raw.iter().map(|(f, c)| (f, *c))) {
            if let Some(parent) = dir.join(file).parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(dir.join(file), code).expect("write");
        }
        let (doc, _) = json_audit(&dir);
        let a = doc["advisories"]
            .as_array()
            .expect("advisories")
            .iter()
            .find(|a| a["id"] == "GHSA-35jh-r3h4-6jhm")
            .cloned()
            .unwrap_or_else(|| panic!("{doc:#}"));
        let finding = doc["findings"].as_array().expect("findings").iter().find(|f| {
            f["rule"].as_str().unwrap_or_default().starts_with("advisories/")
                && f["message"].as_str().unwrap_or_default().contains("GHSA-35jh-r3h4-6jhm")
        });
        let message = finding.and_then(|f| f["message"].as_str()).unwrap_or_default().to_string();
        let reason = a["reachability_reason"].as_str().unwrap_or_default().to_string();
        assert!(message.contains(&format!("({reason})")), "the finding says why: {message}");
        format!("{} ({reason})", a["reachability"].as_str().unwrap_or_default())
    };
    let reach = |files: &[(&str, &str)]| reach_bytes(files, &[]);
    let app = ("app.js", "const _ = require('lodash');\nmodule.exports = (o) => _.merge({}, o);\n");
    let call = "const _ = require('lodash');\nmodule.exports = (s) => _.template(s);\n";
    assert_eq!(reach(&[app]), "not-called (no module uses lodash.template)");
    assert_eq!(reach(&[app, ("render.js", call)]), "called (lodash.template)", "the control: read, it is called");
    let broken = format!("{call}}}\n");
    assert_eq!(
        reach(&[app, ("legacy.js", &broken)]),
        "unknown (no module the run read uses lodash.template, but legacy.js does not parse: what it calls is not \
         known)"
    );
    let big = format!("{call}{}", "// padding\n".repeat(200));
    let config = ("express-harden.json", r#"{ "maxFileSize": "1K" }"#);
    assert_eq!(
        reach(&[app, ("big.js", &big), config]),
        "unknown (no module the run read uses lodash.template, but big.js is too large: what it calls is not known)"
    );
    assert_eq!(
        reach(&[app, ("big.js", &big), ("legacy.js", &broken), config]),
        "unknown (no module the run read uses lodash.template, but big.js is too large (and 1 other file was not \
         read): what it calls is not known)"
    );
    // A browser bundle the run sets aside as minified (it has `.render(`, which the prefilter watches), naming no
    // lodash: not counted. The same bundle with lodash in it is.
    let bundle =
        |extra: &str| format!("!function(){{var e={{}};e.render(\"#app\");{extra}{}}}();\n", "e.x=1;".repeat(100));
    let browser = bundle("");
    let with_lodash = bundle("var _=require(\"lodash\");_.template(e);");
    assert_eq!(reach(&[app, ("public/vendor.min.js", &browser)]), "not-called (no module uses lodash.template)");
    assert_eq!(
        reach(&[app, ("public/vendor.min.js", &browser), ("public/lodash.min.js", &with_lodash)]),
        "unknown (no module the run read uses lodash.template, but public/lodash.min.js looks minified: what it \
         calls is not known)"
    );
    // A script that does not parse and names no lodash (it reads `lodash_dir`, a string that only starts so).
    let script = "const express = require('express');\nconst dir = 'lodash_dir' + x;\nif (\n";
    assert_eq!(reach(&[app, ("script.js", script)]), "not-called (no module uses lodash.template)");
    // Not UTF-8: what it names is not known.
    assert_eq!(
        reach_bytes(&[app], &[("latin1.js", b"const express = require('express');\n// caf\xe9\n")]),
        "unknown (no module the run read uses lodash.template, but latin1.js could not be read: what it calls is not \
         known)"
    );
}

/// A malicious-package record (OpenSSF's malicious-packages as OSV publishes it: a `MAL-` id; a hijacked release
/// listed by version, as MAL-2025-46974 lists debug 4.4.2, or a whole package from `introduced: 0`) has no fix to
/// raise to: the finding and the fix say to remove the package (or the dependency that brings it) and to treat the
/// machine as compromised, and nothing is planned, not even an override.
#[test]
fn a_malicious_package_is_to_be_removed_not_raised() {
    let records = tempfile::tempdir().expect("tempdir");
    let hijacked = r#"{ "id": "MAL-2025-46974", "modified": "2025-09-12T01:13:34Z", "schema_version": "1.5.0",
        "aliases": ["GHSA-8mgj-vmr8-frr6"], "summary": "Malicious code in debug (npm)",
        "affected": [{ "package": { "ecosystem": "npm", "name": "debug" }, "versions": ["4.4.2"] }] }"#;
    let squat = r#"{ "id": "MAL-2099-0002", "modified": "2099-01-01T00:00:00Z", "summary": "Malicious code in expres (npm)",
        "affected": [{ "package": { "ecosystem": "npm", "name": "expres" },
                       "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "0" }] }] }] }"#;
    std::fs::write(records.path().join("hijacked.json"), hijacked).expect("write");
    std::fs::write(records.path().join("squat.json"), squat).expect("write");
    let manifest = "{\n  \"name\": \"malware\",\n  \"dependencies\": {\n    \"debug\": \"4.4.2\",\n    \
                    \"helper-lib\": \"^1.0.0\"\n  }\n}\n";
    let (_tmp, dir) = scratch("malware", manifest);
    let lock = serde_json::json!({
        "name": "malware", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "malware", "dependencies": { "debug": "4.4.2", "helper-lib": "^1.0.0" } },
            "node_modules/debug": { "version": "4.4.2" },
            "node_modules/helper-lib": { "version": "1.0.0", "dependencies": { "expres": "^1.0.0" } },
            "node_modules/expres": { "version": "1.0.0" }
        }
    });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    let source = records.path().display().to_string();
    let (code, text) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{text}");
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split(" reach=").next().unwrap_or(l).to_string())
        .collect();
    assert_eq!(
        lines,
        [
            "MAL-2025-46974 debug@4.4.2 -> none [critical] gate package.json:4",
            "MAL-2099-0002 expres@1.0.0 -> none [critical] gate package.json:5",
        ],
        "nothing planned: {text}"
    );
    assert!(
        text.contains(
            "fix=none: MAL-2025-46974 marks debug 4.4.2 as malware: there is no fixed version to raise it to, so \
             nothing is changed; remove debug from package.json, and treat every machine that installed it as \
             compromised (rotate the secrets it could read)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "fix=none: MAL-2099-0002 marks expres 1.0.0 as malware: there is no fixed version to raise it to, so \
             nothing is changed; remove or replace helper-lib@1.0.0, which brings it, and treat every machine that \
             installed it as compromised (rotate the secrets it could read)\n"
        ),
        "{text}"
    );
    let out = express_harden(&dir, &["--only", "advisories", "--advisories", &source, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "advisories/vulnerable")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{doc:#}");
    for message in messages {
        assert!(
            message.contains("It is a malicious-package record:")
                && message.contains("is malware, not a bug, and no version of it is safe")
                && message.contains("remove ")
                && !message.contains("Fixed in")
                && !message.contains("raised to"),
            "{message}"
        );
    }
    assert_eq!(doc["dependency_changes"], serde_json::json!([]));
}

/// A workspace member's package.json that lists a dependency the root's lockfile does not install (`left-pad`, added
/// by hand): the `lockfile-out-of-sync` finding is on that member's package.json, at the line of the dependency, and
/// names it; none is on the root's package.json, and `--check` exits 2. The same for npm, pnpm and Yarn 1 workspaces
/// (whose `"api": "1.0.0"`, a sibling member listed by version, is linked, not missing from the lockfile).
#[test]
fn a_members_out_of_sync_finding_is_on_its_own_dependency() {
    for (name, lockfile, at) in [
        ("workspace-app", "package-lock.json", "5:5"),
        ("pnpm-workspace-app", "pnpm-lock.yaml", "5:5"),
        ("yarn1-workspace-app", "yarn.lock", "1:56"),
    ] {
        let (_tmp, dir) = app(name);
        let member = dir.join("packages/api/package.json");
        let text = std::fs::read_to_string(&member).expect("member");
        std::fs::write(&member, text.replacen(r#""body-parser""#, r#""left-pad": "1.3.0", "body-parser""#, 1))
            .expect("write");
        let out =
            express_harden(&dir, &["--only", "advisories", "--advisories", &osv(), "--check", "--color", "never"]);
        let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{name}: {output}");
        let found: Vec<&str> = output.lines().filter(|l| l.contains("[advisories/lockfile-out-of-sync]")).collect();
        assert_eq!(found.len(), 1, "{name}: {output}");
        assert!(
            found[0].trim_start().starts_with(&format!(
                "packages/api/package.json:{at}: warning [advisories/lockfile-out-of-sync] {lockfile} is out of sync \
                 with packages/api/package.json: packages/api/package.json lists left-pad 1.3.0 that the lockfile does \
                 not install."
            )),
            "{name}: {output}"
        );
        assert!(
            output.contains(
                "error: packages/api/package.json --check cannot pass: the lockfile is not what will be installed"
            ),
            "{name}: {output}"
        );
    }
}

/// A package-lock.json (v3) of TypeScript-Node-Starter's shape: `"connect-mongo": <spec>` locked at 4.4.0, which pins
/// mongodb 3.6.3 (affected by GHSA-vxvm-qww3-2fh7, fixed on 3.x in 3.6.10), under `via` when one is given (a
/// dependency of the project that pins connect-mongo 4.4.0 itself).
fn connect_mongo_app(spec: &str, via: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let pins = serde_json::json!({ "mongodb": "3.6.3" });
    let (manifest, lock) = match via {
        None => (
            format!(r#"{{ "name": "app", "dependencies": {{ "connect-mongo": "{spec}" }} }}"#),
            lock_with(
                &[("connect-mongo", spec, "4.4.0")],
                &[
                    ("node_modules/connect-mongo", "4.4.0", pins),
                    ("node_modules/mongodb", "3.6.3", serde_json::json!({})),
                ],
            ),
        ),
        Some(via) => (
            format!(r#"{{ "name": "app", "dependencies": {{ "{via}": "1.0.0" }} }}"#),
            lock_with(
                &[(via, "1.0.0", "1.0.0")],
                &[
                    (&format!("node_modules/{via}"), "1.0.0", serde_json::json!({ "connect-mongo": spec })),
                    ("node_modules/connect-mongo", "4.4.0", pins),
                    ("node_modules/mongodb", "3.6.3", serde_json::json!({})),
                ],
            ),
        ),
    };
    let (tmp, dir) = scratch("mongo", &manifest);
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    (tmp, dir)
}

/// A raise never pulls a new major through the raised package (41-app run, TypeScript-Node-Starter). connect-mongo
/// 4.6.0, the first 4.x that no longer lists mongodb in its `dependencies`, makes it a peer `^4.1.0`
/// (`parents.json`'s `peers`, from the registry): npm 7+ then installs driver 4 at the top, which rejects the app's
/// `autoReconnect`. So connect-mongo is not raised (4.4.1 still pins the affected 3.6.5, 4.5.0 pins mongodb 4.1.0),
/// the finding says why, and mongodb is overridden on its own line instead (before: "connect-mongo is raised to
/// 4.6.0, which no longer depends on mongodb", `"connect-mongo": "4.6.0"` written). The same check holds for the
/// project's own dependency raised for an advisory of its own, and for an override of it (an advisory recorded for
/// the test: connect-mongo fixed in 4.5.0): 4.5.0 pins mongodb 4.1.0, and `^4.5.0` would bring 4.6.0, so neither
/// the raise nor the override is planned.
/// A folder holding the recorded OSV record `recorded` of [`osv`] and an advisory recorded for a test: `(id, package,
/// fixed, severity)`, every version of `package` before `fixed` affected.
fn with_test_record(recorded: &str, (id, package, fixed, severity): (&str, &str, &str, &str)) -> tempfile::TempDir {
    let records = osv_only(&[recorded]);
    let record = serde_json::json!({
        "id": id, "summary": format!("{package} test advisory"), "published": "2024-10-04T00:00:00Z",
        "affected": [{ "package": { "ecosystem": "npm", "name": package },
                       "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "0" }, { "fixed": fixed }] }] }],
        "database_specific": { "severity": severity }
    });
    std::fs::write(records.path().join(format!("{id}.json")), record.to_string()).expect("write");
    records
}

/// GHSA-vxvm-qww3-2fh7 (mongodb, fixed on 3.x in 3.6.10) and an advisory recorded for the tests, GHSA-test-conn-mong:
/// connect-mongo fixed in 4.5.0 (4.5.0 pins mongodb 4.1.0, 4.6.0 makes it a peer `^4.1.0`).
fn connect_mongo_records() -> tempfile::TempDir {
    with_test_record("GHSA-vxvm-qww3-2fh7", ("GHSA-test-conn-mong", "connect-mongo", "4.5.0", "HIGH"))
}

#[test]
fn a_raise_never_pulls_a_new_major_through_the_raised_package() {
    let records = osv_only(&["GHSA-vxvm-qww3-2fh7"]);
    let source = records.path().display().to_string();
    let finding = |text: &str, package: &str| -> String {
        text.lines().find(|l| l.contains(&format!(" {package}@"))).unwrap_or_default().to_string()
    };

    let (_tmp, dir) = connect_mongo_app("4.4.0", None);
    let (code, text) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{text}");
    let mongodb = finding(&text, "mongodb");
    assert!(
        mongodb.contains(
            "3.6.10 is outside what its parents declare (connect-mongo@4.4.0 declares 3.6.3); connect-mongo 4.6.0 makes \
             mongodb a peer ^4.1.0; the project installs mongodb 3.6.3 — a new major, not raised"
        ),
        "{text}"
    );
    assert!(mongodb.contains("fix=override: "), "{text}");
    assert!(!text.contains("change package.json dependencies connect-mongo"), "{text}");
    assert!(text.contains("change package.json overrides mongodb@3.x (new) -> ^3.6.10"), "{text}");

    // The project's own connect-mongo, raised for an advisory of its own; then the same copy under another package.
    let own = connect_mongo_records();
    let source = own.path().display().to_string();
    let (_tmp, dir) = connect_mongo_app("4.4.0", None);
    let (code, text) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        finding(&text, "connect-mongo").ends_with(
            "fix=none: the fix, connect-mongo 4.5.0, moves a dependency of connect-mongo to another line: \
             connect-mongo 4.5.0 depends on mongodb 4.1.0; the project installs mongodb 3.6.3 — a new major, not \
             raised; move to it by hand, checking what that dependency's new line changes"
        ),
        "{text}"
    );
    assert!(!text.contains("\nchange package.json dependencies connect-mongo"), "{text}");

    let (_tmp, dir) = connect_mongo_app("4.4.0", Some("mongo-wrapper"));
    let (code, text) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        finding(&text, "connect-mongo").ends_with(
            "fix=none: 4.5.0 is outside what its parents declare (mongo-wrapper@1.0.0 declares 4.4.0); `overrides` \
             would force the copies of connect-mongo on 4.x to ^4.5.0 (`\"connect-mongo@4.x\": \"^4.5.0\"`), but \
             connect-mongo 4.6.0 makes mongodb a peer ^4.1.0; the project installs mongodb 3.6.3 — a new major, not \
             raised: not overridden"
        ),
        "{text}"
    );
    assert!(!text.contains("overrides connect-mongo"), "{text}");
}

/// No lockfile (gen-ejs, todos-express-password): a declared range whose highest release is affected is raised to the
/// first fixed version, in the author's style and on its line, as a locked version would be, so that `--check` passes
/// after `--write` (before: reported, never raised, and `--check` failed after the write); a second run changes
/// nothing. A range on another line than the fix (`~2.6.1`, ejs's critical GHSA-phwq-j96m-2c2q is fixed in 3.1.7
/// only) stays reported; a `^` range that admits the fix needs no change.
#[test]
fn without_a_lockfile_an_affected_range_is_raised_on_its_line() {
    let records = osv();
    let run = |dir: &Path, extra: &[&str]| {
        let mut args = vec!["--only", "advisories", "--advisories", records.as_str()];
        args.extend(extra);
        let out = express_harden(dir, &args);
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let manifest = r#"{ "name": "app", "dependencies": { "ejs": "~3.0.1", "lodash": "4.17.20", "ms": "^2.0.0" } }"#;
    let (_tmp, dir) = scratch("app", manifest);
    let (code, text) = run(&dir, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("\n  package.json: dependencies ejs ~3.0.1 -> ~3.1.10\n"), "{text}");
    assert!(text.contains("\n  package.json: dependencies lodash 4.17.20 -> 4.17.21\n"), "{text}");
    assert!(!text.contains("dependencies ms "), "{text}");
    assert!(
        text.contains(
            "; the highest release a declared range admits is affected, so it is raised to the first fixed one: \
             ejs ~3.0.1 -> ~3.1.10, lodash 4.17.20 -> 4.17.21"
        ),
        "{text}"
    );
    let (code, text) = run(&dir, &["--write", "--allow-no-vcs"]);
    assert_eq!(code, Some(0), "{text}");
    let written = std::fs::read_to_string(dir.join("package.json")).expect("read");
    assert_eq!(
        written, r#"{ "name": "app", "dependencies": { "ejs": "~3.1.10", "lodash": "4.17.21", "ms": "^2.0.0" } }"#,
        "in the file's own style"
    );
    let (code, text) = run(&dir, &["--check"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.starts_with("express-harden: would change no files\n"), "{text}");

    let (_tmp, dir) = scratch("app", r#"{ "name": "app", "dependencies": { "ejs": "~2.6.1" } }"#);
    let (code, text) = run(&dir, &["--write", "--allow-no-vcs"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("the fix, ejs 3.1.10, is a new major for `~2.6.1`"), "{text}");
    assert_eq!(
        std::fs::read_to_string(dir.join("package.json")).expect("read"),
        r#"{ "name": "app", "dependencies": { "ejs": "~2.6.1" } }"#
    );
    assert_eq!(run(&dir, &["--check"]).0, Some(2));

    // Past every advisory of the package, not only those of the declared version (nodeclub's moment 2.15.2: the
    // first fix of its two, 2.29.2, is affected by GHSA-wc69-rhjr-hc9g, 2.18.0 to 2.29.4; a second run then raised
    // it again).
    let (_tmp, dir) = scratch("app", r#"{ "name": "app", "dependencies": { "moment": "2.15.2" } }"#);
    let (code, text) = run(&dir, &["--write", "--allow-no-vcs"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("moment 2.15.2 -> 2.29.4"), "{text}");
    assert_eq!(
        std::fs::read_to_string(dir.join("package.json")).expect("read"),
        r#"{ "name": "app", "dependencies": { "moment": "2.29.4" } }"#
    );
    let (code, text) = run(&dir, &["--check"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.starts_with("express-harden: would change no files\n"), "{text}");
}

/// One installed copy with several advisories (kutt's tar-fs 2.1.1, fixed in 2.1.2 and 2.1.3) is one entry of the
/// planned lockfile refresh, with the highest version it needs, the one the refresh brings it to: in the text
/// summary, the next steps (text and JSON) and the pull-request body (before: `lodash 4.17.4 -> 4.17.12, lodash 4.17.4
/// -> 4.17.11, ...`, one per advisory).
#[test]
fn a_copy_with_several_advisories_is_one_entry_of_the_refresh() {
    let (_tmp, dir) = scratch("refresh", r#"{ "name": "app", "dependencies": { "lodash": "^4.17.4" } }"#);
    let lock = lock_with(&[("lodash", "^4.17.4", "4.17.4")], &[]);
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write");
    let step = "refresh package-lock.json to fix lodash 4.17.4 -> 4.17.21: run express-harden again with --write \
                --lockfile (it runs the package manager's lockfile-only update of lodash)";

    let out = express_harden(&dir, &["--only", "advisories"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "\n  package-lock.json: lockfile refresh planned (lodash 4.17.4 -> 4.17.21), made by --write --lockfile\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("next steps:\n  - {step}\n")), "{stderr}");

    let (doc, _) = json_audit(&dir);
    assert_eq!(doc["next_steps"], serde_json::json!([step]), "{doc:#}");

    let out = express_harden(&dir, &["--only", "advisories", "--format", "markdown"]);
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.contains("lockfile refresh planned (lodash 4.17.4 -&gt; 4.17.21), made by"), "{body}");
    assert!(body.contains(&format!("- [ ] {step}")), "{body}");
}

/// A lockfile refresh never pulls a new line either (issue 15, after the raise of 5f440f1): `"connect-mongo":
/// "^4.4.0"` locked at 4.4.0 admits the fix 4.5.0 of connect-mongo's own advisory, but the package manager's
/// lockfile-only update (`npm update connect-mongo`, pnpm's, Yarn's after the entries are removed) installs the newest
/// release the range admits, 4.6.0, which makes mongodb a peer `^4.1.0` (npm 7+ then installs driver 4 at the top,
/// which rejects the app's `autoReconnect`). The tool cannot choose another release for a refresh, so none is
/// planned and the finding says why (before: "4.5.0 fits the ranges its parents declare: the lockfile moves it", and
/// `--write --lockfile` ran `npm update connect-mongo`). The same for a copy under another package that declares
/// `^4.4.0`, and for mongodb's own advisory, whose fix is not said to come with connect-mongo's refresh. A fixed release
/// that keeps the lines, when the ranges admit one before the newest, is named to lock by hand; the project's own
/// override entry and a package.json its lockfile is behind install the newest they admit too.
#[test]
fn a_lockfile_refresh_never_pulls_a_new_line_either() {
    let records = connect_mongo_records();
    let source = records.path().display().to_string();
    let finding = |text: &str, package: &str| -> String {
        text.lines().find(|l| l.contains(&format!(" {package}@"))).unwrap_or_default().to_string()
    };
    let refused = "fix=none: 4.5.0 fits the ranges its parents declare, but the lockfile update moves connect-mongo \
                   to the newest release they admit, 4.6.0, and connect-mongo 4.6.0 makes mongodb a peer ^4.1.0; the \
                   project installs mongodb 3.6.3 — a new major: not refreshed (the package manager picks \
                   that release, not this tool); move it by hand, checking what that dependency's new line changes";
    for via in [None, Some("mongo-wrapper")] {
        let (_tmp, dir) = connect_mongo_app("^4.4.0", via);
        let (code, text) = audit_from(&dir, &source, &[]);
        assert_eq!(code, 0, "{text}");
        assert!(finding(&text, "connect-mongo").ends_with(refused), "{via:?}\n{text}");
        let mongodb = finding(&text, "mongodb");
        assert!(!mongodb.contains("connect-mongo moves to"), "{via:?}\n{text}");
        assert!(mongodb.contains("fix=override: "), "{via:?}\n{text}");

        let out = express_harden(&dir, &["--only", "advisories", "--advisories", &source]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("lockfile refresh planned (connect-mongo"), "{via:?}\n{stderr}");
        assert!(!stderr.contains("update of connect-mongo"), "{via:?}\n{stderr}");
    }

    // A fixed release before the newest that keeps the lines is named, to lock by hand (an advisory fixed in 4.4.1,
    // which pins mongodb 3.6.5, on mongodb's line).
    let early = with_test_record("GHSA-vxvm-qww3-2fh7", ("GHSA-test-conn-mon2", "connect-mongo", "4.4.1", "HIGH"));
    let (_tmp, dir) = connect_mongo_app("^4.4.0", None);
    let (code, text) = audit_from(&dir, &early.path().display().to_string(), &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        finding(&text, "connect-mongo").ends_with(
            "fix=none: 4.4.1 fits the ranges its parents declare, but the lockfile update moves connect-mongo to the \
             newest release they admit, 4.6.0, and connect-mongo 4.6.0 makes mongodb a peer ^4.1.0; the project \
             installs mongodb 3.6.3 — a new major: not refreshed (the package manager picks that release, \
             not this tool); connect-mongo 4.4.1 is fixed and keeps them: lock it at 4.4.1 by hand"
        ),
        "{text}"
    );

    // The project's own override that admits the fix replaces those ranges: the update installs what it admits.
    let (_tmp, dir) = connect_mongo_app("^4.4.0", Some("mongo-wrapper"));
    let manifest = r#"{ "name": "app", "dependencies": { "mongo-wrapper": "1.0.0" }, "overrides": { "connect-mongo": "^4.4.0" } }"#;
    std::fs::write(dir.join("package.json"), manifest).expect("write");
    let (code, text) = audit_from(&dir, &source, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        finding(&text, "connect-mongo").ends_with(
            "fix=none: package.json's own `overrides` entry `\"connect-mongo\": \"^4.4.0\"` replaces the ranges its \
             parents declare for every copy, but the lockfile update moves connect-mongo to the newest release it \
             admits, 4.6.0, and connect-mongo 4.6.0 makes mongodb a peer ^4.1.0; the project installs mongodb 3.6.3 — \
             a new major: not refreshed (the package manager picks that release, not this tool); move it \
             by hand, checking what that dependency's new line changes"
        ),
        "{text}"
    );

    // A package.json its lockfile is behind (`4.4.0` locked, the manifest already asks for more): the update installs
    // the newest release the manifest admits.
    for (spec, to, asks) in [
        ("^4.5.0", "4.6.0", "package.json already asks for connect-mongo ^4.5.0, which the lockfile is behind, but"),
        ("*", "6.0.0", "`*` admits 4.5.0, but"),
    ] {
        let (_tmp, dir) = connect_mongo_app("4.4.0", None);
        let manifest = format!(r#"{{ "name": "app", "dependencies": {{ "connect-mongo": "{spec}" }} }}"#);
        std::fs::write(dir.join("package.json"), manifest).expect("write");
        let (code, text) = audit_from(&dir, &source, &[]);
        assert_eq!(code, 0, "{text}");
        let peer = if to == "6.0.0" { ">=5.0.0" } else { "^4.1.0" };
        assert!(
            finding(&text, "connect-mongo").ends_with(&format!(
                "fix=none: {asks} the lockfile update moves connect-mongo to the newest release it admits, {to}, and \
                 connect-mongo {to} makes mongodb a peer {peer}; the project installs mongodb 3.6.3 — a new major: \
                 not refreshed (the package manager picks that release, not this tool); move it by hand, checking \
                 what that dependency's new line changes"
            )),
            "{spec}\n{text}"
        );
    }
}

/// With `--express 5` and its migration in the run, express-version raises express to 5.3.0: the fixes of the
/// packages under express say so, and what Express 5 depends on (body-parser ^2.3.0; path-to-regexp no longer
/// directly, so that copy goes), not the newest 4 (the fixes said "express is raised to 4.22.3" while package.json
/// moved to 5). Without the flag, or with the migration skipped, Express stays on 4 and the fixes say 4.22.3.
#[test]
fn the_fixes_under_express_name_the_major_express_version_raises_it_to() {
    let (_tmp, dir) = project("npm-express5-raise");
    let fix = |extra: &[&str], package: &str| -> String {
        let mut args = vec!["--advisories", "bundled", "--format", "json"];
        args.extend(extra);
        let out = express_harden(&dir, &args);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        let advisories = doc["advisories"].as_array().expect("advisories");
        let a = advisories.iter().find(|a| a["package"] == package).unwrap_or_else(|| panic!("{package}: {doc:#}"));
        a["fix"]["description"].as_str().unwrap_or_default().to_string()
    };
    let to5 = fix(&["--express", "5"], "body-parser");
    assert!(
        to5.ends_with(
            "express is raised to 5.3.0 by express-version, which depends on body-parser ^2.3.0: the lockfile update \
             of package.json moves body-parser inside the new range"
        ),
        "{to5}"
    );
    let gone = fix(&["--express", "5"], "path-to-regexp");
    assert!(
        gone.ends_with(
            "express is raised to 5.3.0 by express-version, which no longer depends on path-to-regexp: the lockfile \
             update of package.json removes that copy of path-to-regexp"
        ),
        "{gone}"
    );
    for extra in [&[][..], &["--express", "5", "--skip", "express5"][..]] {
        let to4 = fix(extra, "body-parser");
        assert!(
            to4.ends_with(
                "express is raised to 4.22.3 by express-version, which depends on body-parser ~1.20.5: the lockfile \
                 update of package.json moves body-parser inside the new range"
            ),
            "{extra:?}: {to4}"
        );
    }
}
