//! The compiled bundle under `/pkg`: precompressed once at start-up, then served straight
//! from disk with brotli or gzip and cached forever (the file names carry a content hash).

use std::path::{Path, PathBuf};

use leptos::config::LeptosOptions;

pub fn pkg_dir(options: &LeptosOptions) -> PathBuf {
    Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref())
}

/// Writes `.br` and `.gz` siblings for every file that lacks an up-to-date one.
pub async fn precompress(options: &LeptosOptions) {
    let dir = pkg_dir(options);
    let result = tokio::task::spawn_blocking(move || compress_dir(&dir)).await;
    match result {
        Ok(Ok(n)) if n > 0 => tracing::info!(files = n, "precompressed static files"),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "could not precompress static files; serving them uncompressed")
        }
        Err(e) => tracing::warn!(error = %e, "precompression task failed"),
    }
}

fn compress_dir(dir: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_compressed = matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz"));
        if !path.is_file() || is_compressed {
            continue;
        }
        let data = std::fs::read(&path)?;
        let modified = std::fs::metadata(&path)?.modified()?;
        for (ext, compress) in [
            ("br", brotli_bytes as fn(&[u8]) -> std::io::Result<Vec<u8>>),
            ("gz", gzip_bytes),
        ] {
            let target = PathBuf::from(format!("{}.{ext}", path.display()));
            let fresh = std::fs::metadata(&target)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= modified);
            if !fresh {
                std::fs::write(&target, compress(&data)?)?;
                written += 1;
            }
        }
    }
    Ok(written)
}

fn brotli_bytes(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut std::io::Cursor::new(data), &mut out, &params)?;
    Ok(out)
}

fn gzip_bytes(data: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data)?;
    enc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_brotli_and_gzip_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("app.abc.js"),
            "console.log('hello');".repeat(100),
        )
        .unwrap();
        assert_eq!(compress_dir(dir.path()).unwrap(), 2);
        assert_eq!(
            compress_dir(dir.path()).unwrap(),
            0,
            "up-to-date files are kept"
        );
        let br = std::fs::read(dir.path().join("app.abc.js.br")).unwrap();
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut std::io::Cursor::new(br), &mut plain).unwrap();
        assert_eq!(plain.len(), 2100);
        assert!(dir.path().join("app.abc.js.gz").exists());
    }
}
