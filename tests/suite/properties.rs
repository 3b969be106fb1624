//! Property tests: slugs and anchors are always well-formed; any query is handled without a
//! panic and never reflects markup.

use proptest::prelude::*;

use jurisdex::markdown::{render, slugify};
use jurisdex::search::{SearchIndex, SearchRequest};
use jurisdex::site::INDEX_DIR;

use crate::support::Fixture;

proptest! {
    #[test]
    fn slugs_are_url_safe_and_stable(text in "\\PC{0,80}") {
        let slug = slugify(&text);
        prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
        prop_assert!(slug.chars().all(|c| c == '-' || c.is_alphanumeric()));
        prop_assert_eq!(slug.to_lowercase(), slug.clone(), "already lower-case");
        prop_assert_eq!(slugify(&slug), slug.clone(), "slugify is idempotent");
    }

    #[test]
    fn heading_anchors_are_unique_and_prefixed(titles in prop::collection::vec("[A-Za-z0-9 ,.()&<>-]{0,30}", 1..8)) {
        let source: String = titles.iter().map(|t| format!("## {t}\n\ntext\n\n")).collect();
        let rendered = render(&source);
        let mut ids: Vec<&str> = rendered.sections.iter().map(|s| s.id.as_str()).collect();
        prop_assert!(ids.iter().all(|id| id.starts_with("section")));
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        prop_assert_eq!(ids.len(), count, "anchors are unique on a page");
        prop_assert!(!rendered.html.contains("<script"));
    }
}

#[test]
fn any_query_is_handled_and_escaped() {
    let f = Fixture::new("basic");
    f.build().expect("fixture builds");
    let index = SearchIndex::open(&f.out().join(INDEX_DIR)).expect("index opens");
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 400,
        ..Default::default()
    });
    let queries = prop_oneof![
        "\\PC{0,60}",
        "[a-z\"():*~^+-]{0,40}",
        "(region|grouping|kind|value|authority|title|jurisdiction):[a-z<>\"-]{0,12}( [a-z]{1,8}){0,3}",
        "<[a-z]{1,8} on[a-z]{1,8}=alert\\(1\\)>[a-z ]{0,20}",
    ];
    runner
        .run(&queries, |q| {
            let results = index.search(&SearchRequest {
                q: q.clone(),
                limit: Some(5),
                ..SearchRequest::default()
            });
            prop_assert!(results.hits.len() <= 5);
            for hit in &results.hits {
                let without_marks = hit
                    .snippet_html
                    .replace("<mark>", "")
                    .replace("</mark>", "");
                prop_assert!(
                    !without_marks.contains('<'),
                    "unescaped markup in {:?}",
                    hit.snippet_html
                );
                for &(start, end) in &hit.highlights {
                    prop_assert!(start <= end && end <= hit.snippet_text.len());
                    prop_assert!(
                        hit.snippet_text.is_char_boundary(start)
                            && hit.snippet_text.is_char_boundary(end)
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}
