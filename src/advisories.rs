//! Known advisories of npm packages and which installed versions they affect (issue 15). An advisory is read from the
//! bundled table of the audit's transform or from OSV records (a folder of `.json` files, or a zip such as the
//! ecosystem export `all.zip` or osv-scanner's offline cache); both become the same [`Advisory`].
//!
//! Matching follows the OSV schema: each range's events are sorted by version and walked (`introduced` opens,
//! `fixed` and `last_affected` close, `limit` bounds), several ranges are alternatives, the explicit `versions` list
//! counts too, and a withdrawn advisory matches nothing. Versions compare as npm's semver does (`nodejs_semver`:
//! `1.0.0-rc.1` comes before `1.0.0`). A version that is not semver (a git URL, a `file:` path) matches nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use nodejs_semver::Version;
use serde::{Deserialize, Serialize};

/// GitHub's severity of an advisory (`database_specific.severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// low
    Low,
    /// moderate (OSV records of other sources say "medium")
    #[serde(alias = "medium")]
    Moderate,
    /// high
    High,
    /// critical
    Critical,
}

impl Level {
    /// The word shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Moderate => "moderate",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// Reads `low`, `moderate` (or `medium`), `high`, `critical`, in any case.
    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Level::Low),
            "moderate" | "medium" => Some(Level::Moderate),
            "high" => Some(Level::High),
            "critical" => Some(Level::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The rating of a CVSS v3 vector's base score (CVSS v3.1 specification, section 7: the base metric equations and
/// the Roundup function; section 5: the rating scale), `None` for a vector that is not one. A score of 0 is "none",
/// counted as low.
fn cvss3_level(vector: &str) -> Option<Level> {
    Some(match cvss3_score(vector)? {
        s if s >= 9.0 => Level::Critical,
        s if s >= 7.0 => Level::High,
        s if s >= 4.0 => Level::Moderate,
        _ => Level::Low,
    })
}

/// The base score of a CVSS v3 vector (see [`cvss3_level`]).
fn cvss3_score(vector: &str) -> Option<f64> {
    let mut parts = vector.split('/');
    if !parts.next()?.starts_with("CVSS:3.") {
        return None;
    }
    let metrics: HashMap<&str, &str> = parts.filter_map(|p| p.split_once(':')).collect();
    let metric = |name: &str, values: &[(&str, f64)]| {
        let value = metrics.get(name)?;
        values.iter().find(|(v, _)| v == value).map(|&(_, x)| x)
    };
    let changed = match *metrics.get("S")? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let cia = [("H", 0.56), ("L", 0.22), ("N", 0.0)];
    let (c, i, a) = (metric("C", &cia)?, metric("I", &cia)?, metric("A", &cia)?);
    let av = metric("AV", &[("N", 0.85), ("A", 0.62), ("L", 0.55), ("P", 0.2)])?;
    let ac = metric("AC", &[("L", 0.77), ("H", 0.44)])?;
    let pr = if changed { [("N", 0.85), ("L", 0.68), ("H", 0.5)] } else { [("N", 0.85), ("L", 0.62), ("H", 0.27)] };
    let pr = metric("PR", &pr)?;
    let ui = metric("UI", &[("N", 0.85), ("R", 0.62)])?;
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if changed { 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02_f64).powi(15) } else { 6.42 * iss };
    let exploitability = 8.22 * av * ac * pr * ui;
    Some(if impact <= 0.0 {
        0.0
    } else if changed {
        roundup((1.08 * (impact + exploitability)).min(10.0))
    } else {
        roundup((impact + exploitability).min(10.0))
    })
}

/// CVSS v3.1's Roundup: the smallest number of one decimal at or above `x` (in integers, as the specification's
/// Appendix A does, against floating-point error).
fn roundup(x: f64) -> f64 {
    let int = (x * 100_000.0).round() as i64;
    if int % 10_000 == 0 {
        int as f64 / 100_000.0
    } else {
        ((int / 10_000) + 1) as f64 / 10.0
    }
}

/// One event of an OSV range, as written (`{"introduced": "0"}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The versions from this one on are affected (`"0"`: from the start).
    Introduced(String),
    /// This version is the first not affected again.
    Fixed(String),
    /// The last version affected (the versions after it are not, as far as is known).
    LastAffected(String),
    /// No version from this one on is affected by the range.
    Limit(String),
}

impl Event {
    fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// An event with its version parsed (`None`: `"0"`, before every version).
#[derive(Debug, Clone)]
struct Parsed {
    event: Event,
    at: Option<Version>,
}

/// An advisory about one package (an advisory about two packages is two of them, with the same id).
#[derive(Debug, Clone)]
pub struct Advisory {
    /// The GHSA id (or the OSV id of another source).
    pub id: String,
    /// Its other ids (CVE).
    pub aliases: Vec<String>,
    /// The npm package.
    pub package: String,
    /// One line.
    pub summary: String,
    /// GitHub's severity; `None` when the record gives none.
    pub severity: Option<Level>,
    /// The ranges, each its events as written.
    pub ranges: Vec<Vec<Event>>,
    /// Versions listed one by one.
    pub versions: Vec<String>,
    /// The date it was published.
    pub published: Option<String>,
    /// The date it was withdrawn (it then matches nothing).
    pub withdrawn: Option<String>,
    /// What of the package it concerns (see the transform's README): empty when unknown.
    pub api: Vec<String>,
    /// The first release after each `last_affected` version, when the releases are known (the bundled table's
    /// `next_release`, or the registry's): the fix of a range that names none.
    pub next_release: BTreeMap<String, String>,
    /// The ranges with their versions parsed, each sorted by version.
    sorted: Vec<Vec<Parsed>>,
}

impl Advisory {
    /// An advisory from its parts (the ranges are parsed and sorted here). An event version that is not semver is
    /// an error naming it.
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: String,
        aliases: Vec<String>,
        package: String,
        summary: String,
        severity: Option<Level>,
        ranges: Vec<Vec<Event>>,
        versions: Vec<String>,
        published: Option<String>,
        withdrawn: Option<String>,
        api: Vec<String>,
    ) -> Result<Advisory, String> {
        let mut sorted = Vec::with_capacity(ranges.len());
        for range in &ranges {
            let mut parsed = Vec::with_capacity(range.len());
            for event in range {
                let at = match event.version() {
                    "0" => None,
                    v => Some(Version::parse(v).map_err(|_| {
                        format!("advisory {id} ({package}): `{v}` in its ranges is not a semver version")
                    })?),
                };
                parsed.push(Parsed { event: event.clone(), at });
            }
            // `None` ("0") sorts first; equal versions keep their order.
            parsed.sort_by(|a, b| a.at.cmp(&b.at));
            sorted.push(parsed);
        }
        let next_release = BTreeMap::new();
        Ok(Advisory {
            id,
            aliases,
            package,
            summary,
            severity,
            ranges,
            versions,
            published,
            withdrawn,
            api,
            next_release,
            sorted,
        })
    }

