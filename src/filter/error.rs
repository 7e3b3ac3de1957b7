//! Filter errors as data: a kind (with its stable dotted code), a message, a byte span and
//! an optional suggestion. Rendering (the caret line) is kept apart from the data.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::fmt;

/// A half-open range of UTF-8 byte offsets into the filter text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// This span as UTF-16 code-unit offsets into `source` (for JavaScript). Offsets past
    /// the end or inside a character are clamped to the nearest character boundary before.
    pub fn to_utf16(self, source: &str) -> (usize, usize) {
        (
            utf16_offset(source, self.start),
            utf16_offset(source, self.end),
        )
    }
}

/// The UTF-16 offset of byte offset `byte` in `source`.
pub fn utf16_offset(source: &str, byte: usize) -> usize {
    let mut b = byte.min(source.len());
    while b > 0 && !source.is_char_boundary(b) {
        b -= 1;
    }
    source
        .get(..b)
        .map(|s| s.chars().map(char::len_utf16).sum())
        .unwrap_or(0)
}

/// What kind of error a [`FilterError`] is: the closed list of the language's and the
/// query pipeline's errors. Each variant's [`code`](ErrorKind::code) is stable public API
/// (in problem responses, the browser module's errors and `docs/filter.md`); each
/// variant's doc gives an input that triggers it (`tests/filter_error_kinds.rs` runs them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `filter.syntax.empty`: The filter is blank. E.g. `   `.
    SyntaxEmpty,
    /// `filter.syntax.unexpected_char`: A character no token starts with. E.g. `name eq #`.
    UnexpectedChar,
    /// `filter.syntax.unterminated_string`: A string literal without its closing quote. E.g. `name eq 'abc`.
    UnterminatedString,
    /// `filter.syntax.invalid_literal`: A malformed number, date, date-time, time of day, GUID or duration, or an unknown `prefix'…'`. E.g. `d eq 2024-02-30`.
    InvalidLiteral,
    /// `filter.syntax.unexpected_token`: A token where another was expected. E.g. `name eq 'a' xor b`.
    UnexpectedToken,
    /// `filter.syntax.unexpected_end`: The filter stops in the middle of an expression. E.g. `name eq`.
    UnexpectedEnd,
    /// `filter.syntax.expected_expression`: An operator or punctuation where an expression must start. E.g. `a eq )`.
    ExpectedExpression,
    /// `filter.syntax.expected_member`: A `/` not followed by a member name. E.g. `a/ 'x'`.
    ExpectedMember,
    /// `filter.syntax.expected_lambda_variable`: A lambda without its variable. E.g. `p/all()`.
    ExpectedLambdaVariable,
    /// `filter.syntax.too_many_arguments`: A function call with more than 16 arguments. E.g. `f(a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a)`.
    TooManyArguments,
    /// `filter.syntax.expected_literal`: An item of an `in (…)` list, or the right side of `has`, that is not a literal. E.g. `a in (1, b)`.
    ExpectedLiteral,
    /// `filter.limit.length`: A filter longer than [`MAX_LENGTH`](crate::filter::MAX_LENGTH) bytes. E.g. 8,193 × `x`.
    LengthLimit,
    /// `filter.limit.depth`: Nesting deeper than [`MAX_DEPTH`](crate::filter::MAX_DEPTH). E.g. 101 × `(`, then `a`.
    DepthLimit,
    /// `filter.limit.in_list`: An `in` list, JSON array or JSON object longer than [`MAX_IN_ITEMS`](crate::filter::MAX_IN_ITEMS). E.g. a in (1, 1, … 1001 items).
    InListLimit,
    /// `filter.limit.lambda_depth`: More than four lambdas nested in each other. E.g. a/any(b: b/c/any(c: … five deep)).
    LambdaDepthLimit,
    /// `filter.field.unknown`: A path that names no field (with a suggestion when one is close). E.g. `custmer/name eq 'x'`.
    UnknownField,
    /// `filter.field.multi_valued`: A field of collection elements used outside `any`/`all`. E.g. `partners/role eq 'reseller'`.
    MultiValuedField,
    /// `filter.field.collection`: A collection used as a value. E.g. `partners eq null`.
    CollectionField,
    /// `filter.field.not_collection`: `any`/`all`/`$count`/`$filter`, or `in` a path, after something that is not a collection. E.g. `status/any(s: s eq 'x')`.
    NotCollection,
    /// `filter.field.lambda_variable`: A lambda variable over objects used as a value. E.g. `partners/any(p: p eq 'x')`.
    LambdaVariable,
    /// `filter.function.unknown`: A function name that is not an OData function (with a suggestion when one is close). E.g. `containz(name, 'x')`.
    UnknownFunction,
    /// `filter.function.arity`: A call with the wrong number of arguments (for the OData methods, at the `)` or `,` where the ABNF fails). E.g. `contains(name)`.
    Arity,
    /// `filter.type.mismatch`: Operands whose types cannot be compared or combined. E.g. `status eq 5`.
    TypeMismatch,
    /// `filter.type.argument`: A function argument of the wrong type. E.g. `contains(endDate, 'x')`.
    ArgumentType,
    /// `filter.type.not_boolean`: A filter, or an operand of `and`/`or`/`not`, that is not a condition. E.g. `name`.
    NotBoolean,
    /// `filter.type.invalid_date`: A string compared with a date-time that is not a date or an RFC 3339 date-time. E.g. `endDate gt 'soon'`.
    InvalidDate,
    /// `filter.unsupported.function`: An OData function that parses but is not evaluated. E.g. `isof(name, Edm.String)`.
    UnsupportedFunction,
    /// `filter.unsupported.literal`: A binary or geo literal, or a JSON array or object where none is evaluated. E.g. `name eq binary'AAE='`.
    UnsupportedLiteral,
    /// `filter.unsupported.annotation`: An annotation in a path. E.g. `customer/@Core.Description eq 'x'`.
    UnsupportedAnnotation,
    /// `filter.unsupported.path`: A type cast, key predicate, `$root` or alias of a structured value in a path. E.g. `partners/Flex.Reseller/name eq 'x'`.
    UnsupportedPath,
    /// `filter.alias.unknown`: A parameter alias whose value the request does not give. E.g. `status eq @s` without `@s=…`.
    UnknownAlias,
    /// `filter.unsupported.bound_function`: A bound function call on a path. E.g. `a/NS.fn() eq 1`.
    UnsupportedBoundFunction,
    /// `filter.unsupported.nested_collection`: A collection inside a lambda variable's element. E.g. `partners/any(p: p/x/any(q: q eq 1))`.
    UnsupportedNestedCollection,
    /// `query.field.unknown`: A `sort`, `select` or `group_by` path that names no field. E.g. `sort=custmer/name desc`.
    QueryUnknownField,
    /// `query.sort.syntax`: A malformed `sort` entry. E.g. `sort=name sideways`.
    SortSyntax,
    /// `query.sort.not_sortable`: Sorting by a field with several values per row. E.g. `sort=partners/role`.
    SortNotSortable,
    /// `query.sort.not_grouped`: A transform sorting by something other than `count` or a group-by field. E.g. `group_by=status&sort=name`.
    SortNotGrouped,
    /// `query.select.syntax`: A malformed `select` entry. E.g. `select=id, a b`.
    SelectSyntax,
    /// `query.select.too_deep`: A selected path with more than 16 segments. E.g. `select=a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a`.
    SelectTooDeep,
    /// `query.group_by.syntax`: A malformed `group_by` entry. E.g. `group_by=status desc`.
    GroupBySyntax,
    /// `query.group_by.not_groupable`: Grouping by a collection of objects. E.g. `group_by=partners`.
    GroupByNotGroupable,
    /// `query.offset.invalid`: An `offset` that is not a whole number ≥ 0. E.g. `offset=-1`.
    OffsetInvalid,
    /// `query.offset.range`: An `offset` too large to represent. E.g. `offset=99999999999999999999999`.
    OffsetRange,
    /// `query.limit.invalid`: A `limit` that is not a whole number ≥ 0. E.g. `limit=ten`.
    LimitInvalid,
    /// `query.limit.range`: A `limit` above 1,000. E.g. `limit=1001`.
    LimitRange,
    /// `query.limit.keys`: More than 64 `sort`, `select` or `group_by` entries. E.g. `select` = 65 × `id`, comma-separated.
    TooManyKeys,
}

