//! The transforms, one module each. Each module opens with a before -> after example, keeps its data under the
//! top-level `transforms/<id>/` folder, and has fixture cases under `tests/fixtures/<id>/`.

pub mod cookie_flags;
pub mod cookie_session;
pub mod data;
pub mod helmet;
pub mod res_cookie;
pub mod secrets;
pub mod session_cookie;
pub mod session_store;
