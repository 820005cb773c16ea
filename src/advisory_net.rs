//! The network sources of the advisories (`--advisories osv|npm`, issue 15), the only parts of the tool that use the
//! network, and only when asked:
//!
//! - **osv**: `POST <base>/v1/querybatch` with every installed `name@version` (1,000 a request, following each
//!   result's `next_page_token`), then `GET <base>/v1/vulns/<id>` for each id whose record is not in the cache with
//!   the same `modified` date. The cache is `$XDG_CACHE_HOME/express-harden/osv/<id>.json` (`~/.cache/...` without
//!   the variable), each `{"modified": <the date the batch listed>, "record": <the record>}`. The base is `https://api.osv.dev`, or `EXPRESS_HARDEN_OSV_URL`, or the configuration's
//!   `"advisories": { "osvUrl": ... }`.
//! - **npm**: the registry's bulk advisory endpoint that `npm audit` uses (`POST <registry>/-/npm/v1/security/
//!   advisories/bulk`, the body `{"name": ["1.2.3", ...]}` gzipped, as `@npmcli/arborist`'s `audit-report.js` sends
//!   it), to the registry the project's `.npmrc` then the user's `~/.npmrc` name (a scope's own registry for its
//!   packages, so a private scope's names never go to the public registry), with that registry's token only.
//!
//! A failure (no connection, a timeout, an HTTP error, an answer that is not what the API gives) is an error naming
//! the URL and the reason; the run then stops before anything is planned.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// OSV's API.
pub const OSV_URL: &str = "https://api.osv.dev";
/// The environment variable that points the osv source elsewhere (a mirror, a test's server).
pub const OSV_URL_VAR: &str = "EXPRESS_HARDEN_OSV_URL";
/// npm's default registry.
pub const NPM_REGISTRY: &str = "https://registry.npmjs.org/";
/// How many queries OSV takes in one batch.
const BATCH: usize = 1000;
/// The most pages one query's results are followed for.
const MAX_PAGES: usize = 100;
/// The largest answer read (OSV's own limit over HTTP/1.1 is 32 MiB).
const ANSWER_LIMIT: u64 = 64 * 1024 * 1024;

/// The HTTP client: timeouts (10 s to connect, 60 s a request), the system's certificates, HTTP errors read as
/// answers (their status is reported).
fn agent() -> ureq::Agent {
    let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::PlatformVerifier).build();
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .user_agent(concat!("express-harden/", env!("CARGO_PKG_VERSION")))
        .tls_config(tls)
        .build()
        .into()
}

/// The body of a successful answer; any failure names the method, the URL and the reason.
fn answer(
    method: &str,
    url: &str,
    sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<String, String> {
    let failed = |reason: String| format!("{method} {url} failed: {reason}");
    let mut response = sent.map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    let body = response.body_mut().with_config().limit(ANSWER_LIMIT).read_to_string();
    if !status.is_success() {
        let text = body.unwrap_or_default();
        let detail = text.trim().lines().next().map(|l| l.chars().take(200).collect::<String>()).unwrap_or_default();
        let detail = if detail.is_empty() { String::new() } else { format!(": {detail}") };
        return Err(failed(format!("HTTP {status}{detail}")));
    }
    body.map_err(|e| failed(e.to_string()))
}

/// `POST url` with a JSON body (gzipped when `gzip`), with extra headers.
fn post_json(
    agent: &ureq::Agent,
    url: &str,
    body: &str,
    gzip: bool,
    headers: &[(&str, String)],
) -> Result<String, String> {
    let mut request = agent.post(url).header("content-type", "application/json").header("accept", "application/json");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let sent = if gzip {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let zipped = encoder.write_all(body.as_bytes()).and_then(|()| encoder.finish());
        let zipped = zipped.map_err(|e| format!("POST {url} failed: cannot compress the request: {e}"))?;
        request.header("content-encoding", "gzip").send(&zipped[..])
    } else {
        request.send(body)
    };
    answer("POST", url, sent)
}

/// The folder OSV records are cached in: `$XDG_CACHE_HOME/express-harden/osv`, else `~/.cache/express-harden/osv`.
pub fn osv_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("express-harden").join("osv"))
}

#[derive(Deserialize)]
struct Batch {
    #[serde(default)]
    results: Vec<BatchResult>,
}

