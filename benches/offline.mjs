// Measures a client-side search in headless Chromium for benches/offline.sh: for each query, in a
// fresh browser context (nothing cached), the time from navigation start to the first result on
// the page, and the bytes of the search's own files fetched (jurisdex: assets/search/ and
// offline-search.js; Pagefind: /pagefind/). Prints one JSON line per query; asserts nothing.
//
// usage: node benches/offline.mjs <jurisdex|pagefind> <page-url> <query>...
import { createRequire } from "node:module";

const require = createRequire(new URL("../tests/browser/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const [engine, pageUrl, ...queries] = process.argv.slice(2);
const searchFile = engine === "pagefind" ? /\/pagefind\// : /\/assets\/(search\/|offline-search\.js)/;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
for (const q of queries) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let bytes = 0, files = 0;
  page.on("requestfinished", async (request) => {
    if (!searchFile.test(request.url())) return;
    const sizes = await request.sizes();
    bytes += sizes.responseBodySize;
    files += 1;
  });
  await page.goto(`${pageUrl}?q=${encodeURIComponent(q)}`);
  // The first hit, or the end of a search that found nothing (jurisdex's status, Pagefind's page).
  const ms = await page.waitForFunction(
    () => (document.querySelector("li.hit") || document.body.dataset.done ||
      /^No results/.test(document.querySelector("[data-offline-status]")?.textContent)) && performance.now(),
    null,
    { timeout: 120_000, polling: "raf" },
  ).then((handle) => handle.jsonValue());
  const hits = await page.locator("li.hit").count();
  await page.waitForLoadState("networkidle");
  console.log(JSON.stringify({ engine, q, ms: Math.round(ms), bytes, files, hits }));
  await context.close();
}
await browser.close();