    /// Whether it is a malicious-package record (OpenSSF's malicious-packages, as OSV publishes it: a `MAL-` id, or a
    /// GitHub malware advisory aliased to one): the package is malware, not code with a bug, and no release of it is a
    /// fix.
    pub fn malicious(&self) -> bool {
        self.id.starts_with("MAL-") || self.aliases.iter().any(|a| a.starts_with("MAL-"))
    }

    /// Whether `version` (of this advisory's package) is affected. A withdrawn advisory affects nothing.
    pub fn affects(&self, version: &str) -> bool {
        if self.withdrawn.is_some() {
            return false;
        }
        if self.versions.iter().any(|v| v == version) {
            return true;
        }
        match Version::parse(version) {
            Ok(v) => self.affects_parsed(&v),
            Err(_) => false,
        }
    }

    /// Whether some version `range` admits is affected (the versions between the events, and those listed): a
    /// project without a lockfile may install one.
    pub fn may_affect(&self, range: &nodejs_semver::Range) -> bool {
        if self.withdrawn.is_some() {
            return false;
        }
        if self.versions.iter().any(|v| Version::parse(v).is_ok_and(|v| range.satisfies(&v))) {
            return true;
        }
        let overlaps = |spec: String| nodejs_semver::Range::parse(&spec).is_ok_and(|r| r.allows_any(range));
        self.sorted.iter().any(|events| {
            let mut from: Option<String> = None;
            for p in events {
                let at = p.at.as_ref().map(Version::to_string);
                let end = match (&p.event, at) {
                    (Event::Introduced(_), at) if from.is_none() => {
                        from = Some(format!(">={}", at.unwrap_or_else(|| "0.0.0-0".to_string())));
                        None
                    }
                    (Event::Fixed(_) | Event::Limit(_), Some(at)) => Some(format!("<{at}")),
                    (Event::LastAffected(_), Some(at)) => Some(format!("<={at}")),
                    _ => None,
                };
                if let Some(end) = end {
                    if from.take().is_some_and(|from| overlaps(format!("{from} {end}"))) {
                        return true;
                    }
                }
            }
            from.is_some_and(overlaps)
        })
    }

    fn affects_parsed(&self, v: &Version) -> bool {
        self.withdrawn.is_none() && self.sorted.iter().any(|range| in_range(v, range))
    }

    /// The lowest version above `version` that a range fixes and that the advisory does not affect: the patched
    /// version of the line `version` is on, or of a later one. A range that ends with `last_affected` names no fix:
    /// the first release after it is one, when the releases are known ([`Advisory::next_release`]). `None` when no
    /// fix is known.
    pub fn patched_after(&self, version: &str) -> Option<Version> {
        let v = Version::parse(version).ok()?;
        let after_last = |at: &Version| self.next_release.get(&at.to_string()).and_then(|r| Version::parse(r).ok());
        self.sorted
            .iter()
            .flatten()
            .filter_map(|p| match (&p.event, &p.at) {
                (Event::Fixed(_), Some(at)) if *at > v => Some(at.clone()),
                (Event::LastAffected(_), Some(at)) if *at >= v => after_last(at),
                _ => None,
            })
            .filter(|at| !self.affects_parsed(at) && !self.versions.iter().any(|l| *l == at.to_string()))
            .filter(|at| !UNPUBLISHED_FIXES.contains(&(self.package.as_str(), at.to_string().as_str())))
            .min()
    }

    /// Which releases the advisory affects when its record lists no fixed version at all (no `fixed` nor
    /// `last_affected` event, no explicit versions): `every release` (`introduced: "0"`), or `every release from
    /// <version> on`; `None` when the record names a fix or a last affected version.
    pub fn lists_no_fix(&self) -> Option<String> {
        let ends = |p: &Parsed| matches!(p.event, Event::Fixed(_) | Event::LastAffected(_));
        if !self.versions.is_empty() || self.sorted.is_empty() || self.sorted.iter().flatten().any(ends) {
            return None;
        }
        let from = self
            .sorted
            .iter()
            .flatten()
            .filter(|p| matches!(p.event, Event::Introduced(_)))
            .map(|p| p.at.clone())
            .min()
            .flatten();
        Some(from.map_or_else(|| "every release".to_string(), |v| format!("every release from {v} on")))
    }

    /// Whether a range ends with a `last_affected` whose next release is not known yet.
    pub fn wants_releases(&self) -> bool {
        self.sorted.iter().flatten().any(|p| {
            matches!(p.event, Event::LastAffected(_))
                && p.at.as_ref().is_some_and(|at| !self.next_release.contains_key(&at.to_string()))
        })
    }

    /// Learns the first release after each `last_affected` from the package's `releases` (oldest first, no
    /// prereleases), checked as the bundled table's `next_release` is: where a release the same advisory's fix of
    /// another package depends on (`floors`, pug 3.0.3's pug-code-gen ^3.0.3 for GHSA-3965-hpx2-q597) is a later
    /// release, that one is the fix.
    pub fn learn_releases(&mut self, releases: &[Version], floors: &[Version]) {
        for at in self.sorted.iter().flatten().filter(|p| matches!(p.event, Event::LastAffected(_))) {
            let Some(at) = &at.at else { continue };
            if let Some(next) = releases.iter().find(|r| *r > at) {
                let fix = floors.iter().filter(|f| *f > next && releases.contains(f)).max().unwrap_or(next);
                self.next_release.entry(at.to_string()).or_insert_with(|| fix.to_string());
            }
        }
    }
}

/// `fixed` versions that advisories name and npm never published (checked with `npm view <package> versions`): the
/// fix is elsewhere (xmldom's continues as `@xmldom/xmldom`), so no fix may move a project to them (`npm install`
/// would fail). They still end their ranges.
const UNPUBLISHED_FIXES: [(&str, &str); 3] =
    [("xmldom", "0.7.0"), ("@xmldom/xmldom", "0.9.0-beta.1"), ("@xmldom/xmldom", "0.9.0-beta.4")];

/// OSV's evaluation of one range (events sorted by version).
fn in_range(v: &Version, events: &[Parsed]) -> bool {
    let mut affected = false;
    for p in events {
        let at_or_after = |at: &Option<Version>| at.as_ref().is_none_or(|at| v >= at);
        match &p.event {
            Event::Introduced(_) if at_or_after(&p.at) => affected = true,
            Event::Fixed(_) if at_or_after(&p.at) => affected = false,
            Event::LastAffected(_) if p.at.as_ref().is_some_and(|at| v > at) => affected = false,
            Event::Limit(_) if at_or_after(&p.at) => return false,
            _ => {}
        }
    }
    affected
}

