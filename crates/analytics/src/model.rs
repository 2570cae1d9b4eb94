//! What the engine is built over: the unit tree (with validity and the
//! reorganisations between the structures) and the cells of the catalogue
//! with their aggregation rules, interned to small numbers.

use rustc_hash::FxHashMap as HashMap;

use baocao_domain::catalogue::{Aggregation, Metadata, UnitSelector};
use baocao_domain::formula::{check_formulas, Expr, IndicatorCode};
use baocao_domain::obligation::selector_matches;
use baocao_domain::period::Convention;
use baocao_domain::unit::{OrgUnit, ReorgKind, UnitId};
use rust_decimal::Decimal;

/// A unit's position in the engine's tables.
pub type UnitIx = u32;
/// A cell's position in the engine's tables.
pub type CellIx = u32;

/// The unit tree.
#[derive(Debug, Clone, Default)]
pub struct Units {
    /// The units, by position.
    pub list: Vec<OrgUnit>,
    /// Position of each unit id.
    pub index: HashMap<UnitId, UnitIx>,
    /// Parent's position.
    pub parent: Vec<Option<UnitIx>>,
    /// Children's positions.
    pub children: Vec<Vec<UnitIx>>,
    /// Predecessors of a unit created by a reorganisation, with the share of
    /// each that went into it (1 for a whole merge or the default target of a
    /// split).
    pub predecessors: HashMap<UnitIx, Vec<(UnitIx, Decimal)>>,
}

/// A reorganisation event as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reorg {
    /// The old unit.
    pub old: UnitId,
    /// The new unit.
    pub new: UnitId,
    /// Whole, or one part of a split.
    pub kind: ReorgKind,
    /// Whether the new unit is the old one's default target (splits).
    pub default_target: bool,
    /// The share of the old unit that went into the new one, when set.
    pub weight: Option<Decimal>,
}

impl Units {
    /// The tree of `units` (parents before children or not: positions are
    /// assigned first) and the reorganisations between them.
    pub fn new(units: Vec<OrgUnit>, reorgs: &[Reorg]) -> Units {
        let index: HashMap<UnitId, UnitIx> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id, i as UnitIx))
            .collect();
        let parent: Vec<Option<UnitIx>> = units
            .iter()
            .map(|u| u.parent.and_then(|p| index.get(&p).copied()))
            .collect();
        let mut children = vec![Vec::new(); units.len()];
        for (i, p) in parent.iter().enumerate() {
            if let Some(p) = p {
                children[*p as usize].push(i as UnitIx);
            }
        }
        let mut predecessors: HashMap<UnitIx, Vec<(UnitIx, Decimal)>> = HashMap::default();
        for r in reorgs {
            let (Some(old), Some(new)) = (index.get(&r.old), index.get(&r.new)) else {
                continue;
            };
            let share = match (r.kind, r.weight) {
                (ReorgKind::Whole, _) => Decimal::ONE,
                (ReorgKind::Split, Some(w)) => w,
                (ReorgKind::Split, None) if r.default_target => Decimal::ONE,
                (ReorgKind::Split, None) => continue,
            };
            predecessors.entry(*new).or_default().push((*old, share));
        }
        Units {
            list: units,
            index,
            parent,
            children,
            predecessors,
        }
    }

    /// The position of a unit.
    pub fn ix(&self, id: UnitId) -> Option<UnitIx> {
        self.index.get(&id).copied()
    }

    /// The unit at a position.
    pub fn unit(&self, ix: UnitIx) -> &OrgUnit {
        &self.list[ix as usize]
    }

    /// Whether a unit has no units below it: the units whose values the
    /// computed reading adds up.
    pub fn is_leaf(&self, ix: UnitIx) -> bool {
        self.children[ix as usize].is_empty()
    }

    /// A unit's ancestors, nearest first.
    pub fn ancestors(&self, ix: UnitIx) -> impl Iterator<Item = UnitIx> + '_ {
        std::iter::successors(self.parent[ix as usize], move |p| self.parent[*p as usize])
    }

    /// Every unit of a subtree, the root first, parents before children.
    pub fn subtree(&self, root: UnitIx) -> Vec<UnitIx> {
        let mut out = vec![root];
        let mut i = 0;
        while i < out.len() {
            out.extend(self.children[out[i] as usize].iter().copied());
            i += 1;
        }
        out
    }
}

/// How an indicator aggregates and, for a computed one, its formula.
#[derive(Debug, Clone)]
pub struct IndicatorRule {
    /// Code.
    pub code: String,
    /// Over units.
    pub over_units: Aggregation,
    /// Over time.
    pub over_time: Aggregation,
    /// The weight indicator's plain cell, for a weighted average.
    pub weight: Option<CellIx>,
    /// The formula of a computed indicator.
    pub formula: Option<Expr>,
    /// The regimes whose forms hold it (for coverage).
    pub regimes: Vec<usize>,
}

/// A cell: an indicator, or one option of its disaggregation.
#[derive(Debug, Clone)]
pub struct Cell {
    /// `LD01` or `LD01/sex:female`.
    pub key: String,
    /// Its indicator's position in [`Cells::indicators`].
    pub indicator: usize,
}

