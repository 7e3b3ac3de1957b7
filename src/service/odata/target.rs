//! What a path under `/odata` names: the service document, `$metadata`, an entity set,
//! its `$count`, or one entity by key (`Orders('…')`, `Orders(id='…')`).

use super::routes;
use crate::upstream::Collection;

/// What a path under `/odata` names.
pub(super) enum Target<'a> {
    ServiceDocument,
    Metadata,
    Set(&'static str, Collection),
    Count(&'static str, Collection),
    Entity(&'static str, Collection, String),
    Unknown(&'a str),
}

pub(super) fn entity_set(name: &str) -> Option<(&'static str, Collection)> {
    match name {
        "Orders" => Some(("Orders", Collection::Orders)),
        "Devices" => Some(("Devices", Collection::Devices)),
        _ => None,
    }
}

/// `Orders('k''ey')` / `Orders(id='…')` → (set, key).
pub(super) fn keyed(segment: &str) -> Option<(&str, String)> {
    let decoded = routes::percent_decode(segment);
    let open = decoded.find('(')?;
    let name = segment.get(..segment.find('(')?)?;
    let inner = decoded.get(open + 1..)?.strip_suffix(')')?;
    let inner = inner.strip_prefix("id=").unwrap_or(inner);
    let quoted = inner.strip_prefix('\'')?.strip_suffix('\'')?;
    // Inside the quotes a quote is doubled.
    let mut key = String::new();
    let mut it = quoted.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\'' {
            if it.peek() == Some(&'\'') {
                it.next();
            } else {
                return None;
            }
        }
        key.push(c);
    }
    Some((name, key))
}

pub(super) fn target<'a>(rest: &[&'a str]) -> Target<'a> {
    match rest {
        [] | [""] => Target::ServiceDocument,
        ["$metadata"] => Target::Metadata,
        [name] => match entity_set(name) {
            Some((n, c)) => Target::Set(n, c),
            None => match keyed(name).and_then(|(n, k)| entity_set(n).map(|(n, c)| (n, c, k))) {
                Some((n, c, k)) => Target::Entity(n, c, k),
                None => Target::Unknown(name),
            },
        },
        [name, "$count"] => match entity_set(name) {
            Some((n, c)) => Target::Count(n, c),
            None => Target::Unknown(name),
        },
        [name, ..] => Target::Unknown(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_targets() {
        assert_eq!(
            keyed("Orders('hpe_flex:a''b')"),
            Some(("Orders", "hpe_flex:a'b".to_owned()))
        );
        assert_eq!(keyed("Orders(id='x')"), Some(("Orders", "x".to_owned())));
        assert_eq!(
            keyed("Orders(%27x%3Ay%27)"),
            Some(("Orders", "x:y".to_owned()))
        );
        assert_eq!(keyed("Orders(x)"), None);
        assert!(matches!(
            target(&["Orders", "$count"]),
            Target::Count("Orders", _)
        ));
        assert!(matches!(target(&["Nope"]), Target::Unknown("Nope")));
        assert!(matches!(target(&[]), Target::ServiceDocument));
    }
}
