//! One `Config` for a build and a server (the content, templates and output directories, the
//! base URL, live reload) and the site's metadata that every page sees.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::PathBuf;

use serde::Serialize;

use crate::html::encode_url;
use crate::model::Date;

/// Where a build reads its content and templates, where it writes, and the address it is published at.
#[derive(Debug, Clone)]
pub struct Config {
    pub content_dir: PathBuf,
    pub templates_dir: PathBuf,
    pub out_dir: PathBuf,
    /// Absolute base URL used in permalinks, citations and the feed.
    pub base_url: String,
    /// Pages poll for rebuilds (serve --watch only).
    pub dev_reload: bool,
    /// Whether the build writes the client-side search index of static hosts and the bundle.
    pub static_search: StaticSearch,
}

/// Whether a build writes the client-side search index (`assets/search/`). It costs a large site
/// build time and memory (at 10,000 entries about five times the build's time and three times its
/// memory), so by default only sites up to [`StaticSearch::AUTO_MAX_ENTRIES`] get it; a static
/// host of a larger site asks for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StaticSearch {
    /// Up to [`StaticSearch::AUTO_MAX_ENTRIES`] entries.
    #[default]
    Auto,
    Always,
    /// Server-only deployments: the search page says the index was left out.
    Never,
}

impl StaticSearch {
    /// The most entries `Auto` writes the index for.
    pub const AUTO_MAX_ENTRIES: usize = 2_000;

    /// Reads `auto`, `always` or `never`.
    pub fn parse(text: &str) -> Result<StaticSearch, String> {
        match text {
            "auto" => Ok(StaticSearch::Auto),
            "always" => Ok(StaticSearch::Always),
            "never" => Ok(StaticSearch::Never),
            other => Err(format!("`{other}`: expected auto, always or never")),
        }
    }

    /// Whether a build of `entries` entries writes the index.
    pub fn writes(self, entries: usize) -> bool {
        match self {
            StaticSearch::Auto => entries <= StaticSearch::AUTO_MAX_ENTRIES,
            StaticSearch::Always => true,
            StaticSearch::Never => false,
        }
    }
}

impl Config {
    /// The base URL as links write it (percent-encoded, see [`encode_url`]), without a trailing
    /// slash.
    fn encoded_base_url(&self) -> String {
        encode_url(self.base_url.trim_end_matches('/')).into_owned()
    }

    /// The path part of the base URL, used to prefix links (`""` for a site at the root).
    pub fn root(&self) -> String {
        let base_url = self.encoded_base_url();
        let after_scheme = base_url
            .split_once("://")
            .map_or(base_url.as_str(), |(_, r)| r);
        let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
        path.trim_end_matches('/').to_string()
    }

    /// The site-wide settings templates see, dated today.
    pub fn meta(&self) -> SiteMeta {
        SiteMeta {
            base_url: self.encoded_base_url(),
            root: self.root(),
            built: Date::today().to_string(),
            dev_reload: self.dev_reload,
            local_only: is_local_only(&self.base_url),
        }
    }
}

/// True when the base URL names this computer (loopback or the unspecified address), so that
/// addresses and QR codes printed from the site open nothing on anyone else's device.
pub fn is_local_only(base_url: &str) -> bool {
    let after_scheme = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let authority = after_scheme.split('/').next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// Where a server listening on `listen` is reached from other devices, as a base URL: the address
/// itself when it names one interface, and for the unspecified address (`0.0.0.0`, `[::]`) this
/// computer's address on its network. `None` when listening on every interface of a computer
/// with no network address (the caller falls back to loopback and says so).
pub fn reachable_base_url(listen: SocketAddr) -> Option<String> {
    let ip = if listen.ip().is_unspecified() {
        network_address(listen.is_ipv6())?
    } else {
        listen.ip()
    };
    Some(format!("http://{}", SocketAddr::new(ip, listen.port())))
}

/// This computer's address on its network: the source address the system would use for a packet
/// to a documentation address (the default route), or to the private ranges when there is no
/// default route (a room's own Wi-Fi without internet). "Connecting" a UDP socket sends nothing.
fn network_address(ipv6: bool) -> Option<IpAddr> {
    let (bind, probes): (&str, &[&str]) = if ipv6 {
        ("[::]:0", &["[2001:db8::1]:9", "[fd00::1]:9"])
    } else {
        (
            "0.0.0.0:0",
            &[
                "192.0.2.1:9",
                "10.255.255.254:9",
                "172.31.255.254:9",
                "192.168.255.254:9",
            ],
        )
    };
    probes.iter().find_map(|probe| {
        let socket = UdpSocket::bind(bind).ok()?;
        socket.connect(probe).ok()?;
        let ip = socket.local_addr().ok()?.ip();
        (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
    })
}

/// Site-wide settings the templates need.
#[derive(Debug, Clone, Serialize)]
pub struct SiteMeta {
    /// Absolute base URL for permalinks, citations and the feed, percent-encoded, without
    /// trailing slash.
    pub base_url: String,
    /// Path prefix for links (the path part of `base_url`), without trailing slash.
    pub root: String,
    /// Date of this build, `YYYY-MM-DD`.
    pub built: String,
    /// Whether the page is served with live search (`serve`) or static only.
    pub dev_reload: bool,
    /// The base URL names this computer: printed addresses and QR codes work only here.
    pub local_only: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_this_computer_are_local_only() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost:8080/kb",
            "http://0.0.0.0:8080",
            "http://[::1]:8080",
            "http://[::]:8080",
        ] {
            assert!(is_local_only(url), "{url}");
        }
        for url in [
            "https://jurisdex.example.org",
            "http://192.168.1.20:8080",
            "http://[2001:db8::1]:8080",
        ] {
            assert!(!is_local_only(url), "{url}");
        }
    }

    #[test]
    fn a_server_on_every_interface_is_reached_at_the_network_address() {
        let named = "192.168.4.7:8080".parse().unwrap();
        assert_eq!(
            reachable_base_url(named).as_deref(),
            Some("http://192.168.4.7:8080")
        );
        let loopback = "127.0.0.1:9000".parse().unwrap();
        assert_eq!(
            reachable_base_url(loopback).as_deref(),
            Some("http://127.0.0.1:9000")
        );
        // Every interface: never the unspecified address itself; with a network, an address
        // others can reach.
        for every in ["0.0.0.0:8080", "[::]:8080"] {
            let every: SocketAddr = every.parse().unwrap();
            if let Some(url) = reachable_base_url(every) {
                assert!(!is_local_only(&url), "{url}");
                assert!(url.ends_with(":8080"), "{url}");
            }
        }
    }

    #[test]
    fn the_base_url_and_root_are_written_percent_encoded() {
        let options = Config {
            content_dir: "content".into(),
            templates_dir: "templates".into(),
            out_dir: "public".into(),
            base_url: "https://bücher.example.org/Wissen [neu]/".into(),
            dev_reload: false,
            static_search: StaticSearch::Auto,
        };
        let meta = options.meta();
        assert_eq!(
            meta.base_url,
            "https://xn--bcher-kva.example.org/Wissen%20%5Bneu%5D"
        );
        assert_eq!(meta.root, "/Wissen%20%5Bneu%5D");
        assert_eq!(options.root(), meta.root);
    }
}
