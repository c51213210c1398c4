//! The shape of the server, checked from the source: `src/server/` is cut into rooms by
//! capability, and what may import what is a rule (README, "Architecture"):
//!
//! - `platform` imports nothing else of the server;
//! - `events` imports only `platform`;
//! - a capability imports `platform`, `events` and the capabilities before it in the order
//!   identity → relationships → handshake → activity → integrations (activity needs only
//!   identity), never one after it;
//! - the composition root (`server/mod.rs`, `cli`, `demo`) may import any room.
//!
//! Besides: no module of the server imports another in a loop, no file of it is longer than
//! 700 lines, and the server reaches the pages only through the router (`platform::http`
//! renders `crate::app`); components and server functions never import pages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which rooms each room may import (besides itself).
const ALLOWED: &[(&str, &[&str])] = &[
    ("platform", &[]),
    ("events", &["platform"]),
    ("identity", &["platform", "events"]),
    ("relationships", &["platform", "events", "identity"]),
    (
        "handshake",
        &["platform", "events", "identity", "relationships"],
    ),
    ("activity", &["platform", "events", "identity"]),
    (
        "integrations",
        &[
            "platform",
            "events",
            "identity",
            "relationships",
            "handshake",
        ],
    ),
];
/// The composition root: may import every room.
const ROOT: &[&str] = &["", "cli", "demo"];
const LONGEST_FILE: usize = 700;

type Module = Vec<String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file under `src/server` defines (`platform/db.rs` → `platform::db`).
fn module_of(server: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(server).unwrap();
    let mut parts: Module = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its test module (tests may reach
/// anything they check).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            // `//` inside a string (a URL) is rare in paths we look for; cut at comments.
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths that follow `prefix` in `code`, braces expanded one level
/// (`super::{a, b::c}` gives `a` and `b::c`).
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        let mut starts = vec![rest];
        let braced;
        if rest.starts_with('{') {
            let end = rest.find('}').unwrap_or(rest.len());
            braced = rest[1..end].to_string();
            starts = braced.split(',').map(str::trim).collect();
        }
        for s in starts {
            let path: String = s
                .chars()
                .take_while(|c| is_ident(*c) || *c == ':')
                .collect();
            let segments: Vec<String> = path
                .split("::")
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            if !segments.is_empty() {
                out.push(segments);
            }
        }
    }
    out
}

/// The longest module named by `path` from `base`, if any.
fn resolve(modules: &BTreeSet<Module>, base: &[String], path: &[String]) -> Option<Module> {
    let mut best = None;
    let mut candidate: Module = base.to_vec();
    if modules.contains(&candidate) {
        best = Some(candidate.clone());
    }
    for segment in path {
        candidate.push(segment.clone());
        if modules.contains(&candidate) {
            best = Some(candidate.clone());
        } else {
            break;
        }
    }
    best
}

struct Server {
    files: BTreeMap<Module, (PathBuf, String)>,
    modules: BTreeSet<Module>,
}

fn server() -> Server {
    let server_dir = src().join("server");
    let mut paths = Vec::new();
    rust_files(&server_dir, &mut paths);
    let mut files = BTreeMap::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        files.insert(module_of(&server_dir, &path), (path, text));
    }
    let modules = files.keys().cloned().collect();
    Server { files, modules }
}

/// Every module each module of the server imports.
fn imports(s: &Server) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut graph = BTreeMap::new();
    for (module, (_, text)) in &s.files {
        let code = code_of(text);
        // `super` of module `a::b` is `a`.
        let parent: Module = module[..module.len().saturating_sub(1)].to_vec();
        let mut targets = BTreeSet::new();
        for p in paths_after(&code, "crate::server::") {
            targets.extend(resolve(&s.modules, &[], &p));
        }
        for p in paths_after(&code, "super::") {
            let mut base = parent.clone();
            let mut rest = &p[..];
            while rest.first().is_some_and(|x| x == "super") {
                base.pop();
                rest = &rest[1..];
            }
            targets.extend(resolve(&s.modules, &base, rest));
        }
        // `use child::…`: a module names its own children directly.
        for line in code.lines().map(str::trim) {
            let line = line.strip_prefix("pub ").unwrap_or(line);
            let Some(rest) = line.strip_prefix("use ") else {
                continue;
            };
            let first: String = rest.chars().take_while(|c| is_ident(*c)).collect();
            let mut child = module.clone();
            child.push(first);
            if s.modules.contains(&child) && &child != module {
                targets.insert(child);
            }
        }
        targets.remove(module);
        graph.insert(module.clone(), targets);
    }
    graph
}

