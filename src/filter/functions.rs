//! The built-in functions: one table row per function ([`BUILTINS`]) with its name, its
//! identity ([`Func`]), its signature and its implementation, and the OData functions that
//! parse but are not evaluated ([`UNSUPPORTED`]). Adding a function is one row here (and
//! one [`Func`] variant). The string tests behind `contains`/`startswith`/`endswith`, also
//! used by the compiler's dedicated nodes, are here too: one place decides what they mean.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::borrow::Cow;

use super::ir::{num, string, time, Case, Func, StrTest, Ty, Val};
use super::temporal::{self, MS_DAY};

/// One built-in function: its row of [`BUILTINS`] (name, identity, signature) and the
/// implementation the row names, which [`call`] runs.
pub(crate) struct Builtin {
    /// The (lower-case) name.
    pub(crate) name: &'static str,
    /// Its identity in the compiled tree.
    pub(crate) func: Func,
    /// The parameter types, in order; those after the first `min_args` are optional.
    pub(crate) params: &'static [Ty],
    /// How many arguments are required.
    pub(crate) min_args: usize,
    /// The result type.
    pub(crate) ret: Ty,
}

macro_rules! builtins {
    ($($name:literal => $func:ident($($param:ident),*) $(, min $min:literal)? -> $ret:ident = $run:ident;)*) => {
        /// Every evaluated built-in, in the order of [`Func`]'s variants (a test checks
        /// it). `now` is last: the compiler folds it into a constant.
        pub(crate) const BUILTINS: &[Builtin] = &[$(Builtin {
            name: $name,
            func: Func::$func,
            params: &[$(Ty::$param),*],
            min_args: builtins!(@min [$(Ty::$param),*] $($min)?),
            ret: Ty::$ret,
        },)*];

        /// Calls `f` on non-null arguments (the first `n` of the three slots): the
        /// implementation its row names (one `match`, generated from the same rows: no
        /// function pointers, a smaller module).
        pub(crate) fn call(f: Func, args: [Val<'_>; 3], n: usize) -> Val<'_> {
            match f {
                $(Func::$func => $run(args, n),)*
            }
        }
    };
    (@min [$($p:expr),*]) => {{
        const PARAMS: &[Ty] = &[$($p),*];
        PARAMS.len()
    }};
    (@min [$($p:expr),*] $min:literal) => { $min };
}

builtins! {
    "contains" => Contains(Str, Str) -> Bool = f_contains;
    "startswith" => StartsWith(Str, Str) -> Bool = f_startswith;
    "endswith" => EndsWith(Str, Str) -> Bool = f_endswith;
    "tolower" => ToLower(Str) -> Str = f_tolower;
    "toupper" => ToUpper(Str) -> Str = f_toupper;
    "trim" => Trim(Str) -> Str = f_trim;
    "length" => Length(Str) -> Num = f_length;
    "indexof" => IndexOf(Str, Str) -> Num = f_indexof;
    "substring" => Substring(Str, Num, Num), min 2 -> Str = f_substring;
    "concat" => Concat(Str, Str) -> Str = f_concat;
    "year" => Year(Time) -> Num = f_year;
    "month" => Month(Time) -> Num = f_month;
    "day" => Day(Time) -> Num = f_day;
    "hour" => Hour(Time) -> Num = f_hour;
    "minute" => Minute(Time) -> Num = f_minute;
    "second" => Second(Time) -> Num = f_second;
    "fractionalseconds" => FractionalSeconds(Time) -> Num = f_fractionalseconds;
    "date" => Date(Time) -> Time = f_date;
    "time" => Time(Time) -> Tod = f_time;
    "round" => Round(Num) -> Num = f_round;
    "floor" => Floor(Num) -> Num = f_floor;
    "ceiling" => Ceiling(Num) -> Num = f_ceiling;
    "now" => Now() -> Time = f_now;
}

fn f_contains<'a>(v: [Val<'a>; 3], _: usize) -> Val<'a> {
    str_test(StrTest::Contains, &v)
}

fn f_startswith<'a>(v: [Val<'a>; 3], _: usize) -> Val<'a> {
    str_test(StrTest::StartsWith, &v)
}

fn f_endswith<'a>(v: [Val<'a>; 3], _: usize) -> Val<'a> {
    str_test(StrTest::EndsWith, &v)
}

fn f_tolower<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    string(&a).map_or(Val::Null, |s| Val::Str(Cow::Owned(s.to_lowercase())))
}

fn f_toupper<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    string(&a).map_or(Val::Null, |s| Val::Str(Cow::Owned(s.to_uppercase())))
}

fn f_trim<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    match a {
        Val::Str(Cow::Borrowed(s)) => Val::Str(Cow::Borrowed(s.trim())),
        Val::Str(Cow::Owned(s)) => Val::Str(Cow::Owned(s.trim().to_owned())),
        _ => Val::Null,
    }
}