impl ErrorKind {
    /// The stable dotted code, e.g. `filter.field.unknown`.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::SyntaxEmpty => "filter.syntax.empty",
            ErrorKind::UnexpectedChar => "filter.syntax.unexpected_char",
            ErrorKind::UnterminatedString => "filter.syntax.unterminated_string",
            ErrorKind::InvalidLiteral => "filter.syntax.invalid_literal",
            ErrorKind::UnexpectedToken => "filter.syntax.unexpected_token",
            ErrorKind::UnexpectedEnd => "filter.syntax.unexpected_end",
            ErrorKind::ExpectedExpression => "filter.syntax.expected_expression",
            ErrorKind::ExpectedMember => "filter.syntax.expected_member",
            ErrorKind::ExpectedLambdaVariable => "filter.syntax.expected_lambda_variable",
            ErrorKind::TooManyArguments => "filter.syntax.too_many_arguments",
            ErrorKind::ExpectedLiteral => "filter.syntax.expected_literal",
            ErrorKind::LengthLimit => "filter.limit.length",
            ErrorKind::DepthLimit => "filter.limit.depth",
            ErrorKind::InListLimit => "filter.limit.in_list",
            ErrorKind::LambdaDepthLimit => "filter.limit.lambda_depth",
            ErrorKind::UnknownField => "filter.field.unknown",
            ErrorKind::MultiValuedField => "filter.field.multi_valued",
            ErrorKind::CollectionField => "filter.field.collection",
            ErrorKind::NotCollection => "filter.field.not_collection",
            ErrorKind::LambdaVariable => "filter.field.lambda_variable",
            ErrorKind::UnknownFunction => "filter.function.unknown",
            ErrorKind::Arity => "filter.function.arity",
            ErrorKind::TypeMismatch => "filter.type.mismatch",
            ErrorKind::ArgumentType => "filter.type.argument",
            ErrorKind::NotBoolean => "filter.type.not_boolean",
            ErrorKind::InvalidDate => "filter.type.invalid_date",
            ErrorKind::UnsupportedFunction => "filter.unsupported.function",
            ErrorKind::UnsupportedLiteral => "filter.unsupported.literal",
            ErrorKind::UnsupportedAnnotation => "filter.unsupported.annotation",
            ErrorKind::UnsupportedPath => "filter.unsupported.path",
            ErrorKind::UnknownAlias => "filter.alias.unknown",
            ErrorKind::UnsupportedBoundFunction => "filter.unsupported.bound_function",
            ErrorKind::UnsupportedNestedCollection => "filter.unsupported.nested_collection",
            ErrorKind::QueryUnknownField => "query.field.unknown",
            ErrorKind::SortSyntax => "query.sort.syntax",
            ErrorKind::SortNotSortable => "query.sort.not_sortable",
            ErrorKind::SortNotGrouped => "query.sort.not_grouped",
            ErrorKind::SelectSyntax => "query.select.syntax",
            ErrorKind::SelectTooDeep => "query.select.too_deep",
            ErrorKind::GroupBySyntax => "query.group_by.syntax",
            ErrorKind::GroupByNotGroupable => "query.group_by.not_groupable",
            ErrorKind::OffsetInvalid => "query.offset.invalid",
            ErrorKind::OffsetRange => "query.offset.range",
            ErrorKind::LimitInvalid => "query.limit.invalid",
            ErrorKind::LimitRange => "query.limit.range",
            ErrorKind::TooManyKeys => "query.limit.keys",
        }
    }
}

