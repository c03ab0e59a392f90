//! The cases of the store suite, each given a fresh, empty database and its URL (to open
//! more handles on it, as other instances would).

use booking_proxy::notify::{Event, NewMessage, Recipient};
use booking_proxy::slots::Busy;
use booking_proxy::store::{
    Claim, Free, Holding, Insert, KeyedAnswers, Nearby, Placed, Store, StoredBooking, StoredHold,
};
use booking_wire::Slot;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};

const PROFILE: &str = "open";

/// Now, in whole seconds as the store keeps instants.
fn now() -> DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::seconds(1)).unwrap()
}

/// Tomorrow at a whole hour, plus `minutes`.
fn at(minutes: i64) -> DateTime<Utc> {
    let base = (now() + TimeDelta::days(1))
        .duration_trunc(TimeDelta::hours(1))
        .unwrap();
    base + TimeDelta::minutes(minutes)
}

fn booking(id: &str, start: i64, minutes: i64) -> StoredBooking {
    let now = now();
    StoredBooking {
        profile: PROFILE.into(),
        id: id.into(),
        provider_ref: id.into(),
        start: at(start),
        end: at(start + minutes),
        status: "confirmed".into(),
        name: "Ada".into(),
        email: "ada@example.com".into(),
        time_zone: "UTC".into(),
        locale: None,
        answers: "{}".into(),
        title: "Call".into(),
        location: None,
        token_hash: None,
        sequence: 0,
        reschedules: 0,
        cancel_reason: None,
        created_at: now,
        updated_at: now,
    }
}

/// The check the local provider runs: nothing near conflicts, `buffer` included.
fn free(b: &StoredBooking, buffer: i64) -> Free<impl FnOnce(Vec<Slot>) -> bool + Send> {
    let slot = Slot {
        start: b.start,
        end: b.end,
    };
    let buffer = TimeDelta::minutes(buffer);
    Free {
        buffer,
        check: move |near| !Busy::new(near).conflicts(&slot, buffer),
    }
}

fn holding(own: Option<&str>) -> Holding<'_> {
    Holding { now: now(), own }
}

async fn book(store: &Store, b: &StoredBooking, buffer: i64) -> Insert {
    store
        .insert_if_free(b, free(b, buffer), None, &[], holding(None))
        .await
        .unwrap()
}

pub async fn a_taken_time_and_its_buffer_are_refused(store: &Store, _url: &str) {
    assert_eq!(book(store, &booking("bk_a", 0, 30), 15).await, Insert::Done);
    // Overlapping, and starting inside the 15 minutes kept free after it.
    assert_eq!(
        book(store, &booking("bk_b", 10, 30), 15).await,
        Insert::Taken
    );
    assert_eq!(
        book(store, &booking("bk_c", 30, 30), 15).await,
        Insert::Taken
    );
    // Ending inside the buffer before it.
    assert_eq!(
        book(store, &booking("bk_d", -40, 30), 15).await,
        Insert::Taken
    );
    assert_eq!(
        book(store, &booking("bk_e", 45, 30), 15).await,
        Insert::Done
    );
    assert_eq!(
        book(store, &booking("bk_f", -45, 30), 15).await,
        Insert::Done
    );
    // Another profile's time is its own.
    let mut other = booking("bk_g", 0, 30);
    other.profile = "other".into();
    assert_eq!(book(store, &other, 15).await, Insert::Done);
    let slots = store
        .active_between(PROFILE, at(-60), at(120), None)
        .await
        .unwrap();
    assert_eq!(slots.len(), 3);
    // A cancelled booking frees its time.
    let cancelled = store
        .cancel(PROFILE, "bk_a", Some("ill"), now(), &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (cancelled.status.as_str(), cancelled.sequence),
        ("cancelled", 1)
    );
    assert_eq!(book(store, &booking("bk_h", 0, 30), 15).await, Insert::Done);
    let ids: Vec<String> = store
        .list(Some(PROFILE))
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(ids, ["bk_e", "bk_a", "bk_h", "bk_f"]);
}

pub async fn twenty_concurrent_bookings_of_one_slot_make_one(store: &Store, url: &str) {
    // Two handles, as two instances would have.
    let other = Store::open(url).await.unwrap();
    for round in 0..5 {
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let store = if i % 2 == 0 {
                    store.clone()
                } else {
                    other.clone()
                };
                let b = booking(&format!("bk_{round}_{i}"), round * 60, 30);
                tokio::spawn(async move { book(&store, &b, 0).await })
            })
            .collect();
        let mut made = 0;
        for task in tasks {
            if task.await.unwrap() == Insert::Done {
                made += 1;
            }
        }
        assert_eq!(made, 1, "round {round}");
    }
    assert_eq!(store.list(Some(PROFILE)).await.unwrap().len(), 5);
}

