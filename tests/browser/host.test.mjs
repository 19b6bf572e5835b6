// A host's first day, in real headless Chromium: signing in through the fake Google (OpenID
// Connect, the Worker's real sign-in wired to tests/fakes), creating an event type with two
// questions and three durations through the dashboard form, setting weekly hours, then booking
// it from the public page in the same browser as an invitee, and finding the answers on the
// dashboard's bookings page. Every page is photographed into target/browser-artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { axe, leftLoopback, shot, tokyoTime, useBrowser } from "./support/openslot.mjs";

const HOST_EMAIL = "mika@hosts.example";

const browser = useBrowser({ timezoneId: "Asia/Tokyo" });

test("a host signs in, sets up an event type with questions and durations, and it is booked", async () => {
  // Who the fake Google signs in next (a new host: the suite's sign-up policy is open).
  const who = await fetch(`${browser.fakesUrl}/_fake/google/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: HOST_EMAIL, name: "Mika Tanaka" }),
  });
  assert.equal(who.status, 200);

  const page = await browser.context.newPage();
  await page.goto(`${browser.baseUrl}/auth/signin`);
  assert.equal(await page.textContent("h1"), "Sign in");
  await shot(page, "host-sign-in");
  // The browser's zone goes along (host.js), so the new host starts in Asia/Tokyo.
  assert.match(await page.getAttribute("a >> text=Sign in with Google", "href"), /\?tz=Asia%2FTokyo$/);
  await page.click("a >> text=Sign in with Google");
  // A first sign-in starts onboarding (onboarding.test.mjs walks it); this host goes straight home.
  await page.waitForURL(`${browser.baseUrl}/dashboard/welcome`);
  await page.goto(`${browser.baseUrl}/dashboard`);
  assert.equal(await page.textContent("h1"), "Mika Tanaka");
  assert.match(await page.textContent("p.lead"), /Signed in as mika@hosts\.example/);
  assert.match(await page.textContent("body"), /You have no event types yet\./);
  const publicPath = await page.getAttribute("a.public-link", "href");
  await shot(page, "host-dashboard-empty");

  // A new event type through the dashboard form.
  await page.click("a >> text=New event type");
  await page.waitForURL(/\/dashboard\/event-types\/new$/);
  await page.fill("#title", "Portfolio review");
  await page.fill("#slug", "portfolio-review");
  await page.fill("#description", "We look at your work together.");
  await page.selectOption("#location_kind", "phone");
  await page.fill("#location_detail", "+44 20 7946 0018");
  await page.check("#duration_30");
  await page.check("#other_15");
  await page.check("#other_60");
  await page.selectOption("#minimum_notice_minutes", "60");
  assert.match(await page.textContent("#summary"), /15, 30 or 60 min, every 30 min, at least 1 hour's notice/);
  await page.fill("#question_1", "Company");
  await page.check("#question_1_required");
  await page.fill("#question_2", "What would you like to discuss?");
  // A row shows options only for a choice and bounds only for a number.
  assert.equal(await page.isVisible("#question_2_options"), false);
  assert.equal(await page.isVisible("#question_2_min"), false);
  await page.selectOption("#question_2_kind", "select");
  assert.equal(await page.isVisible("#question_2_options"), true);
  await page.selectOption("#question_2_kind", "number");
  assert.equal(await page.isVisible("#question_2_options"), false);
  assert.equal(await page.isVisible("#question_2_min"), true);
  await page.selectOption("#question_2_kind", "long_text");
  await shot(page, "host-event-type-form");
  await page.click("button >> text=Save");
  await page.waitForURL(`${browser.baseUrl}/dashboard`);
  const listed = await page.textContent(".event-admin-list");
  assert.match(listed, /Portfolio review/);
  assert.match(listed, /15 \/ 30 \/ 60 min/);
  await shot(page, "host-dashboard");

  // Weekly hours: every day 08:00 to 20:00 in the host's zone (the browser's, from sign-in).
  await page.click("a >> text=Availability: weekly hours and days off");
  await page.waitForURL(/\/dashboard\/availability$/);
  assert.equal(await page.inputValue("#schedule_time_zone"), "Asia/Tokyo");
  for (const day of ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]) {
    await page.check(`#${day}_on`);
    await page.fill(`input[name=${day}_start]`, "08:00");
    await page.fill(`input[name=${day}_end]`, "20:00");
  }
  await page.click("button:visible >> text=Save weekly hours");
  await page.waitForURL(/\/dashboard\/availability/);
  assert.equal(await page.inputValue("input[name=mon_start]"), "08:00");
  assert.equal(await page.inputValue("input[name=sun_end]"), "20:00");
  await shot(page, "host-availability");

  // The invitee's side, in the same browser: the public page offers the three durations.
  await page.goto(`${browser.baseUrl}${publicPath}/portfolio-review`);
  // Host and invitee share the zone here, so the page shows Tokyo time without a reload.
  assert.equal(await page.inputValue("#tz"), "Asia/Tokyo");
  assert.equal(await page.textContent("h1"), "Portfolio review");
  const durations = await page.$$eval("nav.durations a", (links) =>
    links.map((a) => ({ text: a.textContent.trim(), current: a.getAttribute("aria-current") })));
  assert.deepEqual(durations, [
    { text: "15 min", current: null },
    { text: "30 min", current: "true" },
    { text: "60 min", current: null },
  ]);
  await page.click("nav.durations a >> text=60 min");
  await page.waitForURL(/duration=60/);
  assert.match(await page.getAttribute("nav.durations a[aria-current]", "href"), /duration=60/);
  assert.match(await page.textContent(".facts"), /60 minutes/);
  if ((await page.$$("a.slot")).length === 0) {
    await page.click("a[rel=next]");
    await page.click("a.day.free >> nth=0");
  }
  const first = await page.$eval("a.slot", (a) => ({ text: a.textContent.trim(), href: a.href }));
  const start = new Date(new URL(first.href).searchParams.get("slot"));
  assert.equal(first.text, tokyoTime(start));
  assert.equal(new URL(first.href).searchParams.get("duration"), "60");
  await shot(page, "invitee-booking-page");

  await page.click("a.slot >> nth=0");
  await page.waitForSelector("#book");
  assert.equal((await page.textContent("label[for=answer_1]")).trim(), "Company");
  assert.match(await page.textContent("label[for=answer_2]"), /What would you like to discuss\? \(optional\)/);
  await page.fill("#name", "Aiko Suzuki");
  await page.fill("#email", "aiko@example.com");
  await page.fill("#answer_2", "My <b>new</b> series");
  // The required question left empty: the server says so next to it and keeps the rest.
  await page.click("button[type=submit] >> text=Confirm booking");
  await page.waitForSelector("#answer_1-error");
  assert.equal(await page.textContent("#answer_1-error"), "This field is required.");
  assert.equal(await page.getAttribute("#answer_1", "aria-invalid"), "true");
  assert.equal(await page.inputValue("#answer_2"), "My <b>new</b> series");
  await shot(page, "invitee-form-error");
  await page.fill("#answer_1", "Studio Aiko");
  await page.click("button[type=submit] >> text=Confirm booking");
  await page.waitForURL(/\/booking\//);
  assert.equal(await page.textContent("h1"), "You are booked");
  const end = new Date(start.getTime() + 60 * 60 * 1000);
  const summary = await page.textContent(".summary");
  assert.ok(summary.includes(`${tokyoTime(start)}–${tokyoTime(end)} (Asia/Tokyo)`), summary);
  // The invitee sees what they answered.
  assert.match(summary, /Company\s*Studio Aiko/);
  await shot(page, "invitee-confirmation");

  // Back as the host: the booking and its answers, as text.
  await page.goto(`${browser.baseUrl}/dashboard/bookings`);
  const booking = await page.textContent(".booking-admin-list li");
  assert.match(booking, /Portfolio review/);
  assert.match(booking, /Aiko Suzuki/);
  const answers = await page.$$eval(".answers dt, .answers dd", (nodes) => nodes.map((n) => n.textContent));
  assert.deepEqual(answers, ["Company", "Studio Aiko", "What would you like to discuss?", "My <b>new</b> series"]);
  assert.equal(await page.$$eval(".answers b", (nodes) => nodes.length), 0, "an answer is text, never markup");
  await shot(page, "host-bookings");
  await page.close();
});

test("the host adds an evening schedule in London, gives it to the event type, and the page offers only its hours", async () => {
  const page = await browser.context.newPage();
  await page.goto(`${browser.baseUrl}/dashboard/availability`);
  await page.fill("#new_schedule_name", "Evenings");
  await page.fill("#schedule_zone", "Europe/London");
  await page.click("button >> text=Add schedule");
  await page.waitForURL(/\/dashboard\/availability\?schedule=/);
  assert.equal(await page.textContent("h2 >> text=Weekly hours of Evenings"), "Weekly hours of Evenings");
  // A new schedule starts with every day off, until its hours are set.
  for (const day of ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]) {
    await page.check(`#${day}_on`);
    await page.fill(`input[name=${day}_start]`, "18:00");
    await page.fill(`input[name=${day}_end]`, "21:00");
  }
  await page.click("button:visible >> text=Save weekly hours");
  await page.waitForURL(/\/dashboard\/availability/);
  assert.equal(await page.inputValue("input[name=wed_start]"), "18:00");
  const listed = await page.textContent("body");
  assert.match(listed, /Evenings/);
  await axe(page, "host-schedules");
  await shot(page, "host-schedules");

  // The event type follows it: chosen in its editor, by name.
  await page.goto(`${browser.baseUrl}/dashboard`);
  await page.click("a.event-title >> text=Portfolio review");
  const evenings = await page.$$eval("#schedule option", (options) =>
    options.filter((o) => o.textContent.includes("Evenings")).map((o) => o.value));
  assert.equal(evenings.length, 1);
  await page.selectOption("#schedule", evenings[0]);
  await page.click("button >> text=Save");
  await page.waitForURL(`${browser.baseUrl}/dashboard`);

  // The invitee (in Tokyo) is offered only London's 18:00-21:00 evenings, on their own clock.
  const publicPath = await page.getAttribute("a.public-link", "href");
  await page.goto(`${browser.baseUrl}${publicPath}/portfolio-review`);
  if ((await page.$$("a.slot")).length === 0) {
    await page.click("a[rel=next]");
    await page.click("a.day.free >> nth=0");
  }
  const starts = await page.$$eval("a.slot", (links) =>
    links.map((a) => new URL(a.href).searchParams.get("slot")));
  assert.ok(starts.length > 0);
  const london = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  for (const start of starts) {
    const time = london.format(new Date(start));
    assert.ok(time >= "18:00" && time < "21:00", `${start} is ${time} in London`);
  }
  const shown = await page.$eval("a.slot", (a) => ({ text: a.textContent.trim(), href: a.href }));
  assert.equal(shown.text, tokyoTime(new Date(new URL(shown.href).searchParams.get("slot"))));
  await shot(page, "invitee-booking-page-evenings");
  await page.close();
});

test("no request of the host's browser left 127.0.0.1", () => {
  assert.ok(browser.requested.length > 0);
  assert.deepEqual(leftLoopback(browser.requested), []);
});
