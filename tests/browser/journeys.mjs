// What readers do: matrix cell → assessment, search as you type → highlighted section, compare →
// differences only → CSV, a workshop collection, copy-link, an old (alias) address.
// Usage: node journeys.mjs <base-url>
import { readFileSync } from "node:fs";
import jsQR from "jsqr";
import { assert, base, Checks, launch, recordingPage } from "./lib.mjs";

/// The element the URL's fragment names: is it in the viewport?
async function targetInView(page) {
  return page.evaluate(() => {
    const id = decodeURIComponent(location.hash.slice(1));
    const el = id && document.getElementById(id);
    if (!el) return { found: false, id };
    const r = el.getBoundingClientRect();
    return { found: true, id, inView: r.top >= -1 && r.top < innerHeight && r.bottom > 0, top: r.top, scrollY };
  });
}

/// Minimal RFC 4180 parser: rows of fields.
function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const checks = new Checks("journeys");
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });

await checks.check("home → matrix cell → the entry scrolled to that safeguard", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/`);
  const cell = page.locator('table.matrix td.cell a[href$="/jurisdictions/indonesia/#safeguard-judicial-authorisation"]');
  assert.equal(await cell.count(), 1, "one matrix cell for Indonesia × judicial authorisation");
  await cell.click();
  await page.waitForURL("**/jurisdictions/indonesia/#safeguard-judicial-authorisation");
  const view = await targetInView(page);
  assert.ok(view.found && view.inView, `safeguard card in view: ${JSON.stringify(view)}`);
  assert.ok(view.scrollY > 300, `the page scrolled down to it: ${JSON.stringify(view)}`);
  assert.match(await page.locator("#safeguard-judicial-authorisation h3").innerText(), /Judicial authorisation/);
  checks.noProblems(page);
  await page.close();
});

await checks.check("a matrix cell's note comes as a tooltip when a pointer rests on its row", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/`);
  const cell = page.locator('table.matrix td.cell a[href$="/jurisdictions/indonesia/#safeguard-judicial-authorisation"]');
  assert.equal(await cell.getAttribute("title"), null, "the notes are not in the page");
  // The enhancements start after the page has loaded: the filter form shows then.
  await page.locator("[data-matrix-filter]").waitFor({ state: "visible" });
  await cell.hover();
  await page.waitForFunction(() => document.querySelector('table.matrix tr[data-notes="loaded"]'));
  const entry = await (await page.request.get(`${base}/api/jurisdictions/indonesia.json`)).json();
  const note = entry.safeguards.judicial_authorisation.note;
  assert.ok(note.length > 20, "the entry has a note for the rating");
  assert.equal(await cell.getAttribute("title"), note);
  checks.noProblems(page);
  await page.close();
});

await checks.check("the matrix filters are in the address, so a filtered view can be shared", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/`);
  await page.locator("[data-matrix-filter] select[name=grouping]").selectOption("asean");
  await page.waitForURL(/[?&]grouping=asean/);
  const visible = () => page.locator("table.matrix tbody tr:not([hidden])").count();
  const filtered = await visible();
  assert.ok(filtered > 0 && filtered < (await page.locator("table.matrix tbody tr").count()), `${filtered} rows shown`);
  // The shared address opens the same view.
  await page.goto(page.url());
  assert.equal(await page.locator("[data-matrix-filter] select[name=grouping]").inputValue(), "asean");
  assert.equal(await visible(), filtered);
  await page.locator("[data-matrix-filter] select[name=grouping]").selectOption("");
  await page.waitForURL((url) => !url.search.includes("grouping="));
  checks.noProblems(page);
  await page.close();
});

await checks.check("a live answer's summary reads as the server-rendered page's, quotation marks as typed", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/search`);
  await page.locator("#search-q").fill('"one hour"');
  await page.waitForSelector(`[data-results][data-live-query='"one hour"']`);
  const live = await page.locator("[data-results] .meta").innerText();
  assert.match(live, /^\d+ results? for "one hour" · page 1 of \d+$/);
  await page.goto(`${base}/search?q=${encodeURIComponent('"one hour"')}`);
  assert.equal(await page.locator("[data-results] .meta").innerText(), live, "the same summary without JavaScript's help");
  checks.noProblems(page);
  await page.close();
});

