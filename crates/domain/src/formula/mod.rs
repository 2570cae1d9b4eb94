//! The indicator formula language (công thức chỉ tiêu).
//!
//! Formulas compute an indicator from others (`A = B1 + B2`) and express
//! validation rules (`A <= B`). The grammar, lowest precedence first:
//!
//! ```text
//! expr     := or
//! or       := and ( "or" and )*
//! and      := not ( "and" not )*
//! not      := "not" not | compare
//! compare  := sum ( ( "=" | "!=" | "<>" | "<" | "<=" | ">" | ">=" ) sum )?
//! sum      := product ( ( "+" | "-" ) product )*
//! product  := unary ( ( "*" | "/" ) unary )*
//! unary    := "-" unary | primary
//! primary  := NUMBER | CODE | FUNCTION "(" expr ( "," expr )* ")" | "(" expr ")"
//! ```
//!
//! - Numbers: `12`, `0.5`, `1250.75` — '.' is the decimal point, no exponent, no
//!   thousands separator, and no leading zero (`007` is refused: national
//!   indicator codes such as `0501` must be written as codes, see below).
//! - Indicator codes (mã chỉ tiêu): ASCII letters, digits, `_` and `.`, at most
//!   [`MAX_CODE_LEN`] characters. Written bare when they start with a letter
//!   (`A`, `B1`, `TONG_SO.1`), or in braces or brackets, which allows any of those
//!   characters first (`{0501}`, `[0501]`). `{A1}` and `A1` are the same code.
//! - Keywords `and`, `or`, `not` and the function names `if`, `sum`, `min`, `max`,
//!   `abs`, `round` are case-insensitive. A bare word is a function only when
//!   followed by `(`; a code spelled like a keyword must be braced (`{AND}`).
//! - Comparisons do not chain: `a < b < c` is an error; write `a < b and b < c`.
//!
//! Errors carry the byte offset (0-based) where they were found. Parsing and
//! evaluation never panic; nesting is limited to [`MAX_DEPTH`] levels so that
//! hostile input cannot exhaust the stack.
//!
//! Arithmetic uses [`rust_decimal::Decimal`]: sums, differences and products are
//! exact; a quotient that needs more than 28 fractional digits (like `1 / 3`) is
//! rounded to 28. `round(x, n)` rounds half away from zero.

mod ast;
mod check;
mod eval;
mod lexer;
mod parser;

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::message::Message;

pub use ast::{BinaryOp, Expr, Function};
pub use check::{check_formulas, CheckedFormulas};
pub use eval::{evaluate, Lookup, Value, ValueSource, ValueType};
pub use parser::parse;

/// Longest indicator code, in characters.
pub const MAX_CODE_LEN: usize = 64;
/// Deepest nesting of parentheses, operators and calls a formula may have.
pub const MAX_DEPTH: usize = 200;

/// An indicator code (mã chỉ tiêu) as used in formulas: 1..=[`MAX_CODE_LEN`]
/// ASCII letters, digits, `_` or `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IndicatorCode(String);

pub(crate) fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

impl IndicatorCode {
    /// Validates a code.
    pub fn new(text: &str) -> Result<Self, FormulaError> {
        if text.is_empty() || text.len() > MAX_CODE_LEN || !text.chars().all(is_code_char) {
            return Err(FormulaError::InvalidCode {
                text: text.to_owned(),
            });
        }
        Ok(Self(text.to_owned()))
    }

    /// The code text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the code can be written without braces and still read back as a
    /// code: it starts with a letter and is not a keyword or function name.
    pub(crate) fn is_bare(&self) -> bool {
        let starts_with_letter = self.0.starts_with(|c: char| c.is_ascii_alphabetic());
        let lower = self.0.to_ascii_lowercase();
        let reserved =
            matches!(lower.as_str(), "and" | "or" | "not") || Function::from_name(&lower).is_some();
        starts_with_letter && !reserved
    }
}

impl TryFrom<String> for IndicatorCode {
    type Error = FormulaError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(&text)
    }
}

impl From<IndicatorCode> for String {
    fn from(code: IndicatorCode) -> Self {
        code.0
    }
}

