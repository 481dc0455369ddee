// Static server and mock Worker API for tests/browser/bench.mjs, run in a worker thread (on the
// bench's own event loop, Playwright's protocol traffic during each load delayed the answers by
// several ms). Binds 127.0.0.1 on a free port and reports it to the parent.
//
// Files under www/ are served as Cloudflare's static assets (and wrangler dev) serve them: an ETag
// on each, `Cache-Control: public, max-age=0, must-revalidate` unless www/_headers sets another (the
// widget's versioned files: a year, immutable; the snippet: 5 minutes), 304 on a matching
// If-None-Match. The mock API answers `no-store`, as the Worker does. The bench pages are
// `no-cache` (fetched again on every load, as a store's HTML would be); the floor's one-line module
// gets the snippet's Cache-Control, so that warm loads compare like with like.
const { parentPort, workerData } = require("node:worker_threads");
const { createServer } = require("node:http");
const { createHash } = require("node:crypto");
const { existsSync, readFileSync } = require("node:fs");
const { extname, join, normalize } = require("node:path");
const { root, page, options, floorPage, floorJs } = workerData;
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json" };
// www/_headers: "/path/with/*splat" lines, then indented "Name: value" lines.
const RULES = [];
for (const line of readFileSync(join(root, "www/_headers"), "utf8").split("\n")) {
  if (!line.trim() || line.trim().startsWith("#")) continue;
  if (!/^\s/.test(line) && line.trim() === "/*") {
    // The pages' CSP and security headers: the bench's own pages are not www/'s; timing only.
    RULES.push({ re: /(?!)/, set: {} });
  } else if (!/^\s/.test(line)) {
    const source = line.trim().replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/:\w+/g, "[^/]+");
    RULES.push({ re: new RegExp("^" + source + "$"), set: {} });
  } else if (RULES.length) {
    const at = line.indexOf(":");
    RULES[RULES.length - 1].set[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
}
if (!RULES.length) throw new Error("www/_headers has no rules");
/** The headers www/_headers sets for a path (lower-case names). */
function headersFor(pathname) {
  const set = {};
  for (const rule of RULES) if (rule.re.test(pathname)) Object.assign(set, rule.set);
  return set;
}
const server = createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const send = (status, type, body) => {
    res.writeHead(status, { "content-type": type, "cache-control": url.pathname.startsWith("/api/") ? "no-store" : "no-cache" });
    res.end(body);
  };
  const asset = (file) => {
    const body = readFileSync(file);
    const etag = '"' + createHash("sha256").update(body).digest("hex").slice(0, 32) + '"';
    const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "public, max-age=0, must-revalidate", etag };
    Object.assign(headers, headersFor(url.pathname));
    const match = (req.headers["if-none-match"] ?? "").split(",").map((t) => t.trim().replace(/^W\//, ""));
    if (match.includes(etag)) { res.writeHead(304, headers); return res.end(); }
    res.writeHead(200, headers);
    res.end(body);
  };
  if (url.pathname === "/bench.html") return send(200, TYPES[".html"], page);
  if (url.pathname === "/floor.html") return send(200, TYPES[".html"], floorPage);
  if (url.pathname === "/__floor.js") {
    res.writeHead(200, { "content-type": TYPES[".js"], "cache-control": headersFor("/tamara-checkout.js")["cache-control"] ?? "no-cache" });
    return res.end(floorJs);
  }
  if (url.pathname === "/__floor.json") return send(200, "application/json", options);
  if (url.pathname.startsWith("/api/")) {
    parentPort.postMessage({ api: req.method + " " + url.pathname + url.search });
    const q = url.searchParams;
    const good = req.method === "GET" && url.pathname === "/api/payment-options" && q.get("country") === "SA"
      && q.get("currency") === "SAR" && q.get("items") === "TSHIRT-1:4" && !q.has("amount");
    if (good) return send(200, "application/json", options);
    return send(422, "application/json", '{"error":{"code":"invalid_cart","message":"bench: unexpected request"}}');
  }
  const file = normalize(join(root, "www", url.pathname));
  if (!file.startsWith(join(root, "www")) || !existsSync(file)) return send(404, "text/plain", "not found");
  asset(file);
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
