//! The inventory: every package a lockfile resolves, with its version, where it sits, whether only development or
//! optional dependencies bring it in, and who depends on it with which range. The advisory audit (issue 15) matches
//! these packages against advisories, ranks the paths to them and plans the fixes; nothing here runs a program or
//! reaches the network.
//!
//! Read: `package-lock.json` and `npm-shrinkwrap.json` (lockfileVersion 1, 2 and 3), `yarn.lock` (Yarn 1, and Yarn
//! 2+ "Berry", through `yarn-lock-parser`), `pnpm-lock.yaml` (lockfile versions 6 to 9, through `serde-saphyr`).
//! Which lockfile belongs to a manifest is [`crate::lockfile::find`]'s decision (the lockfile next to it or in a
//! workspace root above it); the projects of a workspace are the inventory's [`Root`]s.
//!
//! What each format records, and so what the inventory knows:
//! - npm: the installed tree (`node_modules/a/node_modules/b`), the ranges every package declares, and npm's own
//!   `dev`/`optional` flags. A dependency resolves as Node resolves it: the nearest `node_modules` up the folders.
//!   lockfileVersion 1 lists no root project: its dependencies and their ranges come from the `package.json` next to
//!   the lockfile.
//! - Yarn: one entry per resolved version, keyed by the ranges that resolve to it (`express@^4.18.2`), with the
//!   ranges each package declares. Yarn 1 lists no project: the projects (the `package.json` next to the lockfile
//!   and its `workspaces`) say what the roots depend on; a range raised since the last install still leads to the
//!   entry its old range resolved to (as npm's lockfile still links the copy it installed). Berry lists its workspaces (`app@workspace:.`) with their
//!   dependencies, development ones merged in: their `package.json` says which are development only.
//! - pnpm: the projects (`importers`) with their ranges (`specifier`), and each package's dependencies by resolved
//!   version only: a package's declared range is not recorded ([`Dependent::range`] is `None`).
//!
//! Where the lockfile has no `dev`/`optional` flags (Yarn, pnpm 9, an npm lockfile with none at all), they are
//! computed as npm computes them: a package is `dev` when only the projects' `devDependencies` lead to it, `optional`
//! when every path to it passes an optional dependency (on the Express app of `tests/inventory.rs`, exactly npm's
//! flags).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use crate::lockfile::Manager;
use crate::manifest::{DepSection, ManifestInfo};

/// What a lockfile resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    /// The lockfile.
    pub path: PathBuf,
    /// The package manager that wrote it.
    pub manager: Manager,
    /// The lockfile's format version: npm's `lockfileVersion` ("1", "2", "3"), "1" for Yarn 1, Berry's
    /// `__metadata.version` ("8"), pnpm's `lockfileVersion` ("6.0", "9.0").
    pub version: String,
    /// The projects the lockfile installs: the one in its folder first, then the workspaces, by folder.
    pub roots: Vec<Root>,
    /// The resolved packages, in the lockfile's order.
    pub packages: Vec<Package>,
    /// The overrides the lockfile was resolved with, as it records them (pnpm's `overrides:`); empty for the others.
    pub overrides: Vec<(String, String)>,
}

/// A project of the lockfile: its folder's own package.json, or a workspace's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    /// Its folder relative to the lockfile's, with `/` separators: "" for the lockfile's own project.
    pub path: String,
    /// Its package name, when it has one.
    pub name: Option<String>,
}

/// One resolved package (one installed copy for npm, one resolution for Yarn, one snapshot for pnpm).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Its registry name (the real one for an alias such as `"lodash4": "npm:lodash@^4"`).
    pub name: String,
    /// Its resolved version (for a non-registry package, what the lockfile records: a URL, `file:...`).
    pub version: String,
    /// Where it sits: npm's folder (`node_modules/a/node_modules/b`), Yarn's resolution (`b@npm:1.2.3`, or `b@1.2.3`
    /// for Yarn 1), pnpm's package key with its peers (`b@1.2.3(c@2.0.0)`).
    pub key: String,
    /// Only development dependencies lead to it.
    pub dev: bool,
    /// Every path to it passes an optional dependency.
    pub optional: bool,
    /// It ships inside its parent's tarball (npm's `inBundle`, `bundled` in lockfile version 1): only a release of
    /// the parent changes it.
    pub bundled: bool,
    /// Who depends on it, and how.
    pub parents: Vec<Dependent>,
    /// The shortest dependency chain from a project to it: the project first, then the packages (this one last);
    /// empty when nothing leads to it (an extraneous entry).
    pub chain: Vec<Parent>,
}

/// A dependency on a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependent {
    /// The project or package that declares it.
    pub parent: Parent,
    /// The section that declares it.
    pub kind: DepKind,
    /// The range declared (`^4.18.2`, `npm:lodash@^4`); `None` where the lockfile does not record it (pnpm,
    /// between packages).
    pub range: Option<String>,
}

/// A node of the dependency graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parent {
    /// A project: an index into [`Inventory::roots`].
    Root(usize),
    /// A package: an index into [`Inventory::packages`].
    Package(usize),
}

/// The section a dependency is declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DepKind {
    /// `dependencies`.
    Prod,
    /// `devDependencies` (projects only).
    Dev,
    /// `optionalDependencies`.
    Optional,
    /// `peerDependencies` (installed by npm 7+ and pnpm).
    Peer,
}

/// The sections of a project's manifest that are installed (peers are not, by Yarn 1; npm's lockfile lists them).
const INSTALLED: [DepSection; 3] =
    [DepSection::Dependencies, DepSection::DevDependencies, DepSection::OptionalDependencies];

impl DepKind {
    fn of(section: DepSection) -> DepKind {
        match section {
            DepSection::Dependencies => DepKind::Prod,
            DepSection::DevDependencies => DepKind::Dev,
            DepSection::OptionalDependencies => DepKind::Optional,
            // Not dependency sections: the inventory never reads them as such.
            DepSection::Overrides | DepSection::Resolutions | DepSection::PnpmOverrides => DepKind::Prod,
            DepSection::PeerDependencies => DepKind::Peer,
        }
    }
}

/// Why a lockfile could not be read: the file and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryError {
    /// The lockfile.
    pub path: PathBuf,
    /// The reason, phrased to follow the file's name.
    pub message: String,
}

impl fmt::Display for InventoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", crate::root::display_path(&self.path), self.message)
    }
}

impl std::error::Error for InventoryError {}

impl Inventory {
    /// The lockfile of the project whose manifest is in `manifest_dir` (see [`crate::lockfile::find`]), read;
    /// `None` when the project has none.
    pub fn for_manifest(manifest_dir: &Path, root: Option<&Path>) -> Option<Result<Inventory, InventoryError>> {
        let lock = crate::lockfile::find(manifest_dir, root)?;
        Some(Inventory::read_as(&lock.path, lock.manager, root))
    }

    /// Reads a lockfile, its package manager told by its name (and, for `yarn.lock`, its content).
    pub fn read(path: &Path, root: Option<&Path>) -> Result<Inventory, InventoryError> {
        let manager = match path.file_name().and_then(|n| n.to_str()) {
            Some("package-lock.json" | "npm-shrinkwrap.json") => Manager::Npm,
            Some("pnpm-lock.yaml") => Manager::Pnpm,
            // Which Yarn: the content says (`__metadata:`).
            Some("yarn.lock") => Manager::Yarn1,
            _ => {
                return Err(InventoryError {
                    path: path.to_path_buf(),
                    message: "is not a lockfile this tool reads (package-lock.json, npm-shrinkwrap.json, yarn.lock, \
                              pnpm-lock.yaml)"
                        .to_string(),
                })
            }
        };
        Inventory::read_as(path, manager, root)
    }

