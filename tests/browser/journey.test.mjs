// The shopper's and the cashier's journey on every screen (issue 18), in real Chromium at phone
// (390 px, also 360 px) and desktop (1280 px) widths, in English and Arabic: the chosen plan end
// to end, no sideways scroll, words that say what happened, the cart after payment, one quantity
// limit, POS `hidden`, Arabic on the sandbox's pages, the SMS outbox, radio names; axe-core on
// every page. Screenshots: tests/artifacts/journey-*.png.
// Run: bash tests/browser/run.sh tests/browser/journey.test.mjs   (or all of tests/browser)
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, adminToken, buildWidget, launch, shot, startStack, watch } from "./lib.mjs";

const AXE = join(ROOT, "node_modules/axe-core/axe.min.js");
const WIDTHS = { phone: 390, desktop: 1280 };
/** Every language × width pair. */
const ALL = [["en", 1280], ["en", 390], ["ar", 1280], ["ar", 390]];

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

/** A page of its own at `width` (CSP bypassed only so axe-core can be injected). */
async function open(width, label) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  watch(page, label);
  return { context, page };
}

/** No sideways scroll: the document is no wider than the viewport. */
async function fits(page, what) {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    inner: window.innerWidth,
  }));
  assert.ok(scroll <= inner, `${what}: ${scroll} px wide in a ${inner} px viewport`);
}

/** axe-core (pinned in package.json) on the whole page, open shadow roots included: 0 violations. */
async function axe(page, what) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) }));
  });
  assert.deepEqual(violations, [], `${what}: axe violations ${JSON.stringify(violations)}`);
}

/** Screenshot, no sideways scroll, no axe violation. */
async function check(page, name) {
  await shot(page, `journey-${name}`);
  await fits(page, name);
  await axe(page, name);
}

/** The storefront in `lang` with `lines` ([sku, qty]) in its cart, the widget ready or settled. */
async function store(lang, width, lines, { phone } = {}) {
  const { context, page } = await open(width, `store-${lang}-${width}`);
  await page.goto(`${stack.worker}/index.html?lang=${lang}`);
  await page.waitForSelector("button[data-sku]");
  if (phone !== undefined) {
    await page.fill("input[name=phone_number]", phone);
    await page.locator("input[name=phone_number]").dispatchEvent("change");
  }
  for (const [sku, count] of lines) for (let i = 0; i < count; i++) await page.click(`button[data-sku="${sku}"]`);
  await page.locator("tamara-checkout .tw:not([data-state=loading]):not([data-state=idle])").waitFor();
  return { context, page };
}

/** The sandbox's view of an order (its control API, JSON). */
async function sandboxOrder(orderId) {
  const all = await (await fetch(`${stack.sandbox}/_sandbox/orders`)).json();
  return all.find((o) => o.order_id === orderId);
}

/** The order id in the hosted checkout page's URL. */
const orderIdOf = (url) => new URL(url).searchParams.get("orderId");

/** A checkout created through the Worker's API (no browser): {order_id, checkout_url}. */
async function apiCheckout(items, locale = "en_US", plan = {}) {
  const r = await fetch(`${stack.worker}/api/checkout`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      cart: { items: items.map(([sku, quantity]) => ({ sku, quantity })) },
      consumer: { first_name: "Mona", last_name: "Ali", phone_number: "544337866", email: "mona@example.com" },
      shipping_address: { first_name: "Mona", last_name: "Ali", line1: "King Fahd Rd", city: "Riyadh", country_code: "SA" },
      locale, country: "SA", ...plan,
    }),
  });
  assert.equal(r.status, 201, await r.clone().text());
  return r.json();
}

