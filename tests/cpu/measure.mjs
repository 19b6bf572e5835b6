// `make cpu` (tests/cpu/run.sh starts everything and calls this): CPU per request of Openslot
// and of a hello-world Worker, both under `wrangler dev` on local workerd, measured through
// the V8 inspector of each Worker's isolate (Chrome DevTools Protocol over a WebSocket).
//
// Method, per request: Profiler.start (sampling every 100 µs), send the request, read the
// whole response, wait SETTLE_MS so work the Worker left in `waitUntil` finishes too, then
// Profiler.stop. The request's CPU is the time its samples stand for (see `account`), except
// "(idle)": JavaScript, wasm, the runtime's own native work ("(program)") and garbage
// collection, while the request holds the isolate. Each case runs WARMUP
// requests unmeasured, then N measured ones, one after another; we print the median and the
// maximum, and the median over the hello-world floor. Self and total time per function
// (wasm frames included) are summed over a case's measured requests and written to
// OUT_DIR/<case>.txt, with the last request's .cpuprofile beside it for DevTools.
//
// Environment: OPENSLOT_URL, OPENSLOT_INSPECTOR, FLOOR_URL, FLOOR_INSPECTOR, FAKES_URL,
// STATE_DIR (the --persist-to of the Openslot Worker), OUT_DIR, and optionally N (100),
// WARMUP (10), SETTLE_MS (50), CASES (a comma-separated filter of case names).

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const OPENSLOT = env("OPENSLOT_URL");
const FLOOR = env("FLOOR_URL");
const FAKES = env("FAKES_URL");
const STATE_DIR = env("STATE_DIR");
const OUT_DIR = env("OUT_DIR");
const N = Number(env("N", "100"));
const WARMUP = Number(env("WARMUP", "10"));
const SETTLE_MS = Number(env("SETTLE_MS", "50"));
const ONLY = (process.env.CASES ?? "").split(",").filter(Boolean);
mkdirSync(OUT_DIR, { recursive: true });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------- the inspector ----------

/** A DevTools Protocol session with one Worker's isolate. */
async function inspect(hostPort) {
  const targets = await (await fetch(`http://${hostPort}/json`)).json();
  // wrangler's inspector proxy wants a local Origin (miniflare: ALLOWED_ORIGIN_HOSTNAMES).
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl, {
    headers: { Origin: "http://127.0.0.1" },
  });
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`inspector at ${hostPort} refused the WebSocket`));
  });
  let next = 0;
  const waiting = new Map();
  socket.onmessage = (message) => {
    const reply = JSON.parse(message.data);
    if (reply.id === undefined || !waiting.has(reply.id)) return;
    const { resolve, reject } = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.error) reject(new Error(JSON.stringify(reply.error)));
    else resolve(reply.result);
  };
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 100 });
  return { send, close: () => socket.close() };
}

/** The CPU of one profile in ms, its split, and per-function self/total µs added to `into`.
 *
 * workerd's isolate is sampled only while a request holds its lock (V8 drops the samples of
 * an unlocked isolate), so samples come in runs, a few hundred µs apart, separated by gaps
 * while the Worker awaits D1, KV or a fetch. Each sample stands for the time since the one
 * before (V8's own `timeDeltas`); a delta over GAP_US spans an unlocked wait, so such a sample
 * counts one typical interval (the profile's median short delta) instead. */
const GAP_US = 1000;
function account(profile, into) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const short = profile.timeDeltas.filter((d) => d > 0 && d <= GAP_US).sort((a, b) => a - b);
  const typical = short.length ? short[Math.floor(short.length / 2)] : 100;
  const split = { code: 0, program: 0, gc: 0, idle: 0 };
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i];
    const duration = delta > GAP_US ? typical : Math.max(delta, 0);
    const node = byId.get(profile.samples[i]);
    const name = node.callFrame.functionName;
    if (name === "(idle)") { split.idle += duration; continue; }
    if (name === "(program)") split.program += duration;
    else if (name === "(garbage collector)") split.gc += duration;
    else split.code += duration;
    const seen = new Set();
    for (let id = node.id, first = true; id !== undefined; id = parent.get(id), first = false) {
      const frame = byId.get(id).callFrame;
      if (frame.functionName === "(root)") break;
      const key = `${frame.functionName || "(anonymous)"}  ${frame.url.startsWith("wasm") ? "[wasm]" : frame.url.split("/").pop() || ""}`;
      const entry = into.get(key) ?? { self: 0, total: 0 };
      if (first) entry.self += duration;
      if (!seen.has(key)) { entry.total += duration; seen.add(key); }
      into.set(key, entry);
    }
  }
  const ms = (v) => v / 1000;
  return {
    cpu: ms(split.code + split.program + split.gc),
    code: ms(split.code),
    program: ms(split.program),
    gc: ms(split.gc),
  };
}

