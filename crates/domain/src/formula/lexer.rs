//! Splits formula text into tokens, each with its byte offset.

use std::fmt;

use rust_decimal::Decimal;

use super::{is_code_char, FormulaError};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Number(Decimal),
    /// A bare word: a function name or an indicator code.
    Word(String),
    /// A code in braces or brackets.
    Braced(String),
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Not,
}

impl fmt::Display for Tok {
    /// How a token is named in "found …" messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Number(n) => write!(f, "{n}"),
            Tok::Word(w) => write!(f, "`{w}`"),
            Tok::Braced(code) => write!(f, "`{{{code}}}`"),
            Tok::LParen => f.write_str("'('"),
            Tok::RParen => f.write_str("')'"),
            Tok::Comma => f.write_str("','"),
            Tok::Plus => f.write_str("'+'"),
            Tok::Minus => f.write_str("'-'"),
            Tok::Star => f.write_str("'*'"),
            Tok::Slash => f.write_str("'/'"),
            Tok::Eq => f.write_str("'='"),
            Tok::Ne => f.write_str("'!='"),
            Tok::Lt => f.write_str("'<'"),
            Tok::Le => f.write_str("'<='"),
            Tok::Gt => f.write_str("'>'"),
            Tok::Ge => f.write_str("'>='"),
            Tok::And => f.write_str("'and'"),
            Tok::Or => f.write_str("'or'"),
            Tok::Not => f.write_str("'not'"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub position: usize,
}

pub(crate) fn lex(text: &str) -> Result<Vec<Token>, FormulaError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(position, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        // Runs of code characters: numbers and words.
        if is_code_char(c) {
            let mut end = position;
            while let Some(&(i, c)) = chars.peek() {
                if !is_code_char(c) {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
            let run = text.get(position..end).unwrap_or_default();
            let tok = if c.is_ascii_digit() {
                Tok::Number(number(run, position)?)
            } else if c.is_ascii_alphabetic() {
                match run.to_ascii_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    _ => Tok::Word(run.to_owned()),
                }
            } else if c == '.' {
                return Err(FormulaError::BadNumber {
                    position,
                    text: run.to_owned(),
                    reason: "a number must start with a digit",
                });
            } else {
                return Err(FormulaError::UnexpectedCharacter { position, found: c });
            };
            tokens.push(Token { tok, position });
            continue;
        }
        chars.next();
        let next = chars.peek().map(|&(_, c)| c);
        let (tok, two_chars) = match (c, next) {
            ('(', _) => (Tok::LParen, false),
            (')', _) => (Tok::RParen, false),
            (',', _) => (Tok::Comma, false),
            ('+', _) => (Tok::Plus, false),
            ('-', _) => (Tok::Minus, false),
            ('*', _) => (Tok::Star, false),
            ('/', _) => (Tok::Slash, false),
            ('=', _) => (Tok::Eq, false),
            ('!', Some('=')) => (Tok::Ne, true),
            ('<', Some('>')) => (Tok::Ne, true),
            ('<', Some('=')) => (Tok::Le, true),
            ('<', _) => (Tok::Lt, false),
            ('>', Some('=')) => (Tok::Ge, true),
            ('>', _) => (Tok::Gt, false),
            ('{', _) => (braced(text, position, &mut chars, '}')?, false),
            ('[', _) => (braced(text, position, &mut chars, ']')?, false),
            _ => return Err(FormulaError::UnexpectedCharacter { position, found: c }),
        };
        if two_chars {
            chars.next();
        }
        tokens.push(Token { tok, position });
    }
    Ok(tokens)
}

fn number(run: &str, position: usize) -> Result<Decimal, FormulaError> {
    let bad = |reason| FormulaError::BadNumber {
        position,
        text: run.to_owned(),
        reason,
    };
    let (whole, fraction) = match run.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (run, None),
    };
    if !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("only digits and one '.' may follow the first digit"));
    }
    if let Some(fraction) = fraction {
        if fraction.is_empty() {
            return Err(bad("a digit must follow the decimal point"));
        }
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("only digits may follow the decimal point"));
        }
    }
    if whole.len() > 1 && whole.starts_with('0') {
        return Err(bad(
            "leading zero; write a code such as 0501 in braces: {0501}",
        ));
    }
    Decimal::from_str_exact(run).map_err(|_| bad("too many digits for a decimal number"))
}

fn braced(
    text: &str,
    open: usize,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    close: char,
) -> Result<Tok, FormulaError> {
    let start = open + 1;
    loop {
        match chars.next() {
            None => {
                return Err(FormulaError::UnexpectedEnd {
                    position: text.len(),
                    expected: format!("'{close}'"),
                })
            }
            Some((end, c)) if c == close => {
                let code = text.get(start..end).unwrap_or_default();
                if code.is_empty() {
                    return Err(FormulaError::Syntax {
                        position: end,
                        expected: "an indicator code".into(),
                        found: format!("'{close}'"),
                    });
                }
                return Ok(Tok::Braced(code.to_owned()));
            }
            Some((_, c)) if is_code_char(c) => {}
            Some((position, c)) => {
                return Err(FormulaError::Syntax {
                    position,
                    expected: format!("an indicator code character or '{close}'"),
                    found: format!("'{c}'"),
                })
            }
        }
    }
}
