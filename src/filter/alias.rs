//! Parameter aliases: `@name` in a filter stands for a value given beside it as a query
//! parameter (`$filter=status eq @s&@s='active'`). [`Aliases::substitute`] replaces each
//! alias by its value before the filter is checked, so the checker, the evaluator and the
//! canonical text (cache keys, `explain`) all see the values. A value's nodes take the
//! span of the `@name` they replace, so errors point at it.
//!
//! Alias values may not use aliases themselves (no chains, no cycles), and one filter's
//! substitutions are bounded ([`MAX_EXPANSION`] bytes of value text in all).
//!
//! Imports no I/O, no wasm, no `worker`.

use super::ast::{Expr, ExprKind, SegmentKind};
use super::error::{ErrorKind, FilterError, Span};
use super::parser::parse;

/// The most value text (bytes, summed over every use) one filter's aliases may expand to.
pub const MAX_EXPANSION: usize = 64 * 1024;

/// Parameter alias values by name (`@p`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aliases {
    values: Vec<(String, Expr, usize)>,
}

/// The alias a node names, if it is a lone `@name` (no dot: `@NS.term` is an annotation).
fn alias_name(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Path(p) => match p.segments.as_slice() {
            [s] if matches!(s.kind, SegmentKind::Member)
                && s.name.starts_with('@')
                && !s.name.contains('.') =>
            {
                Some(&s.name)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The span of the first alias used in `e`.
fn first_alias(e: &mut Expr) -> Option<Span> {
    if alias_name(e).is_some() {
        return Some(e.span);
    }
    let mut found = None;
    e.children_mut(&mut |c| {
        if found.is_none() {
            found = first_alias(c);
        }
    });
    found
}

impl Aliases {
    /// No aliases.
    pub fn new() -> Self {
        Aliases::default()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Parses the value `text` of alias `name` (with its `@`). Errors index `text`.
    pub fn insert(&mut self, name: &str, text: &str) -> Result<(), FilterError> {
        let mut value = parse(text)?;
        if let Some(span) = first_alias(&mut value) {
            return Err(FilterError::new(
                ErrorKind::UnsupportedPath,
                "an alias value may not use another alias",
                span,
            ));
        }
        self.values.retain(|(n, ..)| n != name);
        self.values.push((name.to_owned(), value, text.len()));
        Ok(())
    }

    /// The filter with every alias that has a value replaced by it (aliases without a
    /// value stay, and the checker reports them).
    pub fn substitute(&self, expr: &Expr) -> Result<Expr, FilterError> {
        let mut e = expr.clone();
        if !self.values.is_empty() {
            let mut budget = MAX_EXPANSION;
            self.subst(&mut e, &mut budget)?;
        }
        Ok(e)
    }

    fn subst(&self, e: &mut Expr, budget: &mut usize) -> Result<(), FilterError> {
        if let Some(name) = alias_name(e) {
            if let Some((_, value, len)) = self.values.iter().find(|(n, ..)| n == name) {
                let span = e.span;
                *budget = budget.checked_sub(*len).ok_or_else(|| {
                    FilterError::new(
                        ErrorKind::LengthLimit,
                        format!("parameter aliases expand the filter by more than {MAX_EXPANSION} bytes"),
                        span,
                    )
                })?;
                *e = value.clone();
                e.fill_spans(span);
            }
            return Ok(());
        }
        let mut r = Ok(());
        e.children_mut(&mut |c| {
            if r.is_ok() {
                r = self.subst(c, budget);
            }
        });
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_values_with_the_reference_span() {
        let mut a = Aliases::new();
        a.insert("@s", "'active'").unwrap();
        a.insert("@l", "[1, 2]").unwrap();
        let e = a
            .substitute(&parse("status eq @s and x in @l and y eq @none").unwrap())
            .unwrap();
        assert_eq!(
            e.to_string(),
            "status eq 'active' and x in [1, 2] and y eq @none"
        );
        let ExprKind::And(v) = &e.kind else { panic!() };
        let ExprKind::Binary { rhs, .. } = &v[0].kind else {
            panic!()
        };
        assert_eq!(rhs.span, Span::new(10, 12));
    }

    #[test]
    fn no_chains_and_a_bounded_expansion() {
        let mut a = Aliases::new();
        let e = a.insert("@a", "1 add @b").unwrap_err();
        assert_eq!(
            (e.code(), e.span),
            ("filter.unsupported.path", Span::new(6, 8))
        );
        a.insert("@big", &format!("'{}'", "x".repeat(8000)))
            .unwrap();
        let f = ["a eq @big"; 9].join(" or ");
        assert_eq!(
            a.substitute(&parse(&f).unwrap()).unwrap_err().code(),
            "filter.limit.length"
        );
    }
}