/// A set of advisories, by package.
#[derive(Debug, Clone, Default)]
pub struct Database {
    /// Where they come from, for messages (`bundled table compiled 2026-12-01`, a path).
    pub source: String,
    /// The packages the source covers; `None`: every npm package (an OSV export).
    pub covered: Option<BTreeSet<String>>,
    /// The date of the bundled table (`compiled`); `None` for other sources.
    pub compiled: Option<String>,
    by_package: HashMap<String, Vec<Advisory>>,
    /// The package names of `by_package` by their lower-case spelling, for records that spell a name otherwise than
    /// npm does (GitHub's record of `axios` says `Axios`).
    folded: HashMap<String, Vec<String>>,
}

/// An entry of the bundled table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableEntry {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    package: String,
    summary: String,
    severity: Level,
    ranges: Vec<Vec<Event>>,
    #[serde(default)]
    versions: Vec<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    #[serde(default)]
    api: Vec<String>,
    #[serde(default)]
    next_release: BTreeMap<String, String>,
}

/// The bundled table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    compiled: String,
    source: String,
    packages: Vec<String>,
    advisories: Vec<TableEntry>,
}

impl Database {
    /// The advisories about `package`.
    pub fn for_package(&self, package: &str) -> &[Advisory] {
        self.by_package.get(package).map_or(&[], Vec::as_slice)
    }

    /// Whether the source says anything about `package` (no advisory for a covered package means none is known).
    pub fn covers(&self, package: &str) -> bool {
        self.covered.as_ref().is_none_or(|c| c.contains(package))
    }

    /// How many advisories (one per package) it holds.
    pub fn len(&self) -> usize {
        self.by_package.values().map(Vec::len).sum()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every advisory, by package then id.
    pub fn all(&self) -> Vec<&Advisory> {
        let mut all: Vec<&Advisory> = self.by_package.values().flatten().collect();
        all.sort_by(|a, b| (&a.package, &a.id).cmp(&(&b.package, &b.id)));
        all
    }

    fn add(&mut self, advisory: Advisory) {
        let list = self.by_package.entry(advisory.package.clone()).or_default();
        if list.is_empty() {
            let folded = self.folded.entry(advisory.package.to_lowercase()).or_default();
            folded.push(advisory.package.clone());
        }
        list.push(advisory);
    }

    /// The advisories about the installed package `name`: those about that exact name, and those whose record spells
    /// it in another case (`Axios` for `axios`) unless `installed` says a package of that exact spelling is installed
    /// too (npm still has legacy mixed-case names, `JSONStream`, that are packages of their own).
    pub fn for_installed(&self, name: &str, installed: &dyn Fn(&str) -> bool) -> Vec<&Advisory> {
        let mut hits: Vec<&Advisory> = self.for_package(name).iter().collect();
        if let Some(spellings) = self.folded.get(&name.to_lowercase()) {
            for other in spellings.iter().filter(|s| *s != name && !installed(s)) {
                hits.extend(self.for_package(other));
            }
        }
        hits
    }

    /// The fixes the record of `advisory` gives its other packages, as (package, fixed version): pug 3.0.3 for
    /// pug-code-gen's GHSA-3965-hpx2-q597.
    pub fn fixes_of_others(&self, advisory: &Advisory) -> Vec<(String, String)> {
        let others =
            self.by_package.values().flatten().filter(|a| a.id == advisory.id && a.package != advisory.package);
        others
            .flat_map(|a| {
                a.ranges.iter().flatten().filter_map(|e| match e {
                    Event::Fixed(v) => Some((a.package.clone(), v.clone())),
                    _ => None,
                })
            })
            .collect()
    }

    /// The advisories about `package`, to change.
    pub fn for_package_mut(&mut self, package: &str) -> &mut [Advisory] {
        self.by_package.get_mut(package).map_or(&mut [], Vec::as_mut_slice)
    }

    /// Adds the advisories of `other` that this one does not have (by id and package).
    pub fn merge(&mut self, other: Database) {
        let known: BTreeSet<(String, String)> =
            self.by_package.values().flatten().map(|a| (a.package.clone(), a.id.clone())).collect();
        for advisory in other.by_package.into_values().flatten() {
            if !known.contains(&(advisory.package.clone(), advisory.id.clone())) {
                self.add(advisory);
            }
        }
    }

    /// Reads OSV records (JSON texts) fetched from `source`.
    pub fn from_osv_records(source: String, records: &[String]) -> Result<Database, String> {
        let mut db = Database { source, ..Database::default() };
        for text in records {
            db.add_osv(text)?;
        }
        Ok(db)
    }

    /// Reads the npm registry's bulk advisory answers (`{"name": [{"id", "url", "title", "severity",
    /// "vulnerable_versions"}]}`), each `(registry, answer)`: an advisory whose url names a GHSA id gets that id (the
    /// registry's advisories are GitHub's); its `vulnerable_versions` becomes OSV ranges.
    pub fn from_npm_bulk(source: String, answers: &[(String, String)]) -> Result<Database, String> {
        let mut db = Database { source, ..Database::default() };
        for (registry, text) in answers {
            let bulk: BTreeMap<String, Vec<NpmAdvisory>> = serde_json::from_str(text)
                .map_err(|e| format!("{registry}: the bulk advisory answer is not what npm's registry gives: {e}"))?;
            for (package, advisories) in bulk {
                for a in advisories {
                    let id = a
                        .url
                        .as_deref()
                        .and_then(|u| u.rsplit('/').next())
                        .filter(|last| last.starts_with("GHSA-"))
                        .map_or_else(|| format!("NPM-{}", a.id), str::to_string);
                    let range = a.vulnerable_versions.as_deref().unwrap_or("*");
                    let (ranges, versions) = npm_range_events(range).ok_or_else(|| {
                        format!("{registry}: advisory {id} of {package} has vulnerable_versions `{range}`, which is not an npm range this tool reads")
                    })?;
                    // (npm counts an advisory without a severity as high.)
                    let severity = Level::parse(a.severity.as_deref().unwrap_or("high"));
                    db.add(Advisory::new(
                        id,
                        Vec::new(),
                        package.clone(),
                        a.title.unwrap_or_default(),
                        severity,
                        ranges,
                        versions,
                        None,
                        None,
                        Vec::new(),
                    )?);
                }
            }
        }
        Ok(db)
    }

    /// Reads the bundled table (its format: the transform's README, "The bundled table").
    pub fn from_table(json: &str) -> Result<Database, String> {
        let table: Table = serde_json::from_str(json).map_err(|e| format!("the advisory table is invalid: {e}"))?;
        let mut db = Database {
            source: format!("{} (compiled {})", table.source, table.compiled),
            covered: Some(table.packages.into_iter().collect()),
            compiled: Some(table.compiled),
            ..Database::default()
        };
        for e in table.advisories {
            if !db.covers(&e.package) {
                return Err(format!(
                    "the advisory table's {} is about {}, which `packages` does not list",
                    e.id, e.package
                ));
            }
            let mut advisory = Advisory::new(
                e.id,
                e.aliases,
                e.package,
                e.summary,
                Some(e.severity),
                e.ranges,
                e.versions,
                e.published,
                e.withdrawn,
                e.api,
            )?;
            advisory.next_release = e.next_release;
            db.add(advisory);
        }
        Ok(db)
    }

    /// Reads OSV records from a folder (every `.json` file in it and below, and every `.zip` of them: osv-scanner's
    /// offline cache keeps npm's as `osv-scanner/npm/all.zip`) or a zip (every `.json` entry). A record that is not
    /// OSV JSON is an error naming it; records about other ecosystems are skipped. A path that holds no npm record at
    /// all is an error too: a gate fed no advisories would pass everything.
    pub fn load_osv(path: &Path) -> Result<Database, String> {
        let shown = crate::root::display_path(path);
        let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: cannot read the advisories: {e}"))?;
        let mut db = Database { source: shown.clone(), ..Database::default() };
        if meta.is_dir() {
            let mut files = Vec::new();
            record_files(path, &mut files).map_err(|e| format!("{shown}: cannot read the advisories: {e}"))?;
            files.sort();
            for file in files {
                if file.extension().is_some_and(|e| e == "zip") {
                    db.add_zip(&file)?;
                    continue;
                }
                let text = crate::fsread::read_text(&file, crate::fsread::TEXT_LIMIT, None)
                    .map_err(|e| format!("{}: {e}", crate::root::display_path(&file)))?;
                db.add_osv(&text).map_err(|e| format!("{}: {e}", crate::root::display_path(&file)))?;
            }
        } else {
            db.add_zip(path)?;
        }
        if db.is_empty() {
            return Err(format!(
                "{shown}: holds no OSV record of an npm package (expected .json records, a zip of them such as OSV's \
                 npm/all.zip, or osv-scanner's offline cache, osv-scanner/npm/all.zip)"
            ));
        }
        Ok(db)
    }

    /// Adds the records of a zip (every `.json` entry).
    fn add_zip(&mut self, path: &Path) -> Result<(), String> {
        let shown = crate::root::display_path(path);
        let file = std::fs::File::open(path).map_err(|e| format!("{shown}: cannot read the advisories: {e}"))?;
        let mut zip = zip::ZipArchive::new(file)
            .map_err(|e| format!("{shown}: is neither a folder nor a zip of OSV records: {e}"))?;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| format!("{shown}: unreadable entry {i}: {e}"))?;
            let name = entry.name().map_err(|e| format!("{shown}: unreadable entry {i}: {e}"))?.to_string();
            if !entry.is_file() || !name.ends_with(".json") {
                continue;
            }
            if entry.size() > crate::fsread::TEXT_LIMIT {
                return Err(format!("{shown}: {name} is larger than an OSV record can be"));
            }
            let mut text = String::new();
            entry.read_to_string(&mut text).map_err(|e| format!("{shown}: {name}: {e}"))?;
            self.add_osv(&text).map_err(|e| format!("{shown}: {name}: {e}"))?;
        }
        Ok(())
    }

    /// Adds the npm parts of one OSV record.
    pub(crate) fn add_osv(&mut self, text: &str) -> Result<(), String> {
        let record: OsvRecord = serde_json::from_str(text).map_err(|e| format!("not an OSV record: {e}"))?;
        // GitHub's severity; else the CVSS v3 vector's base score; a malicious package (`MAL-`, ossf's
        // malicious-packages, which GitHub rates critical as malware) is critical.
        let severity = record
            .database_specific
            .as_ref()
            .and_then(|d| d.severity.as_deref())
            .and_then(Level::parse)
            .or_else(|| record.severity.iter().filter(|s| s.kind == "CVSS_V3").find_map(|s| cvss3_level(&s.score)))
            .or_else(|| record.id.starts_with("MAL-").then_some(Level::Critical));
        let date = |d: Option<String>| d.map(|d| d.chars().take(10).collect::<String>());
        for affected in record.affected {
            let Some(package) = affected.package.filter(|p| p.ecosystem == "npm") else { continue };
            let ranges: Vec<Vec<Event>> = affected
                .ranges
                .into_iter()
                .filter(|r| r.kind == "SEMVER" || r.kind == "ECOSYSTEM")
                .map(|r| r.events)
                .collect();
            self.add(Advisory::new(
                record.id.clone(),
                record.aliases.clone(),
                package.name,
                record.summary.clone().unwrap_or_default(),
                severity,
                ranges,
                affected.versions,
                date(record.published.clone()),
                date(record.withdrawn.clone()),
                Vec::new(),
            )?);
        }
        Ok(())
    }

    /// Fills the `api` of advisories that have none from another database's advisory of the same id and package
    /// (an OSV record does not say what the advisory concerns; the bundled table does), and their CVE aliases when
    /// the source gives none (npm's bulk answer).
    pub fn take_api_from(&mut self, other: &Database) {
        for advisory in self.by_package.values_mut().flatten() {
            let package = advisory.package.to_lowercase();
            if let Some(known) = other.for_package(&package).iter().find(|o| o.id == advisory.id) {
                if advisory.api.is_empty() {
                    advisory.api.clone_from(&known.api);
                }
                if advisory.aliases.is_empty() {
                    advisory.aliases.clone_from(&known.aliases);
                }
                // (The first release after a `last_affected` the two records share.)
                for (last, next) in &known.next_release {
                    advisory.next_release.entry(last.clone()).or_insert_with(|| next.clone());
                }
            }
        }
    }
}

