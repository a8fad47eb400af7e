//! The bundle (`/pkg/*`) compressed once, as hard as the formats allow: gzip by
//! Zopfli and Brotli at quality 11, where the response layer compresses each answer
//! quickly (gzip 6; it makes no Brotli, see `middleware`). The WASM that every page with
//! an island loads shrinks by about 4 KB gzipped and 10 KB with Brotli.
//!
//! That takes seconds, so it is done once per build, at the first start (before it
//! serves in a release build; in the background in a debug build, whose development
//! loop restarts often), kept in memory and cached on disk under `<pkg>/.compressed/`
//! by the SHA-256 of each file (a rebuilt file has a new name there, so nothing stale is
//! ever served); later starts read the cache. Until the copies are ready, or for a file
//! changed since (`cargo leptos watch`), the answer is the usual one: the file,
//! gzipped on the fly (as it is for a client without gzip).

use std::{
    collections::HashMap,
    fs,
    io::Write,
    path::{Path, PathBuf},
    sync::{Arc, OnceLock},
    time::SystemTime,
};

use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use httpdate::HttpDate;
use sha2::{Digest, Sha256};

/// One file's compressed copies, and what the file was when they were made.
struct Compressed {
    modified: SystemTime,
    len: u64,
    /// `modified` as HTTP says it (whole seconds), for `Last-Modified` and the 304.
    last_modified: HttpDate,
    /// What `ServeDir` would send as `Content-Type` for the file.
    content_type: &'static str,
    gzip: Bytes,
    br: Bytes,
}

/// The bundle's files by name, filled once the background work is done.
#[derive(Clone)]
pub struct Bundle {
    /// The URL path the files are under, with its trailing slash (`/pkg/`).
    prefix: String,
    dir: PathBuf,
    ready: Arc<OnceLock<HashMap<String, Compressed>>>,
}

impl Bundle {
    /// Starts compressing the files of `dir` (once per directory and process: the
    /// tests start many apps on one site).
    pub fn start(prefix: &str, dir: &Path) -> Self {
        static STARTED: OnceLock<std::sync::Mutex<HashMap<PathBuf, Bundle>>> = OnceLock::new();
        let started = STARTED.get_or_init(Default::default);
        let mut started = started.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bundle) = started.get(dir) {
            return bundle.clone();
        }
        let bundle = Bundle {
            prefix: format!("{}/", prefix.trim_end_matches('/')),
            dir: dir.to_path_buf(),
            ready: Arc::new(OnceLock::new()),
        };
        if dir.is_dir() {
            // Copies cached by an earlier start serve from the first request on.
            if let Some(found) = compress_all(dir, false) {
                let _ = bundle.ready.set(found);
            } else if cfg!(debug_assertions) {
                // The development loop restarts on every change: it does not wait.
                let (dir, ready) = (bundle.dir.clone(), bundle.ready.clone());
                std::thread::spawn(move || {
                    let _ = ready.set(compress_all(&dir, true).unwrap_or_default());
                });
            } else {
                // A release's first start waits the seconds it takes, so that every
                // answer it gives is the smallest.
                let _ = bundle
                    .ready
                    .set(compress_all(dir, true).unwrap_or_default());
            }
        }
        started.insert(dir.to_path_buf(), bundle.clone());
        bundle
    }

    /// The compressed answer to a GET of `/pkg/<name>`, if there is one for this
    /// client and the file is still the one compressed.
    fn answer(&self, name: &str, headers: &HeaderMap) -> Option<Response> {
        let found = self.ready.get()?.get(name)?;
        let meta = fs::metadata(self.dir.join(name)).ok()?;
        if meta.modified().ok()? != found.modified || meta.len() != found.len {
            return None;
        }
        let (encoding, body) = match preferred(headers) {
            Some("br") => ("br", found.br.clone()),
            Some(_) => ("gzip", found.gzip.clone()),
            None => return None,
        };
        let unchanged = headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok()?.parse::<HttpDate>().ok())
            .is_some_and(|since| found.last_modified <= since);
        let common = [
            (header::VARY, HeaderValue::from_static("accept-encoding")),
            (
                header::LAST_MODIFIED,
                HeaderValue::from_str(&found.last_modified.to_string()).ok()?,
            ),
        ];
        if unchanged {
            return Some((StatusCode::NOT_MODIFIED, common).into_response());
        }
        let typed = [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(found.content_type),
            ),
            (header::CONTENT_ENCODING, HeaderValue::from_static(encoding)),
        ];
        Some((common, typed, Body::from(body)).into_response())
    }
}

