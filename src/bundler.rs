//! What a project's bundler config chooses for the Content-Security-Policy: which of Vue's builds it builds into the
//! pages. A bundler resolves `vue` through the package's `module` field to its runtime-only build (Vue 2.7:
//! `dist/vue.runtime.esm.js`; Vue 3: `dist/vue.runtime.esm-bundler.js`), which needs nothing; an alias to a full build
//! (`vue/dist/vue.esm.js`, `vue/dist/vue.esm-bundler.js`: the builds without `runtime` in their names, each holding
//! the template compiler, which turns in-DOM templates into render functions with `new Function`) or Vue CLI's
//! `runtimeCompiler: true` (which sets that alias) needs `'unsafe-eval'`.

use std::path::{Component, Path, PathBuf};

use swc_ecma_ast::{CallExpr, Callee, Expr, ImportDecl, Lit, MemberProp, ObjectLit, Prop, PropName, PropOrSpread};
use swc_ecma_visit::{Visit, VisitWith};

use crate::source::SourceFile;
use crate::views::{BuildHandler, Evaluation, UnreadBuild, ViewScan};

/// The config files of the bundlers that choose a build of `vue` (webpack, Vite, Vue CLI), in a project's folder.
const CONFIGS: [&str; 14] = [
    "webpack.config.js",
    "webpack.config.cjs",
    "webpack.config.mjs",
    "webpack.config.ts",
    "vite.config.js",
    "vite.config.cjs",
    "vite.config.mjs",
    "vite.config.ts",
    "vite.config.mts",
    "vite.config.cts",
    "vue.config.js",
    "vue.config.cjs",
    "vue.config.mjs",
    "vue.config.ts",
];

/// Settles the `vue` that `scan` ([`crate::views::package_scan`] of the project whose package.json is `manifest`, with
/// the text `manifest_text`) is unsure of, from the bundler configs beside it and those its scripts name
/// ([`named_configs`]): when one chooses the full build, the finding gives way to an evaluation at the config's line
/// (returned with the config's path, as a scan of its own); when every config there is read, none chooses it nor is
/// undecided, and one aliases `vue` to a runtime-only build, to nothing. Otherwise (no config, one that cannot be read
/// or parsed, or configs that say nothing of `vue`) `scan` stays unsure.
///
/// `imported`: a source of the project that imports one of the full builds itself (`import Vue from
/// 'vue/dist/vue.esm.js'`), with the 1-based line: the bundler builds in the file named, whatever its alias of `vue`
/// says, so that import settles it first.
pub fn settle_vue(
    scan: &mut ViewScan,
    manifest: &Path,
    manifest_text: &str,
    root: Option<&Path>,
    imported: Option<(&Path, usize)>,
) -> Option<(PathBuf, ViewScan)> {
    if !scan.unsure.iter().any(|(_, package)| *package == "vue") {
        return None;
    }
    if let Some((path, line)) = imported {
        scan.unsure.retain(|(_, package)| *package != "vue");
        let what = "Vue's full build with its template compiler, imported by the source itself";
        return Some((path.to_path_buf(), ViewScan { evals: vec![Evaluation { line, what }], ..ViewScan::default() }));
    }
    let dir = manifest.parent()?;
    let mut chose_runtime = false;
    let named = named_configs(manifest_text);
    for name in CONFIGS.iter().copied().chain(named.iter().map(String::as_str)) {
        let path = dir.join(name);
        let text = match crate::fsread::read_text(&path, crate::fsread::TEXT_LIMIT, root) {
            Ok(text) => text,
            Err(crate::fsread::ReadError::Missing) => continue,
            Err(_) => return None,
        };
        let file = SourceFile::new(path.clone(), text);
        let Ok(parsed) = crate::parse::parse(&file, &file.code) else { return None };
        let mut choice = Choice::default();
        parsed.program.visit_with(&mut choice);
        match choice {
            Choice { full: Some((at, what)), .. } => {
                scan.unsure.retain(|(_, package)| *package != "vue");
                let line = file.line(at);
                let evals = vec![Evaluation { line, what }];
                return Some((path, ViewScan { evals, ..ViewScan::default() }));
            }
            Choice { undecided: true, .. } => return None,
            Choice { runtime, .. } => chose_runtime |= runtime,
        }
    }
    // (Only a config that names the runtime build settles it: the full build may also be chosen where no config
    // says it, by the source's own `import Vue from 'vue/dist/vue.esm.js'`, or in an alias form not read here.)
    if chose_runtime {
        scan.unsure.retain(|(_, package)| *package != "vue");
    }
    None
}