/// The `.json` and `.zip` files under `dir` (symbolic links not followed).
fn record_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            record_files(&path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "json" || e == "zip") {
            out.push(path);
        }
    }
    Ok(())
}

/// One advisory of npm's bulk answer (the fields `@npmcli/metavuln-calculator` reads).
#[derive(Deserialize)]
struct NpmAdvisory {
    id: serde_json::Value,
    url: Option<String>,
    title: Option<String>,
    severity: Option<String>,
    vulnerable_versions: Option<String>,
}

/// An npm range as OSV events (one range per `||` alternative) and explicit versions; `None` when it uses what an
/// advisory range does not (`^`, `~`, wildcards inside a version). npm reads advisory ranges with prereleases
/// included, so the events' plain version order is npm's meaning: `>a` opens at the first version after `a`.
pub fn npm_range_events(range: &str) -> Option<(Vec<Vec<Event>>, Vec<String>)> {
    let mut ranges = Vec::new();
    let mut versions = Vec::new();
    for part in range.split("||").map(str::trim) {
        // `a - b`: from a to b, both included.
        let words: Vec<&str> = part.split_whitespace().collect();
        if let [from, "-", to] = words[..] {
            let (from, _) = padded(from)?;
            let (to, parts) = padded(to)?;
            let end = if parts == 3 { Event::LastAffected(to) } else { Event::Fixed(bumped(&to, parts)?) };
            ranges.push(vec![Event::Introduced(from), end]);
            continue;
        }
        let mut start = Event::Introduced("0".to_string());
        let mut end = None;
        let mut exact = None;
        // `>= 1.2.3` may be written with a space.
        let mut tokens = Vec::new();
        let mut pending = String::new();
        for w in words {
            if matches!(w, ">" | ">=" | "<" | "<=" | "=") {
                pending = w.to_string();
            } else {
                tokens.push(format!("{pending}{w}"));
                pending.clear();
            }
        }
        for token in tokens {
            let (op, v) = match token.find(|c: char| c.is_ascii_alphanumeric() || c == '*') {
                Some(i) => token.split_at(i),
                None => return None,
            };
            if matches!(v, "*" | "x" | "X") {
                continue;
            }
            let (at, parts) = padded(v)?;
            match op {
                ">=" => start = Event::Introduced(at),
                ">" => start = Event::Introduced(if parts == 3 { next_after(&at) } else { bumped(&at, parts)? }),
                "<" => end = Some(Event::Fixed(at)),
                "<=" => {
                    end = Some(if parts == 3 { Event::LastAffected(at) } else { Event::Fixed(bumped(&at, parts)?) })
                }
                "" | "=" if parts == 3 => exact = Some(at),
                "" | "=" => {
                    start = Event::Introduced(at.clone());
                    end = Some(Event::Fixed(bumped(&at, parts)?));
                }
                _ => return None,
            }
        }
        match exact {
            Some(v) => versions.push(v),
            None => ranges.push(std::iter::once(start).chain(end).collect()),
        }
    }
    Some((ranges, versions))
}

