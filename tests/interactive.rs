//! `--interactive` through a pseudo-terminal (rexpect), as a reviewer uses it: accept one change, decline one, quit;
//! accept all remaining; help on a bad answer; end of input; and the refusals (no terminal, uncommitted changes).
//! What is written is compared with what `--write --only/--skip` writes for the same choice.
//!
//! A test that expects questions in a given order names the transforms it runs (`--only`), so that adding a
//! transform changes none of them; the tests that run every transform find their questions by what they are about.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use nix::sys::wait::WaitStatus;
use rexpect::session::{spawn_command, PtySession};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn copy_example() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::Builder::new().prefix("express-harden-interactive-").tempdir().expect("tempdir");
    let app = tmp.path().join("app");
    common::copy_dir(&Path::new(REPO).join("examples/basic-app"), &app);
    (tmp, app)
}

fn start(dir: &Path, args: &[&str]) -> PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_express-harden"));
    command.args(["--interactive", "--allow-no-vcs"]).args(args).current_dir(dir).env("NO_COLOR", "1");
    spawn_command(command, Some(30_000)).expect("start express-harden in a pseudo-terminal")
}

/// Two copies of a folder of the repository: one to review interactively, one for the reference run.
fn two_copies(from: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::Builder::new().prefix("express-harden-interactive-").tempdir().expect("tempdir");
    let (app, reference) = (tmp.path().join("app"), tmp.path().join("reference"));
    common::copy_dir(&Path::new(REPO).join(from), &app);
    common::copy_dir(&app, &reference);
    (tmp, app, reference)
}

/// The transforms that change examples/basic-app, in the order of their questions there.
const BASIC_APP: [&str; 6] = ["helmet", "session-store", "secrets", "session-cookie", "res-cookie", "express-version"];

/// Waits for the next question, and returns its header (`[n/N] app.js (helmet): title`) and all it showed.
fn next_question(session: &mut PtySession) -> (String, String) {
    let shown = session.exp_string("[?] help: ").expect("a question");
    let header = shown
        .lines()
        .map(str::trim)
        .rfind(|l| l.strip_prefix('[').and_then(|l| l.split_once('/')).is_some_and(|(n, _)| n.parse::<usize>().is_ok()))
        .unwrap_or_else(|| panic!("no question header in:\n{shown}"))
        .to_string();
    (header, shown)
}

/// Waits for question `n` about `what` (`app.js (helmet)`), and answers it.
fn answer(session: &mut PtySession, n: usize, what: &str, reply: &str) -> String {
    let shown = session.exp_string(&format!("[{n}/")).expect("the question number");
    let rest = session.exp_string("[?] help: ").unwrap_or_else(|e| panic!("no prompt for question {n}: {e}"));
    assert!(rest.contains(what), "question {n} is not about {what}:\n{rest}");
    session.send_line(reply).expect("answer");
    shown + &rest
}

fn finish(mut session: PtySession) -> (i32, String) {
    let rest = session.exp_eof().expect("the tool ends");
    let code = match session.process_mut().wait().expect("exit status") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("express-harden did not exit normally: {other:?}"),
    };
    (code, rest)
}

/// What `--write` with these flags writes on a fresh copy of the example.
fn written_with(args: &[&str]) -> BTreeMap<PathBuf, String> {
    let (_tmp, app) = copy_example();
    let mut all = vec!["--write", "--allow-no-vcs"];
    all.extend_from_slice(args);
    let out = common::express_harden(&app, &all);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    common::tree(&app)
}