await checks.check("search as you type → open a hit → the section in view with the terms highlighted", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/search`);
  await page.evaluate(() => { window.stillThisPage = true; });
  await page.locator("#search-q").pressSequentially("Kominfo", { delay: 40 });
  await page.waitForSelector('[data-results][data-live-query="Kominfo"]');
  assert.equal(await page.evaluate(() => window.stillThisPage), true, "results arrived without leaving the page");
  assert.match(page.url(), /\/search\?q=Kominfo$/, "the address follows the query");
  assert.match(await page.locator("[data-results] .meta").innerText(), /^\d+ results? for “Kominfo” · page 1 of \d+$/, "the live answer names the query and its pages");
  const hits = page.locator("ol.hits li.hit");
  assert.ok((await hits.count()) > 0, "live hits");
  const facetLinks = page.locator(".facets fieldset:not([data-active]) li a");
  assert.ok((await facetLinks.count()) > 0, "facets rebuilt from the live answer");
  assert.match(await facetLinks.first().getAttribute("href"), /[?&]q=Kominfo&/, "facet links keep the live query");
  assert.match(await hits.first().locator("mark").first().innerText(), /kominfo/i, "terms marked in the snippet");
  const link = hits.first().locator("h2 a");
  const href = await link.getAttribute("href");
  assert.match(href, /\?hl=Kominfo#/, `the hit carries the terms: ${href}`);
  await link.click();
  await page.waitForURL(/hl=Kominfo#/);
  await page.waitForSelector("[data-highlighted]");
  const view = await targetInView(page);
  assert.ok(view.found && view.inView, `landing section in view: ${JSON.stringify(view)}`);
  // The marks of the landing element, or for a heading those of its section (up to the next heading).
  const marks = await page.evaluate((id) => {
    const target = document.getElementById(id);
    const texts = [...target.querySelectorAll("mark")].map((m) => m.textContent);
    if (/^H[1-6]$/.test(target.tagName)) {
      for (let e = target.nextElementSibling; e && !/^H[1-6]$/.test(e.tagName); e = e.nextElementSibling) {
        texts.push(...[...e.querySelectorAll("mark")].map((m) => m.textContent));
      }
    }
    return texts;
  }, view.id);
  assert.ok(marks.length > 0 && marks.every((m) => m.toLowerCase() === "kominfo"), `highlighted: ${marks}`);
  checks.noProblems(page);
  await page.close();
});

await checks.check("a heading's section is highlighted below the heading, up to the next heading", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/jurisdictions/france/?hl=blocking+within+hours#section-blocking-and-removal-powers`);
  await page.waitForSelector("[data-highlighted]");
  const marked = await page.evaluate(() => {
    const heading = document.getElementById("section-blocking-and-removal-powers");
    const inSection = [];
    for (let e = heading.nextElementSibling; e && !/^H[12]$/.test(e.tagName); e = e.nextElementSibling) {
      inSection.push(...[...e.querySelectorAll("mark")].map((m) => m.textContent.toLowerCase()));
    }
    return { inSection, counted: +heading.dataset.highlighted, all: document.querySelectorAll("mark").length };
  });
  assert.ok(marked.inSection.includes("within") && marked.inSection.includes("hours"), `body marked: ${JSON.stringify(marked)}`);
  assert.equal(marked.counted, marked.all, `every mark is in the section: ${JSON.stringify(marked)}`);
  checks.noProblems(page);
  await page.close();
});

await checks.check("the landed section marks whole words and their inflections, never parts of words", async () => {
  const page = await recordingPage(context);
  // The section has “one”, “alone” and “reasoned”; “order” and “orders”; “court” and “courts”.
  await page.goto(`${base}/jurisdictions/italy/?hl=one+order+courts#section-safeguards`);
  await page.waitForSelector("[data-highlighted]");
  const marks = await page.evaluate(() => [...document.querySelectorAll("mark")].map((m) => {
    const before = m.previousSibling && m.previousSibling.nodeType === Node.TEXT_NODE ? m.previousSibling.nodeValue.slice(-1) : "";
    const after = m.nextSibling && m.nextSibling.nodeType === Node.TEXT_NODE ? m.nextSibling.nodeValue.charAt(0) : "";
    return `${before}[${m.textContent}]${after}`;
  }));
  const words = new Set(marks.map((m) => /\[(.*)\]/.exec(m)[1].toLowerCase()));
  for (const word of ["one", "order", "orders", "court", "courts"]) {
    assert.ok(words.has(word), `${word} not marked: ${marks}`);
  }
  assert.deepEqual([...words].filter((w) => !["one", "order", "orders", "court", "courts"].includes(w)), [], `marked: ${marks}`);
  assert.ok(marks.every((m) => !/[\p{L}\p{N}]\[|\][\p{L}\p{N}]/u.test(m)), `parts of words marked: ${marks}`);
  checks.noProblems(page);
  await page.close();
});