/// The configs the scripts of package.json (`manifest_text`) give Vite or webpack (`vite build --config
/// ./config/vite.config.js`, `webpack -c build/webpack.prod.js`, `--config=...`), relative to the project's folder and
/// inside it (no absolute path, no `..`).
fn named_configs(manifest_text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for command in script_commands(manifest_text) {
        let words: Vec<&str> = command.split_whitespace().collect();
        let Some(tool) = words.iter().position(|w| matches!(*w, "vite" | "webpack" | "webpack-cli")) else {
            continue;
        };
        let rest = &words[tool + 1..];
        let paths = rest.iter().enumerate().filter_map(|(i, w)| match *w {
            "--config" | "-c" => rest.get(i + 1).copied(),
            _ => w.strip_prefix("--config="),
        });
        for path in paths.map(|p| p.trim_matches(['"', '\''])) {
            let inside = !path.is_empty()
                && Path::new(path).components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
            if inside && !out.iter().any(|p: &String| p == path) {
                out.push(path.to_string());
            }
        }
    }
    out
}

/// What one config chooses: the full build (where, and how), or an alias of `vue` whose target is not a literal.
#[derive(Default)]
struct Choice {
    full: Option<(usize, &'static str)>,
    undecided: bool,
    /// An alias of `vue` to a runtime-only build (`vue/dist/vue.runtime.esm.js`).
    runtime: bool,
}

impl Choice {
    /// The alias target `value` (a string, or a call given one: `path.resolve(__dirname, 'node_modules/vue/dist/
    /// vue.esm.js')`, `require.resolve('vue/dist/vue.js')`).
    fn target(&mut self, value: &Expr) {
        let strings: Vec<&str> = match value {
            Expr::Call(call) => call.args.iter().filter_map(|a| literal(&a.expr)).collect(),
            _ => literal(value).into_iter().collect(),
        };
        let file = strings.iter().find_map(|s| vue_dist_file(s));
        match file {
            Some(file) if is_full_build(&file) => {
                let at = crate::parse::range_of(value).start;
                self.full
                    .get_or_insert((at, "Vue's full build with its template compiler, chosen by the bundler's alias"));
            }
            Some(file) if file.contains("runtime") => self.runtime = true,
            Some(_) => {}
            None => self.undecided = true,
        }
    }
}

/// The file of `vue/dist/` a module specifier or path names (`vue/dist/vue.esm.js`: `vue.esm.js`), if it names one.
fn vue_dist_file(spec: &str) -> Option<String> {
    spec.replace('\\', "/").rsplit_once("vue/dist/").map(|(_, f)| f.to_string())
}

/// Whether `file` of `vue/dist/` is one of Vue's full builds, which hold the template compiler: `vue.js`,
/// `vue.esm.js`, `vue.esm-bundler.js`, ...; `vue/dist/vue`, without its extension, is `vue.js` to webpack's resolver.
fn is_full_build(file: &str) -> bool {
    (file == "vue" || file.starts_with("vue.")) && !file.contains("runtime")
}

/// The 1-based line of source `text` that imports one of Vue's full builds by its path (`import Vue from
/// 'vue/dist/vue.esm.js'`, `require('vue/dist/vue.js')`): such a specifier after `from`, `import` or `require(`. The search is textual, as
/// the file is read only for this (most front-end sources are never analysed).
#[must_use]
pub fn full_vue_import(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    memchr::memmem::find_iter(b, b"vue/dist/").find_map(|at| {
        let quote = *b.get(at.checked_sub(1)?)?;
        // (The quote first: the byte before may end a character of several, where the text cannot be cut.)
        if !matches!(quote, b'\'' | b'"' | b'`') {
            return None;
        }
        // (A config's alias target, `vue$: 'vue/dist/vue.esm.js'`, is no import.)
        let before = text[..at - 1].trim_end();
        if !["from", "import", "require(", "import("].iter().any(|w| before.ends_with(w)) {
            return None;
        }
        let end = at + b[at..].iter().position(|c| *c == quote || *c == b'\n')?;
        let file = vue_dist_file(&text[at..end])?;
        (b[end] == quote && is_full_build(&file)).then(|| crate::lines::line_col(text, at).0)
    })
}

/// What a config reads from elsewhere or builds in code, where the alias may be set out of sight: another file of
/// the project (`require('./webpack.common')`, `import base from './vite.base'`: webpack's guide splits its configs
/// so and joins them with `merge(common, {...})`), or Vue CLI's `chainWebpack` (`config.resolve.alias.set('vue$',
/// ...)`, read when it is written so). A config that does either is undecided unless it chooses the full build itself.
impl Visit for Choice {
    fn visit_import_decl(&mut self, import: &ImportDecl) {
        if import.src.value.as_str().is_some_and(|s| s.starts_with('.')) {
            self.undecided = true;
        }
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        let first = call.args.first().and_then(|a| literal(&a.expr));
        if let Callee::Expr(callee) = &call.callee {
            match &**callee {
                Expr::Ident(i) if i.sym == *"require" && first.is_some_and(|s| s.starts_with('.')) => {
                    self.undecided = true
                }
                Expr::Member(m) => {
                    let method = |name: &str| matches!(&m.prop, MemberProp::Ident(p) if p.sym == *name);
                    let on_alias = matches!(&*m.obj, Expr::Member(o) if matches!(&o.prop, MemberProp::Ident(p) if p.sym == *"alias"));
                    if method("set") && on_alias && matches!(first, Some("vue" | "vue$")) {
                        if let Some(target) = call.args.get(1) {
                            self.target(&target.expr);
                        }
                    }
                }
                _ => {}
            }
        }
        // (`import('./vite.base.js')`.)
        if matches!(call.callee, Callee::Import(_)) && first.is_some_and(|s| s.starts_with('.')) {
            self.undecided = true;
        }
        call.visit_children_with(self);
    }

