//! The transforms, one module each. Each module opens with a before -> after example, keeps its data under the
//! top-level `transforms/<id>/` folder, and has fixture cases under `tests/fixtures/<id>/`.

pub mod data;
pub mod helmet;
pub mod session_store;