#[test]
fn accept_one_decline_one_then_quit_writes_only_the_accepted_change_and_its_package() {
    let (_tmp, app) = copy_example();
    let before = common::tree(&app);
    let mut session = start(&app, &["--only", &BASIC_APP.join(",")]);

    let first = answer(&mut session, 1, "app.js (helmet)", "y");
    assert!(first.contains("+app.use(helmet("), "the diff is shown before the question:\n{first}");
    assert!(first.contains("+    \"helmet\": \"^8.3.0\""), "the package the code needs is shown with it:\n{first}");
    let second = answer(&mut session, 2, "app.js (session-store)", "n");
    assert!(!second.contains("+app.use(helmet("), "a part is shown on top of the accepted ones:\n{second}");
    answer(&mut session, 3, "app.js (secrets)", "q");
    let (code, rest) = finish(session);

    assert_eq!(code, 0, "{rest}");
    assert!(rest.contains("1 accepted, "), "{rest}");
    assert!(rest.contains("quit"), "{rest}");
    assert_ne!(common::tree(&app), before, "the accepted change is written");
    // Exactly what applying the helmet transform alone writes: its code, and helmet in package.json, nothing else.
    assert_eq!(common::tree(&app), written_with(&["--only", "helmet"]));
}

#[test]
fn all_remaining_accepts_the_rest_without_asking() {
    let (_tmp, app) = copy_example();
    let mut session = start(&app, &["--only", &BASIC_APP.join(",")]);

    answer(&mut session, 1, "app.js (helmet)", "n");
    answer(&mut session, 2, "app.js (session-store)", "a");
    let (code, rest) = finish(session);

    assert_eq!(code, 0, "{rest}");
    assert!(!rest.contains("[3/"), "nothing more is asked after `all`:\n{rest}");
    assert_eq!(common::tree(&app), written_with(&["--only", &BASIC_APP[1..].join(",")]));
}

#[test]
fn a_bad_answer_shows_the_help_and_asks_again() {
    let (_tmp, app) = copy_example();
    let before = common::tree(&app);
    let mut session = start(&app, &["--only", "helmet"]);

    answer(&mut session, 1, "app.js (helmet)", "maybe");
    session.exp_string("a - apply this change and all the remaining ones").expect("the help");
    session.exp_string("[?] help: ").expect("the same question again");
    session.send_line("q").expect("quit");
    let (code, rest) = finish(session);

    assert_eq!(code, 0, "{rest}");
    assert!(rest.contains("0 accepted"), "{rest}");
    assert_eq!(common::tree(&app), before, "quitting at the first question writes nothing");
}

#[test]
fn end_of_input_quits_and_writes_nothing() {
    let (_tmp, app) = copy_example();
    let before = common::tree(&app);
    let mut session = start(&app, &[]);

    session.exp_string("[?] help: ").expect("the first question");
    session.send_control('d').expect("Ctrl-D");
    let (code, _) = finish(session);

    assert_eq!(code, 0);
    assert_eq!(common::tree(&app), before);
}

#[test]
fn without_a_terminal_it_refuses_and_writes_nothing() {
    let (_tmp, app) = copy_example();
    let before = common::tree(&app);

    let out = Command::new(env!("CARGO_BIN_EXE_express-harden"))
        .arg("--interactive")
        .current_dir(&app)
        .stdin(Stdio::null())
        .output()
        .expect("run");

    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--interactive asks on a terminal") && stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(common::tree(&app), before);
}

#[test]
fn uncommitted_changes_are_refused_before_any_question() {
    let (_tmp, app) = copy_example();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&app)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git is installed (scripts/test.sh installs it)");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "app"]);
    std::fs::write(app.join("app.js"), std::fs::read_to_string(app.join("app.js")).expect("read") + "\n// wip\n")
        .expect("write");
    let before = common::tree(&app);

    let session = start(&app, &[]);
    let (code, rest) = finish(session);

    assert_eq!(code, 2, "{rest}");
    assert!(!rest.contains("[1/"), "no question is asked:\n{rest}");
    assert!(rest.contains("uncommitted changes"), "{rest}");
    assert_eq!(common::tree(&app), before);
}

