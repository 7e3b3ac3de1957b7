//! Operators over collections and enumerations: `in` with a JSON array or a collection,
//! `has`, `$count` of a path, and the collection arguments of the collection functions.
//!
//! Imports no I/O, no wasm, no `worker`.

use super::*;

impl<S: Schema> Compiler<'_, S> {
    /// `lhs in rhs` where `rhs` is no literal list: a JSON array, or a collection of values
    /// (`x in tags` is `tags/any(t: t eq x)`).
    pub(super) fn in_expr(
        &mut self,
        lhs: &Expr,
        rhs: &Expr,
        span: Span,
    ) -> Result<Pred, FilterError> {
        match &rhs.kind {
            ExprKind::Array(items) => self.in_list(lhs, items),
            ExprKind::Path(p) if p.segments.last().is_none_or(|s| s.name != "$count") => {
                let c = self.collection(&p.segments, "in")?;
                let Some(elem) = c.element else {
                    return Err(err(
                        ErrorKind::TypeMismatch,
                        format!(
                            "`{}` holds objects; `in` needs a collection of values",
                            p.joined()
                        ),
                        rhs.span,
                    ));
                };
                let (l, lt) = self.value(lhs)?;
                let et = Ty::of(elem.ty);
                if !(lt.fits(et) || et.fits(lt)) {
                    return Err(err(
                        ErrorKind::TypeMismatch,
                        format!("cannot look for a {} among {} values", lt.name(), et.name()),
                        span,
                    ));
                }
                let slot = self.slot(span)?;
                let filter = self.filters(&c, slot)?;
                Ok(Pred::Any {
                    collection: c.id,
                    slot,
                    filter,
                    body: Some(Box::new(Pred::Cmp {
                        op: CmpOp::Eq,
                        lhs: l,
                        rhs: VExpr::Field(Acc::Elem {
                            field: elem.id,
                            slot,
                        }),
                    })),
                })
            }
            _ => {
                self.value(lhs)?;
                let (_, t) = self.value(rhs)?;
                Err(err(
                    ErrorKind::TypeMismatch,
                    format!(
                        "the right side of `in` is a list `(…)`, a JSON array or a collection, found a {} value",
                        t.name()
                    ),
                    rhs.span,
                ))
            }
        }
    }

    /// `value has E'a,b'`: text read as comma-separated flags (a plain enum value is one
    /// flag) holding every flag of the literal.
    pub(super) fn has(&mut self, lhs: &Expr, rhs: &Expr) -> Result<Pred, FilterError> {
        let (v, t) = self.value(lhs)?;
        if !matches!(t, Ty::Str | Ty::Any | Ty::Null) {
            return Err(err(
                ErrorKind::TypeMismatch,
                format!(
                    "`has` tests the flags of a text value, found a {} value",
                    t.name()
                ),
                lhs.span,
            ));
        }
        let text = match &rhs.kind {
            ExprKind::Literal(Literal::Enum { value, .. } | Literal::String(value)) => value,
            _ => {
                return Err(err(
                    ErrorKind::TypeMismatch,
                    "`has` needs an enum literal on its right",
                    rhs.span,
                ))
            }
        };
        let flags = text
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(Box::from)
            .collect();
        Ok(Pred::Has { value: v, flags })
    }

    /// `collection/$count`, `collection/$filter(…)/$count`, `collection/$count($filter=…)`.
    pub(super) fn count(&mut self, p: &Path) -> Result<(VExpr, Ty), FilterError> {
        let Some((last, init)) = p.segments.split_last() else {
            return Err(self.unknown(p));
        };
        // Errors about the collection cover the whole `…/$count` path.
        let mut c = self.collection(init, "$count").map_err(|e| {
            if e.kind == ErrorKind::NotCollection {
                FilterError {
                    span: p.span(),
                    ..e
                }
            } else {
                e
            }
        })?;
        if let SegmentKind::CountFiltered(cond) = &last.kind {
            c.push_filter(cond);
        }
        let slot = self.slot(last.span)?;
        Ok(match self.filters(&c, slot)? {
            None => (VExpr::Count(c.id), Ty::Num),
            Some(filter) => (
                VExpr::CountIf {
                    collection: c.id,
                    slot,
                    filter,
                },
                Ty::Num,
            ),
        })
    }

    /// An argument of `hassubset`/`hassubsequence`: a JSON array or a collection of values.
    pub(super) fn coll_arg(&mut self, n: &str, e: &Expr) -> Result<Coll, FilterError> {
        match &e.kind {
            ExprKind::Array(items) => items
                .iter()
                .map(|x| self.value(x).map(|(v, _)| v))
                .collect::<Result<Vec<_>, _>>()
                .map(Coll::Values),
            ExprKind::Path(p) if p.segments.last().is_none_or(|s| s.name != "$count") => {
                let c = self.collection(&p.segments, n)?;
                match (c.element, c.has_filters()) {
                    (Some(f), false) => Ok(Coll::Elems {
                        collection: c.id,
                        field: f.id,
                    }),
                    _ => Err(err(
                        ErrorKind::ArgumentType,
                        format!("`{n}` expects a collection of values or a JSON array here"),
                        e.span,
                    )),
                }
            }
            _ => Err(err(
                ErrorKind::ArgumentType,
                format!("`{n}` expects a collection of values or a JSON array here"),
                e.span,
            )),
        }
    }
}
