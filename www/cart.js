// The cart.html page's script (a file of its own: the pages' CSP allows no inline script).
import { api, formatMoney, langSwitch, statusWord } from "./app.js";

const DICT = {
  en: {
    store: "Souq Demo", order: "Your order", order_id: "Order", status: "Status", total: "Total",
    back: "Back to your cart",
    declined: ["Tamara declined this payment.", "No money was taken. You can choose another payment method or try again."],
    canceled: ["You canceled the payment.", "Your cart is still here. Pay with Tamara or another method whenever you're ready."],
    expired: ["The payment session expired.", "Tamara's checkout wasn't completed in time. Start again from your cart."],
    other: ["The payment wasn't completed.", "Your cart is still here; please try again."],
    failed: "The order couldn't be loaded: ",
  },
  ar: {
    store: "سوق التجربة", order: "طلبك", order_id: "الطلب", status: "الحالة", total: "الإجمالي",
    back: "العودة إلى سلتك",
    declined: ["رفضت تمارا هذه الدفعة.", "لم يتم خصم أي مبلغ. يمكنك اختيار طريقة دفع أخرى أو المحاولة مرة أخرى."],
    canceled: ["لقد ألغيت الدفع.", "سلتك ما زالت محفوظة. ادفع مع تمارا أو بطريقة أخرى متى شئت."],
    expired: ["انتهت صلاحية جلسة الدفع.", "لم تكتمل عملية الدفع مع تمارا في الوقت المحدد. ابدأ من جديد من سلتك."],
    other: ["لم تكتمل عملية الدفع.", "سلتك ما زالت محفوظة؛ يرجى المحاولة مرة أخرى."],
    failed: "تعذّر تحميل الطلب: ",
  },
};
const params = new URLSearchParams(location.search);
const id = params.get("order_id");
const reason = ["declined", "canceled", "expired"].includes(params.get("reason")) ? params.get("reason") : "other";
let order = null;
let error = null;
let lang = langSwitch(DICT, (next) => { lang = next; show(); });

function show() {
  const t = DICT[lang];
  const [headline, explain] = t[reason];
  document.getElementById("headline").textContent = headline;
  document.getElementById("explain").textContent = error ? t.failed + error : explain;
  document.body.dataset.reason = reason;
  if (!order) return;
  document.getElementById("order-card").hidden = false;
  document.getElementById("order-id").textContent = order.order_id;
  const status = document.getElementById("order-status");
  // Tamara records a checkout the shopper canceled as expired: say what the shopper did.
  status.textContent = statusWord(reason === "canceled" && order.status === "expired" ? "canceled" : order.status, lang);
  status.dataset.status = order.status;
  document.getElementById("order-total").textContent = formatMoney(order.total, lang);
}
show();
if (id) {
  try { order = await api(`/api/orders/${encodeURIComponent(id)}`); } catch (e) { error = e.message || e.code; }
  show();
}