    fn read_as(path: &Path, manager: Manager, root: Option<&Path>) -> Result<Inventory, InventoryError> {
        let fail = |message: String| InventoryError { path: path.to_path_buf(), message };
        let text =
            crate::fsread::read_text(path, crate::fsread::LOCKFILE_LIMIT, root).map_err(|e| fail(e.to_string()))?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let manifests = Manifests { dir, root };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        // (A merge left unresolved: said so, not as the parser's complaint about the line it stopped at.)
        if let Some(line) = text.lines().position(|l| l.starts_with("<<<<<<< ") || l == "<<<<<<<") {
            return Err(fail(format!(
                "has git merge-conflict markers (line {}): resolve the conflict, or run the package manager's install \
                 to rewrite it",
                line + 1
            )));
        }
        let (version, graph) = match manager {
            Manager::Npm => npm(text, &manifests),
            Manager::Pnpm => pnpm(text, &manifests),
            Manager::Yarn1 | Manager::YarnBerry => yarn(text, &manifests),
        }
        .map_err(fail)?;
        let manager = match manager {
            Manager::Yarn1 | Manager::YarnBerry if version != "1" => Manager::YarnBerry,
            Manager::Yarn1 | Manager::YarnBerry => Manager::Yarn1,
            other => other,
        };
        Ok(graph.finish(path.to_path_buf(), manager, version))
    }

    /// The name of a node: the project's name (its folder when it has none, `.` for the lockfile's own) or the
    /// package's `name@version`.
    pub fn describe(&self, node: Parent) -> String {
        match node {
            Parent::Root(i) => {
                let root = &self.roots[i];
                root.name
                    .clone()
                    .unwrap_or_else(|| if root.path.is_empty() { ".".to_string() } else { root.path.clone() })
            }
            Parent::Package(i) => format!("{}@{}", self.packages[i].name, self.packages[i].version),
        }
    }

    /// How many routes lead from the projects to each package (indexed as [`Inventory::packages`]): the sum over its
    /// parents, a project counting one. A cycle adds none (a parent still being counted counts 0); the counts
    /// saturate. Computed for every package at once, without recursion (a chain may be thousands deep).
    pub fn route_counts(&self) -> Vec<u64> {
        let n = self.packages.len();
        let mut counts: Vec<Option<u64>> = vec![None; n];
        let mut open = vec![false; n];
        for start in 0..n {
            if counts[start].is_some() {
                continue;
            }
            // (package, next parent to look at)
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            open[start] = true;
            while let Some(&mut (at, ref mut next)) = stack.last_mut() {
                let parents = &self.packages[at].parents;
                if let Some(d) = parents.get(*next) {
                    *next += 1;
                    if let Parent::Package(p) = d.parent {
                        if counts[p].is_none() && !open[p] {
                            open[p] = true;
                            stack.push((p, 0));
                        }
                    }
                    continue;
                }
                let total = parents.iter().fold(0u64, |sum, d| {
                    sum.saturating_add(match d.parent {
                        Parent::Root(_) => 1,
                        Parent::Package(p) => counts[p].unwrap_or(0),
                    })
                });
                counts[at] = Some(total);
                open[at] = false;
                stack.pop();
            }
        }
        counts.into_iter().map(Option::unwrap_or_default).collect()
    }

    /// The routes from the projects to the package `i`, each the project first and the package last (as
    /// [`Package::chain`]): its shortest chain first, then the others as its parents lead to them, at most `limit`;
    /// with how many there are in all, from `counts` ([`Inventory::route_counts`]). A huge tree has many routes to a
    /// package deep in it: they are counted, not listed.
    pub fn routes(&self, i: usize, limit: usize, counts: &[u64]) -> (Vec<Vec<Parent>>, u64) {
        let mut found: Vec<Vec<Parent>> = Vec::new();
        let shortest = &self.packages[i].chain;
        if !shortest.is_empty() && limit > 0 {
            found.push(shortest.clone());
        }
        // The others, walked up from the package (one path, backtracking: each route is copied only when it reaches
        // a project), only through parents a project leads to; a bounded walk, whatever cycles there are.
        let mut budget = 100 * limit.max(1);
        let mut on_path = vec![false; self.packages.len()];
        let mut path: Vec<(usize, usize)> = vec![(i, 0)];
        on_path[i] = true;
        while let Some(&mut (at, ref mut next)) = path.last_mut() {
            if found.len() >= limit || budget == 0 {
                break;
            }
            budget -= 1;
            let Some(d) = self.packages[at].parents.get(*next) else {
                on_path[at] = false;
                path.pop();
                continue;
            };
            *next += 1;
            match d.parent {
                Parent::Root(_) => {
                    let route: Vec<Parent> =
                        std::iter::once(d.parent).chain(path.iter().rev().map(|&(p, _)| Parent::Package(p))).collect();
                    if !found.contains(&route) {
                        found.push(route);
                    }
                }
                Parent::Package(p) if !on_path[p] && counts.get(p).is_some_and(|c| *c > 0) => {
                    on_path[p] = true;
                    path.push((p, 0));
                }
                Parent::Package(_) => {}
            }
        }
        let listed = found.len() as u64;
        let total = counts.get(i).copied().unwrap_or_default();
        (found, total.max(listed))
    }

    /// The inventory as text, one package a line with its flags, parents and chain: what the tests compare.
    pub fn render(&self) -> String {
        let mut out = format!("{:?} lockfile version {}\n", self.manager, self.version);
        for root in &self.roots {
            out.push_str(&format!("project {:?} {}\n", root.path, root.name.as_deref().unwrap_or("(no name)")));
        }
        for (i, package) in self.packages.iter().enumerate() {
            let flags = match (package.dev, package.optional) {
                (true, true) => " [dev, optional]",
                (true, false) => " [dev]",
                (false, true) => " [optional]",
                (false, false) => "",
            };
            out.push_str(&format!("{}{flags}\n  at {}\n", self.describe(Parent::Package(i)), package.key));
            let chain: Vec<String> = package.chain.iter().map(|&n| self.describe(n)).collect();
            out.push_str(&format!(
                "  via {}\n",
                if chain.is_empty() { "(nothing)".to_string() } else { chain.join(" > ") }
            ));
            for d in &package.parents {
                let range = d.range.as_deref().map_or_else(String::new, |r| format!(" {r}"));
                out.push_str(&format!("  <- {} ({:?}{range})\n", self.describe(d.parent), d.kind));
            }
        }
        out
    }
}

/// The inventory of a manifest's project, read the first time a transform asks for it (most runs never do). A
/// lockfile in a folder above the manifest (a workspace root) that is the folder of another manifest of the run
/// belongs to that one: asked from the member, it is `None`, so that each lockfile is audited once.
#[derive(Debug)]
pub struct LazyInventory {
    dir: PathBuf,
    root: Option<PathBuf>,
    /// The folders of the run's manifests.
    manifest_dirs: std::sync::Arc<std::collections::BTreeSet<PathBuf>>,
    cell: std::sync::OnceLock<Option<Result<Inventory, InventoryError>>>,
}

