// "Add bookings to" in real headless Chromium: a host with Google Calendar connected picks a
// second calendar for an event type in the editor, with JavaScript off (the select works as
// plain HTML), sees the choice kept on the next visit, and is not offered a calendar shared
// with them to read only. The editor passes axe with the list shown. Screenshots go to
// target/browser-artifacts/event-calendar-*.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { axe, shot, useBrowser } from "./support/openslot.mjs";

const HOST_EMAIL = "rania@hosts.example";

const browser = useBrowser({ timezoneId: "Europe/Berlin" });


test("a host sends an event type's bookings to a second Google calendar without JavaScript", async () => {
  await browser.fake("/_fake/google/login", { email: HOST_EMAIL, name: "Rania Aziz" });
  // Signing in and connecting run with JavaScript, as a host's browser usually does.
  const page = await browser.context.newPage();
  await page.goto(`${browser.baseUrl}/auth/signin`);
  await page.click("a >> text=Sign in with Google");
  await page.waitForURL(`${browser.baseUrl}/dashboard/welcome`);
  await page.click("button >> text=Skip this step");
  await page.waitForURL(`${browser.baseUrl}/dashboard/welcome/hours`);
  await page.goto(`${browser.baseUrl}/dashboard/connections`);
  await page.click("a >> text=Connect Google Calendar");
  await page.waitForURL(/\/dashboard\/connections\?done=connected$/);
  await browser.fake("/_fake/google/calendars", { email: HOST_EMAIL, count: 1, prefix: "team" });
  await browser.fake("/_fake/google/calendars", { email: HOST_EMAIL, count: 1, prefix: "holidays", read_only: true });
  const cookies = await browser.context.cookies();
  await page.close();

  // The editor, with scripts off.
  const plain = await browser.newContext({ javaScriptEnabled: false, timezoneId: "Europe/Berlin" });
  await plain.addCookies(cookies);
  const editor = await plain.newPage();
  await editor.goto(`${browser.baseUrl}/dashboard/event-types/new`);
  const options = await editor.$$eval("#event_calendar option", (all) =>
    all.map((o) => [o.value, o.textContent.trim()]),
  );
  assert.deepEqual(options[0], ["", "Your default calendar (Google Calendar)"]);
  assert.ok(options.some(([value]) => value === "google:team.0000@group.calendar.google.com"), JSON.stringify(options));
  assert.ok(!options.some(([value]) => value.includes("holidays")), JSON.stringify(options));
  await editor.fill("#title", "Team sync");
  await editor.fill("#slug", "team-sync");
  await editor.selectOption("#event_calendar", "google:team.0000@group.calendar.google.com");
  await shot(editor, "event-calendar-editor");
  await Promise.all([editor.waitForURL(`${browser.baseUrl}/dashboard`), editor.click("button[type=submit]")]);

  // The next visit shows the choice kept.
  await editor.click("a >> text=Team sync");
  await editor.waitForURL(/\/dashboard\/event-types\/[0-9a-f]+$/);
  assert.equal(await editor.inputValue("#event_calendar"), "google:team.0000@group.calendar.google.com");
  await plain.close();

  const checked = await browser.context.newPage();
  await checked.goto(`${browser.baseUrl}/dashboard/event-types/new`);
  await axe(checked, "event-calendar-editor");
  await checked.close();
});
