// The thank-you.html page's script (a file of its own: the pages' CSP allows no inline script).
import { api, formatMoney, langSwitch, statusWord } from "./app.js";

const DICT = {
  en: {
    store: "Souq Demo", checking: "Checking your payment…", order: "Your order", order_id: "Order",
    reference: "Reference", status: "Status", total: "Total", continue: "Continue shopping",
    paid: "Thank you! Your order is confirmed.",
    paid_text: "Tamara approved your payment. You'll receive the payment schedule from Tamara by SMS and email.",
    pending: "We're confirming your payment with Tamara…", pending_text: "This usually takes a few seconds.",
    not_paid: "This order is not paid.", missing: "No order was given.", failed: "The order couldn't be loaded: ",
  },
  ar: {
    store: "سوق التجربة", checking: "جارٍ التحقق من دفعتك…", order: "طلبك", order_id: "الطلب",
    reference: "المرجع", status: "الحالة", total: "الإجمالي", continue: "متابعة التسوق",
    paid: "شكرًا لك! تم تأكيد طلبك.",
    paid_text: "وافقت تمارا على دفعتك. ستصلك جدولة الدفعات من تمارا عبر الرسائل والبريد الإلكتروني.",
    pending: "جارٍ تأكيد دفعتك مع تمارا…", pending_text: "يستغرق ذلك عادةً بضع ثوانٍ.",
    not_paid: "هذا الطلب غير مدفوع.", missing: "لم يتم تحديد طلب.", failed: "تعذّر تحميل الطلب: ",
  },
};
const PAID = new Set(["authorised", "approved", "fully_captured", "partially_captured", "partially_refunded", "fully_refunded"]);
const PENDING = new Set(["new", "approved"]);
let order = null;
let lang = langSwitch(DICT, (next) => { lang = next; show(); });
const id = new URLSearchParams(location.search).get("order_id");

function show(error) {
  const t = DICT[lang];
  const banner = document.getElementById("banner");
  const headline = document.getElementById("headline");
  const explain = document.getElementById("explain");
  banner.className = "banner";
  if (!id) { headline.textContent = t.missing; banner.classList.add("bad"); return; }
  if (error) { headline.textContent = t.failed + error; banner.classList.add("bad"); return; }
  if (!order) return;
  document.getElementById("order-id").textContent = order.order_id;
  document.getElementById("order-ref").textContent = order.order_reference_id ?? "—";
  const status = document.getElementById("order-status");
  status.textContent = statusWord(order.status, lang);
  status.dataset.status = order.status;
  status.className = `status ${PAID.has(order.status) ? "ok" : PENDING.has(order.status) ? "" : "bad"}`;
  document.getElementById("order-total").textContent = formatMoney(order.total, lang);
  if (order.status === "authorised" || (PAID.has(order.status) && order.status !== "approved")) {
    headline.textContent = t.paid; explain.textContent = t.paid_text; banner.classList.add("ok");
    sessionStorage.removeItem("demo-cart"); // paid: the cart is done (kept after a decline or cancel)
  } else if (PENDING.has(order.status)) {
    headline.textContent = t.pending; explain.textContent = t.pending_text;
  } else {
    headline.textContent = t.not_paid; explain.textContent = ""; banner.classList.add("bad");
  }
}

// The Worker authorises the order on Tamara's redirect/webhook: poll briefly while pending.
async function load(attempt = 0) {
  try {
    order = await api(`/api/orders/${encodeURIComponent(id)}`);
    show();
    if (PENDING.has(order.status) && attempt < 20) setTimeout(() => load(attempt + 1), 1500);
  } catch (e) {
    show(e.message || e.code);
  }
}
if (id) load(); else show();