fn room(module: &[String]) -> &str {
    module.first().map(String::as_str).unwrap_or("")
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "server".to_string()
    } else {
        format!("server::{}", module.join("::"))
    }
}

#[test]
fn rooms_import_only_the_rooms_before_them() {
    let s = server();
    let graph = imports(&s);
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (module, targets) in &graph {
        let from = room(module);
        if ROOT.contains(&from) {
            continue;
        }
        let Some(may) = allowed.get(from) else {
            wrong.push(format!("{} is in no known room", name(module)));
            continue;
        };
        for target in targets {
            let to = room(target);
            if to != from && !may.contains(&to) {
                wrong.push(format!("{} imports {}", name(module), name(target)));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the rule:\n{}",
        wrong.join("\n")
    );
    // The check sees imports at all: the handshake does use identity and relationships.
    let handshake_accept = graph
        .get(&vec!["handshake".to_string(), "accept".to_string()])
        .expect("server::handshake::accept");
    assert!(handshake_accept.iter().any(|m| room(m) == "relationships"));
}

#[test]
fn no_module_of_the_server_imports_in_a_loop() {
    let graph = imports(&server());
    // Depth-first search; a module met again on the current path closes a loop.
    fn visit(
        m: &Module,
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        path: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
        loops: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == m) {
            let cycle: Vec<String> = path[i..].iter().chain([m]).map(|x| name(x)).collect();
            loops.push(cycle.join(" → "));
            return;
        }
        if !done.insert(m.clone()) {
            return;
        }
        path.push(m.clone());
        for next in graph.get(m).into_iter().flatten() {
            visit(next, graph, path, done, loops);
        }
        path.pop();
    }
    let mut loops = Vec::new();
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done, &mut loops);
    }
    assert!(loops.is_empty(), "import loops:\n{}", loops.join("\n"));
}

#[test]
fn no_server_file_is_longer_than_700_lines() {
    let s = server();
    let long: Vec<String> = s
        .files
        .values()
        .filter(|(_, text)| text.lines().count() > LONGEST_FILE)
        .map(|(path, text)| format!("{} ({} lines)", path.display(), text.lines().count()))
        .collect();
    assert!(long.is_empty(), "too long: {long:?}");
}

#[test]
fn pages_are_reached_only_through_the_router() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(src())
            .unwrap()
            .to_string_lossy()
            .to_string();
        let code = code_of(&std::fs::read_to_string(&path).unwrap());
        let forbidden: &[&str] = if rel.starts_with("server/") {
            if rel == "server/platform/http.rs" {
                &["crate::api", "crate::pages", "crate::components"]
            } else {
                &[
                    "crate::api",
                    "crate::pages",
                    "crate::components",
                    "crate::app",
                ]
            }
        } else if rel.starts_with("components/") || rel.starts_with("api/") {
            &["crate::pages", "crate::app"]
        } else if rel.starts_with("domain/") || rel == "routes.rs" {
            &[
                "crate::api",
                "crate::pages",
                "crate::components",
                "crate::server",
            ]
        } else {
            &[]
        };
        for f in forbidden {
            if code.contains(f) {
                wrong.push(format!("{rel} uses {f}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The body of `pub enum <name> { … }` in `code` (comments removed).
fn enum_body<'a>(code: &'a str, name: &str) -> &'a str {
    let start = code
        .find(&format!("pub enum {name} {{"))
        .unwrap_or_else(|| panic!("enum {name} not found"));
    let body = &code[start..];
    let mut depth = 0;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &body[..i];
                }
            }
            _ => {}
        }
    }
    panic!("enum {name} not closed")
}

/// Errors are read back from URLs anyone can write (a form post's `__err`): every text
/// they carry is `Said`, which is never read back, so no error can bring foreign words
/// onto a page.
#[test]
fn errors_carry_no_text_that_is_read_back() {
    for (file, name) in [("domain/problem.rs", "Problem"), ("error.rs", "AppError")] {
        let code = code_of(&std::fs::read_to_string(src().join(file)).unwrap());
        let body = enum_body(&code, name);
        for word in ["String", "str", "Cow", "Box", "Vec"] {
            let found = body
                .split(|c: char| !is_ident(c))
                .any(|ident| ident == word);
            assert!(!found, "enum {name} in {file} holds a {word}: use `Said`");
        }
    }
}
