// The dashboard on a phone, on a desktop and by keyboard, in real headless Chromium: every
// dashboard page (onboarding's steps included) at a phone's width (390 px) and a desktop's
// (1280 px) fits without sideways scrolling and passes axe-core's serious and critical rules,
// each page's first load stays under 30 KB compressed, and a host creates an event type with
// the keyboard alone (Tab to each field, type, Enter to save), seeing where the focus is at
// every step. Screenshots go to target/browser-artifacts/dashboard-{phone,desktop}-*.png and
// the weights to dashboard-first-load.txt.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { ARTIFACTS, axe, firstLoad, leftLoopback, shot, useBrowser } from "./support/openslot.mjs";

const BUDGET_BYTES = 30 * 1024;

const HOST_EMAIL = "noor@hosts.example";

const browser = useBrowser({ timezoneId: "Europe/Berlin" });

const PAGES = [
  ["welcome", "/dashboard/welcome"],
  ["welcome-hours", "/dashboard/welcome/hours"],
  ["welcome-calendar", "/dashboard/welcome/calendar"],
  ["overview", "/dashboard"],
  ["profile", "/dashboard/profile"],
  ["event-type", "/dashboard/event-types/new"],
  ["availability", "/dashboard/availability"],
  ["bookings", "/dashboard/bookings"],
  ["connections", "/dashboard/connections"],
  ["api-tokens", "/dashboard/api-tokens"],
  ["webhooks", "/dashboard/webhooks"],
  ["privacy", "/dashboard/privacy"],
];

async function signIn(page) {
  const who = await fetch(`${browser.fakesUrl}/_fake/google/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: HOST_EMAIL, name: "Noor Haddad" }),
  });
  assert.equal(who.status, 200);
  await page.goto(`${browser.baseUrl}/auth/signin`);
  await page.click("a >> text=Sign in with Google");
  // A first sign-in starts onboarding; skipping step 1 gives the host hours and an event type.
  await page.waitForURL(`${browser.baseUrl}/dashboard/welcome`);
  await page.click("button >> text=Skip this step");
  await page.waitForURL(`${browser.baseUrl}/dashboard/welcome/hours`);
}

/** What has the keyboard focus: its id, or its tag and text. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el?.id ? `#${el.id}` : `${el?.tagName.toLowerCase()}:${el?.textContent.trim()}`;
  });
}

