//! The command line as a user (or a bot) meets it: the real binary runs on temporary copies of small projects, and
//! the tests check what would be noticed: stdout, stderr, exit codes, the bytes on disk and the JSON document,
//! which must validate against `docs/output-schema.json`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_express-harden");
const REPO: &str = env!("CARGO_MANIFEST_DIR");

// ---------------------------------------------------------------------------------------------------------------------
// The projects.

const APP_JS: &str = "\
const express = require('express');

const app = express();

app.get('/', (req, res) => {
  res.send('hello');
});

app.listen(3000);
";

const APP_JS_HARDENED: &str = "\
const express = require('express');
const helmet = require('helmet');

const app = express();
app.use(helmet());

app.get('/', (req, res) => {
  res.send('hello');
});

app.listen(3000);
";

const PACKAGE_JSON: &str = r#"{
  "name": "demo",
  "version": "1.0.0",
  "dependencies": {
    "express": "^4.22.3"
  }
}
"#;

const PACKAGE_JSON_HARDENED: &str = r#"{
  "name": "demo",
  "version": "1.0.0",
  "dependencies": {
    "express": "^4.22.3",
    "helmet": "^8.3.0"
  }
}
"#;

/// What a dry run of the demo app prints on stdout.
const DEMO_DIFF: &str = r#"--- a/app.js
+++ b/app.js
@@ -1,6 +1,8 @@
 const express = require('express');
+const helmet = require('helmet');
 
 const app = express();