/// A version of one to three parts (`v` and a leading `=` allowed), padded to three, and how many parts it had.
fn padded(text: &str) -> Option<(String, usize)> {
    let text = text.trim_start_matches(['v', '=']);
    let (core, pre) = match text.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (text, None),
    };
    let parts: Vec<&str> = core.split('.').filter(|p| !matches!(*p, "x" | "X" | "*")).collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.parse::<u64>().is_err()) {
        return None;
    }
    let n = parts.len();
    let mut full: Vec<&str> = parts;
    full.resize(3, "0");
    let mut version = full.join(".");
    if let Some(pre) = pre {
        if n != 3 {
            return None;
        }
        version = format!("{version}-{pre}");
    }
    Version::parse(&version).ok()?;
    Some((version, n))
}

/// The first version past a partial one (`1.2` -> `1.3.0-0`, `1` -> `2.0.0-0`).
fn bumped(version: &str, parts: usize) -> Option<String> {
    let v = Version::parse(version).ok()?;
    Some(match parts {
        1 => format!("{}.0.0-0", v.major + 1),
        _ => format!("{}.{}.0-0", v.major, v.minor + 1),
    })
}

/// The first version after `version` in npm's order: `1.2.4-0` after `1.2.3`, `1.0.0-rc.1.0` after `1.0.0-rc.1`.
fn next_after(version: &str) -> String {
    match Version::parse(version) {
        Ok(v) if v.pre_release.is_empty() => format!("{}.{}.{}-0", v.major, v.minor, v.patch + 1),
        _ => format!("{version}.0"),
    }
}

#[derive(Deserialize)]
struct OsvRecord {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    summary: Option<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    #[serde(default)]
    affected: Vec<OsvAffected>,
    database_specific: Option<OsvSpecific>,
    #[serde(default)]
    severity: Vec<OsvSeverity>,
}

/// A score of an OSV record (`{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/..."}`).
#[derive(Deserialize)]
struct OsvSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct OsvAffected {
    package: Option<OsvPackage>,
    #[serde(default)]
    ranges: Vec<OsvRange>,
    #[serde(default)]
    versions: Vec<String>,
}

#[derive(Deserialize)]
struct OsvPackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct OsvRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct OsvSpecific {
    severity: Option<String>,
}

/// What the releases of a package declare for their dependencies: the releases (prereleases left out), oldest first,
/// and for each dependency the runs of releases that declare one range (`(from, range)`: the releases from `from` on,
/// until the next run; `""`: no such dependency); the same for their peer dependencies (`peers`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Releases {
    versions: Vec<String>,
    declares: BTreeMap<String, Vec<(String, String)>>,
    #[serde(default)]
    peers: BTreeMap<String, Vec<(String, String)>>,
}

impl Releases {
    /// The releases from the registry's abbreviated metadata of a package (`application/vnd.npm.install-v1+json`:
    /// `{"versions": {"1.0.0": {"dependencies": {...}}}}`).
    pub fn from_packument(text: &str) -> Result<Releases, String> {
        #[derive(Deserialize)]
        struct Packument {
            versions: BTreeMap<String, Manifest>,
        }
        #[derive(Deserialize)]
        struct Manifest {
            #[serde(default, deserialize_with = "map_or_none")]
            dependencies: BTreeMap<String, serde_json::Value>,
            #[serde(default, rename = "peerDependencies", deserialize_with = "map_or_none")]
            peer_dependencies: BTreeMap<String, serde_json::Value>,
        }
        // Early releases wrote `"dependencies": []` (underscore 1.0.3), which npm reads as none: so does this, rather
        // than refusing every release of the package.
        fn map_or_none<'de, D: serde::Deserializer<'de>>(
            deserializer: D,
        ) -> Result<BTreeMap<String, serde_json::Value>, D::Error> {
            Ok(match serde_json::Value::deserialize(deserializer)? {
                serde_json::Value::Object(map) => map.into_iter().collect(),
                _ => BTreeMap::new(),
            })
        }
        let packument: Packument = serde_json::from_str(text).map_err(|e| format!("not package metadata: {e}"))?;
        let mut releases: Vec<(Version, Manifest)> = packument
            .versions
            .into_iter()
            .filter_map(|(v, m)| Version::parse(&v).ok().filter(|v| v.pre_release.is_empty()).map(|v| (v, m)))
            .collect();
        releases.sort_by(|a, b| a.0.cmp(&b.0));
        let runs = |of: fn(&Manifest) -> &BTreeMap<String, serde_json::Value>| {
            let names: BTreeSet<&String> = releases.iter().flat_map(|(_, m)| of(m).keys()).collect();
            let mut out = BTreeMap::new();
            for name in names {
                let mut runs: Vec<(String, String)> = Vec::new();
                for (v, m) in &releases {
                    let range = of(m).get(name).and_then(|r| r.as_str()).unwrap_or_default();
                    if runs.last().is_none_or(|(_, last)| last != range) {
                        runs.push((v.to_string(), range.to_string()));
                    }
                }
                out.insert(name.clone(), runs);
            }
            out
        };
        let declares = runs(|m| &m.dependencies);
        let peers = runs(|m| &m.peer_dependencies);
        let versions = releases.into_iter().map(|(v, _)| v.to_string()).collect();
        Ok(Releases { versions, declares, peers })
    }

