#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first() {
        // Operator commands (`accord help` lists them).
        Some(_) => accord::server::cli::command(&args)
            .await
            .map(|out| print!("{out}")),
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
