use std::collections::BTreeMap;
use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn code(text: &str) -> IndicatorCode {
    IndicatorCode::new(text).unwrap()
}

/// Values for A=10, B=4, C=0, B1..B3 = 1, 2, 3.5, `{0501}` = 7; M is known but
/// missing; everything else is unknown.
fn values(code: &IndicatorCode) -> Lookup {
    match code.as_str() {
        "A" => Lookup::Value(dec("10")),
        "B" => Lookup::Value(dec("4")),
        "C" => Lookup::Value(Decimal::ZERO),
        "B1" => Lookup::Value(dec("1")),
        "B2" => Lookup::Value(dec("2")),
        "B3" => Lookup::Value(dec("3.5")),
        "0501" => Lookup::Value(dec("7")),
        "BIG" => Lookup::Value(Decimal::MAX),
        "M" => Lookup::Missing,
        _ => Lookup::Unknown,
    }
}

fn eval(text: &str) -> Result<Value, FormulaError> {
    evaluate(&parse(text)?, &values)
}

fn num(text: &str) -> Decimal {
    match eval(text).unwrap() {
        Value::Number(n) => n,
        other => panic!("{text}: expected a number, got {other}"),
    }
}

fn truth(text: &str) -> bool {
    match eval(text).unwrap() {
        Value::Bool(b) => b,
        other => panic!("{text}: expected a boolean, got {other}"),
    }
}

fn parse_err(text: &str) -> FormulaError {
    parse(text).unwrap_err()
}

// ---- parsing and printing ----

#[test]
fn precedence_and_associativity() {
    assert_eq!(num("1 + 2 * 3"), dec("7"));
    assert_eq!(num("(1 + 2) * 3"), dec("9"));
    assert_eq!(num("10 - 4 - 3"), dec("3"));
    assert_eq!(num("24 / 4 / 2"), dec("3"));
    assert_eq!(num("-2 * 3"), dec("-6"));
    assert_eq!(num("--2"), dec("2"));
    assert_eq!(num("2 - -2"), dec("4"));
    assert!(truth("1 + 1 = 2 and not 3 < 2 or 1 > 5"));
    assert!(!truth("1 = 1 and 2 = 3"));
    assert!(truth("1 = 2 or 2 = 2 and 3 = 3"));
}

#[test]
fn canonical_printing() {
    let cases = [
        ("1+2*3", "1 + 2 * 3"),
        ("(1+2)*3", "(1 + 2) * 3"),
        ("1-(2-3)", "1 - (2 - 3)"),
        ("(1-2)-3", "1 - 2 - 3"),
        ("-(A*B)", "-(A * B)"),
        ("A = B1+B2+B3", "A = B1 + B2 + B3"),
        ("NOT (a AND b) Or c", "not (a and b) or c"),
        ("[0501] <> {x_1}", "{0501} != x_1"),
        ("{A1}", "A1"),
        ("{AND} + {sum}", "{AND} + {sum}"),
        (
            "IF(A>=0,Sum(A,B),round(1.50,1))",
            "if(A >= 0, sum(A, B), round(1.50, 1))",
        ),
        ("(A < B) = (B < C)", "(A < B) = (B < C)"),
        ("-(not x)", "-(not x)"),
    ];
    for (text, printed) in cases {
        let expr = parse(text).unwrap();
        assert_eq!(expr.to_string(), printed, "{text}");
        assert_eq!(parse(printed).unwrap(), expr, "{text}");
    }
}

#[test]
fn references_are_listed_once_and_sorted() {
    let expr = parse("A = B2 + B1 + if(B1 > 0, {0501}, B2)").unwrap();
    let refs: Vec<String> = expr.references().iter().map(ToString::to_string).collect();
    assert_eq!(refs, ["0501", "A", "B1", "B2"]);
    assert!(parse("1 + 2").unwrap().references().is_empty());
}

#[test]
fn codes_in_braces_and_brackets_are_the_same_code() {
    assert_eq!(parse("{B1}").unwrap(), parse("B1").unwrap());
    assert_eq!(parse("[0501]").unwrap(), parse("{0501}").unwrap());
    assert_eq!(num("{0501} * 2"), dec("14"));
    assert_eq!(parse("B.1.x").unwrap(), Expr::Reference(code("B.1.x")));
}

// ---- syntax errors, one test per kind ----