    fn visit_object_lit(&mut self, object: &ObjectLit) {
        let props: Vec<(&str, &Expr)> = object
            .props
            .iter()
            .filter_map(|p| match p {
                PropOrSpread::Prop(prop) => match &**prop {
                    Prop::KeyValue(kv) => Some((key(&kv.key)?, &*kv.value)),
                    _ => None,
                },
                PropOrSpread::Spread(_) => None,
            })
            .collect();
        let find = |name: &str| props.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        for (name, value) in &props {
            match *name {
                "vue" | "vue$" => self.target(value),
                "runtimeCompiler" => match value {
                    Expr::Lit(Lit::Bool(b)) if b.value => {
                        let at = crate::parse::range_of(*value).start;
                        self.full.get_or_insert((
                            at,
                            "Vue's full build with its template compiler, chosen by runtimeCompiler: true",
                        ));
                    }
                    Expr::Lit(Lit::Bool(_)) => {}
                    _ => self.undecided = true,
                },
                "chainWebpack" => self.undecided = true,
                _ => {}
            }
        }
        // (Vite's and Rollup's array form: `{ find: 'vue', replacement: 'vue/dist/vue.esm-bundler.js' }`.)
        let finds_vue = find("find").is_some_and(|f| match f {
            Expr::Lit(Lit::Regex(re)) => re.exp.trim_start_matches('^').trim_end_matches('$') == "vue",
            other => literal(other) == Some("vue"),
        });
        if let Some(replacement) = find("replacement").filter(|_| finds_vue) {
            self.target(replacement);
        }
        object.visit_children_with(self);
    }
}

/// A property's name when it is written as one (`vue`, `'vue$'`).
fn key(name: &PropName) -> Option<&str> {
    match name {
        PropName::Ident(i) => Some(&i.sym),
        PropName::Str(s) => s.value.as_str(),
        _ => None,
    }
}

/// The text of a string literal, or of a template literal without expressions.
fn literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Lit(Lit::Str(s)) => s.value.as_str(),
        Expr::Tpl(t) if t.exprs.is_empty() => t.quasis.first().and_then(|q| q.cooked.as_ref()?.as_str()),
        Expr::Paren(p) => literal(&p.expr),
        Expr::TsAs(e) => literal(&e.expr),
        Expr::TsSatisfies(e) => literal(&e.expr),
        Expr::TsConstAssertion(e) => literal(&e.expr),
        _ => None,
    }
}

/// Packages that build a front end's pages into a folder the server then serves (`client/build`, `dist`). What the
/// pages they write carry of their own is decided per builder ([`front_end_build`]): react-scripts' inline runtime,
/// Angular CLI's inline `onload` handler.
const FRONT_END_BUILDERS: [&str; 11] = [
    "react-scripts",
    "vite",
    "@vue/cli-service",
    "@angular/cli",
    "@angular/build",
    "@angular-devkit/build-angular",
    "parcel",
    "webpack",
    "rollup",
    "esbuild",
    "@sveltejs/kit",
];

/// The packages of Angular CLI's builders (`ng build`): the CLI, and the packages holding its application and browser
/// builders (`@angular/build:application`, `@angular-devkit/build-angular:browser`).
const ANGULAR_BUILDERS: [&str; 3] = ["@angular/cli", "@angular/build", "@angular-devkit/build-angular"];

/// The last react-scripts major whose production build inlines webpack's runtime chunk into index.html (unless
/// INLINE_RUNTIME_CHUNK=false): 4.0.3's `config/webpack.config.js` sets `optimization.runtimeChunk`, which its
/// `InlineChunkHtmlPlugin([/runtime-.+[.]js/])` then inlines; 5.0.0 and 5.0.1 set no `runtimeChunk`, so the plugin
/// matches nothing and index.html has no inline script (checked in both packages' sources).
const LAST_REACT_SCRIPTS_INLINING_RUNTIME: u64 = 4;

