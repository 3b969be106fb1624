//! Workshop collections: rendering, escaping, bad references and QR codes that decode.

use crate::support::Fixture;
use jurisdex::diagnostics::Diagnostic;

/// Decodes the first SVG QR code in `html` (our own format: one 1×1 rect per dark module).
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
    let mut dark = vec![false; size * size];
    for rect in svg.split("<rect x=\"").skip(1) {
        let x: usize = rect.split('"').next().unwrap().parse().unwrap();
        let y: usize = rect
            .split("y=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        dark[y * size + x] = true;
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
}