    /// The releases, oldest first.
    pub fn versions(&self) -> impl Iterator<Item = Version> + '_ {
        self.versions.iter().filter_map(|v| Version::parse(v).ok())
    }

    /// The newest release that every range of `ranges` admits (what a package manager resolves them to).
    pub fn newest_admitted(&self, ranges: &[nodejs_semver::Range]) -> Option<Version> {
        self.versions().filter(|v| ranges.iter().all(|r| v.satisfies(r))).max()
    }

    /// The range `release` declares for `dependency` (`""`: it does not depend on it); `None` when the release is
    /// not known. A peer dependency is one too (npm 7+ and pnpm install it, and the release depends on it as much); a
    /// range in `dependencies` wins, as package managers read it.
    pub fn declared(&self, release: &str, dependency: &str) -> Option<&str> {
        let own = self.run(&self.declares, release, dependency)?;
        if !own.is_empty() {
            return Some(own);
        }
        self.run(&self.peers, release, dependency)
    }

    /// The range `release` declares for `dependency` in its `peerDependencies` alone (`""`: none).
    pub fn peer(&self, release: &str, dependency: &str) -> Option<&str> {
        self.run(&self.peers, release, dependency)
    }

    /// Every package some release declares as a dependency or a peer.
    pub fn dependency_names(&self) -> impl Iterator<Item = &str> {
        let names: BTreeSet<&str> = self.declares.keys().chain(self.peers.keys()).map(String::as_str).collect();
        names.into_iter()
    }

    /// The range of `dependency` in `runs` at `release`.
    fn run<'a>(
        &'a self,
        runs: &'a BTreeMap<String, Vec<(String, String)>>,
        release: &str,
        dependency: &str,
    ) -> Option<&'a str> {
        let at = self.versions.iter().position(|v| v == release)?;
        let runs = runs.get(dependency).map_or(&[][..], Vec::as_slice);
        let run = runs.iter().rev().find(|(from, _)| self.versions.iter().position(|v| v == from) <= Some(at));
        Some(run.map_or("", |(_, range)| range.as_str()))
    }
}

/// The releases of the packages that commonly pull in the table's packages (`transforms/advisories/parents.json`),
/// and those the registry answered for this run.
#[derive(Debug, Clone, Default)]
pub struct ParentReleases {
    by_parent: HashMap<String, Releases>,
}

impl ParentReleases {
    /// Reads `parents.json` (its format: the transform's README, "Raising a parent").
    pub fn from_table(json: &str) -> Result<ParentReleases, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            #[serde(rename = "compiled")]
            _compiled: String,
            #[serde(rename = "source")]
            _source: String,
            parents: HashMap<String, Releases>,
        }
        let table: Table = serde_json::from_str(json).map_err(|e| format!("the parents' table is invalid: {e}"))?;
        Ok(ParentReleases { by_parent: table.parents })
    }

    /// The releases of `parent`, when known.
    pub fn get(&self, parent: &str) -> Option<&Releases> {
        self.by_parent.get(parent)
    }

    /// Adds (or replaces) the releases of `parent`.
    pub fn insert(&mut self, parent: String, releases: Releases) {
        self.by_parent.insert(parent, releases);
    }
}

/// Whether the project's code calls what an advisory concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reachability {
    /// Some module calls it.
    Called,
    /// No module of the project does.
    NotCalled,
    /// What the advisory concerns is not known, or the code could not tell.
    Unknown,
}

impl Reachability {
    /// The words shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Reachability::Called => "called",
            Reachability::NotCalled => "not called",
            Reachability::Unknown => "unknown",
        }
    }
}

/// How an advisory is fixed, least risky first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixKind {
    /// The lockfile moves the package to a patched version its parents' ranges already admit.
    LockfileRefresh,
    /// The project's own dependency is raised (its range style kept).
    Bump,
    /// An override (npm `overrides`, Yarn `resolutions`) forces the patched version, outside a parent's range.
    Override,
    /// No fix is made: the description says why.
    None,
}

impl FixKind {
    /// The kind of fix in words: `lockfile refresh`, `raised dependency`, `override`, `none`.
    pub fn words(self) -> &'static str {
        match self {
            FixKind::LockfileRefresh => "lockfile refresh",
            FixKind::Bump => "raised dependency",
            FixKind::Override => "override",
            FixKind::None => "none",
        }
    }

    /// [`FixKind::words`] with its article: `a lockfile refresh`, `an override` (`none` alone).
    pub fn words_with_article(self) -> String {
        match self.words() {
            "none" => "none".to_string(),
            words if words.starts_with('o') => format!("an {words}"),
            words => format!("a {words}"),
        }
    }
}

/// The fix planned for an advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvisoryFix {
    /// Which kind of fix.
    pub kind: FixKind,
    /// What is done, or why nothing is, in a sentence.
    pub description: String,
    /// The entries of the run's dependency changes that carry it (indices into the JSON document's
    /// `dependency_changes`), filled in by the JSON output from [`AdvisoryReport::carriers`].
    pub dependency_changes: Vec<usize>,
}

impl AdvisoryFix {
    /// A fix of `kind` described so, not yet linked to the dependency changes that carry it.
    pub fn new(kind: FixKind, description: String) -> AdvisoryFix {
        AdvisoryFix { kind, description, dependency_changes: Vec::new() }
    }
}

/// A package.json entry a fix writes or counts on (a raise an earlier fix of the run planned, or the express-version
/// transform's): the manifest, the section and the key (a package name, an alias, an override key such as
/// `ws@7.x`). The JSON output links the fix to the dependency change of that entry, when the run makes one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Carrier {
    /// The package.json.
    pub manifest: PathBuf,
    /// Its section.
    pub section: crate::manifest::DepSection,
    /// The entry's key.
    pub key: String,
}

/// One advisory affecting one installed package version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvisoryReport {
    /// The GHSA id.
    pub id: String,
    /// Its CVE ids.
    pub aliases: Vec<String>,
    /// The package.
    pub package: String,
    /// The installed version.
    pub installed: String,
    /// The first version that fixes it after the installed one; `None` when no fix is known.
    pub patched: Option<String>,
    /// GitHub's severity (`low`, `moderate`, `high`, `critical`); `None` when the source gives none.
    pub severity: Option<String>,
    /// One line.
    pub summary: String,
    /// Its page (`https://osv.dev/vulnerability/<id>`).
    pub url: String,
    /// The lockfile that installs the package.
    #[serde(serialize_with = "display")]
    pub lockfile: PathBuf,
    /// The manifest the report is attached to (the lockfile's project).
    #[serde(serialize_with = "display")]
    pub manifest: PathBuf,
    /// The line of the manifest that lists the direct dependency leading to it (1 when none does).
    pub line: usize,
    /// The dependency chains to it, `project > a@1.0.0 > b@2.0.0`: every route to each installed copy (the shortest
    /// first), at most [`MAX_PATHS`] in all.
    pub paths: Vec<String>,
    /// The routes to its copies that `paths` leaves out (a huge tree has thousands).
    pub paths_omitted: u64,
    /// Whether the project's code calls what it concerns.
    pub reachability: Reachability,
    /// Why that verdict, in a few words.
    pub reachability_reason: String,
    /// The planned fix.
    pub fix: AdvisoryFix,
    /// The package.json entries that carry the fix (see [`Carrier`]); none for a lockfile refresh or no fix.
    #[serde(skip)]
    pub carriers: Vec<Carrier>,
    /// The packages the lockfile refresh moves for it besides the package itself: parents whose specs admit a release
    /// that depends on a fixed one (`"cookie-parser": "*"`).
    #[serde(skip)]
    pub moves: Vec<String>,
    /// The parents a raise could fix it through whose releases were not looked up (not in the bundled table, the
    /// registry not asked): `--lockfile` asks the registry and may plan a raise this run does not show.
    #[serde(skip)]
    pub unasked: Vec<String>,
    /// At or above the `--fail-on` severity: `--check` fails.
    pub gate: bool,
    /// The rule of the finding that reports it (the outputs that list advisories on their own leave it out).
    #[serde(skip)]
    pub rule: String,
    /// That finding's message.
    #[serde(skip)]
    pub message: String,
}