/// The first Angular CLI major that inlines critical CSS by default (`optimization.styles.inlineCritical`, default
/// true from 12: angular/angular-cli `aa3ea88`, "enable inlineCritical by default").
const FIRST_ANGULAR_INLINING_CRITICAL_CSS: u64 = 12;

/// Where a front end keeps the page its build copies into the output (Create React App's `public/index.html`, Vite's
/// `index.html`, html-webpack-plugin's usual `src/index.html`), relative to its folder.
const PAGE_TEMPLATES: [&str; 3] = ["public/index.html", "index.html", "src/index.html"];

/// What the pages of the build output `served` (a folder the app serves, below `project`, that the checkout does not
/// hold) need, from the front end that builds them: the nearest package.json from `served` up to `project` that
/// lists a builder ([`FRONT_END_BUILDERS`]). Its scan (at its path) says the build is unread and what the builder
/// writes into the pages of its own (react-scripts 4 and older: an inline script; Angular CLI: an inline handler, see
/// [`angular_handler`]); each page template it has is scanned as one of the pages (the build copies its inline
/// scripts, event handlers and hosts). `None` when no such front end is found.
pub fn front_end_build(served: &Path, project: &Path, root: Option<&Path>) -> Option<Vec<(PathBuf, ViewScan)>> {
    let manifest = served
        .ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(project))
        .map(|dir| dir.join("package.json"))
        .find(|m| m.is_file())?;
    let text = crate::fsread::read_text(&manifest, crate::fsread::TEXT_LIMIT, root).ok()?;
    let info = crate::manifest::ManifestInfo::parse(&text).ok()?;
    let builder = FRONT_END_BUILDERS.iter().copied().find(|package| !info.dependency_all(package).is_empty())?;
    let dir = manifest.parent()?;
    let line = crate::views::manifest_line(&text, builder);
    let majors = |packages: &[&str]| {
        let locked = crate::lockfile::npm_locked_versions(dir, root, packages.iter().copied());
        packages
            .iter()
            .filter_map(|p| match locked.get(*p) {
                Some(version) => crate::npm_spec::start_major(version),
                None => info.dependency_all(p).iter().find_map(|(_, spec)| crate::npm_spec::start_major(spec)),
            })
            .max()
    };
    // (A version that cannot be read, `latest` or a git URL, keeps the allowance: looser, never broken.)
    let inline_runtime = builder == "react-scripts"
        && majors(&["react-scripts"]).is_none_or(|m| m <= LAST_REACT_SCRIPTS_INLINING_RUNTIME);
    let inline_handler = if ANGULAR_BUILDERS.contains(&builder) {
        let at = format!("{}:{line}", crate::discover::display_path(&manifest));
        majors(&ANGULAR_BUILDERS)
            .is_none_or(|m| m >= FIRST_ANGULAR_INLINING_CRITICAL_CSS)
            .then(|| angular_handler(dir, served, &text, root, at))
            .flatten()
    } else {
        None
    };
    let unread_build = Some(UnreadBuild {
        line,
        builder,
        served: crate::discover::display_path(served),
        inline_runtime,
        inline_handler,
    });
    let mut out = vec![(manifest.clone(), ViewScan { unread_build, ..ViewScan::default() })];
    for template in PAGE_TEMPLATES.map(|t| dir.join(t)) {
        if let Ok(page) = crate::fsread::read(&template, crate::fsread::SOURCE_LIMIT, root) {
            let scan = crate::views::scan_view(&template, &String::from_utf8_lossy(&page));
            out.push((template, scan));
        }
    }
    Some(out)
}

/// What Angular CLI's inline handler is, and how to stop it, for the finding.
const ANGULAR_INLINE_CRITICAL: &str = "Angular CLI's critical CSS inlining (on by default in optimized builds) loads \
     each page's stylesheet with <link media=\"print\" onload=\"this.media='all'\">; set optimization: { styles: { \
     inlineCritical: false } }";

