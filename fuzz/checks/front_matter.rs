//! Any bytes as an entry file: split, parsed, rendered and validated against the test fixture's
//! taxonomy. Must never panic, and every problem must point at a real line of the input.

use std::path::Path;
use std::sync::OnceLock;

use jurisdex::load::{self, Loaded};
use jurisdex::markdown;
use jurisdex::model::{Date, Jurisdiction, Taxonomy};
use jurisdex::validate::validate;

/// The fixture's `groupings.yaml`, loaded once.
fn taxonomy() -> &'static Taxonomy {
    static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
    TAXONOMY.get_or_init(|| {
        let fixture = super::repo_dir().join("tests/fixtures/basic");
        load::load(&fixture)
            .taxonomy
            .expect("the fixture's groupings.yaml loads")
    })
}

/// Runs one input through the target and checks what must hold.
pub fn check(data: &[u8]) {
    // Files that are not UTF-8 are refused before parsing (covered by the integration tests).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("content/jurisdictions/fuzz.md");
    let lines = text.lines().count().max(1) + 1;
    let mut loaded = Loaded {
        taxonomy: Some(taxonomy().clone()),
        ..Loaded::default()
    };
    match load::parse_document::<Jurisdiction>(path, text, |j, body| {
        j.body = markdown::render(body)
    }) {
        Ok(entry) => loaded.jurisdictions.push(entry),
        Err(diagnostic) => loaded.report.push(diagnostic),
    }
    validate(&mut loaded, Date::today());
    for diagnostic in &loaded.report.diagnostics {
        assert!(
            diagnostic.line >= 1 && diagnostic.column >= 1,
            "{diagnostic}"
        );
        if diagnostic.path == path {
            assert!(diagnostic.line <= lines, "{diagnostic} is past the end");
        }
        assert!(
            !diagnostic.message.is_empty(),
            "{diagnostic} has no message"
        );
    }
    let _ = loaded.site();
}
