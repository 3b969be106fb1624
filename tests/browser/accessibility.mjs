// Accessibility: axe-core on every page type in light and dark (no serious or critical violation),
// keyboard use (skip link, visible focus, DOM-order tabbing, matrix cells reachable), table
// headers, colour never the only signal, and `lang` on original-language titles.
// Usage: node accessibility.mjs <base-url>
import { assert, base, Checks, contrast, launch, pageTypes, recordingPage, seriousViolations } from "./lib.mjs";

const checks = new Checks("accessibility");
const browser = await launch();

for (const colorScheme of ["light", "dark"]) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
  for (const [type, path] of Object.entries(pageTypes)) {
    await checks.check(`axe: ${type} (${path}), ${colorScheme}: no serious or critical violations`, async () => {
      const page = await recordingPage(context, { expected404: type === "notfound" });
      await page.goto(`${base}${path}`);
      const violations = await seriousViolations(page);
      assert.deepEqual(violations, []);
      checks.noProblems(page);
      await page.close();
    });
  }
  await context.close();
}

// axe leaves the colours of cells over sticky columns "incomplete": measure the ratings ourselves.
for (const colorScheme of ["light", "dark"]) {
  await checks.check(`contrast, ${colorScheme}: every rating's text on its own background is at least 4.5:1`, async () => {
    const context = await browser.newContext({ colorScheme });
    const page = await recordingPage(context);
    const low = [];
    let measured = 0;
    for (const path of ["/", pageTypes.entry, pageTypes.compare]) {
      await page.goto(`${base}${path}`);
      // The text colour and the first opaque background behind it, for every rating.
      const ratings = await page.evaluate(() =>
        [...document.querySelectorAll(".badge, td.cell a, td.cell .conf, .badge .conf")].map((el) => {
          let bg = el, background = getComputedStyle(el).backgroundColor;
          while (/rgba\(.*, 0\)|transparent/.test(background) && bg.parentElement) {
            bg = bg.parentElement;
            background = getComputedStyle(bg).backgroundColor;
          }
          return { what: `${el.className} "${el.textContent.trim()}"`, color: getComputedStyle(el).color, background };
        }),
      );
      for (const r of ratings) {
        const ratio = contrast(r.color, r.background);
        if (ratio < 4.5) low.push(`${path} ${r.what}: ${ratio.toFixed(2)}`);
      }
      measured += ratings.length;
    }
    assert.ok(measured > 150, `measured ${measured} ratings`);
    assert.deepEqual([...new Set(low)], []);
    checks.noProblems(page);
    await context.close();
  });
}

const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });

/// Facts about the focused element: what it is, where, whether it is visible and outlined.
const focused = () => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.getAttribute("aria-label") || el.id || "").trim().slice(0, 40),
    href: el.getAttribute("href"),
    inMatrixCell: !!el.closest("table.matrix td.cell"),
    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
};

await checks.check("keyboard: skip link first, visible, and it moves focus to the content", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/jurisdictions/indonesia/`);
  await page.keyboard.press("Tab");
  const first = await page.evaluate(focused);
  assert.equal(first.text, "Skip to content");
  assert.ok(first.visible && first.outline, `visible and outlined when focused: ${JSON.stringify(first)}`);
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "main");
  await page.keyboard.press("Tab");
  const next = await page.evaluate(() => !!document.activeElement.closest("main"));
  assert.ok(next, "the next Tab stays in the main content");
  checks.noProblems(page);
  await page.close();
});

await checks.check("keyboard: tab order follows the page, every stop is visibly focused, matrix cells reachable", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}/`);
  assert.equal(await page.locator("[tabindex]:not([tabindex='0']):not([tabindex='-1'])").count(), 0, "no positive tabindex");
  const stops = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    const now = await page.evaluate(focused);
    // Each stop comes after the previous one in document order.
    const inOrder = await page.evaluate(() => {
      const prev = window.previousFocus;
      window.previousFocus = document.activeElement;
      return !prev || !!(prev.compareDocumentPosition(document.activeElement) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(inOrder, `stop ${i + 1} (${JSON.stringify(now)}) comes after the previous one`);
    assert.ok(now.visible && now.outline, `stop ${i + 1} is visible with a focus outline: ${JSON.stringify(now)}`);
    stops.push(now);
    if (now.inMatrixCell) break;
  }
  const cell = stops[stops.length - 1];
  assert.ok(cell.inMatrixCell, `a matrix cell is reachable by Tab: ${stops.map((s) => s.text).join(" → ")}`);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/jurisdictions\/[a-z-]+\/#safeguard-/);
  checks.noProblems(page);
  await page.close();
});

