//! The write rules of the vendor documents, as data, and the one evaluator of them.
//!
//! A write body is read into a [`Node`] tree ([`parse`]: byte positions for malformed
//! JSON, a nesting bound, duplicate members refused) and checked against an [`Operation`]:
//! a flat table of [`Rule`]s, each a JSON Pointer pattern (`*` for any array index), a
//! [`Kind`] (required, type, length, pattern, enum, bound, date, cross-field) and the
//! vendor's wording. [`check`] lists every violation, not only the first, each with the
//! JSON Pointer of the member it is about.
//!
//! Both the edge (the service, before any upstream call) and the simulator (as the vendor)
//! evaluate the same tables, so the two cannot drift; what only the vendor can know (ids
//! already in use) stays in the simulator. The tables are in [`fno_entitlements`], one per
//! write operation of the FlexNet Entitlements API (Beta), with the vendor document's rules.
//!
//! A leaf like the filter language: imports nothing of the crate, no I/O, no clock. The
//! patterns are a few hand-written character checks, not a regex engine (wasm size).

mod check;
pub mod fno_entitlements;
mod json;
mod schema;

pub use check::{check, Unknown, Violation, MAX_VIOLATIONS};
pub use json::{parse, pointer_escape, Malformed, Node, MAX_DEPTH};
pub use schema::json_schema;

/// One write operation's body rules.
#[derive(Debug)]
pub struct Operation {
    /// A stable name, e.g. `fno_entitlements.create`.
    pub name: &'static str,
    /// The rules, in document order, in parts (an add of line items shares the line item
    /// rules of a create). Every member the body may have has a [`Kind::Type`] rule; a
    /// member without one is unknown.
    pub parts: &'static [&'static [Rule]],
    /// Pointer patterns of the ids the body may name, which the vendor must find unused
    /// ("unique across all entitlements and line items": only the vendor can check).
    pub ids: &'static [&'static str],
}

impl Operation {
    /// Every rule of the operation.
    pub fn rules(&self) -> impl Iterator<Item = &'static Rule> {
        self.parts.iter().flat_map(|p| p.iter())
    }
}

/// One rule of a vendor document.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable id, e.g. `entitlement.entitlementId.pattern`.
    pub id: &'static str,
    /// JSON Pointer pattern of the member the rule is about; `*` matches any array index
    /// (`/lineItems/*/startDate`); `""` is the body itself.
    pub at: &'static str,
    /// What the rule requires.
    pub kind: Kind,
}

/// What a rule requires of the member at its pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Present and not `null` (an absent or `null` optional member is simply absent).
    Required,
    /// The JSON type. A member with no `Type` rule is not in the vendor's schema.
    Type(Ty),
    /// At most this many characters, counted as the vendor's Java counts them (UTF-16
    /// code units).
    MaxLen(usize),
    /// At least this many items.
    MinItems(usize),
    /// Text matching one of the document's patterns.
    Pattern(Pattern),
    /// One of these words, compared ignoring ASCII case (the document's own example sends
    /// `NEW_ORDER` for the enum `new_order`); the message lists the vendor's spelling.
    OneOf(&'static [&'static str]),
    /// An integer at least this large.
    Min(i64),
    /// A `YYYY-MM-DD` calendar date (`^\d{4}-\d{2}-\d{2}$`, and a day that exists).
    Date,
    /// Not given (non-null) while the sibling boolean member of this name is `true`
    /// ("if you specify the ID, the autoGenerate flag must be set to false").
    NotWith(&'static str),
}

/// A JSON type of the vendor's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A string.
    Str,
    /// `true` or `false`.
    Bool,
    /// A whole number in Java's `int` range (`integer(int32)`).
    Int32,
    /// An object.
    Obj,
    /// An array.
    Arr,
    /// Any JSON value (custom attribute values: text, number, boolean or a list).
    Any,
}

