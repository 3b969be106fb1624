//! The picture of the matrix: for a safeguard, a tile map of every jurisdiction coloured by its
//! rating, and the column totals under the matrix. The map is laid out here (one equal tile per
//! jurisdiction near its place on the globe, so that small states stay as readable as large
//! ones) and drawn as SVG by the `tile_map` template macro, so it needs no JavaScript.

use std::collections::HashSet;
use std::sync::Arc;

use super::places::centre;
use super::*;

/// Above this many entries the maps are left out (a tile per entry would no longer be readable,
/// and the page would grow with the site); the totals and the lists stay.
pub const MAP_MAX_ENTRIES: usize = 250;
/// The side of the globe's cell, in degrees, that one tile stands for before the map is
/// compacted: small enough to keep neighbours apart, large enough to keep a region together.
const CELL_DEGREES: f32 = 16.0;
/// A tile's side and the gap between tiles, in SVG units.
const TILE: usize = 44;
const GAP: usize = 4;

/// Where each entry's tile goes: its column and row, for the entries the map can place.
#[derive(Debug)]
pub(super) struct TileLayout {
    /// By position in the catalog's entries; `None` for an entry with no known place.
    places: Vec<Option<(usize, usize)>>,
    columns: usize,
    rows: usize,
}

impl TileLayout {
    /// Places every entry whose ISO code has a known centre; `None` when the site has more
    /// entries than [`MAP_MAX_ENTRIES`] or none can be placed.
    pub(super) fn new(entries: &[Arc<Summary>]) -> Option<TileLayout> {
        if entries.len() > MAP_MAX_ENTRIES {
            return None;
        }
        let mut taken: HashSet<(i32, i32)> = HashSet::new();
        let mut cells: Vec<Option<(i32, i32)>> = Vec::with_capacity(entries.len());
        for j in entries {
            let Some((lat, lon)) = centre(&j.iso) else {
                cells.push(None);
                continue;
            };
            let x = (f32::from(lon) + 180.0) / CELL_DEGREES;
            let y = (90.0 - f32::from(lat)) / CELL_DEGREES;
            let cell = nearest_free_cell(&taken, x, y);
            taken.insert(cell);
            cells.push(Some(cell));
        }
        if taken.is_empty() {
            return None;
        }
        let (column_of, columns) = compact(taken.iter().map(|c| c.0));
        let (row_of, rows) = compact(taken.iter().map(|c| c.1));
        Some(TileLayout {
            places: cells
                .into_iter()
                .map(|c| c.map(|(x, y)| (column_of(x), row_of(y))))
                .collect(),
            columns,
            rows,
        })
    }

    /// The map of one safeguard; `linked` makes each tile a link to the entry's rating.
    pub(super) fn map(
        &self,
        entries: &[Arc<Summary>],
        key: SafeguardKey,
        root: &str,
        linked: bool,
    ) -> TileMap {
        let mut tiles = Vec::new();
        let mut off_map = Vec::new();
        for (j, place) in entries.iter().zip(&self.places) {
            let rating = j.rating(key);
            match place {
                Some((column, row)) => tiles.push(Tile {
                    x: column * (TILE + GAP),
                    y: row * (TILE + GAP),
                    iso: j.iso.to_uppercase(),
                    name: j.name.clone(),
                    value: rating.value,
                    confidence: rating.confidence,
                    href: format!(
                        "{root}{}#{}",
                        crate::routes::jurisdiction(&j.id),
                        key.anchor()
                    ),
                }),
                None => off_map.push(j.name.clone()),
            }
        }
        let by_value = Value::ALL
            .iter()
            .map(|&value| ValueNames {
                value,
                names: entries
                    .iter()
                    .filter(|j| j.rating(key).value == value)
                    .map(|j| j.name.clone())
                    .collect(),
            })
            .filter(|v| !v.names.is_empty())
            .collect();
        TileMap {
            key: key.key(),
            label: key.label(),
            topic_href: format!("{root}{}", crate::routes::topic(key.key())),
            width: self.columns * (TILE + GAP) - GAP,
            height: self.rows * (TILE + GAP) - GAP,
            linked,
            tiles,
            off_map,
            by_value,
        }
    }
}

