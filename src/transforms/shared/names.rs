//! Names for the bindings transforms add: free everywhere in the file ([`FileFacts::free_name`]), distinct from
//! each other, and the file's own binding when it already imports the same thing (so that a second run, or a file
//! that imports it under an alias, gets no second import).

use swc_ecma_ast::*;

use crate::analysis::{FileFacts, ImportKind};
use crate::bindings::required;

/// The names one plan gives its new bindings.
pub struct NewNames<'a> {
    facts: &'a FileFacts,
    chosen: Vec<String>,
}

impl<'a> NewNames<'a> {
    /// No name chosen yet.
    pub fn new(facts: &'a FileFacts) -> NewNames<'a> {
        NewNames { facts, chosen: Vec::new() }
    }

    /// A name free in the file and not chosen before in this plan: `preferred`, else the first free of
    /// `alternatives`, else the last of them numbered (see [`FileFacts::free_name`]).
    pub fn pick(&mut self, preferred: &str, alternatives: &[&str]) -> String {
        let name = self.facts.free_name_besides(preferred, alternatives, &self.chosen);
        self.chosen.push(name.clone());
        name
    }

    /// Records a name the plan uses for something the file already binds, so that no new binding takes it.
    pub fn keep(&mut self, name: &str) {
        self.chosen.push(name.to_string());
    }
}

/// What one statement of new code imports, as `(local name, module, what of it)`: `import { a as b } from 'm'`,
/// `import a from 'm'`, `const { a } = require('m')`, `const a = require('m')`, `const a = require('m').b`. Other
/// statements import nothing.
pub fn imported_by(item: &ModuleItem) -> Vec<(String, String, ImportKind)> {
    let mut out = Vec::new();
    match item {
        ModuleItem::ModuleDecl(ModuleDecl::Import(decl)) if !decl.type_only => {
            let Some(module) = decl.src.value.as_str() else { return out };
            for spec in &decl.specifiers {
                let (local, kind) = match spec {
                    ImportSpecifier::Default(d) => (&d.local, ImportKind::Module),
                    ImportSpecifier::Namespace(n) => (&n.local, ImportKind::Module),
                    ImportSpecifier::Named(n) if n.is_type_only => continue,
                    ImportSpecifier::Named(n) => {
                        let imported = match &n.imported {
                            Some(ModuleExportName::Ident(i)) => i.sym.to_string(),
                            Some(ModuleExportName::Str(s)) => s.value.to_string_lossy().into_owned(),
                            None => n.local.sym.to_string(),
                        };
                        let kind =
                            if imported == "default" { ImportKind::Module } else { ImportKind::Named(imported.into()) };
                        (&n.local, kind)
                    }
                };
                out.push((local.sym.to_string(), module.to_string(), kind));
            }
        }
        ModuleItem::Stmt(Stmt::Decl(Decl::Var(var))) => {
            for decl in &var.decls {
                let Some(init) = decl.init.as_deref() else { continue };
                let Some((module, member)) = required(init) else { continue };
                match (&decl.name, member) {
                    (Pat::Ident(id), None) => out.push((id.id.sym.to_string(), module, ImportKind::Module)),
                    (Pat::Ident(id), Some(m)) if m == "default" => {
                        out.push((id.id.sym.to_string(), module, ImportKind::Module))
                    }
                    (Pat::Ident(id), Some(m)) => out.push((id.id.sym.to_string(), module, ImportKind::Named(m.into()))),
                    (Pat::Object(obj), None) => {
                        for prop in &obj.props {
                            match prop {
                                ObjectPatProp::Assign(a) => out.push((
                                    a.key.sym.to_string(),
                                    module.clone(),
                                    ImportKind::Named(a.key.sym.clone()),
                                )),
                                ObjectPatProp::KeyValue(kv) => {
                                    if let (PropName::Ident(key), Pat::Ident(id)) = (&kv.key, &*kv.value) {
                                        let kind = ImportKind::Named(key.sym.clone());
                                        out.push((id.id.sym.to_string(), module.clone(), kind));
                                    }
                                }
                                ObjectPatProp::Rest(_) => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

/// The names a statement of new code declares at its top level (imports, variables, functions, classes).
pub fn declared_by(item: &ModuleItem) -> Vec<String> {
    fn pat(p: &Pat, out: &mut Vec<String>) {
        match p {
            Pat::Ident(id) => out.push(id.id.sym.to_string()),
            Pat::Array(a) => a.elems.iter().flatten().for_each(|e| pat(e, out)),
            Pat::Object(o) => {
                for prop in &o.props {
                    match prop {
                        ObjectPatProp::KeyValue(kv) => pat(&kv.value, out),
                        ObjectPatProp::Assign(a) => out.push(a.key.sym.to_string()),
                        ObjectPatProp::Rest(r) => pat(&r.arg, out),
                    }
                }
            }
            Pat::Assign(a) => pat(&a.left, out),
            Pat::Rest(r) => pat(&r.arg, out),
            Pat::Expr(_) | Pat::Invalid(_) => {}
        }
    }
    let mut out = Vec::new();
    match item {
        ModuleItem::ModuleDecl(ModuleDecl::Import(decl)) => {
            for spec in &decl.specifiers {
                out.push(
                    match spec {
                        ImportSpecifier::Default(d) => &d.local,
                        ImportSpecifier::Namespace(n) => &n.local,
                        ImportSpecifier::Named(n) => &n.local,
                    }
                    .sym
                    .to_string(),
                );
            }
        }
        ModuleItem::Stmt(Stmt::Decl(decl)) => match decl {
            Decl::Var(v) => v.decls.iter().for_each(|d| pat(&d.name, &mut out)),
            Decl::Fn(f) => out.push(f.ident.sym.to_string()),
            Decl::Class(c) => out.push(c.ident.sym.to_string()),
            _ => {}
        },
        _ => {}
    }
    out
}

/// The words of a name, lower-cased: split at `_`, `-`, `.` (any character that is not a letter or digit) and at
/// camelCase humps. `refreshToken` -> `refresh`, `token`; `XSRF-TOKEN` -> `xsrf`, `token`; `connect.sid` -> `connect`, `sid`.
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            words.extend((!current.is_empty()).then(|| std::mem::take(&mut current)));
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    words.extend((!current.is_empty()).then_some(current));
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse;
    use crate::parse::{parse, parse_snippet};
    use crate::source::SourceFile;

    fn facts(name: &str, code: &str) -> FileFacts {
        let file = SourceFile::new(name.into(), code.to_string());
        let parsed = parse(&file, &file.code).expect("parses");
        analyse(&file, &parsed)
    }

    #[test]
    fn every_name_the_file_mentions_is_taken() {
        let f = facts(
            "a.ts",
            "import type { RedisStore } from 'connect-redis';\nimport { type Pool } from 'pg';\n\
             interface Store {}\ntype Client = string;\nenum Backend { A }\nnamespace Db {}\n\
             function f() { const inner = redisClient; }\nconst later = 1;\nlabel: for (;;) break label;\n",
        );
        for name in ["RedisStore", "Pool", "Store", "Client", "Backend", "Db", "inner", "redisClient", "later", "f"] {
            assert!(f.name_taken(name), "{name}");
        }
        for name in ["require", "module", "exports", "let", "arguments", "undefined"] {
            assert!(f.name_taken(name), "{name}");
        }
        assert!(!f.name_taken("createClient"));
        // Property names are not bindings.
        let f = facts("a.js", "app.redisClient = x.createClient;\nconst o = { sessionStore: 1 };\n");
        assert!(!f.name_taken("redisClient") && !f.name_taken("createClient") && !f.name_taken("sessionStore"));
    }

    #[test]
    fn picks_are_free_and_distinct() {
        let f = facts("a.js", "const redisClient = 1;\nconst sessionRedisClient = 2;\n");
        let mut names = NewNames::new(&f);
        assert_eq!(names.pick("redisClient", &["sessionRedisClient"]), "sessionRedisClient2");
        assert_eq!(names.pick("redisClient", &["sessionRedisClient"]), "sessionRedisClient3");
        assert_eq!(names.pick("client", &[]), "client");
        assert_eq!(names.pick("client", &[]), "client2");
        names.keep("store");
        assert_eq!(names.pick("store", &[]), "store2");
        assert_eq!(f.free_name("helmet", &["helmetMiddleware"]), "helmet");
    }

    #[test]
    fn what_new_statements_import_and_declare() {
        let items = parse_snippet(
            "import { RedisStore as R, type T } from 'connect-redis';\nimport M from 'connect-mongo';\n\
             const { createClient, a: b } = require('redis');\nconst PgStore = require('connect-pg-simple')(s);\n\
             const x = require('m').y;\n",
        )
        .expect("parses")
        .body;
        let named = |n: &str| ImportKind::Named(n.into());
        assert_eq!(imported_by(&items[0]), vec![("R".into(), "connect-redis".into(), named("RedisStore"))]);
        assert_eq!(imported_by(&items[1]), vec![("M".into(), "connect-mongo".into(), ImportKind::Module)]);
        assert_eq!(
            imported_by(&items[2]),
            vec![
                ("createClient".into(), "redis".into(), named("createClient")),
                ("b".into(), "redis".into(), named("a"))
            ]
        );
        assert!(imported_by(&items[3]).is_empty());
        assert_eq!(imported_by(&items[4]), vec![("x".into(), "m".into(), named("y"))]);
        assert_eq!(declared_by(&items[0]), ["R", "T"]);
        assert_eq!(declared_by(&items[2]), ["createClient", "b"]);
        assert_eq!(declared_by(&items[3]), ["PgStore"]);
    }
}
