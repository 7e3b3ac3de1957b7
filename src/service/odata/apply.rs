//! `$apply`: `[filter(…)/]groupby((p, …)[, aggregate($count as n)])` and
//! `aggregate($count as n)` as the native transform, its group keys nested as OData expects.

use super::*;

/// `/a/b` group keys of the native transform as nested objects (`customer/name` →
/// `{"customer": {"name": …}}`).
fn nest(flat: Map<String, Value>, count_as: Option<&str>) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in flat {
        if k == "count" {
            if let Some(alias) = count_as {
                out.insert(alias.to_owned(), v);
            }
            continue;
        }
        let mut parts: Vec<&str> = k.split('/').collect();
        let last = parts.pop().unwrap_or("");
        let mut cur = &mut out;
        for p in parts {
            let entry = cur
                .entry(p.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            match entry {
                Value::Object(m) => cur = m,
                _ => return out,
            }
        }
        cur.insert(last.to_owned(), v);
    }
    out
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn apply<C: HttpClient, K: Clock>(
    svc: &Service,
    scope: &Scope,
    name: &str,
    c: Collection,
    opts: &Options,
    text: &str,
    root: &str,
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, ODataError> {
    if c != Collection::Orders {
        return Err(ODataError::new(
            StatusCode::BAD_REQUEST,
            "odata.unsupported_option",
            "`$apply` is supported on Orders",
            Some("$apply"),
        ));
    }
    if opts.select.is_some() {
        return Err(ODataError::new(
            StatusCode::BAD_REQUEST,
            "odata.unsupported_option",
            "`$select` with `$apply`: the groups have the group-by paths and the count",
            Some("$select"),
        ));
    }
    let a = Apply::parse(text).map_err(|m| {
        ODataError::new(
            StatusCode::BAD_REQUEST,
            "query.apply.syntax",
            m,
            Some("$apply"),
        )
    })?;
    let mut p = native(opts);
    p.search = extra_condition(opts, Some(&a))?;
    let m = opts.format.metadata;
    let mut props: Vec<String> = a.group_by.clone();
    props.extend(a.count_as.clone());
    let mut doc = Map::new();
    if m != Metadata::None {
        doc.insert(
            "@odata.context".into(),
            format!("{root}/$metadata#{name}({})", props.join(",")).into(),
        );
    }
    if a.group_by.is_empty() {
        // aggregate($count as n) alone: one row with the total.
        p.limit = Some("0".into());
        let page = routes::list_page(svc, &p, scope, c, &Source::ALL, ctx).await?;
        let alias = a.count_as.unwrap_or_else(|| "count".into());
        let row = match page.total {
            Some(t) => json!({ alias: t }),
            None => {
                return Err(ODataError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "upstream.count_unknown",
                    "the count is not known within the request budget",
                    None,
                ))
            }
        };
        doc.insert("value".into(), json!([row]));
        return Ok(json_answer(
            StatusCode::OK,
            serde_json::to_vec(&doc).unwrap_or_default(),
            m,
        ));
    }
    p.group_by = Some(a.group_by.join(","));
    // `$orderby` may name the count by its alias.
    if let (Some(o), Some(alias)) = (&p.sort, &a.count_as) {
        let mapped: Vec<String> = o
            .split(',')
            .map(|k| {
                let k = k.trim();
                let (path, dir) = k.split_once(' ').unwrap_or((k, ""));
                if path == alias {
                    format!("count {dir}").trim().to_owned()
                } else {
                    k.to_owned()
                }
            })
            .collect();
        p.sort = Some(mapped.join(","));
    }
    p.offset = opts.skip.clone();
    p.limit = Some(opts.top.unwrap_or(MAX_PAGE).min(MAX_PAGE).to_string());
    let g = routes::transform_page(svc, &p, scope, ctx).await?;
    if opts.count {
        if let Some(t) = g.total {
            doc.insert("@odata.count".into(), t.into());
        }
    }
    let rows: Vec<Value> = g
        .groups
        .into_iter()
        .map(|row| Value::Object(nest(row, a.count_as.as_deref())))
        .collect();
    doc.insert("value".into(), Value::Array(rows));
    Ok(json_answer(
        StatusCode::OK,
        serde_json::to_vec(&doc).unwrap_or_default(),
        m,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_keys_nest() {
        let mut flat = Map::new();
        flat.insert("customer/name".into(), "Acme".into());
        flat.insert("status".into(), "active".into());
        flat.insert("count".into(), 3.into());
        assert_eq!(
            Value::Object(nest(flat, Some("n"))),
            json!({"customer": {"name": "Acme"}, "status": "active", "n": 3})
        );
    }
}