/// The free cell nearest to the point `(x, y)` (in cells), searching outwards ring by ring from
/// the cell the point falls in; ties go to the upper, then the left cell.
fn nearest_free_cell(taken: &HashSet<(i32, i32)>, x: f32, y: f32) -> (i32, i32) {
    // The point is on the globe, so its cell fits an i32.
    let home = (x.round() as i32, y.round() as i32);
    if !taken.contains(&home) {
        return home;
    }
    let distance = |(cx, cy): (i32, i32)| (cx as f32 - x).powi(2) + (cy as f32 - y).powi(2);
    // Ring `r` holds 8r cells; `taken` has fewer cells than any ring that can hold them all.
    for r in 1.. {
        let ring = (-r..=r).flat_map(|dy| (-r..=r).map(move |dx| (dx, dy)));
        let best = ring
            .filter(|(dx, dy): &(i32, i32)| dx.abs() == r || dy.abs() == r)
            .map(|(dx, dy)| (home.0 + dx, home.1 + dy))
            .filter(|cell| !taken.contains(cell))
            .min_by(|a, b| {
                distance(*a)
                    .total_cmp(&distance(*b))
                    .then(a.1.cmp(&b.1))
                    .then(a.0.cmp(&b.0))
            });
        if let Some(cell) = best {
            return cell;
        }
    }
    unreachable!("a ring with a free cell is always found")
}

/// Renumbers the used coordinates 0, 1, 2 … in order, keeping one empty line where the globe had
/// a wide gap (an ocean), so that continents stay apart. Returns the renumbering and the count.
fn compact(used: impl Iterator<Item = i32>) -> (impl Fn(i32) -> usize, usize) {
    let mut used: Vec<i32> = used.collect();
    used.sort_unstable();
    used.dedup();
    let mut numbers = Vec::with_capacity(used.len());
    let mut next = 0;
    for (i, &c) in used.iter().enumerate() {
        if i > 0 && c - used[i - 1] >= 3 {
            next += 1;
        }
        numbers.push(next);
        next += 1;
    }
    let count = next;
    let renumber = move |c: i32| numbers[used.binary_search(&c).unwrap_or(0)];
    (renumber, count)
}

/// One safeguard's tile map, ready for the `tile_map` macro.
#[derive(Debug, Serialize)]
pub(super) struct TileMap {
    key: &'static str,
    label: &'static str,
    topic_href: String,
    width: usize,
    height: usize,
    /// Tiles are links to the entries' ratings (the topic page); otherwise the map is one image.
    linked: bool,
    tiles: Vec<Tile>,
    /// Entries the map cannot place (no known position), named under it.
    off_map: Vec<String>,
    /// Every entry's name by value, in the legend's order: the map's text alternative.
    by_value: Vec<ValueNames>,
}

#[derive(Debug, Serialize)]
struct Tile {
    x: usize,
    y: usize,
    iso: String,
    name: String,
    value: Value,
    confidence: Confidence,
    href: String,
}

#[derive(Debug, Serialize)]
struct ValueNames {
    value: Value,
    names: Vec<String>,
}

/// The totals under the matrix: for each value, how many entries have it, safeguard by
/// safeguard (in [`SafeguardKey::ALL`] order), over every entry of the site.
#[derive(Debug, Serialize)]
pub(super) struct ColumnTotal {
    value: Value,
    counts: Vec<usize>,
}

/// The totals of every value in every safeguard's column, over all `entries`.
pub(super) fn column_totals(entries: &[Arc<Summary>]) -> Vec<ColumnTotal> {
    Value::ALL
        .iter()
        .map(|&value| ColumnTotal {
            value,
            counts: SafeguardKey::ALL
                .iter()
                .map(|&key| {
                    entries
                        .iter()
                        .filter(|j| j.rating(key).value == value)
                        .count()
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crowded_neighbours_get_the_nearest_free_cells() {
        let mut taken = HashSet::new();
        for _ in 0..9 {
            let cell = nearest_free_cell(&taken, 10.2, 5.1);
            assert!(taken.insert(cell), "{cell:?} given twice");
        }
        // Nine points at one place fill the 3 × 3 block around it.
        let xs: HashSet<i32> = taken.iter().map(|c| c.0).collect();
        let ys: HashSet<i32> = taken.iter().map(|c| c.1).collect();
        assert_eq!(xs, HashSet::from([9, 10, 11]));
        assert_eq!(ys, HashSet::from([4, 5, 6]));
    }

    #[test]
    fn compaction_keeps_order_and_one_line_for_an_ocean() {
        let (renumber, count) = compact([40, 2, 3, 5, 41].into_iter());
        // 2, 3 and 5 are close; 40 is across an ocean: one empty line before it.
        assert_eq!([2, 3, 5, 40, 41].map(&renumber), [0, 1, 2, 4, 5]);
        assert_eq!(count, 6);
    }
}
