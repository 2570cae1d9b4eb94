//! The formula syntax tree and its canonical printing.

use std::collections::BTreeSet;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::IndicatorCode;

/// A parsed formula.
///
/// `Display` prints it canonically with the fewest parentheses needed, so that
/// parsing the printed text gives back an equal tree. Trees from [`super::parse`]
/// are at most [`super::MAX_DEPTH`] deep; keep hand-built trees within that too,
/// since printing, evaluating and dropping them recurse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A number literal (never negative: `-5` is `Neg(5)`).
    Number(Decimal),
    /// The value of an indicator.
    Reference(IndicatorCode),
    /// Arithmetic negation.
    Neg(Box<Expr>),
    /// Logical negation.
    Not(Box<Expr>),
    /// A binary operation.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// A function call (arity checked by the parser).
    Call {
        /// The function.
        function: Function,
        /// Its arguments.
        args: Vec<Expr>,
    },
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `=`
    Eq,
    /// `!=` (also written `<>`)
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `and`
    And,
    /// `or`
    Or,
}

// Binding strength; higher binds tighter.
const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_NOT: u8 = 3;
const PREC_COMPARE: u8 = 4;
const PREC_SUM: u8 = 5;
const PREC_PRODUCT: u8 = 6;
const PREC_NEG: u8 = 7;
const PREC_ATOM: u8 = 8;

impl BinaryOp {
    /// The operator as written in formulas.
    pub fn symbol(&self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::And => "and",
            Self::Or => "or",
        }
    }

    /// Whether this is a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`).
    pub fn is_comparison(&self) -> bool {
        matches!(
            self,
            Self::Eq | Self::Ne | Self::Lt | Self::Le | Self::Gt | Self::Ge
        )
    }

    fn precedence(&self) -> u8 {
        match self {
            Self::Or => PREC_OR,
            Self::And => PREC_AND,
            Self::Add | Self::Sub => PREC_SUM,
            Self::Mul | Self::Div => PREC_PRODUCT,
            _ => PREC_COMPARE,
        }
    }
}

/// The built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Function {
    /// `if(condition, then, else)`; only the chosen branch is evaluated.
    If,
    /// `sum(a, ...)`, one or more numbers.
    Sum,
    /// `min(a, ...)`, one or more numbers.
    Min,
    /// `max(a, ...)`, one or more numbers.
    Max,
    /// `abs(x)`.
    Abs,
    /// `round(x, n)`: `n` decimal places, 0..=28, half away from zero.
    Round,
}

impl Function {
    /// The function with this lower-case name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "if" => Some(Self::If),
            "sum" => Some(Self::Sum),
            "min" => Some(Self::Min),
            "max" => Some(Self::Max),
            "abs" => Some(Self::Abs),
            "round" => Some(Self::Round),
            _ => None,
        }
    }

    /// The name as written in formulas.
    pub fn name(&self) -> &'static str {
        match self {
            Self::If => "if",
            Self::Sum => "sum",
            Self::Min => "min",
            Self::Max => "max",
            Self::Abs => "abs",
            Self::Round => "round",
        }
    }

    /// Whether `count` arguments are accepted, and a description of the arity.
    pub(crate) fn arity(&self, count: usize) -> (bool, &'static str) {
        match self {
            Self::If => (count == 3, "3"),
            Self::Sum | Self::Min | Self::Max => (count >= 1, "at least 1"),
            Self::Abs => (count == 1, "1"),
            Self::Round => (count == 2, "2"),
        }
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Expr {
    /// Every indicator code the formula uses, sorted and without repeats.
    pub fn references(&self) -> BTreeSet<IndicatorCode> {
        let mut codes = BTreeSet::new();
        self.collect_references(&mut codes);
        codes
    }

    fn collect_references(&self, codes: &mut BTreeSet<IndicatorCode>) {
        match self {
            Expr::Number(_) => {}
            Expr::Reference(code) => {
                codes.insert(code.clone());
            }
            Expr::Neg(inner) | Expr::Not(inner) => inner.collect_references(codes),
            Expr::Binary { left, right, .. } => {
                left.collect_references(codes);
                right.collect_references(codes);
            }
            Expr::Call { args, .. } => args.iter().for_each(|a| a.collect_references(codes)),
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            Expr::Binary { op, .. } => op.precedence(),
            Expr::Not(_) => PREC_NOT,
            Expr::Neg(_) => PREC_NEG,
            Expr::Number(_) | Expr::Reference(_) | Expr::Call { .. } => PREC_ATOM,
        }
    }

    /// Writes `self`, in parentheses if it binds less tightly than `min`.
    fn write_at(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            f.write_str("(")?;
            self.write(f)?;
            f.write_str(")")
        } else {
            self.write(f)
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Number(n) => write!(f, "{n}"),
            Expr::Reference(code) if code.is_bare() => write!(f, "{code}"),
            Expr::Reference(code) => write!(f, "{{{code}}}"),
            Expr::Neg(inner) => {
                f.write_str("-")?;
                inner.write_at(f, PREC_NEG)
            }
            Expr::Not(inner) => {
                f.write_str("not ")?;
                inner.write_at(f, PREC_NOT)
            }
            Expr::Binary { op, left, right } => {
                let p = op.precedence();
                // Left-associative operators keep a same-level left operand bare;
                // comparisons do not chain, so both sides need more.
                let left_min = if op.is_comparison() { p + 1 } else { p };
                left.write_at(f, left_min)?;
                write!(f, " {} ", op.symbol())?;
                right.write_at(f, p + 1)
            }
            Expr::Call { function, args } => {
                write!(f, "{function}(")?;
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    arg.write(f)?;
                }
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}
