//! The OData system query options of a request, read once: `$filter`, `$orderby`,
//! `$select`, `$top`, `$skip`, `$count`, `$search`, `$skiptoken`, `$apply`, `$format`,
//! parameter aliases (`@p=…`); `$expand`, `$compute`, `$index`, `$levels`,
//! `$deltatoken` are rejected (nothing to expand or compute); custom options (no `$`,
//! no `@`) are ignored, as OData lets a service do. Option names are case-insensitive
//! (OData 4.01); each may be given once.
//!
//! `$search` becomes a filter condition ([`search`]); `$apply` is the subset
//! `[filter(…)/]groupby((p, …)[, aggregate($count as name)])` or
//! `[filter(…)/]aggregate($count as name)` ([`Apply`]).

use crate::filter::{self, Expr};

/// How much metadata a JSON answer carries (`odata.metadata=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metadata {
    /// Context, counts and links (the default).
    #[default]
    Minimal,
    /// Also each entity's id, edit link and type.
    Full,
    /// Only the data (and `@odata.nextLink`, `@odata.count`).
    None,
}

impl Metadata {
    /// The media type parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            Metadata::Minimal => "minimal",
            Metadata::Full => "full",
            Metadata::None => "none",
        }
    }
}

/// The requested format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Format {
    /// JSON was asked for (`$format=json`, `application/json…`); `None` when nothing was
    /// said (data answers are JSON anyway; `$metadata` is then XML).
    pub json: Option<bool>,
    /// `odata.metadata=…`.
    pub metadata: Metadata,
}

/// A bad option: its name (as OData spells it) and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionError {
    /// The option, e.g. `$top`.
    pub option: String,
    /// Stable code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
}

fn bad(option: &str, code: &'static str, message: impl Into<String>) -> OptionError {
    OptionError {
        option: option.chars().take(40).collect(),
        code,
        message: message.into(),
    }
}

/// The options of one request.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `$filter`
    pub filter: Option<String>,
    /// `$orderby`
    pub orderby: Option<String>,
    /// `$select` (`*` is dropped: everything)
    pub select: Option<String>,
    /// `$top`
    pub top: Option<usize>,
    /// `$skip`
    pub skip: Option<String>,
    /// `$count=true`
    pub count: bool,
    /// `$search`
    pub search: Option<String>,
    /// `$skiptoken`: the native API's continuation token.
    pub skiptoken: Option<String>,
    /// `$apply`
    pub apply: Option<String>,
    /// `$format`
    pub format: Format,
    /// `@name=value`
    pub aliases: Vec<(String, String)>,
}

/// Reads a media type (a `$format` value or an `Accept` header) into `f`.
pub fn read_format(value: &str, f: &mut Format) -> Result<(), String> {
    for part in value.split(',') {
        let mut params = part.split(';').map(str::trim);
        let ty = params.next().unwrap_or("").to_ascii_lowercase();
        let json = match ty.as_str() {
            "json" | "application/json" => true,
            "xml" | "application/xml" | "text/xml" => false,
            "*/*" | "application/*" | "" => continue,
            _ => continue,
        };
        f.json = Some(json);
        for p in params {
            if let Some((k, v)) = p.split_once('=') {
                if k.trim().eq_ignore_ascii_case("odata.metadata") {
                    f.metadata = match v.trim().to_ascii_lowercase().as_str() {
                        "minimal" => Metadata::Minimal,
                        "full" => Metadata::Full,
                        "none" => Metadata::None,
                        other => {
                            return Err(format!(
                                "`odata.metadata={other}` is not minimal, full or none"
                            ))
                        }
                    };
                }
            }
        }
        return Ok(());
    }
    Ok(())
}

