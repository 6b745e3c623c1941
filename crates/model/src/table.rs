//! Dense storage for the report tables: a table is indexed by a row id and a column id (the
//! enums of [`crate::ids`]), each row a fixed slot per column.
//!
//! The tables were `BTreeMap<Row, BTreeMap<Col, Cell>>`; their ids are small closed enums, so
//! a slot per id does the same job without searching or rebalancing. Building and reading
//! the tables was about a tenth of parse+check time with the maps. The API keeps the maps'
//! shape (`get`, `entry(..).or_default()`, `insert`, `iter` in id order yielding
//! `(&Id, &V)`, `table[&row][&col]`) and the serialised form is the same JSON object of
//! objects (`table3["R1"]["TOT"]`), absent rows and cells left out.
//!
//! Written here rather than taken from a crate: `enum-map` would need every slot to exist,
//! while a table must tell an absent row (not found in the source) from a row whose cells
//! are all absent; and the JSON shape must stay the schema's.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::cell::Cell;

/// A row or column id of a report table: a fieldless enum listing every id in `ALL`, in the
/// order of its declaration (which is also its `Ord` order).
pub trait TableId: Copy + Ord + fmt::Debug + 'static {
    const ALL: &'static [Self];
    /// Position in [`TableId::ALL`].
    fn index(self) -> usize;
}

/// One row: a slot per column id of `C`.
pub struct Row<C: TableId> {
    cells: Box<[Option<Cell>]>,
    _c: PhantomData<C>,
}

impl<C: TableId> Row<C> {
    pub fn new() -> Self {
        Row { cells: (0..C::ALL.len()).map(|_| None).collect(), _c: PhantomData }
    }

    /// A row of cells in column order (`cells[i]` for `C::ALL[i]`), reusing the vector's
    /// allocation when there is exactly one cell per column. Fewer cells fill the first
    /// columns; cells beyond the last column are dropped.
    pub fn from_ordered(cells: Vec<Cell>) -> Self {
        if cells.len() == C::ALL.len() {
            Row { cells: cells.into_iter().map(Some).collect(), _c: PhantomData }
        } else {
            C::ALL.iter().copied().zip(cells).collect()
        }
    }

    pub fn get(&self, c: &C) -> Option<&Cell> {
        self.cells[c.index()].as_ref()
    }

    pub fn get_mut(&mut self, c: &C) -> Option<&mut Cell> {
        self.cells[c.index()].as_mut()
    }

    /// Put a cell in column `c`; the cell it replaces, if any.
    pub fn insert(&mut self, c: C, cell: Cell) -> Option<Cell> {
        self.cells[c.index()].replace(cell)
    }

    pub fn remove(&mut self, c: &C) -> Option<Cell> {
        self.cells[c.index()].take()
    }

    pub fn contains_key(&self, c: &C) -> bool {
        self.cells[c.index()].is_some()
    }

    /// Number of cells present.
    pub fn len(&self) -> usize {
        self.cells.iter().filter(|c| c.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.iter().all(Option::is_none)
    }

    /// The cells present, in column order.
    pub fn iter(&self) -> Iter<'_, C, Cell> {
        C::ALL.iter().zip(self.cells.iter()).filter_map(present as fn(_) -> _)
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &'static C> + Clone + '_ {
        self.iter().map(|(c, _)| c)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Cell> + Clone + '_ {
        self.cells.iter().filter_map(Option::as_ref)
    }
}

/// A table: an optional [`Row`] per row id of `R`. Rows are allocated when first inserted;
/// an empty table allocates nothing.
pub struct Table<R: TableId, C: TableId> {
    rows: Vec<Option<Row<C>>>,
    _r: PhantomData<R>,
}

impl<R: TableId, C: TableId> Table<R, C> {
    pub fn new() -> Self {
        Table { rows: Vec::new(), _r: PhantomData }
    }

    fn slot(&mut self, r: R) -> &mut Option<Row<C>> {
        if self.rows.is_empty() {
            self.rows = (0..R::ALL.len()).map(|_| None).collect();
        }
        &mut self.rows[r.index()]
    }

