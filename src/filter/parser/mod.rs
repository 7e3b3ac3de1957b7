//! Recursive-descent parser with precedence levels (OData 4.01 order, loosest first):
//! `or`, `and`, `eq ne`, `gt ge lt le`, `add sub`, `mul div divby mod`, unary `- not`,
//! postfix `has in`, primary (literals, JSON arrays and objects, member paths with their
//! segments, method calls, lambdas, `( … )`). An explicit depth counter bounds recursion
//! and chain length: parentheses, calls, lambdas, JSON arrays and objects, `$filter(…)`
//! segments and operator chains all count.
//!
//! Where the OData ABNF leaves the choice to the service's metadata (is `Name(…)` a
//! function, a key or a method?), the parser decides by shape: the OData methods by
//! name; a dotted name or named parameters (`p=v`) make a function segment; a single
//! literal before `/` a key predicate; other unknown `name(args)` stay a positional call,
//! which the checker reports as an unknown function with a suggestion.
//!
//! Imports no I/O, no wasm, no `worker`.

use super::ast::*;
use super::error::{ErrorKind, FilterError, Span};
use super::lexer::{lex, Tok, Token};

mod calls;
mod paths;
mod primary;

pub(crate) use calls::is_method;

/// Longest accepted filter, in bytes.
pub const MAX_LENGTH: usize = 8 * 1024;
/// Deepest accepted nesting (parentheses, calls, lambdas, unary chains, operator chains).
pub const MAX_DEPTH: usize = 100;
/// Most items in one `in (…)` list.
pub const MAX_IN_ITEMS: usize = 1000;

/// Parses filter text into an AST (syntax only; names are resolved when a query runs).
pub fn parse(src: &str) -> Result<Expr, FilterError> {
    if src.len() > MAX_LENGTH {
        return Err(FilterError::new(
            ErrorKind::LengthLimit,
            format!(
                "filter is {} bytes long; the limit is {MAX_LENGTH}",
                src.len()
            ),
            Span::new(MAX_LENGTH, src.len()),
        ));
    }
    let (toks, lex_error) = lex(src);
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        lex_error,
    };
    p.filter(src)
}

impl Parser<'_> {
    fn filter(&mut self, src: &str) -> Result<Expr, FilterError> {
        if matches!(self.peek().tok, Tok::Eof) {
            return Err(FilterError::new(
                ErrorKind::SyntaxEmpty,
                "the filter is empty",
                Span::new(0, src.len()),
            ));
        }
        let e = self.expr()?;
        let t = self.peek();
        if !matches!(t.tok, Tok::Eof) {
            return Err(FilterError::new(
                ErrorKind::UnexpectedToken,
                format!(
                    "expected an operator or the end of the filter, found {}",
                    describe(src, t)
                ),
                t.span,
            ));
        }
        Ok(e)
    }
}

fn describe(src: &str, t: &Token<'_>) -> String {
    match t.tok {
        Tok::Eof => "the end of the filter".into(),
        _ => format!("`{}`", src.get(t.span.start..t.span.end).unwrap_or("?")),
    }
}

struct Parser<'a> {
    toks: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
    /// The lexer's error, which the `Error` token stands for: a literal that could not be
    /// read. Where a literal may stand, it is the error; elsewhere the token cannot start
    /// there at all, and the syntax error at it comes first.
    lex_error: Option<FilterError>,
}

