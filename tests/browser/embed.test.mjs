// The widget embedded on the merchant's own site (issue 17), in headless Debian Chromium across
// the real stack: the example merchant site (examples/merchant-site, scripts/merchant-site.mjs,
// with the CSP the README asks for) is served from one 127.0.0.1 origin, the Worker (wrangler
// dev) from another, the sandbox from a third. English and Arabic: the widget renders the
// options, the shopper pays on the sandbox's hosted page and comes back to the merchant's own
// confirmation page (which reads GET /api/orders/{id} cross-origin); decline and cancel come back
// to the merchant's cart page; a return page off the allowed origins is refused; the pinned
// snippet loads with its integrity attribute and a tampered copy is refused by the browser; a
// page that stays put follows the order through `tamara-order` events.
// Run: bash tests/browser/run.sh   (screenshots land in tests/artifacts/)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startMerchantSite } from "../../scripts/merchant-site.mjs";
import { ROOT, buildWidget, freePort, launch, shot, watch } from "./lib.mjs";

let stack;
let site;
let browser;

function stackSh(command, env) {
  const r = spawnSync("bash", ["scripts/stack.sh", command], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`scripts/stack.sh ${command} exited with ${r.status}`);
}

/** The stack on free ports, with the merchant site's origin (another port) in ALLOWED_ORIGINS. */
async function startEmbedStack() {
  const ports = new Set();
  while (ports.size < 3) ports.add(await freePort());
  const [sandboxPort, workerPort, merchantPort] = [...ports];
  const worker = `http://127.0.0.1:${workerPort}`;
  const merchant = `http://127.0.0.1:${merchantPort}`;
  const env = {
    SANDBOX_PORT: String(sandboxPort),
    WORKER_PORT: String(workerPort),
    ALLOWED_ORIGINS: `${worker},${merchant}`,
    STACK_DIR: mkdtempSync(join(tmpdir(), "tamara-embed-stack-")),
  };
  stackSh("start", env);
  return {
    worker,
    merchantPort,
    stop: () => {
      stackSh("stop", env);
      rmSync(env.STACK_DIR, { recursive: true, force: true });
    },
  };
}

before(async () => {
  buildWidget();
  stack = await startEmbedStack();
  site = await startMerchantSite({ worker: stack.worker, port: stack.merchantPort });
  assert.notEqual(new URL(site.url).origin, new URL(stack.worker).origin);
  browser = await launch();
}, { timeout: 600_000 });

after(async () => {
  await browser?.close();
  await site?.close();
  stack?.stop();
});

/** The merchant's basket page; collects console errors (CSP and CORS refusals show up there). */
async function basket(query) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  watch(page, "merchant");
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(`${site.url}/index.html?${query}`);
  return { context, page, errors };
}

const onMerchant = (page, path) => (url) => url.origin === site.url && url.pathname === path;

async function payAndReturn(lang, items, option, headline) {
  const { context, page, errors } = await basket(`lang=${lang}&items=${items}`);
  const choice = page.locator("tamara-checkout .tw-option", { hasText: option });
  await choice.waitFor();
  assert.equal(await page.getAttribute("html", "dir"), lang === "ar" ? "rtl" : "ltr");
  assert.equal(await page.locator("tamara-checkout .tw").getAttribute("dir"), lang === "ar" ? "rtl" : "ltr");
  await shot(page, `embed-basket-${lang}`);
  await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
  await page.waitForSelector("#pay");
  await Promise.all([page.waitForURL(onMerchant(page, "/thank-you.html")), page.click("#pay")]);
  const id = new URL(page.url()).searchParams.get("order_id");
  assert.ok(id, page.url());
  await page.locator("#order-status[data-status=authorised]").waitFor({ timeout: 30_000 });
  assert.equal(await page.locator("#headline").textContent(), headline);
  assert.equal(await page.locator("#order-id").textContent(), id);
  await shot(page, `embed-thank-you-${lang}`);
  assert.deepEqual(errors.filter((e) => /Content Security Policy|CORS|integrity/i.test(e)), []);
  await context.close();
}

