//! The store's conformance suite: every case runs against each database the proxy
//! supports, with the same expectations: SQLite in a temporary file, PostgreSQL in a
//! throwaway cluster (or at `DATABASE_URL`).

mod common;
mod conformance;

use booking_proxy::store::Store;

/// A fresh SQLite file, kept as long as the guard.
async fn sqlite() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bookings.db").display());
    let store = Store::open(&url).await.unwrap();
    (store, dir)
}

/// A fresh PostgreSQL database.
async fn postgres() -> (Store, String) {
    let url = common::postgres::database().await;
    (Store::open(&url).await.unwrap(), url)
}

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let (store, dir) = super::sqlite().await;
                    let url = format!("sqlite://{}", dir.path().join("bookings.db").display());
                    super::conformance::$case(&store, &url).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let (store, url) = super::postgres().await;
                    super::conformance::$case(&store, &url).await;
                }
            )*
        }
    };
}

suite!(
    a_taken_time_and_its_buffer_are_refused,
    twenty_concurrent_bookings_of_one_slot_make_one,
    an_idempotency_key_replays_its_first_answer,
    a_hold_keeps_its_slot_from_others_until_it_is_used_or_released,
    a_manage_token_finds_its_booking,
    an_outbox_row_is_taken_once_by_concurrent_workers,
    a_stored_profile_is_created_replaced_and_removed,
);

/// PostgreSQL itself refuses overlapping local bookings, buffers included, even when the
/// check in the transaction lets one through.
#[tokio::test]
async fn postgres_refuses_overlapping_bookings_whatever_the_check_says() {
    let (store, _) = postgres().await;
    conformance::the_database_refuses_overlaps(&store).await;
}
