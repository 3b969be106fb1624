//! The tantivy schema as a struct of field handles, and the sort key that orders units by place.

use super::*;

/// Field handles, built once with the schema.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub(super) title: Field,
    pub(super) short_name: Field,
    pub(super) original_title: Field,
    pub(super) title_ngram: Field,
    pub(super) text: Field,
    pub(super) context: Field,
    pub(super) kind: Field,
    pub(super) jurisdiction: Field,
    pub(super) region: Field,
    pub(super) grouping: Field,
    pub(super) value: Field,
    pub(super) authority_type: Field,
    pub(super) safeguard: Field,
    pub(super) status: Field,
    /// Dense fast column: the unit's kind, rating and authority type (see [`UnitFacets`]).
    pub(super) facet_unit: Field,
    /// Dense fast column: the number of the entry's place (region and groupings) in the labels
    /// file's list, plus one; 0 for topics and pages.
    pub(super) facet_place: Field,
    pub(super) sort_key: Field,
    pub(super) unit_at: Field,
    pub(super) unit_len: Field,
}

impl Fields {
    /// The schema and its field handles. `open` compares the stored schema with this one.
    ///
    /// Nothing is stored by tantivy: what a hit shows is in the units files (see [`UnitsWriter`]),
    /// found by `unit_at` and `unit_len`. Filters are indexed without field norms (they select,
    /// their score is the same for every match) and without fast columns (facets have their own).
    pub(super) fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let prose = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(STEM_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        // Positions are needed because the query parser turns several n-grams into a phrase.
        let ngrams = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(NGRAM_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let filter = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        let fields = Fields {
            title: builder.add_text_field("title", prose.clone()),
            short_name: builder.add_text_field("short_name", prose.clone()),
            original_title: builder.add_text_field("original_title", prose.clone()),
            title_ngram: builder.add_text_field("title_ngram", ngrams),
            text: builder.add_text_field("text", prose.clone()),
            context: builder.add_text_field("context", prose),
            kind: builder.add_text_field("kind", filter.clone()),
            jurisdiction: builder.add_text_field("jurisdiction", filter.clone()),
            region: builder.add_text_field("region", filter.clone()),
            grouping: builder.add_text_field("grouping", filter.clone()),
            value: builder.add_text_field("value", filter.clone()),
            authority_type: builder.add_text_field("authority_type", filter.clone()),
            safeguard: builder.add_text_field("safeguard", filter.clone()),
            status: builder.add_text_field("status", filter),
            facet_unit: builder.add_u64_field(FACET_UNIT_FIELD, FAST),
            facet_place: builder.add_u64_field(FACET_PLACE_FIELD, FAST),
            sort_key: builder
                .add_text_field(SORT_KEY_FIELD, TextOptions::default().set_fast("raw")),
            unit_at: builder.add_u64_field(UNIT_AT_FIELD, FAST),
            unit_len: builder.add_u64_field(UNIT_LEN_FIELD, FAST),
        };
        (builder.build(), fields)
    }

    /// The prose fields searched by default, with their boosts. The n-gram field is not here: it
    /// costs 3-5x and is searched only for scripts that need it.
    pub(super) fn weighted(&self) -> [(Field, Score); 5] {
        [
            (self.title, 3.0),
            (self.short_name, 4.0),
            (self.original_title, 2.0),
            (self.text, 1.0),
            (self.context, 0.5),
        ]
    }

    /// The document of `unit`; `sort_key` orders the browse view (see [`SortKey`]), `place` is
    /// its `facet_place`, `stored` is where its [`Shown`] parts are.
    pub(super) fn document(
        &self,
        unit: &Unit,
        labels: &Labels,
        sort_key: &str,
        place: u64,
        stored: StoredAt,
    ) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.kind, unit.kind.key());
        doc.add_u64(self.facet_unit, UnitFacets::code(unit));
        doc.add_u64(self.facet_place, place);
        doc.add_u64(self.unit_at, stored.at);
        doc.add_u64(self.unit_len, stored.len);
        doc.add_text(self.title, &unit.title);
        // Only scripts without spaces between words need n-grams; a title in another script is
        // found by its words, and its n-grams would only add noise to such queries.
        if needs_ngrams(&unit.title) {
            doc.add_text(self.title_ngram, &unit.title);
        }
        doc.add_text(self.text, &unit.text);
        if let Some(short_name) = unit.short_name {
            doc.add_text(self.short_name, short_name);
        }
        if let Some(original) = unit.original_title {
            doc.add_text(self.original_title, original);
            if needs_ngrams(original) {
                doc.add_text(self.title_ngram, original);
            }
        }
        if let Some(j) = unit.jurisdiction {
            doc.add_text(self.jurisdiction, &j.id);
            doc.add_text(self.region, &j.region);
            for grouping in &j.groupings {
                doc.add_text(self.grouping, grouping);
            }
            doc.add_text(self.context, labels.context(j));
        }
        if let Some(value) = unit.value {
            doc.add_text(self.value, value.key());
        }
        if let Some(authority) = unit.authority_type {
            doc.add_text(self.authority_type, authority.key());
        }
        if let Some(key) = unit.safeguard {
            doc.add_text(self.safeguard, key.key());
        }
        if let Some(status) = unit.status {
            doc.add_text(self.status, status.key());
        }
        doc.add_text(self.sort_key, sort_key);
        doc
    }
}

/// The browse view's order, as a string compared byte by byte: jurisdictions by name ignoring
/// case (then id), each followed by its units in page order, then topics, then pages.
///
/// The key of a unit depends only on its own entry, so entries can be indexed in any order, from
/// several threads, or re-indexed alone; the name and the id come before the position, so the
/// units of two entries never interleave, even when one name starts with the other.
pub(super) struct SortKey;

impl SortKey {
    /// `1` + lower-cased name + NUL + id + NUL + zero-padded position in the entry's page.
    pub(super) fn entry_unit(j: &Jurisdiction, position: usize) -> String {
        format!(
            "1{}\0{}\0{position:0width$}",
            j.name.to_lowercase(),
            j.id,
            width = POSITION_DIGITS
        )
    }

    /// `2` + position among the topics.
    pub(super) fn topic(position: usize) -> String {
        format!("2{position:0width$}", width = POSITION_DIGITS)
    }

    /// `3` + position among the pages.
    pub(super) fn page(position: usize) -> String {
        format!("3{position:0width$}", width = POSITION_DIGITS)
    }
}
