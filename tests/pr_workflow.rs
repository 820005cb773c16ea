//! scripts/harden-pr.sh (the steps of the GitHub Action) end to end against a local bare repository standing in for
//! GitHub: a clone of it holds examples/basic-app with a package-lock.json; a fake `gh` at the front of PATH logs its
//! arguments, keeps a copy of the body file it was given and answers `pr list` from a state file (`pr create` writes
//! number 1 there). The real binary and npm run; git's system and global configuration are left out, so the commits
//! take the script's fallback identity.
//!
//! Scenarios: a first run pushes the branch (its tree is what `express-harden --write --lockfile` makes of a fresh
//! clone) and opens one pull request with the tool's markdown; a second run pushes nothing and edits pull request #1;
//! after the base moves on, the branch is rebuilt on the new base and pushed again; once the base holds the fixes,
//! "no changes: no pull request" and nothing is pushed, created or edited. Also: a dirty work tree and a tool error
//! are refused with a clear message, a body over the size limit loses its full diff, only the files the tool wrote
//! are committed (not a stray file or a node_modules/ the run left), and no core.fsmonitor program or hook of the
//! repository runs.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BRANCH: &str = "express-harden/fixes";

/// The fake GitHub CLI: logs one line per call, copies the body file, answers `pr list` from the state file.
const FAKE_GH: &str = r#"#!/usr/bin/env bash
dir="$(dirname "$0")/.."
printf '%s\n' "$*" >>"$dir/gh.log"
case "$1 $2" in
  "pr list")
    # The open pull requests as GitHub lists them (a JSON array), filtered with the caller's --jq.
    filter=.
    while [ $# -gt 0 ]; do
      if [ "$1" = --jq ]; then filter=$2; fi
      shift
    done
    if [ -f "$dir/gh.prs" ]; then jq -r "$filter" "$dir/gh.prs"; else echo '[]' | jq -r "$filter"; fi ;;
  "pr create" | "pr edit")
    sub=$2
    while [ $# -gt 0 ]; do
      if [ "$1" = --body-file ]; then cp "$2" "$dir/gh.body"; fi
      shift
    done
    if [ "$sub" = create ]; then
      number=$(( $(jq '[.[].number] | max // 0' "$dir/gh.prs" 2>/dev/null || echo 0) + 1 ))
      jq -n --argjson n "$number" --slurpfile old <(cat "$dir/gh.prs" 2>/dev/null || echo '[]') \
        '$old[0] + [{number: $n, isCrossRepository: false}]' >"$dir/gh.prs.new"
      mv "$dir/gh.prs.new" "$dir/gh.prs"
      echo "https://github.com/owner/app/pull/$number"
    fi ;;
  *)
    echo "fake gh: unexpected call: $*" >&2
    exit 1 ;;
esac
"#;

