// The operator's first-run page /setup in real headless Chromium: readable on a phone without
// sideways scrolling, passing axe-core's serious and critical rules, loading nothing from
// elsewhere. The suite's instance is complete, so only recommendations are listed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { axe, leftLoopback, shot, useBrowser } from "./support/openslot.mjs";

const browser = useBrowser({ timezoneId: "UTC" });

test("the first-run page reads on a phone, passes axe and names no value", async () => {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  const requested = [];
  page.on("request", (request) => requested.push(request.url()));
  const response = await page.goto(`${browser.baseUrl}/setup`);
  assert.equal(response.status(), 200);
  assert.equal(await page.textContent("h1"), "Setting up this Openslot");
  assert.equal(await page.locator("h2 >> text=Required").count(), 0);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width} px wide`);
  await shot(page, "setup-phone");
  await axe(page, "setup");
  assert.deepEqual(leftLoopback(requested), []);
});
