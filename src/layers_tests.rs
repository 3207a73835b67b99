//! The layer order of [`crate::LAYERS`], checked on the source: every `crate::module` path in
//! a file of `src/<module>/` (or `src/<module>.rs`) names its own layer or a lower one.

use std::path::Path;

use regex::Regex;

/// The layer of a top-level module, if it has one.
fn layer(module: &str) -> Option<usize> {
    crate::LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level modules `text` names with `crate::` (`crate::runner::X`, `crate::{a, b}`),
/// comments left out.
fn imported(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let text = code.as_str();
    let path = Regex::new(r"crate::([a-z_]+)").unwrap();
    let group = Regex::new(r"crate::\{([^}]*)\}").unwrap();
    let mut out: Vec<String> = path.captures_iter(text).map(|c| c[1].to_owned()).collect();
    for g in group.captures_iter(text) {
        for item in g[1].split(',') {
            let head = item.trim().split("::").next().unwrap_or_default().trim();
            if !head.is_empty() {
                out.push(head.to_owned());
            }
        }
    }
    out
}

/// `module`'s imports of higher layers in `text`, as `module → other`.
fn upward(module: &str, text: &str) -> Vec<String> {
    let Some(own) = layer(module) else {
        return Vec::new();
    };
    imported(text)
        .into_iter()
        .filter(|m| layer(m).is_some_and(|l| l > own))
        .map(|m| format!("{module} → {m}"))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    let mut modules = std::collections::BTreeSet::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap();
        let module = first.trim_end_matches(".rs");
        if matches!(module, "lib" | "main" | "layers_tests") {
            continue;
        }
        modules.insert(module.to_owned());
        let text = std::fs::read_to_string(f).unwrap();
        for v in upward(module, &text) {
            found.push(format!("{}: {v}", rel.display()));
        }
    }
    // Every module has a layer: a new one must be placed.
    let unplaced: Vec<&String> = modules.iter().filter(|m| layer(m).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "modules without a layer in LAYERS: {unplaced:?}"
    );
    found.sort();
    found.dedup();
    assert!(found.is_empty(), "imports of a higher layer: {found:#?}");
}

#[test]
fn the_check_sees_paths_and_groups() {
    assert_eq!(
        upward("runner", "use crate::cli::Args;\nuse crate::expect::X;"),
        ["runner → cli"]
    );
    assert_eq!(
        upward(
            "expect",
            "use crate::{timeline::Timeline, runner::Verdict};"
        ),
        ["expect → runner"]
    );
    assert_eq!(
        upward("timeline", "let x = crate::scenario::DEFAULT;"),
        Vec::<String>::new()
    );
    assert_eq!(
        upward("scenario", "//! Checked by `crate::expect`."),
        Vec::<String>::new()
    );
}