+app.use(helmet());
 
 app.get('/', (req, res) => {
   res.send('hello');
--- a/package.json
+++ b/package.json
@@ -2,6 +2,7 @@
   "name": "demo",
   "version": "1.0.0",
   "dependencies": {
-    "express": "^4.22.3"
+    "express": "^4.22.3",
+    "helmet": "^8.3.0"
   }
 }
"#;

/// Applies only two of helmet's middlewares: a `helmet/partial` finding, no change.
const PARTIAL_HELMET_JS: &str = "\
const express = require('express');
const helmet = require('helmet');

const app = express();
app.use(helmet.hsts());

app.listen(3000);
";

/// A half-finished edit: the handler is never closed.
const BROKEN_JS: &str = "\
const express = require('express');

const admin = express();
admin.get('/', (req, res) => {
  res.send('admin');
";

/// A Latin-1 file that mentions express, so that it is not skipped by the prefilter.
const NOT_UTF8: &[u8] = b"\xff\xfe// caf\xe9\nconst express = require('express');\n";

/// A small project in a temporary folder, deleted when dropped.
struct Project {
    dir: TempDir,
}

impl Project {
    fn empty() -> Project {
        Project { dir: tempfile::tempdir().expect("create a temporary folder") }
    }

    /// The demo app: app.js that needs helmet, and its package.json.
    fn express_app() -> Project {
        Project::empty().with("app.js", APP_JS).with("package.json", PACKAGE_JSON)
    }

    /// The demo app as `--write` leaves it.
    fn hardened_app() -> Project {
        Project::empty().with("app.js", APP_JS_HARDENED).with("package.json", PACKAGE_JSON_HARDENED)
    }

    /// A copy of `tests/fixtures/helmet/<case>/`.
    fn fixture(case: &str) -> Project {
        let project = Project::empty();
        common::copy_dir(&Path::new(REPO).join("tests/fixtures/helmet").join(case), project.path());
        project
    }

    /// Adds (or replaces) a file, creating its folders.
    fn with(self, relative: &str, contents: impl AsRef<[u8]>) -> Project {
        self.write(relative, contents);
        self
    }

    fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {relative}: {e}"));
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path().join(relative)).unwrap_or_else(|e| panic!("read {relative}: {e}"))
    }

    /// Every file and folder below the project (`.git` excepted) with its bytes: two snapshots are equal when
    /// nothing was written, created or deleted.
    fn tree(&self) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
            for entry in std::fs::read_dir(dir).expect("read_dir") {
                let path = entry.expect("entry").path();
                let relative = path.strip_prefix(root).expect("below root").to_path_buf();
                if path.is_dir() {
                    if relative != Path::new(".git") {
                        out.insert(relative, None);
                        walk(root, &path, out);
                    }
                } else {
                    out.insert(relative, Some(std::fs::read(&path).expect("read")));
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(self.path(), self.path(), &mut out);
        out
    }

    /// Runs git in the project, isolated from the user's configuration.
    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"])
            .args(["-c", "init.defaultBranch=main"])
            .args(args)
            .current_dir(self.path())
            .envs(isolated_git_env(self.path()))
            .output()
            .expect("git is installed");
        assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `git init`, then a commit of everything in the project.
    fn commit_all(&self) {
        if !self.path().join(".git").exists() {
            self.git(&["init", "--quiet"]);
        }
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--message", "snapshot"]);
    }
}

/// Keeps git (ours and the tool's) inside the project: no global or system configuration, and no repository found
/// above the temporary folder (were the temporary folder inside a checkout, every file would look untracked).
fn isolated_git_env(dir: &Path) -> Vec<(&'static str, std::ffi::OsString)> {
    let ceiling = dir.parent().unwrap_or(dir).as_os_str().to_owned();
    vec![
        ("GIT_CEILING_DIRECTORIES", ceiling),
        ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
    ]
}

// ---------------------------------------------------------------------------------------------------------------------
// Running the tool.

/// What one run of the tool showed.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// stdout, parsed as the JSON document.
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs `express-harden args...` in `dir`, with stdout and stderr piped (not terminals).
fn run(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .envs(isolated_git_env(dir))
        .env_remove("NO_COLOR")
        .output()
        .expect("run express-harden");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// The JSON schema.

fn schema() -> Value {
    let path = Path::new(REPO).join("docs/output-schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("docs/output-schema.json is JSON")
}

/// The schema's complaints about `doc` (empty when it is valid).
fn schema_errors(doc: &Value) -> Vec<String> {
    let schema = schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator.iter_errors(doc).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

fn assert_valid(doc: &Value) {
    let errors = schema_errors(doc);
    assert!(errors.is_empty(), "the document does not match the schema:\n{}\n{doc:#}", errors.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------------------
// Dry run (the default).

#[test]
fn dry_run_prints_the_diff_on_stdout_and_the_summary_on_stderr() {
    let project = Project::express_app();

    let out = run(project.path(), &[]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, DEMO_DIFF);
    let summary_head =
        "express-harden: would change 2 files (1 source, 1 package.json); scanned 1 source files, parsed 1\n";
    assert!(out.stderr.starts_with(summary_head), "{}", out.stderr);
    assert!(out.stderr.contains("  helmet: 2 files\n"), "{}", out.stderr);
    assert!(out.stderr.contains("  package.json: dependencies helmet (new) -> ^8.3.0\n"), "{}", out.stderr);
    assert!(out.stderr.contains("run `npm install` in ."), "{}", out.stderr);
    assert!(out.stderr.contains("then run again with --write to apply it"), "{}", out.stderr);
}

#[test]
fn dry_run_writes_nothing_anywhere() {
    let project = Project::express_app()
        .with("routes/admin.js", "const express = require('express');\nmodule.exports = express();\n")
        .with(".gitignore", "node_modules\n");
    let before = project.tree();

    let out = run(project.path(), &[]);

    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("+++ b/routes/admin.js"), "the nested app is part of the diff: {}", out.stdout);
    assert_eq!(project.tree(), before, "a dry run changed, created or deleted a file");
}

#[test]
fn no_path_means_the_current_directory() {
    let project = Project::express_app();

    let implicit = run(project.path(), &[]);
    let explicit = run(project.path(), &["."]);

    assert_eq!(implicit.code, 0);
    assert_eq!(implicit.stdout, DEMO_DIFF);
    assert_eq!(implicit.stdout, explicit.stdout);
}

#[test]
fn a_path_that_does_not_exist_is_an_error_naming_it() {
    let project = Project::express_app();

    let out = run(project.path(), &["nothere.js"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("nothere.js no such file or folder"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn a_missing_path_does_not_stop_the_others() {
    let project = Project::express_app();

    let out = run(project.path(), &["nothere", "app.js"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("nothere no such file or folder"), "{}", out.stderr);
    assert!(out.stdout.contains("+app.use(helmet());"), "{}", out.stdout);
}

#[test]
fn the_dry_run_diff_applies_with_git_apply_and_gives_what_write_writes() {
    let project = Project::express_app();
    let patch = run(project.path(), &[]).stdout;
    let written = Project::express_app();
    assert_eq!(run(written.path(), &["--write"]).code, 0);
    project.write("changes.patch", &patch);

    project.git(&["init", "--quiet"]);
    project.git(&["apply", "changes.patch"]);

    assert_eq!(project.read("app.js"), written.read("app.js"));
    assert_eq!(project.read("package.json"), written.read("package.json"));
}

#[test]
fn diff_file_holds_the_patch_that_git_apply_turns_into_what_write_writes() {
    let project = Project::express_app();
    let written = Project::express_app();
    assert_eq!(run(written.path(), &["--write"]).code, 0);
    let patch_dir = tempfile::tempdir().expect("tempdir");
    let patch = patch_dir.path().join("change.diff");
    let patch_arg = patch.to_str().expect("UTF-8 path");

    let out = run(project.path(), &["--diff-file", patch_arg, "--format", "json"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(project.read("app.js"), APP_JS, "a dry run with --diff-file writes nothing in the project");
    project.git(&["init", "--quiet"]);
    project.git(&["apply", patch_arg]);
    assert_eq!(project.read("app.js"), written.read("app.js"));
    assert_eq!(project.read("package.json"), written.read("package.json"));
}

// ---------------------------------------------------------------------------------------------------------------------
// --check.

#[test]
fn check_exits_1_when_changes_are_due_and_writes_nothing() {
    let project = Project::express_app();
    let before = project.tree();

    let out = run(project.path(), &["--check"]);

    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout, "would change app.js (helmet)\nwould change package.json (helmet)\n");
    assert!(out.stderr.contains("run express-harden to see the diff, and with --write to apply it"), "{}", out.stderr);
    assert_eq!(project.tree(), before);
}

#[test]
fn check_exits_0_on_a_project_that_is_already_hardened() {
    let project = Project::hardened_app();

    let out = run(project.path(), &["--check"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "express-harden: would change no files; scanned 1 source files, parsed 1\n");
}

#[test]
fn check_exits_2_when_a_file_does_not_parse_and_names_it() {
    let project = Project::hardened_app().with("admin.js", BROKEN_JS);
    let before = project.tree();

    let out = run(project.path(), &["--check"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("error: admin.js does not parse (syntax error at "), "{}", out.stderr);
    assert!(out.stderr.contains("; left alone"), "{}", out.stderr);
    assert_eq!(project.tree(), before);
}

#[test]
fn findings_alone_do_not_fail_check() {
    let project = Project::hardened_app().with("app.js", PARTIAL_HELMET_JS);

    let out = run(project.path(), &["--check"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("findings (1):\n  app.js:"), "{}", out.stderr);
    assert!(out.stderr.contains(": warning [helmet/partial] only some of helmet's protections"), "{}", out.stderr);
}

#[test]
fn check_together_with_write_is_a_usage_error() {
    let project = Project::express_app();
    let before = project.tree();

    let out = run(project.path(), &["--check", "--write"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("'--check' cannot be used with '--write'"), "{}", out.stderr);
    assert_eq!(project.tree(), before);
}

// ---------------------------------------------------------------------------------------------------------------------
// --write.

#[test]
fn write_writes_the_expected_files_and_says_so() {
    let project = Project::express_app();

    let out = run(project.path(), &["--write"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "wrote app.js (helmet; +2 -0)\nwrote package.json (helmet; +2 -1)\n");
    assert!(out.stderr.starts_with("express-harden: changed 2 files (1 source, 1 package.json);"), "{}", out.stderr);
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
    assert_eq!(project.read("package.json"), PACKAGE_JSON_HARDENED);
}

#[test]
fn write_is_idempotent() {
    let project = Project::express_app();
    assert_eq!(run(project.path(), &["--write"]).code, 0);
    let after_first = project.tree();

    let check = run(project.path(), &["--check"]);
    let second = run(project.path(), &["--write"]);

    assert_eq!(check.code, 0, "{check:?}");
    assert_eq!(check.stdout, "");
    assert_eq!(second.code, 0, "{second:?}");
    assert_eq!(second.stdout, "");
    assert_eq!(project.tree(), after_first);
}

#[test]
fn write_leaves_no_temporary_file() {
    let project = Project::express_app().with("routes/admin.js", "const e = require('express');\nconst a = e();\n");
    let files_before: Vec<PathBuf> = project.tree().into_keys().collect();

    let out = run(project.path(), &["--write"]);

    assert_eq!(out.code, 0, "{out:?}");
    let files_after: Vec<PathBuf> = project.tree().into_keys().collect();
    assert_eq!(files_after, files_before);
    assert!(project.read("routes/admin.js").contains("a.use(helmet());"));
}

#[cfg(unix)]
#[test]
fn write_keeps_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::express_app();
    let mode = |name: &str| std::fs::metadata(project.path().join(name)).expect("stat").permissions().mode() & 0o777;
    let chmod = |name: &str, mode: u32| {
        std::fs::set_permissions(project.path().join(name), std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    chmod("app.js", 0o755);
    chmod("package.json", 0o640);

    let out = run(project.path(), &["--write"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
    assert_eq!(mode("app.js"), 0o755);
    assert_eq!(mode("package.json"), 0o640);
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_and_the_others_are_still_written() {
    let project = Project::express_app().with("latin1.js", NOT_UTF8);

    let out = run(project.path(), &["--write"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("error: latin1.js is not UTF-8 text"), "{}", out.stderr);
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
    assert_eq!(project.read("package.json"), PACKAGE_JSON_HARDENED);
    assert_eq!(std::fs::read(project.path().join("latin1.js")).expect("read"), NOT_UTF8);
}

// ---------------------------------------------------------------------------------------------------------------------
// --write in a git work tree.

#[test]
fn write_refuses_files_with_uncommitted_changes_and_writes_nothing() {
    let project = Project::express_app();
    project.commit_all();
    project.write("app.js", format!("{APP_JS}// work in progress\n"));
    let before = project.tree();

    let out = run(project.path(), &["--write"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("nothing was written"), "{}", out.stderr);
    assert!(out.stderr.contains("\n  app.js\n"), "the refusal names app.js: {}", out.stderr);
    assert!(!out.stderr.contains("\n  package.json\n"), "package.json is committed: {}", out.stderr);
    assert!(out.stderr.contains("--allow-dirty"), "{}", out.stderr);
    assert_eq!(project.tree(), before, "a refused --write must not write package.json either");
}

#[test]
fn write_with_allow_dirty_writes_files_with_uncommitted_changes() {
    let project = Project::express_app();
    project.commit_all();
    project.write("app.js", format!("{APP_JS}// work in progress\n"));

    let out = run(project.path(), &["--write", "--allow-dirty"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(project.read("app.js"), format!("{APP_JS_HARDENED}// work in progress\n"));
    assert_eq!(project.read("package.json"), PACKAGE_JSON_HARDENED);
}

#[test]
fn allow_dirty_without_write_is_a_usage_error() {
    let project = Project::express_app();

    let out = run(project.path(), &["--allow-dirty"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--write"), "{}", out.stderr);
}

#[test]
fn a_staged_but_uncommitted_change_counts_as_dirty() {
    let project = Project::express_app();
    project.commit_all();
    project.write("package.json", PACKAGE_JSON.replace("1.0.0", "1.0.1"));
    project.git(&["add", "package.json"]);
    let before = project.tree();

    let out = run(project.path(), &["--write"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("\n  package.json\n"), "{}", out.stderr);
    assert_eq!(project.tree(), before);
}

#[test]
fn an_untracked_file_counts_as_dirty() {
    let project = Project::express_app();
    project.commit_all();
    project.write("admin.js", "const express = require('express');\nconst admin = express();\n");
    let before = project.tree();

    let out = run(project.path(), &["--write"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("\n  admin.js\n"), "{}", out.stderr);
    assert!(out.stderr.contains("--allow-dirty"), "{}", out.stderr);
    assert_eq!(project.tree(), before, "app.js is clean but must not be written without admin.js");
}

#[test]
fn write_in_a_clean_committed_tree_works() {
    let project = Project::express_app();
    project.commit_all();

    let out = run(project.path(), &["--write"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
    assert_eq!(project.read("package.json"), PACKAGE_JSON_HARDENED);
    assert_eq!(project.git(&["status", "--porcelain"]), " M app.js\n M package.json\n");
}

// ---------------------------------------------------------------------------------------------------------------------
// Choosing transforms.

#[test]
fn an_unknown_id_in_only_is_a_usage_error_listing_the_valid_ids() {
    let project = Project::express_app();

    let out = run(project.path(), &["--only", "nope"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(out.stderr, "error: unknown transform `nope` in --only; valid ids: helmet, session-store, session-cookie, cookie-session, res-cookie, secrets, express-version, express4, express5\n");
    assert_eq!(out.stdout, "");
}

#[test]
fn an_unknown_id_in_skip_is_a_usage_error_listing_the_valid_ids() {
    let project = Project::express_app();

    let out = run(project.path(), &["--skip", "nope"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(out.stderr, "error: unknown transform `nope` in --skip; valid ids: helmet, session-store, session-cookie, cookie-session, res-cookie, secrets, express-version, express4, express5\n");
}

#[test]
fn only_helmet_runs_helmet() {
    let project = Project::express_app();

    let out = run(project.path(), &["--only", "helmet"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, DEMO_DIFF);
}

#[test]
fn skip_helmet_leaves_an_app_without_sessions_alone() {
    let project = Project::express_app();
    let before = project.tree();

    let check = run(project.path(), &["--skip", "helmet", "--check"]);
    let write = run(project.path(), &["--skip", "helmet", "--write"]);

    assert_eq!(check.code, 0, "{check:?}");
    assert_eq!(check.stdout, "");
    assert_eq!(write.code, 0, "{write:?}");
    assert_eq!(write.stdout, "");
    assert_eq!(project.tree(), before);
}

#[test]
fn list_shows_each_transform_with_its_title_and_docs() {
    let out = run(Project::empty().path(), &["list"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.starts_with("helmet\n  Add helmet's security headers to every Express app\n"), "{}", out.stdout);
    assert!(out.stdout.contains("\n  why: "), "{}", out.stdout);
    assert!(
        out.stdout.contains("\n  docs: transforms/helmet/README.md (https://helmetjs.github.io/)\n"),
        "{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------------------------------------------------
// Colour.

#[test]
fn color_always_colours_the_diff() {
    let project = Project::express_app();

    let out = run(project.path(), &["--color", "always"]);

    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("\x1b[32m+const helmet = require('helmet');\x1b[0m\n"), "{:?}", out.stdout);
    assert!(out.stdout.contains("\x1b[1m--- a/app.js\x1b[0m\n"), "{:?}", out.stdout);
}

#[test]
fn color_never_and_the_default_when_piped_print_no_escape_codes() {
    let project = Project::express_app().with("admin.js", BROKEN_JS);

    for args in [&["--color", "never"][..], &[]] {
        let out = run(project.path(), args);

        assert!(out.stdout.contains("+app.use(helmet());"), "{args:?}: {}", out.stdout);
        assert!(!out.stdout.contains('\x1b'), "{args:?}: {:?}", out.stdout);
        assert!(!out.stderr.contains('\x1b'), "{args:?}: {:?}", out.stderr);
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// --format json.

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema = schema();

    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("docs/output-schema.json is not a valid schema: {e}");
    }
}

#[test]
fn the_schema_is_strict_and_describes_every_property() {
    /// Problems of `node` and the schemas below it; `at` is its JSON pointer.
    fn check(node: &Value, at: &str, problems: &mut Vec<String>) {
        let Some(object) = node.as_object() else { return };
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            if object.get("additionalProperties") != Some(&Value::Bool(false)) {
                problems.push(format!("{at}: additionalProperties is not false"));
            }
            let mut required: Vec<&str> = object
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut names: Vec<&str> = properties.keys().map(String::as_str).collect();
            required.sort_unstable();
            names.sort_unstable();
            if required != names {
                problems.push(format!("{at}: required {required:?} is not every property {names:?}"));
            }
            for (name, property) in properties {
                if property.get("description").and_then(Value::as_str).is_none_or(str::is_empty) {
                    problems.push(format!("{at}/properties/{name}: no description"));
                }
            }
        }
        if object.contains_key("patternProperties") && object.get("additionalProperties") != Some(&Value::Bool(false)) {
            problems.push(format!("{at}: additionalProperties is not false"));
        }
        for (key, child) in object {
            check(child, &format!("{at}/{key}"), problems);
            for (i, item) in child.as_array().into_iter().flatten().enumerate() {
                check(item, &format!("{at}/{key}/{i}"), problems);
            }
        }
    }
    let mut problems = Vec::new();
    check(&schema(), "", &mut problems);
    assert!(problems.is_empty(), "docs/output-schema.json:\n{}", problems.join("\n"));
}

#[test]
fn json_dry_run_with_changes_matches_the_schema() {
    let project = Project::express_app();

    let out = run(project.path(), &["--format", "json"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stderr, "", "JSON mode prints nothing on stderr");
    let doc = out.json();
    assert_valid(&doc);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["mode"], "dry-run");
    assert_eq!(doc["files"][0]["path"], "app.js");
    assert_eq!(doc["files"][0]["kind"], "source");
    assert_eq!(doc["files"][0]["written"], false);
    assert_eq!(doc["files"][1]["path"], "package.json");
    assert_eq!(doc["files"][1]["kind"], "manifest");
    let diffs: String =
        doc["files"].as_array().expect("files").iter().map(|f| f["diff"].as_str().expect("diff")).collect();
    assert_eq!(diffs, DEMO_DIFF, "the JSON diffs are the text diffs");
    assert_eq!(
        doc["dependency_changes"],
        serde_json::json!([{
            "manifest": "package.json",
            "section": "dependencies",
            "package": "helmet",
            "from": null,
            "to": "^8.3.0",
            "transform": "helmet"
        }])
    );
    assert_eq!(
        doc["summary"],
        serde_json::json!({
            "files_scanned": 1,
            "files_parsed": 1,
            "files_changed": 2,
            "transforms": {"helmet": 2},
            "findings": 0,
            "errors": 0
        })
    );
}

#[test]
fn json_with_findings_matches_the_schema() {
    let project = Project::hardened_app().with("app.js", PARTIAL_HELMET_JS);

    let out = run(project.path(), &["--format", "json"]);

    assert_eq!(out.code, 0, "{out:?}");
    let doc = out.json();
    assert_valid(&doc);
    assert_eq!(doc["files"], serde_json::json!([]));
    let finding = &doc["findings"][0];
    assert_eq!(finding["rule"], "helmet/partial");
    assert_eq!(finding["transform"], "helmet");
    assert_eq!(finding["path"], "app.js");
    assert_eq!(finding["severity"], "warning");
    assert_eq!(doc["summary"]["findings"], 1);
}

#[test]
fn json_with_an_error_matches_the_schema() {
    let project = Project::express_app().with("admin.js", BROKEN_JS);

    let out = run(project.path(), &["--format", "json", "--check"]);

    assert_eq!(out.code, 2, "{out:?}");
    let doc = out.json();
    assert_valid(&doc);
    assert_eq!(doc["mode"], "check");
    assert_eq!(doc["errors"][0]["path"], "admin.js");
    assert!(doc["errors"][0]["message"].as_str().expect("message").starts_with("does not parse (syntax error at "));
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["files_changed"], 2, "the valid app is still reported");
}

#[test]
fn json_after_write_marks_the_written_files() {
    let project = Project::express_app();

    let out = run(project.path(), &["--format", "json", "--write"]);

    assert_eq!(out.code, 0, "{out:?}");
    let doc = out.json();
    assert_valid(&doc);
    assert_eq!(doc["mode"], "write");
    assert_eq!(doc["files"][0]["written"], true);
    assert_eq!(doc["files"][1]["written"], true);
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
}

#[test]
fn json_of_every_fixture_case_matches_the_schema() {
    let root = Path::new(REPO).join("tests/fixtures/helmet");
    let mut cases: Vec<String> = std::fs::read_dir(&root)
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for case in &cases {
        let project = Project::fixture(case);
        let out = run(project.path(), &["--format", "json"]);
        match serde_json::from_str::<Value>(&out.stdout) {
            Ok(doc) => {
                let errors = schema_errors(&doc);
                if !errors.is_empty() {
                    failures.push(format!("{case}: {}", errors.join("; ")));
                }
            }
            Err(e) => failures.push(format!("{case}: stdout is not JSON ({e})")),
        }
    }
    assert!(failures.is_empty(), "documents that do not match the schema:\n{}", failures.join("\n"));
}

/// A way to break a valid document.
type Mutation = fn(&mut Value);

#[test]
fn the_schema_rejects_documents_that_break_the_contract() {
    let project = Project::express_app().with("admin.js", BROKEN_JS).with("api.js", PARTIAL_HELMET_JS);
    let doc = run(project.path(), &["--format", "json"]).json();
    assert_valid(&doc);
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(1), "{doc:#}");

    let mutations: [(&str, Mutation); 14] = [
        ("schema_version dropped", |d| drop(d.as_object_mut().and_then(|o| o.remove("schema_version")))),
        ("schema_version 2", |d| d["schema_version"] = 2.into()),
        ("unknown top-level property", |d| d["extra"] = true.into()),
        ("unknown mode", |d| d["mode"] = "apply".into()),
        ("tool.name changed", |d| d["tool"]["name"] = "other".into()),
        ("severity fatal", |d| d["findings"][0]["severity"] = "fatal".into()),
        ("line 0", |d| d["findings"][0]["line"] = 0.into()),
        ("rule without transform prefix", |d| d["findings"][0]["rule"] = "partial".into()),
        ("finding without column", |d| drop(d["findings"][0].as_object_mut().and_then(|o| o.remove("column")))),
        ("file kind other", |d| d["files"][0]["kind"] = "other".into()),
        ("written as a string", |d| d["files"][0]["written"] = "yes".into()),
        ("unknown dependency section", |d| d["dependency_changes"][0]["section"] = "bundleDependencies".into()),
        ("error with an extra property", |d| d["errors"][0]["code"] = 3.into()),
        ("negative count", |d| d["summary"]["files_scanned"] = (-1).into()),
    ];
    for (what, mutate) in mutations {
        let mut broken = doc.clone();
        mutate(&mut broken);
        assert!(!schema_errors(&broken).is_empty(), "the schema accepts a document with {what}");
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// docs/output.md.

/// The example project of docs/output.md.
fn docs_example_project() -> Project {
    Project::empty()
        .with("package.json", PACKAGE_JSON.replace("demo", "shop"))
        .with("src/app.js", APP_JS.replace("app.listen(3000);", "module.exports = app;"))
        .with(
            "src/admin.js",
            "const express = require('express');\nconst helmet = require('helmet');\n\nconst admin = express();\n\
             admin.use(helmet.hsts());\n\nmodule.exports = admin;\n",
        )
        .with(
            "src/legacy.js",
            "const express = require('express');\n\nconst legacy = express();\nlegacy.get('/', (req, res) => {\n  \
             res.send('unfinished'\n});\n",
        )
}

#[test]
fn the_example_in_the_docs_is_what_the_tool_prints() {
    let path = Path::new(REPO).join("docs/output.md");
    let docs = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = docs.find("```json\n").expect("docs/output.md has a ```json example") + "```json\n".len();
    let end = start + docs[start..].find("```").expect("the example is closed");
    let mut example: Value = serde_json::from_str(&docs[start..end]).expect("the example is JSON");
    assert_valid(&example);

    let out = run(docs_example_project().path(), &["--format", "json"]);
    assert_eq!(out.code, 2, "the example has an error: {out:?}");
    let actual = out.json();
    example["tool"]["version"] = actual["tool"]["version"].clone();
    assert_eq!(example, actual, "docs/output.md is out of date; its example should be:\n{}", out.stdout);
}

// ---------------------------------------------------------------------------------------------------------------------
// Defects found while writing these tests, now fixed: kept as regression tests.

#[test]
fn bug_color_always_also_colours_the_summary() {
    // Reproduction: express-harden --color always 2>&1 | cat -v   (in a project with changes)
    // The diff on stdout is coloured, the summary on stderr is not: cli.rs passes
    // `color && std::io::stderr().is_terminal()`, so "always" behaves like "auto" for stderr.
    let project = Project::express_app();

    let out = run(project.path(), &["--color", "always"]);

    assert!(out.stderr.contains("\x1b[1mexpress-harden: would change\x1b[0m"), "{:?}", out.stderr);
}

#[test]
fn bug_json_write_refusal_still_prints_a_json_document() {
    // Reproduction: commit the demo app, append a line to app.js, run `express-harden --write --format json`:
    // exit 2, stdout is empty and the refusal is only text on stderr, so a bot gets no document to read.
    let project = Project::express_app();
    project.commit_all();
    project.write("app.js", format!("{APP_JS}// work in progress\n"));

    let out = run(project.path(), &["--write", "--format", "json"]);

    assert_eq!(out.code, 2);
    let doc = out.json();
    assert_valid(&doc);
    assert_eq!(doc["errors"][0]["path"], "app.js");
}

#[test]
fn bug_an_absolute_path_gives_usable_and_consistent_paths() {
    // Reproduction: cd /tmp/x && express-harden /tmp/x > d.patch && git apply d.patch
    //   -> "error: invalid path '/tmp/x/app.js'" (patch -p1 cannot find the file either).
    // The source is shown as `/tmp/x/app.js` (header `a//tmp/x/app.js`) while its manifest, in the same folder,
    // is shown as `package.json`. Run from a subfolder with `..`, it is the reverse: `../app.js` and
    // `/tmp/x/package.json`.
    let project = Project::express_app();
    let absolute = project.path().to_str().expect("UTF-8 temp path").to_string();

    let out = run(project.path(), &[absolute.as_str()]);

    let headers: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("--- ")).collect();
    assert!(headers.iter().all(|h| !h.starts_with("--- a//")), "{headers:?}");
    let dirs: Vec<&str> = headers.iter().map(|h| h.rsplit_once('/').map_or("", |(dir, _)| dir)).collect();
    assert!(dirs.windows(2).all(|w| w[0] == w[1]), "app.js and package.json are siblings: {headers:?}");
}

// ---------------------------------------------------------------------------------------------------------------------
// --store.

#[test]
fn an_unknown_store_is_a_usage_error_listing_the_backends() {
    let project = Project::express_app();

    let out = run(project.path(), &["--store", "dynamo"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr,
        "error: unknown store `dynamo` in --store; valid values: redis, mongo, postgres, mysql, sequelize, knex\n"
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn store_flag_overrides_the_backend_guessed_from_package_json() {
    let project = Project::empty()
        .with("package.json", "{\n  \"name\": \"s\",\n  \"dependencies\": {\n    \"express-session\": \"^1.18.1\",\n    \"pg\": \"^8.13.1\"\n  }\n}\n")
        .with(
            "app.js",
            "const session = require('express-session');\n\nmodule.exports = session({ secret: process.env.S });\n",
        );

    let guessed = run(project.path(), &["--only", "session-store"]);
    let chosen = run(project.path(), &["--only", "session-store", "--store", "mongo"]);

    assert_eq!(guessed.code, 0, "{guessed:?}");
    assert!(guessed.stdout.contains("+const PgStore = require('connect-pg-simple')(session);"), "{}", guessed.stdout);
    assert!(guessed.stderr.contains("provide a PostgreSQL database at DATABASE_URL"), "{}", guessed.stderr);
    assert_eq!(chosen.code, 0, "{chosen:?}");
    assert!(chosen.stdout.contains("+const { MongoStore } = require('connect-mongo');"), "{}", chosen.stdout);
    assert!(chosen.stdout.contains("+    \"connect-mongo\": \"^6.0.0\","), "{}", chosen.stdout);
    assert!(chosen.stderr.contains("provide a MongoDB server at MONGODB_URI"), "{}", chosen.stderr);
}

// ---------------------------------------------------------------------------------------------------------------------
// Cookie policy flags.

/// An app with a bare express-session middleware, for the cookie flags.
fn session_app() -> Project {
    Project::empty().with("package.json", PACKAGE_JSON).with(
        "app.js",
        "const express = require('express');\nconst session = require('express-session');\n\nconst app = express();\n\
         app.use(session({ secret: process.env.SESSION_SECRET }));\n\nmodule.exports = app;\n",
    )
}

#[test]
fn cookie_flags_choose_same_site_secure_name_and_trust_proxy() {
    let project = session_app();

    let defaults = run(project.path(), &["--only", "session-cookie"]);
    let chosen = run(
        project.path(),
        &[
            "--only",
            "session-cookie",
            "--same-site",
            "strict",
            "--secure-cookies",
            "always",
            "--session-cookie-name",
            "app.sid",
            "--behind-proxy",
            "2",
        ],
    );

    assert_eq!(defaults.code, 0, "{defaults:?}");
    assert!(
        defaults.stdout.contains(
            "+app.use(session({ secret: process.env.SESSION_SECRET, name: 'sid', resave: false, saveUninitialized: \
             false, cookie: { httpOnly: true, secure: process.env.NODE_ENV === 'production', sameSite: 'lax' } }));"
        ),
        "{}",
        defaults.stdout
    );
    assert!(defaults.stderr.contains("[session-cookie/trust-proxy]"), "{}", defaults.stderr);
    assert_eq!(chosen.code, 0, "{chosen:?}");
    assert!(
        chosen.stdout.contains(
            "+app.use(session({ secret: process.env.SESSION_SECRET, name: 'app.sid', resave: false, \
             saveUninitialized: false, cookie: { httpOnly: true, secure: true, sameSite: 'strict' } }));"
        ),
        "{}",
        chosen.stdout
    );
    assert!(chosen.stdout.contains("+app.set('trust proxy', 2);\n+app.use(session("), "{}", chosen.stdout);
    assert!(!chosen.stderr.contains("trust-proxy"), "the flag replaces the finding: {}", chosen.stderr);
}

#[test]
fn secret_env_names_can_be_chosen() {
    let project = Project::empty().with("package.json", PACKAGE_JSON).with(
        "app.js",
        "const session = require('express-session');\n\nmodule.exports = session({ secret: 'keyboard cat' });\n",
    );

    let out = run(project.path(), &["--only", "secrets", "--session-secret-env", "APP_SESSION_KEY"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("+module.exports = session({ secret: requiredSecret('APP_SESSION_KEY') });"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("set APP_SESSION_KEY in production"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------------------------------------
// --lockfile.

#[test]
fn a_missing_package_manager_is_reported_and_the_manifest_is_still_written() {
    let project = Project::empty()
        .with("package.json", "{\n  \"name\": \"p\",\n  \"dependencies\": {\n    \"express\": \"^4.18.2\"\n  }\n}\n")
        .with("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
        .with("app.js", "const express = require('express');\n\nmodule.exports = express.Router();\n");

    let out = Command::new(BIN)
        .args(["--write", "--lockfile", "--only", "express-version"])
        .current_dir(project.path())
        .env("PATH", "/nonexistent")
        .output()
        .expect("run");

    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "pnpm-lock.yaml pnpm is not installed, so the lockfile was not updated: run `pnpm install --lockfile-only \
             --ignore-scripts` where it is"
        ),
        "{stderr}"
    );
    assert!(project.read("package.json").contains("\"express\": \"^4.22.3\""));
}

// ---------------------------------------------------------------------------------------------------------------------
// Express 3 -> 4.

#[test]
fn express_3_moves_to_4_only_with_its_code() {
    let manifest = "{\n  \"name\": \"old\",\n  \"dependencies\": {\n    \"express\": \"~3.21.2\"\n  }\n}\n";
    let app = "var express = require('express');\nvar app = express();\napp.use(express.cookieParser());\n";
    let project = Project::empty().with("package.json", manifest).with("app.js", app);

    let version_only = run(project.path(), &["--only", "express-version"]);
    let both = run(project.path(), &["--only", "express-version,express4"]);
    let broken =
        Project::empty().with("package.json", manifest).with("app.js", app).with("lib.js", "var express = {\n");
    let with_errors = run(broken.path(), &["--only", "express-version,express4"]);

    assert!(!version_only.stdout.contains("\"express\": \"~4.22.3\""), "{}", version_only.stdout);
    assert!(version_only.stderr.contains("[express-version/major-change]"), "{}", version_only.stderr);
    assert!(both.stdout.contains("+    \"express\": \"~4.22.3\""), "{}", both.stdout);
    assert!(both.stdout.contains("+app.use(cookieParser());"), "{}", both.stdout);
    assert_eq!(with_errors.code, 2);
    assert!(!with_errors.stdout.contains("\"express\": \"~4.22.3\""), "{}", with_errors.stdout);
    assert!(with_errors.stderr.contains("could not be migrated"), "{}", with_errors.stderr);
}

// ---------------------------------------------------------------------------------------------------------------------
// Completions and man page.

#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    let project = Project::empty();

    let bash = run(project.path(), &["completions", "bash"]);
    let man = run(project.path(), &["man"]);

    assert_eq!(bash.code, 0, "{bash:?}");
    assert!(bash.stdout.contains("_express__harden()") && bash.stdout.contains("--allow-dirty"), "{}", bash.stdout);
    assert_eq!(man.code, 0, "{man:?}");
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH express-harden"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    assert!(
        man.stdout.contains("secure\\-cookies") || man.stdout.contains("secure-cookies"),
        "the flags are documented"
    );
}

/// A file whose lines end with a lone CR (classic Mac) has its findings on the right line in every output: one
/// definition of a line (LF, CRLF or a lone CR) serves text, JSON, markdown and SARIF.
#[test]
fn lone_cr_lines_are_counted_in_every_format() {
    let project =
        Project::empty().with("package.json", r#"{"dependencies":{"express":"^4.22.3","helmet":"^8.1.0"}}"#).with(
            "app.js",
            "const express = require('express');\rconst helmet = require('helmet');\r\rconst app = express();\r\
             app.get('/', (req, res) => res.send('hi'));\rapp.use(helmet());\rapp.listen(3000);\r",
        );
    let text = run(project.path(), &["--only", "helmet"]);
    assert!(text.stderr.contains("app.js:6:1: warning [helmet/late]"), "{}", text.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&run(project.path(), &["--only", "helmet", "--format", "json"]).stdout).expect("json");
    let late = json["findings"].as_array().and_then(|f| f.iter().find(|f| f["rule"] == "helmet/late")).expect("late");
    assert_eq!((late["line"].as_u64(), late["column"].as_u64()), (Some(6), Some(1)), "{late}");
    let markdown = run(project.path(), &["--only", "helmet", "--format", "markdown"]).stdout;
    assert!(markdown.contains("| `helmet/late` | `app.js:6` |"), "{markdown}");
    let sarif: serde_json::Value =
        serde_json::from_str(&run(project.path(), &["--only", "helmet", "--format", "sarif"]).stdout).expect("sarif");
    let result = sarif["runs"][0]["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["ruleId"] == "helmet/late"))
        .expect("a result");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 6, "{result}");
}

/// The transforms' flags come from their settings groups, each under its own heading, and the tool's description
/// stays the tool's (a group's doc comment must not replace it).
#[test]
fn help_lists_each_transforms_flags_under_its_heading() {
    let project = Project::empty();
    let help = run(project.path(), &["--help"]);
    assert_eq!(help.code, 0, "{help:?}");
    assert!(help.stdout.starts_with("Fixes the security posture of Express apps"), "{}", help.stdout);
    for (heading, flag) in [
        ("Session store (session-store):", "--store <BACKEND>"),
        ("Cookies (session-cookie, cookie-session, res-cookie):", "--same-site <SAME_SITE>"),
        ("Secrets (secrets):", "--session-secret-env <NAME>"),
        ("Express version (express-version, express4, express5):", "--express <MAJOR>"),
    ] {
        let at = help.stdout.find(heading).unwrap_or_else(|| panic!("no heading {heading}: {}", help.stdout));
        assert!(help.stdout[at..].contains(flag), "{flag} under {heading}");
    }
    let bash = run(project.path(), &["completions", "bash"]);
    assert!(bash.stdout.contains("--session-cookie-name") && bash.stdout.contains("--latest"), "{}", bash.stdout);
}

// ---------------------------------------------------------------------------------------------------------------------
// The configuration file.

#[test]
fn the_configuration_file_sets_options_and_flags_override_it() {
    let project = session_app().with(
        "express-harden.json",
        r#"{ "transforms": { "only": ["session-cookie"] }, "cookies": { "name": "shop.sid", "sameSite": "strict" } }"#,
    );

    let configured = run(project.path(), &[]);
    let overridden = run(project.path(), &["--session-cookie-name", "flag.sid"]);

    assert_eq!(configured.code, 0, "{configured:?}");
    assert!(configured.stdout.contains("name: 'shop.sid'") && configured.stdout.contains("sameSite: 'strict'"));
    assert!(!configured.stdout.contains("helmet"), "only session-cookie runs: {}", configured.stdout);
    assert!(overridden.stdout.contains("name: 'flag.sid'") && overridden.stdout.contains("sameSite: 'strict'"));
}

#[test]
fn a_package_json_key_works_like_the_file_and_excludes_paths() {
    let manifest = "{\n  \"name\": \"p\",\n  \"dependencies\": {\n    \"express\": \"^4.22.3\"\n  },\n  \
                    \"express-harden\": { \"transforms\": { \"only\": [\"helmet\"] }, \"paths\": { \"exclude\": [\"legacy/**\"] } }\n}\n";
    let app = "const express = require('express');\n\nconst app = express();\n\nmodule.exports = app;\n";
    let project = Project::empty().with("package.json", manifest).with("app.js", app).with("legacy/old.js", app);

    let out = run(project.path(), &[]);

    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("+++ b/app.js"), "{}", out.stdout);
    assert!(!out.stdout.contains("legacy/old.js"), "excluded: {}", out.stdout);
}

#[test]
fn configuration_errors_name_the_file_the_key_and_the_accepted_values() {
    let unknown = Project::express_app().with("express-harden.json", r#"{ "cookie": { "name": "x" } }"#);
    let bad = Project::express_app().with("express-harden.json", r#"{ "cookies": { "secure": "sometimes" } }"#);

    let unknown_out = run(unknown.path(), &[]);
    let bad_out = run(bad.path(), &[]);

    assert_eq!(unknown_out.code, 2);
    assert!(
        unknown_out.stderr.starts_with("error: express-harden.json: unknown field `cookie`, expected one of"),
        "{}",
        unknown_out.stderr
    );
    assert!(unknown_out.stderr.contains("`cookies`"), "{}", unknown_out.stderr);
    assert_eq!(bad_out.code, 2);
    assert!(
        bad_out.stderr.contains("unknown variant `sometimes`, expected one of `always`, `production`, `auto`"),
        "{}",
        bad_out.stderr
    );
}

// ---------------------------------------------------------------------------------------------------------------------
// --format markdown.

#[test]
fn the_markdown_pull_request_body_is_stable() {
    let project = session_app().with("views/index.html", "<script>alert(1)</script>\n");

    let first = run(project.path(), &["--format", "markdown"]);
    let second = run(project.path(), &["--format", "markdown"]);

    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(first.stdout, second.stdout, "a bot re-running on an unchanged repository posts the same body");
    insta::with_settings!({
        snapshot_path => Path::new(REPO).join("snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("markdown__session_app", first.stdout);
    });
}

// ---------------------------------------------------------------------------------------------------------------------
// Reading safely (issue 18): deep nesting, files that are not regular, the project root, odd names.

/// Runs the tool like [`run`], but fails the test instead of hanging when the tool does not finish in time (a FIFO
/// read without care blocks forever).
fn run_bounded(dir: &Path, args: &[&str]) -> Run {
    use std::io::Read as _;
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .envs(isolated_git_env(dir))
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run express-harden");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("express-harden {args:?} did not finish within 120 s (it blocked)");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let code = status.code().unwrap_or_else(|| panic!("killed by a signal ({status}): a crash"));
    Run { code, stdout: out.join().expect("stdout"), stderr: err.join().expect("stderr") }
}

/// An app file (it needs helmet) whose last statement nests `depth` levels in one of the shapes that used to overflow
/// the stack.
fn deep_app(shape: &str, depth: usize) -> String {
    let head = "const express = require('express');\n\nconst app = express();\n\n";
    let body = match shape {
        "parens" => format!("const x = {}1{};\n", "(".repeat(depth), ")".repeat(depth)),
        "arrows" => format!("const x = {}1;\n", "() => ".repeat(depth)),
        "functions" => format!("{}{}\n", "function f() {".repeat(depth), "}".repeat(depth)),
        "arrays" => format!("const x = {}{};\n", "[".repeat(depth), "]".repeat(depth)),
        "use-chain" => format!("app{};\n", ".use(a)".repeat(depth)),
        "plus-chain" => format!("const x = a{};\n", "+a".repeat(depth)),
        other => panic!("no shape {other}"),
    };
    format!("{head}{body}\napp.listen(3000);\n")
}

/// Before: about 650 nested parentheses or arrow functions, 800 functions, 1,000 arrays, a 2,500-link `.use()`
/// chain or a 12,000-term `a+a+...` chain overflowed a rayon worker's stack in a multi-file run and aborted it (exit
/// 134, no file named, nothing written). The per-file work now runs on 256 MiB stacks, and the guard allows 39,475
/// levels (`src/depth.rs`; measured: the whole pipeline takes at most 3,362 bytes of stack per level in a debug build
/// and 3,265 in a release build, so about 80,000 levels fit in either). These depths, several times the old limits, are
/// parsed, fixed and verified like any file, next to a plain app.
#[test]
fn deeply_nested_files_of_every_shape_are_fixed_with_the_rest() {
    let shapes = [
        ("parens", 10_000),
        ("arrows", 10_000),
        ("functions", 10_000),
        ("arrays", 10_000),
        ("use-chain", 5_000),
        ("plus-chain", 30_000),
    ];
    let mut project = Project::express_app();
    for (shape, depth) in shapes {
        project = project.with(&format!("deep/{shape}.js"), deep_app(shape, depth));
    }

    let out = run_bounded(project.path(), &["--only", "helmet", "--write"]);

    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
    for (shape, depth) in shapes {
        let written = project.read(&format!("deep/{shape}.js"));
        assert!(written.contains("app.use(helmet());"), "deep/{shape}.js ({depth} levels) was not fixed");
        assert!(out.stdout.contains(&format!("wrote deep/{shape}.js")), "{}", out.stdout);
    }
}

/// A file nested deeper than the guard allows (39,475 levels, see above) is left alone with an error naming it
/// (exit 2), and the rest of the run goes on. So is a chain of labels of one name (`l: l: l: ...`), a syntax error
/// for which swc records an error per pair of labels: 5,000 of them took 1.9 GB.
#[test]
fn a_file_nested_too_deeply_is_named_and_left_alone_while_the_rest_is_fixed() {
    let shapes = [
        ("parens", 100_000),
        ("arrows", 50_000),
        ("functions", 50_000),
        ("arrays", 100_000),
        ("use-chain", 50_000),
        ("plus-chain", 100_000),
    ];
    let labels = format!("const express = require('express');\n{}x;\n", "l: ".repeat(5_000));
    let mut project = Project::express_app().with("deep/labels.js", labels);
    for (shape, depth) in shapes {
        project = project.with(&format!("deep/{shape}.js"), deep_app(shape, depth));
    }
    let before = project.tree();

    let out = run_bounded(project.path(), &["--write"]);

    assert_eq!(out.code, 2, "{}", out.stderr);
    for (shape, _) in shapes {
        let named = format!("error: deep/{shape}.js is nested too deeply to analyse safely (");
        assert!(out.stderr.contains(&named), "{named}\n{}", out.stderr);
    }
    assert!(out
        .stderr
        .contains("error: deep/plus-chain.js is nested too deeply to analyse safely (100001 levels); left alone"));
    assert!(out.stderr.contains("error: deep/labels.js nests labels in labels of the same name (12497500 times)"));
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
    assert_eq!(project.read("package.json"), PACKAGE_JSON_HARDENED);
    let after = project.tree();
    let changed: Vec<&PathBuf> = after.keys().filter(|p| before.get(*p) != after.get(*p)).collect();
    assert_eq!(changed, [Path::new("app.js"), Path::new("package.json")], "only the app was written");
}

/// Makes a FIFO (a named pipe): opening one for reading blocks until a writer comes.
#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo is installed");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Before: a FIFO named package.json or express-harden.json blocked the run forever, and a package.json linked to
/// /dev/zero was read until memory ran out. Now only regular files are opened; anything else is an error naming the
/// file, and (but for the configuration file, without which the run cannot know its settings) the run goes on.
#[cfg(unix)]
#[test]
fn fifos_and_devices_are_never_read() {
    let manifest_fifo = Project::empty().with("app.js", APP_JS).with("lib/other.js", APP_JS);
    mkfifo(&manifest_fifo.path().join("package.json"));
    mkfifo(&manifest_fifo.path().join("lib/.nvmrc"));
    std::fs::write(manifest_fifo.path().join("lib/package.json"), PACKAGE_JSON).expect("write");
    mkfifo(&manifest_fifo.path().join("views.ejs"));
    let out = run_bounded(manifest_fifo.path(), &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("error: package.json is not a regular file (a FIFO); left alone"), "{}", out.stderr);
    assert!(out.stderr.contains("error: lib/.nvmrc is not a regular file (a FIFO); left alone"), "{}", out.stderr);
    assert!(out.stderr.contains("error: views.ejs is not a regular file (a FIFO); left alone"), "{}", out.stderr);
    assert!(out.stdout.contains("+++ b/lib/other.js"), "the other project is fixed: {}", out.stdout);

    let config_fifo = Project::express_app();
    mkfifo(&config_fifo.path().join("express-harden.json"));
    let out = run_bounded(config_fifo.path(), &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(out.stderr, "error: express-harden.json: is not a regular file (a FIFO)\n");

    let zero = Project::empty().with("app.js", APP_JS);
    std::os::unix::fs::symlink("/dev/zero", zero.path().join("package.json")).expect("symlink");
    let out = run_bounded(zero.path(), &[]);
    assert_eq!(out.code, 2, "{out:?}");
    let refused = "error: package.json is a symbolic link to /dev/zero, outside the project root";
    assert_eq!(out.stderr.matches(refused).count(), 1, "once: {}", out.stderr);
    assert!(out.stdout.contains("+++ b/app.js"), "{}", out.stdout);
}

/// A FIFO among the ignore files: the walk reads a folder's .gitignore before it lists the folder, so that folder is
/// left alone, and the others are walked.
#[cfg(unix)]
#[test]
fn a_fifo_gitignore_leaves_its_folder_alone() {
    let project = Project::express_app().with("sub/app.js", APP_JS);
    mkfifo(&project.path().join("sub/.gitignore"));

    let out = run_bounded(project.path(), &[]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("error: sub/.gitignore is not a regular file (a FIFO), so its folder sub is not walked"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("+++ b/app.js") && !out.stdout.contains("sub/app.js"), "{}", out.stdout);
}

/// Files are read up to a size: 16 MiB for sources and views, 4 MiB for package.json, the configuration file,
/// `.nvmrc` and `.node-version`.
#[test]
fn oversized_files_are_named_with_the_limit() {
    let mut big = String::from(APP_JS);
    while big.len() <= 16 << 20 {
        big.push_str(&format!("// {}\n", "x".repeat(1_000)));
    }
    let manifest = format!("{{\"name\": \"big\", \"description\": \"{}\"}}\n", "x".repeat(4 << 20));
    let project =
        Project::express_app().with("big.js", &big).with("other/package.json", &manifest).with("other/app.js", APP_JS);

    let out = run_bounded(project.path(), &[]);

    assert_eq!(out.code, 2, "{out:?}");
    let too_large = |name: &str, size: usize, limit: &str| {
        format!("error: {name} is too large to read ({size} bytes, more than the {limit} limit); left alone")
    };
    assert!(out.stderr.contains(&too_large("big.js", big.len(), "16 MiB")), "{}", out.stderr);
    assert!(out.stderr.contains(&too_large("other/package.json", manifest.len(), "4 MiB")), "{}", out.stderr);
    assert!(out.stdout.contains("+++ b/app.js"), "{}", out.stdout);
}

/// The project root is the git work tree of the folder the tool runs in. Before: a repository without a package.json
/// had the nearest one above it (outside the repository) edited. Now the lookup stops at the root: the dependency is
/// left to the user (a finding says so), and nothing above is read or written.
#[test]
fn the_manifest_above_the_repository_is_never_edited() {
    let outer = Project::empty().with("package.json", PACKAGE_JSON).with("repo/app.js", APP_JS);
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("a work tree marker");

    let out = run_bounded(&repo, &["--write"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("no package.json above this file: install helmet yourself"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(repo.join("app.js")).expect("read"), APP_JS_HARDENED);
    assert_eq!(outer.read("package.json"), PACKAGE_JSON, "the manifest outside the repository was changed");
}

/// Outside a git work tree the root is the folder the tool runs in: the same holds for a project that is not in git.
#[test]
fn without_git_the_root_is_the_current_folder() {
    let outer = Project::empty().with("package.json", PACKAGE_JSON).with("app/app.js", APP_JS);

    let out = run_bounded(&outer.path().join("app"), &["--write"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(outer.read("package.json"), PACKAGE_JSON);
    assert_eq!(outer.read("app/app.js"), APP_JS_HARDENED);
}

/// Paths that resolve outside the root (`..`, an absolute path, a symbolic link to a folder outside, the
/// configuration's `paths.include`) are refused with an error naming them, and nothing there is written.
#[test]
fn paths_outside_the_project_root_are_refused() {
    let outer = Project::empty().with("other/app.js", APP_JS).with("other/package.json", PACKAGE_JSON);
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    std::fs::write(repo.join("app.js"), APP_JS).expect("write");
    std::fs::write(repo.join("package.json"), PACKAGE_JSON).expect("write");
    let other = outer.path().join("other").canonicalize().expect("canonical");
    let root = repo.canonicalize().expect("canonical");
    let refused = |shown: &str| format!("error: {shown} is outside the project root {}", root.display());

    let dotdot = run_bounded(&repo, &["--write", "../other", "app.js"]);
    let absolute = run_bounded(&repo, &["--write", other.to_str().expect("UTF-8")]);

    assert_eq!(dotdot.code, 2, "{dotdot:?}");
    assert!(dotdot.stderr.contains(&format!("{}; left alone", refused("../other"))), "{}", dotdot.stderr);
    assert!(dotdot.stdout.contains("wrote app.js"), "the paths inside are still fixed: {}", dotdot.stdout);
    assert_eq!(absolute.code, 2, "{absolute:?}");
    assert!(absolute.stderr.contains(&refused("../other")), "{}", absolute.stderr);

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&other, repo.join("linked")).expect("symlink");
        let linked = run_bounded(&repo, &["--write", "linked"]);
        assert_eq!(linked.code, 2, "{linked:?}");
        let through = format!("{} (a symbolic link to {}); left alone", refused("linked"), other.display());
        assert!(linked.stderr.contains(&through), "{}", linked.stderr);
        // Met by the walk, the link is not followed.
        let walked = run_bounded(&repo, &["--check"]);
        assert!(!walked.stdout.contains("linked/app.js") && !walked.stderr.contains("linked/"), "{walked:?}");
    }

    std::fs::write(repo.join("express-harden.json"), r#"{ "paths": { "include": ["../other", "."] } }"#)
        .expect("write");
    let included = run_bounded(&repo, &["--write"]);
    assert_eq!(included.code, 2, "{included:?}");
    assert!(included.stderr.contains(&refused("../other")), "{}", included.stderr);

    assert_eq!(outer.read("other/app.js"), APP_JS, "a file outside the root was written");
    assert_eq!(outer.read("other/package.json"), PACKAGE_JSON);
}

/// A source with a name that is not UTF-8 used to be skipped without a word; it is now an error naming it (lossily).
#[cfg(target_os = "linux")]
#[test]
fn a_name_that_is_not_utf8_is_reported() {
    use std::os::unix::ffi::OsStrExt as _;
    let project = Project::express_app();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.js");
    std::fs::write(project.path().join(name), APP_JS).expect("a Latin-1 name");

    let out = run_bounded(project.path(), &["--format", "json"]);

    assert_eq!(out.code, 2, "{out:?}");
    let doc = out.json();
    assert_valid(&doc);
    assert_eq!(doc["errors"][0]["path"], "caf\u{fffd}.js");
    assert_eq!(doc["errors"][0]["message"], "has a name that is not UTF-8; left alone");
    assert!(out.stdout.contains("app.js"), "the others are still fixed: {}", out.stdout);
}

/// A configuration file that starts with a byte order mark is read like one without (package.json already was).
#[test]
fn a_configuration_file_with_a_bom_is_accepted() {
    let config = "\u{feff}{ \"transforms\": { \"only\": [\"session-cookie\"] } }";
    let project = session_app().with("express-harden.json", config);

    let out = run_bounded(project.path(), &[]);

    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("+++ b/app.js") && !out.stdout.contains("helmet"), "{}", out.stdout);

    let key = "\u{feff}{\"name\": \"p\", \"dependencies\": {\"express\": \"^4.22.3\"}, \"express-harden\": \
               {\"transforms\": {\"only\": [\"session-cookie\"]}}}\n";
    let in_manifest = session_app().with("package.json", key);
    let out = run_bounded(in_manifest.path(), &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("helmet"), "the package.json key was read: {}", out.stdout);
}
