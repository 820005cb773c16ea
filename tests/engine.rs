//! The engine's promises with a transform written for the test: one file (or manifest) a transform fails on never
//! costs the run, and the engine attributes what a transform plans.

use std::path::PathBuf;

use express_harden::edit::Edit;
use express_harden::outcome::ErrorKind;
use express_harden::pipeline::run_with;
use express_harden::transform::{
    FileContext, FilePlan, ManifestContext, ManifestPlan, Options, Transform, TransformInfo, Watch,
};

/// Inserts a comment at the top of every file that mentions `marker`, and panics on a file named `boom.js` (or, with
/// `manifest_panics`, on every manifest).
struct Probe {
    info: TransformInfo,
    manifest_panics: bool,
}

impl Probe {
    fn new(manifest_panics: bool) -> Probe {
        Probe {
            info: TransformInfo {
                id: "probe",
                title: "probe".into(),
                rationale: String::new(),
                docs: String::new(),
                upstream: String::new(),
                findings: [("seen".to_string(), "A file the probe saw.".to_string())].into(),
                severities: [("seen".to_string(), express_harden::transform::Severity::Info)].into(),
                blocking: Default::default(),
            },
            manifest_panics,
        }
    }
}

impl Transform for Probe {
    fn info(&self) -> &TransformInfo {
        &self.info
    }

    fn watch(&self) -> &'static [Watch] {
        &[Watch::Text("marker")]
    }

    fn plan(&self, cx: &FileContext<'_>, plan: &mut FilePlan) {
        if cx.file.path.ends_with("boom.js") {
            panic!("the probe fails on boom.js");
        }
        plan.edits.push(Edit::insert(0, "// probed\n"));
        plan.findings.push(cx.finding("seen", 0, "seen".to_string()));
    }

    fn plan_manifest(&self, _cx: &ManifestContext<'_>, _plan: &mut ManifestPlan) {
        if self.manifest_panics {
            panic!("the probe fails on manifests");
        }
    }
}

fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("app");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    (tmp, dir)
}

#[test]
fn a_transform_failing_on_one_file_costs_only_that_file() {
    let (_tmp, dir) =
        project(&[("package.json", "{}\n"), ("boom.js", "const marker = 1;\n"), ("ok.js", "const marker = 2;\n")]);
    let transforms: Vec<Box<dyn Transform>> = vec![Box::new(Probe::new(false))];
    let result = run_with(std::slice::from_ref(&dir), &transforms, &Options::default());

    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    assert!(result.errors[0].path.ends_with("boom.js"));
    assert_eq!(result.errors[0].kind, ErrorKind::Internal);
    assert!(result.errors[0].message.contains("a bug: please report it"), "{}", result.errors[0].message);
    let changed: Vec<&PathBuf> = result.changes.iter().map(|c| &c.path).collect();
    assert!(changed.len() == 1 && changed[0].ends_with("ok.js"), "{changed:?}");
    // The engine attributed the edit and the finding to the transform that planned them.
    assert!(result.changes[0].edits.iter().all(|e| e.transform == "probe"));
    assert_eq!(result.findings.len(), 1);
    assert_eq!((result.findings[0].rule.as_str(), result.findings[0].transform), ("probe/seen", "probe"));
}

#[test]
fn a_transform_failing_on_a_manifest_costs_only_that_manifest() {
    let (_tmp, dir) = project(&[("package.json", "{}\n"), ("ok.js", "const marker = 2;\n")]);
    let transforms: Vec<Box<dyn Transform>> = vec![Box::new(Probe::new(true))];
    let result = run_with(std::slice::from_ref(&dir), &transforms, &Options::default());

    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    assert!(result.errors[0].path.ends_with("package.json"));
    assert_eq!(result.errors[0].kind, ErrorKind::Internal);
    assert!(result.changes.iter().any(|c| c.path.ends_with("ok.js")), "the source file is still planned");
}
