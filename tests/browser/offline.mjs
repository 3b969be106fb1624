// The offline search of a bundle opened from disk (file://) in headless Chromium: ranking,
// typo corrections, citations, the parts a query loads, and paging through many hits. Run by
// tests/suite/bundle.rs, which builds the bundles and asks the server's index what it returns.
//
// usage: node offline.mjs shipped <search-page-file-url> <server's top hits for "one hour", JSON>
//        node offline.mjs large <search-page-file-url> <query> <expected first hit's url prefix>
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

setTimeout(() => {
  console.error("offline suite did not finish within 5 minutes");
  process.exit(1);
}, 300_000).unref();

const [mode, pageUrl, ...rest] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const failures = [];
async function check(name, body) {
  try {
    await body();
    console.log(`ok - ${name}`);
  } catch (error) {
    failures.push(name);
    console.log(`not ok - ${name}\n${error.stack}`);
  }
}

// Searches `q` in a fresh page; returns what the page shows and the index parts it loaded.
async function search(q) {
  const page = await browser.newPage();
  const errors = [];
  const loaded = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => {
    const m = /assets\/search\/(.*)$/.exec(r.url());
    if (m) loaded.push(m[1]);
  });
  await page.goto(`${pageUrl}?q=${encodeURIComponent(q)}`);
  // The status is empty until the page's script has run (an empty query never says "Searching…").
  await page.waitForFunction(() => {
    const status = document.querySelector("[data-offline-status]").textContent;
    return status !== "" && !/Searching/.test(status);
  });
  const shown = await read(page);
  return { page, errors, loaded, ...shown };
}

async function read(page) {
  return page.evaluate(() => {
    const notice = document.querySelector("[data-offline-corrected]");
    return {
      status: document.querySelector("[data-offline-status]").textContent,
      notice: notice.hidden ? "" : notice.textContent,
      noticeLink: notice.hidden ? "" : notice.querySelector("a")?.getAttribute("href"),
      hits: [...document.querySelectorAll("li.hit h2 a")].map((a) => a.getAttribute("href")),
      more: !document.querySelector("[data-offline-more]").hidden,
    };
  });
}

