//! The engine's tables and how they change: every unit's accepted values by
//! cell and base period (the *reported* figures), and at every unit with
//! units below it a running aggregate of its leaves' values (the *computed*
//! figures), kept up to date value by value.

use rustc_hash::FxHashMap as HashMap;

use baocao_domain::aggregate::Acc;
use baocao_domain::catalogue::Aggregation;
use baocao_domain::period::PeriodId;
use rust_decimal::Decimal;

use crate::model::{CellIx, Cells, UnitIx, Units};
use crate::slots::{ByUnit, Slot};
use crate::time::{base, Freq};

/// A series of values from one base index on, with a bit per slot saying
/// whether it holds a value (a missing value is missing, never zero).
#[derive(Debug, Clone, Default)]
pub(crate) struct Series {
    start: u32,
    present: Vec<u64>,
    values: Vec<Decimal>,
}

impl Series {
    pub(crate) fn get(&self, index: u32) -> Option<Decimal> {
        let slot = index.checked_sub(self.start)? as usize;
        let bit = self.present.get(slot / 64)? >> (slot % 64) & 1;
        (bit == 1).then(|| self.values[slot])
    }

    fn set(&mut self, index: u32, value: Option<Decimal>) -> Option<Decimal> {
        if self.values.is_empty() {
            self.start = index;
        }
        if index < self.start {
            let shift = (self.start - index) as usize;
            let mut values = vec![Decimal::ZERO; shift];
            values.append(&mut self.values);
            self.values = values;
            let mut bits = vec![false; shift];
            bits.extend((0..self.values.len() - shift).map(|s| self.bit(s)));
            self.present = pack(&bits);
            self.start = index;
        }
        let slot = (index - self.start) as usize;
        if slot >= self.values.len() {
            self.values.resize(slot + 1, Decimal::ZERO);
            self.present.resize(slot / 64 + 1, 0);
        }
        let old = self.get(index);
        match value {
            Some(v) => {
                self.values[slot] = v;
                self.present[slot / 64] |= 1 << (slot % 64);
            }
            None => {
                self.values[slot] = Decimal::ZERO;
                self.present[slot / 64] &= !(1 << (slot % 64));
            }
        }
        old
    }

    /// Before a value lands past the end: a year of room if the series is
    /// full (letting ten million series double at once at a new month would
    /// copy and fault in gigabytes).
    fn make_room(&mut self, index: u32, freq: Freq) {
        let Some(slot) = index.checked_sub(self.start).map(|s| s as usize) else {
            return;
        };
        if !self.values.is_empty() && slot >= self.values.capacity() {
            let want = slot + freq.per_year();
            self.values.reserve_exact(want - self.values.len());
            self.present
                .reserve_exact(want.div_ceil(64).saturating_sub(self.present.len()));
        }
    }

    /// The base index after the last slot.
    fn end(&self) -> u32 {
        self.start + self.values.len() as u32
    }

    fn bit(&self, slot: usize) -> bool {
        self.present
            .get(slot / 64)
            .is_some_and(|w| w >> (slot % 64) & 1 == 1)
    }

    /// After a bulk load: exactly a year of room for a series with values in
    /// the last year before the newest period (the next month's acceptances
    /// then write in place instead of moving every series at once; one unit
    /// already a month ahead must not leave the others without room), none
    /// for series that ended long ago (units abolished by a reform).
    fn fit(&mut self, newest: u32, freq: Freq) {
        let room = if current(self.end(), newest, freq) {
            freq.per_year()
        } else {
            0
        };
        let want = self.values.len() + room;
        fit_to(&mut self.values, want);
        fit_to(&mut self.present, want.div_ceil(64));
    }
}

/// Whether a series ending before `end` is current: it has values within a
/// year of the newest period of its frequency.
fn current(end: u32, newest: u32, freq: Freq) -> bool {
    end as usize + freq.per_year() > newest as usize
}

/// Sets a vector's capacity to `want` (at least its length).
fn fit_to<T>(v: &mut Vec<T>, want: usize) {
    if v.capacity() > want {
        v.shrink_to(want);
    } else {
        v.reserve_exact(want - v.len());
    }
}

