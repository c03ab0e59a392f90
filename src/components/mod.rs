//! The widget's components, one file each; each one's CSS is in `style/`, same name
//! (build.rs checks).

mod booker;
mod booking_form;
mod confirmation;
mod error_panel;
mod field_input;
#[cfg(feature = "manage")]
mod manage;
mod month_view;
#[cfg(feature = "manage")]
mod move_form;
mod preferences;
mod profile_header;
#[cfg(feature = "manage")]
mod skeleton;
mod time_list;

pub use booker::Booker;
pub use booking_form::BookingForm;
pub use confirmation::Confirmation;
pub use error_panel::ErrorPanel;
pub use field_input::FieldInput;
#[cfg(feature = "manage")]
pub use manage::Manage;
pub use month_view::MonthView;
#[cfg(feature = "manage")]
pub use move_form::MoveForm;
pub use preferences::Preferences;
pub use profile_header::ProfileHeader;
#[cfg(feature = "manage")]
pub use skeleton::Skeleton;
pub use time_list::TimeList;