/// An error in a filter (or in another query parameter), located by a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// What kind of error (its [`code`](ErrorKind::code) is the stable dotted code).
    pub kind: ErrorKind,
    /// Human-readable message.
    pub message: String,
    /// Where in the text (byte offsets).
    pub span: Span,
    /// A near-miss suggestion (`customerName` for `custmerName`), when one exists.
    pub suggestion: Option<String>,
}

impl FilterError {
    /// An error without a suggestion.
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Span) -> Self {
        FilterError {
            kind,
            message: message.into(),
            span,
            suggestion: None,
        }
    }

    /// The stable dotted code, e.g. `filter.syntax.unexpected_token`.
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// Adds a suggestion.
    pub fn with_suggestion(mut self, s: Option<String>) -> Self {
        self.suggestion = s;
        self
    }

    /// The span as UTF-16 offsets into `source`.
    pub fn utf16_span(&self, source: &str) -> (usize, usize) {
        self.span.to_utf16(source)
    }

    /// The message, the source line and a caret line under the span:
    ///
    /// ```text
    /// error[filter.field.unknown]: unknown field `custmerName`, did you mean `customerName`?
    ///   custmerName eq 'x'
    ///   ^^^^^^^^^^^
    /// ```
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("error[{}]: {}", self.code(), self);
        // Work on a single line: the one holding the span start.
        let start = floor_boundary(source, self.span.start);
        let end = floor_boundary(source, self.span.end.max(self.span.start));
        let line_start = source
            .get(..start)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line_end = source
            .get(start..)
            .and_then(|s| s.find('\n'))
            .map_or(source.len(), |i| start + i);
        let line = source.get(line_start..line_end).unwrap_or("");
        let pad = source
            .get(line_start..start)
            .map_or(0, |s| s.chars().count());
        let width = source
            .get(start..end.min(line_end).max(start))
            .map_or(0, |s| s.chars().count())
            .max(1);
        out.push_str("\n  ");
        out.push_str(line);
        out.push_str("\n  ");
        out.push_str(&" ".repeat(pad));
        out.push_str(&"^".repeat(width));
        out
    }
}

fn floor_boundary(s: &str, i: usize) -> usize {
    let mut b = i.min(s.len());
    while b > 0 && !s.is_char_boundary(b) {
        b -= 1;
    }
    b
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, ", did you mean `{s}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for FilterError {}

/// The closest candidate to `name` by edit distance, if it is close enough to be a typo
/// (distance ≤ 2, or ≤ 1 for short names; case differences count as half).
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lname = name.to_lowercase();
    let limit = if name.chars().count() <= 3 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.len() > 64 || name.len() > 64 {
            continue;
        }
        let d = levenshtein(&lname, &c.to_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_owned())
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_span() {
        let e = FilterError::new(ErrorKind::UnexpectedToken, "bad", Span::new(5, 8));
        assert_eq!(
            e.render("name eq 'a'"),
            "error[filter.syntax.unexpected_token]: bad\n  name eq 'a'\n       ^^^"
        );
    }

    #[test]
    fn utf16_offsets_count_surrogates() {
        let s = "a😀b eq 1";
        assert_eq!(Span::new(5, 6).to_utf16(s), (3, 4));
    }

    #[test]
    fn suggests_near_misses_only() {
        let c = ["customerName", "status"];
        assert_eq!(suggest("custmerName", c).as_deref(), Some("customerName"));
        assert_eq!(suggest("zzz", c), None);
    }
}
