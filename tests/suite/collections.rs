//! Workshop collections: rendering, escaping, bad references and QR codes that decode.

use crate::support::Fixture;
use jurisdex::diagnostics::Diagnostic;

/// Decodes the first SVG QR code in `html` (our own format: one path of `M x y h n v1 h-n z`, a
/// run of `n` dark modules from (x, y) each).
fn decode_first_qr(html: &str) -> String {
    let start = html.find("<svg").expect("an svg");
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    let size: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let path = svg.split("<path d=\"").nth(1).expect("a path");
    let path = &path[..path.find('"').unwrap()];
    let mut dark = vec![false; size * size];
    for run in path.split('M').skip(1) {
        let (x, rest) = run.split_once(' ').unwrap();
        let (y, rest) = rest.split_once('h').unwrap();
        let (n, rest) = rest.split_once('v').unwrap();
        let (x, y, n): (usize, usize, usize) =
            (x.parse().unwrap(), y.parse().unwrap(), n.parse().unwrap());
        assert_eq!(rest, format!("1h-{n}z"), "a run one module high");
        for x in x..x + n {
            dark[y * size + x] = true;
        }
    }
    let scale = 6;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(size * scale, size * scale, |x, y| {
            if dark[(y / scale) * size + x / scale] {
                0
            } else {
                255
            }
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("decodes").1
}

#[test]
fn collection_renders_as_a_reading_list_with_qr_codes() {
    let f = Fixture::new("basic");
    f.build().expect("builds");
    let html = f.read_out("collections/demo/index.html");
    assert!(
        html.contains(r##"<a href="/jurisdictions/alpha/#safeguard-judicial-authorisation">"##)
    );
    assert!(html.contains("The Belau ruling"), "explicit titles win");
    assert!(
        html.contains("Safeguard: Judicial authorisation"),
        "titles are derived from the target"
    );
    assert!(!html.contains("<script>alert(\"collection\")"));
    assert!(!html.contains("<img src=x"));
    assert_eq!(
        html.matches("<svg").count(),
        4,
        "one QR for the list, one per item"
    );
    assert_eq!(
        decode_first_qr(&html),
        "http://127.0.0.1:8080/collections/demo/"
    );
    let item = &html[html.find(r#"id="item-2""#).unwrap()..];
    assert_eq!(
        decode_first_qr(item),
        "http://127.0.0.1:8080/jurisdictions/alpha/#case-1"
    );
    assert!(
        f.read_out("collections/index.html")
            .contains("/collections/demo/")
    );
}

#[test]
fn a_bad_reference_is_a_check_error_with_file_and_line() {
    let f = Fixture::new("basic");
    f.edit(
        "collections/demo.yaml",
        "/jurisdictions/alpha/#case-1",
        "/jurisdictions/alpha/#case-7",
    );
    f.edit(
        "collections/demo.yaml",
        "/topics/judicial_authorisation/",
        "/jurisdictions/gamma/",
    );
    let errors: Vec<String> = f.check_errors().iter().map(Diagnostic::to_string).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("demo.yaml:9:5: items[1].ref: `alpha` has no anchor `#case-7`")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("demo.yaml:12:5: items[2].ref: no jurisdiction `gamma`")),
        "{errors:#?}"
    );
}

#[test]
fn a_collection_without_a_facilitator_prints_none() {
    let f = Fixture::new("basic");
    let with = {
        f.build().expect("fixture builds");
        f.read_out("collections/demo/index.html")
    };
    assert!(with.contains("<dt>Facilitator</dt><dd>A. Trainer</dd>"));
    f.edit("collections/demo.yaml", "facilitator: A. Trainer\n", "");
    f.build().expect("a collection needs no facilitator");
    let without = f.read_out("collections/demo/index.html");
    assert!(!without.contains("Facilitator"), "{without}");
    let list = f.read_out("collections/index.html");
    assert!(!list.contains("facilitator:"), "{list}");
}

/// Built for this computer's address, a handout warns (on screen and on paper) that its codes open
/// nothing elsewhere, and the command says so; built for a public address, neither does.
#[test]
fn a_handout_for_this_computer_only_says_so() {
    let f = Fixture::new("basic");
    let local = f.command(&["build"]).output().expect("build");
    assert!(local.status.success());
    assert!(
        String::from_utf8_lossy(&local.stderr).contains("is an address of this computer"),
        "{}",
        String::from_utf8_lossy(&local.stderr)
    );
    let page = f.read_out("collections/demo/index.html");
    assert!(
        page.contains(r#"class="warning-note local-only""#),
        "{page}"
    );
    assert!(page.contains("open nothing on participants' phones"));
    // A citation copied from this computer would lead nowhere: the cite box says so.
    let local_entry = f.read_out("jurisdictions/alpha/index.html");
    assert!(local_entry.contains("so the address in these citations opens only here"));
    // `serve` says it once, not again for the build it runs.
    let server = f.serve(&[]);
    assert_eq!(
        server
            .log()
            .matches("is an address of this computer")
            .count(),
        1,
        "{}",
        server.log()
    );
    drop(server);

    let public = f
        .command(&["build", "--base-url", "https://kb.example.org"])
        .output()
        .expect("build");
    assert!(public.status.success());
    assert!(!String::from_utf8_lossy(&public.stderr).contains("address of this computer"));
    let page = f.read_out("collections/demo/index.html");
    assert!(!page.contains("local-only"), "{page}");
    assert!(page.contains("https://kb.example.org/collections/demo/"));
    assert!(
        !f.read_out("jurisdictions/alpha/index.html")
            .contains("opens only here"),
        "a published site's citations carry no warning"
    );
}

/// The ids of every element of a page, with the ones that repeat.
fn repeated_ids(html: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    html.match_indices(" id=\"")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .filter(|id| !seen.insert(id.clone()))
        .collect()
}

#[test]
fn a_reading_pack_prints_every_item_in_full() {
    let f = Fixture::shipped();
    f.build().expect("builds");
    let handout = f.read_out("collections/jakarta-2018-workshop/index.html");
    let pack = f.read_out("collections/jakarta-2018-workshop/reading-pack/index.html");
    let entry = f.read_out("jurisdictions/indonesia/index.html");
    // The handout leads to the pack, and both name the same content version.
    assert!(handout.contains(
        r#"<a href="/collections/jakarta-2018-workshop/reading-pack/">Reading pack: every item in full, to print</a>"#
    ));
    let version = |page: &str| {
        let at = page.find("version <code>").expect("a version") + "version <code>".len();
        page[at..at + page[at..].find('<').unwrap()].to_string()
    };
    assert_eq!(version(&handout), version(&pack));
    // "This list" is a link within the site (relative in the bundle), printed in full.
    assert!(handout.contains(r#"<a href="/collections/jakarta-2018-workshop/">http://127.0.0.1:8080/collections/jakarta-2018-workshop/</a>"#));
    // Every item is there with its note, in order.
    let items = pack.matches("<section class=\"pack-item\"").count();
    assert_eq!(items, handout.matches("class=\"reading-item\"").count());
    assert!(items >= 8, "{items} items");
    // An entry's section is the card its page shows, with links back to that page.
    let card_text = "The Minister orders termination without any court";
    assert!(entry.contains(card_text) && pack.contains(card_text));
    assert!(pack.contains(r##"href="/jurisdictions/indonesia/#instrument-uu-ite""##));
    assert!(
        !pack.contains(r##"href="#instrument-"##),
        "in-page links would lead nowhere"
    );
    assert!(
        !pack.contains("data-cite-section"),
        "the section tools are left out"
    );
    // An alias anchor (`#case-1`) prints the ruling it stands for.
    assert!(pack.contains(r#"data-anchor="case-esafety-v-x-corp-2024""#));
    assert!(pack.contains("[2024] FCA 499"));
    // A grouping comparison prints its ratings side by side; a site page its text.
    let table = &pack[pack.find("pack-table").expect("a ratings table")..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<th scope=\"col\">").count(), 1 + 9);
    assert!(pack.contains("Platforms under pressure"));
    // A page of many entries' cards keeps its ids unique.
    assert_eq!(repeated_ids(&pack), Vec::<String>::new());
}

#[test]
fn serving_the_room_puts_the_network_address_in_every_code() {
    let f = Fixture::new("basic");
    let server = f.serve_listening("0.0.0.0", &[], &[]);
    let (_, page) = crate::support::http_get(&server.addr, "/collections/demo/").unwrap();
    let code = decode_first_qr(&page);
    for unreachable in ["0.0.0.0", "127.0.0.1", "localhost", "[::]"] {
        assert!(!code.contains(unreachable), "{code}");
    }
    // Nothing meant to leave the machine names the unspecified address: not the feed, not a
    // citation, not a printed address.
    for path in ["/feed.xml", "/jurisdictions/alpha/", "/collections/demo/"] {
        let (_, body) = crate::support::http_get(&server.addr, path).unwrap();
        assert!(!body.contains("0.0.0.0"), "{path} names 0.0.0.0");
    }
    match jurisdex::config::reachable_base_url("0.0.0.0:8080".parse().unwrap()) {
        // A computer on a network: the codes carry its address, and the server says so.
        Some(network) => {
            let host = network.trim_end_matches(":8080");
            assert!(code.starts_with(host), "{code} is not on {host}");
            assert!(
                server
                    .log()
                    .contains("this computer's address on its network"),
                "{}",
                server.log()
            );
            assert!(!page.contains("local-only"));
        }
        // No network at all: loopback, and the handout warns.
        None => assert!(page.contains("local-only")),
    }
}

#[test]
fn the_workshop_command_says_what_to_project_print_and_whether_codes_work() {
    let f = Fixture::new("basic");
    let run = |args: &[&str]| {
        let out = f.command(args).output().expect("workshop");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, local, _) = run(&["workshop", "demo"]);
    assert!(ok);
    assert!(
        local.contains("project this:        http://127.0.0.1:8080/collections/demo/"),
        "{local}"
    );
    assert!(
        local.contains("http://127.0.0.1:8080/collections/demo/reading-pack/"),
        "{local}"
    );
    assert!(
        local.contains("they will open only on this computer"),
        "{local}"
    );
    assert!(
        local.contains("jurisdex serve --addr 0.0.0.0:8080"),
        "{local}"
    );

    let (ok, public, _) = run(&["workshop", "demo", "--base-url", "https://kb.example.org/x"]);
    assert!(ok);
    assert!(
        public.contains("https://kb.example.org/x/collections/demo/"),
        "{public}"
    );
    assert!(
        public.contains("on any device that can reach it"),
        "{public}"
    );

    let (ok, _, missing) = run(&["workshop", "no-such-list"]);
    assert!(!ok);
    assert!(
        missing.contains("no collection `no-such-list`") && missing.contains("demo"),
        "{missing}"
    );
}