/** Presses Tab until `selector` has the focus (at most 80 times), as a keyboard user would. */
async function tabTo(page, selector) {
  for (let i = 0; i < 80; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) {
      // The focus can be seen: an outline or a shadow marks it.
      const marked = await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement);
        return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
      });
      assert.ok(marked, `the focus on ${selector} is visible`);
      return;
    }
    await page.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached ${selector}; the focus stopped at ${await focused(page)}`);
}

test("every dashboard page fits a phone and a desktop and passes axe at both", async () => {
  const page = await browser.context.newPage();
  await signIn(page);
  for (const [device, width, height] of [["phone", 390, 844], ["desktop", 1280, 900]]) {
    await page.setViewportSize({ width, height });
    for (const [name, path] of PAGES) {
      const reply = await page.goto(`${browser.baseUrl}${path}`);
      assert.equal(reply.status(), 200, path);
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      assert.ok(scrollWidth <= innerWidth, `${path} is ${scrollWidth} px wide on a ${innerWidth} px ${device}`);
      await shot(page, `dashboard-${device}-${name}`);
      await axe(page, `dashboard-${device}-${name}`);
    }
  }
  assert.deepEqual(leftLoopback(browser.requested), []);
  await page.close();
});

test("every dashboard page's first load is under 30 KB compressed", async () => {
  const report = [];
  for (const [name, path] of PAGES) {
    const { compressed, lines } = await firstLoad(browser.context, `${browser.baseUrl}${path}`);
    report.push(`${name}: ${compressed} bytes compressed (budget ${BUDGET_BYTES})`, ...lines.map((l) => `  ${l}`));
    assert.ok(compressed < BUDGET_BYTES, `${path}: first load ${compressed} bytes compressed`);
  }
  writeFileSync(path.join(ARTIFACTS, "dashboard-first-load.txt"), report.join("\n") + "\n");
  console.log(report.join("\n"));
});

test("a host creates an event type with the keyboard alone", async () => {
  const page = await browser.context.newPage();
  await page.goto(`${browser.baseUrl}/dashboard/event-types/new`);
  // The first Tab reaches the skip link, which leads past the navigation.
  await page.keyboard.press("Tab");
  await tabTo(page, "#title");
  await page.keyboard.type("Keyboard consultation");
  await tabTo(page, "#slug");
  await page.keyboard.type("keyboard-consultation");
  await tabTo(page, "#location_kind");
  // A select moves through its options with the arrow keys.
  for (let i = 0; i < 8 && (await page.inputValue("#location_kind")) !== "in_person"; i++) {
    await page.keyboard.press("ArrowDown");
  }
  assert.equal(await page.inputValue("#location_kind"), "in_person");
  await tabTo(page, "#location_detail");
  await page.keyboard.type("Kastanienallee 1, Berlin");
  await tabTo(page, "button[type=submit]");
  await Promise.all([page.waitForURL(`${browser.baseUrl}/dashboard`), page.keyboard.press("Enter")]);
  assert.match(await page.textContent(".event-admin-list"), /Keyboard consultation/);
  await page.close();
});

test("a host makes a single-use link, and its page fits a phone and a desktop and passes axe", async () => {
  const page = await browser.context.newPage();
  await page.goto(`${browser.baseUrl}/dashboard`);
  await Promise.all([page.waitForURL(/\/links$/), page.click("a >> text=Single-use links >> nth=0")]);
  await page.fill("#valid_days", "7");
  await Promise.all([page.waitForURL(/\/links#link-/), page.click("button >> text=Create a link")]);
  assert.match(await page.textContent(".event-admin-list"), /Open until/);
  const url = await page.inputValue(".copy-row input");
  assert.match(url, /\?link=[A-Za-z0-9_-]{43}$/);
  for (const [device, width, height] of [["phone", 390, 844], ["desktop", 1280, 900]]) {
    await page.setViewportSize({ width, height });
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    assert.ok(scrollWidth <= innerWidth, `the links page is ${scrollWidth} px wide on a ${innerWidth} px ${device}`);
    await shot(page, `dashboard-${device}-single-use-links`);
    await axe(page, `dashboard-${device}-single-use-links`);
  }
  // The link opens the event type's booking page.
  const booking = await page.goto(url);
  assert.equal(booking.status(), 200);
  assert.equal(await page.locator("input[name=link]").count(), 1);
  await page.close();
});

test("a host gives an event type its own reminders, and the page fits a phone and a desktop and passes axe", async () => {
  const page = await browser.context.newPage();
  await page.goto(`${browser.baseUrl}/dashboard`);
  await Promise.all([page.waitForURL(/\/reminders$/), page.click("a[href$=\"/reminders\"] >> nth=0")]);
  await page.check("#plan-own");
  await page.selectOption("#lead-0", { label: "1 day before" });
  await page.selectOption("#to-0", "invitee");
  await page.fill("#note-0", "Bring the contract.");
  // A second row a day ahead too: refused, shown again with the error under the field.
  await page.selectOption("#lead-1", "1440");
  await page.click("button >> text=Save reminders");
  await page.waitForSelector("#lead-1-error");
  assert.equal(await page.getAttribute("#lead-1", "aria-invalid"), "true");
  assert.equal(await page.inputValue("#note-0"), "Bring the contract.");
  for (const [device, width, height] of [["phone", 390, 844], ["desktop", 1280, 900]]) {
    await page.setViewportSize({ width, height });
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    assert.ok(scrollWidth <= innerWidth, `the reminders page is ${scrollWidth} px wide on a ${innerWidth} px ${device}`);
    await shot(page, `dashboard-${device}-reminders-error`);
    await axe(page, `dashboard-${device}-reminders-error`);
  }
  await page.selectOption("#lead-1", { label: "1 hour before" });
  await Promise.all([page.waitForURL(/\/reminders\?saved$/), page.click("button >> text=Save reminders")]);
  assert.match(await page.textContent("p.notice"), /Reminders saved/);
  assert.equal(await page.inputValue("#lead-0"), "1440");
  assert.equal(await page.inputValue("#lead-1"), "60");
  assert.equal(await page.inputValue("#note-0"), "Bring the contract.");
  await axe(page, "dashboard-desktop-reminders");
  await page.close();
});
