//! The session store's package must install against the project's database driver and run on its Node. For a
//! matrix of driver versions (and Node targets), a small app is fixed with `--write --only session-store`, and npm
//! resolves the dependency tree from the registry (`npm install --package-lock-only --ignore-scripts`): a store
//! whose peer dependency rejects the driver fails with ERESOLVE, and every package of a project that declares its
//! Node must declare an `engines.node` that allows it. A mongoose 5 app is installed for real and its fixed app
//! loaded with Node (no MongoDB server is needed for either).

mod common;

use std::path::Path;
use std::process::Command;

use common::{copy_app, express_harden, npm_install_fresh};
use nodejs_semver::Range;

/// One project: its driver dependency, its engines.node, the code creating its client, and what must be chosen.
struct Case {
    name: &'static str,
    dependency: Option<(&'static str, &'static str)>,
    node: Option<&'static str>,
    client: &'static str,
    expect: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case { name: "redis-2", dependency: Some(("redis", "^2.8.0")), node: None, client: "const redis = require('redis');\nconst client = redis.createClient();\n", expect: &[("connect-redis", "^6.1.3")] },
    Case { name: "redis-3", dependency: Some(("redis", "^3.1.2")), node: None, client: "const { createClient } = require('redis');\nconst client = createClient();\n", expect: &[("connect-redis", "^6.1.3")] },
    Case { name: "redis-4", dependency: Some(("redis", "^4.7.0")), node: None, client: "", expect: &[("connect-redis", "^8.1.0")] },
    Case { name: "redis-5", dependency: Some(("redis", "^5.0.0")), node: None, client: "", expect: &[("connect-redis", "^9.0.0")] },
    Case { name: "ioredis-4", dependency: Some(("ioredis", "^4.28.0")), node: None, client: "const Redis = require('ioredis');\nconst client = new Redis();\n", expect: &[("connect-redis", "^8.1.0")] },
    Case { name: "mongodb-2", dependency: Some(("mongodb", "^2.2.36")), node: None, client: "", expect: &[("connect-mongo", "^2.0.3")] },
    Case { name: "mongodb-3", dependency: Some(("mongodb", "^3.7.0")), node: None, client: "const { MongoClient } = require('mongodb');\nconst client = new MongoClient('mongodb://localhost/shop');\n", expect: &[("connect-mongo", "^3.2.0")] },
    Case { name: "mongodb-4", dependency: Some(("mongodb", "^4.17.0")), node: None, client: "", expect: &[("connect-mongo", "^4.6.0")] },
    Case { name: "mongodb-6", dependency: Some(("mongodb", "^6.0.0")), node: None, client: "", expect: &[("connect-mongo", "^6.0.0")] },
    Case { name: "mongoose-4", dependency: Some(("mongoose", "^4.13.0")), node: None, client: "const mongoose = require('mongoose');\nmongoose.connect('mongodb://localhost/shop');\n", expect: &[("connect-mongo", "^2.0.3")] },
    Case { name: "mongoose-6", dependency: Some(("mongoose", "^6.12.0")), node: None, client: "const mongoose = require('mongoose');\nmongoose.connect('mongodb://localhost/shop');\n", expect: &[("connect-mongo", "^4.6.0")] },
    Case { name: "mongoose-7", dependency: Some(("mongoose", "^7.6.0")), node: None, client: "const mongoose = require('mongoose');\nmongoose.connect('mongodb://localhost/shop');\n", expect: &[("connect-mongo", "^6.0.0")] },
    Case { name: "pg-7", dependency: Some(("pg", "^7.18.0")), node: None, client: "const { Pool } = require('pg');\nconst pool = new Pool();\n", expect: &[("connect-pg-simple", "^10.0.0")] },
    Case { name: "mysql-2", dependency: Some(("mysql", "^2.18.1")), node: None, client: "", expect: &[("express-mysql-session", "^3.0.3")] },
    Case { name: "sequelize-5", dependency: Some(("sequelize", "^5.22.0")), node: None, client: "const { Sequelize } = require('sequelize');\nconst sequelize = new Sequelize('postgres://localhost/shop');\n", expect: &[("connect-session-sequelize", "^6.1.1")] },
    Case { name: "sequelize-6", dependency: Some(("sequelize", "^6.37.0")), node: None, client: "const { Sequelize } = require('sequelize');\nconst sequelize = new Sequelize('postgres://localhost/shop');\n", expect: &[("connect-session-sequelize", "^7.1.7")] },
    Case { name: "knex-0.21", dependency: Some(("knex", "^0.21.0")), node: None, client: "const knex = require('knex')({ client: 'pg' });\n", expect: &[("connect-session-knex", "^5.0.0")] },
    Case { name: "node-8", dependency: None, node: Some(">=8"), client: "", expect: &[("connect-redis", "^3.4.2"), ("redis", "^2.8.0")] },
    Case { name: "node-4", dependency: None, node: Some("4.x"), client: "", expect: &[("connect-redis", "~3.3.3"), ("redis", "^2.8.0")] },
    Case { name: "node-14", dependency: None, node: Some(">=14"), client: "", expect: &[("connect-redis", "^6.1.3"), ("redis", "^3.1.2")] },
    Case { name: "node-16", dependency: None, node: Some(">=16"), client: "", expect: &[("connect-redis", "^7.1.1"), ("redis", "^4.7.1")] },
    // node-redis 4 on Node 14: connect-redis 6, which takes it in legacy mode (issue 14).
    Case { name: "node-14-redis-4", dependency: Some(("redis", "^4.7.0")), node: Some(">=14"), client: "", expect: &[("connect-redis", "^6.1.3")] },
    Case { name: "node-18", dependency: None, node: Some(">=18"), client: "", expect: &[("connect-redis", "^8.1.0"), ("redis", "^4.7.1")] },
];

