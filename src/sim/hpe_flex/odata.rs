//! GreenLake's OData subset, written independently of the adapters' dialect (a deliberate
//! oracle): `field eq|ne literal`, `field in (l1, l2)`, `literal in field`, `and`; and
//! `sort` and `select`.

use super::fields::{field_index, Row, Ty, Val};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Str(String),
    Num(i64),
    LParen,
    RParen,
    Comma,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Lit {
    Str(String),
    Bool(bool),
    Int(i64),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Op {
    Eq,
    Ne,
    In,
}

#[derive(Debug, Clone)]
pub(super) struct Cond {
    pub(super) field: usize,
    pub(super) op: Op,
    pub(super) values: Vec<Lit>,
}

pub(super) const MAX_TOKENS_IN_FILTER: usize = 2_000;

pub(super) fn lex(s: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    while let Some(&(i, c)) = it.peek() {
        if out.len() > MAX_TOKENS_IN_FILTER {
            return None;
        }
        match c {
            c if c.is_whitespace() => {
                it.next();
            }
            '(' => {
                it.next();
                out.push(Tok::LParen);
            }
            ')' => {
                it.next();
                out.push(Tok::RParen);
            }
            ',' => {
                it.next();
                out.push(Tok::Comma);
            }
            '\'' => {
                it.next();
                let mut v = String::new();
                let mut closed = false;
                while let Some((_, ch)) = it.next() {
                    if ch == '\'' {
                        if it.peek().map(|&(_, n)| n) == Some('\'') {
                            it.next();
                            v.push('\'');
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        v.push(ch);
                    }
                }
                if !closed {
                    return None;
                }
                out.push(Tok::Str(v));
            }
            c if c == '-' || c.is_ascii_digit() => {
                let mut end = i;
                while let Some(&(j, ch)) = it.peek() {
                    if ch.is_ascii_digit() || (j == i && ch == '-') {
                        end = j + ch.len_utf8();
                        it.next();
                    } else {
                        break;
                    }
                }
                let n: i64 = s.get(i..end)?.parse().ok()?;
                out.push(Tok::Num(n));
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut end = i;
                while let Some(&(j, ch)) = it.peek() {
                    if ch.is_alphanumeric() || ch == '_' {
                        end = j + ch.len_utf8();
                        it.next();
                    } else {
                        break;
                    }
                }
                out.push(Tok::Ident(s.get(i..end)?.to_string()));
            }
            _ => return None,
        }
    }
    Some(out)
}

pub(super) fn lit_of(t: &Tok) -> Option<Lit> {
    match t {
        Tok::Str(s) => Some(Lit::Str(s.clone())),
        Tok::Num(n) => Some(Lit::Int(*n)),
        Tok::Ident(w) if w == "true" => Some(Lit::Bool(true)),
        Tok::Ident(w) if w == "false" => Some(Lit::Bool(false)),
        Tok::Ident(w) if w == "null" => Some(Lit::Null),
        _ => None,
    }
}

pub(super) fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "true" | "false" | "null" | "and" | "or" | "not" | "eq" | "ne" | "in"
    )
}

/// Parses `( lit, lit, … )` starting at `pos` (which holds `(`); returns the list and the
/// position after `)`.
pub(super) fn parse_list(toks: &[Tok], mut pos: usize) -> Option<(Vec<Lit>, usize)> {
    if toks.get(pos) != Some(&Tok::LParen) {
        return None;
    }
    pos += 1;
    let mut vals = Vec::new();
    loop {
        vals.push(lit_of(toks.get(pos)?)?);
        pos += 1;
        match toks.get(pos)? {
            Tok::Comma => pos += 1,
            Tok::RParen => return Some((vals, pos + 1)),
            _ => return None,
        }
    }
}

