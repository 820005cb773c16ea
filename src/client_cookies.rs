//! Which cookies the repository's client code reads: a cookie that page scripts read must not become `httpOnly`, or
//! the front end breaks (a single-page app that sends `Cookies.get('jwt')` as a bearer token stops logging in).
//!
//! Client code is any walked source or view file that uses a client-side cookie API: `document.cookie`, js-cookie
//! (`Cookies.get`), universal-cookie and react-cookie (`cookies.get`, `useCookies`), vue-cookies (`$cookies`),
//! ngx-cookie-service (`CookieService`), jquery-cookie (`$.cookie(`), or a `getCookie(` helper. In such a file a
//! cookie counts as read when its name is written as a string of its own (`Cookies.get('jwt')`, `useCookies(['jwt'])`)
//! or right before `=` in the text a `document.cookie` parser looks for (`'jwt='`, `/(^| )jwt=/`), but not as the
//! server's own `res.cookie('jwt'`, `res.clearCookie('jwt'` or `req.cookies['jwt']`. Like the view
//! scanner, this is a text scan, forgiving rather than exact: it errs on the side of "read", which only means a
//! cookie is reported instead of changed.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// What marks a file as client code that reads cookies.
const CLIENT_COOKIE_APIS: [&str; 10] = [
    "document.cookie",
    "Cookies.get",
    "cookies.get",
    "useCookies",
    "$cookies",
    "CookieService",
    "$.cookie(",
    "js-cookie",
    "universal-cookie",
    "getCookie(",
];

/// The cookies client code reads, by name: the first file (in path order) and the 1-based line where it is named.
#[derive(Debug, Default, Clone)]
pub struct ClientCookies {
    files: Vec<(PathBuf, String)>,
}

/// Whether a file's bytes use a client-side cookie API (one search for `ookie`, which every API names, rules most
/// files out; then one search for all the APIs, built once: a server file that sets cookies names `ookie` too, and ten
/// searches of it, each building its own searcher, were 2% of a run where every file does).
pub fn is_client_code(bytes: &[u8]) -> bool {
    static APIS: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::LazyLock::new(|| aho_corasick::AhoCorasick::new(CLIENT_COOKIE_APIS).ok());
    memchr::memmem::find(bytes, b"ookie").is_some()
        && match &*APIS {
            Some(apis) => apis.is_match(bytes),
            // (Not to happen: the needles are ours.)
            None => CLIENT_COOKIE_APIS.iter().any(|api| memchr::memmem::find(bytes, api.as_bytes()).is_some()),
        }
}

impl ClientCookies {
    /// Scans `files` (views and components; each read through [`crate::fsread`], within `root`). A file that cannot
    /// be read is skipped here: the view pass reports it. Source files are looked at while the pipeline reads them
    /// ([`ClientCookies::with`]).
    pub fn scan<'a>(files: impl IntoIterator<Item = &'a PathBuf>, root: Option<&Path>) -> ClientCookies {
        let files: Vec<&PathBuf> = files.into_iter().collect();
        let found: Vec<(PathBuf, String)> = files
            .par_iter()
            .filter_map(|path| {
                let bytes = crate::fsread::read(path, crate::fsread::SOURCE_LIMIT, root).ok()?;
                is_client_code(&bytes).then(|| ((*path).clone(), String::from_utf8_lossy(&bytes).into_owned()))
            })
            .collect();
        ClientCookies::default().with(found)
    }

    /// These and `files` (client code found elsewhere: path and text), in path order.
    pub fn with(mut self, files: Vec<(PathBuf, String)>) -> ClientCookies {
        self.files.extend(files);
        self.files.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }

    /// Where client code reads the cookie `name`: the file and the 1-based line.
    pub fn reader_of(&self, name: &str) -> Option<(&Path, usize)> {
        if name.is_empty() {
            return None;
        }
        self.files.iter().find_map(|(path, text)| {
            let at = named_at(text, name)?;
            Some((path.as_path(), crate::lines::line_col(text, at).0))
        })
    }
}

