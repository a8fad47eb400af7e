//! Manual order: a moved task gets a position between its new neighbours and no other
//! task changes; the order survives reloads (it is the list's `sort=position`), other
//! devices (announced as an update), a deleted-then-restored task, and many moves.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{list_tasks, ApiUser, TestApp};
use crate::tasks::titles;

async fn mine(app: &TestApp, who: &ApiUser) -> Vec<Value> {
    list_tasks(app, who, "sort=position&order=asc&limit=200")
        .await
        .0
}

async fn move_after(app: &TestApp, who: &ApiUser, id: &Value, after: Value) -> reqwest::Response {
    app.send_json(
        who,
        Method::POST,
        &format!("/api/{}/tasks/{id}/move", who.id),
        &json!({ "after": after }),
    )
    .await
}

async fn a_move_writes_one_row_and_the_order_holds(app: &TestApp) {
    let ann = app.api_user("order@example.com").await;
    let mut ids = Vec::new();
    for title in ["a", "b", "c", "d"] {
        ids.push(app.create_task(&ann, json!({ "title": title })).await["id"].clone());
    }
    assert_eq!(
        titles(&mine(app, &ann).await),
        ["a", "b", "c", "d"],
        "new tasks go last"
    );

    let mut events = app.task_events(&ann, None).await;
    events.expect("ready").await;
    let before = mine(app, &ann).await;
    let res = move_after(app, &ann, &ids[3], Value::Null).await;
    assert_eq!(res.status(), 200);
    let moved: Value = res.json().await.unwrap();
    assert_eq!(
        events.expect("updated").await.json()["position"],
        moved["position"]
    );
    let after = mine(app, &ann).await;
    assert_eq!(titles(&after), ["d", "a", "b", "c"]);
    for old in before.iter().filter(|t| t["title"] != "d") {
        let same = after.iter().find(|t| t["id"] == old["id"]).unwrap();
        assert_eq!(
            same["position"], old["position"],
            "only the moved task changes"
        );
    }

    move_after(app, &ann, &ids[0], ids[2].clone()).await;
    assert_eq!(titles(&mine(app, &ann).await), ["d", "b", "c", "a"]);
    move_after(app, &ann, &ids[1], ids[1].clone()).await;
    assert_eq!(
        titles(&mine(app, &ann).await),
        ["d", "b", "c", "a"],
        "after itself: no change"
    );

    // The board's buttons: one place up or down, at the ends nothing.
    let cookie = ann.signed.cookie.clone();
    let call = |id: &Value, direction: &'static str| {
        let id = id.to_string();
        let cookie = cookie.clone();
        async move {
            app.call_json(
                "move_task",
                Some(&cookie),
                None,
                &[("id", &id), ("direction", direction)],
            )
            .await
        }
    };
    call(&ids[0], "up").await;
    assert_eq!(titles(&mine(app, &ann).await), ["d", "b", "a", "c"]);
    call(&ids[3], "up").await;
    call(&ids[2], "down").await;
    assert_eq!(titles(&mine(app, &ann).await), ["d", "b", "a", "c"]);
    app.call_json(
        "move_task_after",
        Some(&cookie),
        None,
        &[("id", &ids[2].to_string()), ("after", &ids[3].to_string())],
    )
    .await;
    assert_eq!(titles(&mine(app, &ann).await), ["d", "c", "b", "a"]);

    // Deleted and put back: same place.
    let token = app
        .call_json(
            "delete_task",
            Some(&cookie),
            None,
            &[("id", &ids[1].to_string())],
        )
        .await;
    app.call_json(
        "restore_task",
        Some(&cookie),
        None,
        &[("token", token.as_str().unwrap())],
    )
    .await;
    assert_eq!(titles(&mine(app, &ann).await), ["d", "c", "b", "a"]);
}

async fn many_moves_to_the_same_spot_keep_the_order(app: &TestApp) {
    let bea = app.api_user("order-many@example.com").await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(
            app.create_task(&bea, json!({ "title": format!("t{i}") }))
                .await["id"]
                .clone(),
        );
    }
    // Always into the second place: the worst case for fractional positions.
    for round in 0..60 {
        let last = mine(app, &bea).await.last().unwrap()["id"].clone();
        let first = mine(app, &bea).await[0]["id"].clone();
        assert_eq!(
            move_after(app, &bea, &last, first).await.status(),
            200,
            "round {round}"
        );
    }
    let tasks = mine(app, &bea).await;
    let positions: Vec<&str> = tasks
        .iter()
        .map(|t| t["position"].as_str().unwrap())
        .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, positions, "distinct and in order");
    assert!(positions.iter().all(|p| p.len() < 40), "{positions:?}");
    // Moving the last of six into second place five times restores the order: sixty
    // moves come round twelve times.
    assert_eq!(titles(&tasks), ["t0", "t1", "t2", "t3", "t4", "t5"]);
}

async fn moves_are_checked(app: &TestApp) {
    let cat = app.api_user("order-bad@example.com").await;
    let dan = app.api_user("order-other@example.com").await;
    let mine_one = app.create_task(&cat, json!({ "title": "mine" })).await["id"].clone();
    let theirs = app.create_task(&dan, json!({ "title": "theirs" })).await["id"].clone();
    assert_eq!(
        move_after(app, &cat, &mine_one, theirs.clone())
            .await
            .status(),
        404
    );
    assert_eq!(
        move_after(app, &cat, &theirs, Value::Null).await.status(),
        404
    );
    assert_eq!(
        move_after(app, &cat, &json!(999999), Value::Null)
            .await
            .status(),
        404
    );
    // JSON Schema's integers include 3.0: an id sent so is an id (here, of no task).
    assert_eq!(
        move_after(app, &cat, &mine_one, json!(999999.0))
            .await
            .status(),
        404
    );
    for body in [
        json!({}),
        json!({ "after": "up" }),
        json!({ "after": null, "to": 1 }),
    ] {
        let res = app
            .send_json(
                &cat,
                Method::POST,
                &format!("/api/{}/tasks/{mine_one}/move", cat.id),
                &body,
            )
            .await;
        assert_eq!(res.status(), 422, "{body}");
    }
    let (tasks, _) = list_tasks(app, &dan, "sort=position&order=asc").await;
    assert_eq!(titles(&tasks), ["theirs"]);
}

db_tests!(
    a_move_writes_one_row_and_the_order_holds,
    many_moves_to_the_same_spot_keep_the_order,
    moves_are_checked
);