impl Slot for Series {
    fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn heap_bytes(&self) -> usize {
        self.values.capacity() * 16 + self.present.capacity() * 8
    }
}

fn pack(bits: &[bool]) -> Vec<u64> {
    let mut out = vec![0u64; bits.len().div_ceil(64).max(1)];
    for (i, b) in bits.iter().enumerate() {
        if *b {
            out[i / 64] |= 1 << (i % 64);
        }
    }
    out
}

/// Running aggregates from one base index on.
#[derive(Debug, Clone, Default)]
pub(crate) struct AccSeries {
    start: u32,
    accs: Vec<Acc>,
}

impl AccSeries {
    pub(crate) fn get(&self, index: u32) -> Acc {
        index
            .checked_sub(self.start)
            .and_then(|s| self.accs.get(s as usize))
            .copied()
            .unwrap_or_default()
    }

    fn slot(&mut self, index: u32) -> &mut Acc {
        if self.accs.is_empty() {
            self.start = index;
        }
        if index < self.start {
            let shift = (self.start - index) as usize;
            let mut accs = vec![Acc::default(); shift];
            accs.append(&mut self.accs);
            self.accs = accs;
            self.start = index;
        }
        let slot = (index - self.start) as usize;
        if slot >= self.accs.len() {
            self.accs.resize(slot + 1, Acc::default());
        }
        &mut self.accs[slot]
    }

    /// After a bulk load: a year of room if current (see [`Series::fit`]).
    fn fit(&mut self, newest: u32, freq: Freq) {
        let end = self.start + self.accs.len() as u32;
        let room = if current(end, newest, freq) {
            freq.per_year()
        } else {
            0
        };
        let want = self.accs.len() + room;
        fit_to(&mut self.accs, want);
    }

    /// Before an aggregate lands past the end: a year of room if full (see
    /// [`Series::make_room`]).
    fn make_room(&mut self, index: u32, freq: Freq) {
        let Some(slot) = index.checked_sub(self.start).map(|s| s as usize) else {
            return;
        };
        if !self.accs.is_empty() && slot >= self.accs.capacity() {
            self.accs
                .reserve_exact(slot + freq.per_year() - self.accs.len());
        }
    }
}

impl Slot for AccSeries {
    fn is_empty(&self) -> bool {
        self.accs.is_empty()
    }

    fn heap_bytes(&self) -> usize {
        self.accs.capacity() * std::mem::size_of::<Acc>()
    }
}

/// A leaf's contribution to its ancestors' aggregates, before and after a change.
struct Change {
    cell: CellIx,
    old: Option<Acc>,
    new: Option<Acc>,
}

/// Key of a series: cell, unit, frequency.
pub(crate) type Key = (CellIx, UnitIx, Freq);

/// The engine: the model and the tables.
#[derive(Debug, Clone)]
pub struct Engine {
    pub(crate) units: Units,
    pub(crate) cells: Cells,
    /// Reported values of every unit.
    pub(crate) series: ByUnit<Series>,
    /// Computed aggregates at every unit with units below it.
    pub(crate) accs: ByUnit<AccSeries>,
    /// The frequencies each cell has values in.
    pub(crate) freqs: Vec<u8>,
    /// Accepted reports by regime, unit and base period (for completeness).
    pub(crate) reports: HashMap<(usize, UnitIx, Freq), Series>,
    /// Values held.
    pub(crate) values: u64,
    /// What depends only on the unit tree.
    pub(crate) caches: crate::query::Caches,
}

/// One accepted report as the engine takes it: its unit, regime, period and
/// values by cell key (canonical decimals; other cells are ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedReport {
    /// The reporting unit.
    pub unit: baocao_domain::unit::UnitId,
    /// The regime's code.
    pub regime: String,
    /// The period.
    pub period: PeriodId,
    /// Values by cell.
    pub values: Vec<(String, Decimal)>,
}