/** An in-store payment link sent through the Worker's admin API: {order_id, …}. */
async function inStoreLink(amount = "99.00", locale = "en_US") {
  const r = await fetch(`${stack.worker}/admin/in-store`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminToken()}` },
    body: JSON.stringify({ phone_number: "544337866", amount, locale }),
  });
  assert.ok(r.ok, await r.clone().text());
  const created = await r.json();
  const sms = await (await fetch(`${stack.sandbox}/_sandbox/sms`, { headers: { Accept: "application/json" } })).json();
  const message = sms.find((m) => m.order_id === created.order_id);
  assert.ok(message, `no SMS for ${created.order_id}`);
  return { ...created, link: message.link };
}

describe("1. the plan the shopper picks is the plan Tamara gets", () => {
  // 4 × T-shirt = 230.00 SAR: 3 or 4 instalments or in full; 3 watches = 3,897.00 SAR: 4 or in full.
  const cases = [
    { lang: "en", width: 1280, lines: [["TSHIRT-1", 4]], pick: { en: "3 interest-free payments" }, want: ["PAY_BY_INSTALMENTS", 3] },
    { lang: "ar", width: 390, lines: [["TSHIRT-1", 4]], pick: { ar: "4 دفعات بدون فوائد" }, want: ["PAY_BY_INSTALMENTS", 4] },
    { lang: "en", width: 390, lines: [["TSHIRT-1", 4]], pick: { en: "in full" }, want: ["PAY_NOW", 1] },
    { lang: "ar", width: 1280, lines: [["WATCH-1", 3]], pick: { ar: "4 دفعات بدون فوائد" }, want: ["PAY_BY_INSTALMENTS", 4] },
    { lang: "en", width: 1280, lines: [["WATCH-1", 3]], pick: { en: "in full" }, want: ["PAY_NOW", 1] },
  ];
  for (const c of cases) {
    test(`${c.lines[0][1]} × ${c.lines[0][0]}, ${c.want.join(" ")} (${c.lang}, ${c.width} px)`, async () => {
      const { context, page } = await store(c.lang, c.width, c.lines);
      const offered = await page.locator("tamara-checkout .tw-option").count();
      assert.equal(offered, c.lines[0][0] === "WATCH-1" ? 2 : 3, "options offered");
      const option = page.locator("tamara-checkout .tw-option", { hasText: c.pick[c.lang] });
      await option.locator("input[type=radio]").check();
      await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
      await page.waitForSelector("#plan-summary");
      const [type, n] = c.want;
      // The hosted page shows the chosen plan …
      assert.equal(await page.locator("#plan tr.instalment").count(), n, await page.locator("#plan-summary").textContent());
      const summary = await page.locator("#plan-summary").textContent();
      if (n === 1) assert.match(summary, c.lang === "ar" ? /كاملًا/ : /Pay in full/);
      else assert.match(summary, new RegExp(c.lang === "ar" ? `^${n} دفعات` : `^${n} payments`));
      // … and Tamara's order carries it.
      const order = await sandboxOrder(orderIdOf(page.url()));
      assert.equal(order.payment_type, type);
      assert.equal(order.instalments ?? 1, n);
      await context.close();
    });
  }

  test("a plan the Worker did not offer is refused (422 plan_not_available)", async () => {
    const r = await fetch(`${stack.worker}/api/checkout`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        cart: { items: [{ sku: "WATCH-1", quantity: 3 }] },
        consumer: { first_name: "Mona", last_name: "Ali", phone_number: "544337866" },
        shipping_address: { first_name: "Mona", last_name: "Ali", line1: "King Fahd Rd", city: "Riyadh", country_code: "SA" },
        payment_type: "PAY_BY_INSTALMENTS", instalments: 3,
      }),
    });
    assert.equal(r.status, 422);
    assert.equal((await r.json()).error.code, "plan_not_available");
  });
});

describe("2. every page fits a phone; 3. words; 7/8. sandbox pages; axe on all of them", () => {
  test("store, cart, thank-you, POS, hosted checkout, in-store pay page, SMS outbox: 360/390/1280 px, en/ar, no sideways scroll, 0 axe violations", { timeout: 300_000 }, async () => {
    // A paid order (approved at the sandbox; its webhook makes the Worker authorise it) and one
    // the shopper canceled (the sandbox records that as expired).
    const paid = await apiCheckout([["TSHIRT-1", 2]]);
    const canceled = await apiCheckout([["DATES-1", 1]]);
    for (const [order, event] of [[paid, "approve"], [canceled, "expire"]]) {
      const r = await fetch(`${stack.sandbox}/_sandbox/orders/${order.order_id}/trigger`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ event }),
      });
      assert.ok(r.ok, await r.text());
    }
    const pending = await apiCheckout([["WATCH-1", 3], ["DATES-1", 1]], "ar_SA", { payment_type: "PAY_BY_INSTALMENTS", instalments: 4 });
    const link = await inStoreLink("1234.50");
    for (const lang of ["en", "ar"]) {
      for (const width of [360, 390, 1280]) {
        const tag = `${lang}-${width}`;
        const { context, page } = await open(width, tag);
        // Store with a cart: subtotals, total and the widget all inside the screen.
        await page.goto(`${stack.worker}/index.html?lang=${lang}`);
        await page.waitForSelector("button[data-sku]");
        for (const sku of ["WATCH-1", "WATCH-1", "MUG-1"]) await page.click(`button[data-sku="${sku}"]`);
        await page.locator("tamara-checkout .tw[data-state=ready]").waitFor();
        await check(page, `store-${tag}`);
        // The widget's edge is on screen.
        const box = await page.locator("tamara-checkout").boundingBox();
        assert.ok(box.x >= 0 && box.x + box.width <= width, `widget ${JSON.stringify(box)} in ${width}`);
        await page.goto(`${stack.worker}/cart.html?lang=${lang}&order_id=${canceled.order_id}&reason=canceled`);
        await page.locator("#order-status[data-status]").waitFor();
        assert.equal(await page.locator("#order-status").textContent(), lang === "en" ? "Canceled" : "ملغي");
        await check(page, `cart-${tag}`);
        await page.goto(`${stack.worker}/thank-you.html?lang=${lang}&order_id=${paid.order_id}`);
        await page.locator("#order-status[data-status=authorised]").waitFor({ timeout: 30_000 });
        await check(page, `thank-you-${tag}`);
        await page.goto(`${stack.worker}/pos.html?lang=${lang}`);
        await page.waitForSelector("#token");
        await check(page, `pos-${tag}`);
        // POS language buttons: stacked at phone width, side by side on a desktop.
        const [en, ar] = await Promise.all(["en", "ar"].map((l) => page.locator(`.lang button[data-lang=${l}]`).boundingBox()));
        if (width <= 390) assert.ok(ar.y >= en.y + en.height - 1, `stacked: ${JSON.stringify([en, ar])}`);
        else assert.equal(Math.round(ar.y), Math.round(en.y));
        // The sandbox's hosted pages and the SMS outbox.
        const locale = lang === "ar" ? "ar_SA" : "en_US";
        await page.goto(`${pending.checkout_url.split("?")[0]}?locale=${locale}`);
        await page.waitForSelector("#pay");
        await check(page, `hosted-checkout-${tag}`);
        await page.goto(`${link.link}${link.link.includes("?") ? "&" : "?"}locale=${locale}`);
        await page.waitForSelector("#pay");
        await check(page, `instore-pay-${tag}`);
        await page.goto(`${stack.sandbox}/_sandbox/sms?lang=${lang}`);
        await page.waitForSelector("#sms-list a");
        await check(page, `sms-outbox-${tag}`);
        await context.close();
      }
    }
  });
});

describe("3. words that say what happened, in both languages", () => {
  for (const [lang, width] of ALL) {
    test(`over the limit, a bad phone, an empty city (${lang}, ${width} px)`, async () => {
      // 8 watches = 10,392.00 SAR, with a phone: the amount is the reason, not the customer.
      const { context, page } = await store(lang, width, [["WATCH-1", 8]], { phone: "544337866" });
      await page.locator("tamara-checkout .tw[data-state=unavailable]").waitFor();
      const status = await page.locator("tamara-checkout .tw-status").textContent();
      if (lang === "en") assert.match(status, /above Tamara's limit/);
      else assert.match(status, /أعلى من الحد الأقصى لتمارا/);
      assert.doesNotMatch(status, /customer|العميل/);
      assert.ok(!status.replace(/\u200f/g, "").includes(".."), `double period: ${status}`);
      await check(page, `over-limit-${lang}-${width}`);
      // Back under the limit, then a phone the Worker refuses (422).
      await page.evaluate(() => { sessionStorage.setItem("demo-cart", JSON.stringify([["MUG-1", 2]])); });
      await page.reload();
      await page.locator("tamara-checkout .tw[data-state=ready]").waitFor();
      await page.fill("input[name=phone_number]", "12");
      await page.locator("input[name=phone_number]").dispatchEvent("change");
      const alert = page.locator("tamara-checkout .tw-alert");
      await page.locator("tamara-checkout .tw[data-state=error]").waitFor();
      assert.equal(await alert.textContent(), lang === "en"
        ? "The phone number is not valid. Please check it and try again."
        : "رقم الجوال غير صالح. يرجى التحقق منه والمحاولة مرة أخرى.");
      await check(page, `bad-phone-${lang}-${width}`);
      // A good phone, an empty city: the field in words, never a JSON path.
      await page.fill("input[name=phone_number]", "544337866");
      await page.fill("input[name=city]", "");
      await page.locator("input[name=city]").dispatchEvent("change");
      await page.locator("input[name=phone_number]").dispatchEvent("change");
      await page.click("tamara-checkout .tw-btn"); // "Try again" reloads the options
      await page.locator("tamara-checkout .tw[data-state=ready]").waitFor();
      await page.click("tamara-checkout .tw-btn");
      await page.waitForFunction(() => document.querySelector("tamara-checkout").shadowRoot.querySelector(".tw-alert").textContent !== "");
      const missing = await alert.textContent();
      assert.equal(missing, lang === "en"
        ? "Please complete your details before paying with Tamara: city."
        : "يرجى إكمال بياناتك قبل الدفع عبر تمارا: المدينة.");
      assert.doesNotMatch(missing, /shipping_address|_/);
      await context.close();
    });
  }

  for (const [lang, width] of [["en", 390], ["ar", 1280]]) {
    test(`cancel on the hosted page shows canceled, not expired (${lang}, ${width} px)`, async () => {
      const { context, page } = await store(lang, width, [["DATES-1", 2]]);
      await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
      await Promise.all([page.waitForURL(/cart(\.html)?\?order_id=.*reason=canceled/), page.click("#cancel")]);
      await page.locator("#order-status[data-status]").waitFor();
      assert.equal(await page.locator("#order-status").textContent(), lang === "en" ? "Canceled" : "ملغي");
      assert.equal(await page.locator("#headline").textContent(), lang === "en" ? "You canceled the payment." : "لقد ألغيت الدفع.");
      await context.close();
    });

    test(`a voided in-store link says the store cancelled it (${lang}, ${width} px)`, async () => {
      const link = await inStoreLink("99.00", lang === "ar" ? "ar_SA" : "en_US");
      const v = await fetch(`${stack.worker}/admin/in-store/${link.order_id}/void`, {
        method: "POST", headers: { Authorization: `Bearer ${adminToken()}` },
      });
      assert.ok(v.ok, await v.text());
      const { context, page } = await open(width, `voided-${lang}`);
      await page.goto(`${link.link}${link.link.includes("?") ? "&" : "?"}locale=${lang === "ar" ? "ar_SA" : "en_US"}`);
      const text = await page.locator("main").textContent();
      if (lang === "en") assert.match(text, /The store cancelled this payment link\./);
      else assert.match(text, /ألغى المتجر رابط الدفع هذا\./);
      assert.doesNotMatch(text, /status: canceled|already completed/i);
      await check(page, `instore-voided-${lang}-${width}`);
      await context.close();
    });
  }
});

describe("4. the cart after the payment", () => {
  test("paid (en, 390 px): the cart is empty when the shopper continues shopping", async () => {
    const { context, page } = await store("en", WIDTHS.phone, [["TSHIRT-1", 4]]);
    await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
    await Promise.all([page.waitForURL(/thank-you(\.html)?\?order_id=/), page.click("#pay")]);
    await page.locator("#order-status[data-status=authorised]").waitFor({ timeout: 30_000 });
    await page.goto(`${stack.worker}/index.html?lang=en`);
    await page.waitForSelector("button[data-sku]");
    assert.equal(await page.locator("#cart-empty").isVisible(), true);
    assert.equal(await page.locator("#cart-lines tr").count(), 0);
    await context.close();
  });

  test("declined (ar, 1280 px): the cart is kept", async () => {
    const { context, page } = await store("ar", WIDTHS.desktop, [["MUG-1", 3]]);
    await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
    await page.fill("#phone", "526422337");
    await Promise.all([page.waitForURL(/cart(\.html)?\?order_id=.*reason=declined/), page.click("#pay")]);
    await page.locator("#order-status[data-status]").waitFor();
    await page.goto(`${stack.worker}/index.html?lang=ar`);
    await page.waitForSelector("#cart-lines tr");
    assert.equal(await page.locator("#cart-lines tr").count(), 1);
    await context.close();
  });
});

describe("5. one quantity limit, stated by the Worker", () => {
  for (const [lang, width] of [["en", 1280], ["ar", 390]]) {
    test(`the store stops at the Worker's max_quantity (${lang}, ${width} px)`, async () => {
      const catalog = await (await fetch(`${stack.worker}/api/catalog`)).json();
      assert.equal(catalog.max_quantity, 99);
      const { context, page } = await open(width, `qty-${lang}`);
      await page.goto(`${stack.worker}/index.html?lang=${lang}`);
      await page.evaluate(() => sessionStorage.setItem("demo-cart", JSON.stringify([["MUG-1", 98]])));
      await page.reload();
      await page.waitForSelector("#cart-lines tr");
      const more = page.locator("#cart-lines tr button").nth(1);
      await more.click();
      assert.equal(await page.locator("#cart-lines .qty span").textContent(), "99");
      assert.equal(await more.isDisabled(), true);
      await page.click('button[data-sku="MUG-1"]'); // "Add to cart" once more: still 99
      assert.equal(await page.locator("#cart-lines .qty span").textContent(), "99");
      // The Worker prices what the store shows: the widget offers Tamara, no invalid-cart error.
      await page.locator("tamara-checkout .tw[data-state=ready]").waitFor();
      await context.close();
    });
  }
});

