//! The load client of `bench/live-sync.sh` (not part of the server): many open event
//! streams, and the time from a write to its event arriving. Build it with
//! `cargo build --release -p server --example live_bench`.
//!
//! ```text
//! live_bench prepare BASE USERS OUT.json     sign USERS users up; tokens and one task each
//! live_bench hold BASE USERS.json PER_USER WRITES DIR
//!     opens PER_USER streams for each user, writes DIR/ready once all said `ready`,
//!     waits for DIR/go, then toggles a task WRITES times (one write at a time, users in
//!     turn) and prints the delivery latency of every event to every stream of its user
//! live_bench opens URL HEADER COUNT CONCURRENCY
//!     opens COUNT streams at URL (with the request header `HEADER`, `Name: value`),
//!     CONCURRENCY at a time, each until its `ready`, and prints opens per second
//!     (`bench/ui-door.sh`)
//! ```
//!
//! Output lines start with `LIVE ` and are `key=value` pairs, for the script to read.

use std::{path::PathBuf, sync::Arc, time::Duration};

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::{sync::mpsc, time::Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["prepare", base, users, out] => prepare(base, users.parse()?, out.into()).await,
        ["hold", base, users, per_user, writes, dir] => {
            hold(
                base,
                users.into(),
                per_user.parse()?,
                writes.parse()?,
                dir.into(),
            )
            .await
        }
        ["opens", url, header, count, concurrency] => {
            opens(url, header, count.parse()?, concurrency.parse()?).await
        }
        _ => Err("usage: live_bench prepare BASE USERS OUT.json | hold BASE USERS.json PER_USER WRITES DIR | opens URL HEADER COUNT CONCURRENCY".into()),
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(2048)
        .build()
        .expect("an HTTP client")
}