// ---------- HTTP with a cookie jar ----------

let clientCounter = 0;
/** A different client address per request, so the per-client rate limits never answer. */
function clientIp() {
  clientCounter += 1;
  return `10.77.${Math.floor(clientCounter / 256) % 256}.${clientCounter % 256}`;
}

function jar() {
  const cookies = new Map();
  return {
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
    absorb(response) {
      for (const line of response.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(";");
        const [name, ...rest] = pair.split("=");
        const value = rest.join("=");
        if (!value || attributes.some((a) => /max-age=0/i.test(a))) cookies.delete(name.trim());
        else cookies.set(name.trim(), value);
      }
    },
  };
}

async function request(url, { method = "GET", body, type, cookies, extra = {} } = {}) {
  const headers = { "CF-Connecting-IP": clientIp(), ...extra };
  if (type) headers["Content-Type"] = type;
  const ours = url.startsWith(OPENSLOT);
  if (cookies && ours && cookies.header()) headers.Cookie = cookies.header();
  // A request that hangs (it never has in these runs) fails the run instead of stalling it.
  const signal = AbortSignal.timeout(60_000);
  const response = await fetch(url, { method, body, headers, redirect: "manual", signal });
  const text = await response.text();
  if (cookies && ours) cookies.absorb(response);
  return { status: response.status, location: response.headers.get("location"), text };
}

function expect(reply, statuses, what) {
  if (!statuses.includes(reply.status)) {
    throw new Error(`${what}: HTTP ${reply.status}: ${reply.text.slice(0, 400)}`);
  }
  return reply;
}

const json = (value) => ({ method: "POST", body: JSON.stringify(value), type: "application/json" });

// ---------- setting up the two hosts ----------

