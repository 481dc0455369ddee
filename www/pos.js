// The pos.html page's script (a file of its own: the pages' CSP allows no inline script).
import { api, formatMoney, langSwitch, statusWord } from "./app.js";

const DICT = {
  en: {
    title: "Tamara in-store (POS)", signin: "Cashier sign-in", token: "Merchant admin token",
    remember: "Keep for this browser tab", use_token: "Use token", forget: "Forget token",
    signed_out: "No token: the cashier types it in; it is never stored in this page.",
    signed_in: "Token set (kept in memory", signed_in_tab: " and this tab's session storage", signed_in_end: ").",
    new_payment: "New payment link", phone: "Customer mobile number", verify: "Check ID verification",
    verified: "ID verified with Tamara.", not_verified: "ID not verified: ask the customer to verify in the Tamara app.",
    charge: "Charge", by_amount: "An amount", by_items: "Items from the catalog", amount: "Amount (SAR)",
    item: "Item", price: "Price", qty: "Qty", send: "Send payment link by SMS", payment: "Payment",
    order_id: "Order", total: "Total", status: "Status", expires: "Link expires", link: "Payment link",
    void: "Void the link", refund_amount: "Refund amount (empty = all)", comment: "Reason", refund: "Refund",
    polling: "Checking every 5 seconds…", final: "This status will not change by itself.", voided: "Link voided.", not_voided: "The link could not be voided.",
    refunded: "Refunded ", need_token: "Type the merchant admin token first.", bad_phone: "Enter the customer's mobile number.",
    bad_amount: "Enter an amount like 230.00.", no_items: "Choose at least one item.", error: "Error: ",
    e_unauthorized: "The admin token is not right.", e_rate_limited: "Too many attempts: wait a minute and try again.",
    e_phone: "The mobile number is not valid.", e_amount: "The amount is not valid for this payment.",
    e_state: "This payment cannot be changed in its current state.", e_tamara: "Tamara did not answer: try again.",
    e_other: "That did not work: try again.", void_hidden: "—",
  },
  ar: {
    title: "تمارا في المتجر (نقطة البيع)", signin: "دخول الكاشير", token: "رمز إدارة التاجر",
    remember: "احتفظ به لهذا التبويب", use_token: "استخدم الرمز", forget: "انسَ الرمز",
    signed_out: "لا يوجد رمز: يكتبه الكاشير، ولا يُخزَّن في هذه الصفحة.",
    signed_in: "تم تعيين الرمز (في الذاكرة", signed_in_tab: " وفي تخزين جلسة هذا التبويب", signed_in_end: ").",
    new_payment: "رابط دفع جديد", phone: "رقم جوال العميل", verify: "تحقق من توثيق الهوية",
    verified: "الهوية موثقة لدى تمارا.", not_verified: "الهوية غير موثقة: اطلب من العميل التوثيق في تطبيق تمارا.",
    charge: "المبلغ المطلوب", by_amount: "مبلغ محدد", by_items: "منتجات من الكتالوج", amount: "المبلغ (ريال)",
    item: "المنتج", price: "السعر", qty: "الكمية", send: "أرسل رابط الدفع برسالة نصية", payment: "الدفع",
    order_id: "الطلب", total: "الإجمالي", status: "الحالة", expires: "ينتهي الرابط", link: "رابط الدفع",
    void: "إلغاء الرابط", refund_amount: "مبلغ الاسترداد (فارغ = الكل)", comment: "السبب", refund: "استرداد",
    polling: "يتم التحقق كل 5 ثوانٍ…", final: "لن تتغير هذه الحالة من تلقاء نفسها.", voided: "تم إلغاء الرابط.", not_voided: "تعذّر إلغاء الرابط.",
    refunded: "تم استرداد ", need_token: "اكتب رمز إدارة التاجر أولًا.", bad_phone: "أدخل رقم جوال العميل.",
    bad_amount: "أدخل مبلغًا مثل 230.00.", no_items: "اختر منتجًا واحدًا على الأقل.", error: "خطأ: ",
    e_unauthorized: "رمز الإدارة غير صحيح.", e_rate_limited: "محاولات كثيرة: انتظر دقيقة ثم أعد المحاولة.",
    e_phone: "رقم الجوال غير صحيح.", e_amount: "المبلغ غير صالح لهذه الدفعة.",
    e_state: "لا يمكن تعديل هذه الدفعة في حالتها الحالية.", e_tamara: "لم تستجب تمارا: أعد المحاولة.",
    e_other: "تعذّر ذلك: أعد المحاولة.", void_hidden: "—",
  },
};
const FINAL = new Set(["fully_captured", "expired", "canceled", "declined", "fully_refunded", "partially_refunded"]);
const REFUNDABLE = new Set(["fully_captured", "partially_captured", "partially_refunded"]);
const $ = (id) => document.getElementById(id);