pub async fn an_idempotency_key_replays_its_first_answer(store: &Store, _url: &str) {
    let keyed = |fingerprint| KeyedAnswers {
        key: "key-1",
        fingerprint,
        done: (201, "{\"id\":\"bk_1\"}"),
        taken: (409, "{\"error\":\"taken\"}"),
    };
    let first = booking("bk_1", 0, 30);
    let made = store
        .insert_if_free(
            &first,
            free(&first, 0),
            Some(keyed("fp")),
            &[],
            holding(None),
        )
        .await
        .unwrap();
    assert_eq!(made, Insert::Done);
    let retry = booking("bk_2", 0, 30);
    let again = store
        .insert_if_free(
            &retry,
            free(&retry, 0),
            Some(keyed("fp")),
            &[],
            holding(None),
        )
        .await
        .unwrap();
    let replay = Claim::Done {
        status: 201,
        body: "{\"id\":\"bk_1\"}".into(),
    };
    assert_eq!(again, Insert::Used(replay));
    let other = store
        .insert_if_free(
            &retry,
            free(&retry, 0),
            Some(keyed("fp-other")),
            &[],
            holding(None),
        )
        .await
        .unwrap();
    assert_eq!(other, Insert::Used(Claim::Mismatch));
    assert_eq!(
        store.list(None).await.unwrap().len(),
        1,
        "nothing written twice"
    );

    // A claimed key: in flight until answered, then replayed; a released one is free.
    let now = now();
    assert_eq!(
        store.claim(PROFILE, "key-2", "fp", now).await.unwrap(),
        Claim::New
    );
    assert_eq!(
        store.claim(PROFILE, "key-2", "fp", now).await.unwrap(),
        Claim::InFlight
    );
    store.complete(PROFILE, "key-2", 200, "done").await.unwrap();
    let done = Claim::Done {
        status: 200,
        body: "done".into(),
    };
    assert_eq!(
        store.key_used(PROFILE, "key-2", "fp", now).await.unwrap(),
        Some(done)
    );
    assert_eq!(
        store.claim(PROFILE, "key-3", "fp", now).await.unwrap(),
        Claim::New
    );
    store.release(PROFILE, "key-3").await.unwrap();
    assert_eq!(
        store.key_used(PROFILE, "key-3", "fp", now).await.unwrap(),
        None
    );
    // Past 24 hours a key is forgotten.
    let later = now + TimeDelta::hours(25);
    assert_eq!(store.purge_idempotency(later).await.unwrap(), 2);
}

fn hold(id: &str, start: i64, minutes: i64) -> StoredHold {
    StoredHold {
        id: id.into(),
        profile: PROFILE.into(),
        start: at(start),
        end: at(start + minutes),
        expires_at: now() + TimeDelta::minutes(10),
        provider_ref: None,
    }
}

/// A hold goes where no booking and no other client's hold is.
fn hold_free(h: &StoredHold) -> impl FnOnce(Nearby) -> bool + Send {
    let slot = Slot {
        start: h.start,
        end: h.end,
    };
    move |near| {
        let mut busy = near.bookings;
        busy.extend(near.holds);
        !Busy::new(busy).conflicts(&slot, TimeDelta::zero())
    }
}

