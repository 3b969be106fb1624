//! Problems found in content, each pointing at `path:line:col` and the field concerned.

use std::fmt;
use std::path::PathBuf;

/// Whether a problem stops the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one content file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: PathBuf,
    /// 1-based line in the real file (front-matter offset included).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Dotted field path such as `safeguards.user_notice.sources[0]`, or `file` / `front matter`.
    pub field: String,
    pub message: String,
}

impl Diagnostic {
    /// An error at a position.
    pub fn error(
        path: impl Into<PathBuf>,
        (line, column): (usize, usize),
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line,
            column,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// A warning at a position.
    pub fn warning(
        path: impl Into<PathBuf>,
        position: (usize, usize),
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, position, field, message)
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.path.display(), self.line, self.column)?;
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// All problems found in one run, errors first in file order.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Adds one problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// True when at least one problem is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// Sorts by severity, then path and position, so output is stable.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            (a.severity, &a.path, a.line, a.column).cmp(&(b.severity, &b.path, b.line, b.column))
        });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        write!(
            f,
            "{} error(s), {} warning(s)",
            self.error_count(),
            self.warning_count()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_path_line_column_and_field() {
        let d = Diagnostic::error(
            "content/x.md",
            (7, 5),
            "safeguards.user_notice",
            "unknown field `vlue`",
        );
        assert_eq!(
            d.to_string(),
            "content/x.md:7:5: safeguards.user_notice: unknown field `vlue`"
        );
        let w = Diagnostic::warning("content/x.md", (2, 1), "last_reviewed", "old");
        assert_eq!(
            w.to_string(),
            "content/x.md:2:1: warning: last_reviewed: old"
        );
    }
}
