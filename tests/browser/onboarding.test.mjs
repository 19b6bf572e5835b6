// A host's first minutes in real headless Chromium: from the sign-in page to a bookable link
// in at most 6 clicks, typing nothing but their name, then an invitee in another browser
// (Tokyo) books a time inside the default hours (Monday to Friday, 09:00–17:00 in the host's
// zone, Berlin). Then the same steps with JavaScript off: every step, "Add a range" and
// "Copy to weekdays" work as plain forms. Screenshots of each step at 390 and 1280 px go to
// target/browser-artifacts/onboarding-*.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { axe, leftLoopback, shot, useBrowser } from "./support/openslot.mjs";

const browser = useBrowser({ timezoneId: "Europe/Berlin" });

async function fakeAccount(email, name) {
  const who = await fetch(`${browser.fakesUrl}/_fake/google/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, name }),
  });
  assert.equal(who.status, 200);
}

/** Screenshots of the page at a phone's and a desktop's width. */
async function shots(page, name) {
  for (const [device, width, height] of [["phone", 390, 844], ["desktop", 1280, 900]]) {
    await page.setViewportSize({ width, height });
    await shot(page, `onboarding-${device}-${name}`);
  }
}

/** Berlin weekday (0 = Sunday) and minutes after midnight of an instant. */
function berlin(instant) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Berlin", weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(new Date(instant)).map((p) => [p.type, p.value]),
  );
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday);
  return { day, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

test("from first sign-in to a bookable link in at most 6 clicks, then an invitee books", async () => {
  // The provider knows no name for this account: the host types it.
  await fakeAccount("lena@hosts.example", "");
  const page = await browser.context.newPage();
  let clicks = 0;
  const click = async (selector) => {
    clicks += 1;
    await page.click(selector);
  };
  await page.goto(`${browser.baseUrl}/auth/signin`);
  await click("a >> text=Sign in with Google");
  await page.waitForURL(`${browser.baseUrl}/dashboard/welcome`);
  // Step 1: the zone was detected from the browser.
  assert.equal(await page.inputValue("#time_zone"), "Europe/Berlin");
  await shots(page, "1-you");
  await axe(page, "onboarding-1");
  await page.fill("#name", "Lena Vogel");
  await click("button:visible >> text=Continue");
  await page.waitForURL(/\/dashboard\/welcome\/hours$/);
  // Step 2: Monday to Friday, 09:00 to 17:00, already filled in.
  assert.equal(await page.inputValue("input[name=mon_start]"), "09:00");
  assert.equal(await page.inputValue("input[name=fri_end]"), "17:00");
  assert.equal(await page.isChecked("#sat_on"), false);
  await shots(page, "2-hours");
  await axe(page, "onboarding-2");
  await click("button:visible >> text=Continue");
  await page.waitForURL(/\/dashboard\/welcome\/calendar$/);
  await shots(page, "3-calendar");
  await axe(page, "onboarding-3");
  await click("a >> text=Go to my dashboard");
  await page.waitForURL(`${browser.baseUrl}/dashboard`);
  assert.equal(await page.textContent("h1"), "Lena Vogel");
  const checklist = await page.textContent(".checklist");
  assert.match(checklist, /Connect a calendar/);
  assert.match(checklist, /Try your own link/);
  await shots(page, "4-dashboard");
  await click("a.preview >> nth=0");
  await page.waitForURL(/\/lena[^/]*\/30min/);
  assert.equal(await page.textContent("h1"), "30 minute meeting");
  const link = page.url().split("?")[0];
  assert.ok(clicks <= 6, `${clicks} clicks`);
  await page.close();

  // The invitee, in their own browser in Tokyo.
  const invitee = await browser.newContext({ timezoneId: "Asia/Tokyo" });
  const booking = await invitee.newPage();
  await booking.goto(link);
  await booking.waitForURL(/tz=Asia%2FTokyo/);
  if ((await booking.$$("a.slot")).length === 0) {
    await booking.click("a.day.free >> nth=0");
  }
  if ((await booking.$$("a.slot")).length === 0) {
    await booking.click("a[rel=next]");
    await booking.click("a.day.free >> nth=0");
  }
  const slots = await booking.$$eval("a.slot", (links) => links.map((a) => new URL(a.href).searchParams.get("slot")));
  assert.ok(slots.length > 0, "the default hours offer times");
  for (const start of slots) {
    const { day, minutes } = berlin(start);
    assert.ok(day >= 1 && day <= 5, `${start} is on a weekday in Berlin`);
    assert.ok(minutes >= 9 * 60 && minutes + 30 <= 17 * 60, `${start} is within 09:00–17:00 in Berlin`);
  }
  await booking.click("a.slot >> nth=0");
  await booking.waitForSelector("#book");
  await booking.fill("#name", "Kenji Sato");
  await booking.fill("#email", "kenji@example.com");
  await booking.click("button[type=submit] >> text=Confirm booking");
  await booking.waitForURL(/\/booking\//);
  assert.equal(await booking.textContent("h1"), "You are booked");
  await invitee.close();

  // The host's home now lists the meeting.
  const home = await browser.context.newPage();
  await home.goto(`${browser.baseUrl}/dashboard`);
  assert.match(await home.textContent(".next-list"), /Kenji Sato/);
  await shots(home, "5-dashboard-booked");
  await home.close();
  assert.deepEqual(leftLoopback(browser.requested), []);
});

test("with JavaScript off, every onboarding step and the hours editor's buttons work", async () => {
  await fakeAccount("jonas@hosts.example", "Jonas Berg");
  const context = await browser.newContext({ timezoneId: "Europe/Berlin", javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${browser.baseUrl}/auth/signin`);
  await page.click("a >> text=Sign in with Google");
  await page.waitForURL(`${browser.baseUrl}/dashboard/welcome`);
  await page.click("button:visible >> text=Continue");
  await page.waitForURL(/\/dashboard\/welcome\/hours$/);
  // "Add a range" goes to the server and back with an empty second Monday range.
  await page.click("button[value='add:mon']");
  await page.waitForSelector("text=Not saved yet");
  assert.equal((await page.$$("input[name=mon_start]")).length, 2);
  const second = (await page.$$("input[name=mon_start]"))[1];
  await second.fill("18:00");
  await (await page.$$("input[name=mon_end]"))[1].fill("19:00");
  await page.fill("input[name=mon_end] >> nth=0", "12:00");
  // "Copy to weekdays" carries both of Monday's ranges to Tuesday to Friday.
  await page.click("button[value='copy:mon']");
  await page.waitForSelector("text=Not saved yet");
  assert.equal((await page.$$("input[name=thu_start]")).length, 2);
  assert.equal(await page.inputValue("input[name=thu_end] >> nth=1"), "19:00");
  await shots(page, "nojs-hours-copied");
  await page.click("button:visible >> text=Continue");
  await page.waitForURL(/\/dashboard\/welcome\/calendar$/);
  await page.click("a >> text=Go to my dashboard");
  await page.waitForURL(`${browser.baseUrl}/dashboard`);
  // The event type's switch is a form: off, then on again.
  await page.click("button.switch >> nth=0");
  await page.waitForURL(`${browser.baseUrl}/dashboard`);
  assert.equal(await page.getAttribute("button.switch >> nth=0", "aria-checked"), "false");
  await page.click("button.switch >> nth=0");
  await page.waitForURL(`${browser.baseUrl}/dashboard`);
  assert.equal(await page.getAttribute("button.switch >> nth=0", "aria-checked"), "true");
  await page.goto(`${browser.baseUrl}/dashboard/availability`);
  assert.equal(await page.inputValue("input[name=wed_start] >> nth=1"), "18:00");
  await context.close();
});
