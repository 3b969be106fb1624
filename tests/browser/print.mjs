// Printing: an entry, a comparison and a collection handout print to PDF with their content and
// without the site's navigation and search; the shipped handout fits on one page. Checked with
// poppler's pdfinfo and pdftotext; the PDFs are kept in artifacts/pdf/.
// Usage: node print.mjs <base-url>
import { execFileSync } from "node:child_process";
import { artifact, assert, base, Checks, launch, pageTypes, recordingPage } from "./lib.mjs";

const checks = new Checks("print");
const browser = await launch();
const context = await browser.newContext();

/// Prints `path` to artifacts/pdf/<name>.pdf on `format` paper; returns its page count and text.
async function print(path, name, format = "A4") {
  const page = await recordingPage(context);
  await page.goto(`${base}${path}`);
  const file = artifact("pdf", `${name}.pdf`);
  await page.pdf({ path: file, format, printBackground: true, preferCSSPageSize: true });
  checks.noProblems(page);
  await page.close();
  const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
  const pages = Number(info.match(/^Pages:\s+(\d+)/m)[1]);
  const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
  return { pages, text };
}

/// Text that only the screen needs: navigation, search, skip link, script-only controls.
const chrome = ["Skip to content", "Search laws", "Workshops", "Search jurisdex"];
const noChrome = (text) => chrome.filter((c) => text.includes(c));

await checks.check("entry: title, safeguards, sources and citation; no navigation or search", async () => {
  const { pages, text } = await print(pageTypes.entry, "entry-indonesia");
  for (const needed of ["Indonesia", "At a glance", "Safeguards", "Judicial authorisation", "Sources", "Cite this entry", "Not legal advice"]) {
    assert.ok(text.includes(needed), `"${needed}" printed`);
  }
  assert.deepEqual(noChrome(text), [], "screen-only chrome printed");
  // The entries are long legal texts with every source listed: a bound, not a budget.
  assert.ok(pages >= 2 && pages <= 30, `${pages} pages`);
  console.log(`      entry: ${pages} pages`);
});

await checks.check("comparison: every column and row, without the form", async () => {
  const { pages, text } = await print(pageTypes.compare, "compare");
  for (const needed of ["Indonesia", "Malaysia", "Singapore", "Judicial authorisation", "User notice", "Appeal and redress", "Ordering authority"]) {
    assert.ok(text.includes(needed), `"${needed}" printed`);
  }
  assert.deepEqual(noChrome(text), [], "screen-only chrome printed");
  for (const form of ["Show differences only", "Benchmark column", "Download this table as CSV"]) {
    assert.ok(!text.includes(form), `the form's "${form}" printed`);
  }
  // The print says where and when it was taken, and lists the sources the cells number.
  assert.match(text, /compare\/\?j=indonesia,malaysia,singapore\S* · as of \d+ \w+ \d{4}/, "address and date printed");
  assert.match(text, /Sources 1\b/, "cells refer to numbered sources");
  assert.ok(text.includes("Sources 1. "), "the numbered sources are listed");
  assert.ok(!/\d+ sources?\b/.test(text.replace(/Sources [\d, ]+/g, "")), "the folded source counts are not printed");
  // Each jurisdiction's column cites a source once: a cell citing what a cell above cites says so.
  assert.ok(text.includes("Sources as for Ordering authority"), "repeated source lists are referred back");
  // The table itself stays short; the numbered sources follow it in two columns.
  const file = artifact("pdf", "compare.pdf");
  const tablePages = [...Array(pages).keys()].map((n) => n + 1).find((n) =>
    /^Sources\s*$/m.test(execFileSync("pdftotext", ["-f", `${n}`, "-l", `${n}`, file, "-"], { encoding: "utf8" })),
  );
  assert.ok(tablePages && tablePages <= 5, `the table runs to page ${tablePages}`);
  // Nine pages since the comparison gained the "Use in practice" row and its sources.
  assert.ok(pages <= 9, `${pages} pages`);
  console.log(`      comparison: ${pages} pages, the table on ${tablePages}`);
});

await checks.check("grouping comparison: all nine columns on the page", async () => {
  const { pages, text } = await print("/compare/jakarta-2018/", "compare-jakarta-2018");
  for (const name of ["Australia", "Brunei", "Indonesia", "Malaysia", "Myanmar", "New Zealand", "Philippines", "Singapore", "Thailand"]) {
    assert.ok(text.includes(name), `"${name}" printed`);
  }
  // Every column fits across the (landscape) page: the header row, first to last, is one line.
  const firstPage = execFileSync("pdftotext", ["-layout", "-f", "1", "-l", "1", artifact("pdf", "compare-jakarta-2018.pdf"), "-"], { encoding: "utf8" });
  assert.ok(firstPage.split("\n").some((line) => /Australia.*Brunei.*Indonesia.*Singapore.*Thailand/.test(line)), `one header row:\n${firstPage.slice(0, 1500)}`);
  console.log(`      grouping comparison: ${pages} pages`);
});

await checks.check("collection handout: one page with every item, note and address", async () => {
  const { pages, text } = await print(pageTypes.collection, "collection-handout");
  assert.equal(pages, 1, "the shipped handout fits on one page");
  for (const needed of ["Blocking terrorist content online", "For participants:", "What would count as prior judicial authorisation", `${base}/jurisdictions/indonesia/#safeguard-judicial-authorisation`]) {
    assert.ok(text.includes(needed), `"${needed}" printed`);
  }
  assert.deepEqual(noChrome(text), [], "screen-only chrome printed");
});

// US Letter, the paper of the Philippines, Canada and the United States, is 1.8 cm shorter.
await checks.check("every shipped collection's handout is one page on A4 and on US Letter", async () => {
  const collections = [...(await (await fetch(`${base}/collections/`)).text()).matchAll(/href="(\/collections\/[a-z0-9-]+\/)"/g)]
    .map((m) => m[1]);
  assert.ok(collections.length >= 2, `collections listed: ${collections}`);
  for (const path of new Set(collections)) {
    for (const format of ["A4", "Letter"]) {
      const name = `handout-${path.split("/")[2]}-${format.toLowerCase()}`;
      const { pages, text } = await print(path, name, format);
      assert.equal(pages, 1, `${path} on ${format}: ${pages} pages`);
      assert.ok(text.includes("not legal advice"), `${path} on ${format}: the last line printed`);
    }
  }
});

await checks.check("reading pack: every item's note and its section in full, without the site's chrome", async () => {
  const { pages, text } = await print(pageTypes.pack, "reading-pack");
  for (const needed of [
    "reading pack",
    "For participants:",
    "The Minister orders termination without any court",
    "[2024] FCA 499",
    "Platforms under pressure",
    "Brunei Darussalam",
    "version ",
  ]) {
    assert.ok(text.includes(needed), `"${needed}" printed`);
  }
  assert.deepEqual(noChrome(text), [], "screen-only chrome printed");
  assert.ok(!text.includes("Print the reading pack"), "the print button printed");
  assert.ok(pages >= 3, `${pages} pages`);
  console.log(`      reading pack: ${pages} pages`);
});

await browser.close();
checks.finish();
