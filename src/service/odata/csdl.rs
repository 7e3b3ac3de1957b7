//! `$metadata`: the CSDL of the OData service, generated from the record schema the filter
//! engine uses (`model::RECORD_FIELDS`), so that what `$filter` accepts and what the
//! metadata declares cannot drift apart.
//!
//! - entity type `flexedge.Record`, key `id`, one property per top-level field;
//! - complex types for the nested objects (`customer` → `Customer`, `billingAccount`,
//!   `contact`) and for the elements of the collections (`partners` → `Partner`, `items`
//!   → `Item`, `devices` → `Device`, as `Collection(flexedge.…)`);
//! - `attributes` as the open complex type `Attributes` (dynamic members);
//! - entity sets `Orders` and `Devices` of that type.
//!
//! Both the XML (CSDL XML 4.0, `application/xml`) and the JSON (CSDL JSON 4.01) forms are
//! written from the same model.

use serde_json::{json, Map, Value};

use crate::filter::FieldType;
use crate::model::RECORD_FIELDS;

/// The namespace of the service's types.
pub const NAMESPACE: &str = "flexedge";
/// The entity type's name.
pub const ENTITY_TYPE: &str = "Record";
/// The entity sets, with the collection each serves.
pub const ENTITY_SETS: [&str; 2] = ["Orders", "Devices"];

/// Fields that every record has (not nullable).
const REQUIRED: [&str; 3] = ["id", "source", "kind"];

/// A property of the model.
struct Prop {
    name: String,
    /// `Edm.String`, `flexedge.Customer`, `Collection(flexedge.Partner)`.
    ty: String,
    nullable: bool,
}

/// A structured type: its name, properties, open or not.
struct Type {
    name: String,
    props: Vec<Prop>,
    open: bool,
}

fn edm(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String | FieldType::Any => "Edm.String",
        FieldType::Number => "Edm.Double",
        FieldType::Bool => "Edm.Boolean",
        FieldType::DateTime => "Edm.DateTimeOffset",
    }
}

/// `billingAccount` → `BillingAccount`; collections name their element (`partners` →
/// `Partner`).
fn type_name(member: &str, collection: bool) -> String {
    let mut chars = member.chars();
    let mut name: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if collection && name.ends_with('s') {
        name.pop();
    }
    name
}

/// The entity type and its complex types, in declaration order.
fn model() -> (Type, Vec<Type>) {
    let mut entity = Type {
        name: ENTITY_TYPE.into(),
        props: Vec::new(),
        open: false,
    };
    let mut complex: Vec<Type> = Vec::new();
    for &(id, path, ty, coll) in RECORD_FIELDS {
        let collection_root = RECORD_FIELDS.iter().any(|(_, _, _, c)| *c == Some(id));
        match path.split_once('/') {
            None if collection_root => {
                let t = type_name(path, true);
                entity.props.push(Prop {
                    name: path.into(),
                    ty: format!("Collection({NAMESPACE}.{t})"),
                    nullable: false,
                });
                complex.push(Type {
                    name: t,
                    props: Vec::new(),
                    open: false,
                });
            }
            None => entity.props.push(Prop {
                name: path.into(),
                ty: edm(ty).into(),
                nullable: !REQUIRED.contains(&path),
            }),
            Some((head, member)) => {
                let t = type_name(head, coll.is_some());
                if coll.is_none() && !entity.props.iter().any(|p| p.name == head) {
                    entity.props.push(Prop {
                        name: head.into(),
                        ty: format!("{NAMESPACE}.{t}"),
                        nullable: true,
                    });
                }
                let pos = match complex.iter().position(|c| c.name == t) {
                    Some(i) => i,
                    None => {
                        complex.push(Type {
                            name: t,
                            props: Vec::new(),
                            open: false,
                        });
                        complex.len() - 1
                    }
                };
                if let Some(c) = complex.get_mut(pos) {
                    c.props.push(Prop {
                        name: member.into(),
                        ty: edm(ty).into(),
                        nullable: true,
                    });
                }
            }
        }
    }
    entity.props.push(Prop {
        name: "attributes".into(),
        ty: format!("{NAMESPACE}.Attributes"),
        nullable: true,
    });
    complex.push(Type {
        name: "Attributes".into(),
        props: Vec::new(),
        open: true,
    });
    (entity, complex)
}

/// Timestamps carry milliseconds.
const TIME_PRECISION: u8 = 3;