/// The offset where `text` names the cookie `name` as a client reading it would: a string of its own, or the name
/// right before `=` after a quote, a slash, a space, `;`, a parenthesis, `^` or `|` (`/(^| )jwt=/`).
fn named_at(text: &str, name: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    text.match_indices(name).map(|(at, _)| at).find(|&at| {
        let Some(&before) = at.checked_sub(1).and_then(|i| bytes.get(i)) else { return false };
        let after = bytes.get(at + name.len()).copied();
        let quoted = matches!(before, b'\'' | b'"') && after == Some(before);
        // `jwt=`, and in a regular expression `jwt\s*\=` (MDN's document.cookie recipe).
        let rest = &text[at + name.len()..];
        let rest = ["\\s*", "\\s+", "\\s?"].iter().find_map(|s| rest.strip_prefix(s)).unwrap_or(rest);
        let rest = rest.strip_prefix('\\').unwrap_or(rest);
        let assigned = matches!(before, b'\'' | b'"' | b'`' | b'/' | b' ' | b';' | b'(' | b')' | b'^' | b'|')
            && rest.starts_with('=')
            && !rest.starts_with("==");
        (quoted || assigned) && !set_by_server(&text[..at - 1]) && !in_line_comment(text, at)
    })
}

/// Whether `at` is inside a `//` comment, or on a line of a block comment that starts with `*` (a note about the
/// code, not code that reads the cookie). A `//` right after a `:` is a URL's, not a comment.
fn in_line_comment(text: &str, at: usize) -> bool {
    let line = &text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at];
    let trimmed = line.trim_start();
    trimmed.starts_with("//")
        || trimmed.starts_with("/*")
        || trimmed.starts_with('*')
        || line.match_indices("//").any(|(i, _)| !line[..i].ends_with(':'))
}

/// Whether the text before a quoted cookie name is the server setting or reading it (`res.cookie('jwt'`,
/// `res.clearCookie('jwt'`, `req.cookies['jwt']`), which is no client read even in a file that also holds client
/// code (HTML built in a handler).
fn set_by_server(before: &str) -> bool {
    let before = before.trim_end();
    (before.ends_with(".cookie(") && !before.ends_with("$.cookie("))
        || before.ends_with(".clearCookie(")
        || before.ends_with("ookies[")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_code_is_a_file_that_names_a_client_cookie_api() {
        let server = "res.cookie('jwt', token, { httpOnly: true });\nconst jwt = req.cookies.jwt;\n";
        assert!(!is_client_code(server.as_bytes()));
        assert!(!is_client_code(b"const x = 1;"));
        for api in CLIENT_COOKIE_APIS {
            let text = format!("{server}// the page\nconst v = {api}");
            assert!(is_client_code(text.as_bytes()), "{api}");
            // (Cut short by a byte, the API is not named.)
            let cut = format!("{server}{}", &api[..api.len() - 1]);
            assert_eq!(is_client_code(cut.as_bytes()), CLIENT_COOKIE_APIS.iter().any(|a| cut.contains(a)), "{api}");
        }
    }

    #[test]
    fn a_cookie_is_read_where_a_client_names_it() {
        for text in [
            "const token = Cookies.get('jwt');",
            "useCookies([\"jwt\"])",
            "const m = document.cookie.match(/(^| )jwt=([^;]+)/);",
            "document.cookie.split('; ').find((row) => row.startsWith('jwt='))",
            "const v = `; ${document.cookie}`.split(`; jwt=`);",
            "$.cookie('jwt')",
            "document.cookie.replace(/(?:(?:^|.*;\\s*)jwt\\s*\\=\\s*([^;]*).*$)|^.*$/, \"$1\")",
            "fetch('https://api.example.com/me', { headers: { Authorization: Cookies.get('jwt') } })",
        ] {
            assert!(named_at(text, "jwt").is_some(), "{text}");
        }
        for text in [
            "const jwt = localStorage.getItem('token');",
            "if (jwt == null) {}",
            "Cookies.get('jwt_refresh')",
            "res.cookie('myjwt', x)",
            "res.cookie('jwt', token); document.cookie;",
            "res.clearCookie( 'jwt' )",
            "const t = req.signedCookies['jwt'];",
            "// TODO: Cookies.get('jwt') was used here before",
            "  * Cookies.get('jwt') is gone",
        ] {
            assert!(named_at(text, "jwt").is_none(), "{text}");
        }
    }
}
