// The example merchant site's script (examples/merchant-site): the basket page with the Tamara
// widget, and the merchant's own confirmation and cart pages that the Worker sends the shopper
// back to. Everything Tamara-related goes to the Worker named by <meta name="tamara-worker">.
const WORKER = document.querySelector('meta[name="tamara-worker"]').content.replace(/\/+$/, "");

const TEXT = {
  en: {
    shop: "Dates & Co.", basket: "Your basket", checking: "Checking your payment…", order: "Order",
    status: "Status", total: "Total", continue: "Continue shopping", back: "Back to your basket",
    paid: "Thank you! Your order is confirmed.", pending: "We're confirming your payment with Tamara…",
    not_paid: "Your order is not paid.", declined: "Tamara declined this payment.",
    canceled: "You canceled the payment.", expired: "The payment session expired.",
    failed: "The order couldn't be loaded.", opened: "Tamara opened in a new tab. Status: ",
  },
  ar: {
    shop: "تمور وشركاه", basket: "سلتك", checking: "جارٍ التحقق من دفعتك…", order: "الطلب",
    status: "الحالة", total: "الإجمالي", continue: "متابعة التسوق", back: "العودة إلى السلة",
    paid: "شكرًا لك! تم تأكيد طلبك.", pending: "جارٍ تأكيد دفعتك مع تمارا…",
    not_paid: "طلبك غير مدفوع.", declined: "رفضت تمارا هذه الدفعة.",
    canceled: "لقد ألغيت الدفع.", expired: "انتهت صلاحية جلسة الدفع.",
    failed: "تعذّر تحميل الطلب.", opened: "فُتحت تمارا في علامة تبويب جديدة. الحالة: ",
  },
};
/** Words for Tamara's statuses: shoppers never see the API's codes. */
const STATUS = {
  en: { new: "Awaiting payment", approved: "Confirming", authorised: "Paid", partially_captured: "Paid",
    fully_captured: "Paid", partially_refunded: "Partly refunded", fully_refunded: "Refunded",
    declined: "Declined", canceled: "Canceled", expired: "Expired", updated: "Paid" },
  ar: { new: "بانتظار الدفع", approved: "جارٍ التأكيد", authorised: "مدفوع", partially_captured: "مدفوع",
    fully_captured: "مدفوع", partially_refunded: "مسترد جزئيًا", fully_refunded: "مسترد",
    declined: "مرفوض", canceled: "ملغى", expired: "منتهي الصلاحية", updated: "مدفوع" },
};
const statusWord = (s) => STATUS[lang][s] ?? (lang === "ar" ? "قيد المعالجة" : "Processing");
/** `{amount, currency}` as the shop shows it: "SAR 230.00", in Arabic "230.00 ر.س.". */
const AR_SIGN = { SAR: "ر.س.", AED: "د.إ.", QAR: "ر.ق.", KWD: "د.ك.", BHD: "د.ب.", OMR: "ر.ع." };
function money(m) {
  const [int, frac] = String(m.amount).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac ? `.${frac}` : "");
  return lang === "ar" ? `\u200f${grouped}\u00a0${AR_SIGN[m.currency] ?? m.currency}\u200f` : `${m.currency}\u00a0${grouped}`;
}
/** `{amount, currency, minor}` × `n` as `{amount, currency}` (exact: integer minor units). */
function times(m, n) {
  const digits = m.amount.includes(".") ? m.amount.split(".")[1].length : 0;
  const minor = String(BigInt(m.minor) * BigInt(n)).padStart(digits + 1, "0");
  const amount = digits ? `${minor.slice(0, -digits)}.${minor.slice(-digits)}` : minor;
  return { amount, currency: m.currency };
}
const PAID = new Set(["authorised", "partially_captured", "fully_captured", "partially_refunded", "fully_refunded"]);
const PENDING = new Set(["new", "approved"]);