#[derive(Deserialize)]
struct BatchResult {
    #[serde(default)]
    vulns: Vec<Listed>,
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct Listed {
    id: String,
    modified: Option<String>,
}

/// A cached record: the `modified` date the batch listed it with, and the record as the API gave it.
#[derive(Deserialize)]
struct Cached {
    modified: String,
    record: serde_json::Value,
}

/// The OSV records (JSON texts) of the advisories affecting `packages` (name, version), from the OSV API at `base`,
/// through the cache in `cache` (`None`: no cache). Returns the records, and how many were fetched.
pub fn osv_records(
    base: &str,
    packages: &BTreeSet<(String, String)>,
    cache: Option<&Path>,
) -> Result<(Vec<String>, usize), String> {
    let agent = agent();
    let base = base.trim_end_matches('/');
    let url = format!("{base}/v1/querybatch");
    let mut ids: BTreeMap<String, Option<String>> = BTreeMap::new();
    let packages: Vec<&(String, String)> = packages.iter().collect();
    for chunk in packages.chunks(BATCH) {
        // (query index, page token) still to ask.
        let mut pending: Vec<(usize, Option<String>)> = (0..chunk.len()).map(|i| (i, None)).collect();
        let mut pages = 0;
        while !pending.is_empty() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(format!("POST {url} failed: more than {MAX_PAGES} pages of results for one query"));
            }
            let queries: Vec<serde_json::Value> = pending
                .iter()
                .map(|(i, token)| {
                    let (name, version) = chunk[*i];
                    let mut q =
                        serde_json::json!({ "package": { "name": name, "ecosystem": "npm" }, "version": version });
                    if let Some(token) = token {
                        q["page_token"] = serde_json::Value::String(token.clone());
                    }
                    q
                })
                .collect();
            let body = serde_json::json!({ "queries": queries }).to_string();
            let text = post_json(&agent, &url, &body, false, &[])?;
            let batch: Batch = serde_json::from_str(&text)
                .map_err(|e| format!("POST {url} failed: the answer is not OSV's batch result: {e}"))?;
            if batch.results.len() != pending.len() {
                return Err(format!(
                    "POST {url} failed: {} results for {} queries (OSV answers each query in order)",
                    batch.results.len(),
                    pending.len()
                ));
            }
            let mut next = Vec::new();
            for ((i, _), result) in pending.iter().zip(batch.results) {
                for listed in result.vulns {
                    ids.insert(listed.id, listed.modified);
                }
                if let Some(token) = result.next_page_token.filter(|t| !t.is_empty()) {
                    next.push((*i, Some(token)));
                }
            }
            pending = next;
        }
    }
    let mut records = Vec::with_capacity(ids.len());
    let mut fetched = 0;
    for (id, modified) in ids {
        // An id is a file name only when it is plainly one (GHSA-xxxx-xxxx-xxxx, CVE-..., MAL-...).
        let cached = cache
            .filter(|_| {
                !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            })
            .filter(|_| !id.starts_with('.'))
            .map(|dir| dir.join(format!("{id}.json")));
        // Cached with the same `modified`: the record has not changed since (an id listed without a date is asked
        // again).
        let hit = cached
            .as_ref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .and_then(|text| serde_json::from_str::<Cached>(&text).ok())
            .filter(|c| modified.as_ref() == Some(&c.modified));
        if let Some(hit) = hit {
            records.push(hit.record.to_string());
            continue;
        }
        let url = format!("{base}/v1/vulns/{id}");
        let text = answer("GET", &url, agent.get(&url).header("accept", "application/json").call())?;
        if let Err(e) = crate::advisories::Database::default().add_osv(&text) {
            return Err(format!("GET {url} failed: the answer is not an OSV record: {e}"));
        }
        fetched += 1;
        if let (Some(path), Some(modified)) = (&cached, &modified) {
            // A cache that cannot be written only costs the next run a download.
            if let Ok(record) = serde_json::from_str::<serde_json::Value>(&text) {
                let entry = serde_json::json!({ "modified": modified, "record": record });
                let _ = write_cached(path, &entry.to_string());
            }
        }
        records.push(text);
    }
    Ok((records, fetched))
}

/// Writes a cached record whole or not at all (a temporary file renamed over it).
fn write_cached(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The settings of `.npmrc` files that the npm source reads: the project's (first), then the user's.
#[derive(Debug, Default, Clone)]
pub struct Npmrc {
    values: HashMap<String, String>,
}

impl Npmrc {
    /// Reads npm's settings in npm's order: the environment's `npm_config_registry` (any case, as CI set-ups such as
    /// actions/setup-node give it), then `<dir>/.npmrc`, then the user's file (`npm_config_userconfig`, else
    /// `$HOME/.npmrc`); the first to set a key wins. A file that is missing is skipped.
    pub fn load(dir: &Path) -> Npmrc {
        let mut npmrc = Npmrc::default();
        let setting = |name: &str| {
            std::env::vars_os().find_map(|(key, value)| {
                let key = key.to_str()?.to_ascii_lowercase();
                (key.strip_prefix("npm_config_") == Some(name)).then(|| value.into_string().ok()).flatten()
            })
        };
        if let Some(registry) = setting("registry").filter(|r| !r.is_empty()) {
            npmrc.values.insert("registry".to_string(), registry);
        }
        let user = setting("userconfig")
            .filter(|u| !u.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".npmrc")));
        for path in std::iter::once(dir.join(".npmrc")).chain(user) {
            if let Ok(text) = std::fs::read_to_string(&path) {
                for (key, value) in Npmrc::parse(&text) {
                    npmrc.values.entry(key).or_insert(value);
                }
            }
        }
        npmrc
    }

    /// The `key=value` lines of an `.npmrc` (comments and blank lines skipped, quotes taken off, `${VAR}` replaced
    /// by the variable, as npm does).
    fn parse(text: &str) -> Vec<(String, String)> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| {
                let v = v.trim();
                let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
                (expand(k.trim()), expand(v))
            })
            .collect()
    }

    /// Whether `package`'s scope has a registry of its own (`@corp:registry=`): a private scope.
    pub fn has_scope_registry(&self, package: &str) -> bool {
        package
            .strip_prefix('@')
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(scope, _)| self.values.contains_key(&format!("@{scope}:registry")))
    }

    /// The registry of `package`: its scope's (`@corp:registry=`), else `registry=`, else npm's; always ending in `/`.
    pub fn registry_for(&self, package: &str) -> String {
        let scoped = package
            .strip_prefix('@')
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(scope, _)| self.values.get(&format!("@{scope}:registry")));
        let registry = scoped.or(self.values.get("registry")).map_or(NPM_REGISTRY, String::as_str);
        if registry.ends_with('/') {
            registry.to_string()
        } else {
            format!("{registry}/")
        }
    }

    /// The `authorization` header for `url`: the token (`:_authToken`) or credentials (`:_auth`) set for the longest
    /// `//host/path/` prefix of it, as npm finds them; none for another host.
    pub fn authorization(&self, url: &str) -> Option<String> {
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
        let mut key = format!("//{rest}");
        if let Some(q) = key.find(['?', '#']) {
            key.truncate(q);
        }
        while key.len() > 2 {
            if let Some(token) = self.values.get(&format!("{key}:_authToken")) {
                return Some(format!("Bearer {token}"));
            }
            if let Some(auth) = self.values.get(&format!("{key}:_auth")) {
                return Some(format!("Basic {auth}"));
            }
            // Up one step: what follows the last `/`, or the `/` itself.
            match key.strip_suffix('/') {
                Some(shorter) => key = shorter.to_string(),
                None => key.truncate(key.rfind('/').map_or(0, |i| i + 1)),
            }
        }
        None
    }
}

