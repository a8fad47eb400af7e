//! 200 concurrent writers lose nothing, and 200 concurrent mixed writes leave every row
//! and the tag index consistent.

use std::{
    collections::{BTreeMap, BTreeSet},
    time::Instant,
};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{ids, list, many_users};
use crate::helpers::TestApp;

/// Outcome of a spawned request: status and body text, or the transport error.
type Outcome = Result<(StatusCode, String), String>;

fn spawn_send(req: reqwest::RequestBuilder) -> tokio::task::JoinHandle<Outcome> {
    tokio::spawn(async move {
        let res = req.send().await.map_err(|e| format!("transport: {e}"))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| format!("body: {e}"))?;
        Ok((status, text))
    })
}

const WRITERS: usize = 20;
const CREATES_PER_WRITER: usize = 10;

async fn two_hundred_concurrent_writers_lose_nothing(app: &TestApp) {
    let users = many_users(app, "writer", WRITERS).await;

    // Phase 1: 20 users x 10 creates, all in flight at once.
    let started = Instant::now();
    let mut handles = Vec::new();
    for (u, who) in users.iter().enumerate() {
        for i in 0..CREATES_PER_WRITER {
            let priority = ["low", "medium", "high"][i % 3];
            let body = json!({
                "title": format!("writer {u} task {i}"),
                "description": format!("written concurrently by {u}"),
                "tags": [format!("w{u}"), "load"],
                "priority": priority,
                "due_date": format!("2027-01-{:02}", i + 1),
            });
            let req = app
                .api(who, Method::POST, &format!("/api/{}/tasks", who.id))
                .json(&body);
            handles.push((u, i, spawn_send(req)));
        }
    }
    let mut acknowledged: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); WRITERS];
    let mut failures = Vec::new();
    for (u, i, handle) in handles {
        match handle.await.unwrap() {
            Ok((StatusCode::CREATED, text)) => {
                let task: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(task["user_id"], users[u].id.as_str());
                assert_eq!(task["title"], format!("writer {u} task {i}"));
                let fresh = acknowledged[u].insert(task["id"].as_i64().unwrap());
                assert!(fresh, "an id was acknowledged twice: {text}");
            }
            Ok((status, text)) => failures.push(format!("writer {u} task {i}: {status} {text}")),
            Err(e) => failures.push(format!("writer {u} task {i}: {e}")),
        }
    }
    eprintln!(
        "[{:?}] 200 concurrent creates in {:?}",
        app.backend,
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of 200 concurrent creates failed, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let all: BTreeSet<i64> = acknowledged.iter().flatten().copied().collect();
    assert_eq!(all.len(), WRITERS * CREATES_PER_WRITER, "ids are unique");

    // Every acknowledged id is there, per user, with exact counts (list, tag index, GET).
    for (u, who) in users.iter().enumerate() {
        let (tasks, total) = list(app, who, "limit=200").await;
        assert_eq!(total, CREATES_PER_WRITER as i64, "writer {u}: total");
        assert_eq!(ids(&tasks), acknowledged[u], "writer {u}: ids");
        let (tagged, tagged_total) = list(app, who, &format!("tag=w{u}&limit=200")).await;
        assert_eq!(tagged_total, CREATES_PER_WRITER as i64, "writer {u}: tag");
        assert_eq!(ids(&tagged), acknowledged[u]);
        let (_, load_total) = list(app, who, "tag=load").await;
        assert_eq!(
            load_total, CREATES_PER_WRITER as i64,
            "writer {u}: shared tag"
        );
        let first = acknowledged[u].iter().next().unwrap();
        let res = app
            .send(who, Method::GET, &format!("/api/{}/tasks/{first}", who.id))
            .await;
        assert_eq!(res.status(), 200, "writer {u}: GET {first}");
    }

    // Phase 2: 200 concurrent mixed writes. Per user (10 each): 4 toggles of task 0
    // (even: back to pending), 3 rewrites of task 1's tags, 3 deletes (tasks 2-4).
    let started = Instant::now();
    let tag_sets = [
        vec!["alpha", "beta"],
        vec!["gamma"],
        vec!["delta", "alpha", "eps"],
    ];
    let mut handles = Vec::new();
    let mut plans = Vec::new();
    for (u, who) in users.iter().enumerate() {
        let mine: Vec<i64> = acknowledged[u].iter().copied().collect();
        let base = format!("/api/{}/tasks", who.id);
        for _ in 0..4 {
            let req = app.api(who, Method::PATCH, &format!("{base}/{}/complete", mine[0]));
            handles.push((u, "toggle", spawn_send(req)));
        }
        for tags in &tag_sets {
            let req = app
                .api(who, Method::PUT, &format!("{base}/{}", mine[1]))
                .json(&json!({ "tags": tags, "priority": "high" }));
            handles.push((u, "retag", spawn_send(req)));
        }
        for id in &mine[2..5] {
            let req = app.api(who, Method::DELETE, &format!("{base}/{id}"));
            handles.push((u, "delete", spawn_send(req)));
        }
        plans.push(mine);
    }
    assert_eq!(handles.len(), 200);
    let mut failures = Vec::new();
    for (u, what, handle) in handles {
        match handle.await.unwrap() {
            Ok((status, _)) if status.is_success() => {}
            Ok((status, text)) => failures.push(format!("writer {u} {what}: {status} {text}")),
            Err(e) => failures.push(format!("writer {u} {what}: {e}")),
        }
    }
    eprintln!(
        "[{:?}] 200 concurrent mixed writes in {:?}",
        app.backend,
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of 200 concurrent mixed writes failed, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    for (u, who) in users.iter().enumerate() {
        let mine = &plans[u];
        let (tasks, total) = list(app, who, "limit=200").await;
        let expected: BTreeSet<i64> = mine
            .iter()
            .enumerate()
            .filter(|(k, _)| !(2..5).contains(k))
            .map(|(_, id)| *id)
            .collect();
        assert_eq!(total, 7, "writer {u}: 3 of 10 deleted");
        assert_eq!(ids(&tasks), expected, "writer {u}: the survivors");
        let by_id: BTreeMap<i64, &Value> = tasks
            .iter()
            .map(|t| (t["id"].as_i64().unwrap(), t))
            .collect();
        assert_eq!(
            by_id[&mine[0]]["completed"], false,
            "writer {u}: 4 atomic toggles cancel out"
        );
        let retagged = by_id[&mine[1]];
        let final_tags: Vec<&str> = retagged["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(
            tag_sets.contains(&final_tags),
            "writer {u}: tags are one of the written sets, not a mix: {final_tags:?}"
        );
        // The tag index agrees with the row: each final tag finds it, the others do not.
        for tag in ["alpha", "beta", "gamma", "delta", "eps"] {
            let (found, _) = list(app, who, &format!("tag={tag}")).await;
            let has = found.iter().any(|t| t["id"] == mine[1]);
            assert_eq!(
                has,
                final_tags.contains(&tag),
                "writer {u}: tag index for {tag} vs row tags {final_tags:?}"
            );
        }
    }
}

db_tests!(two_hundred_concurrent_writers_lose_nothing);