impl Engine {
    /// An empty engine over a unit tree and a catalogue.
    pub fn new(units: Units, cells: Cells) -> Engine {
        let freqs = vec![0; cells.list.len()];
        Engine {
            series: ByUnit::new(cells.list.len()),
            accs: ByUnit::new(cells.list.len()),
            units,
            cells,
            freqs,
            reports: HashMap::default(),
            values: 0,
            caches: crate::query::Caches::default(),
        }
    }

    /// The unit tree.
    pub fn units(&self) -> &Units {
        &self.units
    }

    /// The cells.
    pub fn cells(&self) -> &Cells {
        &self.cells
    }

    /// Values held.
    pub fn len(&self) -> u64 {
        self.values
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.values == 0
    }

    /// Memory held by the tables, in bytes (an estimate from capacities).
    pub fn bytes(&self) -> usize {
        let entry = std::mem::size_of::<((usize, UnitIx, Freq), Series)>() + 1;
        let reports: usize = self.reports.capacity() * entry
            + self.reports.values().map(Slot::heap_bytes).sum::<usize>();
        self.series.bytes() + self.accs.bytes() + reports
    }

    /// A unit's reported value of a cell at a base period.
    pub(crate) fn reported_at(
        &self,
        cell: CellIx,
        unit: UnitIx,
        freq: Freq,
        index: u32,
    ) -> Option<Decimal> {
        self.series.get((cell, unit, freq))?.get(index)
    }

    /// The aggregate of a unit's leaves for a cell at a base period.
    pub(crate) fn computed_at(&self, cell: CellIx, unit: UnitIx, freq: Freq, index: u32) -> Acc {
        self.accs
            .get((cell, unit, freq))
            .map(|s| s.get(index))
            .unwrap_or_default()
    }

    /// The contribution of a leaf's value of `cell` to its ancestors' aggregates.
    fn contribution(&self, cell: CellIx, unit: UnitIx, freq: Freq, index: u32) -> Option<Acc> {
        let rule = self.cells.rule(cell);
        let value = self.reported_at(cell, unit, freq, index)?;
        let weight = rule
            .weight
            .and_then(|w| self.reported_at(w, unit, freq, index));
        Acc::of(value, weight, &rule.over_units)
    }

