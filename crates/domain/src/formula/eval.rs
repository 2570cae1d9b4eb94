//! Exact evaluation of formulas against indicator values.

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::ast::{BinaryOp, Expr, Function};
use super::{FormulaError, IndicatorCode};

/// The result of a formula: a number, or a truth value for validation rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    /// A decimal number.
    Number(Decimal),
    /// A truth value.
    Bool(bool),
}

/// The type of a [`Value`], for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ValueType {
    /// A number.
    Number,
    /// A truth value.
    Boolean,
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Number => "number",
            Self::Boolean => "boolean",
        })
    }
}

impl Value {
    /// The value's type.
    pub fn value_type(&self) -> ValueType {
        match self {
            Self::Number(_) => ValueType::Number,
            Self::Bool(_) => ValueType::Boolean,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// What a [`ValueSource`] knows about a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The indicator's value.
    Value(Decimal),
    /// The indicator exists but has no value (not reported yet).
    Missing,
    /// No such indicator in the catalogue.
    Unknown,
}

/// Where evaluation gets indicator values from. Implemented for closures
/// `Fn(&IndicatorCode) -> Lookup`.
pub trait ValueSource {
    /// The value of `code`.
    fn lookup(&self, code: &IndicatorCode) -> Lookup;
}

impl<F: Fn(&IndicatorCode) -> Lookup> ValueSource for F {
    fn lookup(&self, code: &IndicatorCode) -> Lookup {
        self(code)
    }
}

/// Evaluates `expr`. `and`, `or` and `if` evaluate only what they need, so
/// `if(B = 0, 0, A / B)` does not divide by zero. Every failure is an error value.
pub fn evaluate(expr: &Expr, source: &impl ValueSource) -> Result<Value, FormulaError> {
    Evaluator { source }.eval(expr)
}

struct Evaluator<'a, S> {
    source: &'a S,
}

fn mismatch(expected: ValueType, found: &Value, context: impl Into<String>) -> FormulaError {
    FormulaError::TypeMismatch {
        expected,
        found: found.value_type(),
        context: context.into(),
    }
}

impl<S: ValueSource> Evaluator<'_, S> {
    fn number(
        &self,
        expr: &Expr,
        context: impl FnOnce() -> String,
    ) -> Result<Decimal, FormulaError> {
        match self.eval(expr)? {
            Value::Number(n) => Ok(n),
            other => Err(mismatch(ValueType::Number, &other, context())),
        }
    }

    fn boolean(&self, expr: &Expr, context: impl FnOnce() -> String) -> Result<bool, FormulaError> {
        match self.eval(expr)? {
            Value::Bool(b) => Ok(b),
            other => Err(mismatch(ValueType::Boolean, &other, context())),
        }
    }

    fn eval(&self, expr: &Expr) -> Result<Value, FormulaError> {
        match expr {
            Expr::Number(n) => Ok(Value::Number(*n)),
            Expr::Reference(code) => match self.source.lookup(code) {
                Lookup::Value(n) => Ok(Value::Number(n)),
                Lookup::Missing => Err(FormulaError::MissingValue { code: code.clone() }),
                Lookup::Unknown => Err(FormulaError::UnknownCode {
                    code: code.clone(),
                    referenced_by: None,
                }),
            },
            Expr::Neg(inner) => Ok(Value::Number(
                -self.number(inner, || "operand of '-'".into())?,
            )),
            Expr::Not(inner) => Ok(Value::Bool(
                !self.boolean(inner, || "operand of 'not'".into())?,
            )),
            Expr::Binary { op, left, right } => self.binary(*op, left, right),
            Expr::Call { function, args } => self.call(*function, args),
        }
    }

