//! `select`: copies the named paths of a JSON row into a new object, keeping nesting
//! (`customer/name` → `{"customer":{"name":…}}`). A path through an array selects from
//! every element (`items/quantity` → `{"items":[{"quantity":…},…]}`). Absent paths are
//! left out, never written as null.
//!
//! Imports no I/O, no wasm, no `worker`.

use serde_json::{Map, Value};

/// The most segments in one selected path.
pub const MAX_SELECT_DEPTH: usize = 16;

/// Selects `paths` (segment lists) from `row`; with no paths, the whole row.
pub fn select_paths(row: &Value, paths: &[Vec<String>]) -> Value {
    if paths.is_empty() {
        return row.clone();
    }
    let mut out = Value::Object(Map::new());
    for p in paths {
        let p = p.get(..MAX_SELECT_DEPTH.min(p.len())).unwrap_or(&[]);
        pick(row, p, &mut out);
    }
    out
}

fn pick(src: &Value, path: &[String], dst: &mut Value) {
    let Some((head, rest)) = path.split_first() else {
        *dst = src.clone();
        return;
    };
    let Some(v) = src.as_object().and_then(|m| m.get(head)) else {
        return;
    };
    if !dst.is_object() {
        *dst = Value::Object(Map::new());
    }
    let Some(dmap) = dst.as_object_mut() else {
        return;
    };
    if rest.is_empty() {
        dmap.insert(head.clone(), v.clone());
        return;
    }
    match v {
        Value::Object(_) => {
            let d = dmap
                .entry(head.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            pick(v, rest, d);
        }
        Value::Array(items) => {
            let d = dmap.entry(head.clone()).or_insert_with(|| {
                Value::Array(items.iter().map(|_| Value::Object(Map::new())).collect())
            });
            if let Value::Array(darr) = d {
                for (it, di) in items.iter().zip(darr.iter_mut()) {
                    pick(it, rest, di);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Vec<String> {
        s.split('/').map(str::to_owned).collect()
    }

    #[test]
    fn nested_and_arrays() {
        let row = json!({"id": "x", "customer": {"id": "c", "name": "n"},
            "items": [{"q": 1, "n": "a"}, {"n": "b"}]});
        let got = select_paths(
            &row,
            &[p("id"), p("customer/name"), p("items/q"), p("missing")],
        );
        assert_eq!(
            got,
            json!({"id": "x", "customer": {"name": "n"}, "items": [{"q": 1}, {}]})
        );
    }
}
