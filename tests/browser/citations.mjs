// Citations: the copy buttons (clipboard, and the selection when the clipboard is refused), a
// section's "Cite" pinning its anchor, what a followed citation of an older version is told, the
// report link of a rating, the texts without JavaScript, and axe on pages showing all of it.
// Usage: node citations.mjs <base-url> <a version of the Indonesia entry older than its latest review>
import { assert, base, Checks, launch, pageTypes, recordingPage, seriousViolations } from "./lib.mjs";

const old = process.argv[3] || "";
if (!/^\d{4}-\d{2}-\d{2}\.[0-9a-f]{12}$/.test(old)) {
  console.error("usage: node citations.mjs <base-url> <old-version>");
  process.exit(2);
}

const checks = new Checks("citations");
const browser = await launch();
const context = await browser.newContext({
  viewport: { width: 1280, height: 900 },
  permissions: ["clipboard-read", "clipboard-write"],
});
const entry = pageTypes.entry;

/// The version the page's cite box names.
const currentVersion = (page) => page.getAttribute("[data-cite-box]", "data-cite-version");

await checks.check("copy: each form's button puts its text on the clipboard and says Copied", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}${entry}`);
  assert.equal(await page.locator("#cite button[data-copy]:visible").count(), 4);
  for (const form of ["plain", "bibtex", "ris", "csl-json"]) {
    await page.locator(`button[data-copy="cite-${form}"]`).click();
    await page.waitForSelector(`button[data-copy="cite-${form}"][data-copied]`);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, await page.locator(`#cite-${form}`).inputValue(), form);
    assert.equal(await page.locator("#copy-status").innerText(), "Copied");
  }
  const version = await currentVersion(page);
  assert.match(await page.locator("#cite-plain").inputValue(), new RegExp(`/jurisdictions/indonesia/\\?v=${version.replace(".", "\\.")} `));
  checks.noProblems(page);
  await page.close();
});

await checks.check("copy: where the clipboard is refused, the text is selected instead", async () => {
  const refused = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await refused.addInitScript(() => {
    Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new Error("denied")) } });
  });
  const page = await recordingPage(refused);
  await page.goto(`${base}${entry}`);
  await page.locator('button[data-copy="cite-bibtex"]').click();
  await page.waitForSelector('button[data-copy="cite-bibtex"][data-copied]');
  const selection = await page.evaluate(() => {
    const field = document.activeElement;
    return { id: field.id, selected: field.value.slice(field.selectionStart, field.selectionEnd), all: field.value };
  });
  assert.equal(selection.id, "cite-bibtex");
  assert.equal(selection.selected, selection.all);
  assert.match(await page.locator("#copy-status").innerText(), /^(Copied|Selected: press Ctrl\+C to copy)$/);
  checks.noProblems(page);
  await refused.close();
});

await checks.check("a section's Cite pins its anchor into every form; the whole entry can be cited again", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}${entry}`);
  const version = await currentVersion(page);
  const pinned = `${base}/jurisdictions/indonesia/?v=${version}`;
  await page.locator("#safeguard-user-notice a[data-cite-section]").click();
  assert.equal(await page.evaluate(() => document.activeElement.id), "cite-heading");
  for (const form of ["plain", "bibtex", "ris", "csl-json"]) {
    const text = await page.locator(`#cite-${form}`).inputValue();
    assert.ok(text.includes(`${pinned}#safeguard-user-notice`), `${form}: ${text}`);
  }
  assert.match(await page.locator("[data-cite-section-note]").innerText(), /Citing one section: User notice/);
  await page.getByRole("button", { name: "Cite the whole entry" }).click();
  const plain = await page.locator("#cite-plain").inputValue();
  assert.ok(plain.includes(`${pinned} `) && !plain.includes("#safeguard"), plain);
  assert.ok(await page.locator("[data-cite-section-note]").isHidden());
  checks.noProblems(page);
  await page.close();
});