/// Answers GETs of the bundle's files from their compressed copies when it can.
pub async fn serve(
    axum::extract::State(bundle): axum::extract::State<Bundle>,
    request: Request,
    next: Next,
) -> Response {
    let name = request
        .uri()
        .path()
        .strip_prefix(bundle.prefix.as_str())
        .filter(|name| !name.contains('/'));
    if let (true, Some(name)) = (request.method() == Method::GET, name) {
        if let Some(answer) = bundle.answer(name, request.headers()) {
            return answer;
        }
    }
    next.run(request).await
}

/// The best coding the client takes: `br`, else `gzip` (none with `q=0`).
fn preferred(headers: &HeaderMap) -> Option<&'static str> {
    let accepted: Vec<(String, bool)> = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name, !refused)
        })
        .collect();
    let takes = |coding: &str| accepted.iter().any(|(n, ok)| *ok && n == coding);
    if takes("br") {
        Some("br")
    } else if takes("gzip") {
        Some("gzip")
    } else {
        None
    }
}

/// Every file of `dir` (not its folders), read from the cache or, if `make`,
/// compressed now (`None`: one was not cached and `make` was not asked).
fn compress_all(dir: &Path, make: bool) -> Option<HashMap<String, Compressed>> {
    let cache = dir.join(".compressed");
    let mut out = HashMap::new();
    let mut keys = Vec::new();
    let entries = fs::read_dir(dir).ok()?;
    for entry in entries.flatten() {
        let path = entry.path();
        let (Ok(meta), Some(name)) = (entry.metadata(), path.file_name().and_then(|n| n.to_str()))
        else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let Ok(data) = fs::read(&path) else { continue };
        let key = format!("{:x}", Sha256::digest(&data));
        keys.push(key.clone());
        let gzip = cached(&cache, &format!("{key}.gz"), make, || zopfli_gzip(&data));
        let br = cached(&cache, &format!("{key}.br"), make, || brotli_11(&data));
        if !make && (gzip.is_none() || br.is_none()) {
            return None;
        }
        if let (Some(gzip), Some(br), Ok(modified)) = (gzip, br, meta.modified()) {
            out.insert(
                name.to_string(),
                Compressed {
                    modified,
                    len: meta.len(),
                    last_modified: HttpDate::from(modified),
                    content_type: mime_guess::from_path(name)
                        .first_raw()
                        .unwrap_or("application/octet-stream"),
                    gzip: Bytes::from(gzip),
                    br: Bytes::from(br),
                },
            );
        }
    }
    if make {
        prune(&cache, &keys);
        tracing::info!(files = out.len(), "bundle compressed (zopfli, brotli 11)");
    }
    Some(out)
}

/// Removes the copies of earlier builds' files from the cache.
fn prune(cache: &Path, keep: &[String]) {
    let Ok(entries) = fs::read_dir(cache) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let key = name.to_str().and_then(|n| n.split('.').next());
        if key.is_some_and(|k| !k.is_empty() && !keep.iter().any(|kept| kept == k)) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The cache's copy of `name`, or (if `make`) `compress`'s, written to the cache
/// (atomically: other instances may be doing the same) when the folder can be written.
fn cached(
    cache: &Path,
    name: &str,
    make: bool,
    compress: impl FnOnce() -> Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    let path = cache.join(name);
    if let Ok(found) = fs::read(&path) {
        return Some(found);
    }
    if !make {
        return None;
    }
    let made = compress()?;
    let written = fs::create_dir_all(cache).and_then(|()| {
        let tmp = cache.join(format!(".{name}.{}", std::process::id()));
        fs::File::create(&tmp)?.write_all(&made)?;
        fs::rename(&tmp, &path)
    });
    if let Err(e) = written {
        tracing::debug!(error = %e, "compressed bundle not cached on disk");
    }
    Some(made)
}

fn zopfli_gzip(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        data,
        &mut out,
    )
    .ok()?;
    Some(out)
}

fn brotli_11(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).ok()?;
    Some(out)
}