pub(super) fn parse_filter(
    s: &str,
    fields: &[(&str, Ty, bool)],
    allowed: &dyn Fn(&str) -> bool,
) -> Option<Vec<Cond>> {
    let toks = lex(s)?;
    let mut conds = Vec::new();
    let mut pos = 0usize;
    loop {
        let (field_name, op, values, next) = match toks.get(pos)? {
            Tok::Ident(w) if !is_keyword(w) => {
                let op = match toks.get(pos + 1)? {
                    Tok::Ident(o) if o == "eq" => Op::Eq,
                    Tok::Ident(o) if o == "ne" => Op::Ne,
                    Tok::Ident(o) if o == "in" => Op::In,
                    _ => return None,
                };
                if op == Op::In {
                    let (vals, next) = parse_list(&toks, pos + 2)?;
                    (w.as_str(), op, vals, next)
                } else {
                    let v = lit_of(toks.get(pos + 2)?)?;
                    (w.as_str(), op, vec![v], pos + 3)
                }
            }
            // `in` allows the property on the right: `'a' in field`, `('a','b') in field`.
            Tok::LParen => {
                let (vals, next) = parse_list(&toks, pos)?;
                match (toks.get(next)?, toks.get(next + 1)?) {
                    (Tok::Ident(o), Tok::Ident(f)) if o == "in" && !is_keyword(f) => {
                        (f.as_str(), Op::In, vals, next + 2)
                    }
                    _ => return None,
                }
            }
            t => {
                let v = lit_of(t)?;
                match (toks.get(pos + 1)?, toks.get(pos + 2)?) {
                    (Tok::Ident(o), Tok::Ident(f)) if o == "in" && !is_keyword(f) => {
                        (f.as_str(), Op::In, vec![v], pos + 3)
                    }
                    _ => return None,
                }
            }
        };
        if !allowed(field_name) {
            return None;
        }
        let idx = field_index(fields, field_name)?;
        let ty = fields.get(idx)?.1;
        for v in &values {
            let ok = matches!(
                (ty, v),
                (Ty::Str, Lit::Str(_))
                    | (Ty::Bool, Lit::Bool(_))
                    | (Ty::Int, Lit::Int(_))
                    | (_, Lit::Null)
            );
            if !ok {
                return None;
            }
        }
        conds.push(Cond {
            field: idx,
            op,
            values,
        });
        pos = next;
        match toks.get(pos) {
            None => return Some(conds),
            Some(Tok::Ident(w)) if w == "and" => pos += 1,
            _ => return None,
        }
    }
}

pub(super) fn lit_matches(v: &Val<'_>, l: &Lit) -> bool {
    match (v, l) {
        (Val::Str(a), Lit::Str(b)) => *a == b,
        (Val::Bool(a), Lit::Bool(b)) => a == b,
        (Val::Int(a), Lit::Int(b)) => a == b,
        (Val::Absent, Lit::Null) => true,
        _ => false,
    }
}

pub(super) fn matches_all<R: Row>(row: &R, conds: &[Cond]) -> bool {
    conds.iter().all(|c| {
        let v = row.get(c.field);
        let any = c.values.iter().any(|l| lit_matches(&v, l));
        match c.op {
            Op::Eq | Op::In => any,
            Op::Ne => !any,
        }
    })
}

/// Parses `f1,f2 desc` into (field index, descending) keys.
pub(super) fn parse_sort(s: &str, fields: &[(&str, Ty, bool)]) -> Option<Vec<(usize, bool)>> {
    let mut keys = Vec::new();
    for part in s.split(',') {
        let mut words = part.split_whitespace();
        let name = words.next()?;
        let desc = match words.next() {
            None => false,
            Some(d) if d.eq_ignore_ascii_case("asc") => false,
            Some(d) if d.eq_ignore_ascii_case("desc") => true,
            Some(_) => return None,
        };
        if words.next().is_some() || name == "tags" {
            return None;
        }
        keys.push((field_index(fields, name)?, desc));
    }
    Some(keys)
}

pub(super) fn parse_select(
    s: &str,
    fields: &'static [(&'static str, Ty, bool)],
) -> Option<Vec<&'static str>> {
    s.split(',')
        .map(|part| {
            fields
                .iter()
                .find(|(n, _, _)| *n == part.trim())
                .map(|(n, _, _)| *n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fields::{DEVICE_FIELDS, ORDER_FIELDS};
    use super::*;

    fn f(s: &str) -> Option<Vec<Cond>> {
        parse_filter(s, ORDER_FIELDS, &|n: &str| {
            ORDER_FIELDS.iter().any(|(x, _, fl)| *x == n && *fl)
        })
    }

    #[test]
    fn filter_grammar() {
        assert!(f("customerName eq 'Some Company Inc.'").is_some());
        assert!(f("billingAccountId in ('a', 'b') and billingAccountName eq 'x'").is_some());
        assert!(f("'a' in customerName").is_some());
        assert!(f("('a','b') in customerName").is_some());
        assert!(f("isFlexPartner eq true").is_some());
        assert!(f("isFlexPartner eq 'true'").is_none());
        assert!(f("customerName eq true").is_none());
        assert!(f("orderStartDate eq 'x'").is_none());
        assert!(f("customerName eq 'a' or sowId eq 'b'").is_none());
        assert!(f("contains(customerName, 'a')").is_none());
        assert!(f("customerName eq 'unterminated").is_none());
        assert!(f("customerName eq").is_none());
        assert!(f("customerName in 'a', 'b'").is_none());
        let c = f("customerName eq 'O''Brien'").unwrap_or_default();
        assert_eq!(
            c.first().map(|c| c.values.clone()),
            Some(vec![Lit::Str("O'Brien".into())])
        );
    }

    #[test]
    fn sort_grammar() {
        assert_eq!(
            parse_sort("resourceId,model asc", DEVICE_FIELDS),
            Some(vec![(3, false), (10, false)])
        );
        assert_eq!(
            parse_sort("orderEndDate desc", ORDER_FIELDS),
            Some(vec![(9, true)])
        );
        assert_eq!(parse_sort("nope", ORDER_FIELDS), None);
        assert_eq!(parse_sort("id sideways", ORDER_FIELDS), None);
    }
}