#[test]
fn syntax_error_expected_closing_parenthesis_at_end() {
    let err = parse_err("(1 + 2");
    assert_eq!(
        err,
        FormulaError::UnexpectedEnd {
            position: 6,
            expected: "')'".into()
        }
    );
    assert_eq!(err.to_string(), "at 6: expected ')' but found end of input");
    assert_eq!(err.code(), "formula.unexpected_end");
    assert_eq!(err.position(), Some(6));
}

#[test]
fn unexpected_end_after_an_operator() {
    assert_eq!(
        parse_err("A +"),
        FormulaError::UnexpectedEnd {
            position: 3,
            expected: "an expression".into()
        }
    );
    assert_eq!(parse_err("").code(), "formula.unexpected_end");
    assert_eq!(parse_err("   ").position(), Some(3));
    assert_eq!(
        parse_err("sum(A,").to_string(),
        "at 6: expected an expression but found end of input"
    );
    assert_eq!(
        parse_err("{A1").to_string(),
        "at 3: expected '}' but found end of input"
    );
}

#[test]
fn syntax_errors_at_several_positions() {
    let cases = [
        ("1 + * 2", 4, "an expression", "'*'"),
        ("(A))", 3, "an operator or end of input", "')'"),
        ("A B", 2, "an operator or end of input", "`B`"),
        ("sum(A B)", 6, "',' or ')'", "`B`"),
        (
            "1 < 2 < 3",
            6,
            "'and' or 'or' between comparisons (comparisons do not chain)",
            "'<'",
        ),
        ("A + not B", 4, "an expression", "'not'"),
        ("{}", 1, "an indicator code", "'}'"),
        ("{A-1}", 2, "an indicator code character or '}'", "'-'"),
        ("()", 1, "an expression", "')'"),
    ];
    for (text, position, expected, found) in cases {
        assert_eq!(
            parse_err(text),
            FormulaError::Syntax {
                position,
                expected: expected.into(),
                found: found.into()
            },
            "{text}"
        );
    }
    assert_eq!(
        parse_err("1 + * 2").to_string(),
        "at 4: expected an expression but found '*'"
    );
    assert_eq!(parse_err("1 + * 2").code(), "formula.syntax");
}

#[test]
fn unexpected_characters() {
    assert_eq!(
        parse_err("A # B"),
        FormulaError::UnexpectedCharacter {
            position: 2,
            found: '#'
        }
    );
    let err = parse_err("Tổng");
    assert_eq!(
        err,
        FormulaError::UnexpectedCharacter {
            position: 1,
            found: 'ổ'
        }
    );
    // Positions are byte offsets: the no-break space before '+' takes two bytes.
    assert_eq!(parse_err("A\u{a0}+ #").position(), Some(5));
    assert_eq!(parse_err("1 ! 2").code(), "formula.unexpected_character");
    assert_eq!(parse_err("_A").code(), "formula.unexpected_character");
    assert_eq!(parse_err("A + ;").position(), Some(4));
}