    pub fn get(&self, r: &R) -> Option<&Row<C>> {
        self.rows.get(r.index()).and_then(Option::as_ref)
    }

    pub fn get_mut(&mut self, r: &R) -> Option<&mut Row<C>> {
        self.rows.get_mut(r.index()).and_then(Option::as_mut)
    }

    /// The row `r`, to be created if absent ([`Entry::or_default`]).
    pub fn entry(&mut self, r: R) -> Entry<'_, C> {
        Entry { slot: self.slot(r) }
    }

    /// Put a row in; the row it replaces, if any.
    pub fn insert(&mut self, r: R, row: Row<C>) -> Option<Row<C>> {
        self.slot(r).replace(row)
    }

    pub fn remove(&mut self, r: &R) -> Option<Row<C>> {
        self.rows.get_mut(r.index()).and_then(Option::take)
    }

    pub fn contains_key(&self, r: &R) -> bool {
        self.get(r).is_some()
    }

    /// Number of rows present (a row may be present with no cells).
    pub fn len(&self) -> usize {
        self.rows.iter().filter(|r| r.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.iter().all(Option::is_none)
    }

    /// The rows present, in row order.
    pub fn iter(&self) -> Iter<'_, R, Row<C>> {
        R::ALL.iter().zip(self.rows.iter()).filter_map(present as fn(_) -> _)
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &'static R> + Clone + '_ {
        self.iter().map(|(r, _)| r)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Row<C>> + Clone + '_ {
        self.rows.iter().filter_map(Option::as_ref)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Row<C>> + '_ {
        self.rows.iter_mut().filter_map(Option::as_mut)
    }
}

/// A row slot of a table, from [`Table::entry`].
#[derive(Debug)]
pub struct Entry<'a, C: TableId> {
    slot: &'a mut Option<Row<C>>,
}

impl<'a, C: TableId> Entry<'a, C> {
    /// The row, created empty if absent.
    pub fn or_default(self) -> &'a mut Row<C> {
        self.slot.get_or_insert_with(Row::new)
    }
}

// ---- std traits --------------------------------------------------------------------------

impl<C: TableId> Default for Row<C> {
    fn default() -> Self {
        Row::new()
    }
}

impl<R: TableId, C: TableId> Default for Table<R, C> {
    fn default() -> Self {
        Table::new()
    }
}

impl<C: TableId> Clone for Row<C> {
    fn clone(&self) -> Self {
        Row { cells: self.cells.clone(), _c: PhantomData }
    }
}

impl<R: TableId, C: TableId> Clone for Table<R, C> {
    fn clone(&self) -> Self {
        Table { rows: self.rows.clone(), _r: PhantomData }
    }
}

impl<C: TableId> PartialEq for Row<C> {
    fn eq(&self, other: &Self) -> bool {
        self.cells == other.cells
    }
}
impl<C: TableId> Eq for Row<C> {}

impl<R: TableId, C: TableId> PartialEq for Table<R, C> {
    /// Equal when the same rows are present with the same cells (an unallocated table equals
    /// an allocated one with no rows).
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}
impl<R: TableId, C: TableId> Eq for Table<R, C> {}

impl<C: TableId> fmt::Debug for Row<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<R: TableId, C: TableId> fmt::Debug for Table<R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<C: TableId> std::ops::Index<&C> for Row<C> {
    type Output = Cell;
    /// The cell in column `c`; panics when absent, as a map does.
    fn index(&self, c: &C) -> &Cell {
        match self.get(c) {
            Some(v) => v,
            None => panic!("no cell in column {c:?}"),
        }
    }
}

impl<R: TableId, C: TableId> std::ops::Index<&R> for Table<R, C> {
    type Output = Row<C>;
    /// The row `r`; panics when absent, as a map does.
    fn index(&self, r: &R) -> &Row<C> {
        match self.get(r) {
            Some(v) => v,
            None => panic!("no row {r:?}"),
        }
    }
}

