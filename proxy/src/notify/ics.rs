//! The calendar invitation in each email (iTIP over iMIP): `METHOD:REQUEST` to add or
//! move the event, `METHOD:CANCEL` to take it out of the calendar, one `UID` per booking
//! and its `SEQUENCE` raised on every change, so a calendar applies them in order.

use booking_wire::BookingStatus;
use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus, Property};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Request,
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// An invitation: the event, and who sends it to whom.
pub struct Invite<'a> {
    /// `CANCEL` marks the event cancelled, whatever its status says.
    pub method: Method,
    pub event: Event<'a>,
    pub organizer: (Option<&'a str>, &'a str),
    pub attendee: (&'a str, &'a str),
}

/// The `VCALENDAR` text. Text values are escaped by `icalendar` (`\`, `,`, `;`, line
/// breaks); what it leaves alone is made safe here: other control characters (a stray CR
/// would end the line) go, and a name in a parameter loses its double quotes, which
/// parameter values cannot hold.
pub fn calendar(invite: &Invite<'_>) -> String {
    let mut event = event(&invite.event);
    if invite.method == Method::Cancel {
        event.status(EventStatus::Cancelled);
    }
    let (organizer_name, organizer) = invite.organizer;
    let mut organizer = Property::new("ORGANIZER", format!("mailto:{}", one_line(organizer)));
    if let Some(name) = organizer_name {
        organizer.add_parameter("CN", &parameter(name));
    }
    event.append_property(organizer);
    let (name, email) = invite.attendee;
    let mut attendee = Property::new("ATTENDEE", format!("mailto:{}", one_line(email)));
    attendee
        .add_parameter("CN", &parameter(name))
        .add_parameter("ROLE", "REQ-PARTICIPANT")
        .add_parameter("PARTSTAT", "ACCEPTED")
        .add_parameter("RSVP", "FALSE");
    event.append_property(attendee);
    wrap(invite.method.as_str(), event)
}

/// What a booking's event says. On its own (`download`) it is a calendar file to import
/// rather than an invitation: no organizer or attendee, so a calendar adds it as the
/// visitor's own; its `UID` and `SEQUENCE` are the invitations', so a calendar that has both
/// keeps one event.
pub struct Event<'a> {
    pub uid: &'a str,
    pub sequence: u32,
    pub status: EventStatus,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
    pub summary: &'a str,
    pub location: Option<&'a str>,
    pub description: &'a str,
    pub url: Option<&'a str>,
}

/// A booking's event `UID`, the same in every invitation and download of it.
pub fn uid(id: &str, profile: &str, domain: &str) -> String {
    format!("{id}.{profile}@{domain}")
}

/// The domain of `UID`s and Message-IDs: the host of the proxy's public URL.
pub fn domain(public_url: Option<&str>) -> String {
    public_url
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "booking-proxy".into())
}

/// A booking's status in a calendar: one the host must still accept is tentative.
pub fn status(status: BookingStatus) -> EventStatus {
    match status {
        BookingStatus::Pending => EventStatus::Tentative,
        BookingStatus::Cancelled => EventStatus::Cancelled,
        _ => EventStatus::Confirmed,
    }
}

/// The `VCALENDAR` text of `booking` on its own (`METHOD:PUBLISH`).
pub fn download(booking: &Event<'_>) -> String {
    wrap("PUBLISH", event(booking))
}

/// The `VEVENT` both files share: times, state and text, made safe as `calendar` says.
fn event(booking: &Event<'_>) -> icalendar::Event {
    let mut event = icalendar::Event::new();
    event
        .uid(&one_line(booking.uid))
        .sequence(booking.sequence)
        .timestamp(booking.stamp)
        .starts(booking.start)
        .ends(booking.end)
        .summary(&one_line(booking.summary))
        .description(&lines(booking.description))
        .status(booking.status);
    if let Some(location) = booking.location {
        event.location(&one_line(location));
    }
    if let Some(url) = booking.url {
        event.url(&one_line(url));
    }
    event
}

/// `event` in a `VCALENDAR` with `method`.
fn wrap(method: &str, mut event: icalendar::Event) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//booking-widget//booking-proxy//EN"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", method))
        .push(event.done());
    calendar.to_string()
}

/// Text of one line: control characters become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Text of several lines, with `\n` between them (escaped by `icalendar`).
fn lines(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|&c| c == '\n' || !c.is_control())
        .collect()
}

