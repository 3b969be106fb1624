// Layout at 375 and 1,440 px, light and dark: no page scrolls sideways, wide tables scroll inside
// their box with a sticky first column, dark mode follows the system setting. Screenshots of every
// page type go to artifacts/screenshots/<type>-<width>-<scheme>.png.
// Usage: node layout.mjs <base-url>
import { artifact, assert, base, Checks, launch, luminance, pageTypes, recordingPage } from "./lib.mjs";

const checks = new Checks("layout");
const browser = await launch();

for (const width of [1440, 375]) {
  for (const colorScheme of ["light", "dark"]) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
    for (const [type, path] of Object.entries(pageTypes)) {
      await checks.check(`${type} at ${width} px, ${colorScheme}: fits the width; screenshot`, async () => {
        const page = await recordingPage(context, { expected404: type === "notfound" });
        await page.goto(`${base}${path}`);
        const fit = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
          background: getComputedStyle(document.body).backgroundColor,
          text: getComputedStyle(document.body).color,
        }));
        assert.ok(fit.scrollWidth <= fit.clientWidth, `the page scrolls sideways: ${JSON.stringify(fit)}`);
        const dark = luminance(fit.background) < 0.1 && luminance(fit.text) > 0.5;
        const light = luminance(fit.background) > 0.8 && luminance(fit.text) < 0.1;
        assert.ok(colorScheme === "dark" ? dark : light, `${colorScheme} colours: ${JSON.stringify(fit)}`);
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.screenshot({
          path: artifact("screenshots", `${type}-${width}-${colorScheme}.png`),
          fullPage: true,
          clip: { x: 0, y: 0, width, height: Math.min(height, 3000) },
        });
        checks.noProblems(page);
        await page.close();
      });
    }
    await context.close();
  }
}

const narrow = await browser.newContext({ viewport: { width: 375, height: 800 } });
for (const [name, path, selector] of [
  ["matrix", "/", "table.matrix"],
  ["compare", pageTypes.compare, "table.compare"],
  ["grouping compare", "/compare/jakarta-2018/", "table.compare"],
]) {
  await checks.check(`375 px: the ${name} scrolls inside its box and keeps its first column in view`, async () => {
    const page = await recordingPage(narrow);
    await page.goto(`${base}${path}`);
    const result = await page.evaluate((sel) => {
      const table = document.querySelector(sel);
      const box = table.closest(".table-scroll");
      const header = table.tBodies[0].rows[0].cells[0];
      box.scrollIntoView({ block: "start" });
      const before = header.getBoundingClientRect().left;
      box.scrollLeft = 400;
      return {
        scrolls: box.scrollWidth > box.clientWidth,
        scrolled: box.scrollLeft,
        boxLeft: box.getBoundingClientRect().left,
        before,
        after: header.getBoundingClientRect().left,
        headerWidth: header.getBoundingClientRect().width,
      };
    }, selector);
    assert.ok(result.scrolls && result.scrolled > 0, `scrolls horizontally: ${JSON.stringify(result)}`);
    assert.ok(Math.abs(result.after - result.before) < 8, `first column sticky: ${JSON.stringify(result)}`);
    assert.ok(result.headerWidth < 375 / 2, `first column leaves room for data: ${JSON.stringify(result)}`);
    await page.screenshot({ path: artifact("screenshots", `${name.replace(" ", "-")}-375-scrolled.png`) });
    checks.noProblems(page);
    await page.close();
  });
}

await checks.check("375 px: landing on a section from a QR code, the country's name stays in view", async () => {
  const page = await recordingPage(narrow);
  await page.goto(`${base}/jurisdictions/malaysia/#safeguard-appeal-redress`);
  await page.waitForTimeout(200);
  const view = await page.evaluate(() => {
    const context = document.querySelector(".entry-context").getBoundingClientRect();
    const target = document.getElementById("safeguard-appeal-redress").getBoundingClientRect();
    return { scrollY: window.scrollY, contextTop: context.top, contextBottom: context.bottom, targetTop: target.top,
      text: document.querySelector(".entry-context").innerText };
  });
  assert.ok(view.scrollY > 500, `the page opened at the section: ${JSON.stringify(view)}`);
  assert.ok(Math.abs(view.contextTop) < 2 && view.text.includes("Malaysia"), `the name is at the top: ${JSON.stringify(view)}`);
  assert.ok(view.targetTop >= view.contextBottom - 2, `the section is not hidden under it: ${JSON.stringify(view)}`);
  await page.screenshot({ path: artifact("screenshots", "landing-375.png") });
  checks.noProblems(page);
  await page.close();
});

await browser.close();
checks.finish();