/// Panics with a clear message when a program the test needs is missing (no silent skip).
fn require(program: &str) {
    let found = Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(found, "{program} is needed by tests/pr_workflow.rs and is not installed (scripts/test.sh installs it)");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temporary folder with a bare repository (`origin.git`), a clone of it (`work`), the fake gh (`bin/gh`) and an
/// empty git configuration.
struct Sandbox {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    origin: PathBuf,
    work: PathBuf,
}

impl Sandbox {
    /// examples/basic-app committed and pushed to main, with a package-lock.json made by npm when `lockfile`.
    fn new(lockfile: bool) -> Self {
        require("git");
        require("bash");
        if lockfile {
            require("npm");
        }
        let tmp = tempfile::Builder::new().prefix("express-harden-pr-").tempdir().expect("tempdir");
        let root = tmp.path().to_path_buf();
        std::fs::write(root.join("gitconfig"), "").expect("write gitconfig");
        std::fs::create_dir(root.join("bin")).expect("mkdir bin");
        let gh = root.join("bin/gh");
        std::fs::write(&gh, FAKE_GH).expect("write fake gh");
        std::fs::set_permissions(&gh, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod gh");

        let sandbox = Sandbox { origin: root.join("origin.git"), work: root.join("work"), root, _tmp: tmp };
        sandbox.git(&sandbox.root, &["init", "-q", "--bare", "-b", "main", "origin.git"]);
        sandbox.git(&sandbox.root, &["clone", "-q", "origin.git", "work"]);
        sandbox.git(&sandbox.work, &["checkout", "-q", "-b", "main"]);
        common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/basic-app"), &sandbox.work);
        if lockfile {
            let npm = Command::new("npm")
                .args(["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"])
                .current_dir(&sandbox.work)
                .output()
                .expect("run npm");
            assert!(npm.status.success(), "npm install --package-lock-only failed: {}", text(&npm.stderr));
            assert!(sandbox.work.join("package-lock.json").exists());
        }
        sandbox.commit_all("The app");
        sandbox.git(&sandbox.work, &["push", "-q", "origin", "main"]);
        sandbox
    }

    /// A git command isolated from the machine's configuration.
    fn git_command(&self, dir: &Path) -> Command {
        let mut command = Command::new("git");
        command
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.root.join("gitconfig"))
            .env("PATH", self.path())
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE");
        for who in ["AUTHOR", "COMMITTER"] {
            command.env_remove(format!("GIT_{who}_NAME")).env_remove(format!("GIT_{who}_EMAIL"));
        }
        command
    }

    /// Runs git in `dir`; panics unless it succeeds; returns its trimmed stdout.
    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_command(dir).args(args).output().expect("run git");
        assert!(out.status.success(), "git {args:?} failed: {}", text(&out.stderr));
        text(&out.stdout).trim().to_string()
    }

    /// Commits everything in the work tree as the test's own author (the script's identity is checked separately).
    fn commit_all(&self, message: &str) {
        self.git(&self.work, &["add", "-A"]);
        self.git(
            &self.work,
            &["-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", message],
        );
    }

    /// The fake gh's folder first, then the test's PATH (with git, npm and node).
    fn path(&self) -> String {
        format!("{}:{}", self.root.join("bin").display(), std::env::var("PATH").unwrap_or_default())
    }

    /// Runs scripts/harden-pr.sh in the work tree with the real binary and the fake gh.
    fn run_script(&self, env: &[(&str, &str)]) -> Output {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/harden-pr.sh");
        let output = self.root.join("github-output");
        let _ = std::fs::remove_file(&output);
        // A clean environment: no GIT_* or GITHUB_* variables of the machine (or of a CI run) leak in.
        let out = Command::new("bash")
            .arg(script)
            .current_dir(&self.work)
            .env_clear()
            .env("PATH", self.path())
            .env("HOME", std::env::var("HOME").unwrap_or_default())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.root.join("gitconfig"))
            .env("TMPDIR", &self.root)
            .env("GITHUB_OUTPUT", &output)
            .env("EXPRESS_HARDEN", env!("CARGO_BIN_EXE_express-harden"))
            .envs(env.iter().copied())
            .output();
        out.expect("run scripts/harden-pr.sh")
    }

    /// The step outputs the last run wrote for GitHub Actions.
    fn outputs(&self) -> String {
        std::fs::read_to_string(self.root.join("github-output")).unwrap_or_default()
    }

    /// The fake gh's calls, one line each.
    fn gh_calls(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.root.join("gh.log")).unwrap_or_default();
        log.lines().map(str::to_string).collect()
    }

    fn gh_calls_of(&self, verb: &str) -> Vec<String> {
        self.gh_calls().into_iter().filter(|c| c.starts_with(&format!("pr {verb} "))).collect()
    }

    /// The body file of the last `pr create` or `pr edit`.
    fn gh_body(&self) -> String {
        std::fs::read_to_string(self.root.join("gh.body")).expect("gh was given a body file")
    }

    /// The commit of a branch in the bare repository, if it exists.
    fn origin_sha(&self, branch: &str) -> Option<String> {
        let out = self
            .git_command(&self.origin)
            .args(["rev-parse", "-q", "--verify", &format!("refs/heads/{branch}")])
            .output()
            .expect("run git");
        out.status.success().then(|| text(&out.stdout).trim().to_string())
    }

    /// A fresh clone of main made into `name`, with `express-harden --write --lockfile --format markdown` run on it:
    /// returns the clone, the markdown and the tree git would record for the result.
    fn expected(&self, name: &str) -> (PathBuf, String, String) {
        self.git(&self.root, &["clone", "-q", "origin.git", name]);
        let clone = self.root.join(name);
        let out = Command::new(env!("CARGO_BIN_EXE_express-harden"))
            .args(["--write", "--lockfile", "--format", "markdown"])
            .current_dir(&clone)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.root.join("gitconfig"))
            .output()
            .expect("run express-harden");
        assert_eq!(out.status.code(), Some(0), "express-harden on the fresh clone: {}", text(&out.stderr));
        self.git(&clone, &["add", "-A"]);
        let tree = self.git(&clone, &["write-tree"]);
        (clone, text(&out.stdout), tree)
    }
}

