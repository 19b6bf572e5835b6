// The invitee's booking page in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; no browser is downloaded): booking with JavaScript on from Tokyo with a host
// in Berlin, screenshots for people to look at (target/browser-artifacts/), no request leaving
// the machine, the first load's compressed size, and axe-core's accessibility rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { ARTIFACTS, axe, firstLoad, leftLoopback, shot, tokyoTime, useBrowser } from "./support/openslot.mjs";

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

test("a form with every kind of question: native constraints agree with the server, axe, weight", async () => {
  const page = await browser.context.newPage();
  await page.goto(`${browser.baseUrl}/demo/project-intake?tz=Asia%2FTokyo`);
  if ((await page.$$("a.slot")).length === 0) {
    await page.click("a[rel=next]");
    await page.click("a.day.free >> nth=0");
  }
  const slotHref = await page.getAttribute("a.slot >> nth=0", "href");
  await page.click("a.slot >> nth=0");
  await page.waitForSelector("#book");
  await shot(page, "booking-every-question");
  await axe(page, "booking form with every kind of question");

  // Each control's own HTML constraints judge a value as the server does (the form itself has
  // `novalidate`, so the server's translated message is what an invitee reads).
  const validity = (selector, value) =>
    page.$eval(selector, (el, v) => { el.value = v; return el.checkValidity(); }, value);
  const cases = [
    ["#answer_1", "Acme", true], ["#answer_1", "", false], ["#answer_1", "x".repeat(201), true],
    ["#answer_7", "+44 20 7946 0958", true], ["#answer_7", "0049 30 901820", true],
    ["#answer_7", "020 7946 0958", false], ["#answer_7", "call me", false],
    ["#answer_8", "12", true], ["#answer_8", "0", false], ["#answer_8", "501", false], ["#answer_8", "2.5", false],
    ["#answer_9", "ana@example.com", true], ["#answer_9", "ana@", false],
    ["#answer_10", "https://example.com", true], ["#answer_10", "example.com", false], ["#answer_10", "", true],
  ];
  for (const [selector, value, valid] of cases) {
    // maxlength only stops typing, it does not make a set value invalid; the server says so.
    if (value.length > 200) continue;
    assert.equal(await validity(selector, value), valid, `${selector} = ${JSON.stringify(value)}`);
  }
  assert.equal(await page.$eval("#answer_6", (el) => el.checkValidity()), false, "a required box unticked");
  assert.equal(await page.$eval("#answer_3-1", (el) => el.checkValidity()), false, "a required choice unchosen");
  assert.equal(await page.$eval("#answer_4", (el) => el.checkValidity()), false, "the list's empty first entry");

  // A wrong phone number, answered by the server next to the field, the rest kept.
  await page.fill("#name", "Kenji Sato");
  await page.fill("#email", "kenji@example.com");
  await page.fill("#answer_1", "Sato Design");
  await page.check("#answer_3-2");
  await page.selectOption("#answer_4", "Japan");
  await page.check("#answer_5-1");
  await page.check("#answer_5-3");
  await page.check("#answer_6");
  await page.fill("#answer_7", "03-1234-5678");
  await page.fill("#answer_8", "12");
  await page.fill("#answer_9", "");
  await page.fill("#answer_10", "https://sato.example");
  await page.click("button[type=submit] >> text=Confirm booking");
  await page.waitForSelector("#answer_7-error");
  assert.match(await page.textContent("#answer_7-error"), /international form/);
  assert.equal(await page.getAttribute("#answer_7", "aria-invalid"), "true");
  assert.match(await page.getAttribute("#answer_7", "aria-describedby"), /answer_7-help answer_7-error/);
  assert.equal(await page.isChecked("#answer_3-2"), true);
  assert.equal(await page.isChecked("#answer_5-3"), true);
  assert.equal(await page.inputValue("#answer_4"), "Japan");
  await shot(page, "booking-every-question-error");
  await axe(page, "booking form with a question's error");
  await page.fill("#answer_7", "+81 3-1234-5678");
  await page.click("button[type=submit] >> text=Confirm booking");
  await page.waitForURL(/\/booking\//);
  const summary = await page.textContent(".summary");
  assert.match(summary, /Phone\s*\+81312345678/);
  assert.match(summary, /Topics\s*Pricing, Onboarding/);
  await page.close();

  const load = await firstLoad(browser.context, new URL(slotHref, browser.baseUrl).href);
  writeFileSync(path.join(ARTIFACTS, "first-load-every-question.txt"), load.lines.join("\n") + "\n");
  assert.ok(load.compressed < BUDGET_BYTES, `the form's first load ${load.compressed} bytes compressed`);
});

test("a stranger sends a request for an event type the host approves, and is told it is held", async () => {
  const page = await browser.context.newPage();
  await page.goto(`${browser.baseUrl}/demo/consultation`);
  await page.waitForURL(/tz=Asia%2FTokyo/);
  if ((await page.$$("a.slot")).length === 0) {
    await page.click("a[rel=next]");
    await page.click("a.day.free >> nth=0");
  }
  await page.click("a.slot >> nth=0");
  await page.waitForSelector("#book");
  // Before sending, the page says what will happen: a request, answered by email.
  assert.match(await page.textContent("#book"), /Dana Demo confirms each booking of this kind/);
  await page.fill("#name", "Aiko Tanaka");
  await page.fill("#email", "aiko@example.com");
  await page.click("button[type=submit] >> text=Send request");
  await page.waitForURL(/\/booking\//);
  assert.equal(await page.textContent("h1"), "Request sent");
  // The hold's end on the page's own clock and zone, and a way to withdraw it.
  assert.match(await page.textContent(".notice"), /Nobody else can book this time until .*[AP]M \(Asia\/Tokyo\)/);
  assert.equal(await page.textContent("a[href$='/cancel']"), "Withdraw this request");
  assert.equal((await page.$$("a.google")).length, 0, "no calendar links before the host approves");
  await shot(page, "request-sent");
  await axe(page, "request-sent");
  await page.close();
});

test("no request of the browser left 127.0.0.1", () => {
  assert.ok(browser.requested.length > 0);
  assert.deepEqual(leftLoopback(browser.requested), []);
});
