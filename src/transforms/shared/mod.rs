//! Helpers that several transforms share: recognising sessions and handlers, the cookie flag policy, the Express
//! version target, inserting imports, naming new bindings, reading the npm registry (`--latest`). The engine uses none of them.

pub mod cookie_flags;
pub mod express_target;
pub mod handlers;
pub mod imports;
pub mod names;
pub mod proxy;
pub mod registry;
pub mod session;