fn assert_ran(out: &Output) -> String {
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "the script failed\nstdout:\n{stdout}\nstderr:\n{}", text(&out.stderr));
    stdout
}

#[test]
fn opens_one_pull_request_updates_it_without_churn_and_stops_when_nothing_changes() {
    let sb = Sandbox::new(true);
    let main_1 = sb.origin_sha("main").expect("main pushed");
    let (expected_clone, markdown, expected_tree) = sb.expected("expected-1");
    assert!(markdown.starts_with("# express-harden: security fixes in 3 files\n"), "the lockfile counts:\n{markdown}");
    assert!(markdown.contains("`package-lock.json` was updated to match"), "{markdown}");

    // First run: the branch is pushed and one pull request is opened.
    let stdout = assert_ran(&sb.run_script(&[]));
    assert!(stdout.contains(&format!("harden-pr: pushed {BRANCH} to origin (new branch)")), "{stdout}");
    assert!(stdout.contains("harden-pr: opened pull request https://github.com/owner/app/pull/1"), "{stdout}");
    let fixes_1 = sb.origin_sha(BRANCH).expect("the branch was pushed");
    assert_eq!(sb.git(&sb.origin, &["rev-parse", &format!("{fixes_1}^")]), main_1, "one commit on top of main");
    assert_eq!(sb.git(&sb.origin, &["rev-parse", &format!("{fixes_1}^{{tree}}")]), expected_tree);
    let changed = sb.git(&sb.origin, &["diff", "--name-only", &main_1, &fixes_1]);
    let changed: Vec<&str> = changed.lines().collect();
    for file in ["app.js", "package.json", "package-lock.json"] {
        assert!(changed.contains(&file), "{file} should differ from main: {changed:?}");
    }
    for file in &changed {
        let on_branch = sb.git(&sb.origin, &["show", &format!("{fixes_1}:{file}")]);
        let written = std::fs::read_to_string(expected_clone.join(file)).expect("read the expected file");
        assert_eq!(on_branch, written.trim(), "{file} on the branch differs from what --write --lockfile wrote");
    }
    let title = markdown.lines().next().unwrap_or_default().trim_start_matches("# ").to_string();
    assert_eq!(
        sb.git(&sb.origin, &["log", "-1", "--format=%s%n%an <%ae>%n%cn <%ce>", &fixes_1]),
        format!(
            "{title}\nexpress-harden <express-harden@users.noreply.github.com>\n\
             express-harden <express-harden@users.noreply.github.com>"
        )
    );
    let creates = sb.gh_calls_of("create");
    assert_eq!(creates.len(), 1, "{:?}", sb.gh_calls());
    assert!(creates[0].starts_with(&format!("pr create --base main --head {BRANCH} --title {title} --body-file ")));
    assert_eq!(sb.gh_body(), markdown, "the pull request's body is the tool's markdown");
    assert!(sb.gh_calls_of("edit").is_empty());
    assert!(sb.outputs().contains("changed=true\npushed=true\npull-request=1\n"), "{}", sb.outputs());
    // Back on main, clean.
    assert_eq!(sb.git(&sb.work, &["symbolic-ref", "--short", "HEAD"]), "main");
    assert_eq!(sb.git(&sb.work, &["status", "--porcelain"]), "");

    // Second run on the same main: same tree on the same base, so no push; the open pull request is edited.
    let stdout = assert_ran(&sb.run_script(&[]));
    assert!(stdout.contains("already has these changes on top of main: not pushed"), "{stdout}");
    assert!(stdout.contains("harden-pr: updated pull request #1"), "{stdout}");
    assert_eq!(sb.origin_sha(BRANCH).as_deref(), Some(fixes_1.as_str()), "the branch must not be pushed again");
    assert_eq!(sb.gh_calls_of("create").len(), 1, "no second pull request: {:?}", sb.gh_calls());
    let edits = sb.gh_calls_of("edit");
    assert_eq!(edits.len(), 1, "{:?}", sb.gh_calls());
    assert!(edits[0].starts_with(&format!("pr edit 1 --title {title} --body-file ")), "{}", edits[0]);
    assert_eq!(sb.gh_body(), markdown, "the body is stable");
    assert!(sb.outputs().contains("changed=true\npushed=false\npull-request=1\n"), "{}", sb.outputs());
    assert_eq!(sb.git(&sb.work, &["symbolic-ref", "--short", "HEAD"]), "main");

    // main moves on: the branch is made again on the new main and pushed over the old one.
    std::fs::write(sb.work.join("NOTES.md"), "Notes.\n").expect("write");
    sb.commit_all("Notes");
    sb.git(&sb.work, &["push", "-q", "origin", "main"]);
    let main_2 = sb.origin_sha("main").expect("main");
    let stdout = assert_ran(&sb.run_script(&[]));
    assert!(stdout.contains(&format!("pushed {BRANCH} to origin (replacing {})", &fixes_1[..12])), "{stdout}");
    let fixes_2 = sb.origin_sha(BRANCH).expect("branch");
    assert_ne!(fixes_2, fixes_1);
    assert_eq!(sb.git(&sb.origin, &["rev-parse", &format!("{fixes_2}^")]), main_2);
    assert_eq!(sb.git(&sb.origin, &["diff", "--name-only", &main_2, &fixes_2]), changed.join("\n"));
    assert_eq!(sb.gh_calls_of("create").len(), 1, "{:?}", sb.gh_calls());
    assert_eq!(sb.gh_calls_of("edit").len(), 2, "{:?}", sb.gh_calls());

    // main already holds the fixes: nothing changes, nothing is pushed, no pull request is opened or edited.
    sb.git(&sb.work, &["merge", "-q", "--ff-only", BRANCH]);
    sb.git(&sb.work, &["push", "-q", "origin", "main"]);
    let calls_before = sb.gh_calls().len();
    let stdout = assert_ran(&sb.run_script(&[]));
    assert!(stdout.contains("harden-pr: no changes: no pull request"), "{stdout}");
    assert!(stdout.contains("pull request #1 from express-harden/fixes is still open"), "{stdout}");
    assert!(!stdout.contains("pushed"), "{stdout}");
    assert_eq!(sb.origin_sha(BRANCH).as_deref(), Some(fixes_2.as_str()), "the branch must not be updated");
    let new_calls = &sb.gh_calls()[calls_before..];
    assert!(new_calls.iter().all(|c| c.starts_with("pr list ")), "only a look-up: {new_calls:?}");
    assert_eq!(sb.outputs(), "changed=false\npull-request=1\n");
    assert_eq!(sb.git(&sb.work, &["status", "--porcelain"]), "");
}

