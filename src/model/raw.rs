//! [`RawJson`]: a vendor's original object as the bytes it arrived in.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value as Json;

/// A vendor's original JSON value (`include=raw`), kept as the exact text the vendor sent:
/// written into a response verbatim (member order, number spelling and escapes as they
/// arrived), never parsed into a tree unless a `select` projects into it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// A copy of `raw` (one slice of a vendor page).
    pub fn from_raw(raw: &RawValue) -> RawJson {
        RawJson(raw.to_owned())
    }

    /// `value` as compact JSON text.
    pub fn from_value(value: &Json) -> RawJson {
        // A `Value` always serializes, and its text is valid JSON.
        let text = value.to_string();
        match RawValue::from_string(text) {
            Ok(raw) => RawJson(raw),
            Err(_) => RawJson(RawValue::NULL.to_owned()),
        }
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// The value as a tree (for a projection into it).
    pub fn to_value(&self) -> Json {
        serde_json::from_str(self.0.get()).unwrap_or(Json::Null)
    }
}

/// Equal when the texts are equal (two spellings of one value are different raw objects).
impl PartialEq for RawJson {
    fn eq(&self, other: &RawJson) -> bool {
        self.get() == other.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_vendor_text_and_round_trips() {
        let page = r#"[ {"z": 1, "a": 1.50, "s": "\u00e9"} ]"#;
        let items: Vec<&RawValue> = serde_json::from_str(page).unwrap();
        let raw = RawJson::from_raw(items[0]);
        assert_eq!(raw.get(), r#"{"z": 1, "a": 1.50, "s": "\u00e9"}"#);
        assert_eq!(serde_json::to_string(&raw).unwrap(), raw.get());
        let back: RawJson = serde_json::from_str(&serde_json::to_string(&raw).unwrap()).unwrap();
        assert_eq!(back, raw);
        assert_eq!(raw.to_value()["s"], "é");
        let v = serde_json::json!({"b": [1, null]});
        assert_eq!(RawJson::from_value(&v).get(), r#"{"b":[1,null]}"#);
    }
}
