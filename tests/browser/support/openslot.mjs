// Starts a private Openslot for the browser tests: the provider fakes and `wrangler dev`
// (workerd) on free loopback ports, with a fresh local D1/KV state seeded with the demo host
// (tests/support/demo-seed.sql). The same flags as the e2e harness (tests/e2e/support/world.rs).
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");
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
