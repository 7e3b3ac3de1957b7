//! The seams between the engine and a row type: [`Schema`] resolves `/`-paths to field ids
//! and types once, up front; [`Row`] reads a field by id and returns a borrowed [`Value`].
//! Collections (for lambdas and multi-valued group-by) are read element by element.
//!
//! Imports no I/O, no wasm, no `worker`.

/// A field id handed out by a [`Schema`]; meaningful only to that schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub u32);

/// The static type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Text (enums such as `status` are text too).
    String,
    /// A number (integers and decimals alike).
    Number,
    /// `true`/`false`.
    Bool,
    /// An instant (UTC); for JSON, strings that are ISO dates or date-times.
    DateTime,
    /// Unknown or mixed (dynamic attributes, mixed JSON): checked per value at run time.
    Any,
}

impl FieldType {
    /// The name used in error messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Number => "number",
            FieldType::Bool => "boolean",
            FieldType::DateTime => "date-time",
            FieldType::Any => "any",
        }
    }
}

/// A resolved single-valued field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    /// Its id.
    pub id: FieldId,
    /// Its type.
    pub ty: FieldType,
    /// `Some(c)` when the field lives in the elements of collection `c` (read it with
    /// [`Row::get_at`]); outside a lambda such a field is multi-valued.
    pub collection: Option<FieldId>,
}

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// A value.
    Field(FieldInfo),
    /// A collection (array). `element` is set when the elements are scalars (a JSON array
    /// of strings): it is the field that reads the element itself.
    Collection {
        /// The collection's id.
        id: FieldId,
        /// The scalar element accessor, if the elements are scalars.
        element: Option<FieldInfo>,
    },
}

/// A value read from a row. Strings borrow from the row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// Absent or null.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// Text (for a `DateTime` field of JSON rows: the date text).
    Str(&'a str),
    /// An instant, epoch milliseconds UTC.
    DateTime(i64),
}

/// Resolves paths of one row type. Resolution may register dynamic names (for example
/// `attributes/<name>`), hence `&mut self`; a schema is built per query.
pub trait Schema: Clone + std::fmt::Debug {
    /// Resolves a path (segments as written); `None` when it names nothing. Paths inside
    /// collection elements are resolved from the collection: `["partners", "role"]`.
    fn resolve(&mut self, path: &[&str]) -> Option<Resolved>;

    /// Every path a user could mean, for "did you mean" suggestions (`customer/name`, …).
    fn field_names(&self) -> Vec<String>;

    /// For a string field whose values come from a small fixed set (an enum such as a
    /// record's `status`): the code of `text` in that set, `Some(None)` when `text` is
    /// not one of its values, `None` (the default) when the field is not such a field.
    /// Codes are below 64. A schema that answers `Some` here must have rows whose
    /// [`Row::symbol`]/[`Row::symbol_at`] give the code of the string that [`Row::get`]
    /// gives, so that `eq`/`ne`/`in` on the field can compare codes instead of strings.
    fn symbol(&self, field: FieldId, text: &str) -> Option<Option<u32>> {
        let _ = (field, text);
        None
    }
}

/// A row the engine can filter, sort, select and group.
pub trait Row {
    /// The schema type that hands out this row's field ids.
    type Schema: Schema;

    /// Reads a single-valued field (one whose `collection` is `None`).
    fn get<'a>(&'a self, schema: &Self::Schema, field: FieldId) -> Value<'a>;

    /// The number of elements of a collection.
    fn len(&self, schema: &Self::Schema, collection: FieldId) -> usize;

    /// Reads a field of element `index` of its collection.
    fn get_at<'a>(&'a self, schema: &Self::Schema, field: FieldId, index: usize) -> Value<'a>;

    /// The value of a single-valued symbol field (see [`Schema::symbol`]) as its code;
    /// `None` when the value is null.
    fn symbol(&self, schema: &Self::Schema, field: FieldId) -> Option<u32> {
        let _ = (schema, field);
        None
    }

    /// [`Row::symbol`] for a field of element `index` of its collection.
    fn symbol_at(&self, schema: &Self::Schema, field: FieldId, index: usize) -> Option<u32> {
        let _ = (schema, field, index);
        None
    }

    /// The row as JSON (used by `select`).
    fn to_json(&self) -> serde_json::Value;
}
