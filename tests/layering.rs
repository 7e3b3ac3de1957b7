//! The layering of `docs/layers.md`, checked against the code: every `crate::…` path of
//! every file in `src/` (and every `flexedge::…` path in `src/bin/`) must name a module
//! its own module may use, and no modules may import each other in a circle, at any level
//! of the tree. Code only: comments and string literals do not count.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module → the modules it may use (`None`: any).
type Layers = BTreeMap<String, Option<BTreeSet<String>>>;

/// Reads the table of `docs/layers.md`: the rows after the `layering` marker.
fn parse_layers(doc: &str) -> Layers {
    let table = doc
        .split_once("<!-- layering")
        .map(|(_, t)| t)
        .expect("docs/layers.md has the layering marker");
    let mut out = Layers::new();
    for line in table.lines().skip_while(|l| !l.starts_with('|')) {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (Some(module), Some(may)) = (cells.first(), cells.get(2)) else {
            continue;
        };
        let module = module.trim_matches('`');
        if module == "module" || module.starts_with("---") {
            continue;
        }
        let may = match *may {
            "*" => None,
            "—" | "-" | "" => Some(BTreeSet::new()),
            list => Some(
                list.split(',')
                    .map(|m| m.trim().trim_matches('`').to_owned())
                    .collect(),
            ),
        };
        out.insert(module.to_owned(), may);
    }
    out
}

/// The text with comments, string and char literals blanked out (lines kept).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(src.len(), |n| i + n);
            i = end;
            continue;
        }
        if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(src.len(), |n| i + n + 2);
            out.extend(src[i..end].chars().filter(|c| *c == '\n'));
            i = end;
            continue;
        }
        if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|c| *c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let body = i + 2 + hashes;
            let end = src[body..]
                .find(&close)
                .map_or(src.len(), |n| body + n + close.len());
            out.extend(src[i..end].chars().filter(|c| *c == '\n'));
            out.push_str("\"\"");
            i = end;
            continue;
        }
        if rest.starts_with('"') {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out.extend(src[i..j.min(src.len())].chars().filter(|c| *c == '\n'));
            out.push_str("\"\"");
            i = (j + 1).min(src.len());
            continue;
        }
        if let Some(after) = rest.strip_prefix('\'') {
            // A char literal (`'x'`, `'\n'`, `'\u{1F600}'`); a lifetime (`'a`) is kept.
            let len = if after.starts_with('\\') {
                after.find('\'').filter(|n| *n >= 2)
            } else {
                after
                    .chars()
                    .next()
                    .map(char::len_utf8)
                    .filter(|n| after[*n..].starts_with('\''))
            };
            if let Some(n) = len {
                out.push_str("' '");
                i += 1 + n + 1;
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// A `src/` file's module path: `src/upstream/client/fetch.rs` → `[upstream, client,
/// fetch]`, `src/sim/hpe_flex/mod.rs` → `[sim, hpe_flex]`, `src/bin/x.rs` → `[bin]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.first().is_some_and(|p| p == "bin") {
        return vec!["bin".to_owned()];
    }
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// Every path the code names from the crate root, resolved to segments from the root
/// (`crate::a::b`, `super::…` climbing out of the file's module, `flexedge::…` in a
/// binary); grouped imports (`use crate::{a, b::c}`) give one path per group member.
fn root_paths(module: &[String], code: &str) -> Vec<Vec<String>> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < code.len() {
        let starts_word = i == 0 || !ident(code[..i].chars().last().unwrap_or(' '));
        let rest = &code[i..];
        let (base, len): (Option<Vec<String>>, usize) = if !starts_word {
            (None, 0)
        } else if rest.starts_with("crate::") && module.first().is_some_and(|m| m != "bin") {
            (Some(Vec::new()), 7)
        } else if module.first().is_some_and(|m| m == "bin") && rest.starts_with("flexedge::") {
            (Some(Vec::new()), 10)
        } else if rest.starts_with("super::") && module.first().is_some_and(|m| m != "bin") {
            // `super` is the parent of the file's module (for `a/b.rs` and `a/b/mod.rs`
            // alike, the module is `a::b`).
            let mut r = rest;
            let mut n = 0;
            while let Some(s) = r.strip_prefix("super::") {
                n += 1;
                r = s;
            }
            let mut base = module.to_vec();
            base.truncate(base.len().saturating_sub(n));
            (Some(base), rest.len() - r.len())
        } else {
            (None, 0)
        };
        let Some(base) = base else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let tail = &rest[len..];
        let mut groups = vec![String::new()];
        if let Some(inner) = tail.strip_prefix('{') {
            let mut depth = 1;
            let mut end = 0;
            for (k, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = k;
                    break;
                }
            }
            groups = inner[..end]
                .split(',')
                .map(|g| g.trim().to_owned())
                .collect();
        } else {
            let end = tail
                .find(|c: char| !(ident(c) || c == ':'))
                .unwrap_or(tail.len());
            groups[0] = tail[..end].to_owned();
        }
        for g in groups {
            let mut p = base.clone();
            p.extend(
                g.split("::")
                    .map(|s| s.trim().trim_start_matches('{').to_owned())
                    .filter(|s| !s.is_empty() && s.chars().all(ident)),
            );
            if !p.is_empty() {
                out.push(p);
            }
        }
        i += len.max(1);
    }
    out
}

