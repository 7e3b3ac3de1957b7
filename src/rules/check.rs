//! The evaluator: one walk over the body, applying every rule whose pointer pattern names
//! the node at hand, collecting every violation (up to [`MAX_VIOLATIONS`]).
//!
//! Order of checks at one node: an unknown member is reported and not looked into; a
//! member of the wrong type is reported and not checked further; otherwise every value
//! rule is applied, `Required` members of an object are looked for, and the walk goes on
//! into its members and items. `null` counts as absent (as the vendor's Jackson reads it).

use serde::Serialize;

use super::json::{pointer_escape, Node};
use super::{is_date, Kind, Operation, Rule, Ty};

/// The most violations one check reports (a body of ten thousand bad line items answers
/// with the first ones, and says it stopped).
pub const MAX_VIOLATIONS: usize = 100;

/// What to make of a member no rule names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    /// A violation (`unknown_member`): the edge refuses what it would not forward
    /// knowingly.
    Reject,
    /// Ignored, as a Spring application reads JSON by default (the simulator).
    Ignore,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// JSON Pointer (RFC 6901) to the member, into the body.
    pub pointer: String,
    /// Stable code: `required`, `type`, `max_length`, `min_items`, `pattern`, `enum`,
    /// `minimum`, `date`, `conflict`, `unknown_member` (and the vendor's own, e.g.
    /// `duplicate_id`).
    pub code: &'static str,
    /// What is wrong, in the vendor's (Bean Validation) wording.
    pub message: String,
    /// The id of the rule broken (`—` for an unknown member).
    #[serde(skip)]
    pub rule: &'static str,
}

impl Violation {
    /// The member as the vendor's messages name it: `lineItems[0].product[1].productName`.
    pub fn vendor_path(&self) -> String {
        let mut out = String::new();
        for seg in self.pointer.split('/').skip(1) {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                out.push('[');
                out.push_str(&seg);
                out.push(']');
            } else {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&seg);
            }
        }
        out
    }
}

/// Checks a body against an operation's rules. Returns every violation found (in body
/// order), at most [`MAX_VIOLATIONS`], and whether there were more.
pub fn check(op: &Operation, body: &Node, unknown: Unknown) -> (Vec<Violation>, bool) {
    let mut w = Walk {
        rules: op.rules().collect(),
        unknown,
        out: Vec::new(),
        more: false,
    };
    w.node(body, None, String::new(), String::new());
    (w.out, w.more)
}

struct Walk {
    rules: Vec<&'static Rule>,
    unknown: Unknown,
    out: Vec<Violation>,
    more: bool,
}

fn type_name(t: Ty) -> &'static str {
    match t {
        Ty::Str => "must be a string",
        Ty::Bool => "must be a boolean",
        Ty::Int32 => "must be a whole number between -2147483648 and 2147483647",
        Ty::Obj => "must be an object",
        Ty::Arr => "must be an array",
        Ty::Any => "may be any value",
    }
}

fn is_type(t: Ty, n: &Node) -> bool {
    match (t, n) {
        (Ty::Any, _)
        | (Ty::Str, Node::Str(_))
        | (Ty::Bool, Node::Bool(_))
        | (Ty::Obj, Node::Obj(_))
        | (Ty::Arr, Node::Arr(_)) => true,
        (Ty::Int32, Node::Num(v)) => v.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        _ => false,
    }
}

impl Walk {
    fn fail(&mut self, pointer: &str, rule: &'static str, code: &'static str, message: String) {
        if self.out.len() >= MAX_VIOLATIONS {
            self.more = true;
            return;
        }
        self.out.push(Violation {
            pointer: pointer.to_owned(),
            code,
            message,
            rule,
        });
    }

