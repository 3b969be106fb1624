//! Every stage is linear in its input: for each worst case (bare headings, one heading repeated,
//! a link on every word, many sources and aliases), a file of twice the size costs about twice
//! the time, and a 2 MiB worst case costs no more than a small multiple of a 2 MiB ordinary
//! entry. What is compared is the growth, never a time: a quadratic step costs four times as
//! much at twice the size, which no machine's noise hides at these sizes.

use std::time::Instant;

use crate::support::Fixture;

const MIB: usize = 1024 * 1024;

/// The fixture's alpha entry with `body` as its analysis, cut to `bytes` in all.
fn entry_of(front_matter: &str, body_unit: &str, bytes: usize) -> String {
    let mut text = format!("{front_matter}\n---\n");
    let room = bytes.saturating_sub(text.len() + 1);
    text.push_str(&body_unit.repeat(room / body_unit.len()));
    text
}

/// Seconds that `check` and a build of the fixture take with alpha.md replaced by `entry`.
fn cost(entry: &str) -> f64 {
    let f = Fixture::new("basic");
    f.write("jurisdictions/alpha.md", entry);
    let started = Instant::now();
    let (loaded, _) = jurisdex::site::check(&f.content());
    if loaded.report.has_errors() {
        let errors: Vec<String> = loaded
            .report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect();
        eprintln!("rejected: {}", errors.join("; "));
    } else {
        f.build().expect("a valid worst case builds");
    }
    started.elapsed().as_secs_f64()
}

fn front_matter() -> String {
    let text = std::fs::read_to_string(
        crate::support::manifest_dir().join("tests/fixtures/basic/jurisdictions/alpha.md"),
    )
    .unwrap();
    text.split("\n---\n").next().unwrap().to_string()
}

/// The best of two, so that one slow moment of the machine does not decide.
fn best_cost(entry: &str) -> f64 {
    (0..2).map(|_| cost(entry)).fold(f64::MAX, f64::min)
}

#[test]
fn worst_case_bodies_cost_linear_time() {
    let front = front_matter();
    let paragraph =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. ".repeat(12);
    let ordinary = best_cost(&entry_of(
        &front,
        &format!("## A section\n\n{}", format!("{paragraph}\n\n").repeat(20)),
        2 * MIB,
    ));
    let cases = [
        ("bare headings", "#\n"),
        ("one heading repeated", "## Same\n\n"),
        ("a link on every word", "[a](#safeguard-user-notice) "),
        ("emphasis on every word", "*a* "),
        ("nested quotes", "> "),
    ];
    for (name, unit) in cases {
        // The tests of this binary run side by side, so one measurement can fall on a busy moment:
        // a case passes when any of three rounds is linear. A quadratic cost fails every round.
        let mut rounds = Vec::new();
        let linear = (0..3).any(|_| {
            let one = best_cost(&entry_of(&front, unit, MIB));
            let two = best_cost(&entry_of(&front, unit, 2 * MIB));
            eprintln!(
                "{name}: 1 MiB {one:.2} s, 2 MiB {two:.2} s; an ordinary 2 MiB entry {ordinary:.2} s"
            );
            rounds.push(format!("{one:.2} s → {two:.2} s"));
            two <= 3.0 * one + 0.5 && two <= 20.0 * ordinary + 1.0
        });
        assert!(
            linear,
            "{name}: twice the input took more than 3× the time, or 20× an ordinary entry's \
             ({ordinary:.2} s), in every round: {}",
            rounds.join(", ")
        );
    }
}
