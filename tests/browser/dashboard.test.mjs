// The dashboard on a phone and by keyboard, in real headless Chromium: every dashboard page at
// a phone's width (390 px) fits without sideways scrolling and passes axe-core's serious and
// critical rules, and a host creates an event type with the keyboard alone (Tab to each field,
// type, Enter to save), seeing where the focus is at every step. Screenshots of each page go
// to target/browser-artifacts/dashboard-phone-*.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { axe, leftLoopback, shot, useBrowser } from "./support/openslot.mjs";

const HOST_EMAIL = "noor@hosts.example";

const browser = useBrowser({ timezoneId: "Europe/Berlin" });

const PAGES = [
  ["overview", "/dashboard"],
  ["profile", "/dashboard/profile"],
  ["event-type", "/dashboard/event-types/new"],
  ["availability", "/dashboard/availability"],
  ["bookings", "/dashboard/bookings"],
  ["connections", "/dashboard/connections"],
  ["api-tokens", "/dashboard/api-tokens"],
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
  await page.waitForURL(`${browser.baseUrl}/dashboard`);
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

test("every dashboard page fits a phone and passes axe", async () => {
  const page = await browser.context.newPage();
  await signIn(page);
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [name, path] of PAGES) {
    const reply = await page.goto(`${browser.baseUrl}${path}`);
    assert.equal(reply.status(), 200, path);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    assert.ok(scrollWidth <= innerWidth, `${path} is ${scrollWidth} px wide on a ${innerWidth} px phone`);
    await shot(page, `dashboard-phone-${name}`);
    await axe(page, `dashboard-${name}`);
  }
  assert.deepEqual(leftLoopback(browser.requested), []);
  await page.close();
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