/// `${VAR}` replaced by the variable's value (empty when unset), as npm reads `.npmrc`.
fn expand(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else { break };
        out.push_str(&rest[..start]);
        let name = &rest[start + 2..start + end];
        out.push_str(&std::env::var(name).unwrap_or_default());
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// The registry's bulk advisory answers for `packages` (name -> versions), one request per registry the project's
/// settings send them to: `(registry, answer)`.
pub fn npm_bulk(npmrc: &Npmrc, packages: &BTreeMap<String, BTreeSet<String>>) -> Result<Vec<(String, String)>, String> {
    let mut by_registry: BTreeMap<String, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for (name, versions) in packages {
        by_registry
            .entry(npmrc.registry_for(name))
            .or_default()
            .insert(name.as_str(), versions.iter().map(String::as_str).collect());
    }
    let agent = agent();
    let mut answers = Vec::new();
    for (registry, body) in by_registry {
        let url = format!("{registry}-/npm/v1/security/advisories/bulk");
        let headers: Vec<(&str, String)> =
            npmrc.authorization(&url).map(|a| ("authorization", a)).into_iter().collect();
        let body = serde_json::to_string(&body).map_err(|e| format!("POST {url} failed: {e}"))?;
        answers.push((registry, post_json(&agent, &url, &body, true, &headers)?));
    }
    Ok(answers)
}

/// The registry's abbreviated metadata of `package` (every release with its dependencies, what `npm install` reads),
/// from the registry the project's settings send it to, with its token.
pub fn packument(npmrc: &Npmrc, package: &str) -> Result<String, String> {
    let url = format!("{}{}", npmrc.registry_for(package), package.replace('/', "%2f"));
    let mut request =
        agent().get(&url).header("accept", "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8");
    if let Some(authorization) = npmrc.authorization(&url) {
        request = request.header("authorization", authorization);
    }
    answer("GET", &url, request.call())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npmrc(text: &str) -> Npmrc {
        Npmrc { values: Npmrc::parse(text).into_iter().collect() }
    }

    #[test]
    fn registries_and_tokens_as_npm_finds_them() {
        let rc = npmrc(
            "registry=https://npm.corp.example/repo\n@corp:registry=https://corp.example/npm/\n# a comment\n\
             //corp.example/npm/:_authToken=secret\n//registry.npmjs.org/:_authToken=\"public\"\n",
        );
        assert_eq!(rc.registry_for("lodash"), "https://npm.corp.example/repo/");
        assert_eq!(rc.registry_for("@corp/ui"), "https://corp.example/npm/");
        assert_eq!(rc.registry_for("@other/ui"), "https://npm.corp.example/repo/");
        let bulk = "-/npm/v1/security/advisories/bulk";
        assert_eq!(rc.authorization(&format!("https://corp.example/npm/{bulk}")).as_deref(), Some("Bearer secret"));
        assert_eq!(rc.authorization(&format!("https://registry.npmjs.org/{bulk}")).as_deref(), Some("Bearer public"));
        // Another host, or the same host outside the token's path: no token.
        assert_eq!(rc.authorization(&format!("https://npm.corp.example/repo/{bulk}")), None);
        assert_eq!(rc.authorization(&format!("https://corp.example/other/{bulk}")), None);
        assert_eq!(npmrc("").registry_for("x"), NPM_REGISTRY);
    }
}