impl LazyInventory {
    /// The inventory of the manifest in `dir`, among the run's manifests in `manifest_dirs`.
    pub fn new(
        dir: &Path,
        root: Option<&Path>,
        manifest_dirs: std::sync::Arc<std::collections::BTreeSet<PathBuf>>,
    ) -> LazyInventory {
        LazyInventory {
            dir: dir.to_path_buf(),
            root: root.map(Path::to_path_buf),
            manifest_dirs,
            cell: std::sync::OnceLock::new(),
        }
    }

    /// The lockfile's inventory (or why it could not be read); `None` when the project has no lockfile or its
    /// lockfile belongs to another manifest of the run.
    pub fn get(&self) -> Option<&Result<Inventory, InventoryError>> {
        self.cell
            .get_or_init(|| {
                let lock = crate::lockfile::find(&self.dir, self.root.as_deref())?;
                if lock.dir != self.dir && self.manifest_dirs.contains(&lock.dir) {
                    return None;
                }
                if let Some(message) = crate::lockfile::rival_message(&lock) {
                    return Some(Err(InventoryError { path: lock.path.clone(), message }));
                }
                Some(Inventory::read_as(&lock.path, lock.manager, self.root.as_deref()))
            })
            .as_ref()
    }
}

impl LazyInventory {
    /// The manifest's own lockfile that its package manager (returned with it) ignores because the manifest is a
    /// workspace of the folder returned with it (npm: its package.json's `workspaces`; pnpm: its pnpm-workspace.yaml;
    /// see [`crate::lockfile::ignored`]), and the lockfile that package manager uses instead when there is one.
    pub fn ignored(&self) -> Option<(PathBuf, PathBuf, Manager, Option<PathBuf>)> {
        let (own, workspace, manager) = crate::lockfile::ignored(&self.dir, self.root.as_deref())?;
        let used = crate::lockfile::find(&workspace, self.root.as_deref()).map(|l| l.path);
        Some((own, workspace, manager, used))
    }

    /// The package-lock.json npm ignores for the npm-shrinkwrap.json next to it, and that npm-shrinkwrap.json
    /// (see [`crate::lockfile::Lockfile::shadowed`]).
    pub fn shadowed(&self) -> Option<(PathBuf, PathBuf)> {
        let lock = crate::lockfile::find(&self.dir, self.root.as_deref())?;
        if lock.dir != self.dir && self.manifest_dirs.contains(&lock.dir) {
            return None;
        }
        Some((lock.shadowed?, lock.path))
    }
}

/// A package being read: name, version, key, and the lockfile's own (dev, optional) flags when it has them.
struct Node {
    name: String,
    version: String,
    key: String,
    flags: Option<(bool, bool)>,
    bundled: bool,
}

/// The graph being read: packages and edges, finished into an [`Inventory`].
#[derive(Default)]
struct Graph {
    roots: Vec<Root>,
    nodes: Vec<Node>,
    /// (from, to, kind, range).
    edges: Vec<(Parent, usize, DepKind, Option<String>)>,
    /// [`Inventory::overrides`].
    overrides: Vec<(String, String)>,
}

impl Graph {
    fn node(&mut self, name: &str, version: &str, key: &str, flags: Option<(bool, bool)>) -> usize {
        self.nodes.push(Node {
            name: name.to_string(),
            version: version.to_string(),
            key: key.to_string(),
            flags,
            bundled: false,
        });
        self.nodes.len() - 1
    }

    fn finish(self, path: PathBuf, manager: Manager, version: String) -> Inventory {
        let n = self.nodes.len();
        let mut out: Vec<Vec<(usize, DepKind)>> = vec![Vec::new(); n];
        let mut parents: Vec<Vec<Dependent>> = vec![Vec::new(); n];
        let mut root_edges: Vec<(usize, DepKind)> = Vec::new();
        // Each root's edges, roots in order; then the packages' (the order makes the chains deterministic).
        let mut by_root: Vec<Vec<(usize, DepKind)>> = vec![Vec::new(); self.roots.len()];
        // A dependency listed twice (Yarn 1 lists optional ones in two maps, some lockfiles repeat) counts once.
        let mut seen = std::collections::HashSet::new();
        for (from, to, kind, range) in self.edges.into_iter().filter(|e| seen.insert((e.0, e.1, e.2))) {
            match from {
                Parent::Root(r) => by_root[r].push((to, kind)),
                Parent::Package(p) => out[p].push((to, kind)),
            }
            parents[to].push(Dependent { parent: from, kind, range });
        }
        // Projects first, then packages, each in order.
        for list in &mut parents {
            list.sort_by_key(|d| match d.parent {
                Parent::Root(r) => (0, r),
                Parent::Package(p) => (1, p),
            });
        }
        for edges in &by_root {
            root_edges.extend(edges);
        }
        // npm's flags: dev when no path from a project's non-dev dependency leads to it, optional when no path of
        // non-optional dependencies does.
        let reach = |start: &dyn Fn(DepKind) -> bool, follow: &dyn Fn(DepKind) -> bool| {
            let mut seen = vec![false; n];
            let mut stack: Vec<usize> = root_edges.iter().filter(|(_, k)| start(*k)).map(|&(to, _)| to).collect();
            while let Some(p) = stack.pop() {
                if !std::mem::replace(&mut seen[p], true) {
                    stack.extend(out[p].iter().filter(|(_, k)| follow(*k)).map(|&(to, _)| to));
                }
            }
            seen
        };
        let not_dev = reach(&|k| k != DepKind::Dev, &|_| true);
        let required = reach(&|k| k != DepKind::Optional, &|k| k != DepKind::Optional);
        // The shortest chains: breadth first from the projects.
        let mut chains: Vec<Vec<Parent>> = vec![Vec::new(); n];
        let mut queue = VecDeque::new();
        for (r, edges) in by_root.iter().enumerate() {
            for &(to, _) in edges {
                if chains[to].is_empty() {
                    chains[to] = vec![Parent::Root(r), Parent::Package(to)];
                    queue.push_back(to);
                }
            }
        }
        while let Some(p) = queue.pop_front() {
            for &(to, _) in &out[p] {
                if chains[to].is_empty() {
                    let mut chain = chains[p].clone();
                    chain.push(Parent::Package(to));
                    chains[to] = chain;
                    queue.push_back(to);
                }
            }
        }
        let packages = self
            .nodes
            .into_iter()
            .zip(parents)
            .zip(chains)
            .enumerate()
            .map(|(i, ((Node { name, version, key, flags, bundled }, parents), chain))| {
                let (dev, optional) = flags.unwrap_or((!not_dev[i], !required[i]));
                Package { name, version, key, dev, optional, bundled, parents, chain }
            })
            .collect();
        Inventory { path, manager, version, roots: self.roots, packages, overrides: self.overrides }
    }
}

/// The package.json files next to the lockfile and in its workspaces.
struct Manifests<'a> {
    dir: &'a Path,
    root: Option<&'a Path>,
}