#[test]
fn outside_a_git_repository_it_refuses_before_any_question_unless_allow_no_vcs() {
    let (_tmp, app) = copy_example();
    let before = common::tree(&app);

    let mut command = Command::new(env!("CARGO_BIN_EXE_express-harden"));
    command.arg("--interactive").current_dir(&app).env("NO_COLOR", "1");
    let session = spawn_command(command, Some(30_000)).expect("start express-harden in a pseudo-terminal");
    let (code, rest) = finish(session);

    assert_eq!(code, 2, "{rest}");
    assert!(!rest.contains("[1/"), "no question is asked:\n{rest}");
    assert!(rest.contains("is not in a git repository") && rest.contains("--allow-no-vcs"), "{rest}");
    assert_eq!(common::tree(&app), before);
}

#[test]
fn interactive_needs_the_text_format_and_lockfile_alone_is_a_preview() {
    let (_tmp, app) = copy_example();
    let out = common::express_harden(&app, &["--interactive", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    // `--lockfile` without `--write`: the dry run of what `--write --lockfile` plans; nothing on disk changes.
    let before = common::tree(&app);
    let out = common::express_harden(&app, &["--lockfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("+++ b/app.js"), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(common::tree(&app), before);
}

/// Every transform runs: each question is declined (whichever transforms ask them) until the version bump, which comes
/// after the code questions as a question of its own about package.json.
#[test]
fn a_version_bump_in_package_json_is_its_own_question() {
    let (_tmp, app) = copy_example();
    let mut session = start(&app, &[]);

    let mut declined = Vec::new();
    let bump = loop {
        let (header, shown) = next_question(&mut session);
        if header.contains("] package.json (express-version)") {
            session.send_line("y").expect("answer");
            break shown;
        }
        session.send_line("n").expect("answer");
        declined.push(header);
    };
    assert!(bump.contains("+    \"express\": \"^4.22.3\""), "{bump}");
    let (code, rest) = finish(session);

    assert_eq!(code, 0, "{rest}");
    for id in &BASIC_APP[..5] {
        assert!(
            declined.iter().any(|h| h.contains(&format!("] app.js ({id})"))),
            "no question about {id}: {declined:?}"
        );
    }
    assert_eq!(common::tree(&app), written_with(&["--only", "express-version"]));
}

#[test]
fn declining_a_migration_holds_back_its_major_version() {
    let tmp = tempfile::Builder::new().prefix("express-harden-interactive-").tempdir().expect("tempdir");
    let app = tmp.path().join("app");
    common::copy_dir(&Path::new(REPO).join("tests/e2e/express3-app"), &app);
    std::fs::remove_file(app.join("EXPECTED-app.js")).expect("only the app");
    let mut session = start(&app, &["--only", "express4,express-version"]);

    answer(&mut session, 1, "app.js (express4)", "n");
    let (code, rest) = finish(session);

    assert_eq!(code, 0, "{rest}");
    assert!(!rest.contains("[2/"), "the bump to Express 4 is not offered without its migration:\n{rest}");
    assert!(rest.contains("express-version/major-change"), "the reviewer is told why:\n{rest}");
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"express\": \"~3."), "{manifest}");
}

#[test]
fn the_preview_is_what_is_written_even_where_it_depends_on_other_files() {
    // helmet's CSP comes from the app's views: the preview must be planned with them, as the write is.
    let (_tmp, app, reference) = two_copies("tests/fixtures/helmet/34-ejs-inline-and-cdn-scripts");
    let mut session = start(&app, &["--only", "helmet"]);

    let shown = answer(&mut session, 1, "(helmet)", "y");
    let (code, rest) = finish(session);

    assert_eq!(code, 0, "{rest}");
    assert!(shown.contains("https://cdn.jsdelivr.net"), "the CSP built from the views is in the preview:\n{shown}");
    let out = common::express_harden(&reference, &["--write", "--allow-no-vcs", "--only", "helmet"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(common::tree(&app), common::tree(&reference));
}

#[test]
fn a_migration_is_one_question_that_carries_its_version_bump() {
    let (_tmp, app, reference) = two_copies("tests/e2e/express3-app");
    let mut session = start(&app, &[]);

    let migration = answer(&mut session, 1, "] app.js (express4)", "y");
    assert!(migration.contains("+    \"express\": \"~4."), "the bump is shown with its migration:\n{migration}");
    // The questions of the other transforms (every transform runs) come after the migration: quit at the first.
    let (header, _) = next_question(&mut session);
    assert!(header.starts_with("[2/") && !header.contains("express-version"), "{header}");
    session.send_line("q").expect("quit");
    let (code, rest) = finish(session);

    assert_eq!(code, 0, "{rest}");
    let out = common::express_harden(&reference, &["--write", "--allow-no-vcs", "--only", "express4,express-version"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(common::tree(&app), common::tree(&reference));
}

#[test]
fn the_advisories_fixes_of_package_json_are_one_question() {
    // body-parser (to 1.20.4, for its qs), ejs, cookie-parser (for its cookie) and Express (to 4.22.0, whose cookie,
    // path-to-regexp and qs are fixed) raised (Express's own dependencies come with it): one question for package.json; the accepted answer
    // writes what `--write` does, the declined one nothing.
    let (_tmp, app, reference) = two_copies("tests/e2e/advisories-app");
    let before = common::tree(&app);
    let mut session = start(&app, &["--only", "advisories"]);
    let shown = answer(&mut session, 1, "] package.json (advisories)", "y");
    let raised = ["body-parser\": \"1.20.4", "ejs\": \"3.1.10", "cookie-parser\": \"1.4.7", "express\": \"4.22.0"];
    for line in raised.map(|r| format!("+    \"{r}\"")) {
        assert!(shown.contains(&line), "{line} is in the preview:\n{shown}");
    }
    let (code, rest) = finish(session);
    assert_eq!(code, 0, "{rest}");
    assert!(!rest.contains("[2/"), "one question:\n{rest}");
    let out = common::express_harden(&reference, &["--write", "--allow-no-vcs", "--only", "advisories"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(common::tree(&app), common::tree(&reference));
    assert_ne!(common::tree(&app), before);

    let (_tmp, app, _) = two_copies("tests/e2e/advisories-app");
    let mut session = start(&app, &["--only", "advisories"]);
    answer(&mut session, 1, "] package.json (advisories)", "n");
    let (code, rest) = finish(session);
    assert_eq!(code, 0, "{rest}");
    assert_eq!(common::tree(&app), before, "declined: nothing written");
}

#[test]
fn an_advisories_change_that_is_overrides_only_is_asked_about() {
    // override-app: the only change is the override `"ws@7.x": "^7.5.10"` (no version bump): it is one question, and
    // declining it writes nothing; accepting it writes what `--write` does.
    let (_tmp, app, reference) = two_copies("tests/advisories/override-app");
    let before = common::tree(&app);
    let mut session = start(&app, &["--only", "advisories"]);
    let shown = answer(&mut session, 1, "] package.json (advisories)", "n");
    assert!(shown.contains("+    \"ws@7.x\": \"^7.5.10\""), "{shown}");
    let (code, rest) = finish(session);
    assert_eq!(code, 0, "{rest}");
    assert!(rest.contains("0 accepted, 1 declined"), "{rest}");
    assert_eq!(common::tree(&app), before, "declined: nothing written");

    let mut session = start(&app, &["--only", "advisories"]);
    answer(&mut session, 1, "] package.json (advisories)", "y");
    let (code, rest) = finish(session);
    assert_eq!(code, 0, "{rest}");
    let out = common::express_harden(&reference, &["--write", "--allow-no-vcs", "--only", "advisories"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(common::tree(&app), common::tree(&reference));
    assert_ne!(common::tree(&app), before);
}
