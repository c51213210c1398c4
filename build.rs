//! Compiles the translations in `locales/` into the `i18n` module (server only): every key
//! and placeholder the code uses is checked at compile time, and every text can be
//! rendered as a plain string (`interpolate_display`), not only as a view.

use std::path::PathBuf;

use leptos_i18n_parser::parse_locales::options::{Config, ParseOptions};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=locales");
    // The browser bundle carries no translations.
    if std::env::var_os("CARGO_FEATURE_SSR").is_none() {
        return;
    }
    let cfg = Config::new("en")
        .and_then(|c| c.add_locales(["zh-CN", "zh-TW"]))
        .expect("locale names are valid")
        .parse_options(ParseOptions::default().interpolate_display(true));
    let parsed = leptos_i18n_parser::parse_locales::parse_locales(None, cfg)
        .unwrap_or_else(|e| panic!("locales/: {e}"));
    // A missing or surplus key is an error here, not a warning.
    if let Some(warning) = parsed.diag.warnings().first() {
        panic!("locales/: {warning}");
    }
    let code = leptos_i18n_codegen::gen_code(&parsed, None, false, None, false)
        .unwrap_or_else(|e| panic!("locales/: {e}"));
    let dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("i18n");
    std::fs::create_dir_all(&dir).expect("create OUT_DIR/i18n");
    std::fs::write(dir.join("mod.rs"), code.to_string()).expect("write the i18n module");
}
