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