const params = new URLSearchParams(location.search);
// The language survives the trip to Tamara and back (the return URLs don't carry it).
const lang = ["en", "ar"].includes(params.get("lang")) ? params.get("lang") : (localStorage.getItem("shop-lang") ?? "en");
localStorage.setItem("shop-lang", lang);
const t = TEXT[lang];
document.documentElement.lang = lang;
document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
for (const el of document.querySelectorAll("[data-t]")) el.textContent = t[el.dataset.t] ?? el.textContent;
const $ = (id) => document.getElementById(id);

/** The status call: `GET {worker}/api/orders/{id}` (CORS for ALLOWED_ORIGINS, no credentials). */
async function order(id) {
  const r = await fetch(`${WORKER}/api/orders/${encodeURIComponent(id)}`);
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return r.json();
}

function showStatus(o) {
  $("order-id").textContent = o.order_id;
  $("order-status").textContent = statusWord(o.status);
  $("order-status").dataset.status = o.status;
}

async function basket() {
  // The cart: SKUs and quantities only (`?items=SKU:QTY,…`); the Worker prices them.
  const items = (params.get("items") ?? "DATES-1:2").split(",").map((line) => {
    const [sku, quantity] = line.split(":");
    return { sku, quantity: Number(quantity) || 1 };
  });
  const el = document.querySelector("tamara-checkout");
  el.setAttribute("lang", lang);
  el.cart = { items };
  el.customer = { first_name: "Mona", last_name: "Ali", phone_number: "544337866", email: "mona@example.com" };
  el.shippingAddress = { first_name: "Mona", last_name: "Ali", line1: "King Fahd Rd", city: "Riyadh", country_code: "SA" };
  el.addEventListener("tamara-error", (e) => console.warn("tamara-error", e.detail));
  if (params.get("popup") === "1") {
    // Staying on this page: Tamara in a new tab, the order followed here (`tamara-order` events).
    el.addEventListener("tamara-redirect", (e) => {
      e.preventDefault();
      window.open(e.detail.checkout_url, "_blank");
      el.watchOrder(e.detail.order_id, { interval: 1000 }).catch((err) => console.warn(err));
    });
    el.addEventListener("tamara-order", (e) => {
      $("live").textContent = t.opened + statusWord(e.detail.status);
      $("live").dataset.status = e.detail.status;
    });
  }
  // Names and prices for display, from the Worker's catalog (also CORS).
  try {
    const catalog = await (await fetch(`${WORKER}/api/catalog`)).json();
    for (const { sku, quantity } of items) {
      const p = catalog.products.find((x) => x.sku === sku);
      const li = document.createElement("li");
      li.append(`${quantity} × ${(lang === "ar" ? p?.name_ar : p?.name) ?? sku}`);
      const price = document.createElement("span");
      // The line's total (unit price × quantity), in minor units: no floating point on money.
      price.textContent = p ? money(times(p.price, quantity)) : "";
      li.append(price);
      $("lines").append(li);
    }
  } catch (e) {
    console.warn("catalog", e);
  }
}

async function confirmation() {
  const id = params.get("order_id");
  if (!id) return void ($("headline").textContent = t.failed);
  // The Worker has already asked Tamara (and authorised) before redirecting here; poll a little
  // in case Tamara is slow to answer.
  for (let i = 0; i < 15; i++) {
    let o;
    try {
      o = await order(id);
    } catch {
      $("headline").textContent = t.failed;
      return;
    }
    showStatus(o);
    $("order-total").textContent = money(o.total);
    if (PAID.has(o.status)) return void ($("headline").textContent = t.paid);
    if (!PENDING.has(o.status)) return void ($("headline").textContent = t.not_paid);
    $("headline").textContent = t.pending;
    await new Promise((ok) => setTimeout(ok, 2000));
  }
}

async function cart() {
  const id = params.get("order_id");
  const reason = params.get("reason");
  $("headline").textContent = t[reason] ?? t.not_paid;
  if (!id) return;
  try {
    showStatus(await order(id));
  } catch {
    $("order-status").textContent = t.failed;
  }
}

({ basket, confirmation, cart })[document.body.dataset.page]?.();
