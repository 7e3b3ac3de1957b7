//! Canonical printing: `Display` on the AST writes filter text that parses back to the
//! same tree. Keywords and function names are lower case, one space around binary
//! operators, `, ` between arguments and list items, `v: ` after a lambda variable, and
//! parentheses only where precedence needs them (a nested `and` inside `and`, or `or`
//! inside `or`, keeps its parentheses because the parser keeps it nested). JSON arrays
//! and objects print with `, ` and `": "`, their string items as JSON strings; named
//! parameters as `name=value`; `case` as `case(c: v, …)`.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::fmt::{self, Display, Formatter, Write};

use super::ast::*;

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(l) => l.fmt(f),
            ExprKind::Path(p) => p.fmt(f),
            ExprKind::Binary { op, lhs, rhs } => {
                let p = op.precedence();
                operand(f, lhs, p)?;
                write!(f, " {} ", op.as_str())?;
                operand(f, rhs, p + 1)
            }
            ExprKind::And(v) | ExprKind::Or(v) => {
                let (p, kw) = match &self.kind {
                    ExprKind::And(_) => (PREC_AND, " and "),
                    _ => (PREC_OR, " or "),
                };
                for (i, e) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(kw)?;
                    }
                    operand(f, e, p + 1)?;
                }
                Ok(())
            }
            ExprKind::Not(e) => {
                f.write_str("not ")?;
                operand(f, e, PREC_UNARY)
            }
            ExprKind::Neg(e) => {
                f.write_char('-')?;
                let inner = if e.precedence() < PREC_UNARY {
                    format!("({e})")
                } else {
                    e.to_string()
                };
                // `-5…`, `-INF…` and `-2024-01-01…` would lex as one (negative or invalid)
                // literal, so an operand that starts with one is parenthesized.
                if inner.starts_with(|c: char| c.is_ascii_digit()) || inner.starts_with("INF") {
                    write!(f, "({inner})")
                } else {
                    f.write_str(&inner)
                }
            }
            ExprKind::In { lhs, list } => {
                operand(f, lhs, PREC_POSTFIX)?;
                f.write_str(" in (")?;
                comma_list(f, list)?;
                f.write_char(')')
            }
            ExprKind::Array(items) => {
                f.write_char('[')?;
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    json_value(f, e)?;
                }
                f.write_char(']')
            }
            ExprKind::Object(members) => {
                f.write_char('{')?;
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    json_string(f, &m.name.name)?;
                    f.write_str(": ")?;
                    json_value(f, &m.value)?;
                }
                f.write_char('}')
            }
            ExprKind::Call { name, args } if name.name == "case" => {
                f.write_str("case(")?;
                for (i, pair) in args.chunks(2).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if let [c, v] = pair {
                        write!(f, "{c}: {v}")?;
                    }
                }
                f.write_char(')')
            }
            ExprKind::Call { name, args } => {
                write!(f, "{}(", name.name)?;
                comma_list(f, args)?;
                f.write_char(')')
            }
            ExprKind::Lambda {
                collection,
                op,
                body,
            } => {
                write!(f, "{collection}/{}(", op.as_str())?;
                if let Some((var, body)) = body {
                    write!(f, "{}: {body}", var.name)?;
                }
                f.write_char(')')
            }
        }
    }
}

fn operand(f: &mut Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if e.precedence() < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

fn comma_list(f: &mut Formatter<'_>, v: &[Expr]) -> fmt::Result {
    for (i, e) in v.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{e}")?;
    }
    Ok(())
}

impl Display for Path {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_char('/')?;
            }
            f.write_str(&s.name)?;
            match &s.kind {
                SegmentKind::Member => {}
                SegmentKind::Function(args) => {
                    f.write_char('(')?;
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{}={}", a.name.name, a.value)?;
                    }
                    f.write_char(')')?;
                }
                SegmentKind::Key(e) | SegmentKind::Filter(e) => write!(f, "({e})")?,
                SegmentKind::CountFiltered(e) => write!(f, "($filter={e})")?,
            }
        }
        Ok(())
    }
}

/// An item of a JSON array or a member value: string literals print as JSON strings.
fn json_value(f: &mut Formatter<'_>, e: &Expr) -> fmt::Result {
    match &e.kind {
        ExprKind::Literal(Literal::String(s)) => json_string(f, s),
        _ => write!(f, "{e}"),
    }
}

/// Writes `"text"` with JSON's escapes (`\"`, `\\`, control characters as `\uXXXX`).
fn json_string(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// Writes `'text'` with `'` doubled.
fn quoted(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        if c == '\'' {
            f.write_str("''")?;
        } else {
            f.write_char(c)?;
        }
    }
    f.write_char('\'')
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => {
                if x.is_nan() {
                    f.write_str("NaN")
                } else if x.is_infinite() {
                    f.write_str(if *x > 0.0 { "INF" } else { "-INF" })
                } else {
                    // Debug prints the shortest text that reads back exactly, always with a
                    // `.` or an exponent, so it never reads back as an integer.
                    write!(f, "{x:?}")
                }
            }
            Literal::String(s) => quoted(f, s),
            Literal::Date { text: s, .. }
            | Literal::DateTimeOffset { text: s, .. }
            | Literal::TimeOfDay(s)
            | Literal::Guid(s) => f.write_str(s),
            Literal::Duration(s) => {
                f.write_str("duration")?;
                quoted(f, s)
            }
            Literal::Enum { type_name, value } => {
                f.write_str(type_name)?;
                quoted(f, value)
            }
            Literal::Binary(s) => {
                f.write_str("binary")?;
                quoted(f, s)
            }
            Literal::Geography(s) => {
                f.write_str("geography")?;
                quoted(f, s)
            }
            Literal::Geometry(s) => {
                f.write_str("geometry")?;
                quoted(f, s)
            }
        }
    }
}
