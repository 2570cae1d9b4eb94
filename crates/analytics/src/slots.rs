//! The engine's tables: per unit and frequency, one slot per cell. A report
//! touches one row (one hash lookup), not one entry per value, which is what
//! building the engine from 10⁸ values spends its time on.

use rustc_hash::FxHashMap as HashMap;

use crate::engine::Key;
use crate::model::UnitIx;
use crate::time::Freq;

/// What a slot holds, and whether it holds anything.
pub(crate) trait Slot: Default + Clone {
    /// Whether the slot has no values.
    fn is_empty(&self) -> bool;
    /// Memory held beyond the slot itself, in bytes.
    fn heap_bytes(&self) -> usize;
}

/// Slots by cell, for every (unit, frequency) that has any.
#[derive(Debug, Clone)]
pub(crate) struct ByUnit<T> {
    rows: HashMap<(UnitIx, Freq), Vec<T>>,
    width: usize,
}

impl<T: Slot> ByUnit<T> {
    /// Rows of `width` cells.
    pub(crate) fn new(width: usize) -> Self {
        ByUnit {
            rows: HashMap::default(),
            width,
        }
    }

    /// The slot of a key, if its row exists.
    pub(crate) fn get(&self, (cell, unit, freq): Key) -> Option<&T> {
        self.rows.get(&(unit, freq))?.get(cell as usize)
    }

    /// The row of a unit and frequency, if it exists.
    pub(crate) fn row(&self, unit: UnitIx, freq: Freq) -> Option<&[T]> {
        self.rows.get(&(unit, freq)).map(Vec::as_slice)
    }

    /// The row of a unit and frequency, made on first use.
    pub(crate) fn row_mut(&mut self, unit: UnitIx, freq: Freq) -> &mut [T] {
        let width = self.width;
        self.rows
            .entry((unit, freq))
            .or_insert_with(|| vec![T::default(); width])
    }

    /// The slot of a key, made on first use.
    pub(crate) fn slot(&mut self, (cell, unit, freq): Key) -> &mut T {
        &mut self.row_mut(unit, freq)[cell as usize]
    }

    /// Every key whose slot holds something.
    pub(crate) fn keys(&self) -> Vec<Key> {
        let mut out = Vec::new();
        for ((unit, freq), row) in &self.rows {
            for (cell, slot) in row.iter().enumerate() {
                if !slot.is_empty() {
                    out.push((cell as u32, *unit, *freq));
                }
            }
        }
        out
    }

    /// Every row with its unit and frequency.
    pub(crate) fn rows(&self) -> impl Iterator<Item = (&(UnitIx, Freq), &Vec<T>)> {
        self.rows.iter()
    }

    /// Every row with its unit and frequency, for changes in place.
    pub(crate) fn rows_mut(&mut self) -> impl Iterator<Item = (&(UnitIx, Freq), &mut Vec<T>)> {
        self.rows.iter_mut()
    }

    /// Forgets everything.
    pub(crate) fn clear(&mut self) {
        self.rows.clear();
    }

    /// Memory held, in bytes (an estimate from capacities).
    pub(crate) fn bytes(&self) -> usize {
        let entry = std::mem::size_of::<((UnitIx, Freq), Vec<T>)>() + 1;
        self.rows.capacity() * entry
            + self
                .rows
                .values()
                .map(|row| {
                    row.capacity() * std::mem::size_of::<T>()
                        + row.iter().map(Slot::heap_bytes).sum::<usize>()
                })
                .sum::<usize>()
    }
}
