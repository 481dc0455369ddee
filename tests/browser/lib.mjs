// Helpers for the browser tests: free ports, the local stack, Debian Chromium via playwright-core.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const ARTIFACTS = join(ROOT, "tests/artifacts");

/** Chromium args from docs (toolchain-notes): no sandbox (root), no network chatter. */
export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic",
];

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}`);
}

/** Builds the widget into www/pkg (skipped when unchanged). */
export function buildWidget() {
  run("bash", ["scripts/build-widget.sh"], {});
}

/**
 * Starts `scripts/stack.sh` (sandbox + Worker in wrangler dev) on free ports, in its own state
 * dir; returns {worker, sandbox, stop}.
 */
export async function startStack(extraEnv = {}) {
  // Development shortcut: reuse a stack that is already running (nothing is started or stopped).
  if (process.env.E2E_WORKER_URL && process.env.E2E_SANDBOX_URL) {
    return { worker: process.env.E2E_WORKER_URL, sandbox: process.env.E2E_SANDBOX_URL, stop: () => {} };
  }
  const sandboxPort = await freePort();
  let workerPort = await freePort();
  while (workerPort === sandboxPort) workerPort = await freePort();
  const env = {
    SANDBOX_PORT: String(sandboxPort),
    WORKER_PORT: String(workerPort),
    STACK_DIR: mkdtempSync(join(tmpdir(), "tamara-browser-stack-")),
    ...extraEnv,
  };
  if (typeof extraEnv.ALLOWED_ORIGINS === "function") env.ALLOWED_ORIGINS = extraEnv.ALLOWED_ORIGINS(workerPort);
  run("bash", ["scripts/stack.sh", "start"], env);
  return {
    worker: `http://127.0.0.1:${workerPort}`,
    sandbox: `http://127.0.0.1:${sandboxPort}`,
    stop: () => {
      run("bash", ["scripts/stack.sh", "stop"], env);
      rmSync(env.STACK_DIR, { recursive: true, force: true });
    },
  };
}

/** ADMIN_TOKEN from .dev.vars (local development value the stack was started with). */
export function adminToken() {
  const file = join(ROOT, existsSync(join(ROOT, ".dev.vars")) ? ".dev.vars" : "dev.vars.example");
  const line = readFileSync(file, "utf8").split("\n").find((l) => l.startsWith("ADMIN_TOKEN="));
  if (!line) throw new Error(`ADMIN_TOKEN missing in ${file}`);
  return line.slice("ADMIN_TOKEN=".length).trim();
}

export async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Logs the page's console errors and failed requests (for diagnosis when a step fails). */
export function watch(page, label) {
  page.on("console", (m) => { if (m.type() === "error") console.error(`[${label} console] ${m.text()}`); });
  page.on("pageerror", (e) => console.error(`[${label} pageerror] ${e.message}`));
  page.on("requestfailed", (r) => console.error(`[${label} requestfailed] ${r.url()} ${r.failure()?.errorText}`));
}
