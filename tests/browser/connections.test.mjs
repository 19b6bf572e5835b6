// Connecting calendars and Zoom in real headless Chromium: the whole redirect dance from the
// dashboard through the fake providers' consent and back (a real browser also applies our CSP
// to every hop, which plain HTTP tests cannot), then disconnecting. Screenshots go to
// target/browser-artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { shot, useBrowser } from "./support/openslot.mjs";

const HOST_EMAIL = "noor@hosts.example";

const browser = useBrowser({ timezoneId: "Europe/Amsterdam" });
const violations = [];

async function fake(pathname, body) {
  const reply = await fetch(`${browser.fakesUrl}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(reply.status, 200);
}

test("a host connects Google Calendar and Zoom from the dashboard and disconnects Zoom", async () => {
  for (const provider of ["google", "zoom"]) {
    await fake(`/_fake/${provider}/login`, { email: HOST_EMAIL, name: "Noor Haddad" });
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
