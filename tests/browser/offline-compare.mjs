// Custom comparisons in the offline bundle opened from file://: the form, an address with ids and
// ISO codes, differences only, the benchmark column and bad input, each checked against the
// table or message the server renders for the same query; axe on the drawn table; and, with
// JavaScript off, the message and the links to the ready-made comparisons.
// Usage: node offline-compare.mjs <base-url> <file-url-of-the-bundle's-compare/index.html>
import { assert, base, Checks, launch, recordingPage, seriousViolations } from "./lib.mjs";

const offline = process.argv[3] || "";
if (!/^file:\/\/.*\/compare\/index\.html$/.test(offline)) {
  console.error("usage: node offline-compare.mjs <base-url> <file:// URL of compare/index.html>");
  process.exit(2);
}

const checks = new Checks("offline-compare");
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });

/// The drawn comparison as words: the columns, and for each row its label, whether it differs and
/// each cell's badge, text, provisions, sources and entry link (as `jurisdiction#anchor`, so the
/// server's `/jurisdictions/x/#a` and the bundle's `../jurisdictions/x/index.html#a` compare).
async function tableOf(page) {
  await page.locator("table.compare").waitFor();
  return page.evaluate(() => {
    const words = (node) => (node ? node.textContent.replace(/\s+/g, " ").trim() : null);
    const entry = (a) => {
      const m = a && a.href.match(/\/jurisdictions\/([^/]+)\/(?:index\.html)?(#.*)?$/);
      return m ? `${m[1]}${m[2] || ""}` : a && a.href;
    };
    const table = document.querySelector("table.compare");
    const meta = document.querySelector(".table-scroll").previousElementSibling;
    return {
      meta: words(meta.firstChild),
      columns: [...table.querySelectorAll("thead th")].map((th) => ({
        name: words(th),
        link: entry(th.querySelector("a")),
      })),
      rows: [...table.querySelectorAll("tbody tr")].map((tr) => ({
        label: words(tr.querySelector("th")),
        differs: tr.classList.contains("differs"),
        cells: [...tr.querySelectorAll("td")].map((td) => ({
          benchmark: td.classList.contains("benchmark"),
          badge: words(td.querySelector(".badge")),
          confidence: words(td.querySelector(".conf")),
          text: words(td.querySelector(".cell-text")),
          provision: words(td.querySelector(".provisions-line")),
          badgeLink: entry(td.querySelector("a:has(.badge)")),
          entry: entry([...td.querySelectorAll(".cites a")].find((a) => a.textContent === "Entry")),
          sourcesAs: words(td.querySelector(".sources-as")),
          sources: [...td.querySelectorAll(".cell-sources li")].map((li) => ({
            title: words(li),
            href: li.querySelector("a") && li.querySelector("a").getAttribute("href"),
          })),
          printed: words(td.querySelector(".cites .print-only")),
        })),
      })),
      notes: [...document.querySelectorAll(".source-notes li")].map((li) => words(li)),
    };
  });
}

/// The server's table for the same query.
async function serverTable(query) {
  const page = await recordingPage(context);
  await page.goto(`${base}/compare/?${query}`);
  const table = await tableOf(page);
  await page.close();
  return table;
}

/// The server's notice for a query it refuses or cannot draw.
async function serverNotice(query) {
  const page = await recordingPage(context);
  await page.goto(`${base}/compare/?${query}`);
  const text = (await page.locator(".notice[role=alert]").innerText()).trim();
  page.problems = page.problems.filter((p) => !/status of 400/.test(p));
  checks.noProblems(page);
  await page.close();
  return text;
}

await checks.check("the form draws the comparison from file:// as the server does", async () => {
  const page = await recordingPage(context);
  await page.goto(offline);
  for (const id of ["indonesia", "malaysia", "singapore"]) {
    await page.locator(`.compare-form input[name=j][value=${id}]`).check();
  }
  for (const box of await page.locator(".compare-form input[name=t]").all()) await box.uncheck();
  for (const key of ["judicial_authorisation", "user_notice"]) {
    await page.locator(`.compare-form input[name=t][value=${key}]`).check();
  }
  await page.getByRole("button", { name: "Compare" }).click();
  await page.waitForURL(/^file:.*compare\/index\.html\?j=indonesia&j=malaysia&j=singapore&t=judicial_authorisation&t=user_notice&bench=$/);
  const drawn = await tableOf(page);
  const expected = await serverTable("j=indonesia,malaysia,singapore&t=judicial_authorisation,user_notice");
  assert.deepEqual(drawn.columns.map((c) => c.name), ["Safeguard or fact", "Indonesia", "Malaysia", "Singapore"]);
  assert.deepEqual(drawn.rows.slice(0, 2).map((r) => r.label.replace(/ differs$/, "")), ["Judicial authorisation", "User notice"]);
  assert.ok(drawn.rows.every((r) => r.cells.every((c) => c.entry && c.text)), "every cell has its text and entry link");
  assert.ok(drawn.notes.length > 0 && drawn.rows.some((r) => r.cells.some((c) => c.sourcesAs)), "numbered sources, some cited as above");
  assert.deepEqual(drawn, expected);
  // The form shows what was drawn, so it can be changed.
  assert.equal(await page.locator(".compare-form input[name=j][value=malaysia]").isChecked(), true);
  assert.equal(await page.locator(".compare-form input[name=t][value=legal_clarity]").isChecked(), false);
  // Links stay relative files that work from disk.
  const entry = page.locator("table.compare thead th a").first();
  assert.equal(await entry.getAttribute("href"), "../jurisdictions/indonesia/index.html");
  await entry.click();
  await page.waitForURL(/^file:.*\/jurisdictions\/indonesia\/index\.html$/);
  assert.equal((await page.locator("h1").first().innerText()).trim().startsWith("Indonesia"), true);
  checks.noProblems(page);
  await page.close();
});

const diffQuery = "j=indonesia,my,SG&t=judicial-authorisation,user_notice,appeal_redress,legal_clarity&diff=1&bench=EU";
await checks.check("ISO codes in any case, differences only and the benchmark column, as the server", async () => {
  const page = await recordingPage(context);
  await page.goto(`${offline}?${diffQuery}`);
  const drawn = await tableOf(page);
  assert.deepEqual(drawn, await serverTable(diffQuery));
  assert.match(drawn.meta, /^4 jurisdictions · \d+ rows\. Hidden because every jurisdiction has the same answer: \S/);
  assert.deepEqual(drawn.columns.map((c) => c.name), ["Safeguard or fact", "European Union benchmark", "Indonesia", "Malaysia", "Singapore"]);
  assert.ok(drawn.rows.length > 0 && drawn.rows.every((r) => r.differs), "only rows that differ");
  assert.ok(drawn.rows.every((r) => r.cells[0].benchmark && !r.cells[1].benchmark), "the benchmark column comes first");
  const shareable = await page.getByRole("link", { name: "Link to this comparison" }).getAttribute("href");
  assert.equal(shareable, "index.html?j=indonesia,malaysia,singapore&t=judicial_authorisation,user_notice,appeal_redress,legal_clarity&diff=1&bench=european-union");
  checks.noProblems(page);
  await page.close();
});

await checks.check("axe finds no serious violations on a drawn comparison", async () => {
  const page = await recordingPage(context);
  for (const query of [diffQuery, "j=indonesia,malaysia,singapore,thailand"]) {
    await page.goto(`${offline}?${query}`);
    await page.locator("table.compare").waitFor();
    assert.deepEqual(await seriousViolations(page), [], query);
  }
  // axe reads the stylesheets itself; the bundle's CSP (connect-src 'none') refuses it, which is
  // the policy working, not the page failing.
  page.problems = page.problems.filter((p) => !/Connecting to '.*\.css' violates .*"connect-src 'none'"/.test(p));
  checks.noProblems(page);
  await page.close();
});

await checks.check("bad input gets the server's message, written as text", async () => {
  const page = await recordingPage(context);
  for (const query of [
    "j=indonesia,atlantis",
    "j=indonesia,malaysia&t=user_notice,curfew",
    "j=indonesia,malaysia&bench=atlantis",
    "j=indonesia",
    "j=indonesia,malaysia,singapore,thailand,pakistan,turkey,brazil,japan,canada",
    "j=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E,malaysia",
  ]) {
    await page.goto(`${offline}?${query}`);
    const notice = page.locator("[data-compare-result] .notice[role=alert]");
    await notice.waitFor();
    assert.equal((await notice.innerText()).trim(), await serverNotice(query), query);
    assert.equal(await page.locator("table.compare").count(), 0, query);
    assert.equal(await page.locator("main img").count(), 0, query);
  }
  assert.match(
    (await page.goto(`${offline}?j=indonesia,atlantis`), await page.locator(".notice[role=alert]").innerText()),
    /unknown jurisdiction `atlantis`/,
  );
  checks.noProblems(page);
  await page.close();
});

await checks.check("a workshop collection's custom comparison opens drawn from the bundle", async () => {
  const page = await recordingPage(context);
  await page.goto(offline.replace(/compare\/index\.html$/, "collections/jakarta-2018-workshop/index.html"));
  const link = page.locator("a[href^='../../compare/index.html?j=']").first();
  const href = await link.getAttribute("href");
  await link.click();
  await page.waitForURL(/compare\/index\.html\?j=/);
  const drawn = await tableOf(page);
  assert.deepEqual(drawn, await serverTable(href.split("?")[1].replace(/&amp;/g, "&")));
  checks.noProblems(page);
  await page.close();
});

await checks.check("without JavaScript the page says so and links the ready-made comparisons", async () => {
  const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const page = await recordingPage(noJs);
  await page.goto(`${offline}?j=indonesia,malaysia`);
  const message = page.locator("p.notice", { hasText: "custom comparisons need JavaScript" });
  assert.equal(await message.isVisible(), true, "the message shows");
  const grouping = message.getByRole("link", { name: "Jakarta meeting 2018" });
  assert.equal(await grouping.getAttribute("href"), "../compare/jakarta-2018/index.html");
  await grouping.click();
  await page.waitForURL(/^file:.*\/compare\/jakarta-2018\/index\.html$/);
  assert.ok((await page.locator("table.compare tbody tr").count()) > 0, "the ready-made comparison");
  checks.noProblems(page);
  await noJs.close();
});

await browser.close();
checks.finish();
