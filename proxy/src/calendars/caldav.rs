//! CalDAV over the shared HTTP client: a `calendar-query` REPORT with a time range for
//! busy times (RFC 4791 §7.8), and each booking as one event resource written with PUT and
//! removed with DELETE. No CalDAV client crate on crates.io is kept up and async on
//! reqwest; the two requests are small, and roxmltree reads the multistatus answer.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus};
use reqwest::{Method, StatusCode};
use url::Url;

/// How to sign in, if the server asks.
pub struct Login<'a> {
    pub username: Option<&'a str>,
    pub password: Option<&'a str>,
}

const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";

/// Whether `uid` is a booking's own id (`bk_` and 20 letters and digits): its event was
/// written back from this proxy's store, which counts it already.
pub fn is_booking_uid(uid: &str) -> bool {
    uid.strip_prefix("bk_")
        .is_some_and(|rest| rest.len() == 20 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn request(
    client: &reqwest::Client,
    method: Method,
    url: Url,
    login: &Login<'_>,
) -> reqwest::RequestBuilder {
    let request = client.request(method, url);
    match login.username {
        Some(user) => request.basic_auth(user, login.password),
        None => request,
    }
}

/// The calendar objects of the collection at `url` with an event in `window`.
pub async fn query(
    client: &reqwest::Client,
    url: &Url,
    login: &Login<'_>,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<String>, String> {
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="{CALDAV}">
  <D:prop><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="{}" end="{}"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>"#,
        stamp(window.0),
        stamp(window.1)
    );
    let report = Method::from_bytes(b"REPORT").map_err(|e| e.to_string())?;
    let response = request(client, report, url.clone(), login)
        .header("Depth", "1")
        .header("Content-Type", "application/xml; charset=utf-8")
        .body(body)
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    let status = response.status();
    if status != StatusCode::MULTI_STATUS {
        return Err(format!("answered HTTP {} to REPORT", status.as_u16()));
    }
    let text = response
        .text()
        .await
        .map_err(|e| e.without_url().to_string())?;
    calendar_data(&text)
}

/// Every `calendar-data` in a multistatus answer.
fn calendar_data(xml: &str) -> Result<Vec<String>, String> {
    let document =
        roxmltree::Document::parse(xml).map_err(|e| format!("its REPORT answer: {e}"))?;
    Ok(document
        .descendants()
        .filter(|n| {
            n.tag_name().name() == "calendar-data" && n.tag_name().namespace() == Some(CALDAV)
        })
        .filter_map(|n| n.text())
        .filter(|t| !t.trim().is_empty())
        .map(str::to_owned)
        .collect())
}

/// A booking as the event written to the host's calendar.
pub struct BookingEvent<'a> {
    pub id: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub tentative: bool,
}

/// The resource of booking `id` in the collection at `url`.
fn resource(url: &Url, id: &str) -> Result<Url, String> {
    let mut url = url.clone();
    url.path_segments_mut()
        .map_err(|()| "the URL cannot take a path".to_owned())?
        .pop_if_empty()
        .push(&format!("{id}.ics"));
    Ok(url)
}

fn event_text(event: &BookingEvent<'_>) -> String {
    let summary: String = event
        .summary
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut vevent = icalendar::Event::new();
    vevent
        .uid(event.id)
        .timestamp(Utc::now())
        .starts(event.start)
        .ends(event.end)
        .summary(&summary)
        .status(if event.tentative {
            EventStatus::Tentative
        } else {
            EventStatus::Confirmed
        });
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//booking-widget//booking-proxy//EN"))
        .push(vevent.done());
    calendar.to_string()
}

/// Writes the booking's event (made or moved).
pub async fn put(
    client: &reqwest::Client,
    url: &Url,
    login: &Login<'_>,
    event: &BookingEvent<'_>,
) -> Result<(), String> {
    let response = request(client, Method::PUT, resource(url, event.id)?, login)
        .header("Content-Type", "text/calendar; charset=utf-8")
        .body(event_text(event))
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    match response.status() {
        s if s.is_success() => Ok(()),
        s => Err(format!("answered HTTP {} to PUT", s.as_u16())),
    }
}

/// Removes the booking's event; one already gone is removed too.
pub async fn delete(
    client: &reqwest::Client,
    url: &Url,
    login: &Login<'_>,
    id: &str,
) -> Result<(), String> {
    let response = request(client, Method::DELETE, resource(url, id)?, login)
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    match response.status() {
        s if s.is_success() || s == StatusCode::NOT_FOUND => Ok(()),
        s => Err(format!("answered HTTP {} to DELETE", s.as_u16())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_data_is_read_from_a_multistatus_answer_with_entities() {
        let xml = r#"<?xml version="1.0"?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <response><href>/a/1.ics</href><propstat><prop>
    <C:calendar-data>BEGIN:VCALENDAR&#13;
SUMMARY:Tom &amp; Jerry&#13;
END:VCALENDAR&#13;
</C:calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat></response>
  <response><href>/a/2.ics</href><propstat><prop>
    <C:calendar-data><![CDATA[BEGIN:VCALENDAR
END:VCALENDAR
]]></C:calendar-data></prop></propstat></response>
</multistatus>"#;
        let objects = calendar_data(xml).unwrap();
        assert_eq!(objects.len(), 2);
        assert!(objects[0].contains("SUMMARY:Tom & Jerry\r\n"));
        assert!(objects[1].starts_with("BEGIN:VCALENDAR\nEND:VCALENDAR"));
    }

    #[test]
    fn a_booking_id_is_told_from_other_uids() {
        assert!(is_booking_uid("bk_abcdefghij0123456789"));
        assert!(!is_booking_uid("bk_short"));
        assert!(!is_booking_uid("040000008200E00074C5B7101A82E008"));
    }

    #[test]
    fn each_booking_is_one_resource_in_the_collection() {
        let url = Url::parse("http://127.0.0.1:5232/host/cal/").unwrap();
        assert_eq!(
            resource(&url, "bk_1").unwrap().as_str(),
            "http://127.0.0.1:5232/host/cal/bk_1.ics"
        );
        let bare = Url::parse("http://127.0.0.1:5232/host/cal").unwrap();
        assert_eq!(
            resource(&bare, "bk_1").unwrap().as_str(),
            "http://127.0.0.1:5232/host/cal/bk_1.ics"
        );
    }
}
