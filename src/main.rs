//! The `jurisdex` command line: parse arguments, call the library, print errors, set exit codes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use jurisdex::config::{Config, StaticSearch};
use jurisdex::search::{SearchIndex, SearchRequest};
use jurisdex::server;
use jurisdex::site::bundle::BundleError;
use jurisdex::site::{self, BuildError};
use jurisdex::tools::{corpus, scaffold};

/// jurisdex: compare how countries let authorities block or remove online content and accounts,
/// and the safeguards that bind those powers.
#[derive(Debug, Parser)]
#[command(name = "jurisdex", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    paths: Paths,
    #[command(subcommand)]
    command: Command,
}

/// Directories, shared by every command.
#[derive(Debug, Args)]
struct Paths {
    /// Content directory (entries, topics, pages, groupings.yaml).
    #[arg(long, global = true, default_value = "content", value_name = "DIR")]
    content: PathBuf,
    /// Output directory for the built site and its search index.
    #[arg(long, global = true, default_value = "public", value_name = "DIR")]
    out: PathBuf,
    /// Templates directory (minijinja templates and assets/).
    #[arg(long, global = true, default_value = "templates", value_name = "DIR")]
    templates: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate all content (path:line:col: field: message), then every internal link and anchor.
    Check,
    /// Build the static site and search index into --out (atomically).
    Build {
        /// Absolute URL the site will be served from (used in permalinks, citations and the feed).
        #[arg(long, default_value = "http://127.0.0.1:8080", value_name = "URL")]
        base_url: String,
        /// Pages poll the server for new versions (`serve --watch` builds with it).
        #[arg(long, hide = true)]
        dev_reload: bool,
        /// Write the client-side search index for static hosts: auto (up to 2,000 entries),
        /// always, or never.
        #[arg(long, default_value = "auto", value_name = "WHEN", value_parser = StaticSearch::parse)]
        static_search: StaticSearch,
    },
    /// Build, index and serve the site with full-text search.
    Serve {
        /// Address to listen on. Loopback by default; listening elsewhere is an explicit choice.
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        addr: SocketAddr,
        /// Rebuild on changes under --content and --templates, and swap in the new version.
        #[arg(long)]
        watch: bool,
        /// Public base URL (defaults to http://ADDR).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Most connections open at once; one more is answered 503 (lowered to fit the open-file limit).
        #[arg(long, default_value_t = server::MAX_CONNECTIONS, value_name = "N", value_parser = clap::value_parser!(usize))]
        max_connections: usize,
        /// Serve the build already in --out, unchanged: no build and nothing written (for replicas
        /// of one build behind a load balancer).
        #[arg(long, conflicts_with = "watch")]
        prebuilt: bool,
        /// Longest a rebuild under --watch may take before it is cancelled, in seconds.
        #[arg(long, default_value_t = server::REBUILD_TIME_LIMIT.as_secs_f64(), value_name = "SECONDS")]
        rebuild_time_limit: f64,
    },
    /// Search the built index from the terminal (builds first if there is no index).
    Search {
        /// The query: words, "quoted phrases", -exclusions, region:, grouping:, kind:, value:.
        query: String,
        /// Print JSON (the same shape as /api/search).
        #[arg(long)]
        json: bool,
        /// Number of hits.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Write the site as a zip that works opened from disk (file://), offline search included.
    Bundle {
        /// The zip to write (replaced atomically); --out is not touched.
        #[arg(long, default_value = "jurisdex-offline.zip", value_name = "FILE")]
        zip: PathBuf,
        /// Public URL of the hosted site, for permalinks, citations and QR codes in the bundle.
        #[arg(long, default_value = "http://127.0.0.1:8080", value_name = "URL")]
        base_url: String,
        /// Write the client-side search index: auto (up to 2,000 entries), always, or never.
        #[arg(long, default_value = "auto", value_name = "WHEN", value_parser = StaticSearch::parse)]
        static_search: StaticSearch,
    },
    /// What a trainer needs for a workshop collection: the address to project, the handout to
    /// print, and whether its QR codes will open on participants' devices.
    Workshop {
        /// The collection's id (its file name in content/collections/).
        collection: String,
        /// The address `serve` will listen on.
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        addr: SocketAddr,
        /// The public base URL, when the site is published elsewhere.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// Write a synthetic, schema-valid content directory of N entries into --content (which must be
    /// new or empty), for benchmarks; the same seed always writes the same files.
    GenCorpus {
        /// Number of jurisdiction entries.
        count: usize,
        /// Seed of the generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Create a new content file from a valid skeleton.
    New {
        #[command(subcommand)]
        what: NewKind,
    },
}

#[derive(Debug, Subcommand)]
enum NewKind {
    /// A jurisdiction entry: content/jurisdictions/<ID>.md with every required field.
    Jurisdiction {
        /// Lower-case id, e.g. `viet-nam`; becomes the file name and the URL.
        id: String,
        /// Display name (defaults to the id in title case).
        #[arg(long)]
        name: Option<String>,
    },
}

/// Runs this same command again with [`server::MALLOC_TUNABLES`] in `GLIBC_TUNABLES` (unless that
/// is already set); returns only if that cannot be done, and the server then runs as it is.
///
/// glibc raises its threshold for giving memory straight back to the system each time it frees
/// a large block (up to 32 MB), and keeps what it frees below that: at 10,000 entries, after ten
/// edits under `serve --watch` and the benchmark's loads, the server held 286 MB, 232 MB with
/// the fixed thresholds, for the same search throughput (`benches/ab.sh`). The thresholds can
/// only be set before glibc starts (or with `unsafe` calls, which this crate forbids).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn exec_with_fixed_malloc_thresholds() {
    use std::os::unix::process::CommandExt as _;
    if std::env::var_os("GLIBC_TUNABLES").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let error = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("GLIBC_TUNABLES", server::MALLOC_TUNABLES)
        .exec();
    tracing::debug!(%error, "cannot run again with fixed malloc thresholds");
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "jurisdex=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let paths = cli.paths;
    match cli.command {
        Command::Check => {
            let (loaded, site) = site::check(&paths.content);
            for d in &loaded.report.diagnostics {
                eprintln!("{d}");
            }
            let report = &loaded.report;
            let mut broken_links = 0;
            if !report.has_errors() {
                let staging =
                    tempfile::tempdir().context("creating a temporary build directory")?;
                let options = build_options(&paths, "http://127.0.0.1:8080".into(), false);
                match site::build_into(&options, staging.path()) {
                    Ok(_) => {}
                    Err(BuildError::Links(broken)) => {
                        for link in &broken {
                            eprintln!("{link}");
                        }
                        broken_links = broken.len();
                    }
                    Err(err) => bail!("{err}"),
                }
            }
            eprintln!(
                "checked {} jurisdiction(s), {} topic(s), {} page(s) and every internal link: {} error(s), {} warning(s)",
                site.jurisdictions.len(),
                site.topics.len(),
                site.pages.len(),
                report.error_count() + broken_links,
                report.warning_count()
            );
            Ok(if report.has_errors() || broken_links > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Build {
            base_url,
            dev_reload,
            static_search,
        } => {
            // A build run by `serve` (which said so already) does not repeat the note.
            if std::env::var_os(server::PARENT_ENV).is_none() {
                warn_if_local_only(&base_url);
            }
            let options = Config {
                static_search,
                ..build_options(&paths, base_url, dev_reload)
            };
            server::exit_with_parent(&options.out_dir);
            report_build(site::build(&options))
        }
        Command::Serve {
            addr,
            watch,
            base_url,
            max_connections,
            rebuild_time_limit,
            prebuilt,
        } => {
            #[cfg(all(target_os = "linux", target_env = "gnu"))]
            exec_with_fixed_malloc_thresholds();
            let base_url = base_url.unwrap_or_else(|| default_base_url(addr));
            warn_if_local_only(&base_url);
            let options = build_options(&paths, base_url, watch);
            let runtime = server::runtime().context("starting the async runtime")?;
            let serve = server::ServeOptions {
                addr,
                watch,
                max_connections,
                rebuild_time_limit: Duration::try_from_secs_f64(rebuild_time_limit)
                    .context("--rebuild-time-limit must be a number of seconds")?,
                prebuilt,
            };
            let served = runtime.block_on(server::serve(options, serve));
            // Work left on blocking threads (an incremental rebuild) is not waited for.
            runtime.shutdown_timeout(Duration::from_millis(500));
            served?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Search { query, json, limit } => search(&paths, &query, json, limit),
        Command::Bundle {
            zip,
            base_url,
            static_search,
        } => bundle(&paths, &zip, base_url, static_search),
        Command::Workshop {
            collection,
            addr,
            base_url,
        } => workshop(&paths, &collection, addr, base_url),
        Command::GenCorpus { count, seed } => {
            corpus::generate(&paths.content, count, seed)
                .with_context(|| format!("writing {}", paths.content.display()))?;
            eprintln!(
                "wrote {count} entries (seed {seed}) into {}",
                paths.content.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::New {
            what: NewKind::Jurisdiction { id, name },
        } => {
            let path = scaffold::new_jurisdiction(&paths.content, &id, name.as_deref())?;
            println!("created {}", path.display());
            println!("next: fill in every field, then run `jurisdex check`");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The base URL of a server on `addr` given no `--base-url`: on every interface, this computer's
/// network address (said at start, since QR codes and printed addresses will carry it).
fn default_base_url(addr: SocketAddr) -> String {
    match jurisdex::config::reachable_base_url(addr) {
        Some(url) => {
            if addr.ip().is_unspecified() {
                eprintln!(
                    "note: QR codes and printed addresses use {url}, this computer's address on its network; pass --base-url to use another"
                );
            }
            url
        }
        None => {
            let loopback: std::net::IpAddr = if addr.is_ipv6() {
                std::net::Ipv6Addr::LOCALHOST.into()
            } else {
                std::net::Ipv4Addr::LOCALHOST.into()
            };
            let url = format!("http://{}", SocketAddr::new(loopback, addr.port()));
            eprintln!("note: this computer has no network address, so pages name {url}");
            url
        }
    }
}

/// Says so when the base URL is an address of this computer: every QR code and printed address in
/// the collections then opens nothing on a participant's phone.
fn warn_if_local_only(base_url: &str) {
    if jurisdex::config::is_local_only(base_url) {
        eprintln!(
            "note: the base URL {base_url} is an address of this computer, so QR codes and printed addresses in workshop handouts work only here; pass --base-url with the address participants can reach (this computer's network address, or where the site is published)"
        );
    }
}

fn build_options(paths: &Paths, base_url: String, dev_reload: bool) -> Config {
    Config {
        content_dir: paths.content.clone(),
        templates_dir: paths.templates.clone(),
        out_dir: paths.out.clone(),
        base_url,
        dev_reload,
        static_search: StaticSearch::Auto,
    }
}

fn report_build(result: Result<site::Built, BuildError>) -> anyhow::Result<ExitCode> {
    match result {
        Ok(built) => {
            for d in &built.report.diagnostics {
                eprintln!("{d}");
            }
            eprintln!(
                "built {} entries, {} files into {} in {:.2?} ({} warning(s))",
                built.catalog.entries.len(),
                built.pages,
                built.dir.display(),
                built.elapsed,
                built.report.warning_count()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(BuildError::Content(report)) => {
            eprintln!("{report}");
            eprintln!(
                "build stopped: fix the errors above; the previous output was left untouched"
            );
            Ok(ExitCode::FAILURE)
        }
        Err(err) => bail!("build failed: {err}; the previous output was left untouched"),
    }
}

fn search(paths: &Paths, query: &str, json: bool, limit: usize) -> anyhow::Result<ExitCode> {
    let index_dir = paths.out.join(site::INDEX_DIR);
    if !index_dir.exists() {
        eprintln!("no index in {}: building first", paths.out.display());
        let options = build_options(paths, "http://127.0.0.1:8080".into(), false);
        if report_build(site::build(&options))? != ExitCode::SUCCESS {
            return Ok(ExitCode::FAILURE);
        }
    }
    let index = SearchIndex::open(&index_dir)
        .with_context(|| format!("opening {}", index_dir.display()))?;
    let results = index.search(&SearchRequest {
        q: query.to_string(),
        limit: Some(limit),
        ..SearchRequest::default()
    });
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(ExitCode::SUCCESS);
    }
    print_hits(&results, &paths.out);
    Ok(ExitCode::SUCCESS)
}

fn print_hits(results: &jurisdex::search::SearchResults, out: &Path) {
    let styled = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let (bold, em, dim, reset) = if styled {
        ("\x1b[1m", "\x1b[1;33m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "*", "", "")
    };
    if results.corrected {
        match &results.corrected_query {
            Some(corrected) => println!(
                "{dim}no results for \"{}\"; showing results for \"{corrected}\"{reset}",
                results.query
            ),
            None => println!(
                "{dim}no results for \"{}\"; showing results for similar words{reset}",
                results.query
            ),
        }
    }
    println!(
        "{}{} result(s) for \"{}\" ({:.1} ms, index in {})",
        if results.estimated { "about " } else { "" },
        results.total,
        results.query,
        results.elapsed_ms,
        out.display()
    );
    for (n, hit) in results.hits.iter().enumerate() {
        println!();
        println!("{}. {bold}{}{reset}", n + 1 + results.offset, hit.title);
        println!("   {dim}{} · {}{reset}", hit.breadcrumb, hit.kind);
        let mut snippet = String::new();
        let mut last = 0;
        for &(start, end) in &hit.highlights {
            if start < last || end > hit.snippet_text.len() {
                continue;
            }
            snippet.push_str(&hit.snippet_text[last..start]);
            snippet.push_str(em);
            snippet.push_str(&hit.snippet_text[start..end]);
            snippet.push_str(if styled { reset } else { "*" });
            last = end;
        }
        snippet.push_str(&hit.snippet_text[last..]);
        println!("   {snippet}");
        println!("   {dim}{}{reset}", hit.url);
    }
}

/// Prints a collection's addresses as the site will give them, and whether participants can reach
/// them.
fn workshop(
    paths: &Paths,
    id: &str,
    addr: SocketAddr,
    base_url: Option<String>,
) -> anyhow::Result<ExitCode> {
    let loaded = jurisdex::load::load_shared(&paths.content);
    let Some((collection, _)) = loaded.collections.iter().find(|(c, _)| c.id == id) else {
        let known: Vec<&str> = loaded
            .collections
            .iter()
            .map(|(c, _)| c.id.as_str())
            .collect();
        bail!(
            "no collection `{id}` in {}; the collections are: {}",
            paths.content.join("collections").display(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
    };
    let chosen = base_url.is_some();
    let base_url = base_url.unwrap_or_else(|| default_base_url(addr));
    let options = build_options(paths, base_url, false);
    let meta = options.meta();
    let page = format!(
        "{}{}",
        meta.base_url,
        jurisdex::routes::collection(&collection.id)
    );
    println!("{}", collection.title);
    println!("  project this:        {page}");
    println!(
        "  print the handout:   {page} (the browser's Print, or the page's Print button: one page, {} items with QR codes)",
        collection.items.len()
    );
    println!(
        "  print the reading pack: {}{} (every item's section in full, for reading on paper)",
        meta.base_url,
        jurisdex::routes::reading_pack(&collection.id)
    );
    if meta.local_only {
        println!(
            "  QR codes: they will open only on this computer ({}). For the room, serve on the network: jurisdex serve --addr 0.0.0.0:{}, or give --base-url where the site is published.",
            meta.base_url,
            addr.port()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let serve = if chosen {
        format!(
            "jurisdex serve --addr {addr} --base-url {}, or publish the site there",
            meta.base_url
        )
    } else {
        format!("jurisdex serve --addr {addr}")
    };
    println!(
        "  QR codes: they open {} on any device that can reach it (the same network, or the internet when it is published). Start the site with: {serve}",
        meta.base_url
    );
    Ok(ExitCode::SUCCESS)
}

fn bundle(
    paths: &Paths,
    zip: &Path,
    base_url: String,
    static_search: StaticSearch,
) -> anyhow::Result<ExitCode> {
    warn_if_local_only(&base_url);
    let options = Config {
        static_search,
        ..build_options(paths, base_url, false)
    };
    match jurisdex::site::bundle::bundle(&options, zip) {
        Ok(summary) => {
            for d in &summary.report.diagnostics {
                eprintln!("{d}");
            }
            eprintln!(
                "bundled {} entries, {} files into {} ({} KiB) in {:.2?} ({} warning(s)); unzip it and open jurisdex-offline/index.html",
                summary.jurisdictions,
                summary.entries,
                summary.path.display(),
                summary.bytes / 1024,
                summary.elapsed,
                summary.report.warning_count()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(BundleError::Build(BuildError::Content(report))) => {
            eprintln!("{report}");
            eprintln!(
                "bundle stopped: fix the errors above; {} was left untouched",
                zip.display()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(err) => bail!("bundle failed: {err}; {} was left untouched", zip.display()),
    }
}