#[test]
fn bad_numbers() {
    let cases = [
        ("1.", "a digit must follow the decimal point"),
        ("1.2.3", "only digits may follow the decimal point"),
        (
            "12abc",
            "only digits and one '.' may follow the first digit",
        ),
        (
            "0501",
            "leading zero; write a code such as 0501 in braces: {0501}",
        ),
        (".5", "a number must start with a digit"),
        (
            "123456789012345678901234567890",
            "too many digits for a decimal number",
        ),
        (
            "0.00000000000000000000000000001",
            "too many digits for a decimal number",
        ),
    ];
    for (text, reason) in cases {
        match parse_err(text) {
            FormulaError::BadNumber {
                position,
                reason: r,
                text: t,
            } => {
                assert_eq!((position, r, t.as_str()), (0, reason, text), "{text}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    assert_eq!(parse_err("A + 1.").position(), Some(4));
    assert_eq!(parse_err("1.").code(), "formula.bad_number");
    assert_eq!(num("0.5 + 0"), dec("0.5"));
    assert_eq!(num("79228162514264337593543950335"), Decimal::MAX);
}

#[test]
fn unknown_function() {
    let err = parse_err("1 + avg(A, B)");
    assert_eq!(
        err,
        FormulaError::UnknownFunction {
            position: 4,
            name: "avg".into()
        }
    );
    assert_eq!(err.to_string(), "at 4: unknown function `avg`");
    assert_eq!(err.code(), "formula.unknown_function");
    // Without '(' the same word is an indicator code.
    assert_eq!(parse("avg").unwrap(), Expr::Reference(code("avg")));
}

#[test]
fn wrong_arity() {
    let cases = [
        ("if(A, B)", Function::If, "3", 2),
        ("sum()", Function::Sum, "at least 1", 0),
        ("max()", Function::Max, "at least 1", 0),
        ("abs(A, B)", Function::Abs, "1", 2),
        ("x + round(A)", Function::Round, "2", 1),
    ];
    for (text, function, expected, found) in cases {
        let err = parse_err(text);
        assert_eq!(
            err,
            FormulaError::WrongArity {
                position: text.find(function.name()).unwrap(),
                function,
                expected,
                found
            },
            "{text}"
        );
        assert_eq!(err.code(), "formula.wrong_arity");
    }
    assert_eq!(
        parse_err("if(A, B)").to_string(),
        "at 0: if takes 3 arguments but was given 2"
    );
}

#[test]
fn nesting_is_limited_without_overflowing_the_stack() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(parse_err(&deep).code(), "formula.too_deep");
    assert_eq!(parse_err(&"-".repeat(10_000)).code(), "formula.too_deep");
    assert_eq!(parse_err(&"not ".repeat(10_000)).code(), "formula.too_deep");
    assert_eq!(
        parse_err(&format!("{}1", "sum(".repeat(10_000))).code(),
        "formula.too_deep"
    );
    // Long flat sums nest on the left; 150 terms are fine, 1000 are not.
    let terms = |n: usize| vec!["B1"; n].join(" + ");
    assert_eq!(num(&terms(150)), dec("150"));
    assert_eq!(parse_err(&terms(1000)).code(), "formula.too_deep");
    // Within the limit, a moderately deep formula still works.
    let ok = format!("{}1{}", "(".repeat(150), ")".repeat(150));
    assert_eq!(num(&ok), dec("1"));
}

// ---- evaluation ----

#[test]
fn exact_decimal_arithmetic() {
    assert_eq!(num("0.1 + 0.2"), dec("0.3"));
    assert!(truth("0.1 + 0.2 = 0.3"));
    assert_eq!(num("B1 + B2 + B3"), dec("6.5"));
    assert_eq!(num("A / B"), dec("2.5"));
    assert_eq!(num("sum(B1, B2, B3, {0501})"), dec("13.5"));
    assert_eq!(num("min(A, B, B3)"), dec("3.5"));
    assert_eq!(num("max(A, B, B3)"), dec("10"));
    assert_eq!(num("abs(B - A)"), dec("6"));
    assert_eq!(num("round(2.345, 2)"), dec("2.35"));
    assert_eq!(num("round(-2.5, 0)"), dec("-3"));
    assert_eq!(num("round(A / 3, 2)"), dec("3.33"));
    assert_eq!(num("round(B3, 2.0)"), dec("3.5"));
}

#[test]
fn validation_rules() {
    assert!(truth("A <= A"));
    assert!(!truth("A < B"));
    assert!(truth("B3 = B1 + 2.5"));
    assert!(truth("A != B"));
    assert!(truth("(A > B) = (B > C)"));
    assert!(truth("not (A = B)"));
    // Only the needed branch is evaluated: no division by zero, no missing value.
    assert_eq!(num("if(C = 0, 0, A / C)"), dec("0"));
    assert!(truth("A > 0 or M > 0"));
    assert!(!truth("A < 0 and M > 0"));
}

#[test]
fn unknown_code_at_evaluation() {
    let err = eval("A + Z9").unwrap_err();
    assert_eq!(
        err,
        FormulaError::UnknownCode {
            code: code("Z9"),
            referenced_by: None
        }
    );
    assert_eq!(err.to_string(), "unknown indicator code `Z9`");
    assert_eq!(err.code(), "formula.unknown_code");
}

#[test]
fn missing_value() {
    let err = eval("sum(A, M)").unwrap_err();
    assert_eq!(err, FormulaError::MissingValue { code: code("M") });
    assert_eq!(err.to_string(), "indicator `M` has no value");
    assert_eq!(err.code(), "formula.missing_value");
}

#[test]
fn division_by_zero() {
    let err = eval("A / (B - 4)").unwrap_err();
    assert_eq!(
        err,
        FormulaError::DivisionByZero {
            divisor: "B - 4".into()
        }
    );
    assert_eq!(err.to_string(), "division by zero: `B - 4` is 0");
    assert_eq!(err.code(), "formula.division_by_zero");
    assert_eq!(
        eval("1 / 0.000").unwrap_err().code(),
        "formula.division_by_zero"
    );
}

#[test]
fn overflow() {
    let cases = [
        ("BIG + 1", "+"),
        ("-BIG - 1", "-"),
        ("BIG * 2", "*"),
        ("BIG / 0.5", "/"),
        ("sum(BIG, BIG)", "sum"),
    ];
    for (text, operation) in cases {
        assert_eq!(
            eval(text),
            Err(FormulaError::Overflow { operation }),
            "{text}"
        );
    }
    assert_eq!(eval("BIG * 2").unwrap_err().code(), "formula.overflow");
    assert_eq!(
        eval("BIG * 2").unwrap_err().to_string(),
        "arithmetic overflow in `*`"
    );
    // Right at the edge is fine.
    assert_eq!(num("BIG - 1 + 1"), Decimal::MAX);
}

#[test]
fn type_mismatch() {
    let cases = [
        (
            "(A > B) + 1",
            ValueType::Number,
            ValueType::Boolean,
            "operand of '+'",
        ),
        (
            "A and B",
            ValueType::Boolean,
            ValueType::Number,
            "operand of 'and'",
        ),
        (
            "not A",
            ValueType::Boolean,
            ValueType::Number,
            "operand of 'not'",
        ),
        (
            "-(A = A)",
            ValueType::Number,
            ValueType::Boolean,
            "operand of '-'",
        ),
        (
            "if(A, 1, 2)",
            ValueType::Boolean,
            ValueType::Number,
            "condition of if",
        ),
        (
            "sum(A, A > B)",
            ValueType::Number,
            ValueType::Boolean,
            "argument of sum",
        ),
        (
            "A = (A > B)",
            ValueType::Number,
            ValueType::Boolean,
            "operand of '='",
        ),
        (
            "(A = A) < (B = B)",
            ValueType::Number,
            ValueType::Boolean,
            "operand of '<'",
        ),
    ];
    for (text, expected, found, context) in cases {
        assert_eq!(
            eval(text),
            Err(FormulaError::TypeMismatch {
                expected,
                found,
                context: context.into()
            }),
            "{text}"
        );
    }
    let err = eval("(A > B) + 1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "operand of '+': expected a number but found a boolean"
    );
    assert_eq!(err.code(), "formula.type_mismatch");
}

#[test]
fn invalid_argument() {
    for text in ["round(A, -1)", "round(A, 1.5)", "round(A, 29)"] {
        let err = eval(text).unwrap_err();
        assert_eq!(err.code(), "formula.invalid_argument", "{text}");
    }
    assert_eq!(num("round(A, 28)"), dec("10"));
    assert_eq!(num("round(B3, -0)"), dec("4"));
}

#[test]
fn hand_built_trees_with_bad_arity_are_errors_not_panics() {
    let expr = Expr::Call {
        function: Function::Round,
        args: vec![Expr::Number(Decimal::ONE)],
    };
    assert_eq!(
        evaluate(&expr, &values).unwrap_err().code(),
        "formula.wrong_arity"
    );
}

// ---- catalogue checks ----

fn catalogue(entries: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
    entries
        .iter()
        .map(|(code, formula)| (code.to_string(), formula.map(str::to_string)))
        .collect()
}

#[test]
fn a_valid_catalogue_gives_an_evaluation_order() {
    let checked = check_formulas(&catalogue(&[
        ("TOTAL", Some("SUB1 + SUB2")),
        ("SUB1", Some("B1 * 2")),
        ("SUB2", Some("{0501} + SUB1")),
        ("B1", None),
        ("0501", None),
    ]))
    .unwrap();
    let order: Vec<&str> = checked
        .evaluation_order()
        .iter()
        .map(IndicatorCode::as_str)
        .collect();
    assert_eq!(order, ["SUB1", "SUB2", "TOTAL"]);
    assert_eq!(checked.formulas().len(), 3);
}

#[test]
fn cycles_are_reported_with_their_path() {
    let errors = check_formulas(&catalogue(&[
        ("A", Some("B + 1")),
        ("B", Some("C * 2")),
        ("C", Some("A - X")),
        ("X", None),
        ("S", Some("S + 1")),
    ]))
    .unwrap_err();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "formulas form a cycle: A -> B -> C -> A",
            "formulas form a cycle: S -> S",
        ]
    );
    assert!(errors.iter().all(|e| e.code() == "formula.cycle"));
}

#[test]
fn catalogue_unknown_codes_and_syntax_errors_are_all_reported() {
    let errors = check_formulas(&catalogue(&[
        ("A", Some("B + NOPE")),
        ("B", Some("(1 +")),
        ("bad code", None),
    ]))
    .unwrap_err();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(
        errors[1],
        FormulaError::InvalidCode {
            text: "bad code".into()
        }
    );
    assert_eq!(errors[0].code(), "formula.in_formula");
    assert_eq!(errors[0].root().code(), "formula.unexpected_end");
    assert_eq!(errors[0].position(), Some(4));
    assert_eq!(
        errors[0].to_string(),
        "in the formula of `B`: at 4: expected an expression but found end of input"
    );
    assert_eq!(
        errors[2],
        FormulaError::UnknownCode {
            code: code("NOPE"),
            referenced_by: Some(code("A"))
        }
    );
    assert_eq!(
        errors[2].to_string(),
        "unknown indicator code `NOPE` in the formula of `A`"
    );
}

#[test]
fn long_dependency_chains_do_not_overflow_the_stack() {
    let mut entries = BTreeMap::new();
    for i in 0..20_000 {
        entries.insert(format!("X{i:05}"), Some(format!("X{:05} + 1", i + 1)));
    }
    entries.insert("X20000".to_string(), None);
    let checked = check_formulas(&entries).unwrap();
    assert_eq!(
        checked.evaluation_order().first().unwrap().as_str(),
        "X19999"
    );
    assert_eq!(
        checked.evaluation_order().last().unwrap().as_str(),
        "X00000"
    );
}

#[test]
fn indicator_codes_are_validated() {
    assert!(IndicatorCode::new("A_1.2").is_ok());
    for bad in ["", "A-1", "Tổng", &"A".repeat(MAX_CODE_LEN + 1)] {
        assert_eq!(
            IndicatorCode::new(bad).unwrap_err().code(),
            "formula.invalid_code",
            "{bad}"
        );
    }
    assert_eq!(
        parse_err(&"A".repeat(MAX_CODE_LEN + 1)).code(),
        "formula.invalid_code"
    );
}

// ---- properties ----

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (0i64..1_000_000, 0u32..5).prop_map(|(m, s)| Expr::Number(Decimal::new(m, s))),
        "[A-Za-z][A-Za-z0-9_.]{0,5}".prop_map(|c| Expr::Reference(code(&c))),
        "[0-9][0-9_]{0,4}".prop_map(|c| Expr::Reference(code(&c))),
    ]
}