await checks.check("tables: matrix and compare have captions and scoped headers on both axes", async () => {
  const page = await recordingPage(context);
  for (const [path, selector] of [["/", "table.matrix"], [pageTypes.compare, "table.compare"], ["/compare/jakarta-2018/", "table.compare"]]) {
    await page.goto(`${base}${path}`);
    const t = await page.evaluate((sel) => {
      const table = document.querySelector(sel);
      const rows = [...table.tBodies[0].rows];
      return {
        caption: table.caption ? table.caption.textContent.trim() : "",
        colHeaders: table.querySelectorAll("thead th[scope=col]").length,
        headCells: table.tHead.rows[0].cells.length,
        rows: rows.length,
        rowHeaders: rows.filter((r) => r.cells[0].tagName === "TH" && r.cells[0].getAttribute("scope") === "row").length,
      };
    }, selector);
    assert.ok(t.caption, `${path}: caption`);
    assert.equal(t.colHeaders, t.headCells, `${path}: every column header has scope=col`);
    assert.ok(t.rows > 0, `${path}: rows`);
    assert.equal(t.rowHeaders, t.rows, `${path}: every row starts with a th scope=row`);
  }
  checks.noProblems(page);
  await page.close();
});

await checks.check("colour is never the only signal: every rating has a word and a symbol; a legend explains them", async () => {
  const page = await recordingPage(context);
  for (const path of ["/", pageTypes.entry, pageTypes.compare, pageTypes.topic]) {
    await page.goto(`${base}${path}`);
    const bare = await page.evaluate(() =>
      [...document.querySelectorAll("td.cell a, .badge")]
        .filter((el) => !/^\s*\S+\s+(Yes|Partial|No|Silent|Unknown)\b/.test(el.textContent))
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    assert.deepEqual(bare, [], `${path}: ratings with no symbol and word`);
  }
  await page.goto(`${base}/`);
  // The matrix legend and the maps' key each explain all five values.
  const legends = await page.locator(".legend").evaluateAll((lists) => lists.map((l) => l.querySelectorAll("dt").length));
  assert.ok(legends.length >= 1 && legends.every((n) => n === 5), `legends: ${legends}`);
  checks.noProblems(page);
  await page.close();
});

await checks.check("lang: the page is English; original-language titles carry their language", async () => {
  const page = await recordingPage(context);
  let originals = 0;
  for (const id of ["germany", "malaysia", "indonesia"]) {
    await page.goto(`${base}/jurisdictions/${id}/`);
    assert.equal(await page.getAttribute("html", "lang"), "en");
    const missing = await page.evaluate(() =>
      [...document.querySelectorAll(".original")].filter((el) => !el.lang).map((el) => el.textContent),
    );
    assert.deepEqual(missing, [], `${id}: original titles without lang`);
    originals += await page.locator(".original[lang]").count();
  }
  assert.ok(originals >= 3, `original-language titles checked: ${originals}`);
  await page.goto(`${base}/search?q=Netzwerkdurchsetzungsgesetz`);
  assert.equal(await page.locator('ol.hits a[lang="de"]').count(), 1, "a hit titled in German carries lang=de");
  checks.noProblems(page);
  await page.close();
});

await browser.close();
checks.finish();
