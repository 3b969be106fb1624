//! Filters and facets: the filter names of the query language, each unit's facet values and the tally of a result set.

use super::*;

/// A field that can be filtered on, by request field or `name:value` in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum FilterKey {
    Region,
    Grouping,
    Kind,
    Value,
    AuthorityType,
    Jurisdiction,
    Safeguard,
    Status,
}

/// The facets reported with every result set: key, name, label.
pub(super) const FACETS: [(FilterKey, &str, &str); 5] = [
    (FilterKey::Region, "region", "Region"),
    (FilterKey::Grouping, "grouping", "Grouping"),
    (FilterKey::Kind, "kind", "Type"),
    (FilterKey::Value, "value", "Safeguard rating"),
    (FilterKey::AuthorityType, "authority_type", "Authority"),
];

impl FilterKey {
    pub(super) fn from_prefix(prefix: &str) -> Option<FilterKey> {
        match prefix.to_lowercase().as_str() {
            "region" => Some(FilterKey::Region),
            "grouping" => Some(FilterKey::Grouping),
            "kind" => Some(FilterKey::Kind),
            "value" => Some(FilterKey::Value),
            "authority" | "authority_type" => Some(FilterKey::AuthorityType),
            "jurisdiction" => Some(FilterKey::Jurisdiction),
            "safeguard" => Some(FilterKey::Safeguard),
            "status" => Some(FilterKey::Status),
            _ => None,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            FilterKey::Region => "region",
            FilterKey::Grouping => "grouping",
            FilterKey::Kind => "kind",
            FilterKey::Value => "value",
            FilterKey::AuthorityType => "authority_type",
            FilterKey::Jurisdiction => "jurisdiction",
            FilterKey::Safeguard => "safeguard",
            FilterKey::Status => "status",
        }
    }

    /// Lower-cases a value; vocabulary keys use `_`, so `user-notice` means `user_notice`.
    pub(super) fn normalize(self, value: &str) -> String {
        let value = value.trim().to_lowercase();
        match self {
            FilterKey::Region | FilterKey::Grouping | FilterKey::Jurisdiction => value,
            _ => value.replace('-', "_"),
        }
    }

    pub(super) fn field(self, fields: &Fields) -> Field {
        match self {
            FilterKey::Region => fields.region,
            FilterKey::Grouping => fields.grouping,
            FilterKey::Kind => fields.kind,
            FilterKey::Value => fields.value,
            FilterKey::AuthorityType => fields.authority_type,
            FilterKey::Jurisdiction => fields.jurisdiction,
            FilterKey::Safeguard => fields.safeguard,
            FilterKey::Status => fields.status,
        }
    }

    /// Position in the vocabulary, so that closed facets list their values in a stable order.
    pub(super) fn rank(self, value: &str) -> Option<usize> {
        match self {
            FilterKey::Kind => Kind::ALL.iter().position(|k| k.key() == value),
            FilterKey::Value => Value::ALL.iter().position(|v| v.key() == value),
            FilterKey::AuthorityType => AuthorityType::ALL.iter().position(|a| a.key() == value),
            _ => None,
        }
    }
}

/// The values a facet can take, in the order of their indices: the taxonomy's regions and
/// groupings by id (as in the labels file), the closed vocabularies in their own order.
pub(super) struct FacetValues<'a>(pub(super) Vec<&'a str>);

impl<'a> FacetValues<'a> {
    pub(super) fn of(key: FilterKey, labels: &'a Labels) -> FacetValues<'a> {
        FacetValues(match key {
            FilterKey::Region => labels.regions.keys().map(String::as_str).collect(),
            FilterKey::Grouping => labels.groupings.keys().map(String::as_str).collect(),
            FilterKey::Kind => Kind::ALL.iter().map(|k| k.key()).collect(),
            FilterKey::Value => Value::ALL.iter().map(|v| v.key()).collect(),
            FilterKey::AuthorityType => AuthorityType::ALL.iter().map(|a| a.key()).collect(),
            FilterKey::Jurisdiction | FilterKey::Safeguard | FilterKey::Status => Vec::new(),
        })
    }

    pub(super) fn index(&self, value: &str) -> Option<usize> {
        self.0.iter().position(|v| *v == value)
    }
}

/// A unit's own facets packed in one number: kind, rating and authority type, each its index
/// in its vocabulary plus one (0: none), a byte each.
pub(super) struct UnitFacets;

impl UnitFacets {
    /// The facets packed, in the order of [`UnitFacets::KEYS`].
    pub(super) const KEYS: [FilterKey; 3] =
        [FilterKey::Kind, FilterKey::Value, FilterKey::AuthorityType];

