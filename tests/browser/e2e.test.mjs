// End-to-end across the real local stack (sandbox + Worker in wrangler dev) in headless Debian
// Chromium: storefront → <tamara-checkout> → sandbox hosted checkout → redirect → thank-you /
// cart pages, and the cashier's POS page → SMS link → pay → fully_captured.
// Run: bash tests/browser/run.sh   (screenshots land in tests/artifacts/)
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { adminToken, buildWidget, launch, shot, startStack, watch } from "./lib.mjs";

let stack;
let browser;

before(async () => {
  buildWidget();
  stack = await startStack();
  browser = await launch();
}, { timeout: 600_000 });

after(async () => {
  await browser?.close();
  stack?.stop();
});

/** Opens the storefront in `lang`, puts `count` × `sku` in the cart, waits for the widget. */
async function storefront(lang, sku, count, phone) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  watch(page, `store-${lang}`);
  await page.goto(`${stack.worker}/index.html?lang=${lang}`);
  await page.waitForSelector(`button[data-sku="${sku}"]`);
  if (phone) {
    await page.fill("input[name=phone_number]", phone);
    await page.locator("input[name=phone_number]").dispatchEvent("change");
  }
  for (let i = 0; i < count; i++) await page.click(`button[data-sku="${sku}"]`);
  return { context, page };
}