    /// Puts an accepted report in, replacing `previous` (the version it
    /// replaces, if any: its cells that the new one lacks are removed). Values
    /// of unknown cells, and reports of unknown units or ad-hoc periods, are
    /// ignored.
    pub fn accept(&mut self, report: &AcceptedReport, previous: Option<&AcceptedReport>) {
        let (Some(unit), Some((freq, index))) = (self.units.ix(report.unit), base(&report.period))
        else {
            return;
        };
        let mut new: HashMap<CellIx, Decimal> = HashMap::default();
        for (key, value) in &report.values {
            if let Some(cell) = self.cells.ix(key) {
                new.insert(cell, *value);
            }
        }
        let mut touched: Vec<CellIx> = new.keys().copied().collect();
        if let Some(prev) = previous {
            for (key, _) in &prev.values {
                if let Some(cell) = self.cells.ix(key) {
                    if !new.contains_key(&cell) {
                        touched.push(cell);
                    }
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        // Cells weighted by a touched cell change their contribution too.
        let mut affected = touched.clone();
        for cell in &touched {
            affected.extend_from_slice(&self.cells.weighted_by[*cell as usize]);
        }
        affected.sort_unstable();
        affected.dedup();
        let leaf = self.units.is_leaf(unit);
        let before = if leaf {
            self.contributions(&affected, unit, freq, index)
        } else {
            Vec::new()
        };
        let row = self.series.row_mut(unit, freq);
        for cell in &touched {
            let value = new.get(cell).copied();
            let series = &mut row[*cell as usize];
            series.make_room(index, freq);
            let old = series.set(index, value);
            match (old.is_some(), value.is_some()) {
                (false, true) => self.values += 1,
                (true, false) => self.values -= 1,
                _ => {}
            }
            self.freqs[*cell as usize] |= freq.bit();
        }
        if leaf {
            let after = self.contributions(&affected, unit, freq, index);
            let changes: Vec<Change> = affected
                .iter()
                .zip(before)
                .zip(after)
                .filter(|((_, b), a)| b != a)
                .map(|((cell, old), new)| Change {
                    cell: *cell,
                    old,
                    new,
                })
                .collect();
            self.propagate(unit, freq, index, &changes);
        }
        if let Some(r) = self
            .cells
            .regimes
            .iter()
            .position(|r| r.code == report.regime)
        {
            self.reports
                .entry((r, unit, freq))
                .or_default()
                .set(index, Some(Decimal::ONE));
        }
    }

    /// The contributions of a leaf's cells at a base period (its row read once).
    fn contributions(
        &self,
        cells: &[CellIx],
        unit: UnitIx,
        freq: Freq,
        index: u32,
    ) -> Vec<Option<Acc>> {
        let Some(row) = self.series.row(unit, freq) else {
            return vec![None; cells.len()];
        };
        cells
            .iter()
            .map(|c| {
                let rule = self.cells.rule(*c);
                let value = row[*c as usize].get(index)?;
                let weight = rule.weight.and_then(|w| row[w as usize].get(index));
                Acc::of(value, weight, &rule.over_units)
            })
            .collect()
    }

    /// Moves a leaf's contributions from old to new in every ancestor, one
    /// ancestor row at a time; an aggregate that cannot take a value back
    /// (the minimum left) is rebuilt from its children.
    fn propagate(&mut self, leaf: UnitIx, freq: Freq, index: u32, changes: &[Change]) {
        let ancestors: Vec<UnitIx> = self.units.ancestors(leaf).collect();
        let mut live = vec![true; changes.len()];
        let mut rebuild: Vec<(CellIx, usize)> = Vec::new();
        for (depth, a) in ancestors.iter().enumerate() {
            let row = self.accs.row_mut(*a, freq);
            for (i, change) in changes.iter().enumerate() {
                if !live[i] {
                    continue;
                }
                let rule = &self.cells.rule(change.cell).over_units;
                let series = &mut row[change.cell as usize];
                series.make_room(index, freq);
                let acc = series.slot(index);
                let mut next = *acc;
                let undone = change.old.is_none_or(|o| next.unmerge(&o, rule));
                if undone && change.new.is_none_or(|n| next.merge(&n, rule)) {
                    *acc = next;
                } else {
                    live[i] = false;
                    rebuild.push((change.cell, depth));
                }
            }
        }
        for (cell, depth) in rebuild {
            let rule = self.cells.rule(cell).over_units.clone();
            for a in &ancestors[depth..] {
                let fresh = self.recompute(cell, *a, freq, index, &rule);
                *self.accs.slot((cell, *a, freq)).slot(index) = fresh;
            }
        }
    }

    /// A unit's aggregate rebuilt from its children (their aggregates, or
    /// their own values for leaves).
    fn recompute(
        &self,
        cell: CellIx,
        unit: UnitIx,
        freq: Freq,
        index: u32,
        rule: &Aggregation,
    ) -> Acc {
        let mut acc = Acc::default();
        for child in &self.units.children[unit as usize] {
            let part = if self.units.is_leaf(*child) {
                self.contribution(cell, *child, freq, index)
            } else {
                Some(self.computed_at(cell, *child, freq, index))
            };
            if let Some(part) = part {
                acc.merge(&part, rule);
            }
        }
        acc
    }

    /// Builds every aggregate from the leaves' values at once (after a bulk
    /// load with [`Engine::load`]): each leaf's contribution goes to its
    /// parent, then each unit's aggregate to its parent, deepest first.
    pub fn build_aggregates(&mut self) {
        self.accs.clear();
        let mut depth: Vec<(usize, UnitIx)> = (0..self.units.list.len() as UnitIx)
            .map(|u| (self.units.ancestors(u).count(), u))
            .collect();
        depth.sort_by_key(|d| std::cmp::Reverse(d.0));
        let keys: Vec<Key> = self.series.keys();
        for (cell, unit, freq) in keys {
            if !self.units.is_leaf(unit) {
                continue;
            }
            let Some(parent) = self.units.parent[unit as usize] else {
                continue;
            };
            let rule = self.cells.rule(cell).over_units.clone();
            let Some(series) = self.series.get((cell, unit, freq)) else {
                continue;
            };
            let indices: Vec<u32> = (0..series.values.len() as u32)
                .map(|s| series.start + s)
                .filter(|i| series.get(*i).is_some())
                .collect();
            for index in indices {
                if let Some(part) = self.contribution(cell, unit, freq, index) {
                    self.accs
                        .slot((cell, parent, freq))
                        .slot(index)
                        .merge(&part, &rule);
                }
            }
        }
        // Then upwards, deepest units first.
        let mut by_unit: HashMap<UnitIx, Vec<(CellIx, Freq)>> = HashMap::default();
        for (cell, unit, freq) in self.accs.keys() {
            by_unit.entry(unit).or_default().push((cell, freq));
        }
        for (_, unit) in depth {
            let Some(parent) = self.units.parent[unit as usize] else {
                continue;
            };
            let Some(keys) = by_unit.get(&unit).cloned() else {
                continue;
            };
            for (cell, freq) in keys {
                let rule = self.cells.rule(cell).over_units.clone();
                let Some(src) = self.accs.get((cell, unit, freq)).cloned() else {
                    continue;
                };
                let target = self.accs.slot((cell, parent, freq));
                for (s, acc) in src.accs.iter().enumerate() {
                    if acc.count > 0 {
                        target.slot(src.start + s as u32).merge(acc, &rule);
                    }
                }
                by_unit.entry(parent).or_default().push((cell, freq));
            }
            if let Some(list) = by_unit.get_mut(&parent) {
                list.sort();
                list.dedup();
            }
        }
        self.leave_room();
    }

    /// Fits every table after a bulk load, leaving a year of room to the
    /// series that reach the newest period of their frequency.
    fn leave_room(&mut self) {
        let mut newest = [0u32; Freq::ALL.len()];
        for ((_, freq), row) in self.series.rows() {
            for series in row.iter().filter(|s| !s.is_empty()) {
                let n = &mut newest[*freq as usize];
                *n = (*n).max(series.end() - 1);
            }
        }
        for ((_, freq), row) in self.series.rows_mut() {
            row.iter_mut()
                .for_each(|s| s.fit(newest[*freq as usize], *freq));
        }
        for ((_, freq), row) in self.accs.rows_mut() {
            row.iter_mut()
                .for_each(|s| s.fit(newest[*freq as usize], *freq));
        }
        for ((_, _, freq), series) in &mut self.reports {
            series.fit(newest[*freq as usize], *freq);
        }
    }

    /// Puts an accepted report in without updating aggregates (a bulk load;
    /// call [`Engine::build_aggregates`] once after).
    pub fn load(&mut self, report: &AcceptedReport) {
        let (Some(unit), Some((freq, index))) = (self.units.ix(report.unit), base(&report.period))
        else {
            return;
        };
        let row = self.series.row_mut(unit, freq);
        for (key, value) in &report.values {
            let Some(cell) = self.cells.ix(key) else {
                continue;
            };
            if row[cell as usize].set(index, Some(*value)).is_none() {
                self.values += 1;
            }
            self.freqs[cell as usize] |= freq.bit();
        }
        if let Some(r) = self
            .cells
            .regimes
            .iter()
            .position(|r| r.code == report.regime)
        {
            self.reports
                .entry((r, unit, freq))
                .or_default()
                .set(index, Some(Decimal::ONE));
        }
    }

    /// Whether a unit's report of regime `r` for a base period was accepted.
    pub(crate) fn has_report(&self, r: usize, unit: UnitIx, freq: Freq, index: u32) -> bool {
        self.reports
            .get(&(r, unit, freq))
            .is_some_and(|s| s.get(index).is_some())
    }
}
