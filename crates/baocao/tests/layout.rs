//! The shape of the code, checked so that it stays as docs/architecture.md
//! draws it: one ledger vocabulary written through one door, handlers that
//! parse, make one app call and render, files a newcomer can read, and the
//! same migrations for both databases. Each check reads the sources as text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The non-test source of every crate: `crates/*/src/**.rs`, without files
/// that are test modules and without what follows `#[cfg(test)]`.
fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for krate in std::fs::read_dir(root().join("crates")).unwrap() {
        let src = krate.unwrap().path().join("src");
        if !src.is_dir() {
            continue;
        }
        for path in rust_files(&src) {
            if path.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = match text.find("#[cfg(test)]") {
                Some(at) => text[..at].to_string(),
                None => text,
            };
            let name = path
                .strip_prefix(root())
                .unwrap_or(&path)
                .display()
                .to_string();
            out.push((name, code));
        }
    }
    out
}

/// The ledger's action names, read from the one enum that spells them.
fn action_names() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("crates/domain/src/audit/mod.rs")).unwrap();
    let body = &text[text.find("pub fn as_str(self)").unwrap()..];
    let body = &body[..body.find("\n    }\n").unwrap()];
    let names: Vec<String> = body
        .lines()
        .filter_map(|l| {
            l.split_once("=> \"")
                .map(|(_, r)| r.trim_end_matches("\","))
        })
        .map(str::to_string)
        .collect();
    assert!(
        names.len() > 25,
        "the action names were not found: {names:?}"
    );
    names
}

