// Connecting calendars and Zoom in real headless Chromium: the whole redirect dance from the
// dashboard through the fake providers' consent and back (a real browser also applies our CSP
// to every hop, which plain HTTP tests cannot), then disconnecting. Screenshots go to
// target/browser-artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { axe, shot, useBrowser } from "./support/openslot.mjs";

const HOST_EMAIL = "noor@hosts.example";
const SECOND_EMAIL = "noor.personal@mail.example";

const browser = useBrowser({ timezoneId: "Europe/Amsterdam" });
const violations = [];


test("a host connects Google Calendar and Zoom from the dashboard and disconnects Zoom", async () => {
  for (const provider of ["google", "zoom"]) {
    await browser.fake(`/_fake/${provider}/login`, { email: HOST_EMAIL, name: "Noor Haddad" });
  }
  const page = await browser.context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${browser.baseUrl}/auth/signin`);
  await page.click("a >> text=Sign in with Google");
  // A first sign-in starts onboarding; this test goes straight to the dashboard.
  await page.waitForURL(`${browser.baseUrl}/dashboard/welcome`);
  await page.goto(`${browser.baseUrl}/dashboard`);

  await page.click("a >> text=Connected accounts");
  await page.waitForURL(/\/dashboard\/connections$/);
  assert.match(await page.textContent("#connection-google"), /Not connected\./);
  await shot(page, "connections-empty");

  await page.click("a >> text=Connect Google Calendar");
  await page.waitForURL(/\/dashboard\/connections\?done=connected$/);
  assert.match(await page.textContent("[role=status]"), /Connected\./);
  assert.match(await page.textContent("#connection-google"), new RegExp(`Working: connected as\\s*${HOST_EMAIL}`));
  assert.match(await page.textContent("#connection-google"), /new bookings go into this calendar/);
  // Google's calendar list is offered for conflict checks, the primary one ticked.
  assert.equal(await page.isChecked("#connection-google input[name=calendar]"), true);

  await page.click("a >> text=Connect Zoom");
  await page.waitForURL(/\/dashboard\/connections\?done=connected-zoom$/);
  assert.match(await page.textContent("#connection-zoom"), /Working: connected as/);
  await shot(page, "connections-connected");

  await page.click("#connection-zoom button >> text=Disconnect");
  await page.waitForURL(/\/dashboard\/connections\?done=disconnected$/);
  assert.match(await page.textContent("#connection-zoom"), /Not connected\./);
  assert.match(await page.textContent("#connection-google"), /Working/);
  await shot(page, "connections-after-disconnect");
  await page.close();
  assert.deepEqual(violations, []);
});

test("a host adds a second Google account beside the first, picks it for new bookings and disconnects it alone", async () => {
  const page = await browser.context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${browser.baseUrl}/dashboard/connections`);
  assert.match(await page.textContent("#account-google"), new RegExp(`connected as\\s*${HOST_EMAIL}`));
  // At Google's account chooser the host picks their personal account (the fake's login).
  await browser.fake("/_fake/google/login", { email: SECOND_EMAIL, name: "Noor Personal" });
  await page.click("a >> text=Connect another Google Calendar account");
  await page.waitForURL(/\/dashboard\/connections\?done=connected$/);
  assert.match(await page.textContent("#account-google"), new RegExp(`connected as\\s*${HOST_EMAIL}`));
  assert.match(await page.textContent("#account-google-2"), new RegExp(`connected as\\s*${SECOND_EMAIL}`));
  assert.equal(await page.isChecked("#account-google-2 input[name=calendar]"), true);
  await axe(page, "connections-two-accounts");
  await shot(page, "connections-two-google-accounts");

  await page.click("#account-google-2 button >> text=Put new bookings here");
  await page.waitForURL(/\/dashboard\/connections\?done=saved$/);
  assert.match(await page.textContent("#account-google-2"), /new bookings go into this calendar/);
  assert.doesNotMatch(await page.textContent("#account-google"), /new bookings go into this calendar/);

  await page.click("#account-google-2 button >> text=Disconnect");
  await page.waitForURL(/\/dashboard\/connections\?done=disconnected$/);
  assert.equal(await page.locator("#account-google-2").count(), 0);
  assert.match(await page.textContent("#account-google"), /new bookings go into this calendar/);
  await page.close();
  assert.deepEqual(violations, []);
});
