//! The request bodies: `activatableItemSearchCriteria` (and `queryParams` of `/count`),
//! each `{value, searchType}` read into predicates over the items.

use serde::Deserialize;

use crate::sim::calendar::{la_day_of, la_offset_ms, parse_date, parse_date_sep};

use super::data::{AttrVal, Item, TIER_END};

#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub(super) enum Flexi {
    Bool(bool),
    Num(i64),
    Float(f64),
    Text(String),
}

impl Flexi {
    pub(super) fn as_bool(&self) -> Option<bool> {
        match self {
            Flexi::Bool(b) => Some(*b),
            Flexi::Text(t) if t.eq_ignore_ascii_case("true") => Some(true),
            Flexi::Text(t) if t.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }
    pub(super) fn as_i64(&self) -> Option<i64> {
        match self {
            Flexi::Num(n) => Some(*n),
            Flexi::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(*f as i64),
            Flexi::Text(t) => t.trim().parse().ok(),
            _ => None,
        }
    }
    pub(super) fn as_text(&self) -> String {
        match self {
            Flexi::Bool(b) => b.to_string(),
            Flexi::Num(n) => n.to_string(),
            Flexi::Float(f) => f.to_string(),
            Flexi::Text(t) => t.clone(),
        }
    }
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct Q {
    pub(super) value: Option<Flexi>,
    pub(super) search_type: Option<String>,
    pub(super) partner_tier: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct AttrQ {
    pub(super) attribute_name: Option<String>,
    pub(super) boolean_value: Option<Flexi>,
    pub(super) date_value: Option<Q>,
    pub(super) number_value: Option<Q>,
    pub(super) string_value: Option<StrValue>,
}

#[derive(Deserialize, Debug, Clone, Default)]
pub(super) struct AttrList {
    #[serde(default)]
    pub(super) attribute: Vec<AttrQ>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct LineAttrQ {
    pub(super) attribute_name: Option<String>,
    pub(super) string_value: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct Criteria {
    pub(super) parent_bulk_entitlement_id: Option<Q>,
    pub(super) entitlement_id: Option<Q>,
    pub(super) activation_id: Option<Q>,
    pub(super) product_name: Option<Q>,
    pub(super) product_version: Option<Q>,
    pub(super) product_type: Option<String>,
    pub(super) part_number: Option<Q>,
    pub(super) start_date: Option<Q>,
    pub(super) is_permanent: Option<Flexi>,
    pub(super) expiration_date: Option<Q>,
    pub(super) version_date: Option<Q>,
    pub(super) license_technology: Option<Q>,
    pub(super) order_id: Option<Q>,
    pub(super) with_no_order_id: Option<Flexi>,
    pub(super) restrict_to_items_with_count: Option<Flexi>,
    pub(super) fulfilled_amount: Option<Flexi>,
    pub(super) user_id: Option<String>,
    pub(super) custom_attributes: Option<AttrList>,
    pub(super) sold_to: Option<Q>,
    pub(super) parent_bulk_ent_sold_to: Option<Q>,
    pub(super) activatable_item_type: Option<String>,
    pub(super) allow_portal_login: Option<Flexi>,
    pub(super) current_owner_name: Option<Q>,
    pub(super) line_item_parent_line_item_id: Option<Q>,
    pub(super) created_on_date_time: Option<Q>,
    pub(super) last_modified_date_time: Option<Q>,
    pub(super) line_item_attributes: Option<LineAttrQ>,
    pub(super) account_id: Option<Q>,
    pub(super) batch_size: Option<Flexi>,
    pub(super) page_number: Option<Flexi>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct Body {
    pub(super) activatable_item_search_criteria: Option<Criteria>,
    pub(super) query_params: Option<Criteria>,
    pub(super) batch_size: Option<Flexi>,
    pub(super) page_number: Option<Flexi>,
}

/// A criteria error: becomes `statusInfo: FAILURE` with this reason.
pub(super) struct Failure(pub(super) String);

#[derive(Clone, Copy, PartialEq)]
pub(super) enum StrOp {
    Starts,
    Contains,
    Ends,
    Equals,
}

/// A compiled string predicate (case-insensitive).
pub(super) struct StrP {
    pub(super) op: StrOp,
    pub(super) needle: String,
}

impl StrP {
    pub(super) fn compile(field: &str, q: &Q) -> Result<StrP, Failure> {
        let needle = match &q.value {
            Some(v) => v.as_text().to_lowercase(),
            None => return Err(Failure(format!("1001; value is required for {field}"))),
        };
        let op = match q
            .search_type
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("STARTS_WITH") => StrOp::Starts,
            Some("CONTAINS") => StrOp::Contains,
            Some("ENDS_WITH") => StrOp::Ends,
            Some("EQUALS") => StrOp::Equals,
            Some(other) => {
                return Err(Failure(format!(
                    "1002; Invalid searchType {} for {field}",
                    other.chars().take(40).collect::<String>()
                )))
            }
            None => return Err(Failure(format!("1002; searchType is required for {field}"))),
        };
        Ok(StrP { op, needle })
    }

    pub(super) fn test(&self, s: &str) -> bool {
        let h = s.to_lowercase();
        match self.op {
            StrOp::Starts => h.starts_with(&self.needle),
            StrOp::Contains => h.contains(&self.needle),
            StrOp::Ends => h.ends_with(&self.needle),
            StrOp::Equals => h == self.needle,
        }
    }

    pub(super) fn test_opt(&self, s: Option<&str>) -> bool {
        s.is_some_and(|s| self.test(s))
    }
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum DateOp {
    Before,
    After,
    On,
}

pub(super) fn date_op(field: &str, q: &Q) -> Result<DateOp, Failure> {
    match q
        .search_type
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("BEFORE") => Ok(DateOp::Before),
        Some("AFTER") => Ok(DateOp::After),
        Some("ON") => Ok(DateOp::On),
        Some(other) => Err(Failure(format!(
            "1002; Invalid searchType {} for {field}",
            other.chars().take(40).collect::<String>()
        ))),
        None => Err(Failure(format!("1002; searchType is required for {field}"))),
    }
}

/// A date predicate on day numbers.
pub(super) struct DateP {
    pub(super) op: DateOp,
    pub(super) day: i64,
}

impl DateP {
    pub(super) fn compile(field: &str, q: &Q) -> Result<DateP, Failure> {
        let op = date_op(field, q)?;
        let text = q.value.as_ref().map(Flexi::as_text).unwrap_or_default();
        let day = parse_date(text.trim())
            .or_else(|| parse_date_sep(text.trim(), b'/'))
            .ok_or_else(|| {
                Failure(format!(
                    "1003; Invalid date {} for {field}; expected yyyy-MM-dd",
                    text.chars().take(40).collect::<String>()
                ))
            })?;
        Ok(DateP { op, day })
    }

    pub(super) fn test(&self, day: Option<i64>) -> bool {
        match day {
            None => false,
            Some(d) => match self.op {
                DateOp::Before => d < self.day,
                DateOp::After => d > self.day,
                DateOp::On => d == self.day,
            },
        }
    }
}

/// A date-time predicate: an instant, or a whole Los Angeles day for date-only values.
pub(super) struct DateTimeP {
    pub(super) op: DateOp,
    /// (instant, day) — instant is `None` for a date-only value.
    pub(super) instant: Option<i64>,
    pub(super) day: i64,
}

pub(super) fn parse_datetime(s: &str) -> Option<(Option<i64>, i64)> {
    use time::format_description::well_known::Rfc3339;
    if let Some(day) = parse_date(s) {
        return Some((None, day));
    }
    if let Ok(dt) = time::OffsetDateTime::parse(s, &Rfc3339) {
        let ms = i64::try_from(dt.unix_timestamp_nanos() / 1_000_000).ok()?;
        return Some((Some(ms), la_day_of(ms)));
    }
    // No zone: the FNO database zone (America/Los_Angeles).
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let local = time::PrimitiveDateTime::parse(s, &fmt).ok()?;
    let local_ms = i64::try_from(local.assume_utc().unix_timestamp_nanos() / 1_000_000).ok()?;
    let ms = local_ms - la_offset_ms(local_ms + 8 * 3_600_000);
    Some((Some(ms), la_day_of(ms)))
}

impl DateTimeP {
    pub(super) fn compile(field: &str, q: &Q) -> Result<DateTimeP, Failure> {
        let op = date_op(field, q)?;
        let text = q.value.as_ref().map(Flexi::as_text).unwrap_or_default();
        let (instant, day) = parse_datetime(text.trim()).ok_or_else(|| {
            Failure(format!(
                "1003; Invalid date-time {} for {field}",
                text.chars().take(40).collect::<String>()
            ))
        })?;
        Ok(DateTimeP { op, instant, day })
    }

    pub(super) fn test(&self, ms: i64) -> bool {
        let day = la_day_of(ms);
        match (self.op, self.instant) {
            (DateOp::On, _) => day == self.day,
            (DateOp::Before, Some(t)) => ms < t,
            (DateOp::After, Some(t)) => ms > t,
            (DateOp::Before, None) => day < self.day,
            (DateOp::After, None) => day > self.day,
        }
    }
}

pub(super) enum AttrP {
    Bool(String, bool),
    Date(String, DateP),
    Num(String, &'static str, i64),
    Str(String, StrP),
}

pub(super) fn compile_attr(q: &AttrQ) -> Result<AttrP, Failure> {
    let name = q
        .attribute_name
        .clone()
        .ok_or_else(|| Failure("1001; attributeName is required in customAttributes".into()))?;
    if let Some(b) = &q.boolean_value {
        let b = b
            .as_bool()
            .ok_or_else(|| Failure(format!("1003; Invalid booleanValue for {name}")))?;
        return Ok(AttrP::Bool(name, b));
    }
    if let Some(d) = &q.date_value {
        let p = DateP::compile(&name, d)?;
        return Ok(AttrP::Date(name, p));
    }
    if let Some(nq) = &q.number_value {
        let v = nq
            .value
            .as_ref()
            .and_then(Flexi::as_i64)
            .ok_or_else(|| Failure(format!("1003; Invalid numberValue for {name}")))?;
        let op = match nq
            .search_type
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("GREATER_THAN") => "GT",
            Some("GREATER_THAN_EQUALS") => "GE",
            Some("LESS_THAN") => "LT",
            Some("LESS_THAN_EQUALS") => "LE",
            Some("EQUALS") => "EQ",
            Some("NOT_EQUALS") => "NE",
            _ => {
                return Err(Failure(format!(
                    "1002; Invalid searchType for numberValue of {name}"
                )))
            }
        };
        return Ok(AttrP::Num(name, op, v));
    }
    if let Some(s) = &q.string_value {
        // The doc shows `stringValue` as `{value, searchType}`; a bare string means EQUALS.
        let sq = match s {
            StrValue::Q(q) => q.clone(),
            StrValue::Bare(v) => Q {
                value: Some(v.clone()),
                search_type: Some("EQUALS".into()),
                partner_tier: None,
            },
        };
        return Ok(AttrP::Str(name.clone(), StrP::compile(&name, &sq)?));
    }
    Err(Failure(format!(
        "1001; a value is required for custom attribute {name}"
    )))
}

/// `stringValue` may be an object `{value, searchType}` (REST doc) or a bare string.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub(super) enum StrValue {
    Q(Q),
    Bare(Flexi),
}

pub(super) fn attr_matches(p: &AttrP, it: &Item) -> bool {
    let all = it.ent.ent_attrs.iter().chain(it.line_attrs.iter());
    let name_of = |p: &AttrP| -> String {
        match p {
            AttrP::Bool(n, _) | AttrP::Date(n, _) | AttrP::Num(n, _, _) | AttrP::Str(n, _) => {
                n.clone()
            }
        }
    };
    let name = name_of(p);
    all.filter(|a| a.name.eq_ignore_ascii_case(&name))
        .any(|a| match (p, &a.val) {
            (AttrP::Bool(_, b), Some(AttrVal::Bool(v))) => b == v,
            (AttrP::Date(_, d), Some(AttrVal::Date(v))) => d.test(Some(*v)),
            (AttrP::Num(_, op, n), Some(AttrVal::Int(v))) => match *op {
                "GT" => v > n,
                "GE" => v >= n,
                "LT" => v < n,
                "LE" => v <= n,
                "EQ" => v == n,
                _ => v != n,
            },
            (AttrP::Str(_, s), Some(AttrVal::Str(v))) => s.test(v),
            _ => false,
        })
}

pub(super) type Pred = Box<dyn Fn(&Item) -> bool>;

pub(super) fn compile(c: &Criteria) -> Result<Vec<Pred>, Failure> {
    let mut preds: Vec<Pred> = Vec::new();
    macro_rules! string_field {
        ($field:ident, $name:literal, |$it:ident| $get:expr) => {
            if let Some(q) = &c.$field {
                let p = StrP::compile($name, q)?;
                preds.push(Box::new(move |$it: &Item| p.test_opt($get)));
            }
        };
    }
    string_field!(
        parent_bulk_entitlement_id,
        "parentBulkEntitlementId",
        |it| it.ent.parent_bulk.as_deref()
    );
    string_field!(entitlement_id, "entitlementId", |it| Some(
        it.ent.entitlement_id.as_str()
    ));
    string_field!(activation_id, "activationId", |it| Some(
        it.activation_id.as_str()
    ));
    string_field!(product_name, "productName", |it| Some(it.product.name));
    string_field!(product_version, "productVersion", |it| Some(
        it.product.version
    ));
    string_field!(part_number, "partNumber", |it| it.part_number.as_deref());
    string_field!(license_technology, "licenseTechnology", |it| Some(
        it.license_tech
    ));
    string_field!(order_id, "orderId", |it| it.order_id.as_deref());
    string_field!(sold_to, "soldTo", |it| Some(&*it.ent.sold_to));
    string_field!(parent_bulk_ent_sold_to, "parentBulkEntSoldTo", |it| it
        .ent
        .parent_bulk_sold_to
        .as_deref());
    string_field!(current_owner_name, "currentOwnerName", |it| Some(
        it.ent.current_owner_name.as_str()
    ));
    string_field!(
        line_item_parent_line_item_id,
        "lineItemParentLineItemId",
        |it| it.parent_line_item.as_deref()
    );
    if let Some(pt) = &c.product_type {
        let pt = pt.to_ascii_uppercase();
        if !matches!(pt.as_str(), "LICENSED_PRODUCT" | "SUITE" | "MAINTENANCE") {
            return Err(Failure(format!(
                "1004; Invalid productType {}",
                pt.chars().take(40).collect::<String>()
            )));
        }
        preds.push(Box::new(move |it: &Item| it.product_type == pt));
    }
    if let Some(t) = &c.activatable_item_type {
        let t = t.to_ascii_uppercase();
        if !matches!(t.as_str(), "LINEITEM" | "WEBREGKEY") {
            return Err(Failure(format!(
                "1004; Invalid activatableItemType {}",
                t.chars().take(40).collect::<String>()
            )));
        }
        preds.push(Box::new(move |it: &Item| it.ent.item_type == t));
    }
    for (field, name, get) in [
        (
            &c.start_date,
            "startDate",
            (|it: &Item| Some(it.start_day)) as fn(&Item) -> Option<i64>,
        ),
        (&c.expiration_date, "expirationDate", |it: &Item| it.exp_day),
        (&c.version_date, "versionDate", |it: &Item| it.version_day),
    ] {
        if let Some(q) = field {
            let p = DateP::compile(name, q)?;
            preds.push(Box::new(move |it: &Item| p.test(get(it))));
        }
    }
    for (field, name, get) in [
        (
            &c.created_on_date_time,
            "createdOnDateTime",
            (|it: &Item| it.created_ms) as fn(&Item) -> i64,
        ),
        (
            &c.last_modified_date_time,
            "lastModifiedDateTime",
            |it: &Item| it.modified_ms,
        ),
    ] {
        if let Some(q) = field {
            let p = DateTimeP::compile(name, q)?;
            preds.push(Box::new(move |it: &Item| p.test(get(it))));
        }
    }
    let flag = |f: &Option<Flexi>, name: &str| -> Result<Option<bool>, Failure> {
        match f {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| Failure(format!("1003; Invalid boolean for {name}"))),
        }
    };
    if let Some(b) = flag(&c.is_permanent, "isPermanent")? {
        preds.push(Box::new(move |it: &Item| it.is_permanent == b));
    }
    if let Some(b) = flag(&c.allow_portal_login, "allowPortalLogin")? {
        preds.push(Box::new(move |it: &Item| it.ent.allow_portal_login == b));
    }
    // `false` has no effect for these two (documented).
    if flag(&c.with_no_order_id, "withNoOrderId")? == Some(true) {
        preds.push(Box::new(|it: &Item| it.order_id.is_none()));
    }
    if flag(&c.restrict_to_items_with_count, "restrictToItemsWithCount")? == Some(true) {
        preds.push(Box::new(|it: &Item| it.remaining > 0));
    }
    if let Some(f) = &c.fulfilled_amount {
        let n = f
            .as_i64()
            .ok_or_else(|| Failure("1003; Invalid fulfilledAmount".into()))?;
        preds.push(Box::new(move |it: &Item| {
            i64::from(it.copies - it.remaining.min(it.copies)) == n
        }));
    }
    if let Some(u) = &c.user_id {
        let u = u.to_lowercase();
        preds.push(Box::new(move |it: &Item| {
            it.ent.partners.iter().any(|p| {
                p.contact
                    .as_ref()
                    .is_some_and(|(_, _, e, _)| e.to_lowercase() == u)
            })
        }));
    }
    if let Some(list) = &c.custom_attributes {
        for a in &list.attribute {
            let p = compile_attr(a)?;
            preds.push(Box::new(move |it: &Item| attr_matches(&p, it)));
        }
    }
    if let Some(la) = &c.line_item_attributes {
        let name = la.attribute_name.clone().unwrap_or_default();
        let val = la.string_value.clone().unwrap_or_default().to_lowercase();
        preds.push(Box::new(move |it: &Item| {
            it.line_attrs.iter().any(|a| {
                a.name.eq_ignore_ascii_case(&name)
                    && matches!(&a.val, Some(AttrVal::Str(s)) if s.to_lowercase() == val)
            })
        }));
    }
    if let Some(q) = &c.account_id {
        let p = StrP::compile("accountId", q)?;
        let tier = match q.partner_tier.as_deref() {
            None | Some("") => Some(TIER_END.to_string()),
            Some(t) if t.eq_ignore_ascii_case("ANY") => None,
            Some(t) => Some(t.to_lowercase()),
        };
        preds.push(Box::new(move |it: &Item| {
            it.ent
                .partners
                .iter()
                .any(|pa| tier.as_deref().is_none_or(|t| pa.tier == t) && p.test(&pa.account))
        }));
    }
    Ok(preds)
}
