// Starts a private Openslot for the browser tests: the provider fakes and `wrangler dev`
// (workerd) on free loopback ports, with a fresh local D1/KV state seeded with the demo host
// (tests/support/demo-seed.sql). The same flags as the e2e harness (tests/e2e/support/world.rs).
// `useBrowser` wraps it with Debian's headless Chromium for a test file: one launch, the same
// everywhere, started before the file's tests and cleaned up after them.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import { after, before } from "node:test";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");
/** Where screenshots and reports go for people to look at. */
export const ARTIFACTS = path.join(TARGET, "browser-artifacts");
const BIN = path.join(ROOT, "node_modules/.bin");
// Tests only; a deployment sets its own secret.
const TOKEN_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const env = {
  ...process.env,
  PATH: `${BIN}:${process.env.PATH}`,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
};

function wrangler(args) {
  return execFileSync(path.join(BIN, "wrangler"), args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
}

async function waitUntilUp(url, logPath) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Openslot did not start within 90 s:\n${readFileSync(logPath, "utf8")}`);
}

/** Starts Openslot; returns { baseUrl, fakesUrl, stop() }. */
export async function startOpenslot() {
  const state = path.join(TARGET, "browser", `run-${process.pid}-${Date.now()}`);
  mkdirSync(state, { recursive: true });
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state]);
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", state, "--file", "tests/support/demo-seed.sql"]);

  const fakesPort = await freePort();
  const fakesLog = openSync(path.join(state, "fakes.log"), "w");
  const fakes = spawn(path.join(TARGET, "debug/openslot-fakes"), ["--port", String(fakesPort)], {
    stdio: ["ignore", fakesLog, fakesLog],
    detached: true,
  });
  const fakesUrl = `http://127.0.0.1:${fakesPort}`;
  const fakeVars = execFileSync("bash", ["tests/support/fake-vars.sh", fakesUrl], { cwd: ROOT })
    .toString()
    .trim()
    .split(/\s+/);

  const port = await freePort();
  const logPath = path.join(state, "workerd.log");
  const log = openSync(logPath, "w");
  const workerd = spawn(
    path.join(BIN, "wrangler"),
    [
      "dev", "--local", "--ip", "127.0.0.1", "--show-interactive-dev-session=false",
      "--port", String(port), "--inspector-port", String(await freePort()),
      "--persist-to", state,
      "--var", `TOKEN_ENCRYPTION_KEY:${TOKEN_KEY}`,
      "--var", `PUBLIC_BASE_URL:http://127.0.0.1:${port}`,
      ...fakeVars,
    ],
    { cwd: ROOT, env, stdio: ["ignore", log, log], detached: true },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = () => {
    for (const child of [workerd, fakes]) {
      try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
    }
  };
  try {
    await waitUntilUp(`${fakesUrl}/_fake/emails`, path.join(state, "fakes.log")).catch(() => {});
    await waitUntilUp(`${baseUrl}/healthz`, logPath);
  } catch (error) {
    stop();
    throw error;
  }
  return { baseUrl, fakesUrl, stop };
}

// No background traffic: the tests check that no request leaves the machine.
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/**
 * Registers the file's before/after hooks: a private Openslot and a fresh Chromium profile
 * whose clock is in `timezoneId`. Returns an object that `before` fills in: `baseUrl`,
 * `fakesUrl`, `context` (playwright's browser context) and `requested` (every URL it asked for).
 */
export function useBrowser({ timezoneId }) {
  const browser = { requested: [] };
  let openslot;
  let extra;
  let profile;
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    openslot = await startOpenslot();
    browser.baseUrl = openslot.baseUrl;
    browser.fakesUrl = openslot.fakesUrl;
    profile = mkdtempSync(path.join(os.tmpdir(), "openslot-chromium-"));
    browser.context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
      headless: true,
      timezoneId,
      locale: "en-US",
      viewport: { width: 1280, height: 900 },
    });
    browser.context.on("request", (request) => browser.requested.push(request.url()));
  });
  /**
   * Another, separate browser context (own cookies, zone, JavaScript on or off), e.g. an
   * invitee next to the host, or a host without JavaScript. Closed after the file's tests.
   */
  browser.newContext = async (options) => {
    extra ??= await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: true });
    const context = await extra.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 }, ...options });
    context.on("request", (request) => browser.requested.push(request.url()));
    return context;
  };
  /** Tells the provider fakes something (`POST {fakesUrl}{pathname}`, JSON), expecting 200. */
  browser.fake = async (pathname, body) => {
    const reply = await fetch(`${browser.fakesUrl}${pathname}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (reply.status !== 200) throw new Error(`${pathname}: ${reply.status} ${await reply.text()}`);
  };
  after(async () => {
    await extra?.close();
    await browser.context?.close();
    openslot?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });
  return browser;
}

/** Saves a full-page screenshot of `page` as ARTIFACTS/`name`.png. */
export async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The URLs in `requested` that went anywhere but this machine (data: URLs stay local). */
export function leftLoopback(requested) {
  return requested.filter((url) => {
    const { protocol, hostname } = new URL(url);
    return !(protocol === "data:" || hostname === "127.0.0.1");
  });
}

/** Tokyo wall-clock time of an instant, as the pages write it for en-US (12-hour). */
export function tokyoTime(instant) {
  return new Intl.DateTimeFormat("en-US", {
    timeZone: "Asia/Tokyo", hour: "numeric", minute: "2-digit", hour12: true,
  }).format(new Date(instant));
}

const require = createRequire(import.meta.url);

/**
 * Runs axe-core's accessibility rules on `page` as served, keeps the full report as
 * ARTIFACTS/axe-`name`.json, and fails on any serious or critical violation.
 */
export async function axe(page, name) {
  // Not page.addScriptTag: that adds an inline <script>, which our CSP rightly refuses.
  // DevTools evaluation is outside the page's CSP, so the page is checked as served.
  await page.evaluate(readFileSync(require.resolve("axe-core"), "utf8"));
  const results = await page.evaluate(() => window.axe.run());
  writeFileSync(path.join(ARTIFACTS, `axe-${name}.json`), JSON.stringify(results.violations, null, 2));
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
    `axe on the ${name} page`,
  );
}

/**
 * The compressed size of `url`'s first load in `context` (HTML, CSS, JS; cache off), as the
 * booking page's budget test measures it: what gzip makes of each body unless it came
 * compressed. Returns { compressed, raw, lines }.
 */
export async function firstLoad(context, url) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const responses = [];
  page.on("response", (response) => responses.push(response));
  await page.goto(url, { waitUntil: "load" });
  let compressed = 0;
  let raw = 0;
  const lines = [];
  for (const response of responses) {
    const body = await response.body().catch(() => Buffer.alloc(0));
    const encoded = response.headers()["content-encoding"];
    const size = encoded ? (await response.request().sizes()).responseBodySize : zlib.gzipSync(body, { level: 6 }).length;
    compressed += size;
    raw += body.length;
    lines.push(`${new URL(response.url()).pathname} ${body.length} bytes, ${size} compressed`);
  }
  await page.close();
  return { compressed, raw, lines };
}