fn f_length<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    string(&a).map_or(Val::Null, |s| Val::Num(s.chars().count() as f64))
}

fn f_indexof<'a>([a, b, _]: [Val<'a>; 3], _: usize) -> Val<'a> {
    match (string(&a), string(&b)) {
        (Some(h), Some(nd)) => Val::Num(match h.find(nd) {
            Some(byte) => h.get(..byte).map_or(0, |p| p.chars().count()) as f64,
            None => -1.0,
        }),
        _ => Val::Null,
    }
}

fn f_substring<'a>([a, b, c]: [Val<'a>; 3], n: usize) -> Val<'a> {
    match (string(&a), num(&b)) {
        (Some(s), Some(start)) => {
            let len = if n > 2 { num(&c).map(index) } else { None };
            Val::Str(Cow::Owned(char_slice(s, index(start), len)))
        }
        _ => Val::Null,
    }
}

fn f_concat<'a>([a, b, _]: [Val<'a>; 3], _: usize) -> Val<'a> {
    match (string(&a), string(&b)) {
        (Some(x), Some(y)) => Val::Str(Cow::Owned(format!("{x}{y}"))),
        _ => Val::Null,
    }
}

fn f_year<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    part(&a, 0)
}

fn f_month<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    part(&a, 1)
}

fn f_day<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    part(&a, 2)
}

fn f_hour<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    part(&a, 3)
}

fn f_minute<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    part(&a, 4)
}

fn f_second<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    part(&a, 5)
}

fn f_fractionalseconds<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    match part(&a, 6) {
        Val::Num(ms) => Val::Num(ms / 1000.0),
        other => other,
    }
}

fn f_date<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    time(&a).map_or(Val::Null, |t| Val::Time(t.div_euclid(MS_DAY) * MS_DAY))
}

fn f_time<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    time(&a).map_or(Val::Null, |t| Val::Tod(t.rem_euclid(MS_DAY)))
}

fn f_round<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    num(&a).map_or(Val::Null, |x| Val::Num(x.round()))
}

fn f_floor<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    num(&a).map_or(Val::Null, |x| Val::Num(x.floor()))
}

fn f_ceiling<'a>([a, ..]: [Val<'a>; 3], _: usize) -> Val<'a> {
    num(&a).map_or(Val::Null, |x| Val::Num(x.ceil()))
}

fn f_now<'a>(_: [Val<'a>; 3], _: usize) -> Val<'a> {
    Val::Null
}

/// OData functions that parse but are not evaluated here (and every `geo.` function).
pub(crate) const UNSUPPORTED: &[&str] = &[
    "geo.distance",
    "geo.intersects",
    "geo.length",
    "isof",
    "cast",
    "matchespattern",
    "totaloffsetminutes",
    "totalseconds",
    "maxdatetime",
    "mindatetime",
    "case",
];

/// The built-in named `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

fn str_test<'a>(t: StrTest, v: &[Val<'_>; 3]) -> Val<'a> {
    match (string(&v[0]), string(&v[1])) {
        (Some(x), Some(y)) => Val::Bool(t.run(x, y)),
        _ => Val::Null,
    }
}

/// Component `k` (year, month, day, hour, minute, second, millisecond) of an instant or of
/// a time of day (which has no date components).
fn part<'a>(a: &Val<'_>, k: usize) -> Val<'a> {
    let fields = match a {
        Val::Tod(t) => [
            0,
            0,
            0,
            t / 3_600_000,
            t / 60_000 % 60,
            t / 1000 % 60,
            t % 1000,
        ],
        other => match time(other) {
            Some(t) => {
                let (y, m, d) = temporal::civil_from_days(t.div_euclid(MS_DAY));
                let tod = t.rem_euclid(MS_DAY);
                [
                    y,
                    i64::from(m),
                    i64::from(d),
                    tod / 3_600_000,
                    tod / 60_000 % 60,
                    tod / 1000 % 60,
                    tod % 1000,
                ]
            }
            None => return Val::Null,
        },
    };
    fields.get(k).map_or(Val::Null, |x| Val::Num(*x as f64))
}

fn char_slice(s: &str, start: usize, len: Option<usize>) -> String {
    let it = s.chars().skip(start);
    match len {
        Some(n) => it.take(n).collect(),
        None => it.collect(),
    }
}

/// A whole number as a usize index; negative → 0.
fn index(n: f64) -> usize {
    if n.is_nan() || n <= 0.0 {
        0
    } else if n >= 1e15 {
        usize::MAX
    } else {
        n as usize
    }
}

impl StrTest {
    #[inline]
    pub(crate) fn run(self, hay: &str, needle: &str) -> bool {
        match self {
            StrTest::Contains => short_contains(hay, needle),
            StrTest::StartsWith => hay.starts_with(needle),
            StrTest::EndsWith => hay.ends_with(needle),
        }
    }
}