    fn binary(&self, op: BinaryOp, left: &Expr, right: &Expr) -> Result<Value, FormulaError> {
        let context = || format!("operand of '{}'", op.symbol());
        match op {
            BinaryOp::And => Ok(Value::Bool(
                self.boolean(left, context)? && self.boolean(right, context)?,
            )),
            BinaryOp::Or => Ok(Value::Bool(
                self.boolean(left, context)? || self.boolean(right, context)?,
            )),
            BinaryOp::Eq | BinaryOp::Ne => {
                let equal = match (self.eval(left)?, self.eval(right)?) {
                    (Value::Number(a), Value::Number(b)) => a == b,
                    (Value::Bool(a), Value::Bool(b)) => a == b,
                    (a, b) => return Err(mismatch(a.value_type(), &b, context())),
                };
                Ok(Value::Bool(equal == (op == BinaryOp::Eq)))
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let ordering = self
                    .number(left, context)?
                    .cmp(&self.number(right, context)?);
                Ok(Value::Bool(match op {
                    BinaryOp::Lt => ordering == Ordering::Less,
                    BinaryOp::Le => ordering != Ordering::Greater,
                    BinaryOp::Gt => ordering == Ordering::Greater,
                    _ => ordering != Ordering::Less,
                }))
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let a = self.number(left, context)?;
                let b = self.number(right, context)?;
                let result = match op {
                    BinaryOp::Add => a.checked_add(b),
                    BinaryOp::Sub => a.checked_sub(b),
                    BinaryOp::Mul => a.checked_mul(b),
                    _ => {
                        if b.is_zero() {
                            return Err(FormulaError::DivisionByZero {
                                divisor: right.to_string(),
                            });
                        }
                        a.checked_div(b)
                    }
                };
                result.map(Value::Number).ok_or(FormulaError::Overflow {
                    operation: op.symbol(),
                })
            }
        }
    }

    fn numbers(&self, function: Function, args: &[Expr]) -> Result<Vec<Decimal>, FormulaError> {
        args.iter()
            .map(|arg| self.number(arg, || format!("argument of {function}")))
            .collect()
    }

    fn call(&self, function: Function, args: &[Expr]) -> Result<Value, FormulaError> {
        let arity = || FormulaError::WrongArity {
            position: 0,
            function,
            expected: function.arity(args.len()).1,
            found: args.len(),
        };
        // The parser checks arity; hand-built trees are checked here.
        if !function.arity(args.len()).0 {
            return Err(arity());
        }
        match function {
            Function::If => {
                let [condition, then, otherwise] = args else {
                    return Err(arity());
                };
                if self.boolean(condition, || "condition of if".into())? {
                    self.eval(then)
                } else {
                    self.eval(otherwise)
                }
            }
            Function::Sum => {
                let mut total = Decimal::ZERO;
                for n in self.numbers(function, args)? {
                    total = total
                        .checked_add(n)
                        .ok_or(FormulaError::Overflow { operation: "sum" })?;
                }
                Ok(Value::Number(total))
            }
            Function::Min | Function::Max => {
                let numbers = self.numbers(function, args)?;
                let pick = if function == Function::Min {
                    numbers.into_iter().min()
                } else {
                    numbers.into_iter().max()
                };
                pick.map(Value::Number).ok_or_else(arity)
            }
            Function::Abs => {
                let numbers = self.numbers(function, args)?;
                let [x] = numbers.as_slice() else {
                    return Err(arity());
                };
                Ok(Value::Number(x.abs()))
            }
            Function::Round => {
                let numbers = self.numbers(function, args)?;
                let [x, places] = numbers.as_slice() else {
                    return Err(arity());
                };
                let places = round_places(*places)?;
                Ok(Value::Number(x.round_dp_with_strategy(
                    places,
                    RoundingStrategy::MidpointAwayFromZero,
                )))
            }
        }
    }
}

fn round_places(places: Decimal) -> Result<u32, FormulaError> {
    let invalid = FormulaError::InvalidArgument {
        function: Function::Round,
        reason: "the number of decimal places must be a whole number from 0 to 28",
    };
    if places.fract() != Decimal::ZERO || places.is_sign_negative() && !places.is_zero() {
        return Err(invalid);
    }
    // Normalised, a whole number has scale 0, so the mantissa is its value.
    let places = places.normalize().mantissa();
    u32::try_from(places)
        .ok()
        .filter(|p| *p <= Decimal::MAX_SCALE)
        .ok_or(invalid)
}