/// A regime's reporting selectors, version by version, for coverage.
#[derive(Debug, Clone)]
pub struct RegimeReporters {
    /// Regime code.
    pub code: String,
    /// Each version's first day and the selectors of its reporting groups.
    pub versions: Vec<(chrono::NaiveDate, Convention, Vec<UnitSelector>)>,
}

/// The catalogue's cells, interned.
#[derive(Debug, Clone, Default)]
pub struct Cells {
    /// The cells, by position.
    pub list: Vec<Cell>,
    /// Position of each cell key.
    pub index: HashMap<String, CellIx>,
    /// The indicators.
    pub indicators: Vec<IndicatorRule>,
    /// Position of each indicator code.
    pub indicator_index: HashMap<String, usize>,
    /// Computed indicators, in an order where operands come first.
    pub formula_order: Vec<usize>,
    /// The regimes, for coverage.
    pub regimes: Vec<RegimeReporters>,
    /// For each cell, the cells whose weighted average it weights.
    pub weighted_by: Vec<Vec<CellIx>>,
}

impl Cells {
    /// The cells of a catalogue: every indicator and every option of its
    /// disaggregations.
    pub fn new(meta: &Metadata) -> Cells {
        let mut cells = Cells::default();
        cells.intern(meta);
        cells.add_rules(meta);
        cells.add_regimes(meta);
        cells.weighted_by = vec![Vec::new(); cells.list.len()];
        for c in 0..cells.list.len() as CellIx {
            if let Some(w) = cells.rule(c).weight {
                cells.weighted_by[w as usize].push(c);
            }
        }
        cells
    }

    /// Every indicator and every option of its disaggregations, by key.
    fn intern(&mut self, meta: &Metadata) {
        for (i, ind) in meta.indicators.iter().enumerate() {
            self.indicator_index.insert(ind.code.clone(), i);
            self.add(ind.code.clone(), i);
            for dim in &ind.disaggregations {
                for o in meta
                    .disaggregation(dim)
                    .map(|d| d.options.as_slice())
                    .unwrap_or(&[])
                {
                    self.add(format!("{}/{}:{}", ind.code, dim, o.code), i);
                }
            }
        }
    }

    /// Each indicator's aggregation rules, weight and checked formula, and
    /// the order in which formulas are evaluated.
    fn add_rules(&mut self, meta: &Metadata) {
        let formulas: std::collections::BTreeMap<String, Option<String>> = meta
            .indicators
            .iter()
            .map(|i| (i.code.clone(), i.formula.clone()))
            .collect();
        let checked = check_formulas(&formulas).ok();
        for ind in &meta.indicators {
            let weight = match &ind.over_units {
                Aggregation::WeightedAverage(code) => self.index.get(code).copied(),
                _ => None,
            };
            let formula = checked.as_ref().and_then(|c| {
                IndicatorCode::new(&ind.code)
                    .ok()
                    .and_then(|k| c.formulas().get(&k).cloned())
            });
            self.indicators.push(IndicatorRule {
                code: ind.code.clone(),
                over_units: ind.over_units.clone(),
                over_time: ind.over_time.clone(),
                weight,
                formula,
                regimes: Vec::new(),
            });
        }
        if let Some(checked) = &checked {
            self.formula_order = checked
                .evaluation_order()
                .iter()
                .filter_map(|c| self.indicator_index.get(c.as_str()).copied())
                .collect();
        }
    }

    /// The regimes' reporting selectors, version by version, and which
    /// regimes report each indicator.
    fn add_regimes(&mut self, meta: &Metadata) {
        for regime in &meta.regimes {
            let r = self.regimes.len();
            let mut versions = Vec::new();
            for v in &regime.versions {
                let Ok(from) = v.from.parse::<baocao_domain::period::PeriodId>() else {
                    continue;
                };
                versions.push((
                    from.first_day(),
                    v.convention,
                    v.reporting.iter().map(|g| g.select.clone()).collect(),
                ));
                for row in v.forms.iter().flat_map(|f| &f.rows) {
                    if let Some(i) = self.indicator_index.get(&row.indicator) {
                        if !self.indicators[*i].regimes.contains(&r) {
                            self.indicators[*i].regimes.push(r);
                        }
                    }
                }
            }
            self.regimes.push(RegimeReporters {
                code: regime.code.clone(),
                versions,
            });
        }
    }

    fn add(&mut self, key: String, indicator: usize) {
        if self.index.contains_key(&key) {
            return;
        }
        self.index.insert(key.clone(), self.list.len() as CellIx);
        self.list.push(Cell { key, indicator });
    }

    /// A cell's position.
    pub fn ix(&self, key: &str) -> Option<CellIx> {
        self.index.get(key).copied()
    }

    /// The rule of a cell's indicator.
    pub fn rule(&self, cell: CellIx) -> &IndicatorRule {
        &self.indicators[self.list[cell as usize].indicator]
    }

    /// Whether a unit is expected to report regime `r` on `day` (validity and
    /// the reporting groups' selectors of the version in force).
    pub fn expects(&self, r: usize, unit: &OrgUnit, day: chrono::NaiveDate) -> bool {
        let Some(regime) = self.regimes.get(r) else {
            return false;
        };
        let Some((_, _, selectors)) = regime
            .versions
            .iter()
            .rev()
            .find(|(from, _, _)| *from <= day)
        else {
            return false;
        };
        unit.validity.contains(day) && selectors.iter().any(|s| selector_matches(s, unit))
    }
}