await checks.check("a citation of an older version says what changed since, at the top of the page", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}${entry}?v=${old}#safeguard-user-notice`);
  const notice = page.locator("[data-version-notice]");
  const text = await notice.innerText();
  assert.match(text, new RegExp(`^You followed a citation of the version ${old.replace(".", "\\.")} of this entry\\. It has changed since:`));
  // The changelog lines dated after the cited review, and only those.
  const since = old.slice(0, 10);
  const newer = await page.evaluate((since) =>
    [...document.querySelectorAll("#changelog li")].filter((li) => li.dataset.changeDate > since).map((li) => li.textContent.replace(/\s+/g, " ").trim()),
  since);
  assert.ok(newer.length > 0, "the entry has changed since the cited version");
  assert.deepEqual(await notice.locator("li").allInnerTexts(), newer);
  assert.ok(!text.includes("First published"), text);
  const above = await page.evaluate(() =>
    !!(document.querySelector("[data-version-notice]").compareDocumentPosition(document.querySelector("h1")) & Node.DOCUMENT_POSITION_FOLLOWING));
  assert.ok(above, "the notice comes before the heading");
  assert.deepEqual(await seriousViolations(page), []);
  checks.noProblems(page);
  await page.close();
});

await checks.check("the cited version itself is said to be the one cited", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}${entry}`);
  const version = await currentVersion(page);
  await page.goto(`${base}${entry}?v=${version}`);
  assert.equal(await page.locator("[data-version-notice]").innerText(), "This is the version cited.");
  checks.noProblems(page);
  await page.close();
});

await checks.check("comparisons and topic pages are cited by version and tell what changed since", async () => {
  const page = await recordingPage(context);
  for (const [path, noun] of [[pageTypes.compare, "comparison"], [pageTypes.grouping, "comparison"], [pageTypes.topic, "list"]]) {
    await page.goto(`${base}${path}`);
    const version = await currentVersion(page);
    assert.match(version, /^\d{4}-\d{2}-\d{2}\.[0-9a-f]{12}$/, path);
    assert.equal(await page.locator("#cite-heading").innerText(), `Cite this ${noun}`);
    const plain = await page.locator("#cite-plain").inputValue();
    assert.ok(plain.includes(`v=${version}`), `${path}: ${plain}`);
    assert.deepEqual(await seriousViolations(page), [], path);
    const separator = path.includes("?") ? "&" : "?";
    await page.goto(`${base}${path}${separator}v=${old}`);
    assert.match(await page.locator("[data-version-notice]").innerText(), new RegExp(`of this ${noun}\\. It has changed since`), path);
    assert.deepEqual(await seriousViolations(page), [], `${path} with the notice`);
  }
  checks.noProblems(page);
  await page.close();
});

await checks.check("a rating's report link opens a prefilled report naming its address and version", async () => {
  const page = await recordingPage(context);
  await page.goto(`${base}${entry}`);
  const version = await currentVersion(page);
  const href = await page.locator("#safeguard-judicial-authorisation a[rel=nofollow]").getAttribute("href");
  const url = new URL(href);
  assert.equal(url.protocol, "mailto:");
  assert.equal(url.searchParams.get("subject"), "Error in Indonesia: Judicial authorisation");
  assert.ok(!href.includes("+"), "spaces are %20 in a mailto: link");
  const body = url.searchParams.get("body");
  assert.ok(body.includes(`Address: ${base}/jurisdictions/indonesia/?v=${version}#safeguard-judicial-authorisation`), body);
  assert.ok(body.includes(`Content version: ${version}`), body);
  assert.deepEqual(await seriousViolations(page), []);
  checks.noProblems(page);
  await page.close();
});

await checks.check("without JavaScript: the citations are there to select, with no copy buttons or notice", async () => {
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  const page = await recordingPage(noScript);
  await page.goto(`${base}${entry}?v=${old}`);
  assert.equal(await page.locator("#cite textarea:visible").count(), 4);
  assert.equal(await page.locator("#cite button[data-copy]:visible").count(), 0);
  assert.equal(await page.locator("[data-version-notice]").count(), 0);
  assert.equal(await page.locator("#safeguard-user-notice a[data-cite-section]").getAttribute("href"), "#cite");
  checks.noProblems(page);
  await noScript.close();
});

await context.close();
await browser.close();
checks.finish();
