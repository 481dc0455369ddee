#!/usr/bin/env node
// The example merchant site (examples/merchant-site/) served from its own origin, so the widget is
// embedded as a real storefront embeds it: the page on one origin, the Worker on another.
//
//   node scripts/merchant-site.mjs --worker http://127.0.0.1:8787 [--port 8600]
//
// Binds 127.0.0.1 only. The pages name the Worker as `https://YOUR-WORKER` (as a merchant would
// write their own Worker's URL); this server writes in --worker. It sends the Content-Security-Policy
// a merchant page needs for the widget (README "Embed the widget"). `?pin=1` on a page swaps the
// stable snippet for the pinned one with its `integrity` (from www/pkg/manifest.json).
// Used by scripts/stack.sh (demo) and tests/browser/embed.test.mjs (imported: startMerchantSite).
// Stops on SIGTERM/SIGINT, and by itself after --ttl seconds when given.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SITE = join(ROOT, "examples/merchant-site");
const PLACEHOLDER = "https://YOUR-WORKER";
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

/** The CSP a page embedding the widget needs (besides its own 'self' resources). */
export function csp(worker) {
  return [
    "default-src 'self'",
    `script-src 'self' ${worker} 'wasm-unsafe-eval'`,
    `connect-src 'self' ${worker}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** `{snippet, integrity}` of the pinned snippet the last widget build published. */
export function pinned() {
  const m = JSON.parse(readFileSync(join(ROOT, "www/pkg/manifest.json"), "utf8"));
  if (!m.snippet || !m.integrity) throw new Error("www/pkg/manifest.json has no pinned snippet: run scripts/build-widget.sh");
  return { snippet: m.snippet, integrity: m.integrity };
}

function page(file, worker, pin) {
  let html = readFileSync(file, "utf8");
  if (pin) {
    const { snippet, integrity } = pinned();
    const stable = `<script type="module" src="${PLACEHOLDER}/tamara-checkout.js" crossorigin="anonymous"></script>`;
    html = html.replace(stable, `<script type="module" src="${PLACEHOLDER}/${snippet}" integrity="${integrity}" crossorigin="anonymous"></script>`);
  }
  return html.replaceAll(PLACEHOLDER, worker);
}

/** Starts the site; resolves with `{url, close}`. */
export function startMerchantSite({ worker, port = 0, host = "127.0.0.1" }) {
  worker = String(worker).replace(/\/+$/, "");
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://site");
    const name = url.pathname === "/" ? "index.html" : url.pathname.slice(1);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    if (!/^[a-z0-9-]+\.(html|js|css)$/.test(name)) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    let body;
    try {
      const file = join(SITE, name);
      body = extname(name) === ".html" ? page(file, worker, url.searchParams.get("pin") === "1") : readFileSync(file);
    } catch (e) {
      res.writeHead(e.code === "ENOENT" ? 404 : 500, { "Content-Type": "text/plain" }).end(e.code === "ENOENT" ? "not found\n" : "error\n");
      return;
    }
    res.writeHead(200, {
      "Content-Type": TYPES[extname(name)],
      "Cache-Control": "no-store",
      "Content-Security-Policy": csp(worker),
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  return new Promise((ok, fail) => {
    server.on("error", fail);
    server.listen(port, host, () => {
      const { port: bound } = server.address();
      ok({ url: `http://${host}:${bound}`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const worker = arg("worker", process.env.WORKER_URL ?? "http://127.0.0.1:8787");
  const site = await startMerchantSite({ worker, port: Number(arg("port", process.env.MERCHANT_PORT ?? 8600)) });
  console.log(`merchant site on ${site.url} (Worker ${worker})`);
  const stop = () => site.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  const ttl = Number(arg("ttl", 0));
  if (ttl > 0) setTimeout(stop, ttl * 1000).unref();
}