/// Signs `count` users up (a few at a time: each sign-up hashes a password), with a
/// JWT and one task each.
async fn prepare(base: &str, count: usize, out: PathBuf) -> Result<(), Error> {
    let http = client();
    let started = Instant::now();
    let users: Vec<Value> = futures_util::stream::iter(0..count)
        .map(|n| {
            let http = http.clone();
            let base = base.to_string();
            async move { sign_up(&http, &base, n).await }
        })
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    std::fs::write(&out, serde_json::to_vec(&users)?)?;
    println!(
        "LIVE prepared={count} seconds={:.1}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn sign_up(http: &reqwest::Client, base: &str, n: usize) -> Result<Value, Error> {
    let email = format!("live{n}-{}@example.com", std::process::id());
    let body = json!({ "name": "Live", "email": email, "password": "live bench password" });
    let res = http
        .post(format!("{base}/api/auth/sign-up/email"))
        .json(&body)
        .send()
        .await?
        .error_for_status()?;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("better-auth.session_token="))
        .and_then(|c| c.split(';').next())
        .ok_or("no session cookie")?
        .to_string();
    let user: Value = res.json().await?;
    let id = user["user"]["id"].as_str().ok_or("no user id")?.to_string();
    let token: Value = http
        .get(format!("{base}/api/auth/token"))
        .header("cookie", &cookie)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = token["token"].as_str().ok_or("no token")?.to_string();
    let task: Value = http
        .post(format!("{base}/api/{id}/tasks"))
        .bearer_auth(&token)
        .json(&json!({ "title": "toggled by the live bench" }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(json!({ "id": id, "token": token, "task": task["id"] }))
}

/// Opens the streams, waits for the go-ahead, then measures delivery.
async fn hold(
    base: &str,
    users_file: PathBuf,
    per_user: usize,
    writes: usize,
    dir: PathBuf,
) -> Result<(), Error> {
    let users: Arc<Vec<Value>> = Arc::new(serde_json::from_slice(&std::fs::read(users_file)?)?);
    let http = client();
    let (events, mut arrivals) = mpsc::unbounded_channel::<(usize, Instant)>();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<()>();
    let started = Instant::now();
    for (index, user) in users.iter().enumerate() {
        for _ in 0..per_user {
            let url = format!(
                "{base}/api/{}/tasks/events",
                user["id"].as_str().unwrap_or("")
            );
            let req = http
                .get(url)
                .bearer_auth(user["token"].as_str().unwrap_or(""));
            tokio::spawn(read_stream(req, index, events.clone(), ready_tx.clone()));
        }
    }
    let streams = users.len() * per_user;
    for _ in 0..streams {
        tokio::time::timeout(Duration::from_secs(60), ready_rx.recv())
            .await?
            .ok_or("a stream failed")?;
    }
    println!(
        "LIVE streams={streams} open_seconds={:.2}",
        started.elapsed().as_secs_f64()
    );
    std::fs::write(dir.join("ready"), b"")?;
    while !dir.join("go").exists() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut latencies = Vec::with_capacity(writes * per_user);
    let mut answers = Vec::with_capacity(writes);
    for w in 0..writes {
        let index = w % users.len();
        let user = &users[index];
        let url = format!(
            "{base}/api/{}/tasks/{}/complete",
            user["id"].as_str().unwrap_or(""),
            user["task"]
        );
        let sent = Instant::now();
        http.patch(url)
            .bearer_auth(user["token"].as_str().unwrap_or(""))
            .send()
            .await?
            .error_for_status()?;
        answers.push(sent.elapsed());
        let mut delivered = 0;
        while delivered < per_user {
            let (from, at) = tokio::time::timeout(Duration::from_secs(10), arrivals.recv())
                .await?
                .ok_or("the streams ended")?;
            if from == index {
                latencies.push(at.duration_since(sent));
                delivered += 1;
            }
        }
        // Paced, so that each write is measured on its own.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    latencies.sort();
    answers.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |v: &[Duration], p: f64| {
        ms(v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1])
    };
    println!(
        "LIVE deliveries={} p50_ms={:.2} p99_ms={:.2} max_ms={:.2} write_p50_ms={:.2} write_p99_ms={:.2}",
        latencies.len(),
        pct(&latencies, 0.50),
        pct(&latencies, 0.99),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
        pct(&answers, 0.50),
        pct(&answers, 0.99),
    );
    Ok(())
}

/// Opens `count` streams, `concurrency` at a time, each until its `ready` (then drops
/// it): what opening a stream costs the server, authentication included.
async fn opens(url: &str, header: &str, count: usize, concurrency: usize) -> Result<(), Error> {
    let (name, value) = header.split_once(':').ok_or("HEADER is `Name: value`")?;
    let (name, value) = (name.trim().to_string(), value.trim().to_string());
    let http = client();
    let started = Instant::now();
    let mut times: Vec<Duration> = futures_util::stream::iter(0..count)
        .map(|_| {
            let req = http.get(url).header(&name, &value);
            async move {
                let sent = Instant::now();
                let res = req.send().await?;
                if !res.status().is_success() {
                    return Err(format!("stream refused: {}", res.status()).into());
                }
                let mut body = res.bytes_stream();
                let mut seen = String::new();
                while let Some(chunk) = body.next().await {
                    seen.push_str(&String::from_utf8_lossy(&chunk?));
                    if seen.contains("event: ready") || seen.contains("event:ready") {
                        return Ok::<_, Error>(sent.elapsed());
                    }
                }
                Err("the stream ended before `ready`".into())
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let seconds = started.elapsed().as_secs_f64();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct =
        |p: f64| ms(times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1]);
    println!(
        "LIVE opens={count} opens_per_s={:.0} p50_ms={:.2} p99_ms={:.2}",
        count as f64 / seconds,
        pct(0.50),
        pct(0.99)
    );
    Ok(())
}

/// Reads one stream: says when it is `ready`, then reports every `completed` event.
async fn read_stream(
    req: reqwest::RequestBuilder,
    index: usize,
    events: mpsc::UnboundedSender<(usize, Instant)>,
    ready: mpsc::UnboundedSender<()>,
) {
    let Ok(res) = req.send().await else {
        return;
    };
    if !res.status().is_success() {
        eprintln!("stream refused: {}", res.status());
        return;
    }
    let mut body = res.bytes_stream();
    let mut buffer = String::new();
    while let Some(Ok(chunk)) = body.next().await {
        let at = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.contains("event: ready") || block.contains("event:ready") {
                let _ = ready.send(());
            } else if block.contains("event: completed") || block.contains("event:completed") {
                let _ = events.send((index, at));
            }
        }
    }
}
