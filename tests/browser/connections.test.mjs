// Connecting calendars and Zoom in real headless Chromium: the whole redirect dance from the
// dashboard through the fake providers' consent and back (a real browser also applies our CSP
// to every hop, which plain HTTP tests cannot), then disconnecting. Screenshots go to
// target/browser-artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { ROOT, startOpenslot } from "./support/openslot.mjs";

const ARTIFACTS = path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "browser-artifacts");
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const HOST_EMAIL = "noor@hosts.example";

let openslot;
let context;
let profile;
const violations = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  openslot = await startOpenslot();
  profile = mkdtempSync(path.join(os.tmpdir(), "openslot-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
    timezoneId: "Europe/Amsterdam",
    locale: "en-US",
    viewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await context?.close();
  openslot?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function fake(pathname, body) {
  const reply = await fetch(`${openslot.fakesUrl}${pathname}`, {
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
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${openslot.baseUrl}/auth/signin`);
  await page.click("a >> text=Sign in with Google");
  await page.waitForURL(`${openslot.baseUrl}/dashboard`);

  await page.click("a >> text=Connected accounts");
  await page.waitForURL(/\/dashboard\/connections$/);
  assert.match(await page.textContent("#connection-google"), /Not connected\./);
  await page.screenshot({ path: path.join(ARTIFACTS, "connections-empty.png"), fullPage: true });

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
  await page.screenshot({ path: path.join(ARTIFACTS, "connections-connected.png"), fullPage: true });

  await page.click("#connection-zoom button >> text=Disconnect");
  await page.waitForURL(/\/dashboard\/connections\?done=disconnected$/);
  assert.match(await page.textContent("#connection-zoom"), /Not connected\./);
  assert.match(await page.textContent("#connection-google"), /Working/);
  await page.screenshot({ path: path.join(ARTIFACTS, "connections-after-disconnect.png"), fullPage: true });
  await page.close();
  assert.deepEqual(violations, []);
});
