//! Integration tests: one binary, one module per feature (keeps link times down on 2 cores).

#[path = "suite/support.rs"]
mod support;

/// The fuzz targets' checks (`fuzz/checks/`), run by `fuzz_smoke`.
#[path = "../fuzz/checks/mod.rs"]
mod fuzz_checks;

#[path = "suite/browser.rs"]
mod browser;
#[path = "suite/build.rs"]
mod build;
#[path = "suite/bundle.rs"]
mod bundle;
#[path = "suite/check.rs"]
mod check;
#[path = "suite/citations.rs"]
mod citations;
#[path = "suite/cli.rs"]
mod cli;
#[path = "suite/collections.rs"]
mod collections;
#[path = "suite/content.rs"]
mod content;
#[path = "suite/corpora.rs"]
mod corpora;
#[path = "suite/corpus.rs"]
mod corpus;
#[path = "suite/deploy.rs"]
mod deploy;
#[path = "suite/fuzz_smoke.rs"]
mod fuzz_smoke;
#[path = "suite/history.rs"]
mod history;
#[path = "suite/linear.rs"]
mod linear;
#[path = "suite/listings.rs"]
mod listings;
#[path = "suite/offline_compare.rs"]
mod offline_compare;
#[path = "suite/overview.rs"]
mod overview;
#[path = "suite/properties.rs"]
mod properties;
#[path = "suite/protocol.rs"]
mod protocol;
#[path = "suite/server.rs"]
mod server;
#[path = "suite/standards.rs"]
mod standards;
#[path = "suite/tracker.rs"]
mod tracker;
#[path = "suite/watch.rs"]
mod watch;
#[path = "suite/weight.rs"]
mod weight;
#[path = "suite/xss.rs"]
mod xss;