/// The text patterns of the document, each a hand-written check with the document's regex
/// for messages and schemas (Java's `matches()` semantics: the whole text; `.` matches no
/// line terminator; `\s` is `[ \t\n\x0B\f\r]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// `^(?!\s*$)(?!.*['"&%^()#@!~/<>`{}=|]).*$`: not blank, none of those characters, no
    /// line break (ids).
    Id,
    /// `^$|^[ a-zA-Z0-9_-]+$`: letters, digits, space, `_` and `-` only (ship-to address).
    Address,
    /// `^(?!\s+$).*`: not only white space, no line break (email template variation).
    NotOnlySpace,
    /// Not empty and not only white space (a required name: Bean Validation's `@NotBlank`).
    NotBlank,
}

/// The characters an id may not contain.
pub const ID_FORBIDDEN: &str = "'\"&%^()#@!~/<>`{}=|";

/// Java's `\s` (without `UNICODE_CHARACTER_CLASS`).
fn java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
}

/// The characters Java's `.` does not match (without `DOTALL`/`UNIX_LINES`).
fn line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

impl Pattern {
    /// Whether `s` matches.
    pub fn matches(self, s: &str) -> bool {
        let blank = s.chars().all(java_space);
        match self {
            Pattern::Id => {
                !blank
                    && !s
                        .chars()
                        .any(|c| ID_FORBIDDEN.contains(c) || line_terminator(c))
            }
            Pattern::Address => s
                .chars()
                .all(|c| c == ' ' || c == '_' || c == '-' || c.is_ascii_alphanumeric()),
            Pattern::NotOnlySpace => (s.is_empty() || !blank) && !s.chars().any(line_terminator),
            Pattern::NotBlank => !s.trim().is_empty(),
        }
    }

    /// The document's regular expression (for messages and the OpenAPI document), or
    /// `None` for a rule the document states in words.
    pub fn regex(self) -> Option<&'static str> {
        match self {
            Pattern::Id => Some(r#"^(?!\s*$)(?!.*['"&%^()#@!~/<>`{}=|]).*$"#),
            Pattern::Address => Some("^$|^[ a-zA-Z0-9_-]+$"),
            Pattern::NotOnlySpace => Some(r"^(?!\s+$).*"),
            Pattern::NotBlank => None,
        }
    }
}

/// Whether `s` is a `YYYY-MM-DD` date of the proleptic Gregorian calendar.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0')))
    };
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_pattern_is_not_blank_and_none_of_the_characters() {
        for ok in [
            "ent-id-1234",
            "a",
            " x ",
            "ÆØÅ 株式会社",
            "a.b,c;d:e$f*g+h?",
            "\u{A0}",
        ] {
            assert!(Pattern::Id.matches(ok), "{ok:?}");
        }
        for bad in [
            "",
            " ",
            "\t\n",
            "a/b",
            "a'b",
            "x\"",
            "50%",
            "a\nb",
            "a\u{2028}b",
        ] {
            assert!(!Pattern::Id.matches(bad), "{bad:?}");
        }
        for c in ID_FORBIDDEN.chars() {
            assert!(!Pattern::Id.matches(&format!("id{c}x")), "{c}");
        }
    }

    #[test]
    fn address_template_and_blank_patterns() {
        assert!(Pattern::Address.matches(""));
        assert!(Pattern::Address.matches("Building-Street City_9"));
        assert!(!Pattern::Address.matches("Main St. 1"));
        assert!(!Pattern::Address.matches("Köln"));
        assert!(Pattern::NotOnlySpace.matches(""));
        assert!(Pattern::NotOnlySpace.matches(" DEFAULT"));
        assert!(!Pattern::NotOnlySpace.matches("   "));
        assert!(!Pattern::NotOnlySpace.matches("a\nb"));
        assert!(!Pattern::NotBlank.matches(" \t"));
        assert!(Pattern::NotBlank.matches("x"));
    }

    #[test]
    fn dates_are_shaped_and_exist() {
        for ok in ["2025-01-01", "2024-02-29", "2000-02-29", "0001-12-31"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2025/01/01",
            "2025-1-01",
            "2025-02-29",
            "1900-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-04-31",
            "2025-+1-01",
            "20250101",
            "2025-01-01T00:00:00Z",
            "",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }
}