const EOF: Token<'static> = Token {
    tok: Tok::Eof,
    span: Span { start: 0, end: 0 },
};

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token<'a> {
        self.toks.get(self.pos).unwrap_or(&EOF)
    }

    fn bump(&mut self) -> Token<'a> {
        let t = self.peek().clone();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn src_text(&self, t: &Token<'_>) -> String {
        match &t.tok {
            Tok::Eof => "the end of the filter".into(),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Slash => "`/`".into(),
            Tok::Colon => "`:`".into(),
            Tok::Minus => "`-`".into(),
            Tok::Equals => "`=`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::JsonStr(_) => "a JSON string".into(),
            _ => "a literal".into(),
        }
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek().tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    fn enter(&mut self, span: Span) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::new(
                ErrorKind::DepthLimit,
                format!("the filter nests deeper than {MAX_DEPTH} levels"),
                span,
            ));
        }
        Ok(())
    }

    fn expect(&mut self, want: &Tok<'_>, what: &str) -> Result<Token<'a>, FilterError> {
        let t = self.peek();
        if std::mem::discriminant(&t.tok) == std::mem::discriminant(want) {
            return Ok(self.bump());
        }
        let t = t.clone();
        Err(FilterError::new(
            if matches!(t.tok, Tok::Eof) {
                ErrorKind::UnexpectedEnd
            } else {
                ErrorKind::UnexpectedToken
            },
            format!("expected {what}, found {}", self.src_text(&t)),
            t.span,
        ))
    }

    /// A full expression (one nesting level).
    fn expr(&mut self) -> Result<Expr, FilterError> {
        let span = self.peek().span;
        self.enter(span)?;
        let r = self.or();
        self.depth -= 1;
        r
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let first = self.and()?;
        if !self.is_kw("or") {
            return Ok(first);
        }
        let mut v = vec![first];
        while self.is_kw("or") {
            self.bump();
            v.push(self.and()?);
        }
        Ok(nary(v, false))
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let first = self.binary(PREC_EQ)?;
        if !self.is_kw("and") {
            return Ok(first);
        }
        let mut v = vec![first];
        while self.is_kw("and") {
            self.bump();
            v.push(self.binary(PREC_EQ)?);
        }
        Ok(nary(v, true))
    }

    fn binop_at(&self, level: u8) -> Option<BinaryOp> {
        let Tok::Ident(s) = self.peek().tok else {
            return None;
        };
        let ops: &[BinaryOp] = match level {
            PREC_EQ => &[BinaryOp::Cmp(CmpOp::Eq), BinaryOp::Cmp(CmpOp::Ne)],
            PREC_REL => &[
                BinaryOp::Cmp(CmpOp::Gt),
                BinaryOp::Cmp(CmpOp::Ge),
                BinaryOp::Cmp(CmpOp::Lt),
                BinaryOp::Cmp(CmpOp::Le),
            ],
            PREC_ADD => &[BinaryOp::Arith(ArithOp::Add), BinaryOp::Arith(ArithOp::Sub)],
            _ => &[
                BinaryOp::Arith(ArithOp::Mul),
                BinaryOp::Arith(ArithOp::Div),
                BinaryOp::Arith(ArithOp::DivBy),
                BinaryOp::Arith(ArithOp::Mod),
            ],
        };
        ops.iter()
            .copied()
            .find(|o| o.as_str().eq_ignore_ascii_case(s))
    }

    /// Left-associative binary levels `eq` … `mul`.
    fn binary(&mut self, level: u8) -> Result<Expr, FilterError> {
        let next = |p: &mut Self| {
            if level >= PREC_MUL {
                p.unary()
            } else {
                p.binary(level + 1)
            }
        };
        let mut lhs = next(self)?;
        let saved = self.depth;
        while let Some(op) = self.binop_at(level) {
            let t = self.bump();
            if let Err(e) = self.enter(t.span) {
                self.depth = saved;
                return Err(e);
            }
            let rhs = match next(self) {
                Ok(r) => r,
                Err(e) => {
                    self.depth = saved;
                    return Err(e);
                }
            };
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
        self.depth = saved;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        let t = self.peek().clone();
        let not = matches!(t.tok, Tok::Ident(s) if s.eq_ignore_ascii_case("not"));
        if not || matches!(t.tok, Tok::Minus) {
            self.bump();
            self.enter(t.span)?;
            let r = self.unary();
            self.depth -= 1;
            let e = r?;
            let span = t.span.to(e.span);
            let kind = if not {
                ExprKind::Not(Box::new(e))
            } else {
                ExprKind::Neg(Box::new(e))
            };
            return Ok(Expr { kind, span });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, FilterError> {
        let mut lhs = self.primary()?;
        let saved = self.depth;
        let r = self.postfix_ops(&mut lhs);
        self.depth = saved;
        r.map(|()| lhs)
    }

    fn postfix_ops(&mut self, lhs: &mut Expr) -> Result<(), FilterError> {
        loop {
            let op = if self.is_kw("has") {
                BinaryOp::Has
            } else if self.is_kw("in") {
                BinaryOp::In
            } else {
                return Ok(());
            };
            let t = self.bump();
            self.enter(t.span)?;
            let l = std::mem::replace(lhs, placeholder());
            if op == BinaryOp::In && self.at_literal_list() {
                let (list, close) = self.literal_list()?;
                let span = l.span.to(close);
                *lhs = Expr {
                    kind: ExprKind::In {
                        lhs: Box::new(l),
                        list,
                    },
                    span,
                };
                continue;
            }
            let rhs = if op == BinaryOp::Has {
                // hasExpr = "has" enumLiteral: `NS.Type'Value'` or `'Value'`.
                let t = self.peek().clone();
                let is_enum = match &t.tok {
                    Tok::Str(_) => true,
                    Tok::Typed(prefix, _) => prefix.contains('.'),
                    _ => false,
                };
                if !is_enum {
                    return Err(self.fail(
                        &t,
                        ErrorKind::ExpectedLiteral,
                        "an enum literal (`NS.Type'Value'` or `'Value'`) after `has`",
                    ));
                }
                self.primary()?
            } else {
                self.primary()?
            };
            let span = l.span.to(rhs.span);
            *lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(l),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
    }

    /// Whether the next token is `(` right after byte `end` (no space: `name(` is a call,
    /// `name (` is not).
    fn lparen_at(&self, end: usize) -> bool {
        let t = self.peek();
        matches!(t.tok, Tok::LParen) && t.span.start == end
    }

    /// Whether the next token is `/` right after byte `end`.
    fn slash_at(&self, end: usize) -> bool {
        let t = self.peek();
        matches!(t.tok, Tok::Slash) && t.span.start == end
    }

    /// An error at byte `at` (between tokens): `expected …, found` the next token.
    fn fail_at(&self, at: usize, what: &str) -> FilterError {
        let t = self.peek();
        let kind = if matches!(t.tok, Tok::Eof) && t.span.start == at {
            ErrorKind::UnexpectedEnd
        } else {
            ErrorKind::UnexpectedToken
        };
        FilterError::new(kind, format!("expected {what}"), Span::new(at, at))
    }

    /// The token `n` places ahead.
    fn ahead(&self, n: usize) -> &Tok<'a> {
        self.toks.get(self.pos + n).map_or(&Tok::Eof, |t| &t.tok)
    }

    /// An error at token `t`: `kind` (or `UnexpectedEnd` at the end), "expected `what`,
    /// found …".
    fn fail(&self, t: &Token<'_>, kind: ErrorKind, what: &str) -> FilterError {
        let kind = if matches!(t.tok, Tok::Eof) {
            ErrorKind::UnexpectedEnd
        } else {
            kind
        };
        FilterError::new(
            kind,
            format!("expected {what}, found {}", self.src_text(t)),
            t.span,
        )
    }

    /// `item (, item)*` up to `close` (the opening token is already read; the list may
    /// be empty), at most `max` items (else `limit`'s error at the next item); returns the
    /// items and the span of `close`.
    fn items<T>(
        &mut self,
        close: &Tok<'_>,
        what: &str,
        max: usize,
        limit: (ErrorKind, &str),
        mut item: impl FnMut(&mut Self) -> Result<T, FilterError>,
    ) -> Result<(Vec<T>, Span), FilterError> {
        let mut out = Vec::new();
        if std::mem::discriminant(&self.peek().tok) != std::mem::discriminant(close) {
            loop {
                if out.len() >= max {
                    return Err(FilterError::new(limit.0, limit.1, self.peek().span));
                }
                out.push(item(self)?);
                if matches!(self.peek().tok, Tok::Comma) {
                    self.bump();
                    continue;
                }
                break;
            }
        }
        let end = self.expect(close, what)?;
        Ok((out, end.span))
    }

    /// After `in`: a parenthesized list of literals `()`, `(1)`, `('a', 'b')` (rather
    /// than a parenthesized expression `(a)`).
    fn at_literal_list(&self) -> bool {
        matches!(self.ahead(0), Tok::LParen)
            && (matches!(self.ahead(1), Tok::RParen)
                || (is_literal(self.ahead(1)) && matches!(self.ahead(2), Tok::Comma | Tok::RParen)))
    }

    /// `( [literal *( , literal )] )`; returns the items and the span of `)`.
    fn literal_list(&mut self) -> Result<(Vec<Expr>, Span), FilterError> {
        self.bump(); // (
        let limit = format!("an `in` list may hold at most {MAX_IN_ITEMS} items");
        self.items(
            &Tok::RParen,
            "`,` or `)` in the `in` list",
            MAX_IN_ITEMS,
            (ErrorKind::InListLimit, &limit),
            |p| {
                let t = p.peek().clone();
                if !is_literal(&t.tok) {
                    return Err(p.fail(
                        &t,
                        ErrorKind::ExpectedLiteral,
                        "a literal in the `in (…)` list (a list of expressions is a JSON array `[…]`)",
                    ));
                }
                p.primary()
            },
        )
    }
}

/// The literal a keyword stands for (`true`, `false`, `null` in any case; `INF`, `NaN`).
fn keyword_literal(name: &str) -> Option<Literal> {
    if name.eq_ignore_ascii_case("true") {
        Some(Literal::Bool(true))
    } else if name.eq_ignore_ascii_case("false") {
        Some(Literal::Bool(false))
    } else if name.eq_ignore_ascii_case("null") {
        Some(Literal::Null)
    } else if name == "INF" {
        Some(Literal::Float(f64::INFINITY))
    } else if name == "NaN" {
        Some(Literal::Float(f64::NAN))
    } else {
        None
    }
}

/// Whether a token is a primitive literal.
fn is_literal(t: &Tok<'_>) -> bool {
    match t {
        Tok::Str(_)
        | Tok::Typed(..)
        | Tok::Int(_)
        | Tok::Float(_)
        | Tok::Date(..)
        | Tok::DateTime(..)
        | Tok::Time(_)
        | Tok::Guid(_)
        | Tok::Error => true,
        Tok::Ident(n) => keyword_literal(n).is_some(),
        _ => false,
    }
}

fn placeholder() -> Expr {
    Expr {
        kind: ExprKind::Literal(Literal::Null),
        span: Span::default(),
    }
}

fn nary(v: Vec<Expr>, and: bool) -> Expr {
    let span = match (v.first(), v.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => Span::default(),
    };
    Expr {
        kind: if and {
            ExprKind::And(v)
        } else {
            ExprKind::Or(v)
        },
        span,
    }
}
