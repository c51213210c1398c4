#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        // Operator commands: `accord partners list`, `accord partners approve <tenant>`.
        Some("partners") => accord::server::cli::partners(&args[1..])
            .await
            .map(|out| print!("{out}")),
        Some(other) => Err(format!(
            "unknown command \"{other}\"; run `accord` to serve, or `accord partners list`"
        )),
        None => accord::server::run().await,
    };
    if let Err(message) = result {
        eprintln!("accord: {message}");
        std::process::exit(1);
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser entry point is `accord::hydrate`; this binary needs the `ssr` feature.
}
