// Security of the shipped pages in headless Debian Chromium across the real local stack:
// * the pages talk only to their own origin, whatever the URL says (`?worker=`, `#worker=`): the
//   POS page's admin token and the store's shopper details never leave it;
// * every page is served with a strict CSP (no inline script or style) and cannot be framed;
// * a merchant page on another origin, under the strict policy the READMEs document for
//   embedding the widget, shows Tamara and completes a checkout on the sandbox's hosted page
//   with no CSP violation.
// Run: bash tests/browser/run.sh
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { adminToken, buildWidget, freePort, launch, shot, startStack, watch } from "./lib.mjs";

let stack;
let browser;
let merchant; // { origin, server }

/** The policy a merchant adds to embed the widget from `worker` (README, widget README). */
export function merchantCsp(worker) {
  return [
    "default-src 'self'",
    `script-src 'self' ${worker} 'wasm-unsafe-eval'`,
    "style-src 'self'",
    `connect-src 'self' ${worker}`,
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

before(async () => {
  buildWidget();
  const merchantPort = await freePort();
  const merchantOrigin = `http://127.0.0.1:${merchantPort}`;
  stack = await startStack({
    ALLOWED_ORIGINS: (workerPort) => `http://127.0.0.1:${workerPort},http://localhost:${workerPort},${merchantOrigin}`,
  });
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Merchant</title>
<script type="module" src="${stack.worker}/tamara-checkout.js"></script>
</head><body><h1>A merchant's page</h1>
<tamara-checkout worker-url="${stack.worker}" country="SA" currency="SAR" lang="en"></tamara-checkout>
<script type="module" src="/merchant.js"></script></body></html>`;
  const script = `const el = document.querySelector("tamara-checkout");
el.cart = { items: [{ sku: "TSHIRT-1", quantity: 2 }] };
el.customer = { first_name: "Mona", last_name: "Ali", phone_number: "544337866", email: "mona@example.com" };
el.shippingAddress = { first_name: "Mona", last_name: "Ali", line1: "King Fahd Rd", city: "Riyadh", country_code: "SA" };
`;
  const server = createServer((req, res) => {
    const headers = { "Content-Security-Policy": merchantCsp(stack.worker), "Cache-Control": "no-store" };
    if (req.url === "/" || req.url.startsWith("/?")) {
      res.writeHead(200, { ...headers, "Content-Type": "text/html; charset=utf-8" }).end(page);
    } else if (req.url === "/merchant.js") {
      res.writeHead(200, { ...headers, "Content-Type": "text/javascript" }).end(script);
    } else {
      res.writeHead(404, headers).end();
    }
  });
  await new Promise((ok) => server.listen(merchantPort, "127.0.0.1", ok));
  merchant = { origin: merchantOrigin, server };
  browser = await launch();
}, { timeout: 600_000 });

after(async () => {
  await browser?.close();
  merchant?.server.close();
  stack?.stop();
});

/** A context that records every request and refuses any to evil.example. */
async function recordingContext() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const requests = [];
  context.on("request", (r) => requests.push({ url: r.url(), method: r.method(), headers: r.headers(), nav: r.isNavigationRequest() }));
  await context.route((url) => url.hostname.endsWith("evil.example"), (route) => route.abort());
  return { context, requests };
}

const origin = (u) => new URL(u).origin;

describe("pages talk only to their own origin", () => {
  for (const trick of ["?worker=https://evil.example&lang=en", "?lang=en#worker=https://evil.example", "?worker=//evil.example&api=https://evil.example&lang=en"]) {
    test(`POS page ${trick}: the admin token goes nowhere but the page's origin`, async () => {
      const { context, requests } = await recordingContext();
      const pos = await context.newPage();
      watch(pos, "pos-evil");
      await pos.goto(`${stack.worker}/pos.html${trick}`);
      await pos.fill("#token", adminToken());
      await pos.click("#signin-button");
      await pos.fill("#phone", "544337866");
      await pos.click("#verify");
      await pos.locator("#verify-result.status").waitFor();
      await pos.fill("#amount", "12.00");
      await pos.click("#send");
      await pos.locator("#live-status[data-status]").waitFor();
      const admin = requests.filter((r) => new URL(r.url).pathname.startsWith("/admin/"));
      assert.ok(admin.length >= 2, `admin calls made: ${JSON.stringify(admin.map((r) => r.url))}`);
      const foreign = requests.filter((r) => origin(r.url) !== stack.worker);
      assert.deepEqual(foreign.map((r) => r.url), [], "requests left the page's origin");
      const withToken = requests.filter((r) => JSON.stringify(r.headers).includes(adminToken()));
      assert.ok(withToken.length >= 2);
      assert.ok(withToken.every((r) => origin(r.url) === stack.worker));
      await context.close();
    });
  }

  for (const trick of ["?worker=https://evil.example&lang=en", "?lang=en#worker=https://evil.example"]) {
    test(`store ${trick}: the checkout (shopper's details) goes to the page's origin; the widget follows the Worker's checkout_url`, async () => {
      const { context, requests } = await recordingContext();
      const page = await context.newPage();
      watch(page, "store-evil");
      await page.goto(`${stack.worker}/${trick}`);
      await page.waitForSelector('button[data-sku="TSHIRT-1"]');
      await page.click('button[data-sku="TSHIRT-1"]');
      await page.locator("tamara-checkout .tw-option").first().waitFor();
      await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
      assert.equal(origin(page.url()), stack.sandbox, "landed on the sandbox's hosted page");
      const checkout = requests.filter((r) => r.method === "POST" && r.url.endsWith("/api/checkout"));
      assert.equal(checkout.length, 1);
      assert.equal(origin(checkout[0].url), stack.worker);
      // Everything before the hosted page: the page's own origin only.
      const navAt = requests.findIndex((r) => r.nav && origin(r.url) === stack.sandbox);
      const before = requests.slice(0, navAt);
      assert.deepEqual(before.filter((r) => origin(r.url) !== stack.worker).map((r) => r.url), []);
      assert.deepEqual(requests.filter((r) => new URL(r.url).hostname.endsWith("evil.example")).map((r) => r.url), []);
      await context.close();
    });
  }
});