impl Options {
    /// Decodes a URL query string.
    pub fn parse(query: &str) -> Result<Options, OptionError> {
        let mut o = Options::default();
        let mut seen: Vec<String> = Vec::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let key = k.to_ascii_lowercase();
            if !(key.starts_with('$') || key.starts_with('@')) {
                continue;
            }
            if seen.contains(&key) {
                return Err(bad(
                    &k,
                    "query.invalid_parameter",
                    format!("`{k}` is given more than once"),
                ));
            }
            seen.push(key.clone());
            let v = v.into_owned();
            match key.as_str() {
                "$filter" => o.filter = Some(v),
                "$orderby" => o.orderby = Some(v),
                "$select" => {
                    let items: Vec<&str> = v.split(',').map(str::trim).filter(|s| *s != "*").collect();
                    if !items.is_empty() && v.split(',').any(|s| s.trim() == "*") {
                        return Err(bad("$select", "query.select.syntax", "`*` selects everything; give it alone"));
                    }
                    o.select = (!items.is_empty()).then(|| v.clone());
                }
                "$top" => {
                    o.top = Some(v.trim().parse::<usize>().map_err(|_| {
                        bad("$top", "query.limit.invalid", "`$top` must be a whole number ≥ 0")
                    })?)
                }
                "$skip" => o.skip = Some(v),
                "$count" => {
                    o.count = match v.as_str() {
                        "true" => true,
                        "false" => false,
                        _ => return Err(bad("$count", "query.invalid_parameter", "`$count` is true or false")),
                    }
                }
                "$search" => o.search = Some(v),
                "$skiptoken" => o.skiptoken = Some(v),
                "$apply" => o.apply = Some(v),
                "$format" => read_format(&v, &mut o.format)
                    .map_err(|m| bad("$format", "query.invalid_parameter", m))?,
                "$expand" => {
                    return Err(bad("$expand", "odata.unsupported_option",
                        "`$expand`: the record has no navigation properties; its nested objects come inline"))
                }
                alias if alias.starts_with('@') => {
                    let name = k.as_ref();
                    let ok = name.len() > 1
                        && name.len() <= 129
                        && name.chars().skip(1).all(|c| c.is_alphanumeric() || c == '_')
                        && !name.chars().nth(1).is_some_and(|c| c.is_ascii_digit());
                    if !ok {
                        return Err(bad(name, "query.invalid_parameter", "a parameter alias is `@` and an identifier"));
                    }
                    if o.aliases.len() >= 64 {
                        return Err(bad(name, "query.invalid_parameter", "at most 64 parameter aliases"));
                    }
                    o.aliases.push((name.to_owned(), v));
                }
                _ => {
                    return Err(bad(&k, "odata.unsupported_option", format!(
                        "`{k}` is not supported (supported: $filter, $orderby, $select, $top, $skip, $count, $search, $skiptoken, $apply, $format)"
                    )))
                }
            }
        }
        Ok(o)
    }
}

/// A `$search` error: what is wrong and the byte offset in the option's text.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchError {
    /// What is wrong.
    pub message: String,
    /// Byte offset into the `$search` text.
    pub at: usize,
}

/// The record fields `$search` looks in (case-insensitively, as substrings).
const SEARCHED: &[&str] = &[
    "name",
    "orderRef",
    "customer/name",
    "billingAccount/name",
    "contact/name",
];

/// The filter text matching records whose names contain `word` (case-insensitive).
fn term(word: &str) -> String {
    let w = word.to_lowercase().replace('\'', "''");
    let mut parts: Vec<String> = SEARCHED
        .iter()
        .map(|f| format!("contains(tolower({f}), '{w}')"))
        .collect();
    parts.push(format!("partners/any(p: contains(tolower(p/name), '{w}'))"));
    parts.push(format!(
        "items/any(i: contains(tolower(i/productName), '{w}'))"
    ));
    format!("({})", parts.join(" or "))
}

#[derive(Debug, PartialEq)]
enum SearchTok {
    Open,
    Close,
    Word(String),
    Phrase(String),
    And,
    Or,
    Not,
}

fn search_tokens(s: &str) -> Result<Vec<(usize, SearchTok)>, SearchError> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push((i, SearchTok::Open));
            }
            ')' => {
                chars.next();
                out.push((i, SearchTok::Close));
            }
            '"' => {
                chars.next();
                let mut p = String::new();
                let mut closed = false;
                while let Some((_, c)) = chars.next() {
                    match c {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' => {
                            if let Some((_, e)) = chars.next() {
                                p.push(e);
                            }
                        }
                        c => p.push(c),
                    }
                }
                if !closed {
                    return Err(SearchError {
                        message: "the phrase is not closed with `\"`".into(),
                        at: s.len(),
                    });
                }
                if p.trim().is_empty() {
                    return Err(SearchError {
                        message: "an empty phrase".into(),
                        at: i,
                    });
                }
                out.push((i, SearchTok::Phrase(p)));
            }
            _ => {
                let mut w = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '"') {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                out.push((
                    i,
                    match w.as_str() {
                        "AND" => SearchTok::And,
                        "OR" => SearchTok::Or,
                        "NOT" => SearchTok::Not,
                        _ => SearchTok::Word(w),
                    },
                ));
            }
        }
    }
    Ok(out)
}

