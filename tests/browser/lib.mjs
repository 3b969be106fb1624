// Shared by the browser suites: launching Debian's chromium, pages that record console errors and
// dialogs, checks that report every failure, axe-core, and the screenshot folder.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

export const base = (process.argv[2] || "").replace(/\/$/, "");
if (!/^https?:\/\//.test(base)) {
  console.error("usage: node <suite>.mjs <base-url>");
  process.exit(2);
}

/// Screenshots and PDFs go here (CI keeps the folder as an artifact; git ignores it).
export const artifacts = process.env.JURISDEX_ARTIFACTS || "artifacts";
export function artifact(folder, name) {
  const dir = join(artifacts, folder);
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

// A hung browser must not hang `cargo test`: give up after ten minutes.
setTimeout(() => {
  console.error("browser suite did not finish within 10 minutes");
  process.exit(1);
}, 600_000).unref();

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/// A page that records console errors, uncaught exceptions and dialogs in `page.problems`.
/// `expected404` lets the 404 page's own "Failed to load resource" line through.
export async function recordingPage(context, { expected404 = false } = {}) {
  const page = await context.newPage();
  // A broken step should fail in seconds, not hang; nothing here waits on purpose.
  page.setDefaultTimeout(15_000);
  page.problems = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    if (expected404 && /status of 404/.test(msg.text())) return;
    const at = msg.location().url;
    page.problems.push(`console error on ${page.url()}: ${msg.text()}${at && at !== page.url() ? ` (${at})` : ""}`);
  });
  page.on("pageerror", (err) => page.problems.push(`uncaught exception on ${page.url()}: ${err.message}`));
  page.on("dialog", async (dialog) => {
    page.problems.push(`dialog (${dialog.type()}) on ${page.url()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
  return page;
}

/// Collects failures instead of stopping at the first, then reports them all.
export class Checks {
  constructor(suite) {
    this.suite = suite;
    this.failures = [];
    this.passed = 0;
    this.started = Date.now();
  }

  /// Runs one named check; an exception or a failed assert is recorded as a failure.
  async check(name, body) {
    try {
      await body();
      this.passed += 1;
      console.log(`ok    ${name}`);
    } catch (err) {
      this.failures.push(`${name}: ${err.stack || err}`);
      console.log(`FAIL  ${name}\n      ${String(err.message || err).split("\n").join("\n      ")}`);
    }
  }

  noProblems(page) {
    assert.deepEqual(page.problems, [], "console errors, exceptions or dialogs");
  }

  /// Prints the summary and sets the exit status.
  finish() {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    console.log(`\n${this.suite}: ${this.passed} passed, ${this.failures.length} failed (${seconds} s)`);
    for (const f of this.failures) console.error(`\n${f}`);
    process.exitCode = this.failures.length ? 1 : 0;
  }
}

/// One address of every page type in the shipped content.
export const pageTypes = {
  home: "/",
  entry: "/jurisdictions/indonesia/",
  entries: "/jurisdictions/",
  topic: "/topics/judicial_authorisation/",
  compare: "/compare/?j=indonesia,malaysia,singapore&t=judicial_authorisation,user_notice,appeal_redress",
  grouping: "/compare/jakarta-2018/",
  collection: "/collections/jakarta-2018-workshop/",
  pack: "/collections/jakarta-2018-workshop/reading-pack/",
  collections: "/collections/",
  search: "/search?q=judicial+authorisation",
  page: "/methodology/",
  notfound: "/no-such-page/",
};

const axeSource = require("node:fs").readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/// axe-core's violations of impact serious or critical on the current page (WCAG 2.x A/AA and
/// best practices).
export async function seriousViolations(page) {
  // Evaluated over the DevTools protocol, so the page's CSP (no inline scripts) still applies to
  // the page itself.
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    axe.run(document, { resultTypes: ["violations"] }),
  );
  const lesser = result.violations.filter((v) => v.impact !== "serious" && v.impact !== "critical");
  if (lesser.length) console.log(`      note: ${lesser.map((v) => `${v.impact} ${v.id} (${v.nodes.length}×)`).join(", ")}`);
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}×: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")})`);
}

/// WCAG relative luminance of a computed `rgb(…)` colour.
export function luminance(rgb) {
  const [r, g, b] = rgb.match(/[\d.]+/g).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/// WCAG contrast ratio of two computed colours.
export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

export { assert };
