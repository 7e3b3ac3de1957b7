//! A write body as a tree of [`Node`]s: members in the order sent, a duplicate member
//! refused (which one would the vendor keep?), nesting bounded by [`MAX_DEPTH`], and for
//! malformed input the byte offset where reading stopped.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// The deepest nesting a body may have (the vendor schemas go five levels deep; custom
/// attribute values may hold lists).
pub const MAX_DEPTH: usize = 32;

/// A JSON value, members in the order sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Num(serde_json::Number),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Node>),
    /// An object, members in the order sent (no duplicates).
    Obj(Vec<(String, Node)>),
}

/// Why a body is not JSON the rules can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// What is wrong (serde_json's wording, without its position suffix).
    pub message: String,
    /// The byte offset into the body where reading stopped.
    pub offset: usize,
    /// Line and column (1-based) of that byte.
    pub line: usize,
    /// Column (1-based, in bytes).
    pub column: usize,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at byte {} (line {}, column {})",
            self.message, self.offset, self.line, self.column
        )
    }
}

/// Reads a body. Never panics; any input gives a tree or a [`Malformed`] with a position.
pub fn parse(bytes: &[u8]) -> Result<Node, Malformed> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let node = Seed { depth: 0 }
        .deserialize(&mut de)
        .and_then(|n| de.end().map(|()| n));
    node.map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let text = e.to_string();
        let message = match text.rfind(" at line ") {
            Some(i) => text.get(..i).unwrap_or(&text).to_owned(),
            None => text,
        };
        Malformed {
            message,
            offset: byte_offset(bytes, line, column),
            line,
            column,
        }
    })
}

/// The byte offset of serde_json's 1-based line and column (a column counts bytes; 0 means
/// the line's start), clamped to the input.
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    let mut remaining = line.saturating_sub(1);
    while remaining > 0 {
        match bytes
            .get(start..)
            .and_then(|b| b.iter().position(|c| *c == b'\n'))
        {
            Some(n) => start += n + 1,
            None => break,
        }
        remaining -= 1;
    }
    start
        .saturating_add(column.saturating_sub(1))
        .min(bytes.len())
}

struct Seed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor { depth: self.depth })
    }
}

struct NodeVisitor {
    depth: usize,
}