#[test]
fn no_literal_action_name_outside_the_enum() {
    let names = action_names();
    let mut found = Vec::new();
    for (file, code) in sources() {
        if file.ends_with("crates/domain/src/audit/mod.rs") {
            continue;
        }
        for name in &names {
            for quoted in [format!("\"{name}\""), format!("'{name}'")] {
                if code.contains(&quoted) {
                    found.push(format!("{file}: {quoted}"));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "ledger action names spelled outside baocao_domain::audit::Action:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_ledger_module_writes_the_ledger() {
    let mut found = Vec::new();
    for (file, code) in sources() {
        if file.ends_with("crates/app/src/ledger.rs") || file.contains("crates/store/src/") {
            continue;
        }
        for call in ["ledger::append(", "ledger::append_many(", "append_many("] {
            if code.contains(call) {
                found.push(format!("{file}: {call}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "ledger entries written around baocao_app::ledger:\n{}",
        found.join("\n")
    );
}

/// A function of a handler file: its name and body.
struct Function {
    name: String,
    body: String,
}

/// The functions of a file, cut at each `fn` at the start of a line (after
/// `pub`, `pub(super)`, `async`); each runs to the next.
fn functions(code: &str) -> Vec<Function> {
    let mut out: Vec<Function> = Vec::new();
    for line in code.lines() {
        let trimmed = line.trim_start();
        let head = ["pub(crate) ", "pub(super) ", "pub ", "async "]
            .iter()
            .fold(trimmed, |t, p| t.strip_prefix(p).unwrap_or(t));
        let head = head.strip_prefix("async ").unwrap_or(head);
        if let Some(rest) = head.strip_prefix("fn ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(Function {
                name,
                body: String::new(),
            });
        } else if let Some(f) = out.last_mut() {
            f.body.push_str(line);
            f.body.push('\n');
        }
    }
    out
}

/// How many times `body` calls into the application: `app.NAME(` after
/// anything but a letter (so `state.app.report(` and `app.report(` count),
/// whitespace ignored.
fn app_calls(body: &str) -> usize {
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .match_indices("app.")
        .filter(|(i, _)| {
            let before = compact[..*i].chars().last();
            before.is_none_or(|c| !c.is_alphanumeric() && c != '_')
        })
        .filter(|(i, _)| {
            let name: String = compact[i + 4..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            !name.is_empty() && compact[i + 4 + name.len()..].starts_with('(')
        })
        .count()
}

#[test]
fn no_handler_makes_more_than_one_app_call() {
    let handler_sources: Vec<(String, String)> = sources()
        .into_iter()
        .filter(|(file, _)| {
            file.contains("crates/web/src/pages/") || file.contains("crates/web/src/api/")
        })
        .collect();
    let codes: std::collections::HashMap<&str, &str> = handler_sources
        .iter()
        .map(|(f, c)| (f.as_str(), c.as_str()))
        .collect();
    let files: Vec<(String, Vec<Function>)> = handler_sources
        .iter()
        .map(|(file, code)| (file.clone(), functions(code)))
        .collect();
    // A function calling a helper that calls the app (in any handler file of
    // its folder, however deep) counts that call too.
    let folder = |file: &str| {
        file.rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string())
    };
    let all: Vec<(String, &Function)> = files
        .iter()
        .flat_map(|(file, fns)| fns.iter().map(move |f| (folder(file), f)))
        .collect();
    let mut calling: BTreeSet<(String, String)> = all
        .iter()
        .filter(|(_, f)| app_calls(&f.body) > 0)
        .map(|(dir, f)| (dir.clone(), f.name.clone()))
        .collect();
    loop {
        let more: Vec<(String, String)> = all
            .iter()
            .filter(|(dir, f)| !calling.contains(&(dir.clone(), f.name.clone())))
            .filter(|(dir, f)| {
                calling
                    .iter()
                    .any(|(d, name)| d == dir && calls_fn(&f.body, name))
            })
            .map(|(dir, f)| (dir.clone(), f.name.clone()))
            .collect();
        if more.is_empty() {
            break;
        }
        calling.extend(more);
    }
    let mut found = Vec::new();
    for (file, fns) in &files {
        let dir = folder(file);
        // A helper of another file counts where this file imports it.
        let own: BTreeSet<&str> = fns.iter().map(|f| f.name.as_str()).collect();
        let imports: String = codes[file.as_str()]
            .lines()
            .filter(|l| l.trim_start().starts_with("use "))
            .collect();
        let reachable = |name: &str| own.contains(name) || imports.contains(name);
        for f in fns {
            let helpers: Vec<&String> = calling
                .iter()
                .filter(|(d, name)| *d == dir && *name != f.name && reachable(name))
                .filter(|(_, name)| calls_fn(&f.body, name))
                .map(|(_, name)| name)
                .collect();
            let calls = app_calls(&f.body) + helpers.len();
            if calls > 1 {
                found.push(format!(
                    "{file}: {} makes {calls} app calls (through {helpers:?})",
                    f.name
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "a handler parses, makes one app call and renders:\n{}",
        found.join("\n")
    );
}

/// Whether `body` calls a function named `name` (not a method or a field of
/// that name: `name(` after anything but a letter, `.` or `_`).
fn calls_fn(body: &str, name: &str) -> bool {
    body.match_indices(&format!("{name}(")).any(|(i, _)| {
        let before = body[..i].chars().last();
        // Not a method, a field or an attribute (`#[template(…)]`).
        before.is_none_or(|c| !c.is_alphanumeric() && !matches!(c, '_' | '.' | '[' | ':'))
    })
}

#[test]
fn no_source_file_is_over_800_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(_, code)| code.lines().count() > 800)
        .map(|(file, code)| format!("{file}: {} lines", code.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these:\n{}", long.join("\n"));
}

#[test]
fn both_databases_have_the_same_migrations() {
    let versions = |backend: &str| -> Vec<String> {
        let dir = root().join("crates/store/migrations").join(backend);
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        names.sort();
        names
    };
    let (sqlite, postgres) = (versions("sqlite"), versions("postgres"));
    assert!(sqlite.len() >= 16);
    assert_eq!(
        sqlite, postgres,
        "a migration written for one database only"
    );
}