#[test]
fn refuses_a_dirty_work_tree_and_reports_tool_errors() {
    let sb = Sandbox::new(false);

    std::fs::write(sb.work.join("app.js"), "// local edit\n").expect("write");
    let out = sb.run_script(&[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stdout: {}\nstderr: {stderr}", text(&out.stdout));
    assert!(stderr.contains("  M app.js"), "{stderr}");
    assert!(stderr.contains("harden-pr: error: the work tree has uncommitted changes"), "{stderr}");
    assert_eq!(std::fs::read_to_string(sb.work.join("app.js")).expect("read"), "// local edit\n", "left as it was");
    assert_eq!(sb.origin_sha(BRANCH), None);
    assert!(sb.gh_calls().is_empty(), "{:?}", sb.gh_calls());

    sb.git(&sb.work, &["checkout", "-q", "--", "app.js"]);
    let out = sb.run_script(&[("HARDEN_ARGS", "--only nope")]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stdout: {}\nstderr: {stderr}", text(&out.stdout));
    assert!(stderr.contains("  | error: unknown transform `nope`"), "the tool's message is shown: {stderr}");
    assert!(stderr.contains("harden-pr: error: express-harden exited with code 2"), "{stderr}");
    assert_eq!(sb.origin_sha(BRANCH), None);
    assert!(sb.gh_calls().is_empty(), "{:?}", sb.gh_calls());
}

#[test]
fn a_body_over_the_limit_loses_its_full_diff() {
    let sb = Sandbox::new(false);
    let out = sb.run_script(&[("MAX_BODY", "1000"), ("PR_TITLE", "Harden the app"), ("HARDEN_ARGS", "--only helmet")]);
    let stdout = assert_ran(&out);
    assert!(stdout.contains("the body is longer than 1000 bytes: the full diff was left out of it"), "{stdout}");
    let body = sb.gh_body();
    assert!(body.starts_with("# express-harden"), "{body}");
    assert!(body.contains("## Changes"), "{body}");
    assert!(!body.contains("Full diff") && !body.contains("<details>"), "{body}");
    assert!(body.ends_with("The full diff is too long for a pull-request body: see the commit.\n"), "{body}");
    let creates = sb.gh_calls_of("create");
    assert_eq!(creates.len(), 1, "{:?}", sb.gh_calls());
    assert!(creates[0].contains("--title Harden the app --body-file"), "{}", creates[0]);
    let fixes = sb.origin_sha(BRANCH).expect("pushed");
    assert_eq!(sb.git(&sb.origin, &["log", "-1", "--format=%s", &fixes]), "Harden the app");
    assert_eq!(sb.git(&sb.origin, &["diff", "--name-only", "main", &fixes]), "app.js\npackage.json");
}

#[test]
fn a_pull_request_from_a_fork_with_the_same_branch_name_is_never_edited() {
    let sb = Sandbox::new(false);
    // `gh pr list --head` matches the branch name in forks too.
    std::fs::write(sb.root.join("gh.prs"), r#"[{"number": 7, "isCrossRepository": true}]"#).expect("write");

    let out = sb.run_script(&[]);
    assert_ran(&out);

    assert!(sb.gh_calls_of("edit").is_empty(), "the fork's pull request was edited: {:?}", sb.gh_calls());
    assert_eq!(sb.gh_calls_of("create").len(), 1, "{:?}", sb.gh_calls());
    assert_eq!(sb.outputs(), "changed=true\npushed=true\npull-request=8\n");
}

#[test]
fn a_base_branch_behind_or_ahead_of_the_remote_is_refused() {
    let sb = Sandbox::new(false);
    std::fs::write(sb.work.join("notes.txt"), "local only\n").expect("write");
    sb.commit_all("not pushed");

    let out = sb.run_script(&[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stdout: {}\nstderr: {stderr}", text(&out.stdout));
    assert!(stderr.contains("pull or push first"), "{stderr}");
    assert_eq!(sb.origin_sha(BRANCH), None);
    assert!(sb.gh_calls().is_empty(), "{:?}", sb.gh_calls());
}

#[test]
fn the_sarif_log_of_the_dry_run_is_written_before_the_change_when_asked() {
    let sb = Sandbox::new(false);
    let sarif = sb.root.join("express-harden.sarif");

    let out = sb.run_script(&[("SARIF_FILE", sarif.to_str().expect("UTF-8 path")), ("HARDEN_ARGS", "--only helmet")]);
    let stdout = assert_ran(&out);

    assert!(stdout.contains("harden-pr: wrote the SARIF log to"), "{stdout}");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("the log is written")).expect("JSON");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().expect("results");
    // The dry run's: the helmet change is still a proposed fix (`fail`), not a done one.
    assert!(results.iter().any(|r| r["ruleId"] == "helmet" && r["kind"] == "fail" && r["fixes"].is_array()));
    assert!(sb.outputs().contains(&format!("sarif-file={}\n", sarif.display())), "{}", sb.outputs());
    let fixes = sb.origin_sha(BRANCH).expect("pushed");
    assert_eq!(sb.git(&sb.origin, &["diff", "--name-only", "main", &fixes]), "app.js\npackage.json");
}

/// The commit holds what express-harden wrote and nothing else: a package manager's node_modules or a stray file the
/// run left (here a wrapper around the tool leaves both, as Yarn 1's install used to) stays out, and is named.
#[test]
fn only_the_files_the_tool_wrote_are_committed() {
    let sb = Sandbox::new(false);
    let wrapper = sb.root.join("bin/harden-and-litter");
    std::fs::write(
        &wrapper,
        "#!/bin/sh\n\"$REAL_EXPRESS_HARDEN\" \"$@\"\nstatus=$?\necho stray >stray.txt\nmkdir -p node_modules/left-pad\n\
         echo 'module.exports = 1;' >node_modules/left-pad/index.js\nexit $status\n",
    )
    .expect("write the wrapper");
    std::fs::set_permissions(&wrapper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");

    let out = sb.run_script(&[
        ("EXPRESS_HARDEN", wrapper.to_str().expect("UTF-8 path")),
        ("REAL_EXPRESS_HARDEN", env!("CARGO_BIN_EXE_express-harden")),
        ("HARDEN_ARGS", "--only helmet"),
    ]);

    let stdout = assert_ran(&out);
    let fixes = sb.origin_sha(BRANCH).expect("pushed");
    assert_eq!(sb.git(&sb.origin, &["diff", "--name-only", "main", &fixes]), "app.js\npackage.json");
    assert!(stdout.contains("harden-pr: express-harden changed 2 file(s)"), "{stdout}");
    assert!(stdout.contains("left in the work tree, not committed (express-harden did not write these):"), "{stdout}");
    assert!(stdout.contains("  ?? node_modules/\n") && stdout.contains("  ?? stray.txt\n"), "{stdout}");
    assert!(sb.work.join("stray.txt").exists(), "left for the user to look at, not deleted");
}

/// git starts the program `core.fsmonitor` names (git status) and the hooks of `core.hooksPath` (a post-checkout hook
/// on each checkout): the script runs git without them.
#[test]
fn the_script_runs_no_fsmonitor_program_or_hook_of_the_repository() {
    let sb = Sandbox::new(false);
    let marker = sb.root.join("MARKER");
    let hooks = sb.root.join("hooks");
    std::fs::create_dir(&hooks).expect("mkdir");
    for script in [sb.root.join("fsmonitor.sh"), hooks.join("post-checkout"), hooks.join("pre-push")] {
        std::fs::write(&script, format!("#!/bin/sh\necho \"$0\" >>'{}'\n", marker.display())).expect("write");
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    }
    sb.git(&sb.work, &["config", "core.fsmonitor", sb.root.join("fsmonitor.sh").to_str().expect("UTF-8")]);
    sb.git(&sb.work, &["config", "core.hooksPath", hooks.to_str().expect("UTF-8")]);
    // The vectors are live: git itself runs them.
    sb.git(&sb.work, &["status", "--porcelain"]);
    sb.git(&sb.work, &["checkout", "-q", "main"]);
    let ran = std::fs::read_to_string(&marker).expect("git ran the repository's programs");
    assert!(ran.contains("fsmonitor.sh") && ran.contains("post-checkout"), "{ran}");
    std::fs::remove_file(&marker).expect("rm");

    let out = sb.run_script(&[("HARDEN_ARGS", "--only helmet")]);

    assert_ran(&out);
    assert!(sb.origin_sha(BRANCH).is_some(), "pushed");
    assert_eq!(std::fs::read_to_string(&marker).unwrap_or_default(), "", "a program of the repository ran");
}
