//! Express objects in a file: the apps and routers it creates, and the handlers registered on them with their request
//! and response parameters. Transforms that rewrite `res.*`/`req.*` calls use this so that they touch Express
//! objects only (`ws.send(200)` is not a response).

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;

use crate::analysis::{FileFacts, FunctionFacts, HandlerArg, Receiver, ROUTE_METHODS};
use crate::links::FileLinks;
use crate::parse::ByteRange;

/// A handler registered on an app or router of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    /// The request parameter's name.
    pub req: Option<String>,
    /// The response parameter's name.
    pub res: Option<String>,
    /// The function's body.
    pub body: Range<usize>,
    /// The route path of the registration, if it is a string literal.
    pub path: Option<(String, ByteRange)>,
    /// The route paths of the registration when they are an array of string literals.
    pub paths: Vec<String>,
    /// The registration's route is not only string literals (a RegExp, a variable), or is not known here (a handler
    /// registered by another module without a literal path).
    pub opaque_path: bool,
}

impl Handler {
    /// Every route path the registration names (one, or each of an array).
    pub fn route_paths(&self) -> Vec<&str> {
        self.path.iter().map(|(p, _)| p.as_str()).chain(self.paths.iter().map(String::as_str)).collect()
    }
}

impl Handler {
    /// Whether `object` (a path) is this handler's response, used at `at`.
    pub fn is_res(&self, object: &str, at: usize) -> bool {
        self.res.as_deref() == Some(object) && self.body.start <= at && at <= self.body.end
    }

    /// Whether `object` is this handler's request, used at `at`.
    pub fn is_req(&self, object: &str, at: usize) -> bool {
        self.req.as_deref() == Some(object) && self.body.start <= at && at <= self.body.end
    }
}

/// Names of the routers the file creates (`express.Router()`, `Router()` imported from express).
pub fn routers(facts: &FileFacts) -> Vec<&str> {
    facts.routers()
}

/// Whether a receiver (seen at `at`) is an app or router the file creates, or one it receives from another module
/// (`module.exports = function (app) { ... }` called with an app).
pub fn is_express_receiver(
    facts: &FileFacts,
    links: &FileLinks,
    routers: &[&str],
    receiver: &Receiver,
    at: usize,
) -> bool {
    match receiver {
        Receiver::Path(path) if routers.contains(&path.as_str()) || links.is_app_param(path, at) => true,
        other => facts.apps.iter().any(|app| facts.is_app(app, other, at)),
    }
}

/// Every handler registered on an app or router of the file (inline, or a function of the file passed by name),
/// every function of the file that another module registers as one (`router.get('/x', customers.show)`), and every
/// function of the file a handler passes its response to (`setAuthCookie(res, user)`, of this module or another: its
/// parameters that receive them are its request and response, its route is not known here).
pub fn handlers(facts: &FileFacts, links: &FileLinks) -> Vec<Handler> {
    let routers = routers(facts);
    let mut found = Vec::new();
    // (Looked up by name once: a file may register thousands of named handlers.)
    let mut named: HashMap<&str, &FunctionFacts> = HashMap::default();
    for function in &facts.functions {
        if let Some(name) = function.name.as_deref() {
            named.entry(name).or_insert(function);
        }
    }
    for (range, path) in &links.handlers {
        if let Some(function) = facts.function_within(range).filter(|f| f.range == *range) {
            // (The path is written in the module that registers the handler: it has no range here.)
            let mut handler = handler_of(function, path.as_deref().map(|p| (p.to_string(), ByteRange::default())));
            handler.opaque_path = path.is_none();
            found.push(handler);
        }
    }
    for param in &links.responses {
        found.push(Handler {
            req: param.req.as_ref().map(|p| p.to_string()),
            res: Some(param.res.to_string()),
            body: param.body.into(),
            path: None,
            paths: Vec::new(),
            opaque_path: true,
        });
    }
    for registration in facts.registrations().iter() {
        if !ROUTE_METHODS.contains(&registration.method.as_str())
            || !is_express_receiver(facts, links, &routers, &registration.receiver, registration.range.start())
        {
            continue;
        }
        for handler in &registration.handlers {
            let function = match handler {
                HandlerArg::Inline(range) => facts.function_within(range),
                HandlerArg::Named(name) => named.get(name.as_str()).copied(),
                HandlerArg::Path(_) => None,
            };
            let Some(function) = function else { continue };
            let mut handler = handler_of(function, registration.path.as_ref().map(|(p, r)| (p.to_string(), *r)));
            handler.paths = registration.paths.iter().map(|(p, _)| p.to_string()).collect();
            handler.opaque_path = registration.opaque_path;
            found.push(handler);
        }
    }
    found
}

fn handler_of(function: &FunctionFacts, path: Option<(String, ByteRange)>) -> Handler {
    let (req, res) = function.request_response();
    Handler {
        req: req.map(|p| p.to_string()),
        res: res.map(|p| p.to_string()),
        body: function.body.into(),
        path,
        paths: Vec::new(),
        opaque_path: false,
    }
}

/// The innermost handler whose response is `object` at `at`.
pub fn response_at<'a>(handlers: &'a [Handler], object: &str, at: usize) -> Option<&'a Handler> {
    handlers.iter().filter(|h| h.is_res(object, at)).min_by_key(|h| h.body.len())
}

/// The innermost handler whose request is `object` at `at`.
pub fn request_at<'a>(handlers: &'a [Handler], object: &str, at: usize) -> Option<&'a Handler> {
    handlers.iter().filter(|h| h.is_req(object, at)).min_by_key(|h| h.body.len())
}
