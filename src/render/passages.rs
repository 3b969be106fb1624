//! Passages for workshop reading packs: the cards of an entry's rendered page (a safeguard, a
//! power, an instrument, a ruling) cut out by their anchors and made to stand on another page.
//! In-page links point back at the entry, ids become `data-anchor` (a pack holds many entries'
//! cards, and ids must be unique), and the "Cite"/"Report an error" line is left out.

use std::collections::BTreeMap;

/// The opening every card of an entry page starts with (`templates/jurisdiction.html`).
const CARD_OPENING: &str = "<div class=\"card";

/// Every card of `page` with an id, by that id and by its aliases' ids; `entry_href` is the
/// entry's page (root-relative), which its in-page links are made to point at. Linear in the page.
pub fn card_passages(page: &str, entry_href: &str) -> BTreeMap<String, String> {
    let mut passages = BTreeMap::new();
    let mut at = 0;
    while let Some(found) = page[at..].find(CARD_OPENING) {
        let start = at + found;
        let Some(tag_end) = page[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let end = matching_close(page, tag_end).unwrap_or(page.len());
        at = end;
        let card = &page[start..end];
        let Some(id) = attribute(&page[start..tag_end], "id") else {
            continue;
        };
        let passage = standalone(card, entry_href);
        for alias in aliases(card) {
            passages.insert(alias.to_string(), passage.clone());
        }
        passages.insert(id.to_string(), passage);
    }
    passages
}

/// The end (after `</div>`) of the `<div>` whose opening tag ends at `from`.
fn matching_close(page: &str, from: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut at = from;
    loop {
        let next_open = page[at..].find("<div").map(|i| at + i);
        let next_close = page[at..].find("</div>").map(|i| at + i)?;
        match next_open {
            Some(open) if open < next_close => {
                depth += 1;
                at = open + 4;
            }
            _ => {
                depth -= 1;
                at = next_close + "</div>".len();
                if depth == 0 {
                    return Some(at);
                }
            }
        }
    }
}

/// The value of `name="…"` in an opening tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let opening = format!(" {name}=\"");
    let start = tag.find(&opening)? + opening.len();
    tag[start..].find('"').map(|len| &tag[start..start + len])
}

/// The ids of the alias anchors inside a card (`<span class="anchor-alias" id="power-1">`).
fn aliases(card: &str) -> Vec<&str> {
    card.match_indices("<span class=\"anchor-alias\"")
        .filter_map(|(at, _)| {
            let tag = &card[at..at + card[at..].find('>')?];
            attribute(tag, "id")
        })
        .collect()
}

/// A card (or a site page's body) made to stand on another page: its in-page links lead to
/// `page_href`, and its ids become `data-anchor`.
pub(super) fn standalone(card: &str, page_href: &str) -> String {
    let mut out = String::with_capacity(card.len());
    let mut rest = card;
    // Leave out the section's tools: "Cite" leads to this page's own cite box.
    while let Some(at) = rest.find("<p class=\"section-tools\">") {
        out.push_str(&rest[..at]);
        rest = match rest[at..].find("</p>") {
            Some(end) => &rest[at + end + "</p>".len()..],
            None => "",
        };
    }
    out.push_str(rest);
    out.replace(" id=\"", " data-anchor=\"")
        .replace(" href=\"#", &format!(" href=\"{page_href}#"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_are_cut_out_by_anchor_with_their_links_made_absolute() {
        let page = r##"<main><div class="card" id="power-a"><span class="anchor-alias" id="power-1"></span>
<h3>Power <a href="#instrument-x">X</a></h3><div class="inner"><p>Deadline</p></div>
<p class="section-tools"><a href="#cite">Cite</a></p></div>
<div class="card safeguard v-no" id="safeguard-user-notice"><p>None</p></div><div>after</div></main>"##;
        let passages = card_passages(page, "/kb/jurisdictions/x/");
        assert_eq!(passages.len(), 3);
        let power = &passages["power-a"];
        assert_eq!(power, &passages["power-1"]);
        assert!(power.starts_with("<div class=\"card\" data-anchor=\"power-a\">"));
        assert!(power.ends_with("<p>Deadline</p></div>\n</div>"), "{power}");
        assert!(power.contains("href=\"/kb/jurisdictions/x/#instrument-x\""));
        assert!(!power.contains("Cite") && !power.contains(" id=\""));
        assert_eq!(
            passages["safeguard-user-notice"],
            "<div class=\"card safeguard v-no\" data-anchor=\"safeguard-user-notice\"><p>None</p></div>"
        );
    }

    #[test]
    fn an_unclosed_card_ends_with_the_page() {
        let passages = card_passages("<div class=\"card\" id=\"a\"><p>text", "/j/");
        assert_eq!(
            passages["a"],
            "<div class=\"card\" data-anchor=\"a\"><p>text"
        );
    }
}
