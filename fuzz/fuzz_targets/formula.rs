//! Fuzzes the formula parser and evaluator: no input may panic, and every
//! parsed formula must print to text that parses back to the same tree.
//!
//! Run with `cargo +nightly fuzz run formula fuzz/corpus/formula`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use baocao_domain::formula::{evaluate, parse, IndicatorCode, Lookup};

/// A few known codes with values (one missing), everything else unknown, so
/// that evaluation reaches its error paths too.
fn values(code: &IndicatorCode) -> Lookup {
    match code.as_str() {
        "A" => Lookup::Value(Decimal::new(10, 0)),
        "B" => Lookup::Value(Decimal::ZERO),
        "C" => Lookup::Value(Decimal::new(-25, 1)),
        "BIG" => Lookup::Value(Decimal::MAX),
        "0501" => Lookup::Value(Decimal::new(7, 0)),
        "M" => Lookup::Missing,
        _ => Lookup::Unknown,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(expr) = parse(text) else {
        return;
    };
    let _ = evaluate(&expr, &values);
    let printed = expr.to_string();
    match parse(&printed) {
        Ok(again) => assert_eq!(again, expr, "printed as {printed:?}"),
        Err(error) => panic!("{printed:?} does not parse back: {error}"),
    }
});
