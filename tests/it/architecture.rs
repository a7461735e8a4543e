//! The arrows between modules point one way: read from the source itself, so a new import
//! that closes a circle or reaches up a layer fails here, not in review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

/// Module path (`frontend::service::outbox`) → the crate modules it names.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).expect("under src");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::…` and `super::…` path in `text` (test modules and comments left out), with
/// `{a, b}` groups expanded one level.
fn paths_in(text: &str) -> Vec<String> {
    static GROUPED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b((?:crate|super)(?:::\w+)*)::\{([^}]*)\}").unwrap());
    static PLAIN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(?:crate|super)(?:::\w+)+").unwrap());
    // Doc links are not imports.
    let text: String = text
        .split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.as_str();
    let mut paths: Vec<String> = PLAIN
        .find_iter(text)
        .map(|m| m.as_str().to_owned())
        .collect();
    for group in GROUPED.captures_iter(text) {
        for item in group[2].split(',') {
            let item = item.trim().split([' ', ':']).next().unwrap_or_default();
            if !item.is_empty() && item != "self" {
                paths.push(format!("{}::{item}", &group[1]));
            }
        }
    }
    paths
}

fn graph() -> Graph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let modules: BTreeMap<String, std::path::PathBuf> = files
        .into_iter()
        .filter(|f| !f.ends_with("main.rs") && !f.ends_with("lib.rs"))
        .map(|f| (module_of(&root, &f), f))
        .collect();
    let mut graph = Graph::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).expect("read");
        let parent: Vec<&str> = module.split("::").collect();
        let parent = &parent[..parent.len() - 1];
        let mut names = BTreeSet::new();
        for path in paths_in(&text) {
            let mut parts: Vec<&str> = path.split("::").collect();
            let mut full: Vec<&str> = if parts[0] == "crate" {
                Vec::new()
            } else {
                parent.to_vec()
            };
            parts.remove(0);
            while parts.first() == Some(&"super") {
                full.pop();
                parts.remove(0);
            }
            full.extend(parts);
            // The longest prefix that is a module is what this path names.
            let named = (1..=full.len())
                .rev()
                .map(|n| full[..n].join("::"))
                .find(|candidate| modules.contains_key(candidate));
            if let Some(named) = named
                && named != *module
                && !module.starts_with(&format!("{named}::"))
            {
                names.insert(named);
            }
        }
        graph.insert(module.clone(), names);
    }
    graph
}

/// The circles: groups of modules each of which reaches every other by its imports.
fn circles(graph: &Graph) -> Vec<Vec<String>> {
    let reaches: BTreeMap<&String, BTreeSet<String>> = graph
        .keys()
        .map(|start| {
            let mut seen = BTreeSet::new();
            let mut stack = vec![start.clone()];
            while let Some(module) = stack.pop() {
                for next in graph.get(&module).into_iter().flatten() {
                    if seen.insert(next.clone()) {
                        stack.push(next.clone());
                    }
                }
            }
            (start, seen)
        })
        .collect();
    let mut found: Vec<Vec<String>> = Vec::new();
    for (module, from_here) in &reaches {
        if from_here.contains(*module) {
            let circle: Vec<String> = from_here
                .iter()
                .filter(|other| reaches.get(other).is_some_and(|r| r.contains(*module)))
                .cloned()
                .collect();
            if !found.contains(&circle) {
                found.push(circle);
            }
        }
    }
    found
}

fn layer_of(module: &str) -> (&str, Option<&str>) {
    let mut parts = module.split("::");
    (parts.next().unwrap_or_default(), parts.next())
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let found = circles(&graph());
    assert!(found.is_empty(), "import circles: {found:#?}");
}

/// Imports against the layering: outside `frontend` (but `startup`) nothing imports
/// `frontend`; `present` imports no service, entrance or state; the service no entrance or
/// state; an entrance no other entrance.
fn against_layering(graph: &Graph) -> Vec<String> {
    const ENTRANCES: [&str; 4] = ["pages", "api", "ws", "admin"];
    let mut wrong = Vec::new();
    for (module, names) in graph {
        let (top, second) = layer_of(module);
        for name in names {
            let (name_top, name_second) = layer_of(name);
            let above = |also: &[&str]| {
                name_top == "frontend"
                    && name_second.is_some_and(|s| ENTRANCES.contains(&s) || also.contains(&s))
            };
            let refused = match (top, second) {
                ("startup", _) => false,
                ("frontend", Some("present")) => above(&["service", "state"]),
                ("frontend", Some("service")) => above(&["state"]),
                ("frontend", Some(entrance)) if ENTRANCES.contains(&entrance) => {
                    name_top == "frontend"
                        && name_second.is_some_and(|s| ENTRANCES.contains(&s) && s != entrance)
                }
                ("frontend", _) => false,
                _ => name_top == "frontend",
            };
            if refused {
                wrong.push(format!("{module} -> {name}"));
            }
        }
    }
    wrong
}

#[test]
fn imports_point_down_the_layers() {
    let wrong = against_layering(&graph());
    assert!(wrong.is_empty(), "imports against the layering: {wrong:#?}");
}

#[test]
fn the_checks_see_a_circle_and_an_upward_import() {
    let mut graph = Graph::new();
    graph.insert("a".into(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".into(), BTreeSet::from(["a".to_owned()]));
    graph.insert("c".into(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(circles(&graph), vec![vec!["a".to_owned(), "b".to_owned()]]);
    let upward = Graph::from([
        (
            "storage::sql".to_owned(),
            BTreeSet::from(["frontend::state".to_owned()]),
        ),
        (
            "frontend::pages::x".to_owned(),
            BTreeSet::from(["frontend::api::y".to_owned()]),
        ),
        (
            "frontend::service::z".to_owned(),
            BTreeSet::from(["frontend::present".to_owned()]),
        ),
        (
            "frontend::present".to_owned(),
            BTreeSet::from(["frontend::service".to_owned()]),
        ),
    ]);
    assert_eq!(
        against_layering(&upward),
        vec![
            "frontend::pages::x -> frontend::api::y",
            "frontend::present -> frontend::service",
            "storage::sql -> frontend::state",
        ]
    );
    // The real graph is read at all: the service imports storage.
    let real = self::graph();
    assert!(real["frontend::service::outbox"].contains("storage"));
    assert!(real["frontend::pages::files"].contains("frontend::pages::upload_form"));
}
