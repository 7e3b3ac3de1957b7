//! An operation's rules as a JSON Schema (the request schemas of the OpenAPI document are
//! generated from the table, and a test keeps the served document equal to them).

use serde_json::{json, Map, Value};

use super::{Kind, Operation, Pattern, Rule, Ty};

/// The JSON Schema of an operation's body: types, `required`, lengths, patterns (the
/// document's regexes), enums (the vendor's spelling and its upper case: they compare
/// ignoring case), bounds, `format: date`, and `additionalProperties: false`.
pub fn json_schema(op: &Operation) -> Value {
    let rules: Vec<&Rule> = op.rules().collect();
    node(&rules, "")
}

fn node(rules: &[&Rule], at: &str) -> Value {
    let here: Vec<&&Rule> = rules.iter().filter(|r| r.at == at).collect();
    let mut s = Map::new();
    let mut notes: Vec<String> = Vec::new();
    for r in &here {
        match r.kind {
            Kind::Type(t) => {
                match t {
                    Ty::Str => s.insert("type".into(), json!("string")),
                    Ty::Bool => s.insert("type".into(), json!("boolean")),
                    Ty::Int32 => {
                        s.insert("format".into(), json!("int32"));
                        s.insert("type".into(), json!("integer"))
                    }
                    Ty::Obj => s.insert("type".into(), json!("object")),
                    Ty::Arr => s.insert("type".into(), json!("array")),
                    Ty::Any => None,
                };
            }
            Kind::MaxLen(n) => {
                s.insert("maxLength".into(), json!(n));
            }
            Kind::MinItems(n) => {
                s.insert("minItems".into(), json!(n));
            }
            Kind::Pattern(Pattern::NotBlank) => {
                s.insert("minLength".into(), json!(1));
                s.insert("pattern".into(), json!(r"\S"));
            }
            Kind::Pattern(p) => {
                if let Some(re) = p.regex() {
                    s.insert("pattern".into(), json!(re));
                }
            }
            Kind::OneOf(words) => {
                let mut all: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
                for w in words {
                    let up = w.to_ascii_uppercase();
                    if !all.contains(&up) {
                        all.push(up);
                    }
                }
                s.insert("enum".into(), json!(all));
                notes.push("compared ignoring case".into());
            }
            Kind::Min(n) => {
                s.insert("minimum".into(), json!(n));
            }
            Kind::Date => {
                s.insert("format".into(), json!("date"));
                s.insert("pattern".into(), json!(r"^\d{4}-\d{2}-\d{2}$"));
            }
            Kind::NotWith(flag) => notes.push(format!("not allowed when `{flag}` is true")),
            Kind::Required => {}
        }
    }
    let is = |t: Ty| here.iter().any(|r| r.kind == Kind::Type(t));
    if is(Ty::Obj) {
        let prefix = format!("{at}/");
        let mut props = Map::new();
        let mut required = Vec::new();
        for r in rules {
            let Some(name) = r.at.strip_prefix(&prefix).filter(|n| !n.contains('/')) else {
                continue;
            };
            if let Kind::Type(_) = r.kind {
                props.insert(name.to_owned(), node(rules, r.at));
            }
            if r.kind == Kind::Required && !required.contains(&name) {
                required.push(name);
            }
        }
        s.insert("properties".into(), Value::Object(props));
        if !required.is_empty() {
            s.insert("required".into(), json!(required));
        }
        s.insert("additionalProperties".into(), json!(false));
    }
    if is(Ty::Arr) {
        s.insert("items".into(), node(rules, &format!("{at}/*")));
    }
    if !notes.is_empty() {
        s.insert("description".into(), json!(notes.join("; ")));
    }
    Value::Object(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fno_entitlements::CREATE;

    #[test]
    fn the_create_schema_names_the_document_rules() {
        let s = json_schema(&CREATE);
        assert_eq!(s["type"], "object");
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["required"], json!(["lineItems"]));
        assert_eq!(s["properties"]["entitlementId"]["maxLength"], 255);
        assert_eq!(
            s["properties"]["shipToAddress"]["pattern"],
            "^$|^[ a-zA-Z0-9_-]+$"
        );
        let line = &s["properties"]["lineItems"]["items"];
        assert_eq!(s["properties"]["lineItems"]["minItems"], 1);
        assert_eq!(line["required"], json!(["product", "startDate"]));
        assert_eq!(line["properties"]["quantityPerCopy"]["minimum"], 1);
        assert_eq!(line["properties"]["startDate"]["format"], "date");
        assert!(line["properties"]["orderType"]["enum"]
            .as_array()
            .unwrap()
            .contains(&json!("NEW_ORDER")));
    }
}
