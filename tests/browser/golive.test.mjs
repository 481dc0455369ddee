// Go-live (issue 16) in headless Chromium across the real local stack: a shopper Tamara's
// pre-checkout eligibility refuses sees Tamara greyed out with a short reason in English and
// Arabic; an eligible one can continue; the KSA line reads "Monthly Payments. Sharia Compliant.".
// Run: bash tests/browser/run.sh   (screenshots land in tests/artifacts/)
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildWidget, launch, shot, startStack, watch } from "./lib.mjs";

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

/** The storefront in `lang` with the shopper's `phone` and `count` × `sku` in the cart. */
async function storefront(lang, sku, count, phone) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  watch(page, `golive-${lang}`);
  await page.goto(`${stack.worker}/index.html?lang=${lang}`);
  await page.waitForSelector(`button[data-sku="${sku}"]`);
  await page.fill("input[name=phone_number]", phone);
  await page.locator("input[name=phone_number]").dispatchEvent("change");
  for (let i = 0; i < count; i++) await page.click(`button[data-sku="${sku}"]`);
  return { context, page };
}

describe("pre-checkout eligibility", () => {
  test("not eligible (English): Tamara greyed out with a short reason, no button", async () => {
    const { context, page } = await storefront("en", "TSHIRT-1", 2, "504591298");
    const grey = page.locator("tamara-checkout .tw[data-eligible=false][data-state=unavailable]");
    await grey.waitFor();
    assert.equal(
      await page.locator("tamara-checkout .tw-status").textContent(),
      "Tamara isn't available for this phone number right now.",
    );
    assert.equal(await page.locator("tamara-checkout .tw-tagline").textContent(), "Monthly Payments. Sharia Compliant.");
    assert.equal(await page.locator("tamara-checkout .tw-btn").isVisible(), false);
    const opacity = await page.locator("tamara-checkout .tw-head").evaluate((e) => getComputedStyle(e).opacity);
    assert.ok(Number(opacity) < 1, `greyed out: opacity ${opacity}`);
    await shot(page, "storefront-not-eligible-en");
    await context.close();
  });

  test("not eligible (Arabic): the reason in Arabic", async () => {
    const { context, page } = await storefront("ar", "TSHIRT-1", 2, "504591298");
    await page.locator("tamara-checkout .tw[data-eligible=false]").waitFor();
    assert.equal(
      await page.locator("tamara-checkout .tw-status").textContent(),
      "تمارا غير متاحة لرقم الجوال هذا حاليًا.",
    );
    assert.equal(await page.locator("tamara-checkout .tw-tagline").textContent(), "دفعات شهرية. متوافقة مع الشريعة");
    await shot(page, "storefront-not-eligible-ar");
    await context.close();
  });

  test("eligible: Tamara selectable, not greyed", async () => {
    const { context, page } = await storefront("en", "TSHIRT-1", 2, "501234567");
    await page.locator("tamara-checkout .tw[data-state=ready]").waitFor();
    assert.equal(await page.locator("tamara-checkout .tw[data-eligible]").count(), 0);
    assert.equal(await page.locator("tamara-checkout .tw-btn").isVisible(), true);
    await context.close();
  });
});
