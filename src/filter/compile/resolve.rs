//! Names: paths resolved against the schema, lambda variables and their scopes, and the
//! "unknown field" errors with their suggestions.
//!
//! Imports no I/O, no wasm, no `worker`.

use super::super::ast::{Expr, Ident, LambdaOp, Path, Segment, SegmentKind};
use super::super::error::{suggest, ErrorKind, FilterError, Span};
use super::super::functions;
use super::super::ir::{Acc, Pred, Ty, MAX_LAMBDA_NESTING};
use super::super::schema::{FieldId, FieldInfo, Resolved, Schema};
use super::{err, Compiler};

/// A variable in scope: a lambda variable, or (`implicit`) the element of a `$filter(…)`
/// segment, whose fields are named without a variable. `collection` is what it ranges
/// over, `path` that collection's path.
pub(super) struct Binding {
    pub(super) var: String,
    collection: FieldId,
    path: Vec<String>,
    element: Option<FieldInfo>,
    implicit: bool,
}

/// A collection named by a path: its id, scalar element (if any), path, and the conditions
/// of the `$filter(…)` segments after it.
pub(super) struct CollRef<'e> {
    pub(super) id: FieldId,
    pub(super) element: Option<FieldInfo>,
    path: Vec<String>,
    filters: Vec<&'e Expr>,
}

impl<'e> CollRef<'e> {
    /// Adds the condition of a `$count($filter=…)`.
    pub(super) fn push_filter(&mut self, e: &'e Expr) {
        self.filters.push(e);
    }

    /// Whether `$filter(…)` segments follow the collection.
    pub(super) fn has_filters(&self) -> bool {
        !self.filters.is_empty()
    }
}

