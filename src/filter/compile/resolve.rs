//! Names: paths resolved against the schema, lambda variables and their scopes, and the
//! "unknown field" errors with their suggestions.
//!
//! Imports no I/O, no wasm, no `worker`.

use super::super::ast::{Expr, Ident, LambdaOp, Path};
use super::super::error::{suggest, ErrorKind, FilterError, Span};
use super::super::ir::{Acc, Pred, Ty, MAX_LAMBDA_NESTING};
use super::super::schema::{FieldId, FieldInfo, Resolved, Schema};
use super::{err, Compiler};

/// A lambda variable in scope: the collection it ranges over and its path.
pub(super) struct Binding {
    pub(super) var: String,
    collection: FieldId,
    path: Vec<String>,
    element: Option<FieldInfo>,
}

impl<S: Schema> Compiler<'_, S> {
    pub(super) fn lambda(
        &mut self,
        collection: &Path,
        op: LambdaOp,
        body: Option<&(Ident, Box<Expr>)>,
        span: Span,
    ) -> Result<Pred, FilterError> {
        let names: Vec<&str> = collection
            .segments
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let names = strip_it(&names);
        if names
            .first()
            .is_some_and(|n| self.scopes.iter().any(|b| b.var == *n))
        {
            return Err(err(
                ErrorKind::UnsupportedNestedCollection,
                "lambdas over a collection inside a lambda variable are not supported",
                collection.span(),
            ));
        }
        let (id, element) = match self.schema.resolve(names) {
            Some(Resolved::Collection { id, element }) => (id, element),
            Some(Resolved::Field(_)) => {
                return Err(err(
                    ErrorKind::NotCollection,
                    format!(
                        "`{}` is not a collection; `{}` needs one",
                        collection.joined(),
                        op.as_str()
                    ),
                    collection.span(),
                ))
            }
            None => return Err(self.unknown(collection)),
        };
        let slot = self.scopes.len();
        if slot >= MAX_LAMBDA_NESTING {
            return Err(err(
                ErrorKind::LambdaDepthLimit,
                format!("at most {MAX_LAMBDA_NESTING} lambdas may nest"),
                span,
            ));
        }
        let Some((var, body)) = body else {
            return Ok(Pred::Any {
                collection: id,
                slot,
                body: None,
            });
        };
        self.scopes.push(Binding {
            var: var.name.clone(),
            collection: id,
            path: names.iter().map(|s| (*s).to_owned()).collect(),
            element,
        });
        let b = self.pred(body);
        self.scopes.pop();
        let b = Box::new(b?);
        Ok(match op {
            LambdaOp::Any => Pred::Any {
                collection: id,
                slot,
                body: Some(b),
            },
            LambdaOp::All => Pred::All {
                collection: id,
                slot,
                body: b,
            },
        })
    }

    fn unknown(&self, p: &Path) -> FilterError {
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
        let names: Vec<&str> = p.segments.iter().map(|s| s.name.as_str()).collect();
        let names = strip_it(&names);
        if let Some((slot, b)) = names.first().and_then(|first| {
            self.scopes
                .iter()
                .enumerate()
                .rev()
                .find(|(_, b)| b.var == *first)
        }) {
            let rest = names.get(1..).unwrap_or(&[]);
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
            full.extend(rest.iter().map(|s| (*s).to_owned()));
            let full_ref: Vec<&str> = full.iter().map(String::as_str).collect();
            return match self.schema.resolve(&full_ref) {
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
                        .filter_map(|n| n.strip_prefix(&prefix).map(|r| format!("{}/{r}", b.var)))
                        .collect();
                    let s = suggest(&p.joined(), cands.iter().map(String::as_str));
                    Err(err(
                        ErrorKind::UnknownField,
                        format!("unknown field `{}`", p.joined()),
                        p.span(),
                    )
                    .with_suggestion(s))
                }
            };
        }
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
}

/// `$it/x` is `x`.
pub(super) fn strip_it<'a, 'b>(names: &'b [&'a str]) -> &'b [&'a str] {
    match names {
        [first, rest @ ..] if *first == "$it" && !rest.is_empty() => rest,
        _ => names,
    }
}