fn any_expr() -> impl Strategy<Value = Expr> {
    let ops = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::And,
        BinaryOp::Or,
    ];
    leaf().prop_recursive(6, 64, 4, move |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Neg(Box::new(e))),
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            (0..ops.len(), inner.clone(), inner.clone()).prop_map(move |(i, l, r)| {
                Expr::Binary {
                    op: ops[i],
                    left: Box::new(l),
                    right: Box::new(r),
                }
            }),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| Expr::Call {
                function: Function::If,
                args: vec![c, a, b],
            }),
            (
                prop_oneof![
                    Just(Function::Sum),
                    Just(Function::Min),
                    Just(Function::Max)
                ],
                prop::collection::vec(inner.clone(), 1..4)
            )
                .prop_map(|(function, args)| Expr::Call { function, args }),
            inner.clone().prop_map(|x| Expr::Call {
                function: Function::Abs,
                args: vec![x],
            }),
            (inner.clone(), inner).prop_map(|(x, n)| Expr::Call {
                function: Function::Round,
                args: vec![x, n],
            }),
        ]
    })
}

proptest! {
    #[test]
    fn printing_then_parsing_gives_the_same_tree(expr in any_expr()) {
        let printed = expr.to_string();
        let reparsed = parse(&printed);
        prop_assert_eq!(reparsed.as_ref(), Ok(&expr), "printed: {}", printed);
        prop_assert_eq!(reparsed.unwrap().to_string(), printed);
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,64}") {
        if let Ok(expr) = parse(&text) {
            let _ = evaluate(&expr, &values);
            prop_assert_eq!(parse(&expr.to_string()), Ok(expr));
        }
    }

    #[test]
    fn formula_like_text_never_panics(text in "[-+*/()<>=!{}\\[\\], .0-9ABCMnotdrsumifx_]{0,48}") {
        if let Ok(expr) = parse(&text) {
            let _ = evaluate(&expr, &values);
            prop_assert_eq!(parse(&expr.to_string()), Ok(expr));
        }
    }

    #[test]
    fn evaluating_random_trees_never_panics(expr in any_expr()) {
        let _ = evaluate(&expr, &values);
    }
}
