//! The transforms, one module each, and the registry that lists them. Each module opens with a before -> after
//! example, keeps its data under the top-level `transforms/<id>/` folder, and has fixture cases under
//! `tests/fixtures/<id>/`. Adding a transform: `docs/architecture.md`, "Adding a transform".

/// Declares a transform's struct, built from the `described` part of its data file (`data()` and `ID` of the module
/// where it is used), with `new` and `Default`. Extra fields (the transform's settings) are given with their
/// defaults: `transform_struct!(Name, "doc", policy: CookiePolicy = CookiePolicy::default())`.
macro_rules! transform_struct {
    ($name:ident, $doc:literal $(, $field:ident : $ty:ty = $init:expr)* $(,)?) => {
        #[doc = $doc]
        pub struct $name {
            info: crate::transform::TransformInfo,
            $($field: $ty,)*
        }

        impl $name {
            /// Builds the transform from its data, with default settings.
            pub fn new() -> $name {
                $name { info: data().described.info(ID), $($field: $init,)* }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::new()
            }
        }
    };
}

pub mod advisories;
pub mod cookie_session;
pub mod data;
pub mod express4;
pub mod express5;
pub mod express_version;
pub mod helmet;
pub mod res_cookie;
pub mod secrets;
pub mod session_cookie;
pub mod session_store;
pub mod shared;

use crate::transform::Transform;

/// Every transform, with default settings, in the order their edits are planned. This list is the only place that
/// names them all.
pub fn registry() -> Vec<Box<dyn Transform>> {
    vec![
        Box::new(helmet::Helmet::new()),
        Box::new(session_store::SessionStore::new()),
        Box::new(session_cookie::SessionCookie::new()),
        Box::new(cookie_session::CookieSession::new()),
        Box::new(res_cookie::ResCookie::new()),
        Box::new(secrets::Secrets::new()),
        Box::new(express_version::ExpressVersion::new()),
        Box::new(express4::Express4::new()),
        Box::new(express5::Express5::new()),
        Box::new(advisories::Advisories::new()),
    ]
}

/// Ids of all transforms, in registry order.
pub fn all_ids() -> Vec<&'static str> {
    registry().iter().map(|t| t.info().id).collect()
}
