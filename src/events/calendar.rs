//! iCalendar (RFC 5545) for events: the invitation attached to mails and the agenda feed.
//! Times are written in Dutch local time with `TZID=Europe/Amsterdam` and the zone's rules
//! in a VTIMEZONE, so calendars show the right hour on both sides of a DST change.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Amsterdam;

use entity::event;

use crate::mail::MailSettings;

/// Europe/Amsterdam since 1996: summer time from the last Sunday of March, 02:00, to the
/// last Sunday of October, 03:00.
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// The invitation for one event (METHOD:PUBLISH).
pub fn invitation(event: &event::Model, mail: &MailSettings, url: &str) -> String {
    calendar(&[(event, url)], mail, "PUBLISH", None)
}

/// The notice that an event is called off: the same UID, STATUS:CANCELLED.
pub fn cancellation(event: &event::Model, mail: &MailSettings, url: &str) -> String {
    calendar(&[(event, url)], mail, "CANCEL", None)
}

/// The agenda to subscribe to: every event with its page's address.
pub fn feed(events: &[(event::Model, String)], mail: &MailSettings) -> String {
    let events: Vec<(&event::Model, &str)> = events.iter().map(|(event, url)| (event, url.as_str())).collect();
    calendar(&events, mail, "PUBLISH", Some("Oogst agenda"))
}

fn calendar(events: &[(&event::Model, &str)], mail: &MailSettings, method: &str, name: Option<&str>) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Oogst//Agenda//NL");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, &format!("METHOD:{method}"));
    if let Some(name) = name {
        line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    }
    out.push_str(VTIMEZONE);
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    for (event, url) in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", uid(event, &mail.domain)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        // RFC 5546 requires it in PUBLISH and CANCEL; Outlook ignores a CANCEL without it.
        line(&mut out, &organizer(mail));
        // Later versions of the same event must carry a higher sequence number.
        line(&mut out, &format!("SEQUENCE:{}", event.sequence));
        line(&mut out, &format!("DTSTART;TZID=Europe/Amsterdam:{}", local(event.starts_at)));
        line(&mut out, &format!("DTEND;TZID=Europe/Amsterdam:{}", local(event.ends_at)));
        line(&mut out, &format!("SUMMARY:{}", escape(&event.title)));
        let place = [event.location.as_str(), event.address.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        if !place.is_empty() {
            line(&mut out, &format!("LOCATION:{}", escape(&place)));
        }
        let mut description = crate::markdown::to_plain_text(&event.description);
        if let Some(online) = &event.online_url {
            description.push_str(&format!("\n\nOnline: {online}"));
        }
        line(&mut out, &format!("DESCRIPTION:{}", escape(description.trim())));
        line(&mut out, &format!("URL:{url}"));
        let cancelled = event.cancelled_at.is_some() || method == "CANCEL";
        line(&mut out, if cancelled { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// The event's UID: stable for its whole life, so updates replace the calendar entry.
pub fn uid(event: &event::Model, domain: &str) -> String {
    format!("bijeenkomst-{}@{domain}", event.id)
}

/// The sender of the platform's mail publishes the events: `ORGANIZER;CN="Oogst":mailto:…`.
fn organizer(mail: &MailSettings) -> String {
    let address = format!("mailto:{}", mail.from.email);
    match mail.from.name.as_deref().map(quotable).filter(|name| !name.is_empty()) {
        Some(name) => format!("ORGANIZER;CN=\"{name}\":{address}"),
        None => format!("ORGANIZER:{address}"),
    }
}

/// A quoted parameter value holds no double quote and no control character (RFC 5545, 3.1).
fn quotable(text: &str) -> String {
    text.chars().filter(|character| *character != '"' && !character.is_control()).collect()
}

fn local(time: DateTime<Utc>) -> String {
    time.with_timezone(&Amsterdam).format("%Y%m%dT%H%M%S").to_string()
}

/// TEXT values escape backslash, semicolon, comma and newlines (RFC 5545, 3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            other => out.push(other),
        }
    }
    out
}

/// Writes a content line, folded at 75 octets (never inside a UTF-8 character), CRLF-ended.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for character in content.chars() {
        if width + character.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(character);
        width += character.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_between_characters() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "ë".repeat(60)));
        for physical in out.split("\r\n").filter(|part| !part.is_empty()) {
            assert!(physical.len() <= 75, "{physical:?} is {} octets", physical.len());
        }
        assert_eq!(out.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "ë".repeat(60)));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }

    #[test]
    fn the_sender_organizes() {
        let mail = |from: &str| MailSettings {
            from: from.parse().unwrap(),
            reply_to: None,
            public_url: "https://oogst.example".into(),
            domain: "oogst.example".into(),
            link_signer: hmac::Mac::new_from_slice(b"test").unwrap(),
        };
        assert_eq!(
            organizer(&mail("\"Met Andere Ogen: \\\"Oogst\\\"\" <agenda@oogst.example>")),
            "ORGANIZER;CN=\"Met Andere Ogen: Oogst\":mailto:agenda@oogst.example"
        );
        assert_eq!(organizer(&mail("agenda@oogst.example")), "ORGANIZER:mailto:agenda@oogst.example");
    }

    #[test]
    fn local_time_follows_summer_time() {
        let winter = DateTime::parse_from_rfc3339("2026-03-10T12:30:00Z").unwrap().with_timezone(&Utc);
        let summer = DateTime::parse_from_rfc3339("2026-04-14T11:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(local(winter), "20260310T133000");
        assert_eq!(local(summer), "20260414T133000");
    }
}
