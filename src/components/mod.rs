//! The widget's components, one file each; their CSS is in `style/`, same name.

mod error_panel;
mod field_input;
mod profile_view;
mod skeleton;

pub use error_panel::ErrorPanel;
pub use field_input::FieldInput;
pub use profile_view::ProfileView;
pub use skeleton::Skeleton;
