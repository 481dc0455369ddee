// The index.html page's script (a file of its own: the pages' CSP allows no inline script).
import { api, formatMoney, langSwitch, sumMoney } from "./app.js";

const DICT = {
  en: {
    store: "Souq Demo", products: "Products", loading: "Loading products…", details: "Your details",
    first_name: "First name", last_name: "Last name", phone: "Mobile number", email: "Email",
    line1: "Address", city: "City", country: "Country", cart: "Cart", cart_empty: "Your cart is empty.",
    item: "Item", qty: "Qty", subtotal: "Subtotal", total: "Total", payment: "Payment",
    add: "Add to cart", remove: "Remove", less: "One less", more: "One more",
    catalog_error: "Products couldn't be loaded: ", redirecting: "Opening Tamara's secure page…",
  },
  ar: {
    store: "سوق التجربة", products: "المنتجات", loading: "جارٍ تحميل المنتجات…", details: "بياناتك",
    first_name: "الاسم الأول", last_name: "اسم العائلة", phone: "رقم الجوال", email: "البريد الإلكتروني",
    line1: "العنوان", city: "المدينة", country: "الدولة", cart: "السلة", cart_empty: "سلتك فارغة.",
    item: "المنتج", qty: "الكمية", subtotal: "المجموع الفرعي", total: "الإجمالي", payment: "الدفع",
    add: "أضف إلى السلة", remove: "إزالة", less: "أنقص واحدًا", more: "زد واحدًا",
    catalog_error: "تعذّر تحميل المنتجات: ", redirecting: "جارٍ فتح صفحة تمارا الآمنة…",
  },
};

const widget = document.getElementById("tamara");
let lang = langSwitch(DICT, (next) => { lang = next; widget.setAttribute("lang", next); render(); });
widget.setAttribute("lang", lang);

let catalog = null;
const cart = new Map(JSON.parse(sessionStorage.getItem("demo-cart") ?? "[]"));

const productName = (p) => (lang === "ar" && p.name_ar ? p.name_ar : p.name);
const money = (m) => formatMoney(m, lang, "SA");

function thumb(product) {
  const box = document.createElement("div");
  box.className = "thumb";
  const url = product.image_url ?? "";
  // Only images served by the Worker itself (no third-party requests from the page).
  if (url && !url.includes(":") && !url.startsWith("//")) {
    const img = document.createElement("img");
    img.src = `/${url.replace(/^\/+/, "")}`;
    img.alt = "";
    img.onerror = () => { img.remove(); box.textContent = productName(product).slice(0, 1); };
    box.append(img);
  } else {
    box.textContent = productName(product).slice(0, 1);
  }
  return box;
}

function renderProducts() {
  const list = document.getElementById("products");
  list.replaceChildren();
  for (const product of catalog.products) {
    const card = document.createElement("article");
    card.className = "card product";
    const title = document.createElement("h3");
    title.textContent = productName(product);
    title.style.margin = "0";
    const price = document.createElement("div");
    price.className = "price";
    price.textContent = money(product.price);
    const add = document.createElement("button");
    add.type = "button";
    add.dataset.sku = product.sku;
    add.textContent = DICT[lang].add;
    add.setAttribute("aria-label", `${DICT[lang].add}: ${productName(product)}`);
    add.addEventListener("click", () => change(product.sku, 1));
    card.append(thumb(product), title, price, add);
    list.append(card);
  }
}

function renderCart() {
  const lines = document.getElementById("cart-lines");
  lines.replaceChildren();
  const priced = [];
  for (const [sku, quantity] of cart) {
    const product = catalog?.products.find((p) => p.sku === sku);
    if (!product) continue;
    priced.push({ price: product.price, quantity });
    const row = document.createElement("tr");
    const name = document.createElement("td");
    name.textContent = productName(product);
    const qty = document.createElement("td");
    const box = document.createElement("span");
    box.className = "qty";
    const less = document.createElement("button");
    less.type = "button"; less.className = "secondary"; less.textContent = "−";
    less.setAttribute("aria-label", `${DICT[lang].less}: ${productName(product)}`);
    less.addEventListener("click", () => change(sku, -1));
    const count = document.createElement("span");
    count.textContent = String(quantity);
    const more = document.createElement("button");
    more.type = "button"; more.className = "secondary"; more.textContent = "+";
    more.setAttribute("aria-label", `${DICT[lang].more}: ${productName(product)}`);
    more.addEventListener("click", () => change(sku, 1));
    more.disabled = quantity >= maxQuantity();
    box.append(less, count, more);
    qty.append(box);
    const sub = document.createElement("td");
    sub.className = "num";
    sub.textContent = money(sumMoney([{ price: product.price, quantity }], catalog.currency));
    row.append(name, qty, sub);
    lines.append(row);
  }
  document.getElementById("cart-table").hidden = priced.length === 0;
  document.getElementById("cart-empty").hidden = priced.length > 0;
  document.getElementById("cart-total").textContent =
    priced.length && catalog ? money(sumMoney(priced, catalog.currency)) : "—";
}

function render() {
  if (catalog) renderProducts();
  renderCart();
}

// The Worker states the largest quantity of a line it prices (one limit, not two).
const maxQuantity = () => catalog?.max_quantity ?? 99;
function change(sku, delta) {
  const quantity = (cart.get(sku) ?? 0) + delta;
  if (quantity <= 0) cart.delete(sku); else cart.set(sku, Math.min(quantity, maxQuantity()));
  sessionStorage.setItem("demo-cart", JSON.stringify([...cart]));
  syncWidget();
  renderCart();
}

// The widget gets SKUs and quantities only; the Worker prices them.
function syncWidget() {
  widget.cart = { items: [...cart].map(([sku, quantity]) => ({ sku, quantity })) };
}

const form = document.getElementById("details");
function syncDetails() {
  const f = Object.fromEntries(new FormData(form));
  widget.customer = {
    first_name: f.first_name.trim(), last_name: f.last_name.trim(),
    phone_number: f.phone_number.trim(), email: f.email.trim() || undefined,
  };
  widget.shippingAddress = {
    first_name: f.first_name.trim(), last_name: f.last_name.trim(), line1: f.line1.trim(),
    city: f.city.trim(), country_code: f.country_code, phone_number: f.phone_number.trim(),
  };
}
form.addEventListener("change", syncDetails);
form.addEventListener("input", () => { clearTimeout(syncDetails.timer); syncDetails.timer = setTimeout(syncDetails, 400); });

const log = document.getElementById("widget-log");
widget.addEventListener("tamara-redirect", () => { log.textContent = DICT[lang].redirecting; });

syncDetails();
try {
  catalog = await api("/api/catalog");
  document.getElementById("catalog-status").hidden = true;
  for (const sku of [...cart.keys()]) if (!catalog.products.some((p) => p.sku === sku)) cart.delete(sku);
  for (const [sku, quantity] of cart) if (quantity > maxQuantity()) cart.set(sku, maxQuantity());
  syncWidget();
  render();
} catch (e) {
  const status = document.getElementById("catalog-status");
  status.textContent = DICT[lang].catalog_error + (e.message || e.code);
  status.classList.add("error");
}
