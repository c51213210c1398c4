//! The one script of every page: loads the browser bundle and hydrates its islands.
//!
//! Leptos' own `HydrationScripts` waits for `requestIdleCallback` before it even starts
//! to import the bundle, which on a slow phone postpones interactivity by a few hundred
//! milliseconds after the page is shown. Here the bundle is a static import of an `async`
//! inline module script: the browser fetches the JS and the wasm while it parses the page
//! (both are also preloaded), starts compiling the wasm as soon as the JS is there, hydrates
//! the islands once the page is parsed, and then marks `<body data-hydrated>` (end-to-end
//! tests and `make bench` wait for that mark).

use std::sync::OnceLock;

use leptos::config::LeptosOptions;
use leptos::prelude::*;

/// Walks the page in document order and hydrates each `<leptos-island>` with the wasm
/// function its `data-component` names. An island inside another island's children is
/// hydrated after its parent has attached those children (`$$on_hydrate`), as Leptos'
/// own island script does.
const HYDRATE_ISLANDS: &str = r#"
const parents = [];
async function visit(node) {
  const tag = node.tagName;
  if (tag === "LEPTOS-ISLAND") {
    const island = mod[node.dataset.component];
    if (!island) throw new Error(`no wasm function for the island ${node.dataset.component}`);
    const attach = parents[parents.length - 1];
    if (attach) attach();
    await island(node);
  } else if (tag === "LEPTOS-CHILDREN") {
    parents.push(node.$$on_hydrate);
    for (const child of node.children) await visit(child);
    parents.pop();
    return;
  }
  for (const child of node.children) await visit(child);
}
const ready = init({ module_or_path: WASM });
if (document.readyState === "loading") {
  await new Promise((done) => document.addEventListener("DOMContentLoaded", done, { once: true }));
}
await ready;
mod.hydrate();
await visit(document.body);
document.body.setAttribute("data-hydrated", "");
"#;

/// URLs of the bundle's files.
struct Bundle {
    js: String,
    wasm: String,
    css: String,
}

/// The bundle's URLs, with the content hashes cargo-leptos wrote to its hash file beside
/// the server binary when `hash-files` is on; read once, not on every request.
fn bundle(options: &LeptosOptions) -> &'static Bundle {
    static URLS: OnceLock<Bundle> = OnceLock::new();
    URLS.get_or_init(|| {
        let name = options.output_name.to_string();
        let (mut js, mut wasm, mut css) = (name.clone(), name.clone(), name);
        if options.hash_files {
            let hashes = std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())))
                .and_then(|path| std::fs::read_to_string(path).ok())
                .unwrap_or_default();
            for (file, hash) in hashes.lines().filter_map(|l| l.trim().split_once(':')) {
                match file {
                    "js" => js = format!("{js}.{}", hash.trim()),
                    "wasm" => wasm = format!("{wasm}.{}", hash.trim()),
                    "css" => css = format!("{css}.{}", hash.trim()),
                    _ => {}
                }
            }
        } else if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
            wasm.push_str("_bg");
        }
        let pkg = options.site_pkg_dir.as_ref();
        Bundle {
            js: format!("/{pkg}/{js}.js"),
            wasm: format!("/{pkg}/{wasm}.wasm"),
            css: format!("/{pkg}/{css}.css"),
        }
    })
}

/// The site's stylesheet.
#[component]
pub fn Stylesheet(options: LeptosOptions) -> impl IntoView {
    view! { <link id="leptos" rel="stylesheet" href=bundle(&options).css.clone() /> }
}

/// Preloads the bundle and hydrates the page's islands as soon as it is parsed.
#[component]
pub fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    // As Leptos' `HydrationScripts` does in islands mode: outside islands the server
    // writes no hydration markers.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let Bundle { js, wasm, .. } = bundle(&options);
    let nonce = leptos::nonce::use_nonce();
    let script =
        format!("import init, * as mod from {js:?};\nconst WASM = {wasm:?};\n{HYDRATE_ISLANDS}");
    view! {
        <link rel="modulepreload" href=js.clone() />
        <link rel="preload" href=wasm.clone() r#as="fetch" r#type="application/wasm" crossorigin="anonymous" />
        <script type="module" async nonce=nonce>{script}</script>
    }
}