    pub(super) fn code(unit: &Unit) -> u64 {
        let position = |found: Option<usize>| found.map_or(0, |i| i as u64 + 1);
        let kind = position(Kind::ALL.iter().position(|k| *k == unit.kind));
        let value = position(
            unit.value
                .and_then(|v| Value::ALL.iter().position(|r| *r == v)),
        );
        let authority = position(
            unit.authority_type
                .and_then(|a| AuthorityType::ALL.iter().position(|t| *t == a)),
        );
        kind | value << 8 | authority << 16
    }

    /// The three indices plus one.
    pub(super) fn decode(code: u64) -> [usize; 3] {
        [0, 8, 16].map(|shift| (code >> shift & 0xff) as usize)
    }
}

/// Where an entry sits: its region and groupings. Facets count them per place, since every unit
/// of an entry shares its entry's place.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(super) struct Place {
    pub(super) region: String,
    pub(super) groupings: Vec<String>,
}

/// The places seen while indexing, numbered in order from 1.
#[derive(Default)]
pub(super) struct Places {
    pub(super) numbers: HashMap<Place, u64>,
    pub(super) list: Vec<Place>,
}

impl Places {
    pub(super) fn new(list: Vec<Place>) -> Places {
        let numbers = (1..).zip(&list).map(|(n, p)| (p.clone(), n)).collect();
        Places { numbers, list }
    }

    /// The number of `j`'s place, giving it the next one if it is new.
    pub(super) fn number(&mut self, j: &Jurisdiction) -> u64 {
        let place = Place {
            region: j.region.clone(),
            groupings: j.groupings.clone(),
        };
        if let Some(&n) = self.numbers.get(&place) {
            return n;
        }
        self.list.push(place.clone());
        let n = self.list.len() as u64;
        self.numbers.insert(place, n);
        n
    }
}

/// Counts, for the matching documents, each unit facet code and each place; [`FacetTally`]
/// turns them into counts per facet value.
///
/// It reads two dense fast columns per document. tantivy's facet collector walked the facet
/// dictionary for every query and segment and read each match's facets through a multi-valued
/// column, and one optional or multi-valued column per facet cost nearly as much: at 10,000
/// entries that was a third of the time of a query matching 100,000 documents.
pub(super) struct FacetTally<'a> {
    pub(super) places: usize,
    /// Per segment (by ordinal), the `facet_unit` and `facet_place` columns.
    pub(super) columns: &'a [(Column<u64>, Column<u64>)],
}

/// Per packed facet, the count of each index plus one; then the count of each place number.
#[derive(Debug, Clone)]
pub(super) struct Tally {
    pub(super) unit: [Vec<u64>; 3],
    pub(super) places: Vec<u64>,
}

impl FacetTally<'_> {
    pub(super) fn empty(&self) -> Tally {
        Tally {
            unit: [Kind::ALL.len(), Value::ALL.len(), AuthorityType::ALL.len()]
                .map(|n| vec![0; n + 1]),
            places: vec![0; self.places + 1],
        }
    }
}

pub(super) struct SegmentFacetTally {
    pub(super) unit: Column<u64>,
    pub(super) place: Column<u64>,
    pub(super) tally: Tally,
}

/// The value of a column every document has, read directly when the column is dense.
pub(super) fn dense_value(column: &Column<u64>, doc: DocId) -> Option<u64> {
    match column.index {
        ColumnIndex::Full => Some(column.values.get_val(doc)),
        _ => column.first(doc),
    }
}

impl Collector for FacetTally<'_> {
    type Fruit = Tally;
    type Child = SegmentFacetTally;

    fn for_segment(&self, ord: u32, _: &SegmentReader) -> tantivy::Result<SegmentFacetTally> {
        let (unit, place) = self.columns.get(ord as usize).ok_or_else(|| {
            tantivy::TantivyError::InternalError(format!("no facet columns for segment {ord}"))
        })?;
        Ok(SegmentFacetTally {
            unit: unit.clone(),
            place: place.clone(),
            tally: self.empty(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Tally>) -> tantivy::Result<Tally> {
        let mut total = self.empty();
        for segment in segments {
            let pairs = total.unit.iter_mut().zip(segment.unit);
            for (sum, counts) in pairs.chain([(&mut total.places, segment.places)]) {
                for (sum, count) in sum.iter_mut().zip(counts) {
                    *sum += count;
                }
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentFacetTally {
    type Fruit = Tally;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(code) = dense_value(&self.unit, doc) {
            for (counts, index) in self.tally.unit.iter_mut().zip(UnitFacets::decode(code)) {
                if let Some(count) = counts.get_mut(index) {
                    *count += 1;
                }
            }
        }
        let place = dense_value(&self.place, doc).and_then(|p| usize::try_from(p).ok());
        if let Some(count) = place.and_then(|p| self.tally.places.get_mut(p)) {
            *count += 1;
        }
    }

    fn harvest(self) -> Tally {
        self.tally
    }
}