await checks.check("compare three jurisdictions with the form, then differences only, then CSV", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/compare/`);
  for (const id of ["indonesia", "malaysia", "singapore"]) {
    await page.locator(`.compare-form input[name=j][value=${id}]`).check();
  }
  await page.getByRole("button", { name: "Compare" }).click();
  await page.waitForURL(/j=indonesia&j=malaysia&j=singapore/);
  const columns = await page.locator("table.compare thead th[scope=col]").allInnerTexts();
  assert.deepEqual(columns.slice(1).map((c) => c.trim()), ["Indonesia", "Malaysia", "Singapore"]);
  const allRows = await page.locator("table.compare tbody tr").count();
  assert.ok(allRows >= 8, `all eight safeguards and the facts: ${allRows} rows`);

  // The form is folded under the result; the skip link at the top opens it.
  assert.equal(await page.getByLabel("Show differences only").isVisible(), false, "the form is folded");
  await page.getByRole("link", { name: "Change the jurisdictions or safeguards" }).click();
  await page.getByLabel("Show differences only").check();
  await page.getByRole("button", { name: "Compare" }).click();
  await page.waitForURL(/diff=1/);
  const rows = page.locator("table.compare tbody tr");
  const diffRows = await rows.count();
  assert.ok(diffRows > 0 && diffRows < allRows, `differences only: ${diffRows} of ${allRows} rows`);
  assert.equal(await page.locator("table.compare tbody tr:not(.differs)").count(), 0, "every row shown differs");
  assert.match(await page.locator("main .meta").innerText(), /Hidden because every jurisdiction has the same answer: \S/);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download this table as CSV" }).click(),
  ]);
  const csv = parseCsv(readFileSync(await download.path(), "utf8"));
  assert.deepEqual(csv[0].slice(0, 3), ["row", "jurisdiction_id", "jurisdiction"]);
  const body = csv.slice(1).filter((r) => r.length > 1);
  assert.deepEqual([...new Set(body.map((r) => r[1]))].sort(), ["indonesia", "malaysia", "singapore"]);
  const labels = (await rows.locator("th[scope=row]").allInnerTexts()).map((l) => l.replace(/\s*differs$/, "").trim());
  assert.deepEqual([...new Set(body.map((r) => r[0]))], labels, "the CSV has exactly the rows shown");
  checks.noProblems(page);
  await page.close();
});

await checks.check("open a workshop collection and follow an item", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/collections/`);
  await page.locator('.entry-list h2 a[href$="/collections/jakarta-2018-workshop/"]').click();
  await page.waitForURL("**/collections/jakarta-2018-workshop/");
  // The handout's print button opens the browser's print dialog.
  await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
  await page.getByRole("button", { name: "Print this handout" }).click();
  assert.equal(await page.evaluate(() => window.printed), 1, "print was asked for");
  const items = page.locator(".reading-item");
  assert.ok((await items.count()) >= 5, "a reading list");
  const item = page.locator('.reading-item h2 a[href$="/jurisdictions/indonesia/#safeguard-judicial-authorisation"]');
  await item.click();
  await page.waitForURL("**/jurisdictions/indonesia/#safeguard-judicial-authorisation");
  const view = await targetInView(page);
  assert.ok(view.found && view.inView, `the item's section in view: ${JSON.stringify(view)}`);
  checks.noProblems(page);
  await page.close();
});