struct SearchParser {
    toks: Vec<(usize, SearchTok)>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl SearchParser {
    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.0)
    }

    fn peek(&self) -> Option<&SearchTok> {
        self.toks.get(self.pos).map(|t| &t.1)
    }

    fn err<T>(&self, message: &str) -> Result<T, SearchError> {
        Err(SearchError {
            message: message.into(),
            at: self.at(),
        })
    }

    /// `or`-separated `and`-chains (implicit AND between neighbours).
    fn or(&mut self) -> Result<String, SearchError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&SearchTok::Or) {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            format!("({})", parts.join(" or "))
        })
    }

    fn and(&mut self) -> Result<String, SearchError> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.peek() {
                Some(SearchTok::And) => {
                    self.pos += 1;
                    parts.push(self.unary()?);
                }
                Some(
                    SearchTok::Word(_) | SearchTok::Phrase(_) | SearchTok::Not | SearchTok::Open,
                ) => parts.push(self.unary()?),
                _ => break,
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            format!("({})", parts.join(" and "))
        })
    }

    fn unary(&mut self) -> Result<String, SearchError> {
        self.depth += 1;
        if self.depth > 50 {
            return self.err("`$search` nests too deep");
        }
        let r = match self.peek() {
            Some(SearchTok::Not) => {
                self.pos += 1;
                self.unary().map(|s| format!("not {s}"))
            }
            Some(SearchTok::Open) => {
                self.pos += 1;
                let inner = self.or()?;
                if self.peek() != Some(&SearchTok::Close) {
                    return self.err("expected `)`");
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(SearchTok::Word(w) | SearchTok::Phrase(w)) => {
                let t = term(w);
                self.pos += 1;
                Ok(t)
            }
            Some(_) => self.err("expected a word, a phrase, `NOT` or `(`"),
            None => self.err("expected a word or a phrase"),
        };
        self.depth -= 1;
        r
    }
}

/// `$search` as a filter condition: each word or `"phrase"` matches records whose names
/// (name, order reference, customer, billing account, contact, partners, products) contain
/// it, case-insensitively; words next to each other must all match; `OR`, `AND`, `NOT`
/// and parentheses combine them (OData's search syntax).
pub fn search(text: &str) -> Result<Expr, SearchError> {
    let toks = search_tokens(text)?;
    if toks.is_empty() {
        return Err(SearchError {
            message: "`$search` is empty".into(),
            at: 0,
        });
    }
    let mut p = SearchParser {
        toks,
        pos: 0,
        end: text.len(),
        depth: 0,
    };
    let f = p.or()?;
    if p.pos < p.toks.len() {
        return p.err("unexpected here");
    }
    filter::parse(&f).map_err(|e| SearchError {
        message: e.message,
        at: 0,
    })
}

/// The supported `$apply`: an optional `filter(…)` step, then a group-by with an optional
/// `$count` aggregate, or the `$count` aggregate alone.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Apply {
    /// The conditions of `filter(…)` steps.
    pub filters: Vec<String>,
    /// `groupby((p, …))` paths; empty for `aggregate(…)` alone.
    pub group_by: Vec<String>,
    /// The alias of `aggregate($count as alias)`.
    pub count_as: Option<String>,
}

/// Splits `s` at `sep` outside parentheses and quotes.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let (mut depth, mut quote, mut start) = (0i32, false, 0);
    let mut out = Vec::new();
    for (i, c) in s.char_indices() {
        match c {
            '\'' => quote = !quote,
            '(' | '[' | '{' if !quote => depth += 1,
            ')' | ']' | '}' if !quote => depth -= 1,
            c if c == sep && depth == 0 && !quote => {
                out.push(s.get(start..i).unwrap_or(""));
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(s.get(start..).unwrap_or(""));
    out
}

/// `name(inner)` → `inner`.
fn call<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    s.trim()
        .strip_prefix(name)?
        .trim_start()
        .strip_prefix('(')?
        .strip_suffix(')')
}

fn count_alias(s: &str) -> Result<String, String> {
    let inner = call(s, "aggregate").ok_or("expected `aggregate($count as name)`")?;
    let rest = inner
        .trim()
        .strip_prefix("$count")
        .ok_or("only `aggregate($count as name)` is supported")?;
    let alias = rest
        .trim()
        .strip_prefix("as ")
        .ok_or("expected `as name` after `$count`")?
        .trim();
    if alias.is_empty() || !alias.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(format!("`{alias}` is not a name"));
    }
    Ok(alias.to_owned())
}

