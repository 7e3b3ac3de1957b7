//! The URL query parameters of the `/v1` routes, decoded once.

use super::auth::Scope;
use super::problem::Problem;

/// Decoded query parameters.
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// `filter`
    pub filter: Option<String>,
    /// `sort`
    pub sort: Option<String>,
    /// `select`
    pub select: Option<String>,
    /// `offset`
    pub offset: Option<String>,
    /// `limit`
    pub limit: Option<String>,
    /// `group-by` (transform)
    pub group_by: Option<String>,
    /// `include=raw`
    pub include_raw: bool,
    /// `explain=true`
    pub explain: bool,
    /// `pushdown=false` turns pushdown off
    pub pushdown: bool,
    /// `strict=true`
    pub strict: bool,
    /// `next` continuation token
    pub next: Option<String>,
    /// `partial=allow`: a sort the budget cannot cover answers a page marked partial
    /// instead of the `query.sort.needs_scan` problem (`partial=deny`, the default).
    pub partial: bool,
    /// `Cache-Control: no-cache` on the request (a header, set by the service): bypass the
    /// edge cache. Honoured only for debug keys.
    pub no_cache: bool,
    /// `$count=true|false` (OData spelling; the list answer always reports `total` when
    /// it is known)
    pub count: Option<bool>,
    /// Parameter aliases `@name=value` for the filter, in the order given.
    pub aliases: Vec<(String, String)>,
    /// A condition and-ed to the filter, built by the caller (OData `$search`); never
    /// read from the query string.
    pub search: Option<crate::filter::Expr>,
}

/// The parameter a query key names: the OData spellings `$filter`, `$orderby`,
/// `$select`, `$skip`, `$top`, `$count` stand for `filter`, `sort`, `select`, `offset`,
/// `limit` and `count`.
fn canonical(key: &str) -> &str {
    match key {
        "$filter" => "filter",
        "$orderby" => "sort",
        "$select" => "select",
        "$skip" => "offset",
        "$top" => "limit",
        "$count" => "count",
        "group_by" => "group-by",
        k => k,
    }
}

/// Whether `name` (after its `@`) is an OData identifier.
fn is_alias_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && name.len() <= 128
}

/// A boolean parameter: exactly `true` or `false` (the OpenAPI document's `boolean`).
fn boolean(name: &'static str, v: &str) -> Result<bool, Problem> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Problem::bad_parameter(
            name,
            format!("`{name}` must be `true` or `false`"),
        )),
    }
}