describe("6. the POS page respects hidden", () => {
  for (const [lang, width] of [["en", 390], ["ar", 1280]]) {
    test(`signed out, an unpaid link, a voided link, amount mode (${lang}, ${width} px)`, async () => {
      const { context, page } = await open(width, `pos-${lang}`);
      await page.goto(`${stack.worker}/pos.html?lang=${lang}`);
      await page.waitForSelector("#token");
      assert.equal(await page.locator("#signout").isVisible(), false, "Forget token while signed out");
      assert.equal(await page.locator("#items-box").isVisible(), false, "items box in amount mode");
      assert.equal(await page.locator("#amount-box").isVisible(), true);
      await page.fill("#token", adminToken());
      await page.click("#signin-button");
      assert.equal(await page.locator("#signout").isVisible(), true);
      await page.fill("#phone", "544337866");
      await page.fill("#amount", "99.00");
      await page.click("#send");
      await page.locator("#live-status[data-status]").waitFor();
      assert.equal(await page.locator("#refund").isVisible(), false, "refund form on an unpaid link");
      await check(page, `pos-link-sent-${lang}-${width}`);
      await page.click("#void");
      await page.locator("#live-status[data-status=canceled]").waitFor({ timeout: 30_000 });
      assert.equal(await page.locator("#refund").isVisible(), false, "refund form on a voided link");
      await page.check("input[name=mode][value=items]");
      assert.equal(await page.locator("#amount-box").isVisible(), false, "amount in items mode");
      assert.equal(await page.locator("#items-box").isVisible(), true);
      await context.close();
    });
  }
});

