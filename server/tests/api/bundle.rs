//! The bundle (`/pkg/*`) is served from copies compressed once and as hard as gzip
//! and Brotli go, cached on disk by content; a file changed since is served as it is
//! now (gzipped on the fly, or as it is), never from a stale copy.

use std::{fs, time::Duration};

use crate::helpers::TestApp;

/// Some WASM-sized text that compresses well, different for each `seed`.
fn content(seed: u32, lines: u32) -> Vec<u8> {
    (0..lines)
        .map(|i| {
            format!(
                "export function f{i}_{seed}(x) {{ return x * {} + {seed}; }}\n",
                i % 97
            )
        })
        .collect::<String>()
        .into_bytes()
}

async fn get(app: &TestApp, path: &str, encoding: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("accept-encoding", encoding)
        .send()
        .await
        .unwrap()
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &data[..], &mut out).expect("valid brotli");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundle_is_served_from_copies_compressed_once() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    fs::create_dir_all(&pkg).unwrap();
    let original = content(1, 400);
    fs::write(pkg.join("app.wasm"), &original).unwrap();
    // A copy an earlier build left in the cache goes.
    let cache = pkg.join(".compressed");
    fs::create_dir_all(&cache).unwrap();
    fs::write(cache.join("0123abcd.br"), b"old").unwrap();
    let app = TestApp::builder()
        .site_root(site.path().to_str().unwrap())
        .spawn()
        .await;

    // Once compressed (a moment after start), the answer is the cached Brotli copy;
    // until then, gzip on the fly (the compression layer makes no Brotli).
    let mut br = Vec::new();
    for _ in 0..200 {
        let cached = fs::read_dir(&cache).ok().and_then(|mut d| {
            d.find_map(|e| {
                let p = e.ok()?.path();
                (p.extension()? == "br").then(|| fs::read(p).ok()).flatten()
            })
        });
        let res = get(&app, "/pkg/app.wasm", "gzip, deflate, br").await;
        assert_eq!(res.status(), 200);
        let brotli = res.headers()["content-encoding"] == "br";
        let body = res.bytes().await.unwrap().to_vec();
        if brotli && cached.as_deref() == Some(&body[..]) {
            br = body;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!br.is_empty(), "the Brotli copy was never served");
    assert!(!cache.join("0123abcd.br").exists());
    assert_eq!(unbrotli(&br), original);

    // gzip for a client without Brotli: Zopfli's, smaller than the on-the-fly one.
    let res = get(&app, "/pkg/app.wasm", "gzip").await;
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.headers()["content-type"], "application/wasm");
    assert_eq!(res.headers()["vary"], "accept-encoding");
    let modified = res.headers()["last-modified"].to_str().unwrap().to_string();
    let gzip = res.bytes().await.unwrap();
    assert_eq!(&gzip[..2], &[0x1f, 0x8b]);
    // Not for a client that refuses both; and unchanged since: 304.
    let res = get(&app, "/pkg/app.wasm", "identity, br;q=0").await;
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.bytes().await.unwrap().to_vec(), original);
    let res = app
        .client
        .get(app.url("/pkg/app.wasm"))
        .header("accept-encoding", "br")
        .header("if-modified-since", &modified)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);

    // The file is rebuilt: what is served is the new file, not the old copy.
    let rebuilt = content(2, 450);
    fs::write(pkg.join("app.wasm"), &rebuilt).unwrap();
    let res = get(&app, "/pkg/app.wasm", "br").await;
    assert_eq!(res.status(), 200);
    let brotli = res
        .headers()
        .get("content-encoding")
        .is_some_and(|e| e == "br");
    let body = res.bytes().await.unwrap().to_vec();
    let served = if brotli { unbrotli(&body) } else { body };
    assert_eq!(served, rebuilt);
    app.cleanup().await;
}