/// The layering violations and the circles in `files` (paths relative to `src/`, and
/// their text) against `layers`.
fn check(layers: &Layers, files: &[(PathBuf, String)]) -> Vec<String> {
    let modules: BTreeSet<Vec<String>> = files
        .iter()
        .map(|(p, _)| module_path(p))
        .flat_map(|m| (1..=m.len()).map(move |k| m[..k].to_vec()))
        .collect();
    let mut problems = Vec::new();
    // Edges between siblings: parent module → (from child, to child).
    let mut edges: BTreeMap<Vec<String>, BTreeSet<(String, String)>> = BTreeMap::new();
    for (rel, text) in files {
        if rel == Path::new("lib.rs") {
            continue;
        }
        let module = module_path(rel);
        let top = module.first().cloned().unwrap_or_default();
        for path in root_paths(&module, &code_only(text)) {
            // The layering, between top-level modules.
            if let Some(target) = path
                .first()
                .filter(|t| **t != top && modules.contains(&vec![(*t).clone()]))
            {
                let allowed = match layers.get(&top) {
                    Some(None) => true,
                    Some(Some(may)) => may.contains(target),
                    None => {
                        problems.push(format!(
                            "src/{}: module `{top}` is not in docs/layers.md",
                            rel.display()
                        ));
                        true
                    }
                };
                if !allowed {
                    problems.push(format!(
                        "src/{}: `{top}` may not use `{target}` (`{}`)",
                        rel.display(),
                        path.join("::")
                    ));
                }
            }
            // Sibling edges, at the level where the two paths part.
            let lca = module.iter().zip(&path).take_while(|(a, b)| a == b).count();
            let (Some(from), Some(to)) = (module.get(lca), path.get(lca)) else {
                continue;
            };
            if from != to && modules.contains(&path[..=lca]) {
                edges
                    .entry(module[..lca].to_vec())
                    .or_default()
                    .insert((from.clone(), to.clone()));
            }
        }
    }
    for (parent, es) in &edges {
        if let Some(circle) = find_circle(es) {
            let at = if parent.is_empty() {
                "src".to_owned()
            } else {
                format!("src/{}", parent.join("/"))
            };
            problems.push(format!(
                "{at}: modules import each other: {}",
                circle.join(" → ")
            ));
        }
    }
    problems
}

