//! Recursive-descent parser; see the grammar in the module docs.

use super::ast::{BinaryOp, Expr, Function};
use super::lexer::{lex, Tok, Token};
use super::{FormulaError, IndicatorCode, MAX_DEPTH};

/// Parses formula text. Never panics; every failure is a [`FormulaError`] with
/// the byte offset where it was found.
pub fn parse(text: &str) -> Result<Expr, FormulaError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens: &tokens,
        next: 0,
        nesting: 0,
        end: text.len(),
    };
    let (expr, _) = parser.expr()?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => Err(FormulaError::Syntax {
            position: token.position,
            expected: "an operator or end of input".into(),
            found: token.tok.to_string(),
        }),
    }
}

/// A parsed subtree and its height, bounded by [`MAX_DEPTH`] so that printing,
/// evaluating and dropping it cannot exhaust the stack.
type Node = (Expr, usize);

struct Parser<'a> {
    tokens: &'a [Token],
    next: usize,
    // Current recursion depth of the parser itself.
    nesting: usize,
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn peek_tok(&self) -> Option<&Tok> {
        self.peek().map(|t| &t.tok)
    }

    fn position(&self) -> usize {
        self.peek().map_or(self.end, |t| t.position)
    }

    fn advance(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.next);
        self.next += 1;
        token
    }

    fn error_here(&self, expected: &str) -> FormulaError {
        match self.peek() {
            Some(token) => FormulaError::Syntax {
                position: token.position,
                expected: expected.to_owned(),
                found: token.tok.to_string(),
            },
            None => FormulaError::UnexpectedEnd {
                position: self.end,
                expected: expected.to_owned(),
            },
        }
    }

    fn expect(&mut self, tok: &Tok, expected: &str) -> Result<(), FormulaError> {
        if self.peek_tok() == Some(tok) {
            self.next += 1;
            Ok(())
        } else {
            Err(self.error_here(expected))
        }
    }

    /// Runs `f` one nesting level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, FormulaError>,
    ) -> Result<T, FormulaError> {
        if self.nesting >= MAX_DEPTH {
            return Err(FormulaError::TooDeep {
                position: self.position(),
            });
        }
        self.nesting += 1;
        let result = f(self);
        self.nesting -= 1;
        result
    }

    fn node(&self, expr: Expr, height: usize, position: usize) -> Result<Node, FormulaError> {
        if height > MAX_DEPTH {
            return Err(FormulaError::TooDeep { position });
        }
        Ok((expr, height))
    }

    fn binary(
        &self,
        op: BinaryOp,
        left: Node,
        right: Node,
        position: usize,
    ) -> Result<Node, FormulaError> {
        let height = 1 + left.1.max(right.1);
        let expr = Expr::Binary {
            op,
            left: Box::new(left.0),
            right: Box::new(right.0),
        };
        self.node(expr, height, position)
    }

    fn expr(&mut self) -> Result<Node, FormulaError> {
        self.or()
    }

    fn or(&mut self) -> Result<Node, FormulaError> {
        let mut left = self.and()?;
        while self.peek_tok() == Some(&Tok::Or) {
            let position = self.position();
            self.next += 1;
            let right = self.and()?;
            left = self.binary(BinaryOp::Or, left, right, position)?;
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Node, FormulaError> {
        let mut left = self.not()?;
        while self.peek_tok() == Some(&Tok::And) {
            let position = self.position();
            self.next += 1;
            let right = self.not()?;
            left = self.binary(BinaryOp::And, left, right, position)?;
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Node, FormulaError> {
        if self.peek_tok() == Some(&Tok::Not) {
            let position = self.position();
            self.next += 1;
            let (inner, height) = self.nested(Self::not)?;
            return self.node(Expr::Not(Box::new(inner)), height + 1, position);
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Node, FormulaError> {
        let left = self.sum()?;
        let Some(op) = self.peek_tok().and_then(comparison) else {
            return Ok(left);
        };
        let position = self.position();
        self.next += 1;
        let right = self.sum()?;
        if self.peek_tok().and_then(comparison).is_some() {
            return Err(
                self.error_here("'and' or 'or' between comparisons (comparisons do not chain)")
            );
        }
        self.binary(op, left, right, position)
    }

    fn sum(&mut self) -> Result<Node, FormulaError> {
        let mut left = self.product()?;
        loop {
            let op = match self.peek_tok() {
                Some(Tok::Plus) => BinaryOp::Add,
                Some(Tok::Minus) => BinaryOp::Sub,
                _ => return Ok(left),
            };
            let position = self.position();
            self.next += 1;
            let right = self.product()?;
            left = self.binary(op, left, right, position)?;
        }
    }

    fn product(&mut self) -> Result<Node, FormulaError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek_tok() {
                Some(Tok::Star) => BinaryOp::Mul,
                Some(Tok::Slash) => BinaryOp::Div,
                _ => return Ok(left),
            };
            let position = self.position();
            self.next += 1;
            let right = self.unary()?;
            left = self.binary(op, left, right, position)?;
        }
    }

    fn unary(&mut self) -> Result<Node, FormulaError> {
        if self.peek_tok() == Some(&Tok::Minus) {
            let position = self.position();
            self.next += 1;
            let (inner, height) = self.nested(Self::unary)?;
            return self.node(Expr::Neg(Box::new(inner)), height + 1, position);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, FormulaError> {
        let position = self.position();
        let Some(token) = self.advance().cloned() else {
            return Err(FormulaError::UnexpectedEnd {
                position: self.end,
                expected: "an expression".into(),
            });
        };
        match token.tok {
            Tok::Number(n) => Ok((Expr::Number(n), 1)),
            Tok::Braced(code) => Ok((Expr::Reference(IndicatorCode::new(&code)?), 1)),
            Tok::Word(word) if self.peek_tok() == Some(&Tok::LParen) => self.call(&word, position),
            Tok::Word(word) => Ok((Expr::Reference(IndicatorCode::new(&word)?), 1)),
            Tok::LParen => {
                let inner = self.nested(Self::expr)?;
                self.expect(&Tok::RParen, "')'")?;
                Ok(inner)
            }
            _ => {
                self.next -= 1;
                Err(self.error_here("an expression"))
            }
        }
    }

    fn call(&mut self, name: &str, position: usize) -> Result<Node, FormulaError> {
        let function = Function::from_name(&name.to_ascii_lowercase()).ok_or_else(|| {
            FormulaError::UnknownFunction {
                position,
                name: name.to_owned(),
            }
        })?;
        self.next += 1; // '('
        let mut args = Vec::new();
        let mut height = 0;
        if self.peek_tok() != Some(&Tok::RParen) {
            loop {
                let (arg, arg_height) = self.nested(Self::expr)?;
                args.push(arg);
                height = height.max(arg_height);
                match self.peek_tok() {
                    Some(Tok::Comma) => self.next += 1,
                    Some(Tok::RParen) => break,
                    _ => return Err(self.error_here("',' or ')'")),
                }
            }
        }
        self.next += 1; // ')'
        let (accepted, expected) = function.arity(args.len());
        if !accepted {
            return Err(FormulaError::WrongArity {
                position,
                function,
                expected,
                found: args.len(),
            });
        }
        self.node(Expr::Call { function, args }, height + 1, position)
    }
}

fn comparison(tok: &Tok) -> Option<BinaryOp> {
    match tok {
        Tok::Eq => Some(BinaryOp::Eq),
        Tok::Ne => Some(BinaryOp::Ne),
        Tok::Lt => Some(BinaryOp::Lt),
        Tok::Le => Some(BinaryOp::Le),
        Tok::Gt => Some(BinaryOp::Gt),
        Tok::Ge => Some(BinaryOp::Ge),
        _ => None,
    }
}
