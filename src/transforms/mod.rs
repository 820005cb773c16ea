//! The transforms, one module each. Each module opens with a before -> after example, keeps its data under the
//! top-level `transforms/<id>/` folder, and has fixture cases under `tests/fixtures/<id>/`.

/// Declares a transform's struct, built from the `described` part of its data file (`data()` and `ID` of the module
/// where it is used), with `new` and `Default`.
macro_rules! transform_struct {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        pub struct $name {
            info: crate::transform::TransformInfo,
        }

        impl $name {
            /// Builds the transform from its data.
            pub fn new() -> $name {
                $name { info: data().described.info(ID) }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::new()
            }
        }
    };
}

pub mod cookie_flags;
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
