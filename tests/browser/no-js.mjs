// With JavaScript disabled, search (form and facets), compare and collections still work: they are
// forms and server-rendered pages; JavaScript only enhances them.
// Usage: node no-js.mjs <base-url>
import { assert, base, Checks, launch, recordingPage } from "./lib.mjs";

const checks = new Checks("no-js");
const browser = await launch();
const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });

await checks.check("search: the header form submits and the results page lists hits", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/jurisdictions/`);
  await page.locator("#site-search").fill("judicial authorisation");
  await page.locator("#site-search").press("Enter");
  await page.waitForURL(/\/search\?q=judicial\+authorisation$/);
  assert.ok((await page.locator("ol.hits li.hit").count()) >= 5, "hits");
  assert.match(await page.locator("[data-results] .meta").innerText(), /\d+ results for “judicial authorisation”/);
  assert.ok((await page.locator("ol.hits .snippet mark").count()) > 0, "highlighted snippets from the server");
  checks.noProblems(page);
  await page.close();
});

await checks.check("search: a facet link filters, and the active filter can be removed", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/search?q=blocking`);
  const before = await page.locator("[data-results] .meta").innerText();
  const facet = page.locator(".facets a[href*='region=']").first();
  const label = (await facet.innerText()).trim();
  await facet.click();
  await page.waitForURL(/region=/);
  assert.equal((await page.locator(".facets li.selected a").first().innerText()).trim(), label, "the chosen value is marked");
  const after = await page.locator("[data-results] .meta").innerText();
  assert.notEqual(after, before, "fewer results");
  await page.locator(".facets fieldset").first().locator("a").first().click();
  await page.waitForURL((url) => !url.search.includes("region="));
  checks.noProblems(page);
  await page.close();
});

await checks.check("search: next page link works", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/search?q=blocking`);
  await page.locator(".pager a[rel=next]").click();
  await page.waitForURL(/offset=10/);
  assert.equal(await page.locator("ol.hits").getAttribute("start"), "11");
  checks.noProblems(page);
  await page.close();
});

await checks.check("compare: the form gives a table, and differences only removes identical rows", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/compare/`);
  for (const id of ["indonesia", "malaysia", "singapore"]) {
    await page.locator(`input[name=j][value=${id}]`).check();
  }
  // Every safeguard is ticked at first: keep two.
  for (const box of await page.locator("input[name=t]").all()) await box.uncheck();
  await page.locator("input[name=t][value=judicial_authorisation]").check();
  await page.locator("input[name=t][value=independent_oversight]").check();
  await page.getByRole("button", { name: "Compare" }).click();
  await page.waitForURL(/t=judicial_authorisation&t=independent_oversight/);
  assert.equal(await page.locator("table.compare thead th[scope=col]").count(), 4);
  const rows = await page.locator("table.compare tbody tr").count();
  // The result comes first; the form is folded under it and opens without JavaScript.
  assert.ok(await page.locator("table.compare").evaluate((t) => !!(t.compareDocumentPosition(document.querySelector("details.compare-change")) & Node.DOCUMENT_POSITION_FOLLOWING)), "the table is above the form");
  await page.locator("details.compare-change > summary").click();
  await page.getByLabel("Show differences only").check();
  await page.getByRole("button", { name: "Compare" }).click();
  await page.waitForURL(/diff=1/);
  const diff = await page.locator("table.compare tbody tr").count();
  assert.ok(diff < rows, `${diff} of ${rows} rows`);
  assert.match(await page.locator("main .meta").innerText(), /Hidden because every jurisdiction has the same answer: \S/);
  assert.equal(await page.getByLabel("Show differences only").isChecked(), true, "the form remembers the choice");
  checks.noProblems(page);
  await page.close();
});

await checks.check("collections: the list, a collection and an item's link work", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/collections/`);
  await page.locator('.entry-list h2 a[href$="/collections/jakarta-2018-workshop/"]').click();
  await page.waitForURL("**/collections/jakarta-2018-workshop/");
  const items = await page.locator(".reading-item h2 a").count();
  assert.ok(items >= 5, `${items} items`);
  assert.ok((await page.locator(".reading-item svg").count()) >= items, "QR codes are inline SVG");
  await page.locator(".reading-item h2 a").nth(2).click();
  await page.waitForLoadState();
  assert.equal((await page.goto(page.url())).status(), 200);
  checks.noProblems(page);
  await page.close();
});

await checks.check("home: the matrix is all there without scripts (the script-only filter is hidden)", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/`);
  assert.equal(await page.locator("form.matrix-filter").isVisible(), false);
  assert.ok((await page.locator("table.matrix tbody tr").count()) >= 16);
  checks.noProblems(page);
  await page.close();
});

await browser.close();
checks.finish();