pub async fn a_hold_keeps_its_slot_from_others_until_it_is_used_or_released(
    store: &Store,
    _url: &str,
) {
    let now = now();
    let first = hold("hd_1", 0, 30);
    let placed = store
        .place_hold(&first, "client-a", now, hold_free(&first))
        .await
        .unwrap();
    assert_eq!(
        placed,
        Placed::Done {
            replaced: None,
            lapsed: vec![]
        }
    );
    assert_eq!(store.hold("hd_1", now).await.unwrap(), Some(first.clone()));
    let rival = hold("hd_2", 0, 30);
    let refused = store
        .place_hold(&rival, "client-b", now, hold_free(&rival))
        .await
        .unwrap();
    assert_eq!(refused, Placed::Taken);
    // The same client moving its hold replaces the first.
    let moved = hold("hd_3", 60, 30);
    let placed = store
        .place_hold(&moved, "client-a", now, hold_free(&moved))
        .await
        .unwrap();
    assert_eq!(
        placed,
        Placed::Done {
            replaced: Some(first.clone()),
            lapsed: vec![]
        }
    );
    assert_eq!(store.hold("hd_1", now).await.unwrap(), None);
    assert_eq!(store.live_hold(PROFILE, "hd_1", now).await.unwrap(), None);
    assert_eq!(
        store.live_hold(PROFILE, "hd_3", now).await.unwrap(),
        Some(moved.clone())
    );
    let held = store
        .holds_between(PROFILE, (at(0), at(120)), now, None)
        .await
        .unwrap();
    assert_eq!(held, std::slice::from_ref(&moved));

    // Someone else cannot book the held time; the holder can, and uses the hold up.
    let other = booking("bk_other", 60, 30);
    let b = store
        .insert_if_free(&other, free(&other, 0), None, &[], holding(None))
        .await
        .unwrap();
    assert_eq!(b, Insert::Taken);
    let mine = booking("bk_mine", 60, 30);
    let b = store
        .insert_if_free(&mine, free(&mine, 0), None, &[], holding(Some("hd_3")))
        .await
        .unwrap();
    assert_eq!(b, Insert::Done);
    assert_eq!(store.live_hold(PROFILE, "hd_3", now).await.unwrap(), None);

    // A released hold frees its time; an expired one counts for nothing.
    let h = hold("hd_4", 120, 30);
    store
        .place_hold(&h, "client-c", now, hold_free(&h))
        .await
        .unwrap();
    assert_eq!(
        store.release_hold("hd_4", now).await.unwrap(),
        Some(h.clone())
    );
    assert_eq!(store.release_hold("hd_4", now).await.unwrap(), None);
    let h = hold("hd_5", 180, 30);
    store
        .place_hold(&h, "client-d", now, hold_free(&h))
        .await
        .unwrap();
    let after = now + TimeDelta::minutes(11);
    assert_eq!(store.live_hold(PROFILE, "hd_5", after).await.unwrap(), None);
    assert_eq!(store.hold("hd_5", after).await.unwrap(), None);
    // The next hold of the profile removes the expired one and says which it was.
    let late = hold("hd_6", 180, 30);
    let placed = store
        .place_hold(&late, "client-e", after, hold_free(&late))
        .await
        .unwrap();
    assert_eq!(
        placed,
        Placed::Done {
            replaced: None,
            lapsed: vec![h]
        }
    );
}

pub async fn a_manage_token_finds_its_booking(store: &Store, _url: &str) {
    let mut b = booking("bk_t", 0, 30);
    b.token_hash = Some("a1".repeat(32));
    assert_eq!(book(store, &b, 0).await, Insert::Done);
    let found = store.by_token(&"a1".repeat(32)).await.unwrap().unwrap();
    assert_eq!(found, b);
    assert_eq!(store.by_token(&"b2".repeat(32)).await.unwrap(), None);
    assert_eq!(store.find("bk_t").await.unwrap(), std::slice::from_ref(&b));
    // Moved, it keeps its token; cancelled, the token still finds it.
    let moved = store
        .reschedule_if_free(
            &found,
            (at(60), at(90)),
            free(&booking("x", 60, 30), 0),
            None,
            &[],
            now(),
        )
        .await
        .unwrap();
    let booking_proxy::store::Move::Done(moved) = moved else {
        panic!("not moved: {moved:?}")
    };
    assert_eq!(
        (moved.start, moved.sequence, moved.reschedules),
        (at(60), 1, 1)
    );
    store
        .cancel(PROFILE, "bk_t", None, now(), &[])
        .await
        .unwrap();
    let found = store.by_token(&"a1".repeat(32)).await.unwrap().unwrap();
    assert_eq!(found.status, "cancelled");
}

