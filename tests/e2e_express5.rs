//! Express 4 -> 5 end to end: the app under `tests/e2e/express5-app` uses every signature Express 5 removed and the
//! old route syntax. Its answers on Express 4 (status, body, Location) were recorded in `requests.json`. The app is
//! migrated with `--express 5`, installed with Express 5 from the committed lockfile, started, and every request must
//! get the answer Express 4 gave.

mod common;

use common::{copy_app, express_harden, npm_ci, request, start_node};

#[test]
fn an_express4_app_answers_the_same_on_express5_after_the_migration() {
    let (_tmp, app) = copy_app("express5-app");
    let out = express_harden(&app, &["--write", "--express", "5", "--only", "express5,express-version", "server.js"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let manifest = std::fs::read_to_string(app.join("package.json")).expect("read");
    assert!(manifest.contains("\"express\": \"^5.3.0\""), "{manifest}");
    npm_ci(&app);
    let installed = std::fs::read_to_string(app.join("node_modules/express/package.json")).expect("express");
    assert!(installed.contains("\"version\": \"5.3.0\""), "Express 5 is installed");

    let requests: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(app.join("requests.json")).expect("requests.json"))
            .expect("requests.json is JSON");
    let server = start_node(&app, "server.js", &[]);
    let mut mismatches = Vec::new();
    for r in requests.as_array().expect("a list of requests") {
        let method = r["method"].as_str().unwrap_or("GET");
        let path = r["path"].as_str().unwrap_or("/");
        let headers: Vec<(String, String)> = r["headers"]
            .as_object()
            .map(|h| h.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
            .unwrap_or_default();
        let header_refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let response = request(server.port, method, path, &header_refs, r["body"].as_str().unwrap_or(""));
        let expected = &r["express4"];
        let status = expected["status"].as_u64().unwrap_or(0);
        if !response.status.contains(&format!(" {status} ")) {
            mismatches.push(format!("{method} {path}: status {} (Express 4: {status})", response.status));
        }
        let body = expected["body"].as_str().unwrap_or_default();
        if response.body != body {
            mismatches.push(format!("{method} {path}: body {:?} (Express 4: {body:?})", response.body));
        }
        if let Some(location) = expected["location"].as_str() {
            if response.header("location") != Some(location) {
                mismatches.push(format!(
                    "{method} {path}: Location {:?} (Express 4: {location})",
                    response.header("location")
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "answers that changed on Express 5:\n{}", mismatches.join("\n"));
}
