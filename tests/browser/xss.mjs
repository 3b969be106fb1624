// The browser half of the XSS test: every page of a site built from hostile content (and search and
// compare pages for hostile queries) is loaded in headless Chromium with the CSP switched off, so
// what is tested is the escaping, not the CSP behind it. Fails if a dialog opens, alert/confirm/
// prompt/print is called, an uncaught exception is thrown, an injected element or handler reaches
// the DOM, a request leaves the site, or a page navigates by itself.
// Usage: node xss.mjs <base-url> <file with one path per line>
import { readFileSync } from "node:fs";
import { assert, base, Checks, launch } from "./lib.mjs";

const paths = readFileSync(process.argv[3], "utf8").split("\n").filter(Boolean);
assert.ok(paths.length > 0, "paths to load");

const checks = new Checks("xss");
const browser = await launch();
const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true });
const fired = [];
await context.exposeFunction("__jurisdexXss", (what, where) => fired.push(`${what} called on ${where}`));
await context.addInitScript(() => {
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = (...args) => window.__jurisdexXss(`${name}(${args.map(String).join(", ").slice(0, 80)})`, location.href);
  }
});
// Requests are watched, not intercepted: interception would turn off the browser's cache and hold
// every request for a round trip through this script. An offsite request has nowhere to go here.
const offsite = [];
context.on("request", (request) => {
  const url = request.url();
  if (url.startsWith(`${base}/`) || url.startsWith("data:") || url === "about:blank") return;
  offsite.push(url);
});

/// What a page's DOM holds that the site never emits: foreign scripts, event handlers, frames,
/// script URLs.
const injected = (origin) => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (tag === "script" && !(el.src || "").startsWith(`${origin}/assets/`)) found.push(`<script src="${el.src}">${el.textContent.slice(0, 60)}`);
    if (["iframe", "frame", "object", "embed", "base", "applet", "portal"].includes(tag)) found.push(`<${tag}>`);
    if (tag === "meta" && el.httpEquiv) found.push(`<meta http-equiv=${el.httpEquiv}>`);
    // The site's icon is an SVG image written in the page (base.html): an icon runs no script.
    const siteIcon = tag === "link" && el.rel === "icon" && el.getAttribute("href").startsWith("data:image/svg+xml,");
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) found.push(`<${tag} ${attr.name}=${attr.value.slice(0, 60)}>`);
      if (!siteIcon && ["href", "src", "action", "formaction", "xlink:href", "data"].includes(attr.name) && /^\s*(javascript|vbscript|data):/i.test(attr.value.replace(/[\s\u0000-\u001f]/g, ""))) {
        found.push(`<${tag} ${attr.name}=${attr.value.slice(0, 60)}>`);
      }
    }
  }
  return found;
};

let loaded = 0;
const failures = [];
async function visit(page, path) {
  const problems = [];
  const onDialog = async (dialog) => {
    problems.push(`dialog ${dialog.type()}: ${dialog.message().slice(0, 80)}`);
    await dialog.dismiss();
  };
  const onError = (err) => problems.push(`uncaught exception: ${err.message.slice(0, 120)}`);
  page.on("dialog", onDialog);
  page.on("pageerror", onError);
  const url = `${base}${path}`;
  const response = await page.goto(url, { waitUntil: "load" });
  const status = response ? response.status() : 0;
  if (!(status >= 200 && status < 500)) problems.push(`status ${status}`);
  if (page.url() !== url && page.url() !== new URL(url).href) problems.push(`navigated to ${page.url()}`);
  problems.push(...(await page.evaluate(injected, base)));
  page.off("dialog", onDialog);
  page.off("pageerror", onError);
  loaded += 1;
  if (problems.length) failures.push(`${path.slice(0, 160)}:\n        ${problems.slice(0, 5).join("\n        ")}`);
}

await checks.check("a request that leaves the site is seen", async () => {
  const page = await context.newPage();
  await page.setContent('<img src="http://offsite.invalid/watched.png">', { waitUntil: "load" });
  await page.close();
  assert.deepEqual(offsite, ["http://offsite.invalid/watched.png"]);
  offsite.length = 0;
});

await checks.check(`${paths.length} hostile pages: no dialog, no injected script, handler or request`, async () => {
  // Three pages at a time: the order of loads does not matter.
  const queue = [...paths];
  const workers = [0, 1, 2].map(async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    while (queue.length) await visit(page, queue.shift());
    await page.close();
  });
  await Promise.all(workers);
  assert.equal(loaded, paths.length, "every page loaded");
  assert.deepEqual(failures, [], "pages where the payloads got through");
  assert.deepEqual(fired, [], "alert/confirm/prompt/print calls");
  assert.deepEqual(offsite, [], "requests that left the site");
});

await browser.close();
checks.finish();