impl Params {
    /// Decodes a URL query string. Unknown parameters are errors (a typo should not be
    /// silently ignored); a repeated parameter is an error too.
    pub fn parse(query: &str) -> Result<Params, Problem> {
        let mut p = Params {
            pushdown: true,
            ..Params::default()
        };
        let mut seen: Vec<(String, String)> = Vec::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let name: String = k.chars().take(40).collect();
            if let Some((first, _)) = seen.iter().find(|(_, c)| c == canonical(&k)) {
                let msg = if *first == k {
                    format!("`{name}` is given more than once")
                } else {
                    let first: String = first.chars().take(40).collect();
                    format!("`{first}` and `{name}` are the same parameter; give one")
                };
                return Err(Problem::bad_parameter("query", msg));
            }
            seen.push((k.to_string(), canonical(&k).to_owned()));
            let v = v.into_owned();
            match k.as_ref() {
                "filter" | "$filter" => p.filter = Some(v),
                "sort" | "$orderby" => p.sort = Some(v),
                "select" | "$select" => p.select = Some(v),
                "offset" | "$skip" => p.offset = Some(v),
                "limit" | "$top" => p.limit = Some(v),
                "group-by" | "group_by" => p.group_by = Some(v),
                "include" => match v.as_str() {
                    "raw" => p.include_raw = true,
                    _ => {
                        return Err(Problem::bad_parameter(
                            "include",
                            "`include` accepts only `raw`",
                        ))
                    }
                },
                "explain" => p.explain = boolean("explain", &v)?,
                "pushdown" => p.pushdown = boolean("pushdown", &v)?,
                "strict" => p.strict = boolean("strict", &v)?,
                // Blank is the first page, as a blank filter is no filter.
                "next" => p.next = Some(v).filter(|t| !t.trim().is_empty()),
                "partial" => {
                    p.partial = match v.as_str() {
                        "allow" => true,
                        "deny" => false,
                        _ => {
                            return Err(Problem::bad_parameter(
                                "partial",
                                "`partial` is `allow` or `deny`",
                            ))
                        }
                    }
                }
                "$count" => p.count = Some(boolean("$count", &v)?),
                alias if alias.strip_prefix('@').is_some_and(is_alias_name) => {
                    if p.aliases.len() >= 64 {
                        return Err(Problem::bad_parameter(
                            "query",
                            "at most 64 parameter aliases",
                        ));
                    }
                    p.aliases.push((alias.to_owned(), v));
                }
                other => {
                    let name: String = other.chars().take(40).collect();
                    return Err(Problem::bad_parameter(
                        "query",
                        format!(
                            "unknown parameter `{name}` (known: filter, sort, select, offset, limit, group-by, include, explain, pushdown, strict, next, partial, their OData spellings $filter, $orderby, $select, $skip, $top, $count, and @alias values)"
                        ),
                    ));
                }
            }
        }
        Ok(p)
    }

    /// Refuses the debug switches (`explain=true`, `pushdown=false`) for a key not marked
    /// `debug`: each multiplies upstream calls or shows upstream requests. A
    /// `Cache-Control: no-cache` header from such a key is ignored (browsers send it on
    /// reload), so the answer comes from the edge cache as usual.
    pub fn check_debug(&mut self, scope: &Scope) -> Result<(), Problem> {
        if scope.debug {
            return Ok(());
        }
        self.no_cache = false;
        let switch = if self.explain {
            "explain=true"
        } else if !self.pushdown {
            "pushdown=false"
        } else {
            return Ok(());
        };
        Err(Problem::forbidden(format!(
            "`{switch}` is a debug switch: only keys marked `debug` may use it"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_defaults() {
        let p = Params::parse("filter=status%20eq%20%27active%27&limit=5&explain=true").unwrap();
        assert_eq!(p.filter.as_deref(), Some("status eq 'active'"));
        assert_eq!(p.limit.as_deref(), Some("5"));
        assert!(p.explain && p.pushdown && !p.strict && !p.include_raw);
    }

    #[test]
    fn rejects_unknown_repeated_and_bad_booleans() {
        assert_eq!(
            Params::parse("fitler=x").unwrap_err().code,
            "query.invalid_parameter"
        );
        assert!(Params::parse("limit=1&limit=2").is_err());
        assert!(Params::parse("strict=maybe").is_err());
        assert!(Params::parse("include=everything").is_err());
        assert!(Params::parse("partial=allow").unwrap().partial);
        assert!(!Params::parse("partial=deny").unwrap().partial);
        assert!(Params::parse("partial=maybe").is_err());
        assert!(Params::parse("partial=").is_err());
    }

    #[test]
    fn enums_are_strict() {
        for bad in [
            "include=",
            "include=RAW",
            "explain=",
            "explain=1",
            "strict=yes",
            "pushdown=0",
            "pushdown=False",
        ] {
            assert!(Params::parse(bad).is_err(), "{bad}");
        }
        let p = Params::parse("explain=false&strict=true&pushdown=false").unwrap();
        assert!(!p.explain && p.strict && !p.pushdown);
    }

    #[test]
    fn debug_switches_need_a_debug_key() {
        let mut scope = Scope {
            sources: None,
            raw: false,
            debug: false,
            tier: crate::service::Tier::Standard,
            label: "key#0".into(),
            key_id: crate::service::KeyId::default(),
            write: false,
            identity: String::new(),
        };
        for q in ["explain=true", "pushdown=false"] {
            let e = Params::parse(q).unwrap().check_debug(&scope).unwrap_err();
            assert_eq!(e.status, 403, "{q}");
        }
        let mut p = Params::parse("explain=false").unwrap();
        p.no_cache = true;
        p.check_debug(&scope).unwrap();
        assert!(
            !p.no_cache,
            "no-cache is ignored for a key that is not debug"
        );
        scope.debug = true;
        let mut p = Params::parse("explain=true&pushdown=false").unwrap();
        p.no_cache = true;
        p.check_debug(&scope).unwrap();
        assert!(p.no_cache && p.explain && !p.pushdown);
    }

    #[test]
    fn odata_spellings_aliases_and_one_spelling_per_parameter() {
        let p = Params::parse("$filter=a%20eq%20@x&$top=3&$count=true&@x=1").unwrap();
        assert_eq!(p.filter.as_deref(), Some("a eq @x"));
        assert_eq!((p.limit.as_deref(), p.count), (Some("3"), Some(true)));
        assert_eq!(p.aliases, vec![("@x".to_owned(), "1".to_owned())]);
        let e = Params::parse("filter=a&$filter=b").unwrap_err();
        assert!(
            e.detail.contains("`filter` and `$filter` are the same"),
            "{}",
            e.detail
        );
        assert!(Params::parse("$top=1&limit=2").is_err());
        assert!(Params::parse("@=1").is_err());
        assert!(Params::parse("@x=1&@x=2").is_err());
    }
}
