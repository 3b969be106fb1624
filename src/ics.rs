//! iCalendar (RFC 5545) output: text values escaped, lines folded at 75 octets, all-day events.
//! The review tracker's calendar (`/reviews.ics`) is written with it.

use crate::html::is_forbidden;
use crate::model::Date;

/// An all-day event.
pub struct Event<'a> {
    /// Globally unique and stable from one build to the next, so a subscribed calendar updates
    /// the event rather than adding another.
    pub uid: &'a str,
    pub day: Date,
    pub summary: &'a str,
    pub description: &'a str,
    /// An absolute address.
    pub url: &'a str,
    /// The date the event's content last changed, `YYYYMMDD`.
    pub stamp: &'a str,
}

/// A calendar being written: `BEGIN:VCALENDAR`, its events, `END:VCALENDAR`.
pub struct Calendar {
    out: String,
}

impl Calendar {
    /// A calendar with a name shown by the reader's calendar application.
    pub fn new(name: &str) -> Calendar {
        let mut calendar = Calendar { out: String::new() };
        calendar.line("BEGIN:VCALENDAR");
        calendar.line("VERSION:2.0");
        calendar.line("PRODID:-//jurisdex//reviews//EN");
        calendar.line("CALSCALE:GREGORIAN");
        calendar.line("METHOD:PUBLISH");
        calendar.property("X-WR-CALNAME", name);
        calendar
    }

    /// Adds an all-day event on `event.day` (its first day, for a year or a month).
    pub fn event(&mut self, event: &Event) {
        let day = compact(event.day);
        let next = compact(Date::from_days_since_epoch(
            event.day.days_since_epoch() + 1,
        ));
        self.line("BEGIN:VEVENT");
        self.property("UID", event.uid);
        self.line(&format!("DTSTAMP:{}T000000Z", event.stamp));
        self.line(&format!("DTSTART;VALUE=DATE:{day}"));
        self.line(&format!("DTEND;VALUE=DATE:{next}"));
        self.property("SUMMARY", event.summary);
        self.property("DESCRIPTION", event.description);
        // A URI value is not text: only line breaks and forbidden characters would harm it.
        self.line(&format!("URL:{}", event.url.replace(['\r', '\n'], "")));
        self.line("TRANSP:TRANSPARENT");
        self.line("END:VEVENT");
    }

    /// The finished calendar.
    pub fn finish(mut self) -> String {
        self.line("END:VCALENDAR");
        self.out
    }

    fn property(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", text(value)));
    }

    /// Writes one content line, folded so that no line is longer than 75 octets (RFC 5545 3.1),
    /// never inside a character, and ended with CRLF.
    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            if width + c.len_utf8() > 75 {
                self.out.push_str("\r\n ");
                width = 1;
            }
            self.out.push(c);
            width += c.len_utf8();
        }
        self.out.push_str("\r\n");
    }
}

/// A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as `\n`,
/// forbidden characters replaced.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if is_forbidden(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `20250123`: the first day a date covers, as an iCalendar DATE.
pub fn compact(date: Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year,
        date.month.unwrap_or(1),
        date.day.unwrap_or(1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text("a;b,c\\d\r\ne"), "a\\;b\\,c\\\\d\\ne");
        assert_eq!(text("x\u{1}y"), "x\u{fffd}y");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut calendar = Calendar::new("Test");
        let summary = "é".repeat(100);
        calendar.event(&Event {
            uid: "a@b",
            day: Date::parse("2025-12-31").unwrap(),
            summary: &summary,
            description: "d",
            url: "https://example.org/",
            stamp: "20261205",
        });
        let out = calendar.finish();
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        assert!(out.contains("DTSTART;VALUE=DATE:20251231\r\nDTEND;VALUE=DATE:20260101\r\n"));
        let unfolded = out.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{summary}\r\n")));
        assert!(out.ends_with("END:VCALENDAR\r\n"));
    }
}
