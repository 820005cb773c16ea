//! The command line as a user (or a bot) meets it: the real binary runs on temporary copies of small projects, and
//! the tests check what would be noticed: stdout, stderr, exit codes, the bytes on disk and the JSON document,
//! which must validate against `docs/output-schema.json`.
//!
//! A test that pins output (exact text, files, counts, exit codes that depend on what would change) selects the
//! transforms it is about with `--only` (mostly `--only helmet` on the demo app), so that adding a transform changes
//! none of them. Tests that assert only properties of the engine (a dry run writes nothing, the patch applies, ...)
//! run every transform, and `the_default_run_applies_every_transform` checks that each does its part.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

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

/// The demo app as `--only helmet --write` leaves it.
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

/// What a dry run of the demo app with `--only helmet` prints on stdout.
const HELMET_DIFF: &str = r#"--- a/app.js
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

    /// The demo app as `--only helmet --write` leaves it.
    fn hardened_app() -> Project {
        Project::empty().with("app.js", APP_JS_HARDENED).with("package.json", PACKAGE_JSON_HARDENED)
    }

    /// A copy of `tests/fixtures/helmet/<case>/`.
    fn fixture(case: &str) -> Project {
        let project = Project::empty();
        common::copy_dir(&Path::new(REPO).join("tests/fixtures/helmet").join(case), project.path());
        project
    }

    /// A copy of `examples/<name>/`.
    fn example(name: &str) -> Project {
        let project = Project::empty();
        common::copy_dir(&Path::new(REPO).join("examples").join(name), project.path());
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

    let out = run(project.path(), &["--only", "helmet"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, HELMET_DIFF);
    let summary_head =
        "express-harden: would change 1 source file, 1 package.json\n  scanned 1 source file: 1 parsed\n";
    assert!(out.stderr.starts_with(summary_head), "{}", out.stderr);
    assert!(out.stderr.contains("  helmet: 1 source file, 1 package.json\n"), "{}", out.stderr);
    assert!(out.stderr.contains("  package.json: dependencies helmet (new) -> ^8.3.0\n"), "{}", out.stderr);
    assert!(out.stderr.contains("run `npm install` in ."), "{}", out.stderr);
    assert!(out.stderr.contains("then run again with --write to apply it"), "{}", out.stderr);
}

/// The default run (every transform) on examples/basic-app: each transform that has something to do there does its
/// part, the summary counts it, and a second run finds nothing left to change. Only `contains` checks, so that a new
/// transform (which may change the same files too) leaves this test as it is.
#[test]
fn the_default_run_applies_every_transform() {
    let project = Project::example("basic-app");

    let dry = run(project.path(), &[]);
    let write = run(project.path(), &["--write", "--allow-no-vcs"]);
    let check = run(project.path(), &["--check"]);

    assert_eq!(dry.code, 0, "{dry:?}");
    assert_eq!(write.code, 0, "{write:?}");
    let app = project.read("app.js");
    let manifest = project.read("package.json");
    let parts: [(&str, &str, &str); 6] = [
        ("helmet", "app.js", "app.use(helmet({"),
        ("session-store", "app.js", "store: sessionStore,"),
        ("secrets", "app.js", "secret: requiredSecret('SESSION_SECRET'),"),
        ("session-cookie", "app.js", "name: 'sid',"),
        ("res-cookie", "app.js", "maxAge: 30 * 24 * 60 * 60 * 1000, httpOnly: true,"),
        ("express-version", "package.json", "\"express\": \"^4.22.3\""),
    ];
    for (id, file, text) in parts {
        let written = if file == "app.js" { &app } else { &manifest };
        assert!(written.contains(text), "{id}: {file} has no `{text}`:\n{written}");
        let line = write.stdout.lines().find(|l| l.starts_with(&format!("wrote {file} ("))).unwrap_or_default();
        assert!(line.contains(id), "{id} is not named for {file}: {}", write.stdout);
        assert!(dry.stderr.contains(&format!("\n  {id}: ")), "{id} is not counted: {}", dry.stderr);
    }
    assert!(manifest.contains("\"helmet\": \"^8.3.0\"") && manifest.contains("\"connect-redis\": \"^9.0.0\""));
    assert_eq!(check.code, 0, "nothing is left to change: {check:?}");
    assert_eq!(check.stdout, "");
}

/// A project already on Express 5 whose code still uses what Express 5 removed (`app.del` and a bare `*` throw when
/// the app starts; `res.send(404)` answers 200): the default run, without `--express`, migrates it, writes it, and a
/// second run changes nothing. A library whose range also runs on Express 4 (`^4.18.0 || ^5.0.0`) is left alone:
/// without `--express 5`, Express 5's syntax would break it on 4.
#[test]
fn a_project_on_express5_with_express4_code_is_migrated_without_asking() {
    let app = "const express = require('express');\n\nconst app = express();\n\napp.del('/items/:id', (req, res) => {\n  res.send(404);\n});\n\napp.get('*', (req, res) => {\n  res.send('page');\n});\n\napp.listen(3000);\n";
    let project = Project::empty()
        .with("package.json", "{\n  \"name\": \"on-5\",\n  \"dependencies\": {\n    \"express\": \"^5.3.0\"\n  }\n}\n")
        .with("app.js", app);

    let dry = run(project.path(), &["--only", "express5"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert_eq!(
        dry.stdout,
        "--- a/app.js\n+++ b/app.js\n@@ -2,11 +2,11 @@\n \n const app = express();\n \n-app.del('/items/:id', (req, res) => {\n-  res.send(404);\n+app.delete('/items/:id', (req, res) => {\n+  res.sendStatus(404);\n });\n \n-app.get('*', (req, res) => {\n+app.get('/{*splat}', (req, res) => {\n   res.send('page');\n });\n \n"
    );
    assert!(dry.stderr.contains("package.json is on Express 5, and code written for Express 4"), "{}", dry.stderr);

    let write = run(project.path(), &["--only", "express5", "--write", "--allow-no-vcs"]);
    assert_eq!(write.code, 0, "{write:?}");
    assert!(project.read("app.js").contains("app.get('/{*splat}', (req, res) => {"));
    let again = run(project.path(), &["--check", "--only", "express5"]);
    assert_eq!(again.code, 0, "nothing is left to change: {again:?}");

    let library = Project::empty()
        .with(
            "package.json",
            "{\n  \"name\": \"lib\",\n  \"peerDependencies\": {\n    \"express\": \"^4.18.0 || ^5.0.0\"\n  },\n  \"devDependencies\": {\n    \"express\": \"^5.3.0\"\n  }\n}\n",
        )
        .with("app.js", app);
    let out = run(library.path(), &["--only", "express5"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "", "a library that runs on Express 4 too is not moved to 5's syntax");
}

/// `session()` with no options, in CommonJS, an ES module and TypeScript, with every transform (the default run): the
/// store, the secret and the cookie's options are planned by three transforms at the same point, the empty
/// parentheses, and become one options object; a second run finds nothing to change.
#[test]
fn session_without_options_gets_one_options_object_from_every_transform() {
    let head = "import express from 'express';\nimport session from 'express-session';\n\n";
    let tail = "export const app = express();\napp.use(session());\n";
    let project = Project::empty()
        .with(
            "app.js",
            "const express = require('express');\nconst session = require('express-session');\n\n\
             const app = express();\napp.use(session());\n\napp.get('/', (req, res) => res.send(req.session.id));\n\n\
             module.exports = app;\n",
        )
        .with("server.mjs", format!("{head}{tail}"))
        .with("src/index.ts", format!("{head}{tail}"))
        .with(
            "package.json",
            "{\n  \"name\": \"bare-session\",\n  \"dependencies\": {\n    \"express\": \"^4.22.3\",\n    \
             \"express-session\": \"^1.19.0\"\n  }\n}\n",
        );

    let write = run(project.path(), &["--write", "--allow-no-vcs"]);
    let check = run(project.path(), &["--check"]);

    assert_eq!(write.code, 0, "{write:?}");
    let options = "\
app.use(session({
  store: sessionStore,
  secret: requiredSecret('SESSION_SECRET'),
  name: 'sid',
  resave: false,
  saveUninitialized: false,
  cookie: {
    httpOnly: true,
    secure: process.env.NODE_ENV === 'production',
    sameSite: 'lax'
  }
}));
";
    // The store, told of its client's outages.
    let store = "const sessionStore = new RedisStore({ client: redisClient });
redisClient.on('error', () => sessionStore.emit('disconnect'));
redisClient.on('ready', () => sessionStore.emit('connect'));
";
    let app = project.read("app.js");
    assert_eq!(
        app,
        format!(
            "const express = require('express');
const helmet = require('helmet');
const session = require('express-session');
const {{ RedisStore }} = require('connect-redis');
const {{ createClient }} = require('redis');

function requiredSecret(name) {{
  const value = process.env[name];
  if (value) return value;
  const fs = require('fs');
  const crypto = require('crypto');
  const os = require('os');
  if (process.env.NODE_ENV === 'production') {{
    const file = `${{process.cwd()}}/.env`;
    const lines = !(name in process.env) && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\\n') : [];
    const given = new RegExp(`^\\\\s*(?:export\\\\s+)?${{name}}\\\\s*[=:]\\\\s*(?:\"[^\"]|'[^']|[^\\\\s#\"'])`);
    if (lines.some((line) => given.test(line))) {{
      throw new Error(`${{name}} must be set in production (${{file}} has it: load dotenv before the module that reads it)`);
    }}
    throw new Error(`${{name}} must be set in production`);
  }}
  const shared = Symbol.for('express-harden.dev-secrets');
  if (!global[shared]) {{
    const project = crypto.createHmac('sha256', process.cwd()).digest('hex').slice(0, 16);
    const user = process.getuid ? process.getuid() : process.env.USERNAME;
    const folders = (place) => {{
      if (place === 'app') return [`${{process.cwd()}}/.express-harden`];
      const base = place === 'tmp' ? `${{os.tmpdir()}}/express-harden-${{user}}` : `${{os.homedir()}}/.express-harden`;
      return [base, `${{base}}/${{project}}`];
    }};
    const mine = (entry, folder) => {{
      const stat = fs.lstatSync(entry);
      const kind = folder ? stat.isDirectory() : stat.isFile();
      if (!kind || (process.getuid && (stat.uid !== process.getuid() || (stat.mode & 0o077) !== 0))) {{
        throw new Error(`${{entry}} is not private to this user`);
      }}
    }};
    const keep = (dirs) => {{
      dirs.forEach((dir) => {{
        try {{
          fs.mkdirSync(dir, 0o700);
        }} catch (error) {{
          if (error.code !== 'EEXIST') throw error;
        }}
        mine(dir, true);
      }});
      const file = `${{dirs[dirs.length - 1]}}/.dev-secret`;
      if (!fs.existsSync(file)) {{
        const created = {{ mode: 0o600, flag: 'wx' }};
        try {{
          fs.writeFileSync(`${{dirs[dirs.length - 1]}}/.gitignore`, '*\\n', created);
        }} catch (error) {{
          if (error.code !== 'EEXIST') throw error;
        }}
        const temp = `${{file}}.${{process.pid}}`;
        fs.writeFileSync(temp, crypto.randomBytes(32).toString('hex'), created);
        try {{
          fs.linkSync(temp, file);
        }} catch (error) {{
          if (error.code !== 'EEXIST') throw error;
        }} finally {{
          fs.unlinkSync(temp);
        }}
      }}
      mine(file, false);
      return file;
    }};
    let key;
    let where;
    const failed = [];
    const places = ['app', 'tmp', 'home'];
    places.some((place) => {{
      try {{
        const file = keep(folders(place));
        key = fs.readFileSync(file, 'utf8');
        where = `kept in ${{file}}`;
        return true;
      }} catch (error) {{
        failed.push(error.message);
        return false;
      }}
    }});
    global[shared] = {{
      key: key || crypto.randomBytes(32).toString('hex'),
      where: where || `that changes when the app restarts (cannot keep it: ${{failed.join('; ')}})`,
      names: {{}}
    }};
  }}
  const dev = global[shared];
  if (!dev.names[name]) {{
    dev.names[name] = crypto.createHmac('sha256', dev.key).update(name).digest('hex');
    console.warn(`${{name}} is not set: using a development secret ${{dev.where}}`);
  }}
  return dev.names[name];
}}

const app = express();
app.use(helmet());

const redisClient = createClient({{
  url: process.env.REDIS_URL || 'redis://localhost:6379',
  commandOptions: {{ timeout: 2000 }},
  socket: {{
    reconnectStrategy: () => {{
      setTimeout(() => redisClient.connect().catch(() => {{}}), 1000).unref();
      return false;
    }}
  }}
}});
let redisDown = false;
redisClient.on('error', (err) => {{
  if (!redisDown) console.error('Redis session store (REDIS_URL) unreachable:', err.message);
  redisDown = true;
}});
redisClient.on('ready', () => {{
  if (redisDown) console.error('Redis session store (REDIS_URL) reconnected');
  redisDown = false;
}});
redisClient.unref();
redisClient.connect().catch(() => {{}});
if (process.env.NODE_ENV === 'production') {{
  new Promise((resolve, reject) => redisClient.once('ready', resolve).once('error', reject)).catch((err) => {{
    console.error(`The Redis session store at REDIS_URL is unreachable (${{err.message}}): not starting.`);
    process.exit(1);
  }});
}}
{store}
{options}
app.get('/', (req, res) => res.send(req.session.id));

module.exports = app;
"
        )
    );
    for file in ["server.mjs", "src/index.ts"] {
        let written = project.read(file);
        assert!(
            written.ends_with(&format!("    process.exit(1);\n  }});\n}}\n{store}\n{options}")),
            "{file}:\n{written}"
        );
    }
    for file in ["app.js", "server.mjs", "src/index.ts"] {
        let line = write.stdout.lines().find(|l| l.starts_with(&format!("wrote {file} ("))).unwrap_or_default();
        assert!(line.contains("(helmet, secrets, session-cookie, session-store; "), "{}", write.stdout);
    }
    assert!(write.stderr.contains("  session-cookie: 3 source files\n"), "{}", write.stderr);
    assert!(write.stderr.contains("app.js:5:9: info [secrets/missing-secret] express-session was given no secret"));
    assert_eq!(check.code, 0, "nothing is left to change: {check:?}");
    assert_eq!(check.stdout, "");
}

/// A one-line `session({...})` that three transforms add to (the store and the secret first, the cookie's name and
/// flags last), together past the print width: written once over several lines, one property per line, the cookie
/// object too; a short one stays on its line; a second run finds nothing to change.
#[test]
fn a_long_one_line_session_gets_one_property_per_line_from_every_transform() {
    let project = Project::empty()
        .with(
            "app.js",
            "const express = require('express');\nconst session = require('express-session');\n\n\
             const app = express();\napp.use(session({ resave: false, saveUninitialized: false, rolling: true }));\n\n\
             module.exports = app;\n",
        )
        .with(
            "package.json",
            "{\n  \"name\": \"long-session\",\n  \"dependencies\": {\n    \"express\": \"^4.22.3\",\n    \
             \"express-session\": \"^1.19.0\"\n  }\n}\n",
        );

    let write = run(project.path(), &["--write", "--allow-no-vcs"]);
    let check = run(project.path(), &["--check"]);

    assert_eq!(write.code, 0, "{write:?}");
    let app = project.read("app.js");
    let options = "
app.use(session({
  store: sessionStore,
  secret: requiredSecret('SESSION_SECRET'),
  resave: false,
  saveUninitialized: false,
  rolling: true,
  name: 'sid',
  cookie: {
    httpOnly: true,
    secure: process.env.NODE_ENV === 'production',
    sameSite: 'lax'
  }
}));

module.exports = app;
";
    assert!(app.ends_with(options), "{app}");
    assert_eq!(check.code, 0, "nothing is left to change: {check:?}");

    // Short enough with the store alone: the object stays on its line.
    let short = Project::empty()
        .with("app.js", "const session = require('express-session');\napp.use(session({ secret: s }));\n")
        .with("package.json", "{ \"dependencies\": { \"express-session\": \"^1.19.0\", \"redis\": \"^6.3.1\" } }\n");
    let write = run(short.path(), &["--write", "--allow-no-vcs", "--only", "session-store"]);
    assert_eq!(write.code, 0, "{write:?}");
    assert!(
        short.read("app.js").contains("\napp.use(session({ store: sessionStore, secret: s }));\n"),
        "{}",
        short.read("app.js")
    );
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

    let implicit = run(project.path(), &["--only", "helmet"]);
    let explicit = run(project.path(), &["--only", "helmet", "."]);

    assert_eq!(implicit.code, 0);
    assert_eq!(implicit.stdout, HELMET_DIFF);
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
    assert_eq!(run(written.path(), &["--write", "--allow-no-vcs"]).code, 0);
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
    assert_eq!(run(written.path(), &["--write", "--allow-no-vcs"]).code, 0);
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

/// A lone CR inside a line (here in a block comment) is no line end for git: the diff keeps it in its line, so the
/// patch applies and gives what --write writes.
#[test]
fn a_stray_lone_cr_does_not_break_the_patch() {
    let app =
        "const express = require('express'); /* a \r in a comment */\nconst app = express();\napp.listen(3000);\n";
    let project = Project::express_app().with("app.js", app);
    let written = Project::express_app().with("app.js", app);
    assert_eq!(run(written.path(), &["--write", "--allow-no-vcs"]).code, 0);
    let patch = run(project.path(), &[]).stdout;
    assert!(patch.lines().all(|l| !l.contains('\r') || l.starts_with(' ')), "{patch:?}");
    project.write("changes.patch", &patch);
    project.git(&["init", "--quiet"]);
    project.git(&["apply", "changes.patch"]);
    assert_eq!(project.read("app.js"), written.read("app.js"));
    assert!(written.read("app.js").contains("a \r in a comment"));
}

/// Odd file names (a newline, a quote, a tab) are quoted in the diff's headers as git quotes them, so the patch
/// still applies.
#[test]
fn odd_file_names_are_quoted_in_the_patch() {
    let name = "we\nird \"app\"\t\\.js";
    let project = Project::express_app().with(name, APP_JS);
    std::fs::remove_file(project.path().join("app.js")).expect("rm");
    let written = Project::express_app().with(name, APP_JS);
    std::fs::remove_file(written.path().join("app.js")).expect("rm");
    assert_eq!(run(written.path(), &["--write", "--allow-no-vcs"]).code, 0);
    let patch_dir = tempfile::tempdir().expect("tempdir");
    let patch = patch_dir.path().join("change.diff");
    let out = run(project.path(), &["--diff-file", patch.to_str().expect("UTF-8")]);
    assert_eq!(out.code, 0, "{out:?}");
    let text = std::fs::read_to_string(&patch).expect("patch");
    assert!(text.contains("--- \"a/we\\nird \\\"app\\\"\\t\\\\.js\"\n"), "{text}");
    project.git(&["init", "--quiet"]);
    project.git(&["apply", patch.to_str().expect("UTF-8")]);
    assert_eq!(project.read(name), written.read(name));
    assert_eq!(project.read("package.json"), written.read("package.json"));
}

/// Runs the binary with `args` and its standard output a pipe whose reading end is already closed (as after
/// `| head -1` has read its line): every write to it fails with a broken pipe.
fn run_into_closed_pipe(dir: &Path, args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .envs(isolated_git_env(dir))
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run express-harden");
    Run {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_closed_standard_output_ends_the_run_quietly() {
    let project = Project::express_app();

    for args in [&["list"][..], &["completions", "bash"], &["completions", "zsh"], &["man"]] {
        let out = run_into_closed_pipe(project.path(), args);
        assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{args:?}: exit 0 and nothing on stderr");
    }
    // The dry run's diff goes to the closed pipe: no panic, the exit code of the run, the summary still on stderr.
    let out = run_into_closed_pipe(project.path(), &["--only", "helmet"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(out.stderr.starts_with("express-harden: would change 1 source file, 1 package.json\n"), "{}", out.stderr);
}

#[test]
fn a_reader_that_stops_early_is_no_error() {
    // `| head -1` as a user types it: the reader exits after the first line, whenever the tool writes the rest.
    let project = Project::empty();
    for command in ["list", "completions bash", "man"] {
        let script = format!("'{BIN}' {command} | head -n 1 >/dev/null; echo \"${{PIPESTATUS[0]}}\"");
        for _ in 0..5 {
            let out = Command::new("bash").arg("-c").arg(&script).current_dir(project.path()).output().expect("bash");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n", "{command} | head -1: {stderr}");
            assert_eq!(stderr, "", "{command} | head -1");
        }
    }
}

#[test]
fn only_and_skip_complete_transform_ids() {
    let project = Project::empty();
    let ids = express_harden::transforms::all_ids().join(" ");

    let bash = run(project.path(), &["completions", "bash"]);
    let fish = run(project.path(), &["completions", "fish"]);

    for flag in ["--only", "--skip"] {
        let case = format!(
            "                {flag})\n                    COMPREPLY=($(compgen -W \"{ids}\" -- \"${{cur}}\"))\n"
        );
        assert!(bash.stdout.contains(&case), "bash completes {flag} with the ids:\n{}", bash.stdout);
    }
    for flag in ["-l only ", "-l skip "] {
        let at = fish.stdout.find(flag).unwrap_or_else(|| panic!("{flag}: {}", fish.stdout));
        let line = fish.stdout[at..].split("\ncomplete ").next().unwrap_or_default();
        assert!(line.contains(" -r -f -a \"helmet"), "fish completes {flag}with the ids, no file names: {line}");
        assert!(line.contains("\nexpress5"), "{line}");
    }
    // Still any text on the command line: an unknown id is the tool's error, listing the valid ones.
    let unknown = run(project.path(), &["--only", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains(&format!("valid ids: {}", ids.replace(' ', ", "))), "{}", unknown.stderr);
}

/// Runs the binary in a pseudo-terminal (stdout and stderr both terminals), with the progress bar's delay set to 0
/// (as if the run were long) unless `long` is false; returns everything it printed.
fn run_on_a_terminal(dir: &Path, args: &[&str], long: bool) -> String {
    let mut command = Command::new(BIN);
    command.args(args).current_dir(dir).envs(isolated_git_env(dir)).env_remove("EXPRESS_HARDEN_PROGRESS_DELAY_MS");
    if long {
        command.env("EXPRESS_HARDEN_PROGRESS_DELAY_MS", "0");
    }
    let mut session = rexpect::session::spawn_command(command, Some(30_000)).expect("start in a pseudo-terminal");
    let printed = session.exp_eof().expect("the tool ends");
    let _ = session.process_mut().wait();
    printed
}

#[test]
fn a_progress_bar_shows_on_a_terminal_in_the_text_format_only() {
    let project = Project::express_app();
    let bar = "planning 1/1 files [";

    let text = run_on_a_terminal(project.path(), &["--only", "helmet"], true);
    assert!(text.contains(bar), "a long run on a terminal shows the bar:\n{text}");
    // Cleared before the diff and the summary are printed.
    assert!(text.find(bar) < text.find("--- a/app.js"), "{text}");
    assert!(text.contains("\x1b[2K"), "the bar's line is cleared: {text:?}");
    // A run shorter than the delay (a second) shows none.
    let short = run_on_a_terminal(project.path(), &["--only", "helmet"], false);
    assert!(!short.contains("planning ") && short.contains("--- a/app.js"), "{short}");

    for format in ["json", "sarif", "markdown"] {
        let out = run_on_a_terminal(project.path(), &["--only", "helmet", "--format", format], true);
        assert!(!out.contains("planning "), "no bar with --format {format}:\n{out}");
    }
    // stderr not a terminal: no bar, whatever the delay.
    let piped = Command::new(BIN)
        .args(["--only", "helmet"])
        .current_dir(project.path())
        .envs(isolated_git_env(project.path()))
        .env("EXPRESS_HARDEN_PROGRESS_DELAY_MS", "0")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(stderr.starts_with("express-harden: would change"), "no bar before the summary: {stderr:?}");
    assert!(!stderr.contains("planning "), "{stderr:?}");
}

/// A file whose lines end with a lone CR (classic Mac) is not edited: new code would be laid out at LF. It is named
/// with the reason, nothing is written, the exit code says so, and its findings still carry the right lines.
#[test]
fn a_classic_mac_file_is_left_alone_with_a_reason() {
    let app =
        "const express = require('express');\r\rconst app = express();\rapp.get('/', (req, res) => res.send('hi'));\r\
               app.listen(3000);\r";
    let manifest = "{\r  \"dependencies\": {\r    \"express\": \"^4.22.3\"\r  }\r}\r";
    let project = Project::empty().with("app.js", app).with("package.json", manifest);
    let out = run(project.path(), &["--only", "helmet", "--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("app.js ends its lines with a lone CR (classic Mac line endings)"), "{}", out.stderr);
    assert_eq!(project.read("app.js"), app);
    assert_eq!(project.read("package.json"), manifest, "no package added for code that was not written");
    assert!(!out.stderr.contains("findings ("), "no finding explains a change that was not made: {}", out.stderr);
}

// ---------------------------------------------------------------------------------------------------------------------
// --check.

#[test]
fn check_exits_1_when_changes_are_due_and_writes_nothing() {
    let project = Project::express_app();
    let before = project.tree();

    let out = run(project.path(), &["--only", "helmet", "--check"]);

    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout, "would change app.js (helmet)\nwould change package.json (helmet)\n");
    assert!(out.stderr.contains("run express-harden to see the diff, and with --write to apply it"), "{}", out.stderr);
    assert_eq!(project.tree(), before);
}

#[test]
fn dry_run_flag_is_the_default_made_explicit() {
    let project = Project::express_app();
    let before = project.tree();

    let implicit = run(project.path(), &["--only", "helmet"]);
    let explicit = run(project.path(), &["--only", "helmet", "--dry-run"]);

    assert_eq!(explicit.code, 0, "{explicit:?}");
    assert_eq!((explicit.stdout.as_str(), explicit.stderr.as_str()), (HELMET_DIFF, implicit.stderr.as_str()));
    assert_eq!(project.tree(), before);
    for other in ["--write", "--check"] {
        let both = run(project.path(), &["--dry-run", other]);
        assert_eq!(both.code, 2, "--dry-run {other}: {both:?}");
        assert!(both.stderr.contains("cannot be used with"), "{}", both.stderr);
    }
}

#[test]
fn the_summary_says_what_it_counts() {
    let project = Project::express_app()
        .with("lib/math.js", "module.exports = (a, b) => a + b;\n")
        .with("lib/strings.js", "module.exports = (s) => s.trim();\n")
        .with("admin.js", BROKEN_JS)
        .with("latin1.js", NOT_UTF8)
        .with("vendor.min.js", "var express=require('express');\n")
        .with("test/app.test.js", APP_JS);

    let out = run(project.path(), &["--only", "helmet"]);
    let json = run(project.path(), &["--only", "helmet", "--format", "json"]).json();

    assert_eq!(out.code, 2, "admin.js does not parse: {out:?}");
    assert!(
        out.stderr.starts_with(
            "express-harden: would change 1 source file, 1 package.json\n  scanned 6 source files: 1 parsed, 2 skipped \
             by the prefilter (they name nothing the transforms look for), 1 failed to parse, 1 set aside as too large \
             or minified (see the findings), 1 could not be handled (see the errors); 1 test file left alone \
             (--include-tests to harden it)\n  helmet: 1 source file, 1 package.json\n"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("error: admin.js does not parse"), "{}", out.stderr);
    assert!(out.stderr.contains("error: latin1.js is not UTF-8 text"), "{}", out.stderr);
    assert_eq!(json["summary"]["files_scanned"], 6);
    assert_eq!(json["summary"]["files_set_aside"], 1);
    assert_eq!(json["summary"]["files_parsed"], 1, "a file that failed to parse is not counted as parsed");
    assert_eq!(
        (json["summary"]["files_skipped"].as_u64(), json["summary"]["files_unparsable"].as_u64()),
        (Some(2), Some(1))
    );
}

#[test]
fn a_needle_only_in_comments_does_not_make_a_file_analysed() {
    // middleware/types.js names express (and helmet) in comments only, and nothing imports it: skipped by the
    // prefilter, as its twin without the comments is. routes/users.js names express in a JSDoc comment only too, but
    // app.js imports it: read with the modules the app imports. lib/router.js has code after a comment that closes on
    // its line: analysed.
    const TYPES: &str = "/**\n * @typedef {import('express').Request} Request\n */\n// app.use(helmet());\n\
                         module.exports = (req, res, next) => next();\n";
    let app = APP_JS.replace("app.listen(3000);", "require('./routes/users')(app);\n\napp.listen(3000);");
    let project = Project::express_app()
        .with("app.js", &app)
        .with("middleware/types.js", TYPES)
        .with(
            "routes/users.js",
            "/** @param {import('express').Application} app */\nmodule.exports = function (app) {\n  \
             app.get('/users', (req, res) => res.json([]));\n};\n",
        )
        .with(
            "lib/router.js",
            "/* shared */ const express = require('express');\nmodule.exports = express.Router();\n",
        );

    let out = run(project.path(), &["--only", "helmet"]);
    let json = run(project.path(), &["--only", "helmet", "--format", "json"]).json();

    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("  scanned 4 source files: 3 parsed, 1 skipped by the prefilter (they name nothing"),
        "{}",
        out.stderr
    );
    assert_eq!(
        (json["summary"]["files_scanned"].as_u64(), json["summary"]["files_parsed"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(json["summary"]["files_skipped"], 1);
    assert!(out.stdout.contains("+++ b/app.js") && !out.stdout.contains("middleware/types.js"), "{}", out.stdout);

    // The same project with the comments taken out of middleware/types.js prints the same.
    let twin = Project::express_app()
        .with("app.js", &app)
        .with("middleware/types.js", "module.exports = (req, res, next) => next();\n")
        .with("routes/users.js", std::fs::read(project.path().join("routes/users.js")).expect("read"))
        .with("lib/router.js", std::fs::read(project.path().join("lib/router.js")).expect("read"));
    let twin_out = run(twin.path(), &["--only", "helmet"]);
    assert_eq!((twin_out.code, &twin_out.stdout, &twin_out.stderr), (out.code, &out.stdout, &out.stderr));
}

#[test]
fn check_exits_0_on_a_project_that_is_already_hardened() {
    let project = Project::hardened_app();

    let out = run(project.path(), &["--only", "helmet", "--check"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "express-harden: would change no files\n  scanned 1 source file: 1 parsed\n");
}

/// `// express-harden-ignore <id>` keeps the change below it from being made: `--check` passes (exit 0, the finding
/// saying why nothing changed), `--write` leaves the file as it is; without the comment the same project fails.
#[test]
fn check_passes_on_changes_kept_by_an_ignore_comment() {
    let ignored = "const express = require('express');\n\n// express-harden-ignore helmet -- embedded in a partner site\nconst app = express();\n\nmodule.exports = app;\n";
    let project = Project::empty().with("app.js", ignored).with("package.json", PACKAGE_JSON);
    let before = project.tree();

    let out = run(project.path(), &["--check"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains(
            "app.js:4:1: info [engine/ignored] the helmet change here was skipped by the express-harden-ignore comment on line 3"
        ),
        "{}",
        out.stderr
    );
    let write = run(project.path(), &["--write", "--allow-no-vcs", "--allow-dirty"]);
    assert_eq!(write.code, 0, "{write:?}");
    assert_eq!(project.tree(), before);

    // The same app without the comment is not hardened yet.
    project.write("app.js", ignored.replace("// express-harden-ignore helmet -- embedded in a partner site\n", ""));
    let out = run(project.path(), &["--check"]);
    assert_eq!(out.code, 1, "{out:?}");
}

/// An opt-out comment whose id names no transform (`helmet` misspelt) keeps nothing: the change is made (so `--check`
/// fails), and a warning names the file, the line, the unknown id and the ids there are. Fixed, `--check` passes.
#[test]
fn an_unknown_id_in_an_ignore_comment_is_reported() {
    let misspelt = "const express = require('express');\n\n// express-harden-ignore helmut\nconst app = express();\n\nmodule.exports = app;\n";
    let project = Project::empty().with("app.js", misspelt).with("package.json", PACKAGE_JSON);

    let out = run(project.path(), &["--check", "--color", "never"]);
    assert_eq!(out.code, 1, "the comment keeps nothing: {out:?}");
    assert!(
        out.stderr.contains(
            "app.js:3:1: warning [engine/unknown-ignore-id] this express-harden-ignore comment names `helmut`, which is \
             not a transform id (it keeps no change from being made); the ids are: advisories, cookie-session, \
             express-version, express4, express5, helmet, res-cookie, secrets, session-cookie, session-store"
        ),
        "{}",
        out.stderr
    );
    project.write("app.js", misspelt.replace("helmut", "helmet"));
    let out = run(project.path(), &["--check", "--color", "never"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("unknown-ignore-id"), "{}", out.stderr);
}

/// JWT secrets written in many modules get their variables from the whole project, in path order, whatever the
/// number of threads and their order: the same literal reads one variable in every module, different literals
/// different ones, and the diff is the same run after run.
#[test]
fn jwt_secret_names_are_chosen_across_modules_the_same_way_whatever_the_threads() {
    let mut project = Project::empty().with(
        "package.json",
        "{ \"name\": \"tokens\", \"dependencies\": { \"express\": \"^4.22.3\", \"jsonwebtoken\": \"^9.0.2\" } }\n",
    );
    // m00 and m06 hold 'secret-0', m01 and m07 'secret-1', ...: six values over twelve modules.
    for n in 0..12 {
        let module = format!(
            "const jwt = require('jsonwebtoken');\n\nexports.sign = (id) => jwt.sign({{ id }}, 'secret-{}');\n",
            n % 6
        );
        project = project.with(&format!("m{n:02}.js"), &module);
    }
    let diff = |threads: &str| {
        let out = Command::new(BIN)
            .args(["--only", "secrets", "--color", "never"])
            .current_dir(project.path())
            .envs(isolated_git_env(project.path()))
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("run express-harden");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = diff("1");
    for n in 0..12 {
        let variable = match n % 6 {
            0 => "JWT_SECRET".to_string(),
            k => format!("JWT_SECRET_{}", k + 1),
        };
        let read = format!("+exports.sign = (id) => jwt.sign({{ id }}, requiredSecret('{variable}'));");
        let file = format!("+++ b/m{n:02}.js");
        let section = first.split("--- a/").find(|s| s.contains(&file)).unwrap_or_else(|| panic!("{file}: {first}"));
        assert!(section.contains(&read), "m{n:02}.js reads {variable}: {section}");
    }
    for threads in ["2", "4", "8", "2", "8"] {
        assert_eq!(diff(threads), first, "the same diff with {threads} threads");
    }
}

/// An Express 5 rewrite kept from being made by an opt-out comment holds the major back: exit 3, package.json unchanged.
#[test]
fn an_ignored_migration_change_holds_the_major_back() {
    let app = "const express = require('express');\nconst app = express();\n// express-harden-ignore express5\napp.get('/files/*', (req, res) => res.send(req.params[0]));\nmodule.exports = app;\n";
    let project = Project::empty().with("app.js", app).with("package.json", PACKAGE_JSON);

    let out = run(project.path(), &["--express", "5", "--only", "express5", "--color", "never"]);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(!out.stdout.contains("package.json"), "{}", out.stdout);
    assert!(out.stderr.contains("(app.js:4 engine/ignored)"), "{}", out.stderr);
}

#[test]
fn check_exits_2_when_a_file_does_not_parse_and_names_it() {
    let project = Project::hardened_app().with("admin.js", BROKEN_JS);
    let before = project.tree();

    let out = run(project.path(), &["--only", "helmet", "--check"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("error: admin.js does not parse (syntax error at "), "{}", out.stderr);
    assert!(out.stderr.contains("; left alone"), "{}", out.stderr);
    assert_eq!(project.tree(), before);
}

#[test]
fn findings_alone_do_not_fail_check() {
    let project = Project::hardened_app().with("app.js", PARTIAL_HELMET_JS);

    let out = run(project.path(), &["--only", "helmet", "--check"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("findings (1):\n  app.js:"), "{}", out.stderr);
    assert!(out.stderr.contains(": warning [helmet/partial] only some of helmet's protections"), "{}", out.stderr);
}

#[test]
fn check_together_with_write_is_a_usage_error() {
    let project = Project::express_app();
    let before = project.tree();

    let out = run(project.path(), &["--check", "--write", "--allow-no-vcs"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("'--check' cannot be used with '--write'"), "{}", out.stderr);
    assert_eq!(project.tree(), before);
}

// ---------------------------------------------------------------------------------------------------------------------
// --write.

#[test]
fn write_writes_the_expected_files_and_says_so() {
    let project = Project::express_app();

    let out = run(project.path(), &["--only", "helmet", "--write", "--allow-no-vcs"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "wrote app.js (helmet; +2 -0)\nwrote package.json (helmet; +2 -1)\n");
    assert!(out.stderr.starts_with("express-harden: changed 1 source file, 1 package.json\n"), "{}", out.stderr);
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
    assert_eq!(project.read("package.json"), PACKAGE_JSON_HARDENED);
}

#[test]
fn write_is_idempotent() {
    let project = Project::express_app();
    assert_eq!(run(project.path(), &["--only", "helmet", "--write", "--allow-no-vcs"]).code, 0);
    let after_first = project.tree();

    let check = run(project.path(), &["--only", "helmet", "--check"]);
    let second = run(project.path(), &["--only", "helmet", "--write", "--allow-no-vcs"]);

    assert_eq!(check.code, 0, "{check:?}");
    assert_eq!(check.stdout, "");
    assert_eq!(second.code, 0, "{second:?}");
    assert_eq!(second.stdout, "");
    assert_eq!(project.tree(), after_first);
}

/// Two modules that each get the secrets helper: one module holds it, created by --write beside them (0644), and a
/// second run changes nothing. SARIF's fixes edit files that exist: there each file keeps its own helper.
#[test]
fn write_creates_the_shared_helper_module_once() {
    let project = Project::express_app()
        .with("lib/a.js", "const jwt = require('jsonwebtoken');\nexports.a = (id) => jwt.sign({ id }, 'a-s3cret');\n")
        .with("lib/b.js", "const jwt = require('jsonwebtoken');\nexports.b = (t) => jwt.verify(t, 'a-s3cret');\n");
    let sarif = run(project.path(), &["--only", "secrets", "--format", "sarif"]);
    assert_eq!(sarif.code, 0, "{sarif:?}");
    assert!(!sarif.stdout.contains("required-secret.js"), "{}", sarif.stdout);
    assert_eq!(sarif.stdout.matches("function requiredSecret(name)").count(), 2, "{}", sarif.stdout);

    // Given one of the files, the run changes only it: it keeps its own helper.
    let narrow = run(project.path(), &["--only", "secrets", "lib/a.js"]);
    assert!(!narrow.stdout.contains("required-secret.js"), "{}", narrow.stdout);
    assert!(narrow.stdout.contains("+function requiredSecret(name) {"), "{}", narrow.stdout);

    let check = run(project.path(), &["--only", "secrets", "--check"]);
    assert_eq!(check.code, 1, "{check:?}");
    assert_eq!(
        check.stdout,
        "would change lib/a.js (secrets)\nwould change lib/b.js (secrets)\nwould create lib/required-secret.js (secrets)\n"
    );
    let out = run(project.path(), &["--only", "secrets", "--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("created lib/required-secret.js (secrets; +"), "{}", out.stdout);
    assert!(out.stderr.starts_with("express-harden: changed 3 source files (1 new)"), "{}", out.stderr);
    assert!(project.read("lib/a.js").contains("const { requiredSecret } = require('./required-secret');"));
    assert!(project.read("lib/required-secret.js").ends_with("module.exports = { requiredSecret };\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(project.path().join("lib/required-secret.js")).map(|m| m.permissions().mode());
        assert_eq!(mode.map(|m| m & 0o777).ok(), Some(0o644));
    }
    let after = project.tree();
    let again = run(project.path(), &["--only", "secrets", "--write", "--allow-no-vcs"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{again:?}");
    assert_eq!(project.tree(), after);
}

/// The module's path holds a file the walk does not read (git ignores it): nothing is created over it, and the files
/// that would import the module are left alone, with an error naming it. The dry run's diff of a new module is git's.
#[test]
fn a_module_is_never_created_over_an_ignored_file() {
    let a = "const jwt = require('jsonwebtoken');\nexports.a = (id) => jwt.sign({ id }, 'a-s3cret');\n";
    let b = "const jwt = require('jsonwebtoken');\nexports.b = (t) => jwt.verify(t, 'a-s3cret');\n";
    let fresh = Project::express_app().with("lib/a.js", a).with("lib/b.js", b);
    let dry = run(fresh.path(), &["--only", "secrets"]);
    assert!(dry.stdout.contains("--- /dev/null\n+++ b/lib/required-secret.js\n@@ -0,0 +1,"), "{dry:?}");

    let project = Project::express_app()
        .with("lib/a.js", a)
        .with("lib/b.js", b)
        .with(".gitignore", "lib/required-secret.js\n")
        .with("lib/required-secret.js", "// generated elsewhere\n");
    let before = project.tree();
    let out = run(project.path(), &["--only", "secrets", "--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("lib/required-secret.js could not be created as the module lib/a.js, lib/b.js would import"),
        "{}",
        out.stderr
    );
    assert_eq!(project.tree(), before);
}

#[test]
fn write_leaves_no_temporary_file() {
    let project = Project::express_app()
        .with("routes/admin.js", "const e = require('express');\nconst a = e();\nmodule.exports = a;\n");
    let files_before: Vec<PathBuf> = project.tree().into_keys().collect();

    let out = run(project.path(), &["--only", "helmet", "--write", "--allow-no-vcs"]);

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

    let out = run(project.path(), &["--only", "helmet", "--write", "--allow-no-vcs"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
    assert_eq!(mode("app.js"), 0o755);
    assert_eq!(mode("package.json"), 0o640);
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_and_the_others_are_still_written() {
    let project = Project::express_app().with("latin1.js", NOT_UTF8);

    let out = run(project.path(), &["--only", "helmet", "--write", "--allow-no-vcs"]);

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

    let out = run(project.path(), &["--only", "helmet", "--write"]);

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

    let out = run(project.path(), &["--only", "helmet", "--write", "--allow-dirty"]);

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

    let out = run(project.path(), &["--only", "helmet", "--write"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("\n  package.json\n"), "{}", out.stderr);
    assert_eq!(project.tree(), before);
}

#[test]
fn an_untracked_file_counts_as_dirty() {
    let project = Project::express_app();
    project.commit_all();
    project
        .write("admin.js", "const express = require('express');\nconst admin = express();\nmodule.exports = admin;\n");
    let before = project.tree();

    let out = run(project.path(), &["--only", "helmet", "--write"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("\n  admin.js\n"), "{}", out.stderr);
    assert!(out.stderr.contains("--allow-dirty"), "{}", out.stderr);
    assert_eq!(project.tree(), before, "app.js is clean but must not be written without admin.js");
}

#[test]
fn write_in_a_clean_committed_tree_works() {
    let project = Project::express_app();
    project.commit_all();

    let out = run(project.path(), &["--only", "helmet", "--write"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
    assert_eq!(project.read("package.json"), PACKAGE_JSON_HARDENED);
    assert_eq!(project.git(&["status", "--porcelain"]), " M app.js\n M package.json\n");
}

#[test]
fn write_outside_a_git_repository_is_refused_unless_allow_no_vcs() {
    let project = Project::express_app();
    let before = project.tree();

    let refused = run(project.path(), &["--only", "helmet", "--write"]);

    assert_eq!(refused.code, 2, "{refused:?}");
    assert_eq!(refused.stdout, "");
    assert!(refused.stderr.starts_with("error: nothing was written: "), "{}", refused.stderr);
    assert!(refused.stderr.contains("is not in a git repository"), "{}", refused.stderr);
    assert!(refused.stderr.contains("pass --allow-no-vcs to write anyway"), "{}", refused.stderr);
    assert_eq!(project.tree(), before, "nothing is written");

    let allowed = run(project.path(), &["--only", "helmet", "--write", "--allow-no-vcs"]);
    assert_eq!(allowed.code, 0, "{allowed:?}");
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);

    // A dry run and --check need no repository; --allow-no-vcs alone is a usage error, as --allow-dirty is.
    let fresh = Project::express_app();
    assert_eq!(run(fresh.path(), &["--only", "helmet"]).code, 0);
    assert_eq!(run(fresh.path(), &["--only", "helmet", "--check"]).code, 1);
    let usage = run(fresh.path(), &["--allow-no-vcs"]);
    assert_eq!(usage.code, 2, "{usage:?}");
    assert!(usage.stderr.contains("--allow-no-vcs needs --write or --interactive"), "{}", usage.stderr);
}

#[test]
fn write_in_a_subfolder_of_a_git_work_tree_needs_no_flag() {
    let project = Project::empty().with("app/app.js", APP_JS).with("app/package.json", PACKAGE_JSON);
    project.commit_all();

    let out = Command::new(BIN)
        .args(["--only", "helmet", "--write"])
        .current_dir(project.path().join("app"))
        .envs(isolated_git_env(project.path()))
        .output()
        .expect("run express-harden");

    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(project.read("app/app.js"), APP_JS_HARDENED);
}

// ---------------------------------------------------------------------------------------------------------------------
// Choosing transforms.

#[test]
fn an_unknown_id_in_only_is_a_usage_error_listing_the_valid_ids() {
    let project = Project::express_app();

    let out = run(project.path(), &["--only", "nope"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr,
        format!(
            "error: unknown transform `nope` in --only; valid ids: {}\n",
            express_harden::transforms::all_ids().join(", ")
        )
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn an_unknown_id_in_skip_is_a_usage_error_listing_the_valid_ids() {
    let project = Project::express_app();

    let out = run(project.path(), &["--skip", "nope"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr,
        format!(
            "error: unknown transform `nope` in --skip; valid ids: {}\n",
            express_harden::transforms::all_ids().join(", ")
        )
    );
}

#[test]
fn only_helmet_runs_helmet() {
    let project = Project::express_app();

    let out = run(project.path(), &["--only", "helmet"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, HELMET_DIFF);
}

/// `--skip` takes transforms out of what `--only` selects (or, without `--only`, out of every transform).
#[test]
fn skip_helmet_leaves_an_app_without_sessions_alone() {
    let project = Project::express_app();
    let before = project.tree();

    // helmet and session-store without helmet: session-store has nothing to do in an app without sessions.
    let check = run(project.path(), &["--only", "helmet,session-store", "--skip", "helmet", "--check"]);
    let write =
        run(project.path(), &["--only", "helmet,session-store", "--skip", "helmet", "--write", "--allow-no-vcs"]);

    assert_eq!(check.code, 0, "{check:?}");
    assert_eq!(check.stdout, "");
    assert_eq!(write.code, 0, "{write:?}");
    assert_eq!(write.stdout, "");
    assert_eq!(project.tree(), before);

    // Every transform but helmet: whatever the others do, helmet is not added.
    let rest = run(project.path(), &["--skip", "helmet", "--write", "--allow-no-vcs"]);

    assert_eq!(rest.code, 0, "{rest:?}");
    assert!(!rest.stdout.contains("helmet"), "{}", rest.stdout);
    assert!(!project.read("app.js").contains("helmet"), "{}", project.read("app.js"));
    assert!(!project.read("package.json").contains("helmet"), "{}", project.read("package.json"));
}

#[test]
fn list_shows_each_transform_with_its_title_and_docs() {
    let out = run(Project::empty().path(), &["list"]);

    assert_eq!(out.code, 0, "{out:?}");
    let headings: Vec<&str> = out.stdout.lines().filter(|l| !l.is_empty() && !l.starts_with(' ')).collect();
    assert_eq!(headings, express_harden::transforms::all_ids(), "every transform, in registry order: {}", out.stdout);
    assert!(
        format!("\n{}", out.stdout).contains("\nhelmet\n  Add helmet's security headers to every Express app\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\n  why: "), "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!(
            "\n  docs: https://github.com/express-harden/express-harden/blob/v{}/transforms/helmet/README.md \
             (https://helmetjs.github.io/)\n",
            env!("CARGO_PKG_VERSION")
        )),
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

    let out = run(project.path(), &["--only", "helmet", "--format", "json"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stderr, "", "JSON mode prints nothing on stderr");
    let doc = out.json();
    assert_valid(&doc);
    assert_eq!(doc["schema_version"], 7);
    assert_eq!(doc["mode"], "dry-run");
    assert_eq!(doc["files"][0]["path"], "app.js");
    assert_eq!(doc["files"][0]["kind"], "source");
    assert_eq!(doc["files"][0]["written"], false);
    assert_eq!(doc["files"][1]["path"], "package.json");
    assert_eq!(doc["files"][1]["kind"], "manifest");
    let diffs: String =
        doc["files"].as_array().expect("files").iter().map(|f| f["diff"].as_str().expect("diff")).collect();
    assert_eq!(diffs, HELMET_DIFF, "the JSON diffs are the text diffs");
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
            "files_skipped": 0,
            "files_unparsable": 0,
            "files_set_aside": 0,
            "files_changed": 2,
            "test_files_skipped": 0,
            "context_files": 0,
            "migrations_held_back": [],
            "transforms": {"helmet": 2},
            "findings": 0,
            "errors": 0,
            "advisories": 0,
            "advisories_failing": 0
        })
    );
}

#[test]
fn json_with_findings_matches_the_schema() {
    let project = Project::hardened_app().with("app.js", PARTIAL_HELMET_JS);

    let out = run(project.path(), &["--only", "helmet", "--format", "json"]);

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

    let out = run(project.path(), &["--only", "helmet", "--format", "json", "--check"]);

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

    let out = run(project.path(), &["--only", "helmet", "--format", "json", "--write", "--allow-no-vcs"]);

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
    let doc = run(project.path(), &["--only", "helmet", "--format", "json"]).json();
    assert_valid(&doc);
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(1), "{doc:#}");

    let mutations: [(&str, Mutation); 15] = [
        ("schema_version dropped", |d| drop(d.as_object_mut().and_then(|o| o.remove("schema_version")))),
        ("schema_version 1", |d| d["schema_version"] = 1.into()),
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
        ("skipped tests not counted", |d| {
            drop(d["summary"].as_object_mut().and_then(|o| o.remove("test_files_skipped")))
        }),
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

/// The JSON example of docs/output.md is what the command the docs show before it (`` `express-harden --only
/// helmet --format json` prints ``, limited to helmet to keep it short) prints for the example project.
#[test]
fn the_example_in_the_docs_is_what_the_tool_prints() {
    let path = Path::new(REPO).join("docs/output.md");
    let docs = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fence = docs.find("```json\n").expect("docs/output.md has a ```json example");
    let start = fence + "```json\n".len();
    let end = start + docs[start..].find("```").expect("the example is closed");
    let mut example: Value = serde_json::from_str(&docs[start..end]).expect("the example is JSON");
    assert_valid(&example);
    // The command is the last `express-harden ...` in backticks before the example.
    let before = &docs[..fence];
    let command = before
        .rfind("`express-harden ")
        .map(|at| &before[at + 1..])
        .and_then(|rest| rest.split('`').next())
        .expect("the example follows the command that prints it");
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    assert!(args.windows(2).any(|w| w == ["--format", "json"]), "{command}");
    assert!(args.contains(&"--only"), "the example selects its transforms, so that a new one does not change it");

    let out = run(docs_example_project().path(), &args);
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

    let out = run(project.path(), &["--only", "helmet", "--write", "--format", "json"]);

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

/// An app with a page and nothing that says it is served over HTTPS: the policy leaves out helmet's
/// upgrade-insecure-requests, unless `--behind-proxy` says a TLS-terminating proxy serves it.
#[test]
fn behind_proxy_keeps_upgrade_insecure_requests_for_an_app_with_pages() {
    let project =
        Project::express_app().with("views/index.html", "<!doctype html><script src=\"/js/app.js\"></script>\n");
    let plain = run(project.path(), &["--only", "helmet", "--color", "never"]);
    let proxied = run(project.path(), &["--only", "helmet", "--color", "never", "--behind-proxy", "1"]);
    assert_eq!((plain.code, proxied.code), (0, 0), "{plain:?} {proxied:?}");
    assert!(plain.stdout.contains("upgradeInsecureRequests: null"), "{}", plain.stdout);
    assert!(plain.stderr.contains("[helmet/plain-http]"), "{}", plain.stderr);
    assert!(proxied.stdout.contains("+app.use(helmet());"), "{}", proxied.stdout);
    assert!(!proxied.stderr.contains("plain-http"), "{}", proxied.stderr);
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
        // (Past 80 columns on one line: one property per line, the cookie object too.)
        defaults.stdout.contains(
            "+app.use(session({\n+  secret: process.env.SESSION_SECRET,\n+  name: 'sid',\n+  resave: false,\n+  \
             saveUninitialized: false,\n+  cookie: {\n+    httpOnly: true,\n+    secure: process.env.NODE_ENV === \
             'production',\n+    sameSite: 'lax'\n+  }\n+}));\n"
        ),
        "{}",
        defaults.stdout
    );
    assert!(defaults.stderr.contains("[session-cookie/trust-proxy]"), "{}", defaults.stderr);
    assert_eq!(chosen.code, 0, "{chosen:?}");
    assert!(
        chosen.stdout.contains(
            "+app.use(session({\n+  secret: process.env.SESSION_SECRET,\n+  name: 'app.sid',\n+  resave: false,\n+  \
             saveUninitialized: false,\n+  cookie: { httpOnly: true, secure: true, sameSite: 'strict' }\n+}));\n"
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
        .args(["--write", "--allow-no-vcs", "--lockfile", "--only", "express-version"])
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
    assert!(
        with_errors
            .stderr
            .contains("stays on 3: the move to ~4.22.3 is held back, because the code keeps files it could not handle"),
        "{}",
        with_errors.stderr
    );

    // The same, with the project named by its absolute path from the folder above it: the failed file still holds
    // the major back (error paths and project folders were compared as written, so the bump went through).
    let outer = tempfile::tempdir().expect("tempdir");
    common::copy_dir(broken.path(), &outer.path().join("app"));
    let absolute = outer.path().join("app");
    let absolute = absolute.to_str().expect("UTF-8 path");
    let from_elsewhere = run(outer.path(), &["--only", "express-version,express4", absolute]);
    assert_eq!(from_elsewhere.code, 2, "{from_elsewhere:?}");
    assert!(!from_elsewhere.stdout.contains("\"express\": \"~4.22.3\""), "{}", from_elsewhere.stdout);
    assert!(from_elsewhere.stderr.contains("is held back"), "{}", from_elsewhere.stderr);

    // And from a folder below the project, in a git work tree (whose root bounds the manifest lookup): the project's
    // manifest is above the current folder.
    let nested = Project::empty()
        .with("package.json", manifest)
        .with("app.js", app)
        .with("src/bad.js", "var express = {\n")
        .with("src/ok.js", "var express = require('express');\n");
    nested.git(&["init", "--quiet"]);
    let out = Command::new(BIN)
        .args(["--only", "express-version,express4", "."])
        .current_dir(nested.path().join("src"))
        .envs(isolated_git_env(nested.path()))
        .output()
        .expect("run express-harden");
    let from_below = Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_eq!(from_below.code, 2, "{from_below:?}");
    assert!(!from_below.stdout.contains("\"express\": \"~4.22.3\""), "{}", from_below.stdout);
    assert!(from_below.stderr.contains("is held back"), "{}", from_below.stderr);
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

/// A `__Host-` or `__Secure-` cookie set without Secure is dropped by browsers: with `secure` written for production
/// only (the default) or `auto`, sessions would never stick in development. The name is refused, naming the fix;
/// with `--secure-cookies always` it is written, with `secure: true`.
#[test]
fn a_prefixed_session_cookie_name_needs_secure_cookies_always() {
    let project = session_app();

    let refused = run(project.path(), &["--only", "session-cookie", "--session-cookie-name", "__Host-sid"]);
    let configured =
        session_app().with("express-harden.json", r#"{ "cookies": { "name": "__secure-sid", "secure": "auto" } }"#);
    let refused_config = run(configured.path(), &["--only", "session-cookie"]);
    let always = run(
        project.path(),
        &["--only", "session-cookie", "--session-cookie-name", "__Host-sid", "--secure-cookies", "always"],
    );

    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stdout.is_empty(), "{refused:?}");
    assert!(
        refused.stderr.contains("__Host-sid starts with __Host-") && refused.stderr.contains("--secure-cookies always"),
        "{refused:?}"
    );
    assert_eq!(refused_config.code, 2, "{refused_config:?}");
    assert!(refused_config.stderr.contains("__secure-sid starts with __secure-"), "{refused_config:?}");
    assert_eq!(always.code, 0, "{always:?}");
    assert!(always.stdout.contains("name: '__Host-sid'") && always.stdout.contains("secure: true"), "{always:?}");
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
// Test code, and node_modules folders git tracks.

/// A module with a hardcoded session secret: the `secrets` transform moves it to an environment variable.
const FIXED_SECRET_JS: &str =
    "const session = require('express-session');\n\nmodule.exports = session({ secret: 'keyboard cat' });\n";

/// The line `secrets` writes in place of the hardcoded secret.
const MOVED_SECRET: &str = "module.exports = session({ secret: requiredSecret('SESSION_SECRET') });";

/// An app and its test, both with a hardcoded session secret.
fn app_with_a_test() -> Project {
    Project::empty()
        .with("package.json", PACKAGE_JSON)
        .with("app.js", FIXED_SECRET_JS)
        .with("test/app.test.js", FIXED_SECRET_JS)
}

#[test]
fn test_code_is_left_alone_and_counted() {
    let project = app_with_a_test();

    let dry = run(project.path(), &["--only", "secrets"]);
    let json = run(project.path(), &["--only", "secrets", "--format", "json"]);
    let write = run(project.path(), &["--only", "secrets", "--write", "--allow-no-vcs"]);

    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(dry.stdout.contains("+++ b/app.js"), "{}", dry.stdout);
    assert!(!dry.stdout.contains("test/app.test.js"), "the test is left alone: {}", dry.stdout);
    assert!(
        dry.stderr.starts_with(
            "express-harden: would change 1 source file\n  scanned 1 source file: 1 parsed; 1 test file left alone \
             (--include-tests to harden it)\n"
        ),
        "{}",
        dry.stderr
    );
    let doc = json.json();
    assert_valid(&doc);
    assert_eq!(doc["summary"]["test_files_skipped"], 1);
    assert_eq!(doc["summary"]["files_scanned"], 1);
    assert_eq!(write.code, 0, "{write:?}");
    assert!(project.read("app.js").contains(MOVED_SECRET));
    assert_eq!(project.read("test/app.test.js"), FIXED_SECRET_JS, "the test keeps its fixed secret");
}

#[test]
fn include_tests_as_a_flag_or_a_configuration_key_hardens_test_code() {
    let flagged = app_with_a_test();
    let configured = app_with_a_test().with("express-harden.json", r#"{ "includeTests": true }"#);

    let flag = run(flagged.path(), &["--only", "secrets", "--include-tests", "--write", "--allow-no-vcs"]);
    let config = run(configured.path(), &["--only", "secrets", "--write", "--allow-no-vcs"]);

    for (out, project) in [(&flag, &flagged), (&config, &configured)] {
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.stdout.contains("wrote test/app.test.js (secrets;"), "{}", out.stdout);
        assert!(!out.stderr.contains("skipped"), "{}", out.stderr);
        assert!(project.read("app.js").contains(MOVED_SECRET));
        assert!(project.read("test/app.test.js").contains(MOVED_SECRET));
    }
}

#[test]
fn test_code_named_on_the_command_line_is_hardened() {
    let project = app_with_a_test().with("test/helpers.js", FIXED_SECRET_JS).with("src/app.spec.js", FIXED_SECRET_JS);

    let folder = run(project.path(), &["--only", "secrets", "test"]);
    let file = run(project.path(), &["--only", "secrets", "src/app.spec.js"]);
    let src = run(project.path(), &["--only", "secrets", "src", "app.js"]);

    assert_eq!(folder.code, 0, "{folder:?}");
    assert!(folder.stdout.contains("+++ b/test/app.test.js") && folder.stdout.contains("+++ b/test/helpers.js"));
    assert!(!folder.stderr.contains("test file"), "{}", folder.stderr);
    assert!(file.stdout.contains("+++ b/src/app.spec.js"), "{}", file.stdout);
    // A folder that is not test code, named: what is test code below it is still left alone.
    assert!(src.stdout.contains("+++ b/app.js") && !src.stdout.contains("app.spec.js"), "{}", src.stdout);
    assert!(src.stderr.contains("; 1 test file left alone (--include-tests to harden it)"), "{}", src.stderr);
}

#[test]
fn node_modules_that_git_tracks_are_hardened_and_installed_ones_are_not() {
    let server = "packages/node_modules/@acme/server/index.js";
    let project = Project::empty()
        .with("package.json", PACKAGE_JSON)
        .with(server, FIXED_SECRET_JS)
        .with("packages/node_modules/@acme/server/scratch.js", FIXED_SECRET_JS)
        .with("node_modules/x/index.js", FIXED_SECRET_JS);
    project.git(&["init", "--quiet"]);
    project.git(&["add", "package.json", server]);
    project.git(&["commit", "--quiet", "--message", "a monorepo that commits its packages"]);

    let out = run(project.path(), &["--only", "secrets", "--write", "--allow-no-vcs"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "wrote packages/node_modules/@acme/server/index.js (secrets; +91 -1)\n");
    assert!(project.read(server).contains(MOVED_SECRET));
    assert_eq!(project.read("packages/node_modules/@acme/server/scratch.js"), FIXED_SECRET_JS, "untracked");
    assert_eq!(project.read("node_modules/x/index.js"), FIXED_SECRET_JS, "an installed package");
}

#[test]
fn without_git_every_node_modules_folder_is_skipped() {
    let project = Project::empty()
        .with("package.json", PACKAGE_JSON)
        .with("packages/node_modules/@acme/server/index.js", FIXED_SECRET_JS);

    let out = run(project.path(), &["--only", "secrets"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with("express-harden: would change no files\n  scanned 0 source files\n"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------------------------------
// --format markdown.

#[test]
fn the_markdown_pull_request_body_is_stable() {
    let project = session_app().with("views/index.html", "<script>alert(1)</script>\n");

    // The transforms that change this app, named, so that a new transform does not change the snapshot.
    let args = ["--only", "helmet,session-store,session-cookie", "--format", "markdown"];
    let first = run(project.path(), &args);
    let second = run(project.path(), &args);

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
// --write: temporary files, links, owners, read-only files, and git's programs (issue 18).

/// Makes `path` executable (a script a test plants).
#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).expect("chmod");
}

/// Older versions named their temporary file `.<file>.express-harden-<pid>.tmp` and opened it with `File::create`,
/// which follows a link: a repository committing links at those names (a range of process ids) made `--write`
/// overwrite and chmod a file anywhere. Every name the run's process id could give is planted here; the run must
/// write app.js and package.json as regular files and leave the victim and the links alone.
#[cfg(target_os = "linux")]
#[test]
fn links_planted_at_the_old_temporary_names_do_not_redirect_the_write() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::express_app();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let victim = elsewhere.path().join("victim");
    std::fs::write(&victim, "precious\n").expect("write");
    chmod(&victim, 0o600);
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .expect("Linux tells the last process id")
        .trim()
        .parse()
        .expect("a number");
    let max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max").expect("pid_max").trim().parse().expect("n");
    // The next ids, wrapping past the largest to the first ones the kernel hands out again.
    let pids: Vec<u32> = (1..=3000).map(|i| if last + i <= max { last + i } else { last + i - max + 299 }).collect();
    for pid in &pids {
        for name in ["app.js", "package.json"] {
            let planted = project.path().join(format!(".{name}.express-harden-{pid}.tmp"));
            std::os::unix::fs::symlink(&victim, planted).expect("plant a link");
        }
    }

    let child = Command::new(BIN)
        .args(["--write", "--allow-no-vcs"])
        .current_dir(project.path())
        .envs(isolated_git_env(project.path()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start express-harden");
    let pid = child.id();
    let out = child.wait_with_output().expect("wait");

    assert!(pids.contains(&pid), "the run's id {pid} was not among the planted names: the test proves nothing");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious\n");
    assert_eq!(std::fs::metadata(&victim).expect("stat").permissions().mode() & 0o777, 0o600);
    for (name, text) in [("app.js", APP_JS_HARDENED), ("package.json", PACKAGE_JSON_HARDENED)] {
        let meta = std::fs::symlink_metadata(project.path().join(name)).expect("stat");
        assert!(meta.file_type().is_file(), "{name} is a regular file");
        assert_eq!(project.read(name), text);
        let planted = project.path().join(format!(".{name}.express-harden-{pid}.tmp"));
        assert!(std::fs::symlink_metadata(planted).expect("left").file_type().is_symlink(), "the link is left");
    }
}

/// A SIGKILL during `--write` leaves a temporary file behind: the next run removes this tool's stale ones (empty, or
/// old) in the folders it writes to, names each, and leaves everything else alone.
#[cfg(unix)]
#[test]
fn the_next_write_removes_the_temporary_files_an_interrupted_run_left() {
    let project = Project::express_app()
        .with(".express-harden-2147483647-Xy12Ab.tmp", "")
        .with(".express-harden-2147483646-Cd34Ef.tmp", "const express")
        .with("lib/.express-harden-2147483647-Xy12Ab.tmp", "")
        .with(".express-harden-notes.tmp", "mine");
    std::os::unix::fs::symlink("app.js", project.path().join(".express-harden-2147483645-linked.tmp")).expect("link");
    for name in [
        ".express-harden-2147483647-Xy12Ab.tmp",
        ".express-harden-2147483646-Cd34Ef.tmp",
        "lib/.express-harden-2147483647-Xy12Ab.tmp",
        ".express-harden-notes.tmp",
    ] {
        let file = std::fs::File::options().write(true).open(project.path().join(name)).expect("open");
        file.set_modified(SystemTime::now() - Duration::from_secs(3600)).expect("set mtime");
    }

    let out = run(project.path(), &["--write", "--allow-no-vcs"]);

    assert_eq!(out.code, 0, "{out:?}");
    for name in [".express-harden-2147483646-Cd34Ef.tmp", ".express-harden-2147483647-Xy12Ab.tmp"] {
        assert!(
            out.stderr.contains(&format!("note: removed {name}, a temporary file left by an interrupted run\n")),
            "{}",
            out.stderr
        );
        assert!(!project.path().join(name).exists());
    }
    // Not a folder the run wrote to; not this tool's name; a link: all left alone.
    assert!(project.path().join("lib/.express-harden-2147483647-Xy12Ab.tmp").exists());
    assert_eq!(project.read(".express-harden-notes.tmp"), "mine");
    assert!(std::fs::symlink_metadata(project.path().join(".express-harden-2147483645-linked.tmp")).is_ok());
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
}

/// A symbolic link to a file inside the project is written through: the target gets the new text, the link stays a
/// link, and the run names the target (the file that changed) in what it prints after writing.
#[cfg(unix)]
#[test]
fn a_link_inside_the_project_is_written_through_and_the_run_names_its_target() {
    let project = Project::empty().with("src/main.js", APP_JS).with("config/package.json", PACKAGE_JSON);
    std::os::unix::fs::symlink("src/main.js", project.path().join("app.js")).expect("link");
    std::os::unix::fs::symlink("config/package.json", project.path().join("package.json")).expect("link");

    let out = run(project.path(), &["--write", "--allow-no-vcs", "--format", "json", "app.js"]);

    assert_eq!(out.code, 0, "{out:?}");
    let doc = out.json();
    assert_valid(&doc);
    let files: Vec<(&str, bool)> = doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| (f["path"].as_str().expect("path"), f["written"].as_bool().expect("written")))
        .collect();
    assert_eq!(files, [("src/main.js", true), ("config/package.json", true)]);
    assert_eq!(doc["dependency_changes"][0]["manifest"], "config/package.json");
    assert!(out
        .stderr
        .contains("note: app.js is a symbolic link (or lies under one): its target src/main.js was written"));
    assert_eq!(project.read("src/main.js"), APP_JS_HARDENED);
    assert_eq!(project.read("config/package.json"), PACKAGE_JSON_HARDENED);
    for link in ["app.js", "package.json"] {
        assert!(std::fs::symlink_metadata(project.path().join(link)).expect("stat").file_type().is_symlink());
    }
}

/// A link out of the project (a repository can commit `package.json -> /home/you/.bashrc`), a file with another hard
/// link, a read-only file: each stops the whole write, with its reason, as uncommitted changes do.
#[cfg(unix)]
#[test]
fn links_out_of_the_project_hard_links_and_read_only_files_stop_the_write() {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let outside = elsewhere.path().join("package.json");

    // A symbolic link out of the project.
    let linked = Project::empty().with("app.js", APP_JS);
    std::fs::write(&outside, PACKAGE_JSON).expect("write");
    std::os::unix::fs::symlink(&outside, linked.path().join("package.json")).expect("link");
    let out = run(linked.path(), &["--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 2, "{out:?}");
    // (The link is not even read: the reading side refuses it, and the code that needs a package in it goes too.)
    assert!(
        out.stderr.contains(&format!(
            "error: package.json is a symbolic link to {}, outside the project root",
            outside.canonicalize().expect("canonical").display()
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("; left alone; app.js needs packages from it and is left alone"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&outside).expect("read"), PACKAGE_JSON);
    assert_eq!(linked.read("app.js"), APP_JS, "half of the change is not written");

    // A hard link (to a file outside the project, so that one name is out of the tool's sight).
    let hard = Project::empty().with("app.js", APP_JS);
    let other = elsewhere.path().join("other-name.json");
    std::fs::write(&other, PACKAGE_JSON).expect("write");
    std::fs::hard_link(&other, hard.path().join("package.json")).expect("hard link");
    let out = run(hard.path(), &["--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("error: package.json has 2 hard links: a new file would break them"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&other).expect("read"), PACKAGE_JSON);
    assert_eq!(hard.read("app.js"), APP_JS);

    // A read-only file (even for root, who could write it).
    let read_only = Project::express_app();
    chmod(&read_only.path().join("app.js"), 0o444);
    let out = run(read_only.path(), &["--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("error: app.js is read-only (its owner may not write it); left alone"),
        "{}",
        out.stderr
    );
    assert_eq!(read_only.read("app.js"), APP_JS);
    assert_eq!(read_only.read("package.json"), PACKAGE_JSON);
}

/// Run as root, `--write` used to hand the files it rewrote to root: the new file keeps the old one's owner and
/// group (and its mode, set-group-ID bit included).
#[cfg(unix)]
#[test]
fn run_as_root_a_write_keeps_each_files_owner_and_group() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let project = Project::express_app();
    let probe = std::fs::metadata(project.path().join("app.js")).expect("stat");
    if probe.uid() != 0 {
        eprintln!("skipped: only root can give files to other users (scripts/test.sh runs as root in CI)");
        return;
    }
    for (name, uid, gid) in [("app.js", 1234, 5678), ("package.json", 4321, 0)] {
        std::os::unix::fs::chown(project.path().join(name), Some(uid), Some(gid)).expect("chown");
    }
    chmod(&project.path().join("app.js"), 0o2754);

    let out = run(project.path(), &["--write", "--allow-no-vcs"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
    let meta = |name: &str| std::fs::metadata(project.path().join(name)).expect("stat");
    assert_eq!((meta("app.js").uid(), meta("app.js").gid()), (1234, 5678));
    assert_eq!(meta("app.js").permissions().mode() & 0o7777, 0o2754);
    assert_eq!((meta("package.json").uid(), meta("package.json").gid()), (4321, 0));
}

/// `git status` (the dirty-tree check) starts the program the repository's `core.fsmonitor` names: the tool runs git
/// with `core.fsmonitor=false` (and no hooks), so the repository's program never runs.
#[cfg(unix)]
#[test]
fn the_dirty_check_runs_no_fsmonitor_program_of_the_repository() {
    let project = Project::express_app();
    project.commit_all();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let marker = elsewhere.path().join("fsmonitor-ran");
    let hook = elsewhere.path().join("fsmonitor.sh");
    std::fs::write(&hook, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).expect("write");
    chmod(&hook, 0o755);
    project.git(&["config", "core.fsmonitor", hook.to_str().expect("UTF-8")]);
    project.git(&["config", "core.hooksPath", elsewhere.path().to_str().expect("UTF-8")]);
    // The vector is live: git itself runs the program.
    project.git(&["status", "--porcelain"]);
    assert!(marker.exists(), "git status should run core.fsmonitor (otherwise this test proves nothing)");
    std::fs::remove_file(&marker).expect("rm");
    project.write("app.js", format!("{APP_JS}// work in progress\n"));

    let refused = run(project.path(), &["--write"]);
    let written = run(project.path(), &["--write", "--allow-dirty"]);

    assert_eq!(refused.code, 2, "the dirty check still works: {refused:?}");
    assert!(refused.stderr.contains("\n  app.js\n"), "{}", refused.stderr);
    assert_eq!(written.code, 0, "{written:?}");
    assert!(!marker.exists(), "express-harden ran the repository's core.fsmonitor program");
}

/// `--written-list` holds what a bot should commit: the files written (a link's target, not the link), each followed
/// by a NUL byte; empty when nothing was written.
#[cfg(unix)]
#[test]
fn the_written_list_names_the_files_written_and_nothing_else() {
    let project = Project::empty().with("src/main.js", APP_JS).with("package.json", PACKAGE_JSON);
    std::os::unix::fs::symlink("src/main.js", project.path().join("app.js")).expect("link");
    let list = project.path().join("written.list");

    let out = run(project.path(), &["--write", "--allow-no-vcs", "--written-list", "written.list", "app.js"]);
    let listed = std::fs::read(&list).expect("read");
    let again = run(project.path(), &["--write", "--allow-no-vcs", "--written-list", "written.list", "app.js"]);
    let usage = run(project.path(), &["--written-list", "written.list"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(listed, b"src/main.js\0package.json\0");
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(std::fs::read(&list).expect("read"), b"", "the second run wrote nothing");
    assert_eq!(usage.code, 2);
    assert!(usage.stderr.contains("--written-list needs --write or --interactive"), "{}", usage.stderr);
}

// ---------------------------------------------------------------------------------------------------------------------
// --lockfile: the package manager sees no secret and is never a program of the repository's.

/// A fake package manager that records its arguments and environment, then exits with `code`, in a folder of its own
/// on PATH.
#[cfg(unix)]
fn fake_package_manager(dir: &Path, name: &str, code: i32) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let program = bin.join(name);
    let log = dir.join(format!("{name}.log"));
    let script = format!("#!/bin/sh\nprintf '%s\\n' \"$*\" >'{0}'\nenv >>'{0}'\nexit {code}\n", log.display());
    std::fs::write(&program, script).expect("write");
    chmod(&program, 0o755);
    bin
}

/// `--latest` asks the npm registry only once the command line is known to be good, and only for a run where
/// express-version is selected: a typo in `--only` costs no network call.
#[cfg(unix)]
#[test]
fn latest_reads_the_registry_only_for_a_good_command_line_that_runs_express_version() {
    let project = Project::express_app();
    let tools = tempfile::tempdir().expect("tempdir");
    let bin = fake_package_manager(tools.path(), "npm", 0);
    let log = tools.path().join("npm.log");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let run_with_fake_npm = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .current_dir(project.path())
            .envs(isolated_git_env(project.path()))
            .env("PATH", &path)
            .output()
            .expect("run express-harden")
    };

    let typo = run_with_fake_npm(&["--latest", "--only", "helmut"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("unknown transform `helmut`"));
    assert!(!log.exists(), "npm ran for a command line that was refused");

    let without = run_with_fake_npm(&["--latest", "--only", "helmet"]);
    assert_eq!(without.status.code(), Some(0), "{without:?}");
    assert!(!log.exists(), "npm ran although express-version does not run");

    // With express-version, npm is asked (the fake answers nothing usable, which is an error naming --latest).
    let with = run_with_fake_npm(&["--latest", "--only", "express-version"]);
    assert!(log.exists(), "npm was not asked");
    assert!(String::from_utf8_lossy(&with.stderr).contains("--latest"), "{with:?}");
}

#[cfg(unix)]
#[test]
fn the_package_manager_sees_no_tokens_and_keeps_the_registry_settings() {
    let project = Project::express_app().with("package-lock.json", "{}\n");
    let tools = tempfile::tempdir().expect("tempdir");
    let bin = fake_package_manager(tools.path(), "npm", 0);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let secrets = [
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "NPM_TOKEN",
        "NODE_AUTH_TOKEN",
        "ACTIONS_RUNTIME_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "SESSION_SECRET",
        "DEPLOY_KEY",
        "GITHUB_PAT",
        "DB_PASS",
        "MYSQL_PWD",
        "SENTRY_DSN",
    ];
    let kept = [
        ("HTTPS_PROXY", "http://proxy.invalid:3128"),
        ("npm_config_registry", "https://registry.invalid/"),
        ("NODE_EXTRA_CA_CERTS", "/etc/ssl/extra.pem"),
        ("GIT_AUTHOR_NAME", "Ada"),
        ("GIT_AUTHOR_EMAIL", "ada@example.org"),
    ];

    let out = Command::new(BIN)
        .args(["--write", "--allow-no-vcs", "--lockfile", "--only", "helmet"])
        .current_dir(project.path())
        .envs(isolated_git_env(project.path()))
        .env("PATH", &path)
        .envs(secrets.iter().map(|name| (*name, "s3cr3t-value")))
        .envs(kept.iter().copied())
        .output()
        .expect("run");

    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let log = std::fs::read_to_string(tools.path().join("npm.log")).expect("npm ran");
    let (args, env) = log.split_once('\n').expect("arguments, then the environment");
    let git = common::which("git");
    assert_eq!(args, format!("install --package-lock-only --ignore-scripts --no-audit --git={}", git.display()));
    assert!(!env.contains("s3cr3t-value"), "a secret reached npm:\n{env}");
    for (name, value) in kept {
        assert!(env.lines().any(|l| l == format!("{name}={value}")), "{name} is kept:\n{env}");
    }
    assert!(env.lines().any(|l| l == format!("PATH={path}")), "{env}");
    assert!(env.lines().any(|l| l.starts_with("HOME=")), "{env}");
}

/// An npm-shrinkwrap.json of npm 2 or 3 has no lockfileVersion: the run cannot read it, and `--lockfile` has npm
/// rewrite it (as version 3). The advisories are checked against the rewritten lockfile in the same run: the raise
/// they plan is written and locked now, so that a second run changes nothing (it used to raise underscore then).
#[cfg(unix)]
#[test]
fn a_shrinkwrap_without_lockfile_version_is_checked_once_npm_rewrote_it() {
    let app = "const express = require('express');\nconst _ = require('underscore');\n\nconst app = express();\n\
               app.get('/', (req, res) => res.send(_.escape('<hi>')));\napp.listen(3000);\n";
    let manifest = "{\n  \"name\": \"demo\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {\n    \"express\": \
                    \"^4.22.3\",\n    \"underscore\": \"~1.5.2\"\n  }\n}\n";
    // npm 3 wrote no lockfileVersion, and only what it installed then.
    let shrinkwrap = "{\n  \"name\": \"demo\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {\n    \"underscore\": \
                      {\n      \"version\": \"1.5.2\",\n      \"from\": \"underscore@~1.5.2\"\n    }\n  }\n}\n";
    let project =
        Project::empty().with("app.js", app).with("package.json", manifest).with("npm-shrinkwrap.json", shrinkwrap);
    // A stand-in npm: locks underscore at what package.json's range admits (1.5.2, or 1.12.1 once raised).
    let tools = tempfile::tempdir().expect("tempdir");
    let bin = tools.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let log = tools.path().join("npm.log");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >>'{}'\nv=1.5.2\ngrep -q '\"underscore\": \"~1.12.1\"' package.json && \
         v=1.12.1\ncat >npm-shrinkwrap.json <<EOF\n{{\n  \"name\": \"demo\",\n  \"version\": \"1.0.0\",\n  \
         \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {{\n    \"\": {{\n      \"name\": \"demo\",\n      \
         \"version\": \"1.0.0\",\n      \"dependencies\": {{ \"express\": \"^4.22.3\", \"helmet\": \"^8.3.0\", \
         \"underscore\": \"~$v\" }}\n    }},\n    \"node_modules/express\": {{ \"version\": \"4.22.3\" }},\n    \
         \"node_modules/helmet\": {{ \"version\": \"8.3.0\" }},\n    \"node_modules/underscore\": {{ \"version\": \
         \"$v\" }}\n  }}\n}}\nEOF\n",
        log.display()
    );
    std::fs::write(bin.join("npm"), script).expect("write");
    chmod(&bin.join("npm"), 0o755);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(["--only", "helmet,advisories", "--color", "never"])
            .args(args)
            .current_dir(project.path())
            .envs(isolated_git_env(project.path()))
            .env("PATH", &path)
            // (No registry: the releases are the bundled table's.)
            .env("npm_config_registry", "http://127.0.0.1:9/")
            .output()
            .expect("run");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    let (code, stdout, stderr) = run(&["--write", "--allow-no-vcs", "--lockfile"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("wrote package.json (helmet, advisories; +2 -1)"), "{stdout}");
    assert!(!stderr.contains("unreadable-lockfile"), "{stderr}");
    assert!(
        stderr.contains(
            "[advisories/fix-planned] underscore@1.5.2 (npm-shrinkwrap.json) is affected by GHSA-cf4h-3jhx-xvhq"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("install the changed packages (helmet@^8.3.0, underscore@~1.12.1): run `npm ci` in ."),
        "{stderr}"
    );
    let written = std::fs::read_to_string(project.path().join("package.json")).expect("read");
    assert_eq!(
        written,
        "{\n  \"name\": \"demo\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {\n    \"express\": \"^4.22.3\",\n    \
         \"helmet\": \"^8.3.0\",\n    \"underscore\": \"~1.12.1\"\n  }\n}\n"
    );
    let locked = std::fs::read_to_string(project.path().join("npm-shrinkwrap.json")).expect("read");
    assert!(locked.contains("\"node_modules/underscore\": { \"version\": \"1.12.1\" }"), "{locked}");
    // npm ran twice: for the first write, then for the raise.
    assert_eq!(std::fs::read_to_string(&log).expect("npm ran").lines().count(), 2);

    let (code, stdout, stderr) = run(&["--write", "--allow-no-vcs", "--lockfile"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("changed no files"), "{stderr}");
    assert_eq!(std::fs::read_to_string(project.path().join("package.json")).expect("read"), written);
}

/// The user, not the repository, may let the package manager see a credential: `--lockfile-env NAME` (a flag, no
/// configuration key). When the package manager fails, the error names what it did not see and how to pass it.
#[cfg(unix)]
#[test]
fn lockfile_env_passes_only_the_named_credentials_and_a_failure_names_the_withheld_ones() {
    let tools = tempfile::tempdir().expect("tempdir");
    let bin = fake_package_manager(tools.path(), "npm", 1);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let run = |extra: &[&str]| {
        let project = Project::express_app().with("package-lock.json", "{}\n");
        let out = Command::new(BIN)
            .args(["--write", "--allow-no-vcs", "--lockfile", "--only", "helmet"])
            .args(extra)
            .current_dir(project.path())
            .env_clear() // only these credentials, whatever the environment of the test
            .envs(isolated_git_env(project.path()))
            .env("PATH", &path)
            .env("HOME", tools.path())
            .env("NPM_TOKEN", "npm-s3cr3t")
            .env("GH_TOKEN", "gh-s3cr3t")
            .output()
            .expect("run");
        let log = std::fs::read_to_string(tools.path().join("npm.log")).expect("npm ran");
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned(), log)
    };

    let (code, stderr, log) = run(&[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!log.contains("s3cr3t"), "{log}");
    assert!(
        stderr.contains(
            "(these variables were withheld from it as credentials: GH_TOKEN, NPM_TOKEN; if the registry needs one, \
             pass it with --lockfile-env NPM_TOKEN)"
        ),
        "{stderr}"
    );

    let (code, stderr, log) = run(&["--lockfile-env", "NPM_TOKEN"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(log.lines().any(|l| l == "NPM_TOKEN=npm-s3cr3t"), "{log}");
    assert!(!log.contains("gh-s3cr3t"), "{log}");
    assert!(stderr.contains("withheld from it as credentials: GH_TOKEN;"), "{stderr}");

    let usage =
        Command::new(BIN).args(["--write", "--allow-no-vcs", "--lockfile-env", "NPM_TOKEN"]).output().expect("run");
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("--lockfile"), "{usage:?}");
}

/// npm is told which git to run (`--git=`), else the repository's .npmrc names one: by absolute path only. With no git
/// in an absolute entry of PATH, npm does not run (a bare `--git=git` would be looked up in PATH, `.` included).
#[cfg(unix)]
#[test]
fn npm_does_not_run_without_git_by_absolute_path() {
    let project = Project::express_app().with("package-lock.json", "{}\n");
    let marker = project.path().join("MARKER");
    project.write("git", format!("#!/bin/sh\necho >'{}'\n", marker.display()));
    chmod(&project.path().join("git"), 0o755);
    let tools = tempfile::tempdir().expect("tempdir");
    let bin = fake_package_manager(tools.path(), "npm", 0);

    let out = Command::new(BIN)
        .args(["--write", "--allow-no-vcs", "--lockfile", "--only", "helmet"])
        .current_dir(project.path())
        .envs(isolated_git_env(project.path()))
        .env("PATH", std::env::join_paths([bin.as_path(), Path::new(".")]).expect("join"))
        .output()
        .expect("run");

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`git` is not on PATH (relative PATH entries are not searched)"), "{stderr}");
    assert!(!tools.path().join("npm.log").exists(), "npm ran");
    assert!(!marker.exists(), "the repository's git ran");
}

/// `Command::new("npm")` looks PATH up in the folder the child starts in: with `.` (or `node_modules/.bin`) on PATH,
/// the repository's own `npm` would run. Only absolute entries of PATH are searched.
#[cfg(unix)]
#[test]
fn a_package_manager_shipped_by_the_repository_is_never_run() {
    let project = Project::express_app().with("package-lock.json", "{}\n");
    let marker = project.path().join("MARKER");
    for program in ["npm", "node_modules/.bin/npm", "git"] {
        project.write(program, format!("#!/bin/sh\ntouch '{}'\n", marker.display()));
        chmod(&project.path().join(program), 0o755);
    }

    let out = Command::new(BIN)
        .args(["--write", "--allow-no-vcs", "--lockfile", "--only", "helmet"])
        .current_dir(project.path())
        .envs(isolated_git_env(project.path()))
        .env("PATH", ".:node_modules/.bin")
        .output()
        .expect("run");

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("npm is not installed, so the lockfile was not updated"), "{stderr}");
    assert!(!marker.exists(), "a program of the repository ran");
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
}

// ---------------------------------------------------------------------------------------------------------------------
// --write: the dirty check when git fails, the stale-temporary-file cleanup, the group check (issue 18, review).

/// Run as root on a repository another user owns, git refuses to work ("detected dubious ownership"): the dirty check
/// used to take that for "not a repository" and `--write` overwrote uncommitted work. Now the write is refused with
/// git's reason and the two ways out.
#[cfg(unix)]
#[test]
fn a_repository_git_refuses_to_read_stops_the_write() {
    let project = Project::express_app();
    if !is_root() {
        eprintln!("skipped: only root can give the repository to another user (scripts/test.sh runs as root in CI)");
        return;
    }
    project.commit_all();
    project.write("app.js", format!("{APP_JS}// work in progress\n"));
    chown_tree(&project.path().join(".git"), 65534, 65534);
    let before = project.tree();

    let out = run(project.path(), &["--only", "helmet", "--write"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(project.tree(), before, "nothing is written when git cannot tell what is uncommitted");
    assert!(out.stderr.contains("error: app.js cannot be checked for uncommitted changes"), "{}", out.stderr);
    assert!(out.stderr.contains("detected dubious ownership"), "git's reason is shown: {}", out.stderr);
    let root = project.path().canonicalize().expect("canonical");
    assert!(
        out.stderr.contains(&format!("git config --global --add safe.directory {}", root.display())),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--allow-dirty"), "{}", out.stderr);

    // --allow-dirty skips the check (and git) altogether.
    let allowed = run(project.path(), &["--only", "helmet", "--write", "--allow-dirty"]);
    assert_eq!(allowed.code, 0, "{allowed:?}");
    assert_eq!(project.read("app.js"), format!("{APP_JS_HARDENED}// work in progress\n"));
}

/// `git status` failing (here on a corrupt index) used to read as "nothing is uncommitted": its exit status was not
/// looked at. Now the write is refused with git's reason.
#[test]
fn a_git_status_that_fails_stops_the_write() {
    let project = Project::express_app();
    project.commit_all();
    project.write("app.js", format!("{APP_JS}// work in progress\n"));
    std::fs::write(project.path().join(".git/index"), "not an index").expect("corrupt the index");
    let before = project.tree();

    let out = run(project.path(), &["--only", "helmet", "--write"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(project.tree(), before);
    assert!(out.stderr.contains("error: app.js cannot be checked for uncommitted changes"), "{}", out.stderr);
    assert!(out.stderr.contains("git failed (fatal: .git/index: index file"), "git's reason is shown: {}", out.stderr);
    assert!(out.stderr.contains("--allow-dirty"), "{}", out.stderr);
}

/// The cleanup of stale temporary files used to delete any file named like one (older versions' pattern included)
/// whose process id was not running, which says nothing across containers: committed files went. Now only this
/// version's names, never a file git tracks, only when empty or old, and each one is named.
#[cfg(unix)]
#[test]
fn the_stale_temporary_file_cleanup_leaves_tracked_and_young_files_alone() {
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let project = Project::express_app()
        .with(".express-harden-4000000-abcdef.tmp", "tracked, this version's pattern")
        .with(".config.express-harden-4000001.tmp", "tracked, the old pattern");
    project.commit_all();
    let age = |name: &str, when: SystemTime| {
        std::fs::File::options()
            .write(true)
            .open(project.path().join(name))
            .expect("open")
            .set_modified(when)
            .expect("set mtime");
    };
    age(".express-harden-4000000-abcdef.tmp", hour_ago);
    age(".config.express-harden-4000001.tmp", hour_ago);
    // Untracked: an old one and an empty one are removed; a young one with content may be a running writer's; the
    // old pattern is not this version's.
    project.write(".express-harden-4000002-Xy12Ab.tmp", "const express");
    age(".express-harden-4000002-Xy12Ab.tmp", hour_ago);
    project.write(".express-harden-4000003-Qw34Er.tmp", "");
    age(".express-harden-4000003-Qw34Er.tmp", SystemTime::now() - Duration::from_secs(120));
    project.write(".express-harden-4000004-Ty56Ui.tmp", "const express");
    project.write(".app.js.express-harden-4000005.tmp", "const express");
    age(".app.js.express-harden-4000005.tmp", hour_ago);

    let out = run(project.path(), &["--only", "helmet", "--write", "--allow-dirty"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);
    assert_eq!(project.read(".express-harden-4000000-abcdef.tmp"), "tracked, this version's pattern");
    assert_eq!(project.read(".config.express-harden-4000001.tmp"), "tracked, the old pattern");
    assert!(!project.path().join(".express-harden-4000002-Xy12Ab.tmp").exists());
    assert!(!project.path().join(".express-harden-4000003-Qw34Er.tmp").exists());
    assert_eq!(project.read(".express-harden-4000004-Ty56Ui.tmp"), "const express");
    assert_eq!(project.read(".app.js.express-harden-4000005.tmp"), "const express");
    for name in [".express-harden-4000002-Xy12Ab.tmp", ".express-harden-4000003-Qw34Er.tmp"] {
        assert!(
            out.stderr.contains(&format!("note: removed {name}, a temporary file left by an interrupted run\n")),
            "{}",
            out.stderr
        );
    }
}

/// A user who is not in a file's group cannot give the new file that group: the write used to fail there, after the
/// files before it were written. Now it is refused before anything is written. (Run as root, the test runs the tool
/// as `nobody`.)
#[cfg(target_os = "linux")]
#[test]
fn a_file_of_a_group_the_user_is_not_in_stops_the_whole_write() {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() || child_program("setpriv").is_none() {
        eprintln!("skipped: needs root and setpriv (scripts/test.sh runs as root in CI)");
        return;
    }
    let project = Project::express_app();
    // nobody may reach the binary and the project.
    let bin_dir = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(bin_dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let bin = bin_dir.path().join("express-harden");
    std::fs::copy(BIN, &bin).expect("copy the binary");
    chown_tree(project.path(), 65534, 65534);
    std::fs::set_permissions(project.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    // package.json (written after app.js) keeps group root, which nobody is not in.
    std::os::unix::fs::chown(project.path().join("package.json"), Some(65534), Some(0)).expect("chown");
    let before = project.tree();

    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&bin)
        .args(["--only", "helmet", "--write", "--allow-no-vcs"])
        .current_dir(project.path())
        .envs(isolated_git_env(project.path()))
        .output()
        .expect("run setpriv");
    let stderr = String::from_utf8_lossy(&out.stderr);

    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "error: package.json belongs to group 0, which you are not in: a new file would belong to \
                         another group; nothing was written"
        ),
        "{stderr}"
    );
    assert_eq!(project.tree(), before, "app.js must not be written without package.json");
}

#[cfg(unix)]
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::metadata(dir.path()).expect("stat").uid() == 0
}

/// `chown -R uid:gid path` (no links followed).
#[cfg(unix)]
fn chown_tree(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), Some(gid)).expect("chown");
    if std::fs::symlink_metadata(path).expect("stat").is_dir() {
        for entry in std::fs::read_dir(path).expect("ls") {
            chown_tree(&entry.expect("entry").path(), uid, gid);
        }
    }
}

/// The absolute path of `program` on PATH.
fn child_program(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(program)).find(|p| p.is_file())
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

    // (Each nesting is one long line: the files look minified, which is not what is tested here.)
    let out = run_bounded(project.path(), &["--only", "helmet", "--write", "--allow-no-vcs", "--include-minified"]);

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

    let out = run_bounded(project.path(), &["--write", "--allow-no-vcs", "--include-minified"]);

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
    // The code that needs a package in it is not shown as a change either: half a change would not start.
    assert!(out.stderr.contains("; app.js needs packages from it and is left alone"), "{}", out.stderr);
    assert!(!out.stdout.contains("+++ b/app.js"), "{}", out.stdout);
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

/// Files are read up to a size: 16 MiB for views, 4 MiB for package.json, the configuration file, `.nvmrc` and
/// `.node-version` (an error each); a source file over `--max-file-size` (1 MiB unless set) is a warning.
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
    let skipped =
        "big.js:1:1: warning [engine/too-large] not analysed: 16.0 MiB is over the 1 MiB limit for one source \
                   file (a bundle or generated code, most likely); to include it, pass --max-file-size 17M";
    assert!(out.stderr.contains(skipped), "{}", out.stderr);
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

    let out = run_bounded(&repo, &["--write", "--allow-no-vcs"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("no package.json above this file: install helmet yourself"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(repo.join("app.js")).expect("read"), APP_JS_HARDENED);
    assert_eq!(outer.read("package.json"), PACKAGE_JSON, "the manifest outside the repository was changed");
}

/// Outside a git work tree the root is the folder the tool runs in: the same holds for a project that is not in git.
#[test]
fn without_git_the_root_is_the_current_folder() {
    let outer = Project::empty().with("package.json", PACKAGE_JSON).with("app/app.js", APP_JS);

    let out = run_bounded(&outer.path().join("app"), &["--write", "--allow-no-vcs"]);

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

    let dotdot = run_bounded(&repo, &["--write", "--allow-no-vcs", "../other", "app.js"]);
    let absolute = run_bounded(&repo, &["--write", "--allow-no-vcs", other.to_str().expect("UTF-8")]);

    assert_eq!(dotdot.code, 2, "{dotdot:?}");
    assert!(dotdot.stderr.contains(&format!("{}; left alone", refused("../other"))), "{}", dotdot.stderr);
    assert!(dotdot.stdout.contains("wrote app.js"), "the paths inside are still fixed: {}", dotdot.stdout);
    assert_eq!(absolute.code, 2, "{absolute:?}");
    assert!(absolute.stderr.contains(&refused("../other")), "{}", absolute.stderr);

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&other, repo.join("linked")).expect("symlink");
        let linked = run_bounded(&repo, &["--write", "--allow-no-vcs", "linked"]);
        assert_eq!(linked.code, 2, "{linked:?}");
        let through = format!("{} (a symbolic link to {}); left alone", refused("linked"), other.display());
        assert!(linked.stderr.contains(&through), "{}", linked.stderr);
        // Met by the walk, the link is not followed.
        let walked = run_bounded(&repo, &["--check"]);
        assert!(!walked.stdout.contains("linked/app.js") && !walked.stderr.contains("linked/"), "{walked:?}");
    }

    std::fs::write(repo.join("express-harden.json"), r#"{ "paths": { "include": ["../other", "."] } }"#)
        .expect("write");
    let included = run_bounded(&repo, &["--write", "--allow-no-vcs"]);
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

/// `--behind-proxy N` on an app whose cookies were hardened before: `trust proxy` is still added (the secure cookie
/// is never sent behind a TLS-terminating proxy without it), and a second run changes nothing.
#[test]
fn behind_proxy_adds_trust_proxy_to_an_already_hardened_app() {
    let app = "const express = require('express');\nconst session = require('express-session');\n\nconst app = \
               express();\n\napp.use(session({\n  name: 'sid',\n  secret: process.env.SESSION_SECRET,\n  resave: \
               false,\n  saveUninitialized: false,\n  cookie: { httpOnly: true, secure: true, sameSite: 'lax', \
               maxAge: 3600000 },\n}));\n\napp.listen(3000);\n";
    let manifest = r#"{"dependencies":{"express":"^4.22.3","express-session":"^1.18.0"}}"#;
    let project = Project::empty().with("package.json", manifest).with("app.js", app);
    let out = run(project.path(), &["--only", "session-cookie", "--behind-proxy", "1", "--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        project.read("app.js").contains("const app = express();\napp.set('trust proxy', 1);\n"),
        "{}",
        project.read("app.js")
    );
    let again = run(project.path(), &["--only", "session-cookie", "--behind-proxy", "1", "--check"]);
    assert_eq!(again.code, 0, "a second run changes nothing: {again:?}");
}

/// `app.set('trust proxy', 1)` says a TLS-terminating proxy serves the app: helmet keeps its upgrade-insecure-requests
/// for an app with pages (the counterpart of the settings that turn it off, in
/// `behind_proxy_names_an_app_that_turns_trust_proxy_off`).
#[test]
fn a_trust_proxy_of_one_keeps_upgrade_insecure_requests() {
    let project =
        Project::express_app().with("views/index.html", "<!doctype html><script src=\"/js/app.js\"></script>\n").with(
            "app.js",
            "const express = require('express');\n\nconst app = express();\napp.set('trust proxy', 1);\n\
             app.get('/', (req, res) => res.render('index'));\n\napp.listen(3000);\n",
        );
    let out = run(project.path(), &["--only", "helmet", "--color", "never"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("+app.use(helmet());"), "{}", out.stdout);
    assert!(!out.stderr.contains("plain-http"), "{}", out.stderr);
}

/// `app.enable('trust proxy')` sets what `app.set('trust proxy', true)` sets: `--behind-proxy N` adds no second
/// setting next to it, for the session cookie, the cookies the app sets and cookie-session alike (helmet already read
/// it so; the cookie transforms counted only `set`).
#[test]
fn behind_proxy_leaves_an_app_that_enables_trust_proxy_alone() {
    let app = "const express = require('express');\nconst session = require('express-session');\n\nconst app = \
               express();\napp.enable('trust proxy');\n\napp.use(session({\n  name: 'sid',\n  secret: \
               process.env.SESSION_SECRET,\n  resave: false,\n  saveUninitialized: false,\n  cookie: { httpOnly: \
               true, secure: true, sameSite: 'lax', maxAge: 3600000 },\n}));\n\napp.get('/', (req, res) => {\n  \
               res.cookie('theme', 'dark', { httpOnly: true, secure: true, sameSite: 'lax' });\n  \
               res.send('ok');\n});\n\napp.listen(3000);\n";
    let manifest = r#"{"dependencies":{"express":"^4.22.3","express-session":"^1.18.0"}}"#;
    for only in ["session-cookie", "res-cookie"] {
        let project = Project::empty().with("package.json", manifest).with("app.js", app);
        let out = run(project.path(), &["--only", only, "--behind-proxy", "1", "--check"]);
        assert_eq!(out.code, 0, "{only}: nothing to change: {out:?}");
        assert!(!out.stdout.contains("trust-proxy"), "{only}: {}", out.stdout);
    }
}

/// An app that turns `trust proxy` off (`app.set('trust proxy', false)`, `0`, `app.disable('trust proxy')`), run with
/// `--behind-proxy 1`: a setting added after the app is created would be undone by the app's own (found by the ninth
/// session's review: no secure cookie was ever sent, and nothing said why), so the tool says so at the app's line and
/// adds nothing. A computed value is the app's own decision: left alone, silently. helmet does not take an app that
/// turns it off for one served over HTTPS (its `upgrade-insecure-requests` would stop a plain HTTP app's scripts).
#[test]
fn behind_proxy_names_an_app_that_turns_trust_proxy_off() {
    let manifest = r#"{"dependencies":{"express":"^4.22.3","express-session":"^1.18.0","helmet":"^8.3.0"}}"#;
    let app = |setting: &str| {
        format!(
            "const express = require('express');\nconst session = require('express-session');\n\nconst app = \
             express();\n{setting}\n\napp.use(session({{\n  name: 'sid',\n  secret: process.env.SESSION_SECRET,\n  \
             resave: false,\n  saveUninitialized: false,\n  cookie: {{ httpOnly: true, secure: true, sameSite: \
             'lax', maxAge: 3600000 }},\n}}));\n\napp.listen(3000);\n"
        )
    };
    for (setting, warned) in [
        ("app.set('trust proxy', false);", true),
        ("app.set('trust proxy', 0);", true),
        ("app.disable('trust proxy');", true),
        ("app.set('trust proxy', process.env.TRUST_PROXY === '1');", false),
    ] {
        let project = Project::empty()
            .with("package.json", manifest)
            .with("app.js", app(setting))
            .with("views/index.html", "<!doctype html><script src=\"/js/app.js\"></script>\n");
        let out = run(project.path(), &["--only", "session-cookie", "--behind-proxy", "1", "--check"]);
        assert_eq!(out.code, 0, "{setting}: nothing to change: {out:?}");
        assert_eq!(
            out.stderr.contains("app.js:5:1: warning [session-cookie/trust-proxy] this turns `trust proxy` off"),
            warned,
            "{setting}: {}",
            out.stdout
        );
        // (Off or computed: nothing says HTTPS, and the page keeps working over plain HTTP.)
        let helmet = run(project.path(), &["--only", "helmet", "--color", "never"]);
        assert!(helmet.stdout.contains("upgradeInsecureRequests: null"), "{setting}: {}", helmet.stdout);
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// Express 4 -> 5: the version and the code always agree.

const HELD_BACK_MANIFEST: &str =
    "{\n  \"name\": \"held\",\n  \"dependencies\": {\n    \"express\": \"^4.21.0\"\n  }\n}\n";

/// An app with one call the migration cannot prove to be Express (a function never registered as a handler).
const HELD_BACK_APP: &str = "const express = require('express');\nconst app = express();\n\
app.get('/files/*', (req, res) => res.send(200, req.params[0]));\n\
function legacy(req, res) {\n  res.send(200, 'not registered');\n}\nmodule.exports = { app, legacy };\n";

#[test]
fn express_5_is_held_back_while_code_is_left_unmigrated() {
    let project = Project::empty().with("package.json", HELD_BACK_MANIFEST).with("app.js", HELD_BACK_APP);
    let dry = run(project.path(), &["--express", "5", "--only", "express5,express-version", "--format", "json"]);
    assert_eq!(dry.code, 3, "a requested migration that did not happen exits 3: {dry:?}");
    let doc: serde_json::Value = serde_json::from_str(&dry.stdout).expect("JSON");
    assert_eq!(doc["summary"]["migrations_held_back"], serde_json::json!(["package.json"]));
    let finding = doc["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "express-version/major-change"))
        .expect("the major-change finding");
    assert_eq!(
        finding["message"],
        "express `^4.21.0` stays on 4: the move to ^5.3.0 is held back, because the code keeps 1 place the migration \
         could not rewrite (app.js:5 express5/unverified); the changes that only run on the new major are held back \
         too. Migrate those places by hand (see their findings) and run again"
    );

    let written =
        run(project.path(), &["--write", "--allow-no-vcs", "--express", "5", "--only", "express5,express-version"]);
    assert_eq!(written.code, 3, "{written:?}");
    // Express 4 reads Express 5's route syntax literally: the route and its wildcard read stay as they were, while
    // the rewrite Express 4 runs the same is made; the version moves to the patched 4.
    let app = project.read("app.js");
    assert!(app.contains("app.get('/files/*', (req, res) => res.status(200).send(req.params[0]));"), "{app}");
    assert!(app.contains("  res.send(200, 'not registered');"), "{app}");
    assert!(project.read("package.json").contains("\"express\": \"^4.22.3\""));
    assert!(!written.stderr.contains("the code was migrated to Express 5"), "no claim: {}", written.stderr);
    assert!(written.stderr.contains("Express stays on 4"), "{}", written.stderr);

    // Once the last place is migrated by hand, the move happens, with the route syntax.
    let fixed = project.read("app.js").replace("res.send(200, 'not registered')", "res.status(200).send('x')");
    std::fs::write(project.path().join("app.js"), fixed).expect("write");
    let moved =
        run(project.path(), &["--write", "--allow-no-vcs", "--express", "5", "--only", "express5,express-version"]);
    assert_eq!(moved.code, 0, "{moved:?}");
    assert!(project.read("package.json").contains("\"express\": \"^5.3.0\""));
    let app = project.read("app.js");
    assert!(
        app.contains(
            "app.get('/files/{*splat}', (req, res) => res.status(200).send((req.params.splat || []).join('/')));"
        ),
        "{app}"
    );
}

#[test]
fn express_5_held_back_by_the_projects_node_exits_3() {
    // engines.node allows Node 14, which Express 5 (Node 18) does not run: Express stays on 4 (patched), and the run
    // says so with exit 3, as for a move code holds back, so that a CI job asking for 5 can tell it did not happen.
    let manifest =
        "{\n  \"name\": \"old-node\",\n  \"engines\": { \"node\": \">=14.0.0\" },\n  \"dependencies\": {\n    \
                    \"express\": \"^4.21.0\"\n  }\n}\n";
    let app =
        "const express = require('express');\nconst app = express();\napp.get('/', (req, res) => res.send('ok'));\n";
    let project = Project::empty().with("package.json", manifest).with("app.js", app);
    let out = run(project.path(), &["--express", "5", "--only", "express5,express-version", "--format", "json"]);
    assert_eq!(out.code, 3, "{out:?}");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(doc["summary"]["migrations_held_back"], serde_json::json!(["package.json"]));
    assert!(
        doc["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["rule"] == "express-version/node")),
        "{}",
        out.stdout
    );
    let text = run(project.path(), &["--express", "5", "--only", "express5,express-version", "--color", "never"]);
    assert_eq!(text.code, 3, "{text:?}");
    assert!(
        text.stderr.contains("package.json: the requested major is held back (see its node finding)"),
        "{}",
        text.stderr
    );
    // Without --express 5 nothing was asked for that did not happen.
    let default = run(project.path(), &["--only", "express5,express-version"]);
    assert_eq!(default.code, 0, "{default:?}");
    // Already on 5 (whatever the Node): nothing held back.
    let five = Project::empty().with("package.json", manifest.replace("^4.21.0", "^5.3.0")).with("app.js", app);
    let out = run(five.path(), &["--express", "5", "--only", "express5,express-version"]);
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn an_express_2_project_is_left_alone_and_exits_3() {
    // Express 2: express4's rewrite of `app.configure('development', ...)` would put the body under
    // `app.get('env')`, a route lookup on Express 2, so the block would never run. Nothing is written, and the run
    // says why Express stays, with exit 3.
    let manifest = "{\n  \"name\": \"two\",\n  \"dependencies\": {\n    \"express\": \"2.3.x\"\n  }\n}\n";
    let app = "var express = require('express');\nvar app = express.createServer();\n\
               app.configure('development', function(){\n  app.use(express.cookieParser());\n});\napp.listen(3000);\n";
    let project = Project::empty().with("package.json", manifest).with("app.js", app);
    let out = run(project.path(), &["--write", "--allow-no-vcs", "--only", "express4,express-version"]);
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(project.read("app.js"), app);
    assert_eq!(project.read("package.json"), manifest);
    assert!(
        out.stderr.contains(
            "warning [express-version/major-change] express `2.3.x` is on Express 2 (the oldest release it allows, \
             which its code must run on): it stays, and no code is migrated."
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn an_express_2_app_gets_only_its_secret_moved_and_the_same_code_on_express_3_is_hardened() {
    // Express 2's express.session is connect 1.x's: it reads the cookie name from `key` and writes no SameSite, and
    // today's stores need express-session. With every transform, the Express 2 app gets its hard-coded secret moved to
    // the environment and nothing else; the same code on Express 3 is migrated and hardened.
    let code = "var express = require('express');\nvar app = express.createServer();\n\
                app.use(express.cookieParser());\n\
                app.use(express.session({ secret: 'keyboard cat', cookie: { maxAge: 3600000 } }));\n\
                app.get('/', function (req, res) {\n  res.cookie('theme', 'dark');\n  res.send('hi');\n});\n\
                app.listen(3000);\n";
    let manifest = |version: &str| {
        format!("{{\n  \"name\": \"app\",\n  \"dependencies\": {{\n    \"express\": \"{version}\"\n  }}\n}}\n")
    };
    let two = Project::empty().with("package.json", manifest("2.5.x")).with("app.js", code);
    let out = run(two.path(), &["--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 3, "{out:?}");
    let app = two.read("app.js");
    assert!(
        app.contains(
            "app.use(express.session({ secret: requiredSecret('SESSION_SECRET'), cookie: { maxAge: 3600000 } }));"
        ),
        "{app}"
    );
    for untouched in
        ["var app = express.createServer();\n", "app.use(express.cookieParser());\n", "res.cookie('theme', 'dark');\n"]
    {
        assert!(app.contains(untouched), "{untouched}: {app}");
    }
    for absent in ["name:", "sameSite", "resave", "helmet", "RedisStore", "cookie-parser"] {
        assert!(!app.contains(absent), "{absent}: {app}");
    }
    assert_eq!(two.read("package.json"), manifest("2.5.x"));
    assert!(out.stderr.contains("Its session and cookies are not hardened either"), "{}", out.stderr);
    assert!(!out.stderr.contains("renamed to sid"), "{}", out.stderr);

    let three = Project::empty()
        .with("package.json", manifest("3.21.2"))
        .with("app.js", code.replace("express.createServer()", "express()"));
    let out = run(three.path(), &["--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 0, "{out:?}");
    let app = three.read("app.js");
    for hardened in
        ["app.use(helmet());", "name: 'sid'", "sameSite: 'lax'", "requiredSecret('SESSION_SECRET')", "RedisStore"]
    {
        assert!(app.contains(hardened), "{hardened}: {app}");
    }
    assert!(three.read("package.json").contains("\"express\": \"4.22.3\""), "{}", three.read("package.json"));
}

#[test]
fn a_default_run_never_writes_express_5_route_syntax() {
    // Without --express 5 the project stays on Express 4, whatever else happens (here a file that does not parse):
    // its route strings keep Express 4's syntax, which Express 4 reads (`'/{*splat}'` would match only that text).
    let app = "const express = require('express');\nconst app = express();\n\
               app.options('*', (req, res) => res.sendStatus(204));\napp.get('/files/*', (req, res) => res.send(req.params[0]));\n";
    let project = Project::empty()
        .with("package.json", HELD_BACK_MANIFEST)
        .with("app.js", app)
        .with("broken.js", "const express = require('express');\nconst x = {\n");
    let out = run(project.path(), &["--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 2, "the file that does not parse is an error: {out:?}");
    let written = project.read("app.js");
    assert!(written.contains("app.options('*',") && written.contains("app.get('/files/*',"), "{written}");
    assert!(!written.contains("splat"), "{written}");
    assert!(project.read("package.json").contains("\"express\": \"^4."));
}

#[test]
fn selecting_the_migration_brings_the_version_bump_and_skipping_it_holds_the_route_syntax_back() {
    let app = "const express = require('express');\nconst app = express();\napp.get('/files/*', (req, res) => res.send('x'));\n";
    let project = Project::empty().with("package.json", HELD_BACK_MANIFEST).with("app.js", app);
    // `--only express5` runs express-version with it: the version and the code move together.
    let together = run(project.path(), &["--express", "5", "--only", "express5"]);
    assert_eq!(together.code, 0, "{together:?}");
    assert!(together.stdout.contains("+    \"express\": \"^5.3.0\"") && together.stdout.contains("'/files/{*splat}'"));
    // Skipped by name, the version stays: so does Express 4's route syntax (exit 3, and the output says why).
    let skipped = run(project.path(), &["--express", "5", "--only", "express5", "--skip", "express-version"]);
    assert_eq!(skipped.code, 3, "{skipped:?}");
    assert!(!skipped.stdout.contains("splat"), "{}", skipped.stdout);
    assert!(skipped.stderr.contains("[express5/version-skipped]"), "{}", skipped.stderr);
}

#[test]
fn express_4_asked_on_an_app_on_express_5_is_reported_not_ignored() {
    let project =
        Project::empty().with("app.js", APP_JS).with("package.json", PACKAGE_JSON.replace("^4.22.3", "^5.3.0"));
    let before = project.tree();

    let out = run(project.path(), &["--express", "4", "--only", "express-version"]);

    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "", "nothing to change");
    assert!(
        out.stderr.contains(
            "package.json:5:5: info [express-version/newer-than-requested] express `^5.3.0` is already on Express 5, \
             newer than the 4 asked for with --express: kept on 5 (express-harden never moves a major down)"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(project.tree(), before);
}

// ---------------------------------------------------------------------------------------------------------------------
// scripts/test.sh installs through sudo when not root.

/// Runs `scripts/test.sh --install-only` with a PATH of stand-ins only: `id` says uid 1000 (0 with `root`), `sudo`
/// runs its command as "root", `apt-get` fails unless run as root, `npm` has a global folder that is not writable.
/// node, git, redis-server, jq, pnpm and yarn are missing, so all of them are installed. Returns the exit code and
/// the log of the commands the stand-ins saw, each with the user it ran as.
fn test_sh_install(root: bool) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("bin");
    let log = dir.path().join("log");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let stand_ins = [
        ("id", "#!/bin/sh\nif [ -n \"$FAKE_ROOT\" ]; then echo 0; else echo 1000; fi\n".to_string()),
        ("sudo", format!("#!/bin/sh\necho \"sudo $*\" >>'{}'\nFAKE_ROOT=1 exec \"$@\"\n", log.display())),
        (
            "apt-get",
            format!(
                "#!/bin/sh\nif [ \"$(id -u)\" != 0 ]; then echo 'E: permission denied' >&2; exit 100; fi\n\
                 echo \"apt-get $* (as root, DEBIAN_FRONTEND=$DEBIAN_FRONTEND)\" >>'{}'\n",
                log.display()
            ),
        ),
        (
            "npm",
            format!(
                "#!/bin/sh\nif [ \"$1 $2\" = 'prefix --global' ]; then echo /nonexistent/npm-global; exit 0; fi\n\
                 echo \"npm $* (as uid $(id -u))\" >>'{}'\n",
                log.display()
            ),
        ),
    ];
    for (name, script) in stand_ins {
        std::fs::write(bin.join(name), script).expect("write a stand-in");
        std::fs::set_permissions(bin.join(name), std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    }
    for tool in ["env", "dirname"] {
        let real = ["/usr/bin", "/bin"].iter().map(|d| Path::new(d).join(tool)).find(|p| p.exists()).expect(tool);
        std::os::unix::fs::symlink(real, bin.join(tool)).expect("link");
    }
    let mut command = Command::new("/bin/bash");
    command.arg(Path::new(REPO).join("scripts/test.sh")).arg("--install-only").env_clear().env("PATH", &bin);
    if root {
        command.env("FAKE_ROOT", "1");
    }
    let out = command.output().expect("run scripts/test.sh");
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    (out.status.code().unwrap_or(-1), log, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn test_sh_installs_through_sudo_when_not_root() {
    let (code, log, stderr) = test_sh_install(false);

    assert_eq!(code, 0, "{stderr}\n{log}");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines[0], "sudo apt-get update -qq");
    assert_eq!(lines[1], "apt-get update -qq (as root, DEBIAN_FRONTEND=)");
    assert!(
        lines[2].starts_with("sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs git "),
        "{log}"
    );
    assert!(lines[3].starts_with("apt-get install -y -qq nodejs git redis-server"), "{log}");
    assert!(lines[3].contains(" jq") && lines[3].ends_with(" (as root, DEBIAN_FRONTEND=noninteractive)"), "{log}");
    assert_eq!(
        lines[4..],
        [
            "sudo npm install --global --no-audit --no-fund pnpm@9 yarn@1",
            "npm install --global --no-audit --no-fund pnpm@9 yarn@1 (as uid 0)"
        ]
    );

    // As root: the same commands, without sudo.
    let (code, log, stderr) = test_sh_install(true);
    assert_eq!(code, 0, "{stderr}\n{log}");
    assert!(!log.contains("sudo"), "{log}");
    assert!(
        log.starts_with("apt-get update -qq (as root, DEBIAN_FRONTEND=)\napt-get install -y -qq nodejs git "),
        "{log}"
    );
}

/// A package.json that does not parse stops every source file needing a package from it (the code would get
/// `require('helmet')` with no dependency declared); files needing none are still written; the parse error is printed
/// once, naming the files it stops (not one more error each).
#[test]
fn a_broken_manifest_stops_the_files_that_need_packages_and_is_reported_once() {
    const BROKEN: &str = "{ \"name\": \"shop\", \"dependencies\": { \"express\": \"^4.22.3\", } }\n";
    const COOKIE_JS: &str = "const express = require('express');\n\nconst router = express.Router();\n\n\
                             router.get('/', (req, res) => res.cookie('theme', 'dark').send('ok'));\n\n\
                             module.exports = router;\n";
    let project = Project::empty()
        .with("package.json", BROKEN)
        .with("app.js", APP_JS)
        .with("admin.js", APP_JS)
        .with("routes.js", COOKIE_JS);
    let out = run(project.path(), &["--write", "--allow-no-vcs", "--allow-dirty"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr.matches("package.json is not usable: not valid JSON").count(),
        1,
        "the manifest's error, once: {}",
        out.stderr
    );
    // The files it stops are named in that one error, not in one more error each.
    assert_eq!(out.stderr.matches("error: ").count(), 1, "{}", out.stderr);
    assert!(out.stderr.contains("; admin.js, app.js need packages from it and are left alone"), "{}", out.stderr);
    assert_eq!(project.read("app.js"), APP_JS, "no require('helmet') without its dependency");
    assert_eq!(project.read("admin.js"), APP_JS);
    assert_eq!(project.read("package.json"), BROKEN);
    assert!(project.read("routes.js").contains("sameSite: 'lax'"), "a change needing no package is written");
}

/// A source file over the size limit (1 MiB unless set) is not read: a warning names it and says how to include it
/// (exit 0, the file untouched), and the rest of the project is fixed. `--max-file-size` and `"maxFileSize"` include
/// it; a size that is not one is refused.
#[test]
fn a_file_over_the_size_limit_is_named_and_left_alone_unless_included() {
    let big = format!(
        "const express = require('express');\nconst app = express();\n{}app.listen(3000);\n",
        "exports.value = 1;\n".repeat(60_000)
    );
    assert!(big.len() > 1 << 20 && big.len() < 2 << 20);
    let project = Project::express_app().with("server/big.js", &big);

    let out = run(project.path(), &["--only", "helmet", "--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 0, "{out:?}");
    let named = "server/big.js:1:1: warning [engine/too-large] not analysed: 1.1 MiB is over the 1 MiB limit for one \
                 source file (a bundle or generated code, most likely); to include it, pass --max-file-size 2M or set \
                 \"maxFileSize\" in express-harden.json";
    assert!(out.stderr.contains(named), "{}", out.stderr);
    assert_eq!(project.read("server/big.js"), big);
    assert_eq!(project.read("app.js"), APP_JS_HARDENED);

    let out = run(project.path(), &["--only", "helmet", "--max-file-size", "2M"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("engine/too-large"), "{}", out.stderr);
    assert!(out.stdout.contains("+++ b/server/big.js\n"), "included with the flag");

    project.write("express-harden.json", r#"{ "maxFileSize": 2097152 }"#);
    let out = run(project.path(), &["--only", "helmet"]);
    assert!(!out.stderr.contains("engine/too-large"), "{}", out.stderr);
    assert!(out.stdout.contains("+++ b/server/big.js\n"), "included with the configuration");

    let out = run(project.path(), &["--only", "helmet", "--max-file-size", "2X"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("`2X` is not a size: write bytes, or a number with K, M or G"), "{}", out.stderr);
}

/// A minified file (named `*.min.js`, or long lines) is not analysed: a warning names it, unless
/// `--include-minified` (or `"includeMinified": true`). Included, it is fixed like any file, and the result parses: a
/// statement added on a line that holds more code ends with a semicolon, and a block's last statement without one
/// (every block of minified code) does not make the file look semicolon-free.
#[test]
fn a_minified_file_is_named_and_left_alone_unless_included() {
    let minified = format!(
        "const express=require(\"express\");const app=express();{}app.listen(3000);",
        (0..40)
            .map(|i| format!(
                "function f{i}(a){{if(a){{return [a]}}return app.get(\"/r{i}\",function(q,r){{r.send(\"x\")}})}}"
            ))
            .collect::<String>()
    );
    let project =
        Project::express_app().with("public/bundle.js", &minified).with("public/vendor.min.js", "var express;\n");

    let out = run(project.path(), &["--only", "helmet"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("public/bundle.js:1:1: info [engine/minified] not analysed: it looks minified (lines of"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("public/vendor.min.js:1:1: info [engine/minified]"), "{}", out.stderr);
    assert!(out
        .stderr
        .contains("to include it, pass --include-minified or set \"includeMinified\": true in express-harden.json"));
    assert!(!out.stdout.contains("public/bundle.js"), "{}", out.stdout);

    let out = run(project.path(), &["--only", "helmet", "--include-minified", "--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("engine/minified"), "{}", out.stderr);
    let written = project.read("public/bundle.js");
    assert!(
        written.starts_with("const express=require(\"express\"); const helmet = require(\"helmet\");const app=express(); app.use(helmet());function f0(a)"),
        "{}",
        &written[..200]
    );
    assert_eq!(
        run(project.path(), &["--only", "helmet", "--include-minified", "--check"]).code,
        0,
        "a second run changes nothing"
    );
}

/// In a file without semicolons, a statement added after one that shares its line with more code gets a semicolon
/// (before: `app.use(helmet()) app.listen(3000)`, which does not parse, reported as a bug and left alone).
#[test]
fn a_statement_added_on_a_shared_line_of_a_semicolon_free_file_parses() {
    let app = "const express = require('express')\n\nconst app = express(); app.listen(3000)\napp.get('/', (req, res) => res.send('hi'))\n";
    let project = Project::express_app().with("app.js", app);

    let out = run(project.path(), &["--only", "helmet", "--write", "--allow-no-vcs"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        project.read("app.js"),
        "const express = require('express')\nconst helmet = require('helmet')\n\nconst app = express(); app.use(helmet()); app.listen(3000)\napp.get('/', (req, res) => res.send('hi'))\n"
    );
}

// ---------------------------------------------------------------------------------------------------------------------
// A run on a file or folder narrower than its project reads the rest of the project, and changes only what it was given.

const CONTEXT_APP: &str = "const express = require('express');\nconst users = require('./controllers/users');\n\
const app = express();\napp.set('view engine', 'ejs');\n\
app.get('/', (req, res) => res.render('index'));\napp.get('/users/:id', users.show);\napp.listen(3000);\n";

const CONTEXT_CONTROLLER: &str = "exports.show = function (req, res) {\n  res.send(200, req.params.id);\n};\n";

const CONTEXT_VIEW: &str = "<!doctype html>\n<html><body>\n<script>document.title = 'Hi';</script>\n\
<button onclick=\"go()\">Go</button>\n</body></html>\n";

#[test]
fn a_file_is_hardened_with_its_project_read_for_context_and_nothing_else_changes() {
    let project = Project::empty()
        .with("package.json", HELD_BACK_MANIFEST)
        .with("app.js", CONTEXT_APP)
        .with("controllers/users.js", CONTEXT_CONTROLLER)
        .with("views/index.ejs", CONTEXT_VIEW);
    let whole = run(project.path(), &["--only", "helmet", "."]);
    let alone = run(project.path(), &["--only", "helmet", "app.js"]);
    assert_eq!(whole.code, 0, "{whole:?}");
    assert_eq!(alone.code, 0, "{alone:?}");
    // The policy allows the view's inline script and handler, as when the whole project is given: from app.js alone
    // it was helmet's default, which blocks them.
    assert!(whole.stdout.contains("scriptSrcAttr: [\"'unsafe-inline'\"]"), "{}", whole.stdout);
    assert_eq!(alone.stdout, whole.stdout);
    assert!(
        alone.stderr.contains(
            "scanned 1 source file: 1 parsed; 1 other source file of the project read for context (only the paths \
             given change)"
        ),
        "{}",
        alone.stderr
    );

    // The Express 5 migration the controller needs is not made there, so the version stays on 4, and the file that
    // holds it back is named.
    let before = project.read("controllers/users.js");
    let moved = run(
        project.path(),
        &["--write", "--allow-no-vcs", "--express", "5", "--only", "express5,express-version", "app.js"],
    );
    assert_eq!(moved.code, 3, "{moved:?}");
    assert_eq!(project.read("controllers/users.js"), before, "outside the paths given: left as it was");
    assert!(project.read("package.json").contains("\"express\": \"^4.22.3\""), "{}", project.read("package.json"));
    assert!(
        moved.stderr.contains(
            "controllers/users.js:1:1: warning [engine/outside-paths] the express5 migration would change this file, \
             which is outside the paths given"
        ),
        "{}",
        moved.stderr
    );
    // Given the whole project, the controller is migrated and Express moves.
    let all =
        run(project.path(), &["--write", "--allow-no-vcs", "--express", "5", "--only", "express5,express-version"]);
    assert_eq!(all.code, 0, "{all:?}");
    assert!(project.read("controllers/users.js").contains("res.status(200).send(req.params.id);"));
    assert!(project.read("package.json").contains("\"express\": \"^5.3.0\""));
}

#[test]
fn a_workspace_member_on_its_roots_express_migrates_only_with_the_root() {
    // apps/shop lists no Express: it runs on the workspace root's 4.x. Given only the member, the root's version cannot
    // move, so the member's code keeps what Express 4 runs (the '/*' route that Express 5 needs rewritten stays), and
    // the run says why; given the whole workspace, the code and the root's Express move together.
    let root = "{\n  \"name\": \"store\",\n  \"private\": true,\n  \"workspaces\": [\"apps/*\"],\n  \
\"dependencies\": {\n    \"express\": \"^4.21.2\"\n  }\n}\n";
    let server = "const express = require('express');\nconst app = express();\n\
app.get('/*', (req, res) => res.sendStatus(404));\napp.listen(3000);\n";
    let project = Project::empty()
        .with("package.json", root)
        .with("apps/shop/package.json", "{\n  \"name\": \"shop\",\n  \"private\": true\n}\n")
        .with("apps/shop/server.js", server);
    let args = ["--write", "--allow-no-vcs", "--express", "5", "--only", "express5,express-version"];
    let member = run(project.path(), &[&args[..], &["apps/shop"]].concat());
    assert_eq!(member.code, 3, "{member:?}");
    assert_eq!(project.read("apps/shop/server.js"), server, "held back: Express 4 keeps its route syntax");
    assert_eq!(project.read("package.json"), root);
    assert!(
        member.stderr.contains(
            "apps/shop/package.json:1:1: warning [engine/outside-paths] this project runs the Express that \
             package.json lists, which is outside the paths given: the express5 migration is held back"
        ),
        "{}",
        member.stderr
    );
    let all = run(project.path(), &args);
    assert_eq!(all.code, 0, "{all:?}");
    assert!(
        project.read("apps/shop/server.js").contains("app.get('/{*splat}'"),
        "{}",
        project.read("apps/shop/server.js")
    );
    assert!(project.read("package.json").contains("\"express\": \"^5.3.0\""), "{}", project.read("package.json"));
}

#[test]
fn a_member_held_back_by_its_roots_manifest_outside_the_paths_is_told_that_reason() {
    // Given only apps/shop, whose Express is the workspace root's: the root's package.json is outside the paths, so
    // the move to 5 is held back with engine/outside-paths and no major-change finding is made anywhere. The next
    // step for the rewrites Express 4 runs the same must point at that finding, not at a major-change one.
    let root = "{\n  \"name\": \"store\",\n  \"private\": true,\n  \"workspaces\": [\"apps/*\"],\n  \
\"dependencies\": {\n    \"express\": \"^4.21.2\"\n  }\n}\n";
    let server = "const express = require('express');\nconst app = express();\n\
app.get('/items/:id', (req, res) => res.send(200, { id: req.params.id }));\n\
app.get('/*', (req, res) => res.sendStatus(404));\napp.listen(3000);\n";
    let project = Project::empty()
        .with("package.json", root)
        .with("apps/shop/package.json", "{\n  \"name\": \"shop\",\n  \"private\": true\n}\n")
        .with("apps/shop/server.js", server);
    let out = run(project.path(), &["--express", "5", "--only", "express5,express-version", "apps/shop"]);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stdout.contains("+app.get('/items/:id', (req, res) => res.status(200).send({ id: req.params.id }));"));
    assert!(!out.stdout.contains("{*splat}"), "{}", out.stdout);
    assert!(out.stderr.contains("[engine/outside-paths]"), "{}", out.stderr);
    assert!(!out.stderr.contains("major-change"), "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "Express stays on 4: the workspace root's package.json, which lists the Express this project runs, is \
             outside the paths given (see the engine/outside-paths finding)"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn a_narrow_run_leaves_nested_projects_alone_and_is_held_back_by_a_context_file_it_cannot_read() {
    // A project nested in the one read for context is not the run's: its package.json is neither planned nor
    // reported.
    let admin = "const express = require('express');\nconst app = express();\n\
app.get('/', (req, res) => res.send(200, 'admin'));\napp.listen(3001);\n";
    let project = Project::empty()
        .with("package.json", HELD_BACK_MANIFEST)
        .with("app.js", "const express = require('express');\nconst app = express();\napp.listen(3000);\n")
        .with(
            "admin/package.json",
            "{\n  \"name\": \"admin\",\n  \"dependencies\": {\n    \"express\": \"^4.17.1\"\n  }\n}\n",
        )
        .with("admin/server.js", admin);
    let narrow = run(project.path(), &["--express", "5", "--only", "express5,express-version", "app.js"]);
    assert_eq!(narrow.code, 0, "{narrow:?}");
    assert!(!narrow.stdout.contains("admin/"), "{}", narrow.stdout);
    assert!(!narrow.stderr.contains("admin/"), "{}", narrow.stderr);
    assert!(narrow.stdout.contains("+    \"express\": \"^5.3.0\""), "{}", narrow.stdout);

    // A file of the project that does not parse may hold code the migration needs: as in a run on the whole project,
    // Express stays on 4, and the file is named (the same path given absolute is the same file).
    let project = Project::empty()
        .with("package.json", HELD_BACK_MANIFEST)
        .with("app.js", "const express = require('express');\nconst app = express();\napp.use(require('./broken'));\n")
        .with("broken.js", "const express = require('express');\nconst router = express.Router(;\n");
    let absolute = project.path().join("app.js");
    let absolute = absolute.to_str().expect("UTF-8");
    for path in ["app.js", absolute] {
        let out =
            run(project.path(), &["--express", "5", "--only", "express5,express-version", "--format", "json", path]);
        assert_eq!(out.code, 2, "{out:?}");
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
        assert_eq!(doc["summary"]["migrations_held_back"], serde_json::json!(["package.json"]), "{path}");
        assert_eq!(doc["summary"]["context_files"], 1, "{path}");
        assert_eq!(doc["summary"]["files_scanned"], 1, "{path}");
        assert_eq!(doc["errors"][0]["path"], "broken.js", "{path}");
    }
}

/// Express 3 code with its `app.configure` and bundled body parser, as the repros of old apps have it.
const EXPRESS3_APP: &str = "var express = require('express');\nvar app = express();\napp.configure(function () {\n  app.use(express.bodyParser());\n});\napp.get('/', function (req, res) { res.send('hi'); });\napp.listen(3000);\n";

fn express_manifest(spec: &str) -> String {
    format!("{{\n  \"name\": \"old\",\n  \"private\": true,\n  \"dependencies\": {{\n    \"express\": \"{spec}\"\n  }}\n}}\n")
}

/// `--express 5` on an Express 3 project: the code moves to 4 with express4's migration, and Express with it (it
/// stayed on 3 under the migrated code, with exit 0); the move to 5 is held back with exit 3, since express5 reads
/// Express 4 code. Once written, a second run with `--express 5` makes that move.
#[test]
fn express3_asked_to_5_moves_to_4_and_holds_5_back() {
    let project = Project::empty().with("package.json", express_manifest("~3.21.2")).with("app.js", EXPRESS3_APP);
    let args = ["--express", "5", "--only", "express4,express5", "--color", "never"];
    let dry = run(project.path(), &args);
    assert_eq!(dry.code, 3, "{dry:?}");
    assert!(dry.stdout.contains("+    \"express\": \"~4.22.3\""), "{}", dry.stdout);
    assert!(dry.stdout.contains("+app.use(bodyParser.json());"), "{}", dry.stdout);
    assert!(
        dry.stderr.contains(
            "express `~3.21.2` moves to ~4.22.3 with the code's migration to Express 4 in this run; the move to ~5.3.0 \
             asked for with --express 5 is held back"
        ),
        "{}",
        dry.stderr
    );

    let write = run(project.path(), &[&args[..], &["--write", "--allow-no-vcs"]].concat());
    assert_eq!(write.code, 3, "{write:?}");
    assert!(project.read("package.json").contains("\"express\": \"~4.22.3\""));
    let again = run(project.path(), &["--check", "--only", "express4"]);
    assert_eq!(again.code, 0, "Express and the code are both on 4: {again:?}");
    let next = run(project.path(), &args);
    assert_eq!(next.code, 0, "{next:?}");
    assert!(next.stdout.contains("+    \"express\": \"~5.3.0\""), "{}", next.stdout);
}

/// `latest` (which installs Express 5) over code written for Express 3, which stops at start on it: the Express 3
/// calls are rewritten as for `>=3.0.0`, and the tag is pinned to 4, the major that code now runs on, not 5; with
/// `--express 5`, the move to 5 is held back (exit 3).
#[test]
fn a_latest_tag_over_express3_code_is_migrated_and_pinned_to_4() {
    let project = Project::empty().with("package.json", express_manifest("latest")).with("app.js", EXPRESS3_APP);
    let out = run(project.path(), &["--only", "express4", "--color", "never"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("+    \"express\": \"^4.22.3\""), "{}", out.stdout);
    assert!(out.stdout.contains("-app.configure(function () {"), "{}", out.stdout);
    assert!(out.stderr.contains("app.js:3:1: warning [express4/express3-call]"), "{}", out.stderr);

    let five = run(project.path(), &["--express", "5", "--only", "express4,express5", "--color", "never"]);
    assert_eq!(five.code, 3, "{five:?}");
    assert!(five.stdout.contains("+    \"express\": \"^4.22.3\""), "{}", five.stdout);
    assert!(five.stderr.contains("the move to ^5.3.0 asked for with --express 5 is held back"), "{}", five.stderr);
}

/// Express 4 declared over Express 3 leftovers (`app.configure`, `express.bodyParser()`): with `--express 5`, the
/// leftovers are rewritten for 4 and reported, and the move to 5 waits for a second run (exit 3); the run does not
/// say the code was migrated to Express 5. After `--write`, the second run makes the move.
#[test]
fn express4_range_with_express3_calls_holds_the_move_to_5_back() {
    let project = Project::empty().with("package.json", express_manifest("^4.17.1")).with("app.js", EXPRESS3_APP);
    let args = ["--express", "5", "--only", "express4,express5", "--color", "never"];
    let out = run(project.path(), &args);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stdout.contains("+    \"express\": \"^4.22.3\""), "{}", out.stdout);
    assert!(out.stderr.contains("app.js:4:11: warning [express4/express3-call]"), "{}", out.stderr);
    assert!(out.stderr.contains("express `^4.17.1` stays on 4: the move to ^5.3.0 is held back"), "{}", out.stderr);
    assert!(!out.stderr.contains("migrated to Express 5"), "{}", out.stderr);

    let write = run(project.path(), &[&args[..], &["--write", "--allow-no-vcs"]].concat());
    assert_eq!(write.code, 3, "{write:?}");
    let next = run(project.path(), &args);
    assert_eq!(next.code, 0, "{next:?}");
    assert!(next.stdout.contains("+    \"express\": \"^5.3.0\""), "{}", next.stdout);
}

/// Without a lockfile, the advisories do not say express's fix "is a new major ... not raised" in a run that raises
/// Express 3 to 4 with its migration; they still do when the migration does not run and Express stays on 3.
#[test]
fn advisories_do_not_contradict_the_move_from_express3_to_4() {
    let project = Project::empty().with("package.json", express_manifest("~3.21.2")).with("app.js", EXPRESS3_APP);
    let migrated = run(project.path(), &["--only", "express4,advisories", "--color", "never"]);
    assert!(migrated.stdout.contains("+    \"express\": \"~4.22.3\""), "{}", migrated.stdout);
    assert!(migrated.stderr.contains("[advisories/no-lockfile]"), "{}", migrated.stderr);
    assert!(!migrated.stderr.contains("is a new major for `~3.21.2`"), "{}", migrated.stderr);

    let kept = run(project.path(), &["--only", "express-version,advisories", "--color", "never"]);
    assert!(!kept.stdout.contains("\"express\": \"~4.22.3\""), "{}", kept.stdout);
    assert!(kept.stderr.contains("is a new major for `~3.21.2`"), "{}", kept.stderr);
}

/// A router module that also makes an app it never listens on, passes, exports or returns (Teddy-Seop/Chat's
/// `const app = express()` beside `express.Router()`): the settings other transforms add after each app go to the app
/// that serves, not to that one. Express 5's `query parser` (the project reads a nested query value) and, with
/// `--behind-proxy`, `trust proxy` for a secure session cookie, which on the unused app would be noise that changes
/// nothing (and, for the cookie, would leave it unsent behind the proxy with no word): the finding says where to set
/// it instead.
#[test]
fn settings_go_to_the_app_that_serves_not_to_a_router_module_s_unused_app() {
    let server = "const express = require('express');\nconst items = require('./routes/items');\n\nconst app = express();\napp.use('/items', items);\n\napp.listen(3000);\n";
    let items = "const express = require('express');\nconst app = express();\nconst router = express.Router();\n\nrouter.get('/', (req, res) => {\n  res.json({ name: req.query.filter.name });\n});\n\nmodule.exports = router;\n";
    let project = Project::empty()
        .with("package.json", express_manifest("^4.22.3"))
        .with("server.js", server)
        .with("routes/items.js", items);
    let out = run(project.path(), &["--only", "express5", "--express", "5", "--color", "never"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("+++ b/server.js"), "{}", out.stdout);
    assert_eq!(out.stdout.matches("+app.set('query parser', 'extended');").count(), 1, "{}", out.stdout);
    assert!(!out.stdout.contains("routes/items.js"), "the router module is left alone:\n{}", out.stdout);

    let account = "const express = require('express');\nconst session = require('express-session');\nconst app = express();\nconst router = express.Router();\n\nrouter.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false, cookie: { secure: true } }));\n\nmodule.exports = router;\n";
    let project = Project::empty()
        .with(
            "package.json",
            "{\n  \"name\": \"accounts\",\n  \"private\": true,\n  \"dependencies\": {\n    \"express\": \"^4.22.3\",\n    \"express-session\": \"^1.18.1\"\n  }\n}\n",
        )
        .with("server.js", server.replace("./routes/items", "./routes/account"))
        .with("routes/account.js", account);
    let out = run(project.path(), &["--only", "session-cookie", "--behind-proxy", "1", "--color", "never"]);
    assert!(!out.stdout.contains("trust proxy"), "no trust proxy on the unused app:\n{}", out.stdout);
    assert!(out.stderr.contains("routes/account.js:6:12: warning [session-cookie/trust-proxy]"), "{}", out.stderr);
    assert!(
        out.stderr.contains("set app.set('trust proxy', 1) on the app that serves this module's routes"),
        "{}",
        out.stderr
    );
}

/// Yarn 1 (`tests/e2e/advisories-yarn-stale`, its yarn.lock made by yarn 1.22: express `^4.17.2` locked at 4.17.2,
/// with qs 6.9.6): `--write` without `--lockfile` raises express in package.json and leaves yarn.lock behind it. A
/// second run before `yarn install` reads that the lockfile is stale for express (the project still installs the
/// locked 4.17.2 until Yarn resolves the new range, as npm's lockfile says), so qs still comes with express 4.22.3
/// and the run changes nothing. Before, the lockfile's express, which no range of package.json resolves to any
/// longer, belonged to no project: the raise was forgotten and `"qs": "^6.14.1"` was added to `resolutions`, a pin a
/// refreshed lockfile does not need (found on a real Yarn 1 app, tester round h6).
#[test]
fn yarn_1_second_run_before_the_install_changes_nothing() {
    let project = Project::empty();
    common::copy_dir(&Path::new(REPO).join("tests/e2e/advisories-yarn-stale"), project.path());
    let lock = project.read("yarn.lock");
    let args = ["--only", "express-version,advisories", "--color", "never", "--write", "--allow-no-vcs"];

    let first = run(project.path(), &args);
    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(first.stdout, "wrote package.json (express-version; +1 -1)\n", "{first:?}");
    assert!(project.read("package.json").contains("\"express\": \"^4.22.3\""));
    assert_eq!(project.read("yarn.lock"), lock, "written without --lockfile");
    let after_first = project.tree();

    let second = run(project.path(), &args);
    assert_eq!(second.code, 0, "{second:?}");
    assert!(second.stderr.contains("express-harden: changed no files"), "{}", second.stderr);
    assert_eq!(project.tree(), after_first, "a second run changes nothing");
    assert!(!project.read("package.json").contains("resolutions"));
    assert!(
        second
            .stderr
            .contains("package.json lists express ^4.22.3 (locked at 4.17.2) that the lockfile does not install"),
        "{}",
        second.stderr
    );
    assert!(
        second.stderr.contains(
            "qs@6.9.6 (yarn.lock) is affected by GHSA-6rw7-vpxm-498p (moderate, CVE-2025-15284): qs's arrayLimit"
        ) && second.stderr.contains(
            "express is raised to 4.22.3 by express-version, which depends on qs ~6.16.0: the lockfile update of \
             package.json moves qs inside the new range"
        ),
        "{}",
        second.stderr
    );
    assert!(!second.stderr.contains("`resolutions` forces"), "{}", second.stderr);
}

/// h7 defect 6 (Project-Odin-Book): the secrets helper a first run writes reads its development key from a file
/// whose path it computes. The Content-Security-Policy's analysis read that as a page the app may serve, so that on
/// the second run every front-end script counted and its fetch host was added to connectSrc. The second run changes
/// nothing now.
#[test]
fn the_secrets_helper_a_first_run_wrote_does_not_change_the_policy_on_the_second() {
    let project = Project::empty();
    project.write(
        "package.json",
        "{\n  \"name\": \"feed\",\n  \"private\": true,\n  \"dependencies\": {\n    \"express\": \"^5.2.1\",\n    \
         \"express-session\": \"^1.18.2\"\n  }\n}\n",
    );
    project.write(
        "src/app.js",
        "const express = require(\"express\");\nconst sessionMiddleware = require(\"./config/session\");\n\n\
         const app = express();\napp.use(sessionMiddleware);\napp.get(\"/posts\", (req, res) => res.json([]));\n\n\
         module.exports = app;\n",
    );
    project.write(
        "src/config/session.js",
        "const session = require(\"express-session\");\n\nmodule.exports = session({\n  \
         secret: process.env.SESSION_SECRET || \"supersecret\",\n  resave: false,\n  saveUninitialized: false,\n});\n",
    );
    project
        .write("frontend/index.html", "<!DOCTYPE html>\n<html><body><script src=\"main.js\"></script></body></html>\n");
    project.write(
        "frontend/main.js",
        "const API_URL = \"https://api.example.com\";\n\
         fetch(`${API_URL}/posts`).then((r) => r.json()).then((posts) => {\n  \
         document.body.innerHTML = posts.map((p) => `<button onclick=\"like(${p.id})\">like</button>`).join(\"\");\n});\n",
    );
    project.commit_all();
    let first = run(project.path(), &["--write", "--color", "never"]);
    assert_eq!(first.code, 0, "{first:?}");
    assert!(project.read("src/config/session.js").contains("express-harden.dev-secrets"), "{first:?}");
    let after_first = project.tree();
    let second = run(project.path(), &["--color", "never"]);
    assert_eq!(second.code, 0, "{second:?}");
    assert!(second.stderr.contains("express-harden: would change no files\n"), "{}\n{}", second.stdout, second.stderr);
    assert_eq!(second.stdout, "");
    assert_eq!(project.tree(), after_first);
}