// The admin token lives in this variable; sessionStorage (this tab only) if the cashier asks.
let token = sessionStorage.getItem("pos-admin-token");
let lang = langSwitch(DICT, (next) => { lang = next; render(); });
let catalog = null;
let current = null; // {order_id, status, total, expires_at, checkout_deeplink}
let timer = null;
let verified = null; // last ID-verification answer (true/false), null = not checked
let refunded = null; // last refund's money

const t = () => DICT[lang];
// A cashier reads words in the page's language, never the API's codes or English messages.
const ERROR_WORDS = {
  unauthorized: "e_unauthorized", rate_limited: "e_rate_limited", invalid_phone_number: "e_phone",
  invalid_amount: "e_amount", capture_exceeds_remaining: "e_amount", refund_exceeds_captured: "e_amount",
  cancel_exceeds_remaining: "e_amount", invalid_state: "e_state", wrong_channel: "e_state",
  tamara_timeout: "e_tamara", tamara_unavailable: "e_tamara",
};
const fail = (e) => {
  if (!e) { $("pos-error").textContent = ""; return; }
  const words = e.code ? t()[ERROR_WORDS[e.code] ?? "e_other"] : e.message;
  $("pos-error").textContent = t().error + words;
};

function render() {
  $("signin-state").textContent = token
    ? t().signed_in + (sessionStorage.getItem("pos-admin-token") ? t().signed_in_tab : "") + t().signed_in_end
    : t().signed_out;
  $("signout").hidden = !token;
  $("token").value = "";
  const v = $("verify-result");
  v.textContent = verified === null ? "" : verified ? t().verified : t().not_verified;
  v.className = verified === null ? "" : verified ? "status ok" : "status bad";
  const r = $("refund-result");
  r.textContent = refunded ? t().refunded + formatMoney(refunded, lang) : "";
  r.className = refunded ? "status ok" : "";
  renderItems();
  renderLive();
}

function renderItems() {
  const body = $("items");
  const previous = Object.fromEntries([...body.querySelectorAll("input")].map((i) => [i.dataset.sku, i.value]));
  body.replaceChildren();
  for (const p of catalog?.products ?? []) {
    const row = document.createElement("tr");
    const name = document.createElement("td");
    name.textContent = lang === "ar" && p.name_ar ? p.name_ar : p.name;
    const price = document.createElement("td");
    price.className = "num";
    price.textContent = formatMoney(p.price, lang);
    const qty = document.createElement("td");
    qty.className = "num";
    const input = document.createElement("input");
    input.type = "number"; input.min = "0"; input.max = "99"; input.value = previous[p.sku] ?? "0";
    input.dataset.sku = p.sku; input.style.width = "5em";
    input.setAttribute("aria-label", `${t().qty}: ${name.textContent}`);
    qty.append(input);
    row.append(name, price, qty);
    body.append(row);
  }
}

function renderLive() {
  $("live").hidden = !current;
  if (!current) return;
  $("live-order").textContent = current.order_id;
  $("live-total").textContent = current.total ? formatMoney(current.total, lang) : "—";
  const status = $("live-status");
  status.textContent = statusWord(current.status, lang);
  status.dataset.status = current.status;
  const good = current.status === "fully_captured" || current.status.endsWith("_refunded");
  status.className = `status ${good ? "ok" : FINAL.has(current.status) ? "bad" : ""}`;
  // The link's expiry matters only while it can still be paid.
  $("live-expires").textContent = current.expires_at && current.status === "new"
    ? new Intl.DateTimeFormat(lang === "ar" ? "ar-SA-u-nu-latn" : "en-SA", { dateStyle: "medium", timeStyle: "short" }).format(new Date(current.expires_at))
    : "—";
  const link = $("live-link");
  link.textContent = current.checkout_deeplink ?? "—";
  link.href = /^https?:\/\//i.test(current.checkout_deeplink ?? "") ? current.checkout_deeplink : "#";
  $("live-poll").textContent = FINAL.has(current.status) ? t().final : t().polling;
  $("void").disabled = FINAL.has(current.status) || current.status === "authorised";
  $("refund").hidden = !REFUNDABLE.has(current.status);
}