if (mode === "shipped") {
  const server = JSON.parse(rest[0]);
  await check("“one hour” ranks as the server does", async () => {
    const r = await search("one hour");
    assert.deepEqual(r.errors, []);
    assert.ok(r.hits.length >= 5, JSON.stringify(r));
    assert.ok(server.slice(0, 5).includes(r.hits[0]), `first ${r.hits[0]} not in the server's top 5 ${server}`);
    const agree = r.hits.slice(0, 5).filter((h) => server.includes(h));
    assert.ok(agree.length >= 3, `only ${agree.length} of ${r.hits.slice(0, 5)} in the server's top ${server.length}`);
  });
  await check("a misspelt word is corrected with the server's notice", async () => {
    const r = await search("Komnifo");
    assert.equal(r.notice, "No results for “Komnifo”. Showing results for “kominfo”.");
    assert.equal(r.noticeLink, "?q=kominfo");
    assert.ok(r.hits.length > 0 && r.hits.every((h) => h.startsWith("../jurisdictions/indonesia/index.html")), JSON.stringify(r));
    assert.match(r.status, /results? for “kominfo”/);
    // Word lists are loaded only for the correction.
    assert.ok(r.loaded.some((p) => p.startsWith("v/")), JSON.stringify(r.loaded));
    // The corrected query's link searches it, with no notice.
    await r.page.click("[data-offline-corrected] a");
    await r.page.waitForFunction(() => /for “kominfo”/.test(document.querySelector("[data-offline-status]").textContent));
    const again = await read(r.page);
    assert.equal(again.notice, "");
    assert.deepEqual(again.hits, r.hits);
  });
  await check("no correction when every word is indexed, or none is close", async () => {
    const r = await search("kominfo");
    assert.equal(r.notice, "");
    assert.ok(!r.loaded.some((p) => p.startsWith("v/")), JSON.stringify(r.loaded));
    const none = await search("zzqxwv");
    assert.match(none.status, /^No results for “zzqxwv”/);
    assert.deepEqual(none.hits, []);
  });
  await check("a query with quotation marks of its own is named as typed", async () => {
    const r = await search('"one hour"');
    assert.deepEqual(r.errors, []);
    assert.match(r.status, /^\d+ results? for "one hour"$/);
  });
  await check("“section 233” finds Malaysia's s 233, loading only its words' shards", async () => {
    const r = await search("section 233");
    assert.ok(r.hits[0].startsWith("../jurisdictions/malaysia/index.html"), JSON.stringify(r.hits));
    // The shards of its two words, of the other forms of their stems (`sections`), and the
    // position shards of the phrase they make.
    const shards = r.loaded.filter((p) => p.startsWith("t/"));
    assert.ok(shards.length >= 1 && shards.length <= 4, JSON.stringify(r.loaded));
    const positions = r.loaded.filter((p) => p.startsWith("p/"));
    assert.ok(positions.length >= 1 && positions.length <= 4, JSON.stringify(r.loaded));
    assert.ok(!r.loaded.some((p) => p.startsWith("v/")), JSON.stringify(r.loaded));
    const same = await search("s. 233");
    assert.deepEqual(same.hits, r.hits);
  });
  await check("a Bengali law is found by its title, its words whole at their viramas", async () => {
    const r = await search("সুরক্ষা অধ্যাদেশ");
    assert.deepEqual(r.errors, []);
    assert.ok(r.hits[0].startsWith("../jurisdictions/bangladesh/index.html#instrument-"), JSON.stringify(r.hits));
    const marks = await r.page.evaluate(() => [...document.querySelectorAll("li.hit mark")].map((m) => m.textContent));
    assert.ok(marks.includes("সুরক্ষা"), `marked: ${JSON.stringify(marks)}`);
    await r.page.close();
  });
  await check("filters and exclusions", async () => {
    const r = await search("grouping:asean blocking");
    assert.ok(r.hits.length > 0, JSON.stringify(r));
    assert.ok(r.hits.every((h) => !/\/(france|italy|european-union|turkey)\//.test(h)), JSON.stringify(r.hits));
    const kinds = await search("kind:case blocking");
    assert.ok(kinds.hits.length > 0 && kinds.hits.every((h) => h.includes("#case-")), JSON.stringify(kinds.hits));
    const excluded = await search("kominfo -kominfo");
    assert.deepEqual(excluded.hits, []);
  });
} else if (mode === "large") {
  const [query, expected] = rest;
  await check(`a site of over 500 entries searches: “${query}”`, async () => {
    const r = await search(query);
    assert.deepEqual(r.errors, []);
    assert.ok(r.hits.length > 0 && r.hits[0].startsWith(expected), JSON.stringify(r));
    // Metadata chunks are loaded for the hits shown, not for the whole site.
    assert.ok(r.loaded.filter((p) => p.startsWith("d/")).length <= 20, JSON.stringify(r.loaded));
  });
  await check("many hits come 20 at a time", async () => {
    const r = await search("blocking");
    const total = Number(/^(\d+) results/.exec(r.status)?.[1]);
    assert.ok(total > 40, r.status);
    assert.equal(r.hits.length, 20);
    assert.ok(r.more);
    await r.page.click("[data-offline-more]");
    await r.page.waitForFunction(() => document.querySelectorAll("li.hit").length === 40);
    const next = await read(r.page);
    assert.equal(new Set(next.hits).size, 40);
    const empty = await search("");
    const sections = Number(/^Search (\d+) sections/.exec(empty.status)?.[1]);
    assert.ok(sections > 500 * 5, empty.status);
  });
} else {
  console.error("usage: node offline.mjs shipped|large <page-url> ...");
  process.exit(2);
}
await browser.close();
if (failures.length) {
  console.log(`${failures.length} failed: ${failures.join("; ")}`);
  process.exit(1);
}