describe("embedded on the merchant's own origin", () => {
  test("English: options → hosted checkout → pay → the merchant's confirmation page shows authorised", async () => {
    // 4 × 57.50 = 230.00, priced by the Worker.
    await payAndReturn("en", "TSHIRT-1:4", "4 interest-free payments of SAR\u00a057.50", "Thank you! Your order is confirmed.");
  });

  test("Arabic (RTL): options → hosted checkout → pay → the merchant's confirmation page shows authorised", async () => {
    await payAndReturn("ar", "DATES-1:2", "4 دفعات بدون فوائد", "شكرًا لك! تم تأكيد طلبك.");
  });

  test("declined (English) → the merchant's cart page with the reason", async () => {
    const { context, page } = await basket("lang=en&items=MUG-1:3");
    await page.locator("tamara-checkout .tw-option").first().waitFor();
    await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
    await page.fill("#phone", "526422337"); // the sandbox's decline number
    await Promise.all([page.waitForURL(onMerchant(page, "/cart.html")), page.click("#pay")]);
    assert.equal(new URL(page.url()).searchParams.get("reason"), "declined");
    await page.locator("#order-status[data-status=declined]").waitFor();
    assert.equal(await page.locator("#headline").textContent(), "Tamara declined this payment.");
    await shot(page, "embed-cart-declined-en");
    await context.close();
  });

  test("canceled (Arabic) → the merchant's cart page with the reason", async () => {
    const { context, page } = await basket("lang=ar&items=DATES-1:1");
    await page.locator("tamara-checkout .tw-option").first().waitFor();
    await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
    await page.waitForSelector("#cancel");
    await Promise.all([page.waitForURL(onMerchant(page, "/cart.html")), page.click("#cancel")]);
    const reason = new URL(page.url()).searchParams.get("reason");
    assert.ok(["canceled", "expired"].includes(reason), page.url());
    await page.locator("#order-status[data-status]").waitFor();
    const headline = { canceled: "لقد ألغيت الدفع.", expired: "انتهت صلاحية جلسة الدفع." }[reason];
    assert.equal(await page.locator("#headline").textContent(), headline);
    assert.equal(await page.getAttribute("html", "dir"), "rtl");
    await shot(page, "embed-cart-canceled-ar");
    await context.close();
  });

  test("a return page off the allowed origins is refused (400 return_url_not_allowed); the shopper stays", async () => {
    const { context, page } = await basket("lang=en&items=TSHIRT-1:1");
    await page.locator("tamara-checkout .tw-option").first().waitFor();
    await page.evaluate(() => {
      const el = document.querySelector("tamara-checkout");
      window.errorCode = new Promise((ok) => el.addEventListener("tamara-error", (e) => ok(e.detail.code)));
      const remounted = new Promise((ok) => el.addEventListener("tamara-ready", ok, { once: true }));
      el.returnUrls = { success: "https://evil.example/{order_id}" };
      return remounted;
    });
    await page.locator("tamara-checkout .tw-option").first().waitFor();
    await page.click("tamara-checkout .tw-btn");
    assert.equal(await page.evaluate(() => window.errorCode), "return_url_not_allowed");
    assert.equal(new URL(page.url()).origin, site.url, "still on the merchant's page");
    await page.locator("tamara-checkout .tw-alert").waitFor();
    await shot(page, "embed-return-url-refused-en");
    await context.close();

    // The same from any client: refused before Tamara, with the stable code.
    const body = {
      cart: { items: [{ sku: "TSHIRT-1", quantity: 1 }] },
      consumer: { first_name: "Mona", last_name: "Ali", phone_number: "544337866" },
      shipping_address: { first_name: "Mona", last_name: "Ali", line1: "King Fahd Rd", city: "Riyadh", country_code: "SA" },
      return_urls: { cancel: "http://127.0.0.1:1/cart" },
    };
    const r = await fetch(`${stack.worker}/api/checkout`, { method: "POST", headers: { "Content-Type": "application/json", Origin: site.url }, body: JSON.stringify(body) });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.code, "return_url_not_allowed");
  });

  test("the widget's files are public cross-origin; /api keeps its allow-list, /admin gets no CORS", async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "www/pkg/manifest.json"), "utf8"));
    for (const path of ["tamara-checkout.js", manifest.snippet, manifest.glue, manifest.wasm]) {
      const r = await fetch(`${stack.worker}/${path}`, { headers: { Origin: "https://any-shop.example" } });
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.get("access-control-allow-origin"), "*", path);
      assert.equal(r.headers.get("access-control-allow-credentials"), null, path);
      await r.arrayBuffer();
    }
    const api = await fetch(`${stack.worker}/api/catalog`, { headers: { Origin: "https://any-shop.example" } });
    assert.equal(api.headers.get("access-control-allow-origin"), null);
    await api.arrayBuffer();
    const ours = await fetch(`${stack.worker}/api/catalog`, { headers: { Origin: site.url } });
    assert.equal(ours.headers.get("access-control-allow-origin"), site.url);
    await ours.arrayBuffer();
    const admin = await fetch(`${stack.worker}/admin/orders`, { headers: { Origin: site.url } });
    assert.equal(admin.headers.get("access-control-allow-origin"), null);
    await admin.arrayBuffer();
  });

  test("the pinned snippet with its integrity attribute loads; a tampered copy is refused", async () => {
    const { snippet, integrity } = JSON.parse(readFileSync(join(ROOT, "www/pkg/manifest.json"), "utf8"));
    assert.match(snippet, /^tamara-checkout-[0-9a-f]{16}\.js$/);
    assert.match(integrity, /^sha384-[A-Za-z0-9+/]{64}$/);
    const pinned = await basket("lang=en&items=TSHIRT-1:4&pin=1");
    const tag = pinned.page.locator("script[integrity]");
    assert.equal(await tag.getAttribute("src"), `${stack.worker}/${snippet}`);
    assert.equal(await tag.getAttribute("integrity"), integrity);
    await pinned.page.locator("tamara-checkout .tw-option", { hasText: "4 interest-free payments of SAR\u00a057.50" }).waitFor();
    const loaded = await pinned.page.evaluate(() => performance.getEntriesByType("resource").map((r) => new URL(r.name).pathname));
    assert.ok(loaded.includes(`/${snippet}`) && !loaded.includes("/tamara-checkout.js"), loaded.join(" "));
    await shot(pinned.page, "embed-pinned-en");
    await pinned.context.close();

    // One byte changed on the way: the browser refuses to run it, so no widget.
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    let served = 0;
    await page.route(`${stack.worker}/${snippet}`, async (route) => {
      const response = await route.fetch();
      const text = await response.text();
      served++;
      await route.fulfill({ response, body: text.replace("Tamara", "Tamarb") });
    });
    await page.goto(`${site.url}/index.html?lang=en&items=TSHIRT-1:4&pin=1`);
    await page.waitForLoadState("load");
    await page.waitForTimeout(1500);
    assert.equal(served, 1, "the tampered snippet was served");
    assert.equal(await page.evaluate(() => customElements.get("tamara-checkout") === undefined), true);
    assert.equal(await page.locator("tamara-checkout .tw-option").count(), 0);
    assert.ok(errors.some((e) => /integrity/i.test(e)), `an integrity error in the console: ${errors.join(" | ")}`);
    await context.close();
  });

  test("a page that stays put: Tamara in a new tab, the order followed with tamara-order events", async () => {
    const { context, page } = await basket("lang=en&items=TSHIRT-1:2&popup=1");
    await page.locator("tamara-checkout .tw-option").first().waitFor();
    const [tab] = await Promise.all([context.waitForEvent("page"), page.click("tamara-checkout .tw-btn")]);
    await tab.waitForSelector("#pay");
    assert.equal(new URL(page.url()).origin, site.url, "the store page did not navigate");
    await page.locator("#live[data-status=new]").waitFor();
    await Promise.all([tab.waitForURL(onMerchant(tab, "/thank-you.html")), tab.click("#pay")]);
    await page.locator("#live[data-status=authorised]").waitFor({ timeout: 30_000 });
    await shot(page, "embed-same-page-en");
    await context.close();
  });
});