describe("security headers and CSP", () => {
  test("every page: strict CSP (no 'unsafe-inline'), not frameable, nosniff, no referrer; no inline script or style", async () => {
    for (const path of ["/", "/index.html", "/pos.html", "/cart.html", "/thank-you.html", "/app.js", "/tamara-checkout.js"]) {
      const r = await fetch(`${stack.worker}${path}`);
      assert.equal(r.status, 200, path);
      const csp = r.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, path);
      assert.match(csp, /style-src 'self'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.ok(!csp.includes("unsafe-inline") && !csp.includes("'unsafe-eval'"), `${path}: ${csp}`);
      assert.equal(r.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(r.headers.get("referrer-policy"), "no-referrer", path);
      const body = await r.text();
      if (path.endsWith(".html") || path === "/") {
        assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(body), `${path}: inline <script>`);
        assert.ok(!/\sstyle=/i.test(body) && !/<style/i.test(body), `${path}: inline style`);
        assert.ok(!/\son[a-z]+=/i.test(body), `${path}: inline event handler`);
      }
    }
    // The Worker's own HTML answer (unknown order on the return URL) has its own policy.
    const r = await fetch(`${stack.worker}/tamara/success?orderId=nope`);
    assert.equal(r.status, 404);
    assert.match(r.headers.get("content-security-policy") ?? "", /default-src 'none'.*frame-ancestors 'none'/);
  });

  test("the pages run under their CSP with no violation, and pos.html cannot be framed", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations = [];
    page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    for (const path of ["/index.html?lang=en", "/pos.html?lang=en", "/cart.html?order_id=x&reason=declined", "/thank-you.html?order_id=x"]) {
      await page.goto(`${stack.worker}${path}`);
      await page.waitForLoadState("networkidle");
    }
    await page.goto(`${stack.worker}/index.html?lang=en`);
    await page.click('button[data-sku="TSHIRT-1"]');
    await page.locator("tamara-checkout .tw-option").first().waitFor();
    assert.deepEqual(violations, []);
    // A page elsewhere frames the POS page: the frame stays empty.
    await page.goto("about:blank");
    await page.setContent(`<iframe id="f" src="${stack.worker}/pos.html"></iframe>`);
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f.url().includes("/pos.html"));
    const framed = frame ? await frame.evaluate(() => document.querySelector("#token") !== null).catch(() => false) : false;
    assert.equal(framed, false, "pos.html rendered inside a frame");
    await context.close();
  });

  test("a merchant page under the documented strict CSP embeds the widget and completes a checkout", { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    watch(page, "merchant");
    const violations = [];
    page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    const response = await page.goto(`${merchant.origin}/`);
    const csp = response.headers()["content-security-policy"];
    assert.ok(csp.includes("'wasm-unsafe-eval'") && !csp.includes("unsafe-inline"), csp);
    const option = page.locator("tamara-checkout .tw-option", { hasText: "SAR\u00a0115.00" });
    await option.first().waitFor();
    await shot(page, "merchant-strict-csp");
    await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
    assert.equal(new URL(page.url()).origin, stack.sandbox);
    await page.waitForSelector("#pay");
    await Promise.all([page.waitForURL(/thank-you(\.html)?\?order_id=/), page.click("#pay")]);
    await page.locator("#order-status[data-status=authorised]").waitFor({ timeout: 30_000 });
    assert.deepEqual(violations, []);
    await context.close();
  });
});
