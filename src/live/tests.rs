use super::*;

fn change(user: &str, n: i64) -> Change {
    Change {
        user_id: user.into(),
        kind: Kind::Deleted,
        data: format!(r#"{{"id":{n}}}"#),
    }
}

async fn next(sub: &mut Subscription) -> Arc<Event> {
    tokio::time::timeout(Duration::from_secs(1), sub.next())
        .await
        .expect("an event in time")
        .expect("the stream is open")
}

#[tokio::test]
async fn streams_get_their_users_changes_in_order() {
    let changes = Changes::new(8);
    let mut alice = changes.subscribe("alice", None).unwrap();
    let mut bob = changes.subscribe("bob", None).unwrap();
    let ready = next(&mut alice).await;
    assert_eq!((ready.kind, ready.seq), (Kind::Ready, 0));
    changes.publish(change("alice", 1));
    changes.publish(change("alice", 2));
    let (a, b) = (next(&mut alice).await, next(&mut alice).await);
    assert_eq!((a.seq, a.data.as_str()), (1, r#"{"id":1}"#));
    assert_eq!(b.seq, 2);
    assert!(a.id.ends_with("-1") && b.id.ends_with("-2"));
    assert_eq!(next(&mut bob).await.kind, Kind::Ready);
    assert!(
        tokio::time::timeout(Duration::from_millis(50), bob.next())
            .await
            .is_err(),
        "bob hears nothing of alice"
    );
}

#[tokio::test]
async fn a_known_id_resumes_and_an_unknown_one_resets() {
    let changes = Changes::new(8);
    let mut first = changes.subscribe("alice", None).unwrap();
    let ready = next(&mut first).await;
    for n in 1..=3 {
        changes.publish(change("alice", n));
    }
    let seen = next(&mut first).await;
    drop(first);
    let mut again = changes.subscribe("alice", Some(&seen.id)).unwrap();
    assert_eq!(next(&mut again).await.seq, 2);
    assert_eq!(next(&mut again).await.seq, 3);
    let caught_up = next(&mut again).await;
    assert_eq!((caught_up.kind, caught_up.seq), (Kind::Ready, 3));
    // Nothing missed: straight to `ready`.
    let mut idle = changes.subscribe("alice", Some(&caught_up.id)).unwrap();
    assert_eq!(next(&mut idle).await.kind, Kind::Ready);
    // Another feed's tag, a number from the future, garbage: reset to the head.
    for id in [
        "other-1".to_string(),
        ready.id.replace("-0", "-9"),
        "x".into(),
    ] {
        let mut sub = changes.subscribe("alice", Some(&id)).unwrap();
        let reset = next(&mut sub).await;
        assert_eq!((reset.kind, reset.seq), (Kind::Reset, 3), "{id}");
        assert_eq!(next(&mut sub).await.kind, Kind::Ready);
    }
}

#[tokio::test]
async fn an_id_older_than_the_ring_resets() {
    let changes = Changes::new(8);
    let mut sub = changes.subscribe("alice", None).unwrap();
    let ready = next(&mut sub).await;
    for n in 0..RING_CAPACITY as i64 + 1 {
        changes.publish(change("alice", n));
    }
    let mut late = changes.subscribe("alice", Some(&ready.id)).unwrap();
    assert_eq!(next(&mut late).await.kind, Kind::Reset);
    // One event later is still in the ring.
    let mut sub2 = changes
        .subscribe("alice", Some(&ready.id.replace("-0", "-1")))
        .unwrap();
    assert_eq!(next(&mut sub2).await.seq, 2);
}

#[tokio::test]
async fn a_stream_that_falls_behind_is_reset() {
    let changes = Changes::new(8);
    let mut sub = changes.subscribe("alice", None).unwrap();
    next(&mut sub).await;
    for n in 0..CHANNEL_CAPACITY as i64 + 5 {
        changes.publish(change("alice", n));
    }
    let reset = next(&mut sub).await;
    assert_eq!(reset.kind, Kind::Reset);
    changes.publish(change("alice", 99));
    assert_eq!(next(&mut sub).await.data, r#"{"id":99}"#);
}

#[tokio::test]
async fn streams_are_capped_per_user_and_released_on_drop() {
    let changes = Changes::new(2);
    let a = changes.subscribe("alice", None).unwrap();
    let _b = changes.subscribe("alice", None).unwrap();
    assert_eq!(
        changes.subscribe("alice", None).err(),
        Some(LiveError::TooManyStreams(2))
    );
    assert!(changes.subscribe("bob", None).is_ok());
    drop(a);
    assert!(changes.subscribe("alice", None).is_ok());
}

#[tokio::test]
async fn closing_ends_streams_and_refuses_new_ones() {
    let changes = Changes::new(8);
    let mut sub = changes.subscribe("alice", None).unwrap();
    next(&mut sub).await;
    changes.close();
    assert!(sub.next().await.is_none());
    assert_eq!(
        changes.subscribe("alice", None).err(),
        Some(LiveError::ShuttingDown)
    );
}

#[tokio::test]
async fn reset_all_tells_every_stream_and_forgets_old_ids() {
    let changes = Changes::new(8);
    let mut sub = changes.subscribe("alice", None).unwrap();
    let ready = next(&mut sub).await;
    changes.reset_all("reconnected");
    let reset = next(&mut sub).await;
    assert_eq!(reset.kind, Kind::Reset);
    assert!(reset.data.contains("reconnected"));
    let mut again = changes.subscribe("alice", Some(&ready.id)).unwrap();
    assert_eq!(next(&mut again).await.kind, Kind::Reset);
    let mut fresh = changes.subscribe("alice", Some(&reset.id)).unwrap();
    assert_eq!(next(&mut fresh).await.kind, Kind::Ready);
}
