//! jurisdex: a comparative knowledge base of the laws that let authorities block or remove online
//! content and accounts, and the human-rights safeguards that bind those powers.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! content/*.md ──load──▶ front matter + Markdown ──validate──▶ Site (all entries, checked)
//!     ──render (minijinja)──▶ pages in memory ──write (atomic swap)──▶ public/
//!     ──index (tantivy)──▶ public/.search-index ──serve (axum)──▶ HTTP
//! ```
//!
//! [`site::build`] is the one function that knows the stage order and writes the output.

pub mod catalog;
pub mod cite;
pub mod config;
pub mod csv;
pub mod diagnostics;
pub mod export;
pub mod history;
pub mod html;
pub mod ics;
pub mod links;
pub mod load;
pub mod markdown;
pub mod model;
pub mod qr;
pub mod render;
pub mod routes;
pub mod search;
pub mod server;
pub mod settings;
pub mod site;
pub mod tools;
pub mod validate;
