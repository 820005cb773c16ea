//! The early-error cases of `tests/early-errors/cases.txt` (the unit tests of `src/early_errors.rs` check the tool's
//! verdict on each) get the same verdict from Node: every case is written to a file and checked with `node --check`.

use std::path::Path;
use std::process::Command;

use express_harden::early_errors::{check, EarlyErrorKind, Mode};
use express_harden::parse::parse;
use express_harden::source::SourceFile;

#[test]
fn node_gives_every_case_the_expected_verdict() {
    let cases = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/early-errors/cases.txt"))
        .expect("cases.txt");
    let tmp = tempfile::tempdir().expect("tempdir");
    // `.js` files are CommonJS here whatever lies above the temporary folder.
    std::fs::write(tmp.path().join("package.json"), "{ \"type\": \"commonjs\" }\n").expect("package.json");
    let mut expected = Vec::new();
    for case in cases.split("\n--- ").skip(1) {
        let (head, code) = case.split_once('\n').unwrap_or((case, ""));
        let (name, verdict) = head.split_once(' ').unwrap_or((head, "ok"));
        let path = tmp.path().join(name);
        assert!(!path.exists(), "two cases are named {name}");
        std::fs::write(&path, code).expect("write case");
        expected.push((path, name.to_string(), verdict.to_string(), code.to_string()));
    }
    assert!(expected.len() > 60, "only {} cases", expected.len());
    let list = tmp.path().join("list.txt");
    let paths: Vec<String> = expected.iter().map(|(p, ..)| p.display().to_string()).collect();
    std::fs::write(&list, paths.join("\n")).expect("list");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node-check/check.js");
    let out = Command::new("node")
        .args(["--experimental-vm-modules", "--no-warnings"])
        .arg(&script)
        .arg(&list)
        .arg("--exact")
        .output()
        .expect("node must be installed (Node 20 or later)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let verdicts: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(verdicts.len(), expected.len());
    let mut wrong = Vec::new();
    for ((path, name, verdict, code), node) in expected.iter().zip(&verdicts) {
        assert_eq!(node["file"].as_str(), Some(path.display().to_string().as_str()));
        let accepted = node["ok"].as_bool() == Some(true);
        let message = node["message"].as_str().unwrap_or("");
        let agrees = match verdict.split_once(' ') {
            None => accepted,
            Some(("error", id)) => message.contains(&format!("Identifier '{id}' has already been declared")),
            Some(("export", id)) => message.contains(&format!("Duplicate export of '{id}'")),
            Some(_) => false,
        };
        if !agrees {
            wrong.push(format!(
                "{name}: expected {verdict}, node says {}\n{code}",
                if accepted { "ok" } else { message }
            ));
        }
        // And the tool's own verdict, read through the public interface the pipeline uses.
        let file = SourceFile::new(path.clone(), code.clone());
        let parsed = parse(&file, &file.code).expect("the case parses");
        let mode = Mode { module: name.ends_with(".mjs"), typescript: false };
        let first = check(&parsed.program, mode).into_iter().next().map(|e| match e.kind {
            EarlyErrorKind::Redeclared => format!("error {}", e.name),
            EarlyErrorKind::DuplicateExport => format!("export {}", e.name),
        });
        if first.as_deref().unwrap_or("ok") != verdict {
            wrong.push(format!("{name}: expected {verdict}, the tool says {first:?}"));
        }
    }
    assert!(wrong.is_empty(), "verdicts that differ:\n{}", wrong.join("\n"));
}