/// Writes the case's app in `dir`.
fn write_case(dir: &Path, case: &Case) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let mut manifest = serde_json::json!({
        "name": format!("store-{}", case.name),
        "version": "1.0.0",
        "private": true,
        "dependencies": { "express": "^4.22.3", "express-session": "^1.18.1" },
    });
    if let Some((package, spec)) = case.dependency {
        manifest["dependencies"][package] = spec.into();
    }
    if let Some(node) = case.node {
        manifest["engines"] = serde_json::json!({ "node": node });
    }
    std::fs::write(dir.join("package.json"), serde_json::to_string_pretty(&manifest).expect("json")).expect("write");
    let app = format!(
        "const express = require('express');\nconst session = require('express-session');\n{}\nconst app = express();\n\
         app.use(session({{ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }}));\n\n\
         module.exports = app;\n",
        case.client
    );
    std::fs::write(dir.join("app.js"), app).expect("write");
}

/// Writes the case under `root`, fixes it (with `flags` too) and returns its folder and the package.json written.
fn fix(root: &Path, case: &Case, flags: &[&str]) -> Result<(std::path::PathBuf, serde_json::Value), String> {
    let dir = root.join(case.name);
    write_case(&dir, case);
    let args: Vec<&str> = flags
        .iter()
        .copied()
        .chain(["--write", "--allow-no-vcs", "--only", "session-store", "--color", "never", "app.js"])
        .collect();
    let out = express_harden(&dir, &args);
    if out.status.code() != Some(0) {
        return Err(format!("express-harden failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let manifest =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).expect("read")).expect("json");
    Ok((dir, manifest))
}

/// `npm install --package-lock-only --ignore-scripts` in `dir`: the tree npm resolves from the registry.
fn resolve(dir: &Path) -> Result<(), String> {
    let npm = Command::new("npm")
        .args(["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)");
    if npm.status.success() {
        Ok(())
    } else {
        Err(format!("npm could not resolve the tree:\n{}", String::from_utf8_lossy(&npm.stderr)))
    }
}

/// Fixes the case and resolves its tree; returns what went wrong, if anything.
fn check(root: &Path, case: &Case) -> Result<(), String> {
    let (dir, manifest) = fix(root, case, &[])?;
    for (package, spec) in case.expect {
        let written = manifest["dependencies"][package].as_str().unwrap_or("(missing)");
        if written != *spec {
            return Err(format!("{package} {written}, expected {spec}"));
        }
    }
    resolve(&dir)?;
    let Some(node) = case.node else { return Ok(()) };
    // Every package of the tree runs on the project's Node.
    let target = Range::parse(node).expect("range");
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package-lock.json")).expect("read")).expect("json");
    let mut wrong = Vec::new();
    for (path, entry) in lock["packages"].as_object().expect("packages") {
        if let Some(needs) = entry["engines"]["node"].as_str() {
            if Range::parse(needs).is_ok_and(|needs| !needs.allows_all(&target)) {
                wrong.push(format!("{path} {} needs node {needs}", entry["version"]));
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("packages that do not run on node {node}: {}", wrong.join(", ")))
    }
}

#[test]
fn every_chosen_store_resolves_against_the_driver_and_runs_on_the_node() {
    let tmp = tempfile::Builder::new().prefix("express-harden-e2e-").tempdir().expect("tempdir");
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = CASES
            .chunks(CASES.len().div_ceil(4))
            .map(|chunk| {
                let root = tmp.path();
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|case| check(root, case).err().map(|e| format!("{}: {e}", case.name)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("thread")).collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_mongoose_5_app_gets_a_store_that_installs_and_loads() {
    let (_tmp, app) = copy_app("mongoose5-app");
    let out =
        express_harden(&app, &["--write", "--allow-no-vcs", "--only", "session-store", "--color", "never", "app.js"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"connect-mongo\": \"^3.2.0\","), "{manifest}");
    let fixed = std::fs::read_to_string(app.join("app.js")).expect("read");
    assert!(fixed.contains("const MongoStore = require('connect-mongo')(session);"), "{fixed}");
    assert!(fixed.contains("store: new MongoStore({ mongooseConnection: mongoose.connection }),"), "{fixed}");

    // A real install from the registry (fails on ERESOLVE), then the fixed app is loaded: the store is built from
    // mongoose's connection (connect-mongo 3 waits for it to open; no MongoDB is needed to load the app).
    npm_install_fresh(&app);
    let load = Command::new("node")
        .args(["-e", "require('./app.js'); console.log('loaded'); process.exit(0);"])
        .env("MONGODB_URI", "mongodb://127.0.0.1:9/shop")
        .current_dir(&app)
        .output()
        .expect("node");
    let stdout = String::from_utf8_lossy(&load.stdout);
    assert!(load.status.success() && stdout.contains("loaded"), "{stdout}{}", String::from_utf8_lossy(&load.stderr));
}

/// `--latest` reads each major of the table from the registry (its newest release, engines and peer dependencies)
/// instead of the bundled values; the choice follows the same rules, and what it picks resolves with npm.
#[test]
fn latest_reads_the_table_from_the_registry() {
    let tmp = tempfile::Builder::new().prefix("express-harden-e2e-").tempdir().expect("tempdir");
    let case = Case {
        name: "latest-mongodb-4",
        dependency: Some(("mongodb", "^4.17.0")),
        node: None,
        client: "",
        expect: &[],
    };
    let (_, manifest) = fix(tmp.path(), &case, &["--latest"]).expect("fixed");
    // connect-mongo 4.6.0 is the last 4.x: the one whose peer takes mongodb 4.
    assert_eq!(manifest["dependencies"]["connect-mongo"], "^4.6.0", "{manifest}");

    let plain = Case { name: "latest-default", dependency: None, node: None, client: "", expect: &[] };
    let (dir, manifest) = fix(tmp.path(), &plain, &["--latest"]).expect("fixed");
    let store = manifest["dependencies"]["connect-redis"].as_str().unwrap_or_default();
    let client = manifest["dependencies"]["redis"].as_str().unwrap_or_default();
    // On the default Node 20: connect-redis 10 needs 22, so the newest 9.x, with the newest redis that runs on 20.
    assert!(store.starts_with("^9.") && client.starts_with('^'), "{manifest}");
    resolve(&dir).expect("resolves");
}
