//! The site's own settings, read from `content/site.yaml` when there is one: where readers'
//! reports of errors go, and where the published history of the entries starts.

use serde::Deserialize;

use crate::html::{encode_query_value, encode_url};
use crate::model::Date;

/// The settings file, relative to the content directory.
pub const SETTINGS_FILE: &str = "site.yaml";

/// `site.yaml` as written; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteFile {
    /// `mailto:<address>`, or an issue form address with `{title}` and `{body}` in it.
    #[serde(default)]
    pub report_errors_to: Option<String>,
    /// The first day of the published history: versions committed before it are not listed, and
    /// the last of them is each entry's first version.
    #[serde(default)]
    pub history_since: Option<Date>,
}

/// The checked settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Where "Report an error" links lead; without it the pages carry none.
    pub error_reports: Option<ReportTarget>,
    /// The first day of the published history (see [`SiteFile::history_since`]).
    pub history_since: Option<Date>,
}

impl Default for Settings {
    /// The settings of a content directory without `site.yaml`: reports go to the issue tracker
    /// of the repository named in `Cargo.toml`, when it names one on GitHub.
    fn default() -> Settings {
        Settings {
            error_reports: ReportTarget::issue_tracker_of(env!("CARGO_PKG_REPOSITORY")),
            history_since: None,
        }
    }
}

/// A `report_errors_to` value that cannot be used; the message says why and what to write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReportTargetError(String);

impl Settings {
    /// The settings of a parsed file: its values checked, the defaults where it has none.
    pub fn new(file: SiteFile) -> Result<Settings, ReportTargetError> {
        Ok(Settings {
            error_reports: match file.report_errors_to {
                Some(text) => Some(ReportTarget::parse(&text)?),
                None => Settings::default().error_reports,
            },
            history_since: file.history_since,
        })
    }
}

/// Where a reader's report of an error goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportTarget {
    /// An e-mail to this address, subject and body filled in.
    Mail(String),
    /// A web form (an issue tracker's "new issue" page) whose address holds `{title}` and
    /// `{body}`, replaced by the report's.
    Form(String),
}

/// The placeholders a form address may hold.
const PLACEHOLDERS: [&str; 2] = ["{title}", "{body}"];

impl ReportTarget {
    /// Reads `mailto:<address>` or an `https://` (or `http://`) address with `{body}` (and
    /// optionally `{title}`) in it.
    pub fn parse(text: &str) -> Result<ReportTarget, ReportTargetError> {
        let text = text.trim();
        let example = "write `mailto:corrections@example.org`, or an issue form such as \
                       `https://github.com/org/repo/issues/new?title={title}&body={body}`";
        if let Some(address) = text.strip_prefix("mailto:") {
            return check_mail_address(address)
                .map(|()| ReportTarget::Mail(address.to_string()))
                .map_err(|problem| ReportTargetError(format!("`{text}`: {problem}; {example}")));
        }
        let mut probe = text.to_string();
        for placeholder in PLACEHOLDERS {
            probe = probe.replace(placeholder, "x");
        }
        let problem = match url::Url::parse(&probe) {
            _ if !text.contains("{body}") => Some("has no `{body}` for the report's text"),
            _ if probe.contains(['{', '}']) => {
                Some("has a placeholder other than `{title}` and `{body}`")
            }
            Ok(url) if !matches!(url.scheme(), "https" | "http") => {
                Some("is neither a `mailto:` nor an `https://` address")
            }
            Ok(url) if url.host_str().is_none_or(str::is_empty) => Some("names no host"),
            Ok(_) => None,
            Err(_) => Some("is not an address"),
        };
        match problem {
            Some(problem) => Err(ReportTargetError(format!("`{text}` {problem}; {example}"))),
            None => Ok(ReportTarget::Form(text.to_string())),
        }
    }

    /// The "new issue" form of a repository on GitHub (`https://github.com/org/repo`); `None`
    /// for any other address, or none.
    pub fn issue_tracker_of(repository: &str) -> Option<ReportTarget> {
        let path = repository
            .trim_end_matches('/')
            .trim_end_matches(".git")
            .strip_prefix("https://github.com/")?;
        let mut parts = path.split('/');
        let (Some(org), Some(repo), None) = (parts.next(), parts.next(), parts.next()) else {
            return None;
        };
        ReportTarget::parse(&format!(
            "https://github.com/{org}/{repo}/issues/new?title={{title}}&body={{body}}"
        ))
        .ok()
    }

    /// The address that opens a report with this title and body filled in, ready for an `href`.
    pub fn href(&self, title: &str, body: &str) -> String {
        let (title, body) = (encode_query_value(title), encode_query_value(body));
        match self {
            ReportTarget::Mail(address) => {
                format!("mailto:{address}?subject={title}&body={body}")
            }
            // The title is filled in first: encoded, it holds no `{` that could start a placeholder.
            ReportTarget::Form(form) => {
                encode_url(&form.replace("{title}", &title).replace("{body}", &body)).into_owned()
            }
        }
    }
}

/// Why `address` is not a plain e-mail address (`name@example.org`), if it is not one.
fn check_mail_address(address: &str) -> Result<(), &'static str> {
    if address.contains(['?', '&', '#', ',']) {
        return Err("write only the address after `mailto:` (the subject and body are filled in)");
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Err("the address has no `@`");
    };
    if local.is_empty()
        || !local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
    {
        return Err("the part before `@` may hold only letters, digits, `.`, `_`, `-` and `+`");
    }
    match url::Host::parse(domain) {
        Ok(url::Host::Domain(name)) if name.contains('.') && name == domain => Ok(()),
        _ => Err("the part after `@` is not a domain name"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_reports_fill_subject_and_body_with_spaces_as_percent_20() {
        let target = ReportTarget::parse("mailto:corrections@example.org").unwrap();
        assert_eq!(
            target.href("Error in A & B", "Page: https://x.org/?v=1#a\nFix: s 3+4"),
            "mailto:corrections@example.org?subject=Error%20in%20A%20%26%20B\
             &body=Page%3A%20https%3A%2F%2Fx.org%2F%3Fv%3D1%23a%0AFix%3A%20s%203%2B4"
        );
    }

    #[test]
    fn form_reports_fill_both_placeholders_once() {
        let target =
            ReportTarget::parse("https://github.com/org/repo/issues/new?title={title}&body={body}")
                .unwrap();
        assert_eq!(
            target.href("{body} ü", "b"),
            "https://github.com/org/repo/issues/new?title=%7Bbody%7D%20%C3%BC&body=b"
        );
        assert_eq!(
            ReportTarget::issue_tracker_of("https://github.com/org/repo.git"),
            Some(target)
        );
        assert_eq!(ReportTarget::issue_tracker_of(""), None);
        assert_eq!(
            ReportTarget::issue_tracker_of("https://example.org/repo"),
            None
        );
    }

    #[test]
    fn unusable_targets_say_what_is_wrong() {
        for (text, problem) in [
            ("mailto:", "has no `@`"),
            ("mailto:a@b.org?cc=c@d.org", "write only the address"),
            ("mailto:a@localhost", "not a domain name"),
            ("https://example.org/new", "has no `{body}`"),
            (
                "https://example.org/new?t={tilte}&b={body}",
                "other than `{title}`",
            ),
            ("ftp://example.org/{body}", "neither a `mailto:`"),
            ("corrections@example.org {body}", "is not an address"),
        ] {
            let err = ReportTarget::parse(text).unwrap_err().to_string();
            assert!(err.contains(problem), "{text}: {err}");
            assert!(err.contains("mailto:corrections@example.org"), "{err}");
        }
    }
}