impl NodeVisitor {
    fn deeper<E: de::Error>(&self) -> Result<Seed, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(Seed {
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Num(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Num(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        serde_json::Number::from_f64(v)
            .map(Node::Num)
            .ok_or_else(|| E::custom("a number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut out = Vec::new();
        // Bounded by the input: each turn consumes one element.
        while let Some(n) = seq.next_element_seed(self.deeper()?)? {
            out.push(n);
        }
        Ok(Node::Arr(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut out: Vec<(String, Node)> = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value_seed(self.deeper()?)?;
            if out.iter().any(|(seen, _)| *seen == k) {
                let shown: String = k.chars().take(80).collect();
                return Err(de::Error::custom(format!("duplicate member `{shown}`")));
            }
            out.push((k, v));
        }
        Ok(Node::Obj(out))
    }
}

impl Node {
    /// A member of an object (`None` for other values or an absent member).
    pub fn get(&self, name: &str) -> Option<&Node> {
        match self {
            Node::Obj(m) => m.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text, for a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The node at a JSON Pointer (`/lineItems/0/activationId`).
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut at = self;
        for raw in pointer.strip_prefix('/')?.split('/') {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            at = match at {
                Node::Obj(_) => at.get(&seg)?,
                Node::Arr(items) => items.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(at)
    }

    /// Every string at a pointer pattern (`*` for any array index), with its pointer.
    pub fn strings_at<'a>(&'a self, pattern: &str) -> Vec<(String, &'a str)> {
        let mut out = Vec::new();
        let segs: Vec<&str> = pattern.split('/').skip(1).collect();
        collect(self, &segs, String::new(), &mut out);
        out
    }

    /// The canonical text: members sorted by name, no white space, numbers as read. Two
    /// bodies with the same canonical text say the same thing (the idempotency check).
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        self.write_canonical(&mut out);
        out
    }

    fn write_canonical(&self, out: &mut String) {
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Num(n) => out.push_str(&n.to_string()),
            Node::Str(s) => push_string(out, s),
            Node::Arr(items) => {
                out.push('[');
                for (i, n) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    n.write_canonical(out);
                }
                out.push(']');
            }
            Node::Obj(members) => {
                let mut sorted: Vec<&(String, Node)> = members.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                out.push('{');
                for (i, (k, v)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_string(out, k);
                    out.push(':');
                    v.write_canonical(out);
                }
                out.push('}');
            }
        }
    }
}

fn push_string(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned()));
}

fn collect<'a>(node: &'a Node, segs: &[&str], at: String, out: &mut Vec<(String, &'a str)>) {
    let Some((first, rest)) = segs.split_first() else {
        if let Node::Str(s) = node {
            out.push((at, s));
        }
        return;
    };
    match (node, *first) {
        (Node::Arr(items), "*") => {
            for (i, n) in items.iter().enumerate() {
                collect(n, rest, format!("{at}/{i}"), out);
            }
        }
        (Node::Obj(_), name) => {
            if let Some(n) = node.get(name) {
                collect(n, rest, format!("{at}/{}", pointer_escape(name)), out);
            }
        }
        _ => {}
    }
}

/// A member name as a JSON Pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn pointer_escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_bodies_report_the_byte_where_reading_stopped() {
        let e = parse(b"{\"a\": 1,\n \"b\": tru}").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(
            &b"{\"a\": 1,\n \"b\": tru}"[..e.offset],
            b"{\"a\": 1,\n \"b\": tru"
        );
        let e = parse(b"").unwrap_err();
        assert_eq!(e.offset, 0);
        let e = parse(b"{} x").unwrap_err();
        assert_eq!(e.offset, 3, "{e}"); // the `x`
        assert!(e.message.contains("trailing"), "{e}");
        let e = parse(br#"{"a": 1, "a": 2}"#).unwrap_err();
        assert!(e.message.contains("duplicate member `a`"), "{e}");
    }

    #[test]
    fn nesting_is_bounded_without_recursion_blowing_up() {
        let deep = "[".repeat(MAX_DEPTH) + "1" + &"]".repeat(MAX_DEPTH);
        assert!(parse(deep.as_bytes()).is_ok());
        let deeper = "[".repeat(MAX_DEPTH + 1) + "1" + &"]".repeat(MAX_DEPTH + 1);
        let e = parse(deeper.as_bytes()).unwrap_err();
        assert!(e.message.contains("nesting"), "{e}");
        assert_eq!(e.offset, MAX_DEPTH, "{e}");
        // Far deeper than any stack: refused at the bound, never walked.
        let huge = "[".repeat(1_000_000);
        assert!(parse(huge.as_bytes()).is_err());
    }

    #[test]
    fn canonical_text_ignores_member_order_and_white_space() {
        let a = parse(br#"{"b": [1, {"y": 2, "x": "\u00e9"}], "a": null}"#).unwrap();
        let b = parse("{\"a\":null,\"b\":[1,{\"x\":\"é\",\"y\":2}]}".as_bytes()).unwrap();
        assert_eq!(a.canonical(), b.canonical());
        assert_eq!(a.canonical(), r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#);
        let c = parse(br#"{"a": null, "b": [1, {"x": "e", "y": 2}]}"#).unwrap();
        assert_ne!(a.canonical(), c.canonical());
    }

    #[test]
    fn pointers_and_pattern_lookups() {
        let n = parse(br#"{"lineItems": [{"activationId": "a1"}, {"x": 1}, {"activationId": "a3"}], "a/b": {"~": "t"}}"#).unwrap();
        assert_eq!(
            n.pointer("/lineItems/2/activationId"),
            Some(&Node::Str("a3".into()))
        );
        assert_eq!(n.pointer("/a~1b/~0"), Some(&Node::Str("t".into())));
        assert_eq!(n.pointer("/lineItems/9"), None);
        assert_eq!(
            n.strings_at("/lineItems/*/activationId"),
            [
                ("/lineItems/0/activationId".to_owned(), "a1"),
                ("/lineItems/2/activationId".to_owned(), "a3")
            ]
        );
    }
}