/// The most dependency chains an advisory's report lists ([`AdvisoryReport::paths`]); the others are counted.
pub const MAX_PATHS: usize = 20;

/// Who runs a lockfile update this tool runs itself, in a fix's words ([`AdvisoryReport::refresh_failed`] rewrites it
/// when it failed).
pub const RUN_BY_LOCKFILE: &str = "run by --write --lockfile";

impl AdvisoryReport {
    /// The lockfile update its fix counted on was run and failed: its fix and message say so instead of promising
    /// the run (the caller updates the finding that reports it); whether they changed.
    pub fn refresh_failed(&mut self) -> bool {
        if !self.fix.description.contains(RUN_BY_LOCKFILE) {
            return false;
        }
        let failed = format!(
            "{RUN_BY_LOCKFILE}, which failed (see the error for {}): not fixed yet",
            crate::root::display_path(&self.lockfile)
        );
        self.message = self.message.replace(RUN_BY_LOCKFILE, &failed);
        self.fix.description = self.fix.description.replace(RUN_BY_LOCKFILE, &failed);
        true
    }

    /// Whether a finding (rule, file, line, message) is the one that reports this advisory.
    pub fn reported_by(&self, rule: &str, path: &Path, line: usize, message: &str) -> bool {
        self.rule == rule && self.manifest == path && self.line == line && self.message == message
    }

    /// The SARIF level of its severity: error for high and critical, warning for moderate (and unknown), note for
    /// low.
    pub fn sarif_level(&self) -> &'static str {
        match self.severity.as_deref() {
            Some("critical" | "high") => "error",
            Some("low") => "note",
            _ => "warning",
        }
    }

    /// GitHub code scanning's `security-severity` for its severity (the middle of each CVSS band).
    pub fn security_severity(&self) -> &'static str {
        match self.severity.as_deref() {
            Some("critical") => "9.5",
            Some("high") => "8.0",
            Some("low") => "2.0",
            _ => "5.5",
        }
    }
}

