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

#[cfg(test)]
mod projected_tests {
    use super::*;
    use crate::model::{
        AttrValue, Contact, Device, Item, Kind, Partner, PartnerRole, Party, Projected, Projection,
        RawJson, Record, Source, Status, Timestamp,
    };

    fn full() -> Record {
        let mut r = Record::new(Source::FnoOrders, "LI-1", Kind::LineItem);
        r.order_ref = Some("ORD \"1\"".into());
        r.name = Some("Søren\n& Co".into());
        r.customer = Some(Party {
            id: None,
            name: Some("C".into()),
        });
        r.billing_account = Some(Party {
            id: Some("B".into()),
            name: None,
        });
        r.partners = vec![
            Partner {
                role: PartnerRole::Reseller,
                id: Some("P1".into()),
                name: None,
                tier: None,
            },
            Partner {
                role: PartnerRole::Channel,
                id: None,
                name: Some("P2".into()),
                tier: Some("partnertierone".into()),
            },
        ];
        r.contact = Some(Contact {
            name: Some("n".into()),
            email: Some("e@x".into()),
            phone: None,
            department: Some("d".into()),
        });
        r.status = Status::Active;
        r.start_date = Some(Timestamp(1_700_000_000_000));
        r.end_date = Some(Timestamp(1_800_000_000_123));
        r.is_permanent = Some(false);
        r.created_at = Some(Timestamp(0));
        r.items = vec![
            Item {
                product_name: Some("p".into()),
                quantity: Some(2.into()),
                remaining: serde_json::Number::from_f64(0.5),
                ..Item::default()
            },
            Item::default(),
        ];
        r.devices = vec![Device {
            id: Some("d1".into()),
            mac: Some("m".into()),
            serial: None,
            model: Some("x".into()),
            device_type: Some("STB".into()),
        }];
        r.attributes.insert(
            "tier".into(),
            AttrValue::Number(serde_json::Number::from_f64(2.5).unwrap()),
        );
        r.attributes.insert("Flag".into(), AttrValue::Bool(true));
        r.attributes
            .insert("note".into(), AttrValue::Text("t".into()));
        // Compact with sorted members, so that the verbatim text is also the tree's text.
        r.raw = Some(RawJson::from_value(
            &serde_json::json!({"z": 1, "a": [{"k": 1, "j": 2}, 3, [4]], "m": {"y": null}}),
        ));
        r
    }

    fn paths(list: &[&str]) -> Vec<Vec<String>> {
        list.iter()
            .map(|s| s.split('/').map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn same_bytes_as_through_value() {
        let records = [
            full(),
            Record::new(Source::HpeFlex, "x", Kind::Order),
            Record {
                raw: None,
                ..full()
            },
        ];
        let selects: &[&[&str]] = &[
            &[],
            &["id"],
            &["id", "customer/name", "items/quantity", "missing"],
            &["items/quantity", "items"],
            &["items", "items/quantity"],
            &["customer/name/x", "id/x", "contact/nope"],
            &["attributes/tier", "attributes/none", "partners/role"],
            &["raw/a/k", "raw/m", "raw/z/q"],
            &[
                "devices/type",
                "endDate",
                "startDate",
                "status",
                "kind",
                "source",
            ],
            &[
                "raw",
                "customer",
                "billingAccount/id",
                "isPermanent",
                "createdAt",
            ],
        ];
        for r in &records {
            let value = serde_json::to_value(r).unwrap();
            for sel in selects {
                let sel = paths(sel);
                let want = serde_json::to_string(&select_paths(&value, &sel)).unwrap();
                let projection = Projection::from_paths(&sel);
                let got = serde_json::to_string(&Projected {
                    record: r,
                    projection: &projection,
                })
                .unwrap();
                assert_eq!(got, want, "select {sel:?}");
            }
        }
    }
}