describe("7. Arabic on the sandbox's hosted pages", () => {
  for (const width of [390, 1280]) {
    test(`item names, number agreement, the Arabic comma, the store's sign, grouped amounts, the title (${width} px)`, async () => {
      // A cart whose 3 instalments are uneven: "first today, then two monthly payments" (dual).
      let lines = null;
      for (const candidate of [[["TSHIRT-1", 1], ["MUG-1", 1]], [["DATES-1", 1]], [["TSHIRT-1", 2]], [["MUG-1", 2]], [["TSHIRT-1", 1]]]) {
        const items = candidate.map(([s, q]) => `${s}:${q}`).join(",");
        const o = await (await fetch(`${stack.worker}/api/payment-options?country=SA&currency=SAR&items=${items}`)).json();
        const three = o.options.find((x) => x.instalments === 3);
        if (three && new Set(three.instalments_amounts.map((m) => m.minor)).size > 1) { lines = candidate; break; }
      }
      assert.ok(lines, "a cart with an uneven 3-instalment plan");
      const { context, page } = await store("ar", width, lines);
      const option = page.locator("tamara-checkout .tw-option", { hasText: "3 دفعات" });
      await option.locator("input[type=radio]").check();
      await Promise.all([page.waitForURL(/\/checkout\//), page.click("tamara-checkout .tw-btn")]);
      await page.waitForSelector("#plan-summary");
      assert.equal(await page.getAttribute("html", "lang"), "ar");
      assert.equal(await page.title(), "ادفع مع تمارا");
      const names = await page.locator("#order-summary tbody td:first-child").allTextContents();
      const catalog = await (await fetch(`${stack.worker}/api/catalog`)).json();
      assert.deepEqual(names, lines.map(([sku]) => catalog.products.find((p) => p.sku === sku).name_ar));
      const summary = await page.locator("#plan-summary").textContent();
      assert.match(summary, /ثم دفعتان شهريتان$/);
      const text = (await page.locator("main").textContent()).replace(/\d,\d/g, "");
      assert.ok(!text.includes(","), `a Latin comma in Arabic text: ${text.match(/.{20},.{20}/)}`);
      assert.match(await page.locator("#total").textContent(), /\u00a0ر\.س\.\u200f$/);
      await check(page, `hosted-ar-${width}`);
      await context.close();
      // Thousands grouped, as in the store.
      const big = await apiCheckout([["WATCH-1", 3]], "ar_SA", { payment_type: "PAY_BY_INSTALMENTS", instalments: 4 });
      const p2 = await open(width, "hosted-big");
      await p2.page.goto(big.checkout_url);
      assert.match(await p2.page.locator("#total").textContent(), /3,897\.00/);
      await p2.context.close();
    });
  }
});

describe("8. sandbox pages: no missing code step, an SMS outbox a person can use", () => {
  for (const [lang, width] of [["en", 1280], ["ar", 390]]) {
    test(`no verification-code promise; the outbox is HTML with links, JSON for programs (${lang}, ${width} px)`, async () => {
      const c = await apiCheckout([["MUG-1", 2]], lang === "ar" ? "ar_SA" : "en_US");
      const { context, page } = await open(width, `sandbox-${lang}`);
      await page.goto(c.checkout_url);
      await page.waitForSelector("#pay");
      assert.doesNotMatch(await page.locator("body").textContent(), /verification code|رمز التحقق/);
      const link = await inStoreLink("45.00", lang === "ar" ? "ar_SA" : "en_US");
      await page.goto(`${stack.sandbox}/_sandbox/sms?lang=${lang}`);
      const anchor = page.locator(`#sms-list li[data-order-id="${link.order_id}"] a`);
      await Promise.all([page.waitForURL(/\/pay\//), anchor.click()]);
      await page.waitForSelector("#pay");
      const json = await fetch(`${stack.sandbox}/_sandbox/sms`, { headers: { Accept: "application/json" } });
      assert.match(json.headers.get("content-type"), /application\/json/);
      assert.ok((await json.json()).some((m) => m.order_id === link.order_id));
      await context.close();
    });
  }
});

describe("9. screen readers hear each amount once", () => {
  for (const [lang, width] of ALL) {
    test(`radio accessible names (${lang}, ${width} px)`, async () => {
      const { context, page } = await store(lang, width, [["TSHIRT-1", 4]]);
      await page.locator("tamara-checkout .tw[data-state=ready]").waitFor();
      const snapshot = await page.locator("tamara-checkout").ariaSnapshot();
      const names = [...snapshot.matchAll(/- radio "([^"]*)"/g)].map((m) => m[1]);
      assert.equal(names.length, 3, snapshot);
      for (const name of names) {
        const amounts = name.match(/\d[\d,]*\.\d{2}/g) ?? [];
        assert.equal(amounts.length, 1, `"${name}" states ${amounts.length} amounts`);
      }
      await context.close();
    });
  }
});
