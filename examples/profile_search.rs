//! Where the time of a search goes: replays the benchmark's cache-hostile query stream against a
//! built index and prints each stage's time per query, the share of each kind of outcome and the
//! slowest queries.
//!
//! ```sh
//! JX_INDEX=out/.search-index JX_WORDS=words.txt [JX_COUNT=1000] [JX_ROUNDS=3] [JX_QUERY='…'] \
//!   [JX_STREAM=broad] \
//!   cargo run --release --example profile_search
//! ```
//!
//! `benches/run.sh` shows how the words file is made. `JX_QUERY` times one query instead.

use std::path::Path;
use std::time::Instant;

use jurisdex::search::{SearchIndex, SearchRequest, StageTimes};

/// The regions the benchmark's stream filters by.
const REGIONS: [&str; 5] = [
    "southeast-asia",
    "south-asia",
    "oceania",
    "europe",
    "north-america",
];

/// The cache-hostile stream of `benches/hostile.lua` (thread `thread` of wrk), or its broad
/// stream when `broad` is set.
fn hostile_requests(
    words: &[String],
    thread: usize,
    count: usize,
    broad: bool,
) -> Vec<SearchRequest> {
    let w = words.len();
    let offset = thread * 7919;
    (1..=count)
        .map(|n| {
            let k = n + offset;
            let a = &words[k % w];
            let b = &words[(k / w + k * 31) % w];
            let mut q = if broad {
                let b = &words[(k / w) % w];
                let c = &words[(k / (w * w)) % w];
                if n % 5 == 0 {
                    format!("\"{a} {b}\" {c}")
                } else {
                    format!("{a} {b} {c}")
                }
            } else if n % 5 == 0 {
                format!("\"{a} {b}\"")
            } else if n % 3 == 0 {
                format!("{a} {b} {}", words[(k / (w * w) + k * 17) % w])
            } else {
                format!("{a} {b}")
            };
            if n % 7 == 0 && a.len() > 4 && !broad {
                q = format!("{}{} {b}", &a[..2], &a[3..]);
            }
            SearchRequest {
                q,
                region: (n % 4 == 0).then(|| REGIONS[n % 5].to_owned()),
                ..SearchRequest::default()
            }
        })
        .collect()
}

/// CPU time of this thread (user + system, in clock ticks of 10 ms), which another process's
/// load inflates less than wall time.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    ticks(11).unwrap_or(0) + ticks(12).unwrap_or(0)
}

/// Prints the distribution of one stage's values.
fn print(name: &str, values: &mut [f64], unit: &str) {
    values.sort_by(f64::total_cmp);
    let n = values.len().max(1);
    let at = |p: f64| {
        values
            .get(((n as f64 * p) as usize).min(n - 1))
            .copied()
            .unwrap_or(0.0)
    };
    let mean = values.iter().sum::<f64>() / n as f64;
    println!(
        "{name:>12}: n {:5}  mean {mean:8.3}  p50 {:8.3}  p90 {:8.3}  p99 {:8.3}  max {:8.3} {unit}",
        values.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0),
    );
}

fn main() {
    let (Some(dir), Some(words)) = (std::env::var_os("JX_INDEX"), std::env::var_os("JX_WORDS"))
    else {
        eprintln!("set JX_INDEX (a built index directory) and JX_WORDS (a words file)");
        std::process::exit(2);
    };
    let words: Vec<String> = std::fs::read_to_string(words)
        .expect("words file")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let index = SearchIndex::open(Path::new(&dir)).expect("index opens");
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    if let Ok(q) = std::env::var("JX_QUERY") {
        let request = SearchRequest {
            q: q.clone(),
            ..SearchRequest::default()
        };
        let t = Instant::now();
        for _ in 0..300 {
            index.search(&request);
        }
        println!("{q}: {:.3} ms", ms(t) / 300.0);
        return;
    }
    let count = std::env::var("JX_COUNT").map_or(1000, |c| c.parse().expect("JX_COUNT"));
    let broad = std::env::var("JX_STREAM").is_ok_and(|s| s == "broad");
    let mut requests = hostile_requests(&words, 1, count, broad);
    requests.extend(hostile_requests(&words, 2, count, broad));
    let t = Instant::now();
    let vocabulary = index.vocabulary_size().unwrap_or(0);
    println!("vocabulary of {vocabulary} stems built in {:.1} ms", ms(t));
    for request in requests.iter().take(200) {
        index.search(request);
    }
    let rounds: usize = std::env::var("JX_ROUNDS").map_or(3, |r| r.parse().expect("JX_ROUNDS"));
    let (t, ticks) = (Instant::now(), cpu_ticks());
    for _ in 0..rounds {
        for request in &requests {
            index.search(request);
        }
    }
    let searches = (rounds * requests.len()) as f64;
    println!(
        "search alone: {:.1} us wall, {:.1} us CPU per query ({} queries, {rounds} rounds)",
        ms(t) * 1000.0 / searches,
        (cpu_ticks() - ticks) as f64 * 10_000.0 / searches,
        requests.len()
    );
    let timed: Vec<(StageTimes, &SearchRequest)> = requests
        .iter()
        .map(|r| (index.stage_times(r).expect("search"), r))
        .collect();
    let stage = |f: &dyn Fn(&StageTimes) -> Option<f64>| -> Vec<f64> {
        timed.iter().filter_map(|(s, _)| f(s)).collect()
    };
    print("search", &mut stage(&|s| Some(s.search)), "ms");
    print("collect", &mut stage(&|s| Some(s.collect)), "ms");
    print("top 10", &mut stage(&|s| Some(s.top)), "ms");
    print(
        "count+facets",
        &mut stage(&|s| Some(s.count_and_facets)),
        "ms",
    );
    print("outcome", &mut stage(&|s| Some(s.outcome)), "ms");
    print("fuzzy", &mut stage(&|s| s.fuzzy), "ms");
    print(
        "matches",
        &mut stage(&|s| Some(s.matches as f64)),
        "documents",
    );
    let all: f64 = timed.iter().map(|(s, _)| s.search).sum();
    for (kind, outcome) in [
        ("found as typed", (true, false)),
        ("found corrected", (true, true)),
        ("nothing found", (false, false)),
    ] {
        let (n, took) = timed
            .iter()
            .filter(|(s, _)| (s.matches > 0 || s.corrected, s.corrected) == outcome)
            .fold((0, 0.0), |(n, sum), (s, _)| (n + 1, sum + s.search));
        println!(
            "{kind}: {n} queries, mean {:.3} ms, {:.0}% of the time",
            took / f64::from(n.max(1)),
            100.0 * took / all
        );
    }
    for broad in [1_000, 10_000] {
        let (n, took) = timed
            .iter()
            .filter(|(s, _)| s.matches > broad)
            .fold((0, 0.0), |(n, sum), (s, _)| (n + 1, sum + s.search));
        println!(
            "queries matching over {broad}: {n} of {}, {:.0}% of the time",
            timed.len(),
            100.0 * took / all
        );
    }
    let mut slowest: Vec<&(StageTimes, &SearchRequest)> = timed.iter().collect();
    slowest.sort_by(|a, b| b.0.search.total_cmp(&a.0.search));
    for (s, request) in slowest.iter().take(10) {
        let region = request.region.as_deref().unwrap_or("");
        println!(
            "slow: {:6.2} ms, {:6} matches, corrected {}: {:?} {region}",
            s.search, s.matches, s.corrected, request.q
        );
    }
}