fn xml_props(out: &mut String, props: &[Prop]) {
    for p in props {
        out.push_str(&format!("<Property Name=\"{}\" Type=\"{}\"", p.name, p.ty));
        if !p.nullable {
            out.push_str(" Nullable=\"false\"");
        }
        if p.ty == "Edm.DateTimeOffset" {
            out.push_str(&format!(" Precision=\"{TIME_PRECISION}\""));
        }
        out.push_str("/>");
    }
}

/// The CSDL XML document (`$metadata`).
pub fn xml() -> String {
    let (entity, complex) = model();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <edmx:Edmx xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\" Version=\"4.0\">\
         <edmx:DataServices>",
    );
    out.push_str(&format!(
        "<Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" Namespace=\"{NAMESPACE}\">"
    ));
    out.push_str(&format!(
        "<EntityType Name=\"{}\"><Key><PropertyRef Name=\"id\"/></Key>",
        entity.name
    ));
    xml_props(&mut out, &entity.props);
    out.push_str("</EntityType>");
    for c in &complex {
        out.push_str(&format!("<ComplexType Name=\"{}\"", c.name));
        if c.open {
            out.push_str(" OpenType=\"true\"");
        }
        out.push('>');
        xml_props(&mut out, &c.props);
        out.push_str("</ComplexType>");
    }
    out.push_str("<EntityContainer Name=\"Service\">");
    for set in ENTITY_SETS {
        out.push_str(&format!(
            "<EntitySet Name=\"{set}\" EntityType=\"{NAMESPACE}.{}\"/>",
            entity.name
        ));
    }
    out.push_str("</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>");
    out
}

fn json_props(obj: &mut Map<String, Value>, props: &[Prop]) {
    for p in props {
        let mut m = Map::new();
        match p
            .ty
            .strip_prefix("Collection(")
            .and_then(|t| t.strip_suffix(')'))
        {
            Some(inner) => {
                m.insert("$Collection".into(), Value::Bool(true));
                m.insert("$Type".into(), inner.into());
            }
            // `Edm.String` is CSDL JSON's default type.
            None if p.ty == "Edm.String" => {}
            None => {
                m.insert("$Type".into(), p.ty.clone().into());
            }
        }
        if p.nullable {
            m.insert("$Nullable".into(), Value::Bool(true));
        }
        if p.ty == "Edm.DateTimeOffset" {
            m.insert("$Precision".into(), TIME_PRECISION.into());
        }
        obj.insert(p.name.clone(), Value::Object(m));
    }
}

/// The CSDL JSON document (`$metadata?$format=json`).
pub fn json() -> Value {
    let (entity, complex) = model();
    let mut schema = Map::new();
    let mut et = Map::new();
    et.insert("$Kind".into(), "EntityType".into());
    et.insert("$Key".into(), json!(["id"]));
    json_props(&mut et, &entity.props);
    schema.insert(entity.name.clone(), Value::Object(et));
    for c in &complex {
        let mut ct = Map::new();
        ct.insert("$Kind".into(), "ComplexType".into());
        if c.open {
            ct.insert("$OpenType".into(), Value::Bool(true));
        }
        json_props(&mut ct, &c.props);
        schema.insert(c.name.clone(), Value::Object(ct));
    }
    let mut container = Map::new();
    container.insert("$Kind".into(), "EntityContainer".into());
    for set in ENTITY_SETS {
        container.insert(
            set.into(),
            json!({"$Collection": true, "$Type": format!("{NAMESPACE}.{}", entity.name)}),
        );
    }
    schema.insert("Service".into(), Value::Object(container));
    json!({
        "$Version": "4.0",
        "$EntityContainer": format!("{NAMESPACE}.Service"),
        NAMESPACE: Value::Object(schema),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filterable_path_is_declared() {
        let x = xml();
        for &(_, path, _, _) in RECORD_FIELDS {
            let last = path.rsplit('/').next().unwrap_or(path);
            assert!(x.contains(&format!("Name=\"{last}\"")), "{path}");
        }
        assert!(x.contains("<ComplexType Name=\"Partner\">"));
        assert!(x.contains("Type=\"Collection(flexedge.Item)\""));
        assert!(x.contains("<ComplexType Name=\"Attributes\" OpenType=\"true\">"));
        let j = json();
        assert_eq!(j["flexedge"]["Record"]["$Key"], json!(["id"]));
        assert_eq!(
            j["flexedge"]["Record"]["endDate"]["$Type"],
            "Edm.DateTimeOffset"
        );
        assert_eq!(j["flexedge"]["Customer"]["name"]["$Nullable"], true);
    }
}