    fn at<'a>(&'a self, pattern: &'a str) -> impl Iterator<Item = &'static Rule> + 'a {
        self.rules.iter().copied().filter(move |r| r.at == pattern)
    }

    /// Checks `node` at `pointer` (concrete) / `pattern` (with `*`); `parent` is the object
    /// holding it, for cross-field rules.
    fn node(&mut self, node: &Node, parent: Option<&Node>, pointer: String, pattern: String) {
        if matches!(node, Node::Null) && !pattern.is_empty() {
            return;
        }
        let ty = self.at(&pattern).find_map(|r| match r.kind {
            Kind::Type(t) => Some((r.id, t)),
            _ => None,
        });
        let Some((type_rule, ty)) = ty else {
            if self.unknown == Unknown::Reject && !pattern.is_empty() {
                self.fail(
                    &pointer,
                    "",
                    "unknown_member",
                    "is not a member of the vendor's schema".to_owned(),
                );
            }
            return;
        };
        if !is_type(ty, node) {
            self.fail(&pointer, type_rule, "type", type_name(ty).to_owned());
            return;
        }
        let rules: Vec<&'static Rule> = self.at(&pattern).collect();
        for r in rules {
            self.value(r, node, parent, &pointer);
        }
        match node {
            Node::Obj(members) => {
                let required: Vec<&'static Rule> = self
                    .rules
                    .iter()
                    .copied()
                    .filter(|r| r.kind == Kind::Required && parent_of(r.at) == pattern)
                    .collect();
                for r in required {
                    let name = last_segment(r.at);
                    if node.get(name).is_none_or(|n| matches!(n, Node::Null)) {
                        self.fail(
                            &format!("{pointer}/{}", pointer_escape(name)),
                            r.id,
                            "required",
                            "must not be null".to_owned(),
                        );
                    }
                }
                for (k, v) in members {
                    let seg = pointer_escape(k);
                    self.node(
                        v,
                        Some(node),
                        format!("{pointer}/{seg}"),
                        format!("{pattern}/{seg}"),
                    );
                }
            }
            Node::Arr(items) if ty == Ty::Arr => {
                for (i, v) in items.iter().enumerate() {
                    if matches!(v, Node::Null) {
                        self.fail(
                            &format!("{pointer}/{i}"),
                            type_rule,
                            "required",
                            "must not be null".to_owned(),
                        );
                        continue;
                    }
                    self.node(v, None, format!("{pointer}/{i}"), format!("{pattern}/*"));
                }
            }
            _ => {}
        }
    }

    fn value(&mut self, r: &'static Rule, node: &Node, parent: Option<&Node>, pointer: &str) {
        match (r.kind, node) {
            (Kind::MaxLen(max), Node::Str(s)) if s.encode_utf16().count() > max => {
                self.fail(
                    pointer,
                    r.id,
                    "max_length",
                    format!("size must be between 0 and {max}"),
                );
            }
            (Kind::MinItems(min), Node::Arr(items)) if items.len() < min => {
                self.fail(
                    pointer,
                    r.id,
                    "min_items",
                    format!("size must be between {min} and 2147483647"),
                );
            }
            (Kind::Pattern(p), Node::Str(s)) if !p.matches(s) => {
                let message = match p.regex() {
                    Some(re) => format!("must match \"{re}\""),
                    None => "must not be blank".to_owned(),
                };
                self.fail(pointer, r.id, "pattern", message);
            }
            (Kind::OneOf(words), Node::Str(s))
                if !words.iter().any(|w| w.eq_ignore_ascii_case(s)) =>
            {
                self.fail(
                    pointer,
                    r.id,
                    "enum",
                    format!("must be one of {}", words.join(", ")),
                );
            }
            (Kind::Min(min), Node::Num(n)) if n.as_i64().is_some_and(|v| v < min) => {
                self.fail(
                    pointer,
                    r.id,
                    "minimum",
                    format!("must be greater than or equal to {min}"),
                );
            }
            (Kind::Date, Node::Str(s)) if !is_date(s) => {
                self.fail(
                    pointer,
                    r.id,
                    "date",
                    r"must be a date in YYYY-MM-DD format (^\d{4}-\d{2}-\d{2}$)".to_owned(),
                );
            }
            (Kind::NotWith(flag), _)
                if parent.and_then(|p| p.get(flag)) == Some(&Node::Bool(true)) =>
            {
                self.fail(
                    pointer,
                    r.id,
                    "conflict",
                    format!("must not be given when {flag} is true"),
                );
            }
            _ => {}
        }
    }
}

fn parent_of(pattern: &str) -> &str {
    pattern
        .rfind('/')
        .map_or("", |i| pattern.get(..i).unwrap_or(""))
}

fn last_segment(pattern: &str) -> &str {
    pattern
        .rfind('/')
        .map_or(pattern, |i| pattern.get(i + 1..).unwrap_or(""))
}