impl<S: Schema> Compiler<'_, S> {
    /// The names of a path's segments, checked: each is a plain member that the record
    /// can have (no function, key, annotation, cast or `$root`); a leading `$this` reads
    /// as `$it`.
    pub(super) fn names<'e>(&self, segs: &'e [Segment]) -> Result<Vec<&'e str>, FilterError> {
        let n = segs.len();
        let mut out = Vec::with_capacity(n);
        for (i, s) in segs.iter().enumerate() {
            let name = s.name.as_str();
            match &s.kind {
                SegmentKind::Member => {}
                SegmentKind::Function(_) if i == 0 => {
                    let all = functions::BUILTINS.iter().map(|b| b.name);
                    return Err(err(
                        ErrorKind::UnknownFunction,
                        format!("unknown function `{name}`"),
                        s.span,
                    )
                    .with_suggestion(suggest(name, all)));
                }
                SegmentKind::Function(_) => {
                    return Err(err(
                        ErrorKind::UnsupportedBoundFunction,
                        format!("bound function `{name}` is not supported"),
                        s.span,
                    ))
                }
                SegmentKind::Key(_) => {
                    return Err(err(
                        ErrorKind::UnsupportedPath,
                        format!("key predicates (`{name}(…)`) are not supported"),
                        s.span,
                    ))
                }
                SegmentKind::Filter(_) => {
                    return Err(err(
                        ErrorKind::CollectionField,
                        "`$filter(…)` gives a collection; test it with `any`/`all` or count it with `$count`",
                        s.span,
                    ))
                }
                SegmentKind::CountFiltered(_) => {
                    return Err(err(
                        ErrorKind::NotCollection,
                        "`$count` ends a path",
                        s.span,
                    ))
                }
            }
            if let Some(rest) = name.strip_prefix('@') {
                if i == 0 && n == 1 && !rest.contains('.') {
                    return Err(err(
                        ErrorKind::UnknownAlias,
                        format!("no value for parameter alias `{name}`: give it as a query parameter `{name}=…`"),
                        s.span,
                    ));
                }
                return Err(err(
                    ErrorKind::UnsupportedAnnotation,
                    format!("annotations (`{name}`) are not supported"),
                    s.span,
                ));
            }
            if i == 0 && name == "$root" {
                return Err(err(
                    ErrorKind::UnsupportedPath,
                    "`$root` paths are not supported",
                    s.span,
                ));
            }
            out.push(if i == 0 && name == "$this" {
                "$it"
            } else {
                name
            });
        }
        Ok(out)
    }

    /// The collection a path names (for `any`/`all`, `$count`, `in`, `hassubset`): plain
    /// member segments, then any number of `$filter(…)` segments.
    pub(super) fn collection<'e>(
        &mut self,
        segs: &'e [Segment],
        op: &str,
    ) -> Result<CollRef<'e>, FilterError> {
        let split = segs
            .iter()
            .position(|s| matches!(s.kind, SegmentKind::Filter(_)))
            .unwrap_or(segs.len());
        let (head, tail) = segs.split_at(split);
        let mut filters = Vec::new();
        for s in tail {
            match &s.kind {
                SegmentKind::Filter(e) => filters.push(&**e),
                _ => {
                    self.names(std::slice::from_ref(s))?;
                    return Err(err(
                        ErrorKind::UnsupportedPath,
                        format!("`{}` after `$filter(…)` is not supported", s.name),
                        s.span,
                    ));
                }
            }
        }
        let all = self.names(head)?;
        let names = strip_it(&all);
        let head_path = || Path {
            segments: head.to_vec(),
        };
        let span = head_path().span();
        let scoped = self.scopes.iter().any(|b| b.implicit)
            || names
                .first()
                .is_some_and(|n| self.scopes.iter().any(|b| !b.implicit && b.var == *n));
        let count = op == "$count";
        if scoped {
            return Err(if count {
                err(
                    ErrorKind::NotCollection,
                    "`$count` follows a collection of the row",
                    span,
                )
            } else {
                err(
                    ErrorKind::UnsupportedNestedCollection,
                    "lambdas over a collection inside a lambda variable are not supported",
                    span,
                )
            });
        }
        match self.schema.resolve(names) {
            Some(Resolved::Collection { id, element }) => Ok(CollRef {
                id,
                element,
                path: names.iter().map(|s| (*s).to_owned()).collect(),
                filters,
            }),
            _ if count => Err(err(
                ErrorKind::NotCollection,
                "`$count` follows a collection of the row",
                span,
            )),
            Some(Resolved::Field(_)) => Err(err(
                ErrorKind::NotCollection,
                format!(
                    "`{}` is not a collection; `{op}` needs one",
                    head_path().joined()
                ),
                span,
            )),
            None => Err(self.unknown(&head_path())),
        }
    }

    /// The next binding slot, or the nesting limit's error at `span`.
    pub(super) fn slot(&self, span: Span) -> Result<usize, FilterError> {
        let slot = self.scopes.len();
        if slot >= MAX_LAMBDA_NESTING {
            return Err(err(
                ErrorKind::LambdaDepthLimit,
                format!("at most {MAX_LAMBDA_NESTING} lambdas and `$filter(…)` segments may nest"),
                span,
            ));
        }
        Ok(slot)
    }

    /// The conditions of a collection's `$filter(…)` segments, on its element bound to
    /// `slot` (`None` when it has none).
    pub(super) fn filters(
        &mut self,
        c: &CollRef<'_>,
        slot: usize,
    ) -> Result<Option<Box<Pred>>, FilterError> {
        if c.filters.is_empty() {
            return Ok(None);
        }
        debug_assert_eq!(slot, self.scopes.len());
        self.scopes.push(Binding {
            var: "$it".into(),
            collection: c.id,
            path: c.path.clone(),
            element: c.element,
            implicit: true,
        });
        let r: Result<Vec<Pred>, FilterError> = c.filters.iter().map(|e| self.pred(e)).collect();
        self.scopes.pop();
        let mut v = r?;
        Ok(Some(Box::new(if v.len() == 1 {
            v.pop().unwrap_or(Pred::Const(Some(true)))
        } else {
            Pred::And(v)
        })))
    }

    pub(super) fn lambda(
        &mut self,
        collection: &Path,
        op: LambdaOp,
        body: Option<&(Ident, Box<Expr>)>,
        span: Span,
    ) -> Result<Pred, FilterError> {
        let c = self.collection(&collection.segments, op.as_str())?;
        let slot = self.slot(span)?;
        let filter = self.filters(&c, slot)?;
        let Some((var, body)) = body else {
            return Ok(Pred::Any {
                collection: c.id,
                slot,
                filter,
                body: None,
            });
        };
        self.scopes.push(Binding {
            var: var.name.clone(),
            collection: c.id,
            path: c.path,
            element: c.element,
            implicit: false,
        });
        let b = self.pred(body);
        self.scopes.pop();
        let b = Box::new(b?);
        Ok(match op {
            LambdaOp::Any => Pred::Any {
                collection: c.id,
                slot,
                filter,
                body: Some(b),
            },
            LambdaOp::All => Pred::All {
                collection: c.id,
                slot,
                filter,
                body: b,
            },
        })
    }

    /// The error for a path that names nothing: a type cast (a dotted segment that is no
    /// field name, such as `attributes/tag.env` is) is not supported; anything else is an
    /// unknown field, with a suggestion.
    pub(super) fn unknown(&self, p: &Path) -> FilterError {
        if let Some(s) = p
            .segments
            .iter()
            .find(|s| s.is_member() && s.name.contains('.'))
        {
            return err(
                ErrorKind::UnsupportedPath,
                format!("type casts (`{}`) are not supported", s.name),
                s.span,
            );
        }
        let name = p.joined();
        let names = self.schema.field_names();
        let s = suggest(&name, names.iter().map(String::as_str));
        err(
            ErrorKind::UnknownField,
            format!("unknown field `{name}`"),
            p.span(),
        )
        .with_suggestion(s)
    }

    pub(super) fn path(&mut self, p: &Path) -> Result<(Acc, Ty), FilterError> {
        let names = self.names(&p.segments)?;
        if let Some(slot) = names.first().and_then(|first| {
            self.scopes
                .iter()
                .rposition(|b| !b.implicit && b.var == *first)
        }) {
            return self.element(slot, names.get(1..).unwrap_or(&[]), p);
        }
        if let Some(slot) = self.scopes.iter().rposition(|b| b.implicit) {
            let rest = match names.split_first() {
                Some((&"$it", rest)) => rest,
                _ => &names[..],
            };
            return self.element(slot, rest, p);
        }
        let names = strip_it(&names);
        match self.schema.resolve(names) {
            Some(Resolved::Field(f)) if f.collection.is_none() => {
                Ok((Acc::Root(f.id), Ty::of(f.ty)))
            }
            Some(Resolved::Field(_)) => Err(err(
                ErrorKind::MultiValuedField,
                format!(
                    "`{}` has one value per collection element; test it inside `any`/`all`",
                    p.joined()
                ),
                p.span(),
            )),
            Some(Resolved::Collection { .. }) => Err(err(
                ErrorKind::CollectionField,
                format!(
                    "`{}` is a collection; test it with `any` or `all`",
                    p.joined()
                ),
                p.span(),
            )),
            None => Err(self.unknown(p)),
        }
    }

    /// Field `rest` of the element bound to `slot` (the element itself when `rest` is
    /// empty).
    fn element(&mut self, slot: usize, rest: &[&str], p: &Path) -> Result<(Acc, Ty), FilterError> {
        let Some(b) = self.scopes.get(slot) else {
            return Err(self.unknown(p));
        };
        if rest.is_empty() {
            return match b.element {
                Some(f) => Ok((Acc::Elem { field: f.id, slot }, Ty::of(f.ty))),
                None => Err(err(
                    ErrorKind::LambdaVariable,
                    format!(
                        "`{}` stands for an object; name one of its fields (`{}/…`)",
                        b.var, b.var
                    ),
                    p.span(),
                )),
            };
        }
        let (coll, mut full) = (b.collection, b.path.clone());
        let shown = if b.implicit {
            String::new()
        } else {
            format!("{}/", b.var)
        };
        full.extend(rest.iter().map(|s| (*s).to_owned()));
        let full_ref: Vec<&str> = full.iter().map(String::as_str).collect();
        match self.schema.resolve(&full_ref) {
            Some(Resolved::Field(f)) if f.collection == Some(coll) => {
                Ok((Acc::Elem { field: f.id, slot }, Ty::of(f.ty)))
            }
            Some(_) => Err(err(
                ErrorKind::UnsupportedNestedCollection,
                format!(
                    "`{}` is a collection inside a collection element",
                    p.joined()
                ),
                p.span(),
            )),
            None => {
                let prefix = format!("{}/", b.path.join("/"));
                let names = self.schema.field_names();
                let cands: Vec<String> = names
                    .iter()
                    .filter_map(|n| n.strip_prefix(&prefix).map(|r| format!("{shown}{r}")))
                    .collect();
                let s = suggest(&p.joined(), cands.iter().map(String::as_str));
                Err(err(
                    ErrorKind::UnknownField,
                    format!("unknown field `{}`", p.joined()),
                    p.span(),
                )
                .with_suggestion(s))
            }
        }
    }
}

/// `$it/x` is `x`.
pub(super) fn strip_it<'a, 'b>(names: &'b [&'a str]) -> &'b [&'a str] {
    match names {
        [first, rest @ ..] if *first == "$it" && !rest.is_empty() => rest,
        _ => names,
    }
}
