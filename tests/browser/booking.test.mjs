// The invitee's booking page in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; no browser is downloaded): booking with JavaScript on from Tokyo with a host
// in Berlin, screenshots for people to look at (target/browser-artifacts/), no request leaving
// the machine, the first load's compressed size, and axe-core's accessibility rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { ARTIFACTS, axe, leftLoopback, shot, tokyoTime, useBrowser } from "./support/openslot.mjs";

const BUDGET_BYTES = 30 * 1024;

const browser = useBrowser({ timezoneId: "Asia/Tokyo" });


test("an invitee in Tokyo books a Berlin host's slot with JavaScript on", async () => {
  const page = await browser.context.newPage();
  await page.goto(`${browser.baseUrl}/demo/intro-call`);
  // booking.js detected the browser's zone and reloaded with it.
  await page.waitForURL(/tz=Asia%2FTokyo/);
  assert.equal(await page.inputValue("#tz"), "Asia/Tokyo");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await shot(page, "booking-desktop");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "booking-phone");
  await page.setViewportSize({ width: 1280, height: 900 });

  if ((await page.$$("a.slot")).length === 0) {
    // Late on the month's last free day: the next month has times.
    await page.click("a[rel=next]");
    await page.click("a.day.free >> nth=0");
  }
  const slots = await page.$$eval("a.slot", (links) =>
    links.map((a) => ({ text: a.textContent.trim(), href: a.href, label: a.getAttribute("aria-label") })));
  assert.ok(slots.length > 0, "the chosen day lists times");
  for (const slot of slots) {
    const start = new URL(slot.href).searchParams.get("slot");
    assert.equal(slot.text, tokyoTime(start), `shown in Tokyo time: ${start}`);
    assert.match(slot.label, /\(Asia\/Tokyo\)$/);
  }
  const freeDays = await page.$$eval("a.day.free", (days) => days.map((d) => d.getAttribute("aria-label")));
  assert.ok(freeDays.length > 0 && freeDays.every((l) => / times? free$/.test(l)), freeDays.join("; "));
  await axe(page, "booking");

  await page.click("a.slot >> nth=0");
  await page.waitForSelector("#book");
  await page.fill("#name", "Kenji Sato");
  await page.fill("#email", "kenji@example.com");
  await page.click("button[type=submit] >> text=Confirm booking");
  await page.waitForURL(/\/booking\//);
  assert.equal(await page.textContent("h1"), "You are booked");
  const summary = await page.textContent(".summary");
  assert.match(summary, /\(Asia\/Tokyo\)/);
  assert.match(summary, /\(Europe\/Berlin\)/);
  assert.match(await page.getAttribute("a.google", "href"), /^https:\/\/calendar\.google\.com\//);
  await shot(page, "confirmation");
  await axe(page, "confirmation");
  await page.close();
});

test("the booking page's first load is under 30 KB compressed", async () => {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const responses = [];
  page.on("response", (response) => responses.push(response));
  await page.goto(`${browser.baseUrl}/demo/intro-call?tz=Asia%2FTokyo`, { waitUntil: "load" });
  let compressed = 0;
  let raw = 0;
  const lines = [];
  for (const response of responses) {
    const body = await response.body();
    // What a client is sent with gzip (Cloudflare compresses text at the edge; local workerd
    // may not), or what came over the wire when it already was compressed.
    const encoded = response.headers()["content-encoding"];
    const size = encoded ? (await response.request().sizes()).responseBodySize : zlib.gzipSync(body, { level: 6 }).length;
    compressed += size;
    raw += body.length;
    lines.push(`${new URL(response.url()).pathname} ${body.length} bytes, ${size} compressed`);
  }
  lines.push(`total ${raw} bytes, ${compressed} compressed (budget ${BUDGET_BYTES})`);
  writeFileSync(path.join(ARTIFACTS, "first-load.txt"), lines.join("\n") + "\n");
  console.log(lines.join("\n"));
  assert.ok(responses.length >= 3, "HTML, CSS and JS were loaded");
  assert.ok(compressed < BUDGET_BYTES, `first load ${compressed} bytes compressed`);
  await page.close();
});

test("no request of the browser left 127.0.0.1", () => {
  assert.ok(browser.requested.length > 0);
  assert.deepEqual(leftLoopback(browser.requested), []);
});
