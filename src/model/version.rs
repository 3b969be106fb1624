//! Content versions: what a citation pins. An entry's version is its review date and a short hash
//! of its file, `2026-11-03.a1b2c3d4e5f6`; a page showing several entries (a comparison, a topic)
//! has a version made from theirs, dated by the latest review among them.

use std::fmt;
use std::hash::Hasher as _;

use serde::{Deserialize, Serialize};
use siphasher::sip128::{Hasher128 as _, SipHasher13};

use super::Date;

/// Hex digits of the hash kept in a version: 48 bits, so that two versions of one entry (or of
/// one comparison) never share a version in practice, while the token stays short enough to read
/// out and print.
pub const HASH_DIGITS: usize = 12;

/// `<review date>.<hash>`: the version of an entry's text, or of a page built from entries.
///
/// The date comes first so that a reader of a cited address sees how old the citation is, and a
/// page can list what its changelog records after it. The hash is SipHash-1-3 (128 bits, the
/// crate's fixed key) of the file with its line endings made `\n`, so that a checkout with CRLF
/// line endings has the versions of the original. It tells versions apart; it is no signature
/// (whoever can edit the content can set any text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContentVersion(String);

impl ContentVersion {
    /// The version of an entry reviewed on `reviewed` whose file holds `source`.
    pub fn of_source(reviewed: Date, source: &str) -> ContentVersion {
        let mut hasher = SipHasher13::new();
        let mut lines = source.split("\r\n");
        if let Some(first) = lines.next() {
            hasher.write(first.as_bytes());
        }
        for line in lines {
            hasher.write(b"\n");
            hasher.write(line.as_bytes());
        }
        ContentVersion::dated(reviewed, hasher.finish128().into())
    }

    /// The version of a page built from entries of these versions, in the page's order: it
    /// changes when any of them changes, and is dated by the latest of their reviews. `None` when
    /// there are no parts.
    pub fn of_parts<'a>(
        parts: impl IntoIterator<Item = &'a ContentVersion>,
    ) -> Option<ContentVersion> {
        let mut hasher = SipHasher13::new();
        let mut latest: Option<&str> = None;
        for part in parts {
            hasher.write(part.0.as_bytes());
            hasher.write(b"\n");
            latest = latest.max(Some(part.reviewed()));
        }
        let reviewed = Date::parse(latest?).ok()?;
        Some(ContentVersion::dated(reviewed, hasher.finish128().into()))
    }

    fn dated(reviewed: Date, hash: u128) -> ContentVersion {
        let hex = format!("{hash:032x}");
        ContentVersion(format!("{reviewed}.{}", &hex[..HASH_DIGITS]))
    }

    /// The review date, `YYYY-MM-DD`.
    pub fn reviewed(&self) -> &str {
        self.0.split_once('.').map_or("", |(date, _)| date)
    }

    /// The token as written in addresses: `2026-11-03.a1b2c3d4e5f6`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContentVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn an_entry_version_is_its_review_date_and_a_hash_of_its_text() {
        let v = ContentVersion::of_source(day("2026-11-03"), "---\nid: a\n---\nBody\n");
        let (date, hash) = v.as_str().split_once('.').unwrap();
        assert_eq!(date, "2026-11-03");
        assert_eq!(v.reviewed(), "2026-11-03");
        assert_eq!(hash.len(), HASH_DIGITS);
        assert!(
            hash.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        // Line endings do not change it; a single character does.
        assert_eq!(
            v,
            ContentVersion::of_source(day("2026-11-03"), "---\r\nid: a\r\n---\r\nBody\r\n")
        );
        assert_ne!(
            v,
            ContentVersion::of_source(day("2026-11-03"), "---\nid: a\n---\nBody.\n")
        );
    }

    #[test]
    fn a_page_version_changes_with_any_part_and_takes_the_latest_review() {
        let a = ContentVersion::of_source(day("2026-10-01"), "a");
        let b = ContentVersion::of_source(day("2026-11-03"), "b");
        let b2 = ContentVersion::of_source(day("2026-11-03"), "b2");
        let page = ContentVersion::of_parts([&a, &b]).unwrap();
        assert_eq!(page.reviewed(), "2026-11-03");
        assert_ne!(page, ContentVersion::of_parts([&a, &b2]).unwrap());
        assert_ne!(page, ContentVersion::of_parts([&b, &a]).unwrap());
        assert_eq!(ContentVersion::of_parts([]), None);
    }
}