impl StrTest {
    /// `self.run(&tolower(hay), needle)` (or `toupper`) without building the mapped string
    /// when `hay` is ASCII, where the mapping is byte by byte; other text is mapped with
    /// the full Unicode rules first, as `tolower`/`toupper` do.
    pub(crate) fn run_folded(self, hay: &str, needle: &str, case: Case) -> bool {
        if !hay.is_ascii() {
            let mapped = match case {
                Case::Upper => hay.to_uppercase(),
                _ => hay.to_lowercase(),
            };
            return self.run(&mapped, needle);
        }
        let map = |b: u8| match case {
            Case::Upper => b.to_ascii_uppercase(),
            _ => b.to_ascii_lowercase(),
        };
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        let same = |w: &[u8]| w.len() == n.len() && w.iter().zip(n).all(|(a, b)| map(*a) == *b);
        match self {
            StrTest::StartsWith => h.get(..n.len()).is_some_and(same),
            StrTest::EndsWith => h
                .len()
                .checked_sub(n.len())
                .and_then(|i| h.get(i..))
                .is_some_and(same),
            StrTest::Contains => n.is_empty() || h.windows(n.len()).any(same),
        }
    }
}

/// Substring search. For the short strings typical of record fields, `str::contains`
/// with a needle only known at run time sets up a Two-Way searcher on every call (its SIMD
/// path needs longer haystacks), which costs more than scanning; short haystacks are
/// scanned byte by byte (exact for UTF-8), long ones use `str::contains`.
#[inline]
fn short_contains(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if h.len() >= 64 {
        return hay.contains(needle);
    }
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    let Some(last) = h.len().checked_sub(n.len()) else {
        return false;
    };
    // Find each occurrence of the first byte with a plain scan (a tight loop), then
    // compare the rest in place.
    let mut from = 0;
    while let Some(at) = h
        .get(from..=last)
        .and_then(|w| w.iter().position(|&c| c == first))
    {
        let i = from + at;
        if h.get(i + 1..i + n.len()).is_some_and(|w| w == rest) {
            return true;
        }
        from = i + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_func_order() {
        for (i, b) in BUILTINS.iter().enumerate() {
            assert_eq!(b.func as usize, i, "{}", b.name);
            assert!(b.min_args <= b.params.len(), "{}", b.name);
        }
        assert_eq!(BUILTINS.last().map(|b| b.func), Some(Func::Now));
    }

    #[test]
    fn civil_parts() {
        let parts =
            |ms: i64| -> Vec<Val<'static>> { (0..7).map(|k| part(&Val::Time(ms), k)).collect() };
        let nums = |v: &[f64]| -> Vec<Val<'static>> { v.iter().map(|x| Val::Num(*x)).collect() };
        assert_eq!(parts(0), nums(&[1970.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]));
        assert_eq!(
            parts(951_782_400_000),
            nums(&[2000.0, 2.0, 29.0, 0.0, 0.0, 0.0, 0.0])
        );
        assert_eq!(
            parts(-1),
            nums(&[1969.0, 12.0, 31.0, 23.0, 59.0, 59.0, 999.0])
        );
    }

    #[test]
    fn short_contains_agrees_with_std() {
        let long = "x".repeat(70) + "Acme";
        for (h, n) in [
            ("Acme Corp", "Acme"),
            ("xAcme", "Acme"),
            ("Acm", "Acme"),
            ("AAcme", "Acme"),
            ("a😀b", "😀"),
            ("", ""),
            ("abc", ""),
            ("abc", "c"),
            ("abc", "d"),
            ("AcAcme", "Acme"),
            ("abcabd", "abd"),
            ("aaa", "aa"),
            ("Wayne Enterprises", "Acme"),
            ("xyzA", "A"),
            (long.as_str(), "Acme"),
            (long.as_str(), "Acmf"),
        ] {
            assert_eq!(short_contains(h, n), h.contains(n), "{h} {n}");
        }
    }

    #[test]
    fn folded_tests_agree_with_mapping_first() {
        let hays = [
            "Acme Corp",
            "ACME",
            "acme",
            "",
            "xAcMe",
            "Søren & Co",
            "İstanbul",
            "ǅ",
            "AcmeAcme",
        ];
        let needles = [
            "acme", "ACME", "Acme", "", "me", "co", "CO", "søren", "SØREN", "i̇", "ǆ", "Ǆ",
        ];
        for h in hays {
            for n in needles {
                for t in [StrTest::Contains, StrTest::StartsWith, StrTest::EndsWith] {
                    assert_eq!(
                        t.run_folded(h, n, Case::Lower),
                        t.run(&h.to_lowercase(), n),
                        "{t:?} lower {h:?} {n:?}"
                    );
                    assert_eq!(
                        t.run_folded(h, n, Case::Upper),
                        t.run(&h.to_uppercase(), n),
                        "{t:?} upper {h:?} {n:?}"
                    );
                }
            }
        }
    }
}