impl Manifests<'_> {
    /// The manifest of the project in `folder` (relative to the lockfile's), when it is there and valid.
    fn read(&self, folder: &str) -> Option<ManifestInfo> {
        let path =
            if folder.is_empty() { self.dir.join("package.json") } else { self.dir.join(folder).join("package.json") };
        let text = crate::fsread::read_text(&path, crate::fsread::TEXT_LIMIT, self.root).ok()?;
        ManifestInfo::parse(&text).ok()
    }

    /// The folders (relative to the lockfile's) of the workspaces the manifest names that hold a package.json (see
    /// [`ManifestInfo::workspace_folders`]).
    fn workspaces(&self, manifest: &ManifestInfo) -> Vec<String> {
        manifest.workspace_folders(self.dir)
    }
}

/// A map read in its order, as (key, value) pairs.
struct Ordered<T>(Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Ordered(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((k, v)) = map.next_entry()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        deserializer.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A string, or anything else (a value the lockfile should not hold there, ignored rather than failing the read).
#[derive(Default)]
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text, E> {
                Ok(Text(Some(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_unit<E>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_none<E>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The dependency maps' string entries.
fn pairs(map: &Ordered<Text>) -> impl Iterator<Item = (&str, &str)> {
    map.0.iter().filter_map(|(k, v)| Some((k.as_str(), v.0.as_deref()?)))
}

// ---------------------------------------------------------------------------------------------------------------
// npm

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct NpmLock {
    lockfile_version: Option<u32>,
    name: Option<String>,
    packages: Option<Ordered<NpmEntry>>,
    dependencies: Ordered<NpmV1Entry>,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct NpmEntry {
    name: Text,
    version: Text,
    resolved: Text,
    link: bool,
    dev: bool,
    optional: bool,
    dev_optional: bool,
    in_bundle: bool,
    dependencies: Ordered<Text>,
    optional_dependencies: Ordered<Text>,
    peer_dependencies: Ordered<Text>,
    dev_dependencies: Ordered<Text>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NpmV1Entry {
    version: Text,
    dev: bool,
    bundled: bool,
    optional: bool,
    requires: Ordered<Text>,
    dependencies: Ordered<NpmV1Entry>,
}

/// The folder `name` resolves to from the package in `from`: the nearest `node_modules/name` up the folders.
fn npm_resolve(index: &HashMap<&str, usize>, from: &str, name: &str) -> Option<usize> {
    let mut folder = from;
    // A project outside the lockfile's folder (`..`, linked as `file:..`) resolves from its own folder up, which never
    // passes the lockfile's `node_modules`: only what the lockfile records under it (`../node_modules/ms`) is its own.
    if from == ".." || from.starts_with("../") {
        while !folder.is_empty() {
            if let Some(&i) = index.get(format!("{folder}/node_modules/{name}").as_str()) {
                return Some(i);
            }
            folder = folder.rfind('/').map_or("", |at| &folder[..at]);
            if folder.ends_with("/node_modules") {
                folder = folder.strip_suffix("/node_modules").unwrap_or(folder);
            }
        }
        return None;
    }
    loop {
        let candidate =
            if folder.is_empty() { format!("node_modules/{name}") } else { format!("{folder}/node_modules/{name}") };
        if let Some(&i) = index.get(candidate.as_str()) {
            return Some(i);
        }
        if folder.is_empty() {
            return None;
        }
        folder = folder.rfind('/').map_or("", |at| &folder[..at]);
        // `a/node_modules` holds no package.json: go on to `a`.
        if folder.ends_with("/node_modules") || folder == "node_modules" {
            folder = folder.strip_suffix("node_modules").unwrap_or(folder).trim_end_matches('/');
        }
    }
}

/// The package name of an npm folder: what follows its last `node_modules/`.
fn npm_folder_name(location: &str) -> &str {
    location.rfind("node_modules/").map_or(location, |at| &location[at + "node_modules/".len()..])
}

fn npm(text: &str, manifests: &Manifests<'_>) -> Result<(String, Graph), String> {
    let lock: NpmLock = serde_json::from_str(text).map_err(|e| format!("is not a valid npm lockfile: {e}"))?;
    let version = lock.lockfile_version.ok_or("is not a valid npm lockfile: it has no lockfileVersion")?;
    match (version, lock.packages) {
        (2 | 3, Some(packages)) => Ok((version.to_string(), npm_packages(packages, manifests))),
        (1, _) => Ok(("1".to_string(), npm_v1(lock.dependencies, lock.name, manifests))),
        (2 | 3, None) => Err(format!("has lockfileVersion {version} but no \"packages\"")),
        _ => Err(format!("has lockfileVersion {version}, which this tool does not read (it reads 1, 2 and 3)")),
    }
}

/// lockfileVersion 2 and 3: `packages` by folder, `""` the root project, `link` entries pointing at workspaces.
fn npm_packages(packages: Ordered<NpmEntry>, manifests: &Manifests<'_>) -> Graph {
    let mut graph = Graph::default();
    // Folder -> package index; folder -> root index for projects (the root and the workspaces links point to).
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut roots: HashMap<&str, usize> = HashMap::new();
    let mut projects: Vec<&str> = packages
        .0
        .iter()
        .filter(|(location, entry)| location.is_empty() || (!location.contains("node_modules/") && !entry.link))
        .map(|(location, _)| location.as_str())
        .collect();
    projects.sort_by_key(|p| (!p.is_empty(), *p));
    // npm flags every package that only development or optional dependencies bring in; a lockfile without a single
    // flag (written by another tool, or by hand) has them computed from the graph.
    let flagged = packages.0.iter().any(|(_, e)| e.dev || e.optional || e.dev_optional);
    let by_location: HashMap<&str, &NpmEntry> = packages.0.iter().map(|(l, e)| (l.as_str(), e)).collect();
    for location in projects {
        roots.insert(location, graph.roots.len());
        let name = by_location
            .get(location)
            .and_then(|e| e.name.0.clone())
            .or_else(|| manifests.read(location).and_then(|m| m.name().map(str::to_string)));
        graph.roots.push(Root { path: location.to_string(), name });
    }
    for (location, entry) in &packages.0 {
        if roots.contains_key(location.as_str()) {
            continue;
        }
        // A link to a workspace: the workspace is a project, not a package.
        if entry.link {
            continue;
        }
        let name = entry.name.0.as_deref().unwrap_or_else(|| npm_folder_name(location));
        let version = entry.version.0.as_deref().or(entry.resolved.0.as_deref()).unwrap_or("");
        let i = graph.node(name, version, location, flagged.then_some((entry.dev, entry.optional)));
        graph.nodes[i].bundled = entry.in_bundle;
        index.insert(location, i);
    }
    for (location, entry) in &packages.0 {
        let from = match (roots.get(location.as_str()), index.get(location.as_str())) {
            (Some(&r), _) => Parent::Root(r),
            (None, Some(&p)) => Parent::Package(p),
            (None, None) => continue,
        };
        let mut sections = vec![
            (DepKind::Prod, &entry.dependencies),
            (DepKind::Optional, &entry.optional_dependencies),
            (DepKind::Peer, &entry.peer_dependencies),
        ];
        if matches!(from, Parent::Root(_)) {
            sections.insert(1, (DepKind::Dev, &entry.dev_dependencies));
        }
        for (kind, map) in sections {
            for (name, range) in pairs(map) {
                let Some(to) = npm_resolve(&index, location, name) else { continue };
                graph.edges.push((from, to, kind, Some(range.to_string())));
            }
        }
    }
    graph
}

/// lockfileVersion 1: nested `dependencies` by name, `requires` the ranges; the project's own dependencies are in its
/// package.json.
fn npm_v1(dependencies: Ordered<NpmV1Entry>, name: Option<String>, manifests: &Manifests<'_>) -> Graph {
    let mut graph = Graph::default();
    let manifest = manifests.read("");
    graph.roots.push(Root {
        path: String::new(),
        name: manifest.as_ref().and_then(|m| m.name().map(str::to_string)).or(name),
    });
    // Flatten into folders, parents before children.
    let mut flat: Vec<(String, &NpmV1Entry)> = Vec::new();
    let mut stack: Vec<(String, &Ordered<NpmV1Entry>)> = vec![(String::new(), &dependencies)];
    while let Some((prefix, map)) = stack.pop() {
        for (name, entry) in &map.0 {
            let location = if prefix.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{prefix}/node_modules/{name}")
            };
            flat.push((location.clone(), entry));
            stack.push((location, &entry.dependencies));
        }
    }
    flat.sort_by(|a, b| a.0.cmp(&b.0));
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (location, entry) in &flat {
        let raw = entry.version.0.as_deref().unwrap_or("");
        // An alias: `"version": "npm:lodash@4.17.21"`.
        let (name, version) = match raw.strip_prefix("npm:").and_then(|spec| split_name(spec)) {
            Some((name, version)) => (name, version),
            None => (npm_folder_name(location), raw),
        };
        let i = graph.node(name, version, location, Some((entry.dev, entry.optional)));
        graph.nodes[i].bundled = entry.bundled;
        index.insert(location, i);
    }
    for section in INSTALLED {
        for (name, range) in manifest.iter().flat_map(|m| m.dependencies(section)) {
            if let Some(to) = npm_resolve(&index, "", name) {
                graph.edges.push((Parent::Root(0), to, DepKind::of(section), Some(range.to_string())));
            }
        }
    }
    for (location, entry) in &flat {
        let from = index[location.as_str()];
        for (name, range) in pairs(&entry.requires) {
            if let Some(to) = npm_resolve(&index, location, name) {
                let kind = if graph.nodes[to].flags.is_some_and(|(_, optional)| optional)
                    && !graph.nodes[from].flags.is_some_and(|(_, o)| o)
                {
                    DepKind::Optional
                } else {
                    DepKind::Prod
                };
                graph.edges.push((Parent::Package(from), to, kind, Some(range.to_string())));
            }
        }
    }
    // Without the project's package.json, its dependencies are the top-level packages nothing else requires.
    if manifest.is_none() {
        let required: std::collections::HashSet<usize> = graph.edges.iter().map(|e| e.1).collect();
        for (location, _) in &flat {
            let i = index[location.as_str()];
            if !location.contains("/node_modules/") && !required.contains(&i) {
                let kind = match graph.nodes[i].flags {
                    Some((true, _)) => DepKind::Dev,
                    Some((_, true)) => DepKind::Optional,
                    _ => DepKind::Prod,
                };
                graph.edges.push((Parent::Root(0), i, kind, None));
            }
        }
    }
    graph
}

/// `name@rest` split at the `@` that ends the name (a scoped name starts with one).
fn split_name(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    Some((&spec[..at], &spec[at + 1..]))
}

// ---------------------------------------------------------------------------------------------------------------
// Yarn

fn yarn(text: &str, manifests: &Manifests<'_>) -> Result<(String, Graph), String> {
    // yarn-lock-parser skips the first two lines (the header Yarn writes) and finds Yarn 1 by its second line
    // (`# yarn lockfile v1`): the header is written again, so that a lockfile without it (or with another comment)
    // reads the same.
    let body = text.trim_start_matches(|c: char| c.is_whitespace());
    let mut body = body;
    while body.starts_with('#') {
        body = body.split_once('\n').map_or("", |(_, rest)| rest).trim_start_matches(|c: char| c.is_whitespace());
    }
    let header = if body.starts_with("__metadata:") { "#\n#\n\n" } else { "#\n# yarn lockfile v1\n\n" };
    let text = format!("{header}{body}");
    let lock =
        yarn_lock_parser::parse_str(&text).map_err(|e| format!("is not a valid yarn.lock: {}", yarn_reason(&e)))?;
    let berry = lock.version != 1;
    let mut graph = Graph::default();
    // (name, range) -> entry; Berry's ranges carry their protocol (`npm:^4.18.2`).
    let mut by_descriptor: HashMap<(&str, &str), usize> = HashMap::new();
    // Entry -> package index (None for Berry's workspaces, which are roots).
    let mut node_of: Vec<Option<usize>> = Vec::with_capacity(lock.entries.len());
    let mut workspaces: Vec<(String, usize)> = Vec::new();
    for (e, entry) in lock.entries.iter().enumerate() {
        for &(name, range) in &entry.descriptors {
            by_descriptor.insert((name, range), e);
        }
        if let Some(folder) = entry.resolved.split_once("@workspace:").map(|(_, f)| f).filter(|_| berry) {
            let folder = if folder == "." { String::new() } else { folder.to_string() };
            workspaces.push((folder, e));
            node_of.push(None);
            continue;
        }
        // A patched package: see below.
        if berry && entry.descriptors.iter().any(|(_, r)| r.starts_with("patch:")) {
            node_of.push(None);
            continue;
        }
        // The registry name: Berry's resolution, or Yarn 1's alias range `npm:lodash@^4`.
        let name = if berry {
            split_name(entry.resolved).map_or(entry.name, |(n, _)| n)
        } else {
            entry
                .descriptors
                .iter()
                .find_map(|(_, r)| r.strip_prefix("npm:").and_then(split_name))
                .map_or(entry.name, |(n, _)| n)
        };
        let key = if berry { entry.resolved.to_string() } else { format!("{}@{}", entry.name, entry.version) };
        node_of.push(Some(graph.node(name, entry.version, &key, None)));
    }
    // Berry's patched packages (`resolve@patch:resolve@npm%3A^1.22.0#optional!builtin<compat/resolve>`, its built-in
    // patches of resolve and TypeScript, or the project's): the package they patch, whose patched copy Yarn installs
    // (one package, its dependencies the same); one it cannot find is a package of its own.
    let mut patches = vec![false; lock.entries.len()];
    for (e, entry) in lock.entries.iter().enumerate() {
        let Some(inner) = entry.descriptors.iter().find_map(|(_, r)| r.strip_prefix("patch:")).filter(|_| berry) else {
            continue;
        };
        let inner = inner.split('#').next().unwrap_or(inner).replace("%3A", ":");
        let base =
            split_name(&inner).and_then(|(name, range)| by_descriptor.get(&(name, range))).and_then(|&b| node_of[b]);
        node_of[e] = match base {
            Some(node) => {
                patches[e] = true;
                Some(node)
            }
            None => {
                let name = split_name(entry.resolved).map_or(entry.name, |(n, _)| n);
                Some(graph.node(name, entry.version, entry.resolved, None))
            }
        };
    }
    let resolve = |name: &str, range: &str| -> Option<usize> {
        let found = by_descriptor.get(&(name, range)).copied();
        found.or_else(|| by_descriptor.get(&(name, format!("npm:{range}").as_str())).copied())
    };
    // The projects: Berry's workspaces, Yarn 1's package.json and its workspaces.
    let folders: Vec<String> = if berry {
        workspaces.iter().map(|(f, _)| f.clone()).collect()
    } else {
        let mut folders = vec![String::new()];
        if let Some(manifest) = manifests.read("") {
            folders.extend(manifests.workspaces(&manifest));
        }
        folders
    };
    let mut folders: Vec<(String, Option<ManifestInfo>)> = folders
        .into_iter()
        .map(|f| {
            let m = manifests.read(&f);
            (f, m)
        })
        .collect();
    folders.sort_by(|a, b| (!a.0.is_empty(), &a.0).cmp(&(!b.0.is_empty(), &b.0)));
    for (folder, manifest) in &folders {
        let name = manifest.as_ref().and_then(|m| m.name().map(str::to_string));
        graph.roots.push(Root { path: folder.clone(), name });
    }
    // A Yarn 1 lockfile older than its package.json (a range raised since the last `yarn install`): the entry the
    // project's old range resolved to is still there, under a range nothing declares any longer. The project is still
    // linked to it, with that old range, as npm's lockfile links the project to the copy it installed: what is
    // installed is what the lockfile says until Yarn resolves the new range, and a fix reads that the range is ahead
    // of the lockfile (not that the package belongs to no project, which would plan a fix a refreshed lockfile does
    // not need). Of several such entries of one name, the newest.
    let stale: HashMap<&str, (usize, &str)> = if berry {
        HashMap::default()
    } else {
        let mut declared: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
        for entry in &lock.entries {
            let lists = [&entry.dependencies, &entry.optional_dependencies, &entry.peer_dependencies];
            declared.extend(lists.into_iter().flat_map(|list| list.iter().copied()));
        }
        for (_, manifest) in &folders {
            for section in INSTALLED {
                declared.extend(manifest.iter().flat_map(|m| m.dependencies(section)));
            }
        }
        let mut stale: HashMap<&str, (usize, &str)> = HashMap::new();
        for (e, entry) in lock.entries.iter().enumerate() {
            let Some(node) = node_of[e].filter(|_| !patches[e]) else { continue };
            for &(name, range) in &entry.descriptors {
                if declared.contains(&(name, range)) {
                    continue;
                }
                let newer = |other: usize| {
                    let version = |n: usize| nodejs_semver::Version::parse(&graph.nodes[n].version).ok();
                    version(node) > version(other)
                };
                match stale.get(name) {
                    Some(&(other, _)) if !newer(other) => {}
                    _ => {
                        stale.insert(name, (node, range));
                    }
                }
            }
        }
        stale
    };
    for (r, (folder, manifest)) in folders.iter().enumerate() {
        let declared = |kind: DepKind, name: &str, range: &str| (kind, name.to_string(), range.to_string());
        let mut deps: Vec<(DepKind, String, String)> = Vec::new();
        match (berry, workspaces.iter().find(|(f, _)| f == folder)) {
            (true, Some(&(_, e))) => {
                // Berry merges devDependencies and optionalDependencies into the workspace's dependencies: the
                // manifest (and `dependenciesMeta`) tells them apart.
                let entry = &lock.entries[e];
                let section = |name: &str| {
                    let all = manifest.as_ref().map(|m| m.dependency_all(name)).unwrap_or_default();
                    if yarn_optional(entry, name) || all.iter().any(|(s, _)| *s == DepSection::OptionalDependencies) {
                        DepKind::Optional
                    } else if !all.is_empty() && all.iter().all(|(s, _)| *s == DepSection::DevDependencies) {
                        DepKind::Dev
                    } else {
                        DepKind::Prod
                    }
                };
                for &(name, range) in entry.dependencies.iter().chain(&entry.optional_dependencies) {
                    deps.push(declared(section(name), name, range));
                }
            }
            _ => {
                for section in INSTALLED {
                    for (name, range) in manifest.iter().flat_map(|m| m.dependencies(section)) {
                        deps.push(declared(DepKind::of(section), name, range));
                    }
                }
            }
        }
        for (kind, name, range) in deps {
            if let Some(to) = resolve(&name, &range).and_then(|e| node_of[e]) {
                graph.edges.push((Parent::Root(r), to, kind, Some(range)));
            } else if let Some((to, locked)) = stale.get(name.as_str()).filter(|_| !berry) {
                graph.edges.push((Parent::Root(r), *to, kind, Some(locked.to_string())));
            }
        }
    }
    for (e, entry) in lock.entries.iter().enumerate().filter(|&(e, _)| !patches[e]) {
        let Some(from) = node_of[e] else { continue };
        let sections = [(DepKind::Prod, &entry.dependencies), (DepKind::Optional, &entry.optional_dependencies)];
        for (kind, list) in sections {
            for &(name, range) in list.iter() {
                // Yarn 1 lists a package's optional dependencies in both maps.
                if kind == DepKind::Prod && entry.optional_dependencies.iter().any(|(n, _)| *n == name) {
                    continue;
                }
                let kind = if yarn_optional(entry, name) { DepKind::Optional } else { kind };
                if let Some(to) = resolve(name, range).and_then(|t| node_of[t]) {
                    graph.edges.push((Parent::Package(from), to, kind, Some(range.to_string())));
                }
            }
        }
    }
    // A peer is what the package's parent provides (Berry records the peers, not what they resolve to).
    let mut children: HashMap<Parent, Vec<usize>> = HashMap::new();
    let mut dependents: HashMap<usize, Vec<Parent>> = HashMap::new();
    for &(from, to, _, _) in &graph.edges {
        children.entry(from).or_default().push(to);
        dependents.entry(to).or_default().push(from);
    }
    let mut peers: Vec<(Parent, usize, DepKind, Option<String>)> = Vec::new();
    for (e, entry) in lock.entries.iter().enumerate().filter(|&(e, _)| !patches[e]) {
        let Some(from) = node_of[e] else { continue };
        for &(name, range) in &entry.peer_dependencies {
            let mut provided: Vec<usize> = dependents
                .get(&from)
                .into_iter()
                .flatten()
                .filter_map(|parent| children.get(parent)?.iter().copied().find(|&c| graph.nodes[c].name == name))
                .collect();
            provided.sort_unstable();
            provided.dedup();
            peers.extend(
                provided.into_iter().map(|to| (Parent::Package(from), to, DepKind::Peer, Some(range.to_string()))),
            );
        }
    }
    graph.edges.extend(peers);
    if berry {
        // Berry writes a registry range with its protocol (`npm:^4.18.2`); the manifest's is `^4.18.2`.
        for edge in &mut graph.edges {
            if let Some(range) = edge.3.as_mut() {
                if let Some(plain) = range.strip_prefix("npm:").filter(|r| split_name(r).is_none()) {
                    *range = plain.to_string();
                }
            }
        }
    }
    let version = if berry { lock.version.to_string() } else { "1".to_string() };
    Ok((version, graph))
}

/// Whether Berry's `dependenciesMeta` marks a dependency optional (it lists optional dependencies among the others).
fn yarn_optional(entry: &yarn_lock_parser::Entry<'_>, name: &str) -> bool {
    entry.dependencies_meta.iter().any(|(n, meta)| *n == name && meta.optional == Some(true))
}

/// The parser's reason, in a line.
fn yarn_reason(err: &yarn_lock_parser::YarnLockError) -> String {
    let yarn_lock_parser::YarnLockError::Parser { source } = err;
    match source {
        nom::Err::Incomplete(_) => "it ends early".to_string(),
        nom::Err::Error(e) | nom::Err::Failure(e) => {
            let (at, kind) =
                e.errors.first().map_or((String::new(), String::new()), |(i, k)| (i.clone(), format!("{k:?}")));
            let line = at.lines().next().unwrap_or("").trim();
            format!("{kind} at `{line}`")
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// pnpm

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PnpmLock {
    lockfile_version: Text,
    importers: Option<Ordered<PnpmImporter>>,
    /// A single project's importer, at the top level (lockfile version 6 without workspaces).
    dependencies: Ordered<PnpmImporterDep>,
    dev_dependencies: Ordered<PnpmImporterDep>,
    optional_dependencies: Ordered<PnpmImporterDep>,
    packages: Ordered<PnpmPackage>,
    snapshots: Option<Ordered<PnpmPackage>>,
    overrides: Ordered<Text>,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PnpmImporter {
    dependencies: Ordered<PnpmImporterDep>,
    dev_dependencies: Ordered<PnpmImporterDep>,
    optional_dependencies: Ordered<PnpmImporterDep>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct PnpmImporterDep {
    specifier: Text,
    version: Text,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PnpmPackage {
    name: Text,
    version: Text,
    dependencies: Ordered<Text>,
    optional_dependencies: Ordered<Text>,
    peer_dependencies: Ordered<Text>,
    dev: Option<bool>,
    optional: bool,
}

impl PnpmLock {
    /// Below this size a lockfile is read in one piece (two threads would cost more than they save).
    const PARTS_FROM: usize = 256 * 1024;

    /// A large lockfile read as its parts, `packages:` on one thread and the rest (the header, `importers:`,
    /// `snapshots:`) on another: pnpm writes each top-level key at the start of a line with its block below it, so
    /// the text splits there into documents of their own. `None` when the text is small, the split lines are not
    /// found, or a part does not read.
    fn read_in_parts(text: &str, options: &(dyn Fn() -> serde_saphyr::Options + Sync)) -> Option<PnpmLock> {
        if text.len() < Self::PARTS_FROM {
            return None;
        }
        let at = |key: &str| {
            let found = if text.starts_with(key) { Some(0) } else { text.find(&format!("\n{key}")).map(|i| i + 1) };
            found.filter(|&i| text[i + key.len()..].starts_with(['\n', '\r']))
        };
        let packages = at("packages:")?;
        let end = at("snapshots:").filter(|&s| s > packages).or_else(|| {
            // (The top-level key after `packages:`, if any: a line that starts with neither a space nor a comment.)
            let rest = &text[packages + 1..];
            rest.match_indices('\n')
                .map(|(i, _)| packages + 1 + i + 1)
                .find(|&i| text[i..].starts_with(|c: char| c.is_ascii_alphabetic()))
        });
        let end = end.unwrap_or(text.len());
        let read = |part: &str| serde_saphyr::from_str_with_options::<PnpmLock>(part, options()).ok();
        let (middle, (head, tail)) = rayon::join(
            || read(&text[packages..end]),
            || (read(&text[..packages]), if end < text.len() { read(&text[end..]) } else { Some(PnpmLock::default()) }),
        );
        let (mut lock, middle, tail) = (head?, middle?, tail?);
        // (A key in two parts, which one document would refuse: the whole text decides.)
        let keys = |l: &PnpmLock| {
            [
                l.lockfile_version.0.is_some(),
                l.importers.is_some(),
                l.snapshots.is_some(),
                !l.dependencies.0.is_empty(),
                !l.dev_dependencies.0.is_empty(),
                !l.optional_dependencies.0.is_empty(),
                !l.packages.0.is_empty(),
                !l.overrides.0.is_empty(),
            ]
        };
        let (a, b, c) = (keys(&lock), keys(&middle), keys(&tail));
        if (0..a.len()).any(|i| [a[i], b[i], c[i]].iter().filter(|k| **k).count() > 1) {
            return None;
        }
        for part in [middle, tail] {
            lock.lockfile_version.0 = lock.lockfile_version.0.or(part.lockfile_version.0);
            lock.importers = lock.importers.or(part.importers);
            lock.snapshots = lock.snapshots.or(part.snapshots);
            for (mine, theirs) in [
                (&mut lock.dependencies, part.dependencies),
                (&mut lock.dev_dependencies, part.dev_dependencies),
                (&mut lock.optional_dependencies, part.optional_dependencies),
            ] {
                mine.0.extend(theirs.0);
            }
            lock.packages.0.extend(part.packages.0);
            lock.overrides.0.extend(part.overrides.0);
        }
        Some(lock)
    }
}

/// A pnpm package key without the leading `/` (version 6) and the peers' suffix: `(name, version)`.
fn pnpm_split_key(key: &str) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let plain = key.find('(').map_or(key, |at| &key[..at]);
    split_name(plain)
}

fn pnpm(text: &str, manifests: &Manifests<'_>) -> Result<(String, Graph), String> {
    // serde-saphyr's budget guards against documents that cost more than their size (aliases that expand, deep
    // nesting); its node and event counts are sized for configuration files, a lockfile has as many as its bytes.
    let options = || {
        let mut budget = serde_saphyr::Budget::default();
        budget.max_nodes = budget.max_nodes.max(text.len());
        budget.max_events = budget.max_events.max(text.len().saturating_mul(2));
        let mut options = serde_saphyr::Options::default();
        options.budget = Some(budget);
        options
    };
    let unread = |version: &str| {
        let major: u32 = version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
        (!(6..=9).contains(&major))
            .then(|| format!("has lockfileVersion {version}, which this tool does not read (it reads 6 to 9)"))
    };
    // (An older format does not parse as this one: its version is the reason, not where the parse stopped.)
    let declared = text.lines().find_map(|l| l.strip_prefix("lockfileVersion:"));
    if let Some(message) = declared.and_then(|v| unread(v.trim().trim_matches(['\'', '"']))) {
        return Err(message);
    }
    // (A large lockfile's `packages` and `snapshots` are read on two threads: see [`PnpmLock::read_in_parts`]. Where a
    // part does not read, the whole text is read again for the error, whose line is then the file's.)
    let lock = PnpmLock::read_in_parts(text, &options).map_or_else(
        || {
            serde_saphyr::from_str_with_options::<PnpmLock>(text, options()).map_err(|e| {
                let message = e.to_string();
                format!("is not a valid pnpm lockfile: {}", message.lines().next().unwrap_or(&message))
            })
        },
        Ok,
    )?;
    let version = lock.lockfile_version.0.ok_or("is not a valid pnpm lockfile: it has no lockfileVersion")?;
    if let Some(message) = unread(&version) {
        return Err(message);
    }
    let major: u32 = version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    let mut graph = Graph {
        overrides: pairs(&lock.overrides).map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..Graph::default()
    };
    // Version 9 lists each package once in `packages` (its metadata) and each of its peer variants in `snapshots`
    // (its dependencies); version 6 has only `packages`, keyed `/name@version(peers)`.
    let leading = if major >= 9 { "" } else { "/" };
    let (nodes, metadata) = match lock.snapshots {
        Some(snapshots) => (snapshots, Some(lock.packages)),
        None => (lock.packages, None),
    };
    let metadata: HashMap<&str, &PnpmPackage> =
        metadata.iter().flat_map(|m| m.0.iter()).map(|(k, v)| (k.as_str(), v)).collect();
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(nodes.0.len());
    for (key, entry) in &nodes.0 {
        let plain = key.find('(').map_or(key.as_str(), |at| &key[..at]);
        let meta = metadata.get(plain).copied().unwrap_or(entry);
        // Non-registry packages name themselves (`name:`, `version:`); registry ones by their key.
        let (name, version) = match (meta.name.0.as_deref(), meta.version.0.as_deref()) {
            (Some(name), Some(version)) => (name, version),
            _ => pnpm_split_key(key).ok_or_else(|| format!("has a package key pnpm does not write: `{key}`"))?,
        };
        let shown = key.strip_prefix('/').unwrap_or(key);
        // Version 6 flags each package (`dev: true`, `dev: false`, absent for both); 9 does not.
        let flags = match (major, entry.dev) {
            (6..=8, Some(dev)) => Some((dev, entry.optional)),
            _ => None,
        };
        index.insert(key.as_str(), graph.node(name, version, shown, flags));
    }
    // A dependency's reference: a version (`1.2.3`, `1.2.3(peer@1.0.0)`), an alias (`lodash@4.17.21`, version 6:
    // `/lodash@4.17.21`), a key of its own (`github.com/...`), or a link to a project (`link:../b`).
    let resolve = |name: &str, reference: &str| -> Option<usize> {
        if reference.starts_with("link:") {
            return None;
        }
        let plain = reference.find('(').map_or(reference, |at| &reference[..at]);
        let alias = plain.starts_with('/') || split_name(plain).is_some_and(|(n, _)| !n.is_empty());
        let key = if alias { reference.to_string() } else { format!("{leading}{name}@{reference}") };
        index.get(key.as_str()).or_else(|| index.get(reference)).copied()
    };
    let importers: Vec<(String, PnpmImporter)> = match lock.importers {
        Some(importers) => importers.0,
        None => vec![(
            ".".to_string(),
            PnpmImporter {
                dependencies: lock.dependencies,
                dev_dependencies: lock.dev_dependencies,
                optional_dependencies: lock.optional_dependencies,
            },
        )],
    };
    let mut importers: Vec<(String, PnpmImporter)> =
        importers.into_iter().map(|(path, i)| (if path == "." { String::new() } else { path }, i)).collect();
    importers.sort_by(|a, b| (!a.0.is_empty(), &a.0).cmp(&(!b.0.is_empty(), &b.0)));
    for (r, (path, importer)) in importers.iter().enumerate() {
        let name = manifests.read(path).and_then(|m| m.name().map(str::to_string));
        graph.roots.push(Root { path: path.clone(), name });
        let sections = [
            (DepKind::Prod, &importer.dependencies),
            (DepKind::Dev, &importer.dev_dependencies),
            (DepKind::Optional, &importer.optional_dependencies),
        ];
        for (kind, deps) in sections {
            for (name, dep) in &deps.0 {
                let Some(to) = dep.version.0.as_deref().and_then(|v| resolve(name, v)) else { continue };
                graph.edges.push((Parent::Root(r), to, kind, dep.specifier.0.clone()));
            }
        }
    }
    for (key, entry) in &nodes.0 {
        let from = index[key.as_str()];
        let plain = key.find('(').map_or(key.as_str(), |at| &key[..at]);
        let peers = &metadata.get(plain).copied().unwrap_or(entry).peer_dependencies;
        for (kind, deps) in [(DepKind::Prod, &entry.dependencies), (DepKind::Optional, &entry.optional_dependencies)] {
            for (name, reference) in pairs(deps) {
                let Some(to) = resolve(name, reference) else { continue };
                // A resolved peer is listed among the dependencies; its range is the package's (recorded, unlike the
                // others').
                match pairs(peers).find(|(peer, _)| *peer == name) {
                    Some((_, range)) => {
                        graph.edges.push((Parent::Package(from), to, DepKind::Peer, Some(range.to_string())))
                    }
                    None => graph.edges.push((Parent::Package(from), to, kind, None)),
                }
            }
        }
    }
    Ok((version, graph))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pnpm 9 lockfile of `n` packages (each depending on the next), over [`PnpmLock::PARTS_FROM`] for large `n`.
    fn pnpm9(n: usize, newline: &str) -> String {
        let mut out = format!(
            "lockfileVersion: '9.0'{newline}{newline}settings:{newline}  autoInstallPeers: true{newline}{newline}\
             importers:{newline}{newline}  .:{newline}    dependencies:{newline}      p0:{newline}        \
             specifier: ^1.0.0{newline}        version: 1.0.0{newline}{newline}packages:{newline}{newline}"
        );
        for i in 0..n {
            out.push_str(&format!(
                "  p{i}@1.0.0:{newline}    resolution: {{integrity: sha512-x{i}}}{newline}    engines: \
                 {{node: '>=14'}}{newline}{newline}"
            ));
        }
        out.push_str(&format!("snapshots:{newline}{newline}"));
        for i in 0..n {
            out.push_str(&format!("  p{i}@1.0.0:"));
            if i + 1 < n {
                out.push_str(&format!("{newline}    dependencies:{newline}      p{}: 1.0.0{newline}", i + 1));
            } else {
                out.push_str(&format!(" {{}}{newline}"));
            }
            out.push_str(newline);
        }
        out
    }

    /// The version, the importers' count, the packages' keys, and each snapshot with its dependencies' names.
    type Summary = (Option<String>, usize, Vec<String>, Vec<(String, Vec<String>)>);

    fn summary(lock: &PnpmLock) -> Summary {
        let importers = lock.importers.as_ref().map_or(0, |i| i.0.len());
        let packages = lock.packages.0.iter().map(|(k, _)| k.clone()).collect();
        let snapshots = lock.snapshots.as_ref().map_or_else(Vec::new, |s| {
            s.0.iter().map(|(k, p)| (k.clone(), p.dependencies.0.iter().map(|(d, _)| d.clone()).collect())).collect()
        });
        (lock.lockfile_version.0.clone(), importers, packages, snapshots)
    }

    /// A large lockfile read in parts (two threads) gives what one read of the whole text gives, with either line end.
    #[test]
    fn a_large_pnpm_lockfile_read_in_parts_equals_one_read() {
        for newline in ["\n", "\r\n"] {
            let text = pnpm9(4000, newline);
            assert!(text.len() > PnpmLock::PARTS_FROM, "{}", text.len());
            let options = serde_saphyr::Options::default;
            let parts = PnpmLock::read_in_parts(&text, &options).expect("read in parts");
            let whole: PnpmLock = serde_saphyr::from_str(&text).expect("one read");
            assert_eq!(summary(&parts), summary(&whole));
            assert_eq!(summary(&parts).2.len(), 4000);
            assert_eq!(summary(&parts).0.as_deref(), Some("9.0"));
        }
    }

    /// A small lockfile, or a top-level key the split would read twice, is left to one read of the whole text.
    #[test]
    fn a_small_or_doubled_pnpm_lockfile_is_read_whole() {
        let options = serde_saphyr::Options::default;
        assert!(PnpmLock::read_in_parts(&pnpm9(10, "\n"), &options).is_none());
        let doubled = format!("{}packages:\n\n  extra@1.0.0:\n    resolution: {{integrity: x}}\n", pnpm9(4000, "\n"));
        assert!(PnpmLock::read_in_parts(&doubled, &options).is_none());
    }
}