function sql(statement) {
  execFileSync(
    "wrangler",
    ["d1", "execute", "DB", "--local", "--persist-to", STATE_DIR, "--command", statement],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
}

/** Signs `email` in through the Google fake; returns the browser's cookies. */
async function signIn(email, name) {
  expect(await request(`${FAKES}/_fake/google/login`, json({ email, name })), [200], "fake login");
  const cookies = jar();
  const start = expect(await request(`${OPENSLOT}/auth/google/start?tz=Europe/Berlin`, { cookies }), [302], "sign-in start");
  const consent = expect(await request(`${start.location}&login_hint=${encodeURIComponent(email)}`), [302, 303], "fake consent");
  const done = expect(await request(consent.location, { cookies }), [302, 303], "sign-in callback");
  // A new host lands on the welcome page, a returning one on the dashboard.
  if (!["/dashboard", "/dashboard/welcome"].includes(done.location)) {
    throw new Error(`sign-in ended at ${done.location}`);
  }
  return cookies;
}

async function connect(cookies, provider, email, name) {
  expect(await request(`${FAKES}/_fake/${provider}/login`, json({ email, name })), [200], "fake login");
  const start = expect(
    await request(`${OPENSLOT}/dashboard/connections/${provider}/connect`, { cookies }),
    [302, 303],
    `connect ${provider}`,
  );
  const consent = expect(await request(`${start.location}&login_hint=${encodeURIComponent(email)}`), [302, 303], "fake consent");
  expect(await request(consent.location, { cookies }), [302, 303], `${provider} callback`);
}

/** Busy periods every weekday at 10:00 and 14:30 UTC for 62 days, shifted per calendar. */
function busyPeriods(shiftMinutes) {
  const periods = [];
  const day0 = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  for (let d = 0; d < 62; d++) {
    for (const [h, m] of [[10, 0], [14, 30]]) {
      const start = new Date(day0 + d * 86_400_000 + ((h * 60 + m + shiftMinutes) * 60_000));
      periods.push({ start: start.toISOString(), end: new Date(start.getTime() + 45 * 60_000).toISOString() });
    }
  }
  return periods;
}

async function setUp() {
  // The demo host (tests/support/demo-seed.sql) signs in by its address: the dashboard case.
  const demoCookies = await signIn("dana@example.com", "Dana Demo");
  // A second host with the demo's week and event type, and three calendars answering from the
  // fakes: Google (its primary calendar and a team calendar, both checked) and Microsoft.
  const email = "cal@example.com";
  const calCookies = await signIn(email, "Cal Endar");
  await connect(calCookies, "google", email, "Cal Endar");
  await connect(calCookies, "microsoft", email, "Cal Endar");
  for (const [provider, calendar, shift] of [["google", null, 0], ["google", "team@cpu.example", 60], ["microsoft", null, 120]]) {
    const body = { email, busy: busyPeriods(shift) };
    if (calendar) body.calendar_id = calendar;
    expect(await request(`${FAKES}/_fake/${provider}/busy`, json(body)), [200], "fake busy");
  }
  sql(
    "UPDATE hosts SET slug = 'cal', time_zone = 'Europe/Berlin' WHERE email = 'cal@example.com'; " +
      "UPDATE schedules SET time_zone = 'Europe/Berlin' WHERE is_default = 1 AND host_id = (SELECT id FROM hosts WHERE slug = 'cal'); " +
      "UPDATE connections SET checked_calendars = '[\"primary\",\"team@cpu.example\"]' WHERE provider = 'google' AND host_id = (SELECT id FROM hosts WHERE slug = 'cal'); " +
      "DELETE FROM weekly_hours WHERE host_id = (SELECT id FROM hosts WHERE slug = 'cal'); " +
      "INSERT INTO weekly_hours (host_id, schedule_id, weekday, start_minute, end_minute) SELECT hosts.id, s.id, d.value, 540, 1020 FROM hosts JOIN schedules s ON s.host_id = hosts.id AND s.is_default = 1, json_each('[0,1,2,3,4]') d WHERE hosts.slug = 'cal'; " +
      "INSERT OR IGNORE INTO event_types (id, host_id, slug, title, description, duration_minutes, slot_interval_minutes, " +
      "buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes, booking_window_days, location_kind, created_at) " +
      "SELECT 'cal-intro', id, 'intro-call', 'Intro call', 'A first conversation.', 30, 30, 0, 10, 120, 365, 'google_meet', 0 FROM hosts WHERE slug = 'cal';",
  );
  return { demoCookies, calCookies };
}

// ---------- the cases ----------

/** The first free start of `host`'s intro call from the slots API (unmeasured), searching
 *  60-day windows up to the event type's booking window (365 days): the booking cases take
 *  several hundred slots. */
async function freeStart(host, skip, event = "intro-call") {
  for (let from = 1; from < 360; from += 60) {
    const reply = expect(
      await request(`${OPENSLOT}/api/v1/slots?host=${host}&event=${event}&tz=UTC&from=${day(from)}&to=${day(from + 59)}`),
      [200],
      "slots for a booking",
    );
    const starts = JSON.parse(reply.text).days.flatMap((d) => d.slots.map((s) => s.start));
    if (starts.length > skip) return starts[skip];
  }
  throw new Error(`${host} has no free slot left`);
}

function day(offset) {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

let bookingCounter = 0;
async function book(host) {
  bookingCounter += 1;
  const start = await freeStart(host, 0);
  const reply = expect(
    await request(`${OPENSLOT}/api/v1/bookings`, {
      method: "POST",
      ...json({ host, event: "intro-call", start, name: "Cee Pew", email: `cpu${bookingCounter}@example.com`, time_zone: "Europe/Berlin" }),
    }),
    [201],
    "booking",
  );
  return JSON.parse(reply.text).booking;
}

/** A booking form's POST for the first free start of `host`'s intro call (unmeasured). */
async function formBooking(host) {
  const start = await freeStart(host, 0);
  bookingCounter += 1;
  const body = new URLSearchParams({ slot: start, tz: "Europe/Berlin", name: "Cee Pew", email: `cpu${bookingCounter}@example.com` });
  return { method: "POST", body: body.toString(), type: "application/x-www-form-urlencoded" };
}

/** Each case: a name, the Worker it runs on, and a function making one request (plus any
 *  unmeasured preparation, which runs before the profiler starts). */
function cases(session) {
  const list = [{ name: "hello-world floor", floor: true, prepare: async () => () => request(`${FLOOR}/`) }];
  for (const [host, label, cookies] of [["demo", "", session.demoCookies], ["cal", " (3 calendars)", session.calCookies]]) {
    list.push(
      { name: `booking page${label}`, prepare: async () => () => request(`${OPENSLOT}/${host}/intro-call?tz=Europe/Berlin`) },
      { name: `slots API 7 days${label}`, prepare: async () => () => request(`${OPENSLOT}/api/v1/slots?host=${host}&event=intro-call&tz=Europe/Berlin`) },
      { name: `slots API 60 days${label}`, prepare: async () => () => request(`${OPENSLOT}/api/v1/slots?host=${host}&event=intro-call&tz=Europe/Berlin&from=${day(0)}&to=${day(59)}`) },
      {
        name: `booking creation${label}`,
        prepare: async () => {
          const start = await freeStart(host, 0);
          bookingCounter += 1;
          const body = json({ host, event: "intro-call", start, name: "Cee Pew", email: `cpu${bookingCounter}@example.com`, time_zone: "Europe/Berlin" });
          return async () => expect(await request(`${OPENSLOT}/api/v1/bookings`, { method: "POST", ...body }), [201], "booking");
        },
      },
      {
        name: `booking by form${label}`,
        prepare: async () => {
          const form = await formBooking(host);
          return async () => expect(await request(`${OPENSLOT}/${host}/intro-call`, form), [303], "form booking");
        },
      },
      {
        // The page a form booking redirects to, loaded once: it makes the event and the meeting
        // link the booking request left to it, and sends the emails.
        name: `first confirmation page${label}`,
        prepare: async () => {
          const booked = expect(await request(`${OPENSLOT}/${host}/intro-call`, await formBooking(host)), [303], "form booking");
          const page = new URL(booked.location, OPENSLOT);
          return async () => expect(await request(`${OPENSLOT}${page.pathname}${page.search}`), [200], "first confirmation page");
        },
      },
      {
        name: `confirmation page${label}`,
        setup: async () => new URL((await book(host)).manage_url).pathname,
        prepare: async (path) => () => request(`${OPENSLOT}${path}`),
      },
      { name: `dashboard${label}`, prepare: async () => () => request(`${OPENSLOT}/dashboard`, { cookies }) },
      { name: `cron run${label}`, cron: true, prepare: async () => () => request(`${OPENSLOT}/__scheduled?cron=*+*+*+*+*`) },
    );
  }
  // The demo's event type asking one question of every kind (tests/support/demo-seed.sql):
  // its booking form, and a booking through it with every answer checked.
  list.push(
    {
      name: "booking form, every kind of question",
      prepare: async () => {
        const start = encodeURIComponent(await freeStart("demo", 0, "project-intake"));
        return () => request(`${OPENSLOT}/demo/project-intake?tz=Europe/Berlin&slot=${start}`);
      },
    },
    {
      name: "booking by form, every kind of question",
      prepare: async () => {
        bookingCounter += 1;
        const body = new URLSearchParams([
          ["slot", await freeStart("demo", 0, "project-intake")], ["tz", "Europe/Berlin"], ["name", "Cee Pew"],
          ["email", `cpu${bookingCounter}@example.com`], ["answer_1", "Acme"], ["answer_2", "Pricing\nand more"],
          ["answer_3", "Team"], ["answer_4", "Japan"], ["answer_5", "Pricing"], ["answer_5", "Security"],
          ["answer_6", "yes"], ["answer_7", "+81 3-1234-5678"], ["answer_8", "12"],
          ["answer_9", "billing@example.com"], ["answer_10", "https://example.com/acme"],
        ]);
        const form = { method: "POST", body: body.toString(), type: "application/x-www-form-urlencoded" };
        return async () => expect(await request(`${OPENSLOT}/demo/project-intake`, form), [303], "typed form booking");
      },
    },
  );
  // The cron run is one for the whole instance; it appears once, after both hosts' bookings.
  // On the free plan (the default `WORKERS_PLAN`) a run does one kind of provider work
  // (`core::cron_plan`): calendar work in even minutes, emails in odd ones, each only when the
  // other kind has nothing due. The runs here name their minute (`time`), so each measured run
  // does exactly one booking's share: its event and Meet link, or its two emails. The earlier
  // cases leave calendar work and emails due, which each setup clears first.
  const cronAt = (minute) => {
    const even = Math.floor(Date.now() / 120_000) * 120_000;
    // Miniflare's trigger endpoint takes the run's time; wrangler's `/__scheduled` ignores it.
    return () => request(`${OPENSLOT}/cdn-cgi/local/scheduled?cron=*+*+*+*+*&time=${minute === "even" ? even : even + 60_000}`);
  };
  const calendarRun = cronAt("even");
  const emailRun = cronAt("odd");
  list.push(
    {
      name: "cron run making an API booking's event (3 calendars)",
      setup: async () => {
        for (let i = 0; i < 400; i++) await calendarRun();
      },
      prepare: async () => {
        await book("cal");
        return calendarRun;
      },
    },
    {
      name: "cron run sending an API booking's emails (3 calendars)",
      setup: async () => {
        for (let i = 0; i < 60; i++) await emailRun();
      },
      prepare: async () => {
        await book("cal");
        await calendarRun();
        return emailRun;
      },
    },
  );
  return list.filter((c) => c.name !== "cron run (3 calendars)");
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function run(one, inspector) {
  const context = one.setup ? await one.setup() : undefined;
  const functions = new Map();
  const measured = [];
  let last;
  for (let i = 0; i < WARMUP + N; i++) {
    const call = await one.prepare(context);
    await inspector.send("Profiler.start");
    const reply = await call();
    await sleep(SETTLE_MS);
    const { profile } = await inspector.send("Profiler.stop");
    if (reply.status >= 500) throw new Error(`${one.name}: HTTP ${reply.status}: ${reply.text.slice(0, 300)}`);
    if (i < WARMUP) continue;
    measured.push(account(profile, functions));
    last = profile;
  }
  const file = one.name.replace(/[^a-z0-9]+/gi, "-").replace(/-$/, "");
  writeFileSync(join(OUT_DIR, `${file}.cpuprofile`), JSON.stringify(last));
  const perRequest = (us) => (us / 1000 / N).toFixed(3).padStart(8);
  const table = (by) =>
    [...functions]
      .sort((a, b) => b[1][by] - a[1][by])
      .slice(0, 150)
      .map(([key, v]) => `${perRequest(v.self)} ${perRequest(v.total)}  ${key}`)
      .join("\n");
  writeFileSync(
    join(OUT_DIR, `${file}.txt`),
    `${one.name}: ms per request, averaged over ${N} requests\n\nby self time\n  self    total   function\n${table("self")}\n` +
      `\nby total time\n  self    total   function\n${table("total")}\n`,
  );
  const pick = (field) => measured.map((m) => m[field]);
  return {
    name: one.name,
    median: median(pick("cpu")),
    max: Math.max(...pick("cpu")),
    code: median(pick("code")),
    program: median(pick("program")),
    gc: median(pick("gc")),
  };
}

const openslot = await inspect(env("OPENSLOT_INSPECTOR"));
const floor = await inspect(env("FLOOR_INSPECTOR"));
const session = await setUp();
const results = [];
for (const one of cases(session)) {
  if (ONLY.length && !one.floor && !ONLY.some((part) => one.name.includes(part))) continue;
  process.stderr.write(`measuring ${one.name} ...\n`);
  const result = await run(one, one.floor ? floor : openslot);
  results.push(result);
  process.stderr.write(`  median ${result.median.toFixed(2)} ms, max ${result.max.toFixed(2)} ms\n`);
}
openslot.close();
floor.close();

const base = results.find((r) => r.name === "hello-world floor").median;
const f = (v) => v.toFixed(2);
const lines = [
  `CPU per request, ${N} sequential requests after ${WARMUP} warm-up, sampled every 100 µs (ms)`,
  "",
  "| request | median | max | median over floor | max over floor | JS+wasm / runtime / GC (median) |",
  "|---|---|---|---|---|---|",
  ...results.map((r) =>
    r.name === "hello-world floor"
      ? `| ${r.name} | ${f(r.median)} | ${f(r.max)} | — | — | ${f(r.code)} / ${f(r.program)} / ${f(r.gc)} |`
      : `| ${r.name} | ${f(r.median)} | ${f(r.max)} | +${f(r.median - base)} | +${f(r.max - base)} | ${f(r.code)} / ${f(r.program)} / ${f(r.gc)} |`,
  ),
];
console.log(lines.join("\n"));
writeFileSync(join(OUT_DIR, "table.md"), lines.join("\n") + "\n");
process.exit(0);