impl fmt::Display for IndicatorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Everything that can go wrong with a formula: syntax (with a byte position),
/// evaluation, and catalogue checks.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormulaError {
    /// A character that no token starts with.
    #[error("at {position}: unexpected character '{found}'")]
    UnexpectedCharacter {
        /// Byte offset.
        position: usize,
        /// The character.
        found: char,
    },
    /// A malformed number literal.
    #[error("at {position}: bad number `{text}`: {reason}")]
    BadNumber {
        /// Byte offset.
        position: usize,
        /// The literal as written.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A token other than the one expected.
    #[error("at {position}: expected {expected} but found {found}")]
    Syntax {
        /// Byte offset.
        position: usize,
        /// What would have been valid.
        expected: String,
        /// What was there.
        found: String,
    },
    /// The text ended where more was expected.
    #[error("at {position}: expected {expected} but found end of input")]
    UnexpectedEnd {
        /// Byte offset (the text's length).
        position: usize,
        /// What would have been valid.
        expected: String,
    },
    /// A call of a function that does not exist.
    #[error("at {position}: unknown function `{name}`")]
    UnknownFunction {
        /// Byte offset of the name.
        position: usize,
        /// The name as written.
        name: String,
    },
    /// A call with the wrong number of arguments.
    #[error("at {position}: {function} takes {expected} arguments but was given {found}")]
    WrongArity {
        /// Byte offset of the function name.
        position: usize,
        /// The function.
        function: Function,
        /// How many it takes, e.g. `3` or `at least 1`.
        expected: &'static str,
        /// How many were given.
        found: usize,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("at {position}: formula is nested more than {MAX_DEPTH} levels deep")]
    TooDeep {
        /// Byte offset where the limit was reached.
        position: usize,
    },
    /// Text that is not a valid indicator code.
    #[error("`{text}` is not a valid indicator code")]
    InvalidCode {
        /// The text.
        text: String,
    },
    /// A code that the catalogue does not have.
    #[error("unknown indicator code `{code}`{}", referenced_by.as_ref().map(|c| format!(" in the formula of `{c}`")).unwrap_or_default())]
    UnknownCode {
        /// The unknown code.
        code: IndicatorCode,
        /// The indicator whose formula uses it, when checking a catalogue.
        referenced_by: Option<IndicatorCode>,
    },
    /// A known indicator without a value.
    #[error("indicator `{code}` has no value")]
    MissingValue {
        /// The indicator.
        code: IndicatorCode,
    },
    /// Division by zero.
    #[error("division by zero: `{divisor}` is 0")]
    DivisionByZero {
        /// The divisor expression, pretty-printed.
        divisor: String,
    },
    /// A result too large for a decimal.
    #[error("arithmetic overflow in `{operation}`")]
    Overflow {
        /// The operation, e.g. `*` or `sum`.
        operation: &'static str,
    },
    /// A value of the wrong type.
    #[error("{context}: expected a {expected} but found a {found}")]
    TypeMismatch {
        /// The type needed.
        expected: ValueType,
        /// The type found.
        found: ValueType,
        /// Where, e.g. `operand of '+'` or `condition of if`.
        context: String,
    },
    /// An argument value a function cannot take.
    #[error("invalid argument to {function}: {reason}")]
    InvalidArgument {
        /// The function.
        function: Function,
        /// Why.
        reason: &'static str,
    },
    /// Formulas that depend on each other in a circle.
    #[error("formulas form a cycle: {}", path.iter().map(IndicatorCode::as_str).collect::<Vec<_>>().join(" -> "))]
    Cycle {
        /// The codes along the cycle, the first repeated at the end.
        path: Vec<IndicatorCode>,
    },
    /// An error inside the formula of a catalogue indicator.
    #[error("in the formula of `{code}`: {error}")]
    InFormula {
        /// The indicator whose formula failed.
        code: IndicatorCode,
        /// The error.
        error: Box<FormulaError>,
    },
}
/// The catalogue key naming what the parser expected (its descriptions are
/// English; punctuation is shown as is through `formula.expected_token`).
fn expected_key(expected: &str) -> &'static str {
    match expected {
        "an expression" => "formula.expected_expression",
        "an operator or end of input" => "formula.expected_operator",
        e if e.starts_with("'and' or 'or'") => "formula.expected_logic",
        "',' or ')'" => "formula.expected_comma_or_paren",
        _ => "formula.expected_token",
    }
}