/// Whether `ng build` of the Angular workspace in `dir` (the front end whose package.json text is `manifest_text`)
/// writes an inline `onload` handler into the pages it builds into `served`: Angular CLI inlines critical CSS when
/// optimizing styles (Beasties, formerly Critters: the page's stylesheet link gets `media="print"
/// onload="this.media='all'"`, which helmet's `script-src-attr 'none'` blocks, so the page stays unstyled). The
/// option is `optimization` of the build target, default `true`; `false`, `{ styles: false }` or `{ styles: {
/// inlineCritical: false } }` turn it off. A build uses the target's `options` overridden, option by option, by each
/// configuration it names (Architect's `getOptionsForTarget`): the `defaultConfiguration` for a bare `ng build`, and
/// those the scripts name (`ng build -c production`, `--configuration=staging`, `--prod`). The build targets whose
/// `outputPath` holds `served` are read (every one when none does). Returns the handler, at the line of the setting
/// that decides it (else of the configuration or the target), when some build inlines; also when angular.json cannot
/// be read (at `fallback`: the builder's line of package.json), since the default inlines.
fn angular_handler(
    dir: &Path,
    served: &Path,
    manifest_text: &str,
    root: Option<&Path>,
    fallback: String,
) -> Option<BuildHandler> {
    use jsonc_parser::ast::Value;
    let handler = |config: String| BuildHandler { config, what: ANGULAR_INLINE_CRITICAL };
    let path = dir.join("angular.json");
    let Ok(text) = crate::fsread::read_text(&path, crate::fsread::TEXT_LIMIT, root) else {
        return Some(handler(fallback));
    };
    let parsed = jsonc_parser::parse_to_ast(
        &text,
        &jsonc_parser::CollectOptions::default(),
        &jsonc_parser::ParseOptions::default(),
    );
    let Some(Value::Object(workspace)) = parsed.ok().and_then(|p| p.value) else { return Some(handler(fallback)) };
    let at =
        |offset: usize| format!("{}:{}", crate::discover::display_path(&path), crate::lines::line_col(&text, offset).0);
    let named = ng_build_configurations(manifest_text);
    let mut targets = Vec::new();
    if let Some(Value::Object(projects)) = json_prop(&workspace, "projects") {
        for project in &projects.properties {
            let Value::Object(project) = &project.value else { continue };
            let architect = json_prop(project, "architect").or_else(|| json_prop(project, "targets"));
            let Some(Value::Object(architect)) = architect else { continue };
            if let Some(Value::Object(build)) = json_prop(architect, "build") {
                targets.push(build);
            }
        }
    }
    if targets.is_empty() {
        return Some(handler(at(workspace.range.start)));
    }
    let holds_served = |build: &jsonc_parser::ast::Object<'_>| {
        let options = match json_prop(build, "options") {
            Some(Value::Object(options)) => options,
            _ => return false,
        };
        let output = match json_prop(options, "outputPath") {
            Some(Value::StringLit(s)) => Some(s.value.as_ref()),
            Some(Value::Object(o)) => match json_prop(o, "base") {
                Some(Value::StringLit(s)) => Some(s.value.as_ref()),
                _ => None,
            },
            _ => None,
        };
        output.is_some_and(|o| served.starts_with(dir.join(o)))
    };
    let serving: Vec<_> = targets.iter().copied().filter(|b| holds_served(b)).collect();
    let read = if serving.is_empty() { targets } else { serving };
    for build in read {
        let options = match json_prop(build, "options") {
            Some(Value::Object(options)) => Some(options),
            _ => None,
        };
        let configurations = match json_prop(build, "configurations") {
            Some(Value::Object(c)) => Some(c),
            _ => None,
        };
        let default = match json_prop(build, "defaultConfiguration") {
            Some(Value::StringLit(s)) => s.value.to_string(),
            _ => String::new(),
        };
        // (Each build: the configurations it applies, in order.)
        let builds = std::iter::once(default).chain(named.iter().cloned());
        for names in builds {
            let mut decided = options.and_then(|o| json_prop(o, "optimization"));
            let mut place = build.range.start;
            for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let Some(Value::Object(configuration)) = configurations.and_then(|c| json_prop(c, name)) else {
                    continue;
                };
                place = configuration.range.start;
                if let Some(value) = json_prop(configuration, "optimization") {
                    decided = Some(value);
                }
            }
            if inlines_critical_css(decided) {
                return Some(handler(at(decided.map_or(place, jsonc_parser::common::Ranged::start))));
            }
        }
    }
    None
}

/// Whether Angular CLI's `optimization` option `value` (absent: its default, `true`) inlines critical CSS, as its
/// `normalizeOptimization` reads it: a boolean applies to styles, so to inlining; an object's `styles` as a boolean
/// too, or as an object whose `inlineCritical` (default `true`) decides. A value of another shape counts as inlining.
fn inlines_critical_css(value: Option<&jsonc_parser::ast::Value<'_>>) -> bool {
    use jsonc_parser::ast::Value;
    match value {
        Some(Value::BooleanLit(b)) => b.value,
        Some(Value::Object(optimization)) => match json_prop(optimization, "styles") {
            Some(Value::BooleanLit(b)) => b.value,
            Some(Value::Object(styles)) => {
                !matches!(json_prop(styles, "inlineCritical"), Some(Value::BooleanLit(b)) if !b.value)
            }
            _ => true,
        },
        _ => true,
    }
}