describe("storefront checkout", () => {
  test("the snippet's formatMoney prints what this browser's Intl.NumberFormat prints", async () => {
    const { context, page } = await storefront("en", "TSHIRT-1", 1);
    const mismatches = await page.evaluate(async () => {
      const { formatMoney } = await import("/tamara-checkout.js");
      const countries = { SA: "SAR", AE: "AED", QA: "QAR", KW: "KWD", BH: "BHD", OM: "OMR" };
      const out = [];
      for (const [country, currency] of Object.entries(countries)) {
        const digits = ["KWD", "BHD", "OMR"].includes(currency) ? 3 : 2;
        for (const lang of ["en", "ar"]) {
          const locale = lang === "ar" ? `ar-${country}-u-nu-latn` : `en-${country}`;
          const intl = new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
          for (const amount of ["0", "0.5", "57.50", "999.999", "1000", "1234567.125"]) {
            if ((amount.split(".")[1] ?? "").length > digits) continue;
            const got = formatMoney({ amount, currency }, lang, country);
            const want = intl.format(amount);
            if (got !== want) out.push({ locale, amount, got, want });
          }
        }
      }
      return out;
    });
    assert.deepEqual(mismatches, []);
    await context.close();
  });

  test("the Worker serves the widget cacheable: a second page load fetches only the payment options", async () => {
    // Headers as www/_headers sets them (wrangler dev applies it as Cloudflare does).
    const snippet = await fetch(`${stack.worker}/tamara-checkout.js`);
    assert.equal(snippet.status, 200);
    assert.equal(snippet.headers.get("cache-control"), "public, max-age=300");
    const source = await snippet.text();
    const names = [...source.matchAll(/\.\/pkg\/(tamara_widget(?:_bg)?-[0-9a-f]{16}\.(?:js|wasm))/g)].map((m) => m[1]);
    assert.equal(new Set(names).size, 2, `versioned glue and wasm named in the snippet: ${names}`);
    for (const name of names) {
      const r = await fetch(`${stack.worker}/pkg/${name}`);
      assert.equal(r.status, 200, name);
      assert.equal(r.headers.get("cache-control"), "public, max-age=31536000, immutable", name);
      assert.ok(r.headers.get("etag"), name);
      await r.arrayBuffer();
    }
    const stale = await fetch(`${stack.worker}/pkg/tamara_widget_bg-0000000000000000.wasm`);
    assert.equal(stale.status, 404);
    await stale.arrayBuffer();
    assert.ok(!(await fetch(`${stack.worker}/_headers`).then((r) => r.ok)), "_headers itself is not served");

    // In the browser: the second visit to the store loads the widget without asking the network
    // for the snippet, the glue or the wasm.
    const { context, page } = await storefront("en", "TSHIRT-1", 1);
    await page.locator("tamara-checkout .tw-option").first().waitFor();
    await page.goto(`${stack.worker}/index.html?lang=en&visit=2`);
    await page.click('button[data-sku="TSHIRT-1"]');
    await page.locator("tamara-checkout .tw-option").first().waitFor();
    // Resource Timing: transferSize 0 = served from the browser's cache (a 304 would count its
    // headers). The snippet, the glue and the wasm must all be there, all from the cache.
    const loads = await page.evaluate(() =>
      performance.getEntriesByType("resource")
        .map((r) => ({ path: new URL(r.name).pathname, transferSize: r.transferSize }))
        .filter((r) => r.path === "/tamara-checkout.js" || r.path.startsWith("/pkg/")),
    );
    assert.deepEqual(loads.map((r) => r.path).sort(), ["/tamara-checkout.js", ...names.map((n) => `/pkg/${n}`)].sort());
    assert.deepEqual(loads.filter((r) => r.transferSize !== 0), [], "widget files fetched again from the network");
    await context.close();
  });

  test("English: widget → hosted checkout → pay → thank-you shows the order authorised", async () => {
    const { context, page } = await storefront("en", "TSHIRT-1", 4);
    // 4 × 57.50 = 230.00 → "4 interest-free payments of SAR 57.50" (priced by the Worker).
    const option = page.locator("tamara-checkout .tw-option", { hasText: "4 interest-free payments of SAR\u00a057.50" });
    await option.waitFor();
    assert.equal(await page.locator("tamara-checkout .tw").getAttribute("dir"), "ltr");
    assert.equal(await page.locator("tamara-checkout .tw").getAttribute("data-state"), "ready");
    await shot(page, "storefront-en");

    // Keyboard: pick the 4-instalment option with the keyboard, Tab to the button, Enter.
    await option.locator("input[type=radio]").focus();
    await page.keyboard.press("Space");
    assert.equal(await option.locator("input[type=radio]").isChecked(), true);
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.querySelector("tamara-checkout").shadowRoot.activeElement?.className);
    assert.equal(focused, "tw-btn");
    await Promise.all([page.waitForURL(/\/checkout\//), page.keyboard.press("Enter")]);

    // Sandbox hosted checkout (Tamara's page).
    await page.waitForSelector("#pay");
    await shot(page, "hosted-checkout-en");
    await Promise.all([page.waitForURL(/thank-you(\.html)?\?order_id=/), page.click("#pay")]);
    const status = page.locator("#order-status[data-status=authorised]");
    await status.waitFor({ timeout: 30_000 });
    assert.match(await page.locator("#headline").textContent(), /Your order is confirmed/);
    assert.equal(await page.locator("#order-total").textContent(), "SAR\u00a0230.00");
    await shot(page, "thank-you-en");
    await page.click(".lang button[data-lang=ar]");
    assert.equal(await page.getAttribute("html", "dir"), "rtl");
    assert.equal(await page.locator("#headline").textContent(), "شكرًا لك! تم تأكيد طلبك.");
    await shot(page, "thank-you-ar");
    await context.close();
  });

  test("Arabic (RTL): cancel on the hosted page → cart page says why", async () => {
    const { context, page } = await storefront("ar", "DATES-1", 2);
    const option = page.locator("tamara-checkout .tw-option", { hasText: "4 دفعات بدون فوائد" });
    await option.waitFor();
    assert.equal(await page.getAttribute("html", "dir"), "rtl");
    assert.equal(await page.locator("tamara-checkout .tw").getAttribute("dir"), "rtl");
    assert.equal(await page.locator("tamara-checkout .tw-title").textContent(), "ادفع مع تمارا");
    await shot(page, "storefront-ar");
    await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
    await page.waitForSelector("#cancel");
    await shot(page, "hosted-checkout-ar");
    // The Worker picks the reason from Tamara's order status: the sandbox reports a checkout the
    // shopper canceled as `canceled` or `expired`.
    await Promise.all([page.waitForURL(/cart(\.html)?\?order_id=.*reason=(canceled|expired)/), page.click("#cancel")]);
    await page.locator("#order-status[data-status]").waitFor();
    const reason = new URL(page.url()).searchParams.get("reason");
    const headline = { canceled: "لقد ألغيت الدفع.", expired: "انتهت صلاحية جلسة الدفع." }[reason];
    assert.equal(await page.locator("#headline").textContent(), headline);
    assert.equal(await page.getAttribute("html", "dir"), "rtl");
    await shot(page, "cart-canceled-ar");
    await context.close();
  });

  test("declined payment → cart page with the reason (English)", async () => {
    const { context, page } = await storefront("en", "MUG-1", 3);
    await page.locator("tamara-checkout .tw-option").first().waitFor();
    await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
    await page.fill("#phone", "526422337"); // the sandbox's documented decline number
    await Promise.all([page.waitForURL(/cart(\.html)?\?order_id=.*reason=declined/), page.click("#pay")]);
    await page.locator("#order-status[data-status]").waitFor();
    assert.equal(await page.locator("#headline").textContent(), "Tamara declined this payment.");
    await shot(page, "cart-declined-en");
    await context.close();
  });

  test("unavailable: a cart above Tamara's limit says why", async () => {
    const { context, page } = await storefront("en", "WATCH-1", 9);
    const widget = page.locator("tamara-checkout .tw[data-state=unavailable]");
    await widget.waitFor();
    assert.match(await page.locator("tamara-checkout .tw-status").textContent(), /Tamara isn't available for this order: /);
    await shot(page, "storefront-unavailable-en");
    await context.close();
  });
});

describe("POS (in-store)", () => {
  test("send link → pay from the SMS → POS shows fully_captured → refund", { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
    const pos = await context.newPage();
    watch(pos, "pos");
    await pos.goto(`${stack.worker}/pos.html?lang=en`);
    await pos.fill("#token", adminToken());
    await pos.click("#signin-button");
    assert.match(await pos.locator("#signin-state").textContent(), /Token set/);
    // The token is typed in, never part of the page's source.
    const source = await (await context.request.get(`${stack.worker}/pos.html`)).text();
    assert.ok(!source.includes(adminToken()));

    await pos.fill("#phone", "544337866");
    await pos.click("#verify");
    await pos.locator("#verify-result.status").waitFor();
    await pos.fill("#amount", "230.00");
    await pos.click("#send");
    await pos.locator("#live-status[data-status]").waitFor();
    const orderId = await pos.locator("#live-order").textContent();
    assert.ok(orderId && orderId !== "—");
    await shot(pos, "pos-link-sent-en");

    // The customer's SMS (sandbox outbox) → the in-store pay page.
    const sms = await (await context.request.get(`${stack.sandbox}/_sandbox/sms`)).json();
    const message = sms.find((m) => m.order_id === orderId);
    assert.ok(message, `no SMS for ${orderId}: ${JSON.stringify(sms)}`);
    const phone = await context.newPage();
    await phone.goto(message.link);
    await phone.waitForSelector("#pay");
    await shot(phone, "instore-pay-page");
    await phone.click("#pay");
    await phone.waitForLoadState();
    await shot(phone, "instore-paid");

    // The POS polls every 5 s.
    await pos.locator("#live-status[data-status=fully_captured]").waitFor({ timeout: 30_000 });
    await shot(pos, "pos-paid-en");

    await pos.fill("#refund-amount", "30.00");
    await pos.click("#refund-button");
    await pos.locator("#refund-result.status.ok").waitFor();
    assert.match(await pos.locator("#refund-result").textContent(), /Refunded SAR\u00a030\.00/);
    await pos.click(".lang button[data-lang=ar]");
    assert.equal(await pos.getAttribute("html", "dir"), "rtl");
    await shot(pos, "pos-refunded-ar");
    await context.close();
  });

  test("void an unpaid link", async () => {
    const context = await browser.newContext();
    const pos = await context.newPage();
    await pos.goto(`${stack.worker}/pos.html?lang=en`);
    await pos.fill("#token", adminToken());
    await pos.click("#signin-button");
    await pos.fill("#amount", "99.00");
    await pos.click("#send");
    await pos.locator("#live-status[data-status]").waitFor();
    await pos.click("#void");
    await pos.locator("#live-poll", { hasText: /Link voided|could not be voided/ }).waitFor();
    assert.match(await pos.locator("#live-poll").textContent(), /Link voided/);
    await context.close();
  });
});