impl FormulaError {
    /// Stable message key for translation by the outer layers.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnexpectedCharacter { .. } => "formula.unexpected_character",
            Self::BadNumber { .. } => "formula.bad_number",
            Self::Syntax { .. } => "formula.syntax",
            Self::UnexpectedEnd { .. } => "formula.unexpected_end",
            Self::UnknownFunction { .. } => "formula.unknown_function",
            Self::WrongArity { .. } => "formula.wrong_arity",
            Self::TooDeep { .. } => "formula.too_deep",
            Self::InvalidCode { .. } => "formula.invalid_code",
            Self::UnknownCode { .. } => "formula.unknown_code",
            Self::MissingValue { .. } => "formula.missing_value",
            Self::DivisionByZero { .. } => "formula.division_by_zero",
            Self::Overflow { .. } => "formula.overflow",
            Self::TypeMismatch { .. } => "formula.type_mismatch",
            Self::InvalidArgument { .. } => "formula.invalid_argument",
            Self::Cycle { .. } => "formula.cycle",
            Self::InFormula { .. } => "formula.in_formula",
        }
    }

    /// The translatable message, with the details as arguments.
    pub fn message(&self) -> Message {
        let m = Message::new(self.code());
        match self {
            Self::UnexpectedCharacter { position, found } => {
                m.arg("position", position + 1).arg("found", found)
            }
            Self::BadNumber { position, text, .. } => {
                m.arg("position", position + 1).arg("value", text)
            }
            Self::Syntax {
                position,
                expected,
                found,
            } => m
                .arg("position", position + 1)
                .arg("expected_key", expected_key(expected))
                .arg("token", expected)
                .arg("found", found),
            Self::UnexpectedEnd { position, expected } => m
                .arg("position", position + 1)
                .arg("expected_key", expected_key(expected))
                .arg("token", expected),
            Self::UnknownFunction { position, name } => {
                m.arg("position", position + 1).arg("value", name)
            }
            Self::WrongArity {
                position,
                function,
                expected,
                found,
            } => m
                .arg("position", position + 1)
                .arg("function", function)
                .arg("expected", expected)
                .arg("found", found),
            Self::TooDeep { position } => m.arg("position", position + 1).arg("max", MAX_DEPTH),
            Self::InvalidCode { text } => m.arg("value", text),
            Self::UnknownCode { code, .. } => m.arg("value", code),
            Self::MissingValue { code } => m.arg("value", code),
            Self::DivisionByZero { divisor } => m.arg("value", divisor),
            Self::Overflow { operation } => m.arg("value", operation),
            Self::TypeMismatch {
                expected,
                found,
                context,
            } => m
                .arg("expected", expected)
                .arg("found", found)
                .arg("value", context),
            Self::InvalidArgument { function, reason } => {
                m.arg("function", function).arg("value", reason)
            }
            Self::Cycle { path } => m.arg(
                "value",
                path.iter()
                    .map(IndicatorCode::as_str)
                    .collect::<Vec<_>>()
                    .join(" → "),
            ),
            Self::InFormula { code, error } => {
                let inner = error.message();
                let mut m = m.arg("code", code).arg("detail_key", inner.key);
                m.args.extend(inner.args);
                m
            }
        }
    }

    /// The innermost error, looking through [`FormulaError::InFormula`].
    pub fn root(&self) -> &FormulaError {
        match self {
            Self::InFormula { error, .. } => error.root(),
            other => other,
        }
    }

    /// The byte offset in the formula text, for syntax errors.
    pub fn position(&self) -> Option<usize> {
        match self {
            Self::UnexpectedCharacter { position, .. }
            | Self::BadNumber { position, .. }
            | Self::Syntax { position, .. }
            | Self::UnexpectedEnd { position, .. }
            | Self::UnknownFunction { position, .. }
            | Self::WrongArity { position, .. }
            | Self::TooDeep { position } => Some(*position),
            Self::InFormula { error, .. } => error.position(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