pub async fn an_outbox_row_is_taken_once_by_concurrent_workers(store: &Store, url: &str) {
    let message = NewMessage {
        event: Event::Created,
        to: Recipient::Webhook("http://127.0.0.1:9/hook".into()),
        link: None,
        lead: None,
    };
    let b = booking("bk_o", 0, 30);
    let made = store
        .insert_if_free(&b, free(&b, 0), None, &[message], holding(None))
        .await
        .unwrap();
    assert_eq!(made, Insert::Done);
    // Three workers, each with its own handle, poll at once, many times.
    let mut workers = vec![store.clone()];
    for _ in 0..2 {
        workers.push(Store::open(url).await.unwrap());
    }
    let now = now();
    let lease = TimeDelta::minutes(1);
    let mut taken = Vec::new();
    for _ in 0..10 {
        let polls: Vec<_> = workers
            .iter()
            .map(|w| {
                let w = w.clone();
                tokio::spawn(async move { w.claim_messages(now, lease, 10).await.unwrap() })
            })
            .collect();
        for poll in polls {
            taken.extend(poll.await.unwrap());
        }
    }
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert_eq!(
        (taken[0].booking_id.as_str(), taken[0].attempts),
        ("bk_o", 1)
    );
    store.message_sent(taken[0].id, now).await.unwrap();
    // Sent, it is not taken again, not even after its lease.
    let later = now + TimeDelta::minutes(5);
    assert!(store
        .claim_messages(later, lease, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.messages(Some("sent")).await.unwrap().len(), 1);
    assert_eq!(store.next_message_at().await.unwrap(), None);
}

/// With a check that lets everything through: only a database constraint stands between
/// overlapping bookings (PostgreSQL's).
pub async fn the_database_refuses_overlaps(store: &Store) {
    let anything = |_: &StoredBooking| Free {
        buffer: TimeDelta::minutes(15),
        check: |_: Vec<Slot>| true,
    };
    let add = |b: StoredBooking, answers: Option<KeyedAnswers<'static>>| {
        let store = store.clone();
        async move {
            store
                .insert_if_free(&b, anything(&b), answers, &[], holding(None))
                .await
                .unwrap()
        }
    };
    assert_eq!(add(booking("bk_a", 0, 30), None).await, Insert::Done);
    let keyed = KeyedAnswers {
        key: "key-x",
        fingerprint: "fp",
        done: (201, "made"),
        taken: (409, "taken"),
    };
    // Inside the first one's buffer: refused, and the key keeps the refusal.
    assert_eq!(
        add(booking("bk_b", 40, 30), Some(keyed)).await,
        Insert::Taken
    );
    let refusal = Claim::Done {
        status: 409,
        body: "taken".into(),
    };
    let used = store.key_used(PROFILE, "key-x", "fp", now()).await.unwrap();
    assert_eq!(used, Some(refusal));
    assert_eq!(add(booking("bk_c", 45, 30), None).await, Insert::Done);
    // A remote provider's rows are its own business.
    store
        .record(&booking("bk_remote", 0, 30), None, &[])
        .await
        .unwrap();
    // Cancelled, the time is free again; moved onto another, refused.
    store
        .cancel(PROFILE, "bk_a", None, now(), &[])
        .await
        .unwrap();
    assert_eq!(add(booking("bk_d", 0, 30), None).await, Insert::Done);
    let c = store.find("bk_c").await.unwrap().remove(0);
    let moved = store
        .reschedule_if_free(&c, (at(10), at(40)), anything(&c), None, &[], now())
        .await
        .unwrap();
    assert_eq!(moved, booking_proxy::store::Move::Taken);
    let ids: Vec<String> = store
        .list(Some(PROFILE))
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(ids, ["bk_c", "bk_a", "bk_d", "bk_remote"]);
}

/// Profiles kept as data: created, replaced with a higher version, listed by id, seen by
/// another handle on the database, removed; where the database announces changes, another
/// handle hears each one.
pub async fn a_stored_profile_is_created_replaced_and_removed(store: &Store, url: &str) {
    let other = Store::open(url).await.unwrap();
    let mut heard = other.profiles_changed_elsewhere();
    let (first, new) = store
        .put_profile("tutor-b", r#"{"v":1}"#, now())
        .await
        .unwrap();
    assert!(new);
    assert_eq!(
        other.stored_profile("tutor-b").await.unwrap(),
        Some(first.clone())
    );
    let (second, new) = store
        .put_profile("tutor-b", r#"{"v":2}"#, now())
        .await
        .unwrap();
    assert!(!new);
    assert!(
        second.version > first.version,
        "a change raises the version"
    );
    assert_eq!(
        other.profile_version("tutor-b").await.unwrap(),
        Some(second.version)
    );
    store.put_profile("tutor-a", "{}", now()).await.unwrap();
    let ids: Vec<String> = other
        .stored_profiles()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, ["tutor-a", "tutor-b"]);
    if let Some(heard) = heard.as_mut() {
        for expected in ["tutor-b", "tutor-b", "tutor-a"] {
            let id = tokio::time::timeout(std::time::Duration::from_secs(5), heard.recv())
                .await
                .expect("each change is announced")
                .unwrap();
            assert_eq!(id, expected);
        }
    }
    assert!(store.delete_profile("tutor-b").await.unwrap());
    assert!(!store.delete_profile("tutor-b").await.unwrap());
    assert_eq!(other.stored_profile("tutor-b").await.unwrap(), None);
    assert_eq!(other.profile_version("tutor-b").await.unwrap(), None);
    // A profile made again never gets a version a copy of the old one could have.
    let (again, new) = store.put_profile("tutor-b", "{}", now()).await.unwrap();
    assert!(new);
    assert!(again.version > second.version);
}
