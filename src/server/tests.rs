//! Unit tests of the server's helpers.

use super::*;

#[test]
fn the_runtime_has_one_connection_thread_per_two_cores() {
    let runtime = runtime().expect("runtime");
    assert_eq!(runtime.metrics().num_workers(), connection_threads());
    assert_eq!(connection_threads(), (cores() / 2).max(1));
    // Fewer than tokio's default of one per core wherever there are two cores or more.
    if cores() >= 2 {
        assert!(runtime.metrics().num_workers() < cores());
    }
}

#[test]
fn suspicious_paths_are_caught() {
    for path in [
        "/../etc/passwd",
        "/%2e%2e/x",
        "/a%2fb",
        "/a\\b",
        "/.search-index/meta.json",
        "/x%00",
    ] {
        assert!(is_suspicious(path), "{path}");
    }
    assert!(!is_suspicious("/jurisdictions/pakistan/"));
}

#[test]
fn search_cache_is_bounded_by_memory() {
    let cache = SearchCache::default();
    cache.insert("a".to_owned(), Bytes::from_static(b"answer a"));
    assert_eq!(cache.get("a").as_deref(), Some(&b"answer a"[..]));
    let big = Bytes::from("x".repeat(SEARCH_CACHE_BYTES / 3));
    for n in 0..4 {
        cache.insert(format!("{n}"), big.clone());
        assert!(cache.lock().bytes <= SEARCH_CACHE_BYTES);
    }
    // The oldest entries made room for the newest.
    assert!(cache.get("a").is_none());
    assert!(cache.get("0").is_none());
    assert!(cache.get("2").is_some());
    assert!(cache.get("3").is_some());
}

#[test]
fn the_next_edit_waits_for_pending_listings_and_their_first_outcome_counts() {
    let pending = Arc::new(PendingListings::new(Vec::new()));
    let waiter = {
        let pending = pending.clone();
        std::thread::spawn(move || pending.wait())
    };
    std::thread::sleep(Duration::from_millis(20));
    assert!(!waiter.is_finished(), "waits while the pages are written");
    pending.finish(true);
    assert!(waiter.join().expect("the waiter ends"));
    // A later word (a guard dropped after the pages were written) changes nothing.
    pending.finish(false);
    assert!(pending.wait());
    // Pages that failed to be written are not waited for again.
    let failed = PendingListings::new(Vec::new());
    failed.finish(false);
    failed.finish(true);
    assert!(!failed.wait());
}