impl<C: TableId> FromIterator<(C, Cell)> for Row<C> {
    fn from_iter<I: IntoIterator<Item = (C, Cell)>>(iter: I) -> Self {
        let mut row = Row::new();
        row.extend(iter);
        row
    }
}

impl<C: TableId> Extend<(C, Cell)> for Row<C> {
    fn extend<I: IntoIterator<Item = (C, Cell)>>(&mut self, iter: I) {
        for (c, v) in iter {
            self.insert(c, v);
        }
    }
}

impl<R: TableId, C: TableId> FromIterator<(R, Row<C>)> for Table<R, C> {
    fn from_iter<I: IntoIterator<Item = (R, Row<C>)>>(iter: I) -> Self {
        let mut t = Table::new();
        for (r, row) in iter {
            t.insert(r, row);
        }
        t
    }
}

/// Iterator over the present slots of a row or table, with their ids.
pub type Iter<'a, K, V> = std::iter::FilterMap<
    std::iter::Zip<std::slice::Iter<'static, K>, std::slice::Iter<'a, Option<V>>>,
    fn((&'static K, &'a Option<V>)) -> Option<(&'static K, &'a V)>,
>;

fn present<'a, K, V>((k, v): (&'static K, &'a Option<V>)) -> Option<(&'static K, &'a V)> {
    v.as_ref().map(|v| (k, v))
}

impl<'a, C: TableId> IntoIterator for &'a Row<C> {
    type Item = (&'static C, &'a Cell);
    type IntoIter = Iter<'a, C, Cell>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, R: TableId, C: TableId> IntoIterator for &'a Table<R, C> {
    type Item = (&'static R, &'a Row<C>);
    type IntoIter = Iter<'a, R, Row<C>>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

// ---- serde: a JSON object of objects, as the maps were ----------------------------------

impl<C: TableId + Serialize> Serialize for Row<C> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<R: TableId + Serialize, C: TableId + Serialize> Serialize for Table<R, C> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

struct RowVisitor<C>(PhantomData<C>);

impl<'de, C: TableId + Deserialize<'de>> Visitor<'de> for RowVisitor<C> {
    type Value = Row<C>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of cells keyed by column id")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Row<C>, A::Error> {
        let mut row = Row::new();
        while let Some((c, v)) = map.next_entry::<C, Cell>()? {
            if row.insert(c, v).is_some() {
                return Err(serde::de::Error::custom(format_args!("duplicate column {c:?}")));
            }
        }
        Ok(row)
    }
}

impl<'de, C: TableId + Deserialize<'de>> Deserialize<'de> for Row<C> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(RowVisitor(PhantomData))
    }
}

struct TableVisitor<R, C>(PhantomData<(R, C)>);

impl<'de, R: TableId + Deserialize<'de>, C: TableId + Deserialize<'de>> Visitor<'de> for TableVisitor<R, C> {
    type Value = Table<R, C>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of rows keyed by row id")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Table<R, C>, A::Error> {
        let mut t = Table::new();
        while let Some((r, row)) = map.next_entry::<R, Row<C>>()? {
            if t.insert(r, row).is_some() {
                return Err(serde::de::Error::custom(format_args!("duplicate row {r:?}")));
            }
        }
        Ok(t)
    }
}