/// A circle in a directed graph, if there is one (as the list of its nodes, first repeated).
fn find_circle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    fn visit<'a>(
        n: &'a String,
        edges: &'a BTreeSet<(String, String)>,
        stack: &mut Vec<&'a String>,
        done: &mut BTreeSet<&'a String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| *s == n) {
            let mut c: Vec<String> = stack[at..].iter().map(|s| (*s).clone()).collect();
            c.push(n.clone());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n);
        for (_, to) in edges.iter().filter(|(from, _)| from == n) {
            if let Some(c) = visit(to, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n);
        None
    }
    let mut done = BTreeSet::new();
    nodes
        .into_iter()
        .find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

fn source_files(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            source_files(&p, root, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            out.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn layers() -> Layers {
    parse_layers(&std::fs::read_to_string(repo().join("docs/layers.md")).unwrap())
}

#[test]
fn every_import_follows_docs_layers_md() {
    let mut files = Vec::new();
    source_files(&repo().join("src"), &repo().join("src"), &mut files);
    assert!(files.len() > 50, "read {} files", files.len());
    let problems = check(&layers(), &files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_table_names_every_module_of_src() {
    let l = layers();
    for m in [
        "filter", "model", "query", "rules", "upstream", "sim", "service", "edge", "browser",
        "bin", "testkit",
    ] {
        assert!(l.contains_key(m), "{m} is missing from docs/layers.md");
    }
    assert_eq!(
        l["filter"],
        Some(BTreeSet::new()),
        "the language uses nothing of the crate"
    );
    assert_eq!(
        l["rules"],
        Some(BTreeSet::new()),
        "the write rules use nothing of the crate"
    );
    assert!(
        l.iter()
            .all(|(m, may)| m == "testkit" || may.as_ref().is_some_and(|s| !s.contains("testkit"))),
        "only tests/ and benches/ may use the test kit"
    );
}

/// The checker itself: a forbidden import, one hidden in a grouped `use`, one through
/// `super::super`, and a circle between siblings are each caught; comments, strings and
/// allowed imports are not.
#[test]
fn a_forbidden_import_is_caught() {
    let l = layers();
    let file = |p: &str, t: &str| (PathBuf::from(p), t.to_owned());
    let base = vec![
        file("filter/mod.rs", "mod ast;"),
        file("filter/ast.rs", "pub struct Expr;"),
        file("model/mod.rs", "use crate::filter::Row; // crate::upstream in a comment\nconst S: &str = \"crate::service\";"),
        file("upstream/mod.rs", "pub mod pushdown;"),
        file("upstream/pushdown/mod.rs", "mod plan; mod pred;"),
        file("upstream/pushdown/plan.rs", "use super::pred::Pred;"),
        file("upstream/pushdown/pred.rs", "pub enum Pred {}"),
    ];
    assert_eq!(check(&l, &base), Vec::<String>::new());

    let mut bad = base.clone();
    bad.push(file("filter/eval.rs", "use crate::model::Timestamp;"));
    // Caught twice over: a forbidden arrow, and with it a circle (model uses filter).
    let p = check(&l, &bad);
    assert_eq!(
        p,
        [
            "src/filter/eval.rs: `filter` may not use `model` (`model::Timestamp`)",
            "src: modules import each other: filter → model → filter",
        ]
    );

    let mut grouped = base.clone();
    grouped.push(file(
        "filter/eval.rs",
        "use crate::{filter::Expr, upstream::pushdown};",
    ));
    assert!(check(&l, &grouped)
        .iter()
        .any(|e| e.contains("may not use `upstream`")));

    let mut climbing = base.clone();
    climbing.push(file(
        "filter/eval.rs",
        "fn f() -> super::super::model::Record { todo!() }",
    ));
    assert!(check(&l, &climbing)
        .iter()
        .any(|e| e.contains("may not use `model`")));

    let mut circle = base.clone();
    circle[6] = file("upstream/pushdown/pred.rs", "use super::plan::SourcePlan;");
    let p = check(&l, &circle);
    assert_eq!(
        p,
        ["src/upstream/pushdown: modules import each other: plan → pred → plan"]
    );
}