function needToken() {
  if (token) return true;
  fail({ message: t().need_token });
  $("token").focus();
  return false;
}

$("signin").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = $("token").value.trim();
  if (!value) return;
  token = value;
  if ($("remember").checked) sessionStorage.setItem("pos-admin-token", value);
  else sessionStorage.removeItem("pos-admin-token");
  fail(null);
  render();
});
$("signout").addEventListener("click", () => {
  token = null;
  sessionStorage.removeItem("pos-admin-token");
  render();
});

for (const radio of document.querySelectorAll("input[name=mode]")) {
  radio.addEventListener("change", () => {
    const items = document.querySelector("input[name=mode]:checked").value === "items";
    $("items-box").hidden = !items;
    $("amount-box").hidden = items;
  });
}

function phone() {
  const value = $("phone").value.replace(/[\s-]/g, "");
  if (!/^\+?[0-9]{8,15}$/.test(value)) { fail({ message: t().bad_phone }); $("phone").focus(); return null; }
  return value;
}

$("verify").addEventListener("click", async () => {
  const p = phone();
  if (!p || !needToken()) return;
  fail(null);
  verified = null;
  $("verify-result").textContent = "…";
  try {
    const r = await api(`/admin/customers/id-verification?phone=${encodeURIComponent(p)}&country=SA`, { token });
    verified = Boolean(r.is_id_verified);
  } catch (e) {
    fail(e);
  }
  render();
});

$("new").addEventListener("submit", async (event) => {
  event.preventDefault();
  const p = phone();
  if (!p || !needToken()) return;
  const body = { phone_number: p, locale: lang === "ar" ? "ar_SA" : "en_US" };
  if (document.querySelector("input[name=mode]:checked").value === "items") {
    body.items = [...$("items").querySelectorAll("input")]
      .map((i) => ({ sku: i.dataset.sku, quantity: Number.parseInt(i.value, 10) || 0 }))
      .filter((i) => i.quantity > 0);
    if (!body.items.length) { fail({ message: t().no_items }); return; }
  } else {
    const amount = $("amount").value.trim();
    if (!/^[0-9]+(\.[0-9]{1,2})?$/.test(amount)) { fail({ message: t().bad_amount }); $("amount").focus(); return; }
    body.amount = amount;
  }
  fail(null);
  $("send").disabled = true;
  try {
    const created = await api("/admin/in-store", { method: "POST", body, token });
    current = { ...created, status: "new" };
    sessionStorage.setItem("pos-current", created.order_id);
    refunded = null;
    render();
    poll();
  } catch (e) {
    fail(e);
  } finally {
    $("send").disabled = false;
  }
});

// Live status: GET /admin/in-store/{id} every 5 s until a final status.
async function poll() {
  clearTimeout(timer);
  if (!current || !token) return;
  try {
    const s = await api(`/admin/in-store/${encodeURIComponent(current.order_id)}`, { token });
    current = { ...current, ...s };
    fail(null);
  } catch (e) {
    fail(e);
  }
  renderLive();
  if (!FINAL.has(current.status)) timer = setTimeout(poll, 5000);
}

$("void").addEventListener("click", async () => {
  if (!current || !needToken()) return;
  $("void").disabled = true;
  try {
    const r = await api(`/admin/in-store/${encodeURIComponent(current.order_id)}/void`, { method: "POST", token });
    current.status = r.status ?? current.status;
    renderLive();
    $("live-poll").textContent = r.order_was_voided ? t().voided : t().not_voided;
  } catch (e) {
    fail(e);
    renderLive();
  }
});

$("refund").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!current || !needToken()) return;
  const amount = $("refund-amount").value.trim();
  if (amount && !/^[0-9]+(\.[0-9]{1,2})?$/.test(amount)) { fail({ message: t().bad_amount }); return; }
  const body = { comment: $("refund-comment").value.trim() || "Refund" };
  if (amount) body.amount = amount;
  $("refund-button").disabled = true;
  try {
    const r = await api(`/admin/orders/${encodeURIComponent(current.order_id)}/refund`, { method: "POST", body, token });
    current.status = r.status ?? current.status;
    refunded = r.refunded_amount;
    fail(null);
    render();
  } catch (e) {
    fail(e);
  } finally {
    $("refund-button").disabled = false;
  }
});

render();
try {
  catalog = await api("/api/catalog");
  renderItems();
} catch (e) {
  fail(e);
}
// Resume the last payment of this tab after a reload.
const resume = sessionStorage.getItem("pos-current");
if (resume && token) {
  current = { order_id: resume, status: "new" };
  poll();
}