impl<'de, R: TableId + Deserialize<'de>, C: TableId + Deserialize<'de>> Deserialize<'de> for Table<R, C> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(TableVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::ids::{Col, T3Row};

    type Map = BTreeMap<T3Row, BTreeMap<Col, Cell>>;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(usize, usize, u32),
        Touch(usize),
        RemoveCell(usize, usize),
        RemoveRow(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        let r = 0..T3Row::ALL.len();
        let c = 0..Col::ALL.len();
        prop_oneof![
            (r.clone(), c.clone(), 0u32..50).prop_map(|(r, c, v)| Op::Insert(r, c, v)),
            r.clone().prop_map(Op::Touch),
            (r.clone(), c).prop_map(|(r, c)| Op::RemoveCell(r, c)),
            r.prop_map(Op::RemoveRow),
        ]
    }

    proptest! {
        /// The dense table behaves as the map of maps it replaced (its oracle): same lookups,
        /// same iteration order, same JSON, and the JSON reads back equal.
        #[test]
        fn table_answers_as_a_map_of_maps(ops in proptest::collection::vec(op(), 0..60)) {
            let mut t: Table<T3Row, Col> = Table::new();
            let mut m: Map = BTreeMap::new();
            for o in ops {
                match o {
                    Op::Insert(r, c, v) => {
                        let (r, c) = (T3Row::ALL[r], Col::ALL[c]);
                        let cell = Cell::number(v);
                        prop_assert_eq!(
                            t.entry(r).or_default().insert(c, cell.clone()),
                            m.entry(r).or_default().insert(c, cell)
                        );
                    }
                    Op::Touch(r) => {
                        t.entry(T3Row::ALL[r]).or_default();
                        m.entry(T3Row::ALL[r]).or_default();
                    }
                    Op::RemoveCell(r, c) => {
                        let (r, c) = (T3Row::ALL[r], Col::ALL[c]);
                        prop_assert_eq!(
                            t.get_mut(&r).and_then(|row| row.remove(&c)),
                            m.get_mut(&r).and_then(|row| row.remove(&c))
                        );
                    }
                    Op::RemoveRow(r) => {
                        let r = T3Row::ALL[r];
                        prop_assert_eq!(t.remove(&r).map(|row| row.len()), m.remove(&r).map(|row| row.len()));
                    }
                }
            }
            prop_assert_eq!(t.len(), m.len());
            prop_assert_eq!(t.is_empty(), m.is_empty());
            let ours: Vec<(T3Row, Vec<(Col, Cell)>)> =
                t.iter().map(|(r, row)| (*r, row.iter().map(|(c, v)| (*c, v.clone())).collect())).collect();
            let theirs: Vec<(T3Row, Vec<(Col, Cell)>)> =
                m.iter().map(|(r, row)| (*r, row.iter().map(|(c, v)| (*c, v.clone())).collect())).collect();
            prop_assert_eq!(&ours, &theirs);
            for r in T3Row::ALL {
                for c in Col::ALL {
                    prop_assert_eq!(t.get(r).and_then(|row| row.get(c)), m.get(r).and_then(|row| row.get(c)));
                }
            }
            let json = serde_json::to_string(&t).unwrap();
            prop_assert_eq!(&json, &serde_json::to_string(&m).unwrap());
            let back: Table<T3Row, Col> = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, t);
        }
    }

    #[test]
    fn a_row_from_ordered_cells_equals_one_built_by_inserts() {
        let cells: Vec<Cell> = (0..7u32).map(Cell::number).collect();
        for n in [7, 6, 8, 0] {
            let mut cells = cells.clone();
            cells.resize(n, Cell::blank());
            let inserted: Row<Col> = Col::ALL.iter().copied().zip(cells.clone()).collect();
            assert_eq!(Row::<Col>::from_ordered(cells), inserted, "{n} cells");
        }
    }

    #[test]
    fn duplicate_ids_in_json_are_rejected() {
        let e = serde_json::from_str::<Table<T3Row, Col>>(r#"{"R1":{"NP":{"state":"blank","raw":""}},"R1":{}}"#)
            .unwrap_err();
        assert!(e.to_string().contains("duplicate row"), "{e}");
        let e =
            serde_json::from_str::<Row<Col>>(r#"{"NP":{"state":"blank","raw":""},"NP":{"state":"blank","raw":""}}"#)
                .unwrap_err();
        assert!(e.to_string().contains("duplicate column"), "{e}");
    }

    #[test]
    fn unknown_ids_in_json_are_rejected() {
        assert!(serde_json::from_str::<Table<T3Row, Col>>(r#"{"R9":{}}"#).is_err());
        assert!(serde_json::from_str::<Row<Col>>(r#"{"XX":{"state":"blank","raw":""}}"#).is_err());
    }
}