/// A path as the outputs show it.
fn display<S: serde::Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&crate::root::display_path(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CVSS v3 base scores of common vectors (as NVD's calculator gives them), and the rating each gets.
    #[test]
    fn cvss3_base_scores_and_ratings() {
        for (metrics, score, level) in [
            ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, Level::Critical),
            ("AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, Level::Critical),
            ("AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, Level::High),
            ("AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, Level::High),
            ("AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, Level::Moderate),
            ("AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 3.7, Level::Low),
            ("AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, Level::Low),
        ] {
            let vector = format!("CVSS:3.1/{metrics}");
            assert_eq!(cvss3_score(&vector), Some(score), "{vector}");
            assert_eq!(cvss3_level(&vector), Some(level), "{vector}");
        }
        assert_eq!(cvss3_level("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"), None);
        assert_eq!(cvss3_level("CVSS:3.1/AV:N/AC:L"), None);
    }

    fn advisory(ranges: Vec<Vec<Event>>, versions: &[&str]) -> Advisory {
        let versions = versions.iter().map(|v| v.to_string()).collect();
        Advisory::new("GHSA-x".into(), vec![], "p".into(), String::new(), None, ranges, versions, None, None, vec![])
            .expect("valid")
    }

    fn i(v: &str) -> Event {
        Event::Introduced(v.to_string())
    }
    fn f(v: &str) -> Event {
        Event::Fixed(v.to_string())
    }
    fn l(v: &str) -> Event {
        Event::LastAffected(v.to_string())
    }

    #[test]
    fn osv_semantics() {
        // Two lines, each with its fix, the events written out of order.
        let a = advisory(vec![vec![f("1.2.3"), i("0")], vec![i("2.0.0"), f("2.1.4")]], &[]);
        for (v, want) in [
            ("0.1.0", true),
            ("1.2.2", true),
            ("1.2.3", false),
            ("1.9.0", false),
            ("2.0.0-beta.1", false),
            ("2.0.0", true),
            ("2.1.4-rc.1", true),
            ("2.1.4", false),
            ("3.0.0", false),
            ("not-a-version", false),
        ] {
            assert_eq!(a.affects(v), want, "{v}");
        }
        assert_eq!(a.patched_after("1.0.0").map(|v| v.to_string()).as_deref(), Some("1.2.3"));
        assert_eq!(a.patched_after("2.0.5").map(|v| v.to_string()).as_deref(), Some("2.1.4"));
        // One range with several introduced/fixed pairs.
        let b = advisory(vec![vec![i("1.0.0"), f("1.0.5"), i("1.1.0"), l("1.1.2")]], &["0.9.9"]);
        assert!(!b.affects("0.9.0") && b.affects("0.9.9") && b.affects("1.0.4") && !b.affects("1.0.5"));
        assert!(b.affects("1.1.2") && !b.affects("1.1.3"));
        assert_eq!(b.patched_after("1.1.0"), None, "last_affected names no fix");
        // The first release after it is one, once the releases are known (prereleases are not given).
        let mut b = b;
        assert!(b.wants_releases());
        let releases: Vec<Version> =
            ["1.0.5", "1.1.2", "1.1.4", "1.2.0"].iter().filter_map(|v| Version::parse(v).ok()).collect();
        let mut floored = b.clone();
        b.learn_releases(&releases, &[]);
        assert!(!b.wants_releases());
        assert_eq!(b.patched_after("1.1.0").map(|v| v.to_string()).as_deref(), Some("1.1.4"));
        assert_eq!(b.patched_after("1.0.4").map(|v| v.to_string()).as_deref(), Some("1.0.5"), "the fixed event first");
        assert_eq!(b.patched_after("1.1.3"), None, "not affected: nothing after it");
        // A later release another package's fix depends on is the fix; one npm never published is not.
        let floors: Vec<Version> = ["1.2.0", "1.3.0"].iter().filter_map(|v| Version::parse(v).ok()).collect();
        floored.learn_releases(&releases, &floors);
        assert_eq!(floored.patched_after("1.1.0").map(|v| v.to_string()).as_deref(), Some("1.2.0"));
        // Withdrawn: nothing.
        let mut c = advisory(vec![vec![i("0")]], &[]);
        assert!(c.affects("9.9.9"));
        c.withdrawn = Some("2024-01-01".into());
        assert!(!c.affects("9.9.9"));
    }

    #[test]
    fn npm_ranges_become_osv_events_with_npms_meaning() {
        let affects = |range: &str, v: &str| {
            let (ranges, versions) = npm_range_events(range).expect(range);
            advisory_with(ranges, versions).affects(v)
        };
        for (range, v, want) in [
            ("<1.20.3", "1.20.2", true),
            ("<1.20.3", "1.20.3", false),
            ("<=4.0.13 || >=4.1.0 <4.1.2", "4.0.13", true),
            ("<=4.0.13 || >=4.1.0 <4.1.2", "4.0.14", false),
            ("<=4.0.13 || >=4.1.0 <4.1.2", "4.1.1", true),
            (">1.2.3 <2.0.0", "1.2.3", false),
            (">1.2.3 <2.0.0", "1.2.4", true),
            (">= 2.0.0 < 2.1.4", "2.1.0", true),
            ("<2", "1.9.9", true),
            ("<2", "2.0.0", false),
            ("<=1.2", "1.2.9", true),
            ("<=1.2", "1.3.0", false),
            ("1.0.5 || 1.0.6", "1.0.6", true),
            ("1.0.5 || 1.0.6", "1.0.7", false),
            ("1.2.0 - 1.4.2", "1.4.2", true),
            ("1.2.0 - 1.4.2", "1.4.3", false),
            ("*", "9.9.9", true),
            (">=0.0.0", "0.1.0", true),
            ("<1.0.0", "1.0.0-rc.1", true),
        ] {
            assert_eq!(affects(range, v), want, "{v} in {range}");
        }
        // The fix of each line comes from the `<` bounds.
        let (ranges, versions) = npm_range_events("<3.0.8 || >=4.0.0 <4.5.3").expect("range");
        let a = advisory_with(ranges, versions);
        assert_eq!(a.patched_after("4.1.0").map(|v| v.to_string()).as_deref(), Some("4.5.3"));
        assert_eq!(a.patched_after("3.0.1").map(|v| v.to_string()).as_deref(), Some("3.0.8"));
        assert!(npm_range_events("^1.2.3").is_none());
    }

    fn advisory_with(ranges: Vec<Vec<Event>>, versions: Vec<String>) -> Advisory {
        Advisory::new("GHSA-n".into(), vec![], "p".into(), String::new(), None, ranges, versions, None, None, vec![])
            .expect("valid")
    }

    #[test]
    fn a_name_in_another_case_matches_only_when_no_package_has_that_spelling() {
        let mut db = Database::default();
        let mut axios = advisory(vec![vec![i("0")]], &[]);
        axios.package = "Axios".into();
        db.add(axios);
        let mut stream = advisory(vec![vec![i("0")]], &[]);
        stream.package = "JSONStream".into();
        db.add(stream);
        let none = |_: &str| false;
        assert_eq!(db.for_installed("axios", &none).len(), 1);
        assert_eq!(db.for_installed("jsonstream", &none).len(), 1);
        // `JSONStream` is installed too: its advisories are its own, not lower-case jsonstream's.
        let both = |n: &str| n == "JSONStream";
        assert_eq!(db.for_installed("jsonstream", &both).len(), 0);
        assert_eq!(db.for_installed("JSONStream", &both).len(), 1);
    }

    #[test]
    fn releases_say_what_each_release_declares() {
        let packument = r#"{ "versions": {
            "1.0.0": { "dependencies": { "cookie": "0.4.1" } },
            "1.0.1": { "dependencies": { "cookie": "0.4.1", "qs": "6.0.0" } },
            "1.1.0-beta.1": { "dependencies": { "cookie": "9.9.9" } },
            "1.1.0": { "dependencies": { "cookie": "0.7.2" } },
            "1.2.0": {},
            "1.3.0": { "peerDependencies": { "cookie": "^1.0.0" } }
        } }"#;
        let r = Releases::from_packument(packument).expect("packument");
        let versions: Vec<String> = r.versions().map(|v| v.to_string()).collect();
        assert_eq!(versions, ["1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.3.0"], "prereleases left out, in version order");
        assert_eq!(r.declared("1.0.1", "cookie"), Some("0.4.1"));
        assert_eq!(r.declared("1.1.0", "cookie"), Some("0.7.2"));
        assert_eq!(r.declared("1.2.0", "cookie"), Some(""), "no longer a dependency");
        assert_eq!(r.declared("1.0.0", "qs"), Some(""));
        assert_eq!(r.declared("1.0.1", "qs"), Some("6.0.0"));
        assert_eq!(r.declared("1.3.0", "cookie"), Some("^1.0.0"), "a peer is a dependency too");
        assert_eq!((r.peer("1.3.0", "cookie"), r.peer("1.1.0", "cookie")), (Some("^1.0.0"), Some("")));
        assert_eq!(r.declared("1.4.0", "cookie"), None, "an unknown release");
        assert!(Releases::from_packument("[]").is_err());
        // A release of the npm 1 era lists its dependencies as an empty array (underscore 1.0.3): none.
        let early = r#"{ "versions": { "1.0.3": { "dependencies": [] }, "1.12.1": {} } }"#;
        let r = Releases::from_packument(early).expect("an array of dependencies is none");
        assert_eq!(r.versions().map(|v| v.to_string()).collect::<Vec<_>>(), ["1.0.3", "1.12.1"]);
        // The bundled table reads, and knows cookie-parser's pins.
        let table = ParentReleases::from_table(include_str!("../transforms/advisories/parents.json")).expect("table");
        let cookie_parser = table.get("cookie-parser").expect("cookie-parser");
        assert_eq!(cookie_parser.declared("1.4.6", "cookie"), Some("0.4.1"));
        assert_eq!(cookie_parser.declared("1.4.7", "cookie"), Some("0.7.2"));
        // And the peers: connect-mongo 4.6.0 makes mongodb a peer.
        let connect_mongo = table.get("connect-mongo").expect("connect-mongo");
        assert_eq!(connect_mongo.declared("4.5.0", "mongodb"), Some("4.1.0"));
        assert_eq!(connect_mongo.declared("4.6.0", "mongodb"), Some("^4.1.0"));
        assert_eq!(connect_mongo.peer("4.6.0", "mongodb"), Some("^4.1.0"));
    }

    #[test]
    fn a_bad_version_in_a_range_is_named() {
        let e = Advisory::new(
            "GHSA-y".into(),
            vec![],
            "p".into(),
            String::new(),
            None,
            vec![vec![f("1.x")]],
            vec![],
            None,
            None,
            vec![],
        )
        .expect_err("refused");
        assert!(e.contains("`1.x`") && e.contains("GHSA-y"), "{e}");
    }
}