impl Apply {
    /// Parses the supported subset; anything else is an error naming what is supported.
    pub fn parse(text: &str) -> Result<Apply, String> {
        let mut a = Apply::default();
        let steps = split_top(text.trim(), '/');
        let n = steps.len();
        for (i, step) in steps.into_iter().enumerate() {
            let step = step.trim();
            if let Some(cond) = call(step, "filter") {
                if i + 1 == n {
                    return Err("`filter(…)` must be followed by `groupby` or `aggregate`".into());
                }
                a.filters.push(cond.to_owned());
            } else if let Some(inner) = call(step, "groupby") {
                if i + 1 != n {
                    return Err("`groupby(…)` must be the last transformation".into());
                }
                let parts = split_top(inner, ',');
                let props = parts
                    .first()
                    .and_then(|p| p.trim().strip_prefix('('))
                    .and_then(|p| p.strip_suffix(')'))
                    .ok_or("expected `groupby((path, …))`")?;
                a.group_by = props.split(',').map(|p| p.trim().to_owned()).collect();
                if a.group_by.iter().any(String::is_empty) {
                    return Err("an empty path in `groupby((…))`".into());
                }
                match parts.get(1..) {
                    None | Some([]) => {}
                    Some([agg]) => a.count_as = Some(count_alias(agg)?),
                    Some(_) => {
                        return Err(
                            "`groupby` takes the paths and at most one `aggregate(…)`".into()
                        )
                    }
                }
            } else if step.starts_with("aggregate") {
                if i + 1 != n {
                    return Err("`aggregate(…)` must be the last transformation".into());
                }
                a.count_as = Some(count_alias(step)?);
            } else {
                return Err(format!(
                    "`{}` is not supported (supported: filter(…), groupby((…)[, aggregate($count as name)]), aggregate($count as name))",
                    step.chars().take(40).collect::<String>()
                ));
            }
        }
        if a.group_by.is_empty() && a.count_as.is_none() {
            return Err("expected `groupby(…)` or `aggregate(…)`".into());
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_case_insensitive_once_each_and_custom_ones_ignored() {
        let o = Options::parse("$FILTER=a%20eq%201&$top=5&$count=true&custom=x&@p=1&$format=application/json;odata.metadata=full").unwrap();
        assert_eq!(o.filter.as_deref(), Some("a eq 1"));
        assert_eq!((o.top, o.count), (Some(5), true));
        assert_eq!(
            o.format,
            Format {
                json: Some(true),
                metadata: Metadata::Full
            }
        );
        assert_eq!(o.aliases, vec![("@p".to_owned(), "1".to_owned())]);
        assert_eq!(
            Options::parse("$top=1&$TOP=2").unwrap_err().code,
            "query.invalid_parameter"
        );
        assert_eq!(
            Options::parse("$expand=x").unwrap_err().code,
            "odata.unsupported_option"
        );
        assert_eq!(Options::parse("$top=-1").unwrap_err().option, "$top");
        assert!(Options::parse("$select=*").unwrap().select.is_none());
    }

    #[test]
    fn search_builds_a_condition() {
        let e = search("acme \"data center\" OR NOT globex").unwrap();
        let t = e.to_string();
        assert!(t.starts_with("(contains(tolower(name), 'acme')"), "{t}");
        assert!(
            t.contains("'data center'") && t.contains(" or not (contains(tolower(name), 'globex')"),
            "{t}"
        );
        assert_eq!(search("(acme").unwrap_err().at, 5);
        assert_eq!(search("OR").unwrap_err().at, 0);
        assert_eq!(search("\"open").unwrap_err().at, 5);
        assert!(search("O'Brien")
            .unwrap()
            .to_string()
            .contains("'o''brien'"));
    }

    #[test]
    fn apply_subset() {
        let a = Apply::parse("groupby((status),aggregate($count as count))").unwrap();
        assert_eq!(
            (a.group_by, a.count_as),
            (vec!["status".to_owned()], Some("count".to_owned()))
        );
        let a = Apply::parse("filter(kind eq 'order')/groupby((source, customer/name))").unwrap();
        assert_eq!(a.filters, vec!["kind eq 'order'".to_owned()]);
        assert_eq!(
            a.group_by,
            vec!["source".to_owned(), "customer/name".to_owned()]
        );
        assert_eq!(
            Apply::parse("aggregate($count as n)")
                .unwrap()
                .count_as
                .as_deref(),
            Some("n")
        );
        assert!(Apply::parse("topcount(2, x)").is_err());
        assert!(Apply::parse("groupby((status),aggregate(amount with sum as s))").is_err());
    }
}