await checks.check("a handout's QR code, decoded from the page as drawn, opens the item on a phone", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/collections/jakarta-2018-workshop/`);
  const item = page.locator(".reading-item").filter({ has: page.locator('h2 a[href$="/jurisdictions/indonesia/#safeguard-judicial-authorisation"]') });
  // Draw the item's SVG code on a canvas, as a camera would see it printed, and decode the pixels.
  const pixels = await item.locator(".qr-item svg").evaluate(async (svg) => {
    const size = 400;
    const image = new Image();
    const markup = new XMLSerializer().serializeToString(svg);
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(markup);
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const draw = canvas.getContext("2d");
    draw.fillStyle = "#fff";
    draw.fillRect(0, 0, size, size);
    draw.drawImage(image, 0, 0, size, size);
    return { size, data: Array.from(draw.getImageData(0, 0, size, size).data) };
  });
  const code = jsQR(Uint8ClampedArray.from(pixels.data), pixels.size, pixels.size);
  assert.ok(code, "the code decodes");
  assert.equal(code.data, `${base}/jurisdictions/indonesia/#safeguard-judicial-authorisation`);
  assert.equal(code.data, (await item.locator(".print-url").innerText()).trim(), "the code and the printed address agree");
  checks.noProblems(page);
  await page.close();
  // A participant's phone: another browser context, small and touch, with nothing shared.
  const phone = await browser.newContext({ viewport: { width: 375, height: 700 }, isMobile: true, hasTouch: true });
  const scanned = await recordingPage(phone);
  await scanned.goto(code.data);
  const view = await targetInView(scanned);
  assert.ok(view.found && view.inView, `the section in view: ${JSON.stringify(view)}`);
  const named = await scanned.evaluate(() => {
    const bar = document.querySelector(".entry-context");
    const r = bar && bar.getBoundingClientRect();
    return bar && { text: bar.innerText, top: r.top, bottom: r.bottom };
  });
  assert.ok(named && named.text.includes("Indonesia") && named.top >= 0 && named.bottom <= 700, `the country's name in view: ${JSON.stringify(named)}`);
  checks.noProblems(scanned);
  await phone.close();
});

await checks.check("copy-link puts the permalink on the clipboard", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/jurisdictions/indonesia/`);
  await page.locator("#safeguard-user-notice a.permalink").click();
  await page.waitForSelector("#safeguard-user-notice a.permalink[data-copied]");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, `${base}/jurisdictions/indonesia/#safeguard-user-notice`);
  assert.match(await page.locator("#copy-status").innerText(), /Link copied/);
  assert.match(page.url(), /#safeguard-user-notice$/);
  checks.noProblems(page);
  await page.close();
});

await checks.check("an old (alias) address redirects to the entry, anchor kept", async () => {
  const page = await recordingPage(context);
  const response = await page.goto(`${base}/jurisdictions/republic-of-indonesia/#safeguard-appeal-redress`);
  const first = response.request().redirectedFrom();
  assert.ok(first, "the alias was redirected");
  assert.equal((await first.response()).status(), 301);
  assert.equal(response.status(), 200);
  assert.equal(page.url(), `${base}/jurisdictions/indonesia/#safeguard-appeal-redress`);
  const view = await targetInView(page);
  assert.ok(view.found && view.inView, `the anchor survives the redirect: ${JSON.stringify(view)}`);
  checks.noProblems(page);
  await page.close();
});

await checks.check("no console errors on any page of the site", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/`);
  const links = await page.evaluate(() => [...document.querySelectorAll("a[href^='/']")].map((a) => a.getAttribute("href").split("#")[0]));
  const entry = await page.evaluate(() => document.querySelector("table.matrix th[scope=row] a").getAttribute("href"));
  await page.goto(`${base}${entry}`);
  const more = await page.evaluate(() => [...document.querySelectorAll("a[href^='/']")].map((a) => a.getAttribute("href").split("#")[0]));
  const html = (path) => !/\.(xml|csv|json)$/.test(path);
  const visited = [...new Set([...links, ...more, "/search?q=blocking", "/compare/asean/", "/collections/jakarta-2018-workshop/", "/about/", "/context/", "/disclaimer/"])].filter(html);
  for (const path of visited) {
    const response = await page.goto(`${base}${path}`);
    assert.ok(response.ok(), `${path}: ${response.status()}`);
  }
  assert.ok(visited.length > 20, `visited ${visited.length} pages`);
  checks.noProblems(page);
  await page.close();
});

await browser.close();
checks.finish();