/// The configurations the scripts of package.json (`manifest_text`) give `ng build` (`ng build -c production`,
/// `--configuration=staging,fr`, `--prod`: production), each as written (a comma-separated list is one build).
fn ng_build_configurations(manifest_text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for command in script_commands(manifest_text) {
        let words: Vec<&str> = command.split_whitespace().collect();
        let Some(ng) = words.windows(2).position(|w| w[0] == "ng" && w[1] == "build") else { continue };
        let rest = &words[ng + 2..];
        for (i, word) in rest.iter().enumerate() {
            let name = match *word {
                "-c" | "--configuration" => rest.get(i + 1).copied(),
                "--prod" => Some("production"),
                w => w.strip_prefix("--configuration=").or_else(|| w.strip_prefix("-c=")),
            };
            if let Some(name) = name.map(|n| n.trim_matches(['"', '\''])).filter(|n| !n.is_empty()) {
                if !out.iter().any(|o: &String| o == name) {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

/// The commands of the scripts of package.json (`manifest_text`): each script split at `&`, `;` and `|`.
fn script_commands(manifest_text: &str) -> Vec<String> {
    let Ok(serde_json::Value::Object(manifest)) = serde_json::from_str::<serde_json::Value>(manifest_text) else {
        return Vec::new();
    };
    let Some(serde_json::Value::Object(scripts)) = manifest.get("scripts") else { return Vec::new() };
    scripts
        .values()
        .filter_map(serde_json::Value::as_str)
        .flat_map(|script| script.split(['&', ';', '|']).map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// The value of the property `key` of a JSON object (the last one, as `JSON.parse` keeps).
fn json_prop<'o, 'a>(object: &'o jsonc_parser::ast::Object<'a>, key: &str) -> Option<&'o jsonc_parser::ast::Value<'a>> {
    use jsonc_parser::ast::ObjectPropName;
    object
        .properties
        .iter()
        .rev()
        .find(|p| match &p.name {
            ObjectPropName::String(lit) => lit.value == key,
            ObjectPropName::Word(word) => word.value == key,
        })
        .map(|p| &p.value)
}

pub use crate::project::WebpackEval;

/// The packages that build and serve webpack's bundles from memory inside an Express app in development: the dev
/// middleware, and the hot middleware beside it (its client listens on an EventSource of the app's own origin, which
/// `connect-src 'self'` allows).
pub const DEV_MIDDLEWARE: [&str; 2] = ["webpack-dev-middleware", "webpack-hot-middleware"];

/// The folders, below a project's, where webpack configs are kept besides its own (`config/webpack.dev.js`,
/// `build/webpack.dev.conf.js`).
const WEBPACK_CONFIG_DIRS: [&str; 3] = ["", "config", "build"];

/// Whether the bundles webpack's dev middleware serves in the project at `dir` evaluate strings ([`WebpackEval`]),
/// from its webpack configs (every `webpack*.{js,cjs,mjs,ts}` in its folder, `config/` and `build/`): a `devtool`
/// anywhere decides (an `eval*` value, or a computed one with an `eval*` string in it); else a `mode` of
/// `'development'` (or a computed one naming it) means webpack's default `eval`; a mode of production, or none
/// (webpack's default mode is production), means no eval. With no config found, or one that cannot be read, eval is
/// assumed.
pub fn webpack_eval(dir: &Path, root: Option<&Path>) -> Option<WebpackEval> {
    let mut configs = Vec::new();
    for sub in WEBPACK_CONFIG_DIRS {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else { continue };
        let mut names: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                name.starts_with("webpack")
                    && [".js", ".cjs", ".mjs", ".ts"].iter().any(|ext| name.ends_with(ext))
                    && p.is_file()
            })
            .collect();
        names.sort();
        configs.extend(names);
    }
    let assumed = WebpackEval { config: None, computed: true, devtool: false };
    if configs.is_empty() {
        return Some(assumed);
    }
    let (mut devtools, mut modes) = (Vec::new(), Vec::new());
    for path in configs {
        let Ok(text) = crate::fsread::read_text(&path, crate::fsread::TEXT_LIMIT, root) else { return Some(assumed) };
        let file = SourceFile::new(path.clone(), text);
        let Ok(parsed) = crate::parse::parse(&file, &file.code) else { return Some(assumed) };
        let mut options = WebpackOptions::default();
        parsed.program.visit_with(&mut options);
        let line = |at: usize| file.line(at);
        devtools
            .extend(options.devtool.into_iter().map(|(at, eval, computed)| (path.clone(), line(at), eval, computed)));
        modes.extend(options.mode.into_iter().map(|(at, dev, computed)| (path.clone(), line(at), dev, computed)));
    }
    let devtool = !devtools.is_empty();
    let decided = if devtool { devtools } else { modes };
    decided.into_iter().find(|(_, _, evaluates, _)| *evaluates).map(|(path, line, _, computed)| WebpackEval {
        config: Some((path, line)),
        computed,
        devtool,
    })
}

/// The `devtool` and `mode` properties of a webpack config's object literals, each at its offset with whether it
/// evaluates (an `eval*` devtool; the `development` mode) and whether its value is computed.
#[derive(Default)]
struct WebpackOptions {
    devtool: Vec<(usize, bool, bool)>,
    mode: Vec<(usize, bool, bool)>,
}

impl Visit for WebpackOptions {
    fn visit_prop(&mut self, prop: &Prop) {
        if let Prop::KeyValue(kv) = prop {
            let name = key(&kv.key);
            if matches!(name, Some("devtool" | "mode")) {
                let mut strings = Strings::default();
                kv.value.visit_with(&mut strings);
                let computed = literal(&kv.value).is_none() && !matches!(&*kv.value, Expr::Lit(Lit::Bool(_)));
                let at = crate::parse::range_of(&*kv.value).start;
                if name == Some("devtool") {
                    self.devtool.push((at, strings.0.iter().any(|s| s.contains("eval")), computed));
                } else {
                    self.mode.push((at, strings.0.iter().any(|s| s == "development"), computed));
                }
            }
        }
        prop.visit_children_with(self);
    }
}

/// The string literals of an expression.
#[derive(Default)]
struct Strings(Vec<String>);

impl Visit for Strings {
    fn visit_str(&mut self, s: &swc_ecma_ast::Str) {
        if let Some(text) = s.value.as_str() {
            self.0.push(text.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_vue_import_is_found_by_its_quoted_path_and_any_other_byte_before_it_is_none() {
        assert_eq!(full_vue_import("import Vue from 'vue/dist/vue.esm.js';\n"), Some(1));
        assert_eq!(full_vue_import("const a = 1;\nconst Vue = require(\"vue/dist/vue.js\");\n"), Some(2));
        assert_eq!(full_vue_import("alias: { vue$: 'vue/dist/vue.esm.js' }\n"), None);
        // (A character of several bytes just before the path, where the fuzzer put a BOM: no quote, and no panic.)
        assert_eq!(full_vue_import("import Vue from \u{feff}vue/dist/vue.js';\n"), None);
        assert_eq!(full_vue_import("é vue/dist/vue.js"), None);
    }

    /// What the config `code` chooses: `Some(true)` the full build, `Some(false)` nothing of the kind, `None` undecided.
    fn choice(name: &str, code: &str) -> Option<bool> {
        let file = SourceFile::new(PathBuf::from(name), code.to_string());
        let parsed = crate::parse::parse(&file, &file.code).expect("parses");
        let mut choice = Choice::default();
        parsed.program.visit_with(&mut choice);
        match choice {
            Choice { full: Some(_), .. } => Some(true),
            Choice { undecided: true, .. } => None,
            Choice { .. } => Some(false),
        }
    }

    #[test]
    fn angular_optimization_values_that_inline_critical_css() {
        let inlines = |json: &str| {
            let parsed = jsonc_parser::parse_to_ast(json, &Default::default(), &Default::default()).expect("json");
            let Some(jsonc_parser::ast::Value::Object(o)) = parsed.value else { panic!("object") };
            inlines_critical_css(json_prop(&o, "optimization"))
        };
        assert!(inlines("{}"));
        assert!(inlines(r#"{ "optimization": true }"#));
        assert!(!inlines(r#"{ "optimization": false }"#));
        assert!(inlines(r#"{ "optimization": { "scripts": true } }"#));
        assert!(inlines(r#"{ "optimization": { "styles": true } }"#));
        assert!(!inlines(r#"{ "optimization": { "styles": false } }"#));
        assert!(inlines(r#"{ "optimization": { "styles": { "minify": true } } }"#));
        assert!(!inlines(r#"{ "optimization": { "styles": { "minify": true, "inlineCritical": false } } }"#));
        assert!(inlines(r#"{ "optimization": { "styles": { "inlineCritical": true } } }"#));
    }

    #[test]
    fn webpack_configs_whose_bundles_evaluate() {
        // (The config's text, and what it decides: `None` no eval, else the line and whether it is computed.)
        let cases = [
            ("module.exports = { mode: 'development', entry: './src' };", Some((1, false))),
            ("module.exports = {\n  mode: 'development',\n  devtool: 'source-map',\n};", None),
            ("module.exports = {\n  mode: 'production',\n  devtool: 'eval-source-map',\n};", Some((3, false))),
            ("module.exports = { entry: './src' };", None),
            ("module.exports = { mode: 'production' };", None),
            ("module.exports = { mode: isProd ? 'production' : 'development' };", Some((1, true))),
            ("module.exports = { mode: 'development', devtool: dev ? 'eval' : false };", Some((1, true))),
            ("module.exports = { mode: 'development', devtool: false };", None),
        ];
        for (code, decides) in cases {
            let dir = tempfile::tempdir().expect("tempdir");
            std::fs::write(dir.path().join("webpack.config.js"), code).expect("write");
            let eval = webpack_eval(dir.path(), None);
            assert_eq!(eval.map(|e| (e.config.map(|(_, line)| line).unwrap_or(0), e.computed)), decides, "{code}");
        }
        let empty = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            webpack_eval(empty.path(), None),
            Some(WebpackEval { config: None, computed: true, devtool: false })
        );
    }

    #[test]
    fn configurations_the_scripts_build_with_ng() {
        let manifest = r#"{ "scripts": {
            "build": "ng build",
            "build:prod": "ng build --configuration production && echo done",
            "build:staging": "ng build -c staging,fr",
            "old": "ng build --prod",
            "eq": "ng build --configuration=qa",
            "serve": "ng serve -c development"
        } }"#;
        assert_eq!(ng_build_configurations(manifest), vec!["production", "staging,fr", "qa"]);
    }

    #[test]
    fn configs_the_scripts_name() {
        let manifest = r#"{ "scripts": {
            "build": "vite build --config ./config/vite.config.js && webpack -c build/webpack.prod.js",
            "dev": "cross-env NODE_ENV=development vite --host --config=./config/vite.config.js",
            "e2e": "playwright test --config ./config/playwright.config.js",
            "bad": "webpack --config ../elsewhere/webpack.config.js; vite --config /etc/vite.config.js"
        } }"#;
        assert_eq!(named_configs(manifest), vec!["./config/vite.config.js", "build/webpack.prod.js"]);
        assert!(named_configs("{ not json").is_empty());
    }

    #[test]
    fn aliases_and_options_that_choose_the_full_build() {
        // (The config's file name, its code, and what it chooses: see `choice`.)
        let cases = [
            ("webpack.config.js", "module.exports = { resolve: { alias: { vue$: 'vue/dist/vue.esm.js' } } };", Some(true)),
            (
                "webpack.config.js",
                "module.exports = { resolve: { alias: { 'vue$': require.resolve('vue/dist/vue.common.js') } } };",
                Some(true),
            ),
            (
                "webpack.config.js",
                "module.exports = { resolve: { alias: { vue: path.resolve(__dirname, 'node_modules/vue/dist/vue.js') } } };",
                Some(true),
            ),
            (
                "vite.config.js",
                "export default defineConfig({ resolve: { alias: { vue: 'vue/dist/vue.esm-bundler.js' } } });",
                Some(true),
            ),
            (
                "vite.config.js",
                "export default { resolve: { alias: [{ find: 'vue', replacement: `vue/dist/vue.esm-bundler.js` }] } };",
                Some(true),
            ),
            (
                "vite.config.ts",
                "export default { resolve: { alias: { vue: 'vue/dist/vue.esm-bundler.js' as string } } };",
                Some(true),
            ),
            ("vue.config.js", "module.exports = { runtimeCompiler: true };", Some(true)),
            ("webpack.config.js", "module.exports = { resolve: { alias: { vue$: 'vue/dist/vue.runtime.esm.js' } } };", Some(false)),
            ("vue.config.js", "module.exports = { runtimeCompiler: false, outputDir: 'public' };", Some(false)),
            ("vite.config.js", "export default { resolve: { alias: [{ find: '@', replacement: '/src' }] } };", Some(false)),
            ("webpack.config.js", "module.exports = { entry: './src/main.js' };", Some(false)),
            ("webpack.config.js", "module.exports = { resolve: { alias: { vue: process.env.VUE } } };", None),
            ("vue.config.js", "module.exports = { runtimeCompiler: process.env.COMPILER === '1' };", None),
            ("webpack.config.js", "module.exports = { resolve: { alias: { vue: '@vue/compat' } } };", None),
            // (Found by the ninth session's review: each built the full compiler while the warning was dropped.)
            ("webpack.config.js", "module.exports = { resolve: { alias: { vue$: 'vue/dist/vue' } } };", Some(true)),
            (
                "webpack.prod.js",
                "const { merge } = require('webpack-merge');\nconst common = require('./webpack.common.js');\n\
                 module.exports = merge(common, { mode: 'production' });",
                None,
            ),
            ("vite.config.js", "import base from './vite.base.js';\nexport default { ...base };", None),
            (
                "vue.config.js",
                "module.exports = { chainWebpack: (config) => config.resolve.alias.set('vue$', 'vue/dist/vue.esm.js') };",
                Some(true),
            ),
            ("vue.config.js", "module.exports = { chainWebpack: (config) => config.plugins.delete('prefetch') };", None),
            (
                "webpack.config.js",
                "const path = require('path');\nmodule.exports = { resolve: { alias: { '@': path.resolve('src') } } };",
                Some(false),
            ),
        ];
        for (name, code, chooses) in cases {
            assert_eq!(choice(name, code), chooses, "{name}: {code}");
        }
    }
}
