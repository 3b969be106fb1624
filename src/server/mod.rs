//! The HTTP server: static pages, the search page, JSON APIs and a health check, with hardened
//! defaults. A [`Snapshot`] (site directory + search index) is swapped atomically on rebuild; each
//! request holds the snapshot it started with, so no request sees a half-built version.

mod connections;
mod error;
mod pages;
mod router;
mod runtime;
mod search_pool;
mod snapshot;
#[cfg(test)]
mod tests;
mod watch;
pub use connections::*;
pub use error::*;
pub use pages::*;
pub use router::*;
pub use runtime::*;
pub use search_pool::*;
pub use snapshot::*;
pub use watch::*;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock, mpsc};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use crate::history::{AsOf, Dated, VersionIndex};
use crate::model::Date;
use tower::ServiceExt;
use tower::limit::ConcurrencyLimitLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::catalog::compare::{self, CompareQuery, Selection};
use crate::catalog::{AddressError, Catalog, CatalogError};
use crate::config::Config;
use crate::config::SiteMeta;
use crate::export;
use crate::render::{ComparePage, Listing, Nav, OutputFile, RenderError, Renderer};
use crate::routes;
use crate::search::{MAX_QUERY_BYTES, SearchError, SearchIndex, SearchRequest, SearchResults};
use crate::site::{self, BuildError, INDEX_DIR};
