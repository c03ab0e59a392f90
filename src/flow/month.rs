//! The month grid's state: the month shown, the day holding the grid's tab stop, the day
//! whose times are shown, and the free days.

use chrono::{Months, NaiveDate};
use leptos::prelude::*;

use crate::calendar::first_of_month;
use booking_wire::{Map, Slot};

#[derive(Clone, Copy)]
pub struct MonthState {
    /// The first day of the month shown.
    pub month: RwSignal<NaiveDate>,
    /// The day holding the grid's tab stop.
    pub focus: RwSignal<NaiveDate>,
    /// The day whose times are shown.
    pub selected: RwSignal<Option<NaiveDate>>,
    /// Free slots by the visitor's day (`UseSlots::days`).
    pub days: RwSignal<Map<NaiveDate, Vec<Slot>>>,
    /// Whether the grid has its days yet: the step's first drawing leaves them to a task of
    /// their own (`UseSlots::parts`).
    pub with_days: RwSignal<bool>,
}

impl MonthState {
    /// The month before (`by < 0`) or after, with the tab stop on its first day.
    pub fn turn(&self, by: i32) {
        let m = self.month.get_untracked();
        let next = if by < 0 {
            m - Months::new(1)
        } else {
            m + Months::new(1)
        };
        self.month.set(next);
        self.focus.set(next);
    }

    /// Moves the tab stop to `day`, showing its month.
    pub fn focus_on(&self, day: NaiveDate) {
        self.focus.set(day);
        if first_of_month(day) != self.month.get_untracked() {
            self.month.set(first_of_month(day));
        }
    }

    /// Shows `today`'s month when the one shown is already over (another zone's today);
    /// whether it did.
    pub fn not_before(&self, today: NaiveDate) -> bool {
        let over = self.month.get_untracked() < first_of_month(today);
        if over {
            self.month.set(first_of_month(today));
            self.focus.set(today);
        }
        over
    }
}
