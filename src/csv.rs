//! CSV as the exports write it: one line at a time with CRLF, cells quoted where needed, cells a
//! spreadsheet would read as a formula guarded, and characters no document may carry replaced.

use crate::html::is_forbidden;

/// One CSV line (with CRLF). Cells that a spreadsheet would read as a formula are prefixed with
/// `'` so that an export can never run code when opened.
pub fn csv_line(cells: &[&str]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn csv_cell(text: &str) -> String {
    // A character that no document may carry becomes U+FFFD here too.
    let text: String = text
        .chars()
        .map(|c| if is_forbidden(c) { '\u{fffd}' } else { c })
        .collect();
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formula_guarded() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a, b"), "\"a, b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_cell("a\u{b}b\u{0}"), "a\u{fffd}b\u{fffd}");
    }
}