/// A parameter value (a name): one line, without double quotes.
fn parameter(text: &str) -> String {
    one_line(text).replace('"', "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite<'a>(name: &'a str, summary: &'a str, description: &'a str) -> Invite<'a> {
        Invite {
            method: Method::Request,
            event: Event {
                uid: "bk_1.intro@book.example.com",
                sequence: 2,
                status: EventStatus::Confirmed,
                start: "2026-11-23T13:00:00Z".parse().unwrap(),
                end: "2026-11-23T13:30:00Z".parse().unwrap(),
                stamp: "2026-11-01T09:00:00Z".parse().unwrap(),
                summary,
                location: Some("Zoom"),
                description,
                url: Some("https://book.example.com/book/intro/manage/tok"),
            },
            organizer: (Some("Example Bookings"), "bookings@example.com"),
            attendee: (name, "ada@example.com"),
        }
    }

    /// Content lines as a calendar reads them: folds joined.
    fn unfolded(text: &str) -> Vec<String> {
        text.replace("\r\n ", "")
            .split("\r\n")
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_pending_booking_is_tentative_and_a_download_publishes_it() {
        let mut event = invite("Ada", "Intro call", "").event;
        event.status = status(BookingStatus::Pending);
        let lines = unfolded(&download(&event));
        for wanted in [
            "METHOD:PUBLISH",
            "STATUS:TENTATIVE",
            "UID:bk_1.intro@book.example.com",
        ] {
            assert!(lines.iter().any(|l| l == wanted), "{wanted} in {lines:?}");
        }
        assert!(!lines
            .iter()
            .any(|l| l.starts_with("ORGANIZER") || l.starts_with("ATTENDEE")));
        assert_eq!(status(BookingStatus::Cancelled), EventStatus::Cancelled);
        assert_eq!(status(BookingStatus::Confirmed), EventStatus::Confirmed);
        assert_eq!(
            uid("bk_1", "intro", &domain(Some("https://book.example.com/x"))),
            "bk_1.intro@book.example.com"
        );
        assert_eq!(domain(None), "booking-proxy");
    }

    #[test]
    fn the_event_has_its_method_uid_sequence_and_utc_times() {
        let text = calendar(&invite("Ada", "Intro call", "Manage: link"));
        let lines = unfolded(&text);
        for wanted in [
            "METHOD:REQUEST",
            "UID:bk_1.intro@book.example.com",
            "SEQUENCE:2",
            "DTSTART:20261123T130000Z",
            "DTEND:20261123T133000Z",
            "DTSTAMP:20261101T090000Z",
            "STATUS:CONFIRMED",
            "URL:https://book.example.com/book/intro/manage/tok",
        ] {
            assert!(lines.iter().any(|l| l == wanted), "{wanted} in {text}");
        }
        let cancel = calendar(&Invite {
            method: Method::Cancel,
            ..invite("Ada", "Intro call", "")
        });
        assert!(unfolded(&cancel).iter().any(|l| l == "METHOD:CANCEL"));
        assert!(unfolded(&cancel).iter().any(|l| l == "STATUS:CANCELLED"));
    }

    #[test]
    fn visitor_text_cannot_add_properties_or_parameters() {
        let text = calendar(&invite(
            "\"Ada\";ROLE=CHAIR:mailto:x@evil.example\r\nATTENDEE:mailto:y@evil.example",
            "Call; about, things\\\r\nORGANIZER:mailto:z@evil.example",
            "line one\r\nline two",
        ));
        let lines = unfolded(&text);
        let starts = |p: &str| lines.iter().filter(|l| l.starts_with(p)).count();
        assert_eq!(starts("ATTENDEE"), 1, "{text}");
        assert_eq!(starts("ORGANIZER"), 1, "{text}");
        assert!(
            !lines
                .iter()
                .any(|l| l.contains("ROLE=CHAIR;") || l.starts_with("ATTENDEE;CN=\"\"")),
            "{text}"
        );
        assert!(
            lines.iter().any(
                |l| l == "SUMMARY:Call\\; about\\, things\\\\  ORGANIZER:mailto:z@evil.example"
            ),
            "{text}"
        );
        assert!(
            lines.iter().any(|l| l == "DESCRIPTION:line one\\nline two"),
            "{text}"
        );
    }
}
