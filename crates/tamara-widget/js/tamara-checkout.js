// <tamara-checkout>: Tamara as a payment option, in one snippet.
//
//   <script type="module" src="/tamara-checkout.js"></script>
//   <tamara-checkout worker-url="" country="SA" currency="SAR" lang="en"></tamara-checkout>
//
// Inputs: properties `el.cart = {items: [{sku, quantity}]}`, `el.customer = {first_name,
// last_name, phone_number, email}`, `el.shippingAddress = {first_name, last_name, line1, city,
// country_code, …}`, or the same as JSON attributes `cart='…'`, `customer='…'`,
// `shipping-address='…'`. Prices never come from the page: the Worker prices SKUs.
// Events (bubbling, composed): `tamara-ready`, `tamara-availability` (the Worker's
// payment-options answer: {available, amount, reason, options, min_limit, max_limit}),
// `tamara-error` {code, stage, message}, `tamara-redirect` {order_id, checkout_url} — cancelable:
// `preventDefault()` stops `location.assign(checkout_url)`; `tamara-order` {order_id, status,
// total, …} (the Worker's `GET /api/orders/{id}` answer, each time the status changes) after
// `el.watchOrder(order_id)`, for pages that stay put (checkout opened in a popup or a tab).
// Return pages: attributes `success-url`, `failure-url`, `cancel-url` (or `el.returnUrls =
// {success, failure, cancel}`): where the Worker sends the shopper back after Tamara, relative
// to the page or absolute, on an origin in the Worker's ALLOWED_ORIGINS; `{order_id}` and
// `{reason}` are filled in by the Worker (which still decides the outcome from Tamara's order).
// Programmatic: `await TamaraCheckout.mount(element, {workerUrl, country, currency, lang, cart,
// customer, shippingAddress, returnUrls})`, `await TamaraCheckout.watchOrder(workerUrl, orderId,
// {onStatus})` → handle {set_cart, set_customer, set_shipping_address,
// set_lang, state, destroy}.
// Theming: CSS custom properties --tamara-accent, --tamara-accent-text, --tamara-radius,
// --tamara-button-radius, --tamara-font, --tamara-font-size, --tamara-text, --tamara-muted,
// --tamara-bg, --tamara-border, --tamara-error, --tamara-focus, --tamara-padding;
// ::part(container|option|button).
//
// The widget itself (state machine, texts, DOM, Worker calls) is Rust in ./pkg/. This file only
// loads it as early as possible and, so that nothing waits in series, starts in parallel what the
// first render needs: the wasm (compiled while it downloads), its JS glue, the payment-options
// request for the cart the page already set. It also holds the widget's stylesheet. Money is
// formatted by hand, as Intl.NumberFormat prints the Gulf currencies: a page's first
// Intl.NumberFormat costs 20–60 ms of ICU set-up on the main thread, more than the whole first
// render (the browser tests compare both for every currency and language).

// Written in by scripts/build-widget.sh (this file is the source of www/tamara-checkout.js): the
// wasm and its glue under content-addressed names ("./pkg/tamara_widget-<version>.js"), which
// www/_headers lets browsers cache for a year, so a returning shopper's browser asks the network
// only for the payment options.
/* global TAMARA_GLUE, TAMARA_WASM */
const PKG = new URL(TAMARA_GLUE, import.meta.url);
const WASM = new URL(TAMARA_WASM, import.meta.url);

let loading = null;

/** Loads the wasm module once (started as soon as this file is imported). */
export function load() {
  if (!loading) {
    // Compiled while it downloads (served as application/wasm), in parallel with the glue.
    const module = WebAssembly.compileStreaming(fetch(WASM)).catch(() =>
      fetch(WASM).then((r) => r.arrayBuffer()).then((bytes) => WebAssembly.compile(bytes)),
    );
    loading = import(PKG.href).then(async (m) => {
      await m.default({ module_or_path: await module });
      return m;
    });
    loading.catch(() => {
      loading = null; // let a later mount try again
    });
  }
  return loading;
}
load().catch(() => {});

/** How long a mount waits for an early payment-options answer that is not there yet. */
const SETTLE_MS = 150;

const CURRENCY = { SA: "SAR", AE: "AED", QA: "QAR", KW: "KWD", BH: "BHD", OM: "OMR" };
const EXPONENT = { SAR: 2, AED: 2, QAR: 2, KWD: 3, BHD: 3, OMR: 3 };

// The widget's styles: one constructable sheet shared by every instance's shadow root.
const CSS = `:host{display:block;font-family:var(--tamara-font,system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans Arabic",Tahoma,sans-serif);font-size:var(--tamara-font-size,15px);color:var(--tamara-text,#1f1f24);line-height:1.4}
:host([hidden]){display:none}
.tw{box-sizing:border-box;border:1px solid var(--tamara-border,#dcdce4);border-radius:var(--tamara-radius,12px);background:var(--tamara-bg,#fff);padding:var(--tamara-padding,16px);text-align:start}
.tw>*+*{margin-top:12px}.tw>:empty,.tw>[hidden]{margin-top:0}
.tw-head{display:flex;align-items:center;gap:10px;font-weight:600}
.tw-logo{height:24px;width:auto;flex:none}.tw-options{display:grid;gap:8px}
.tw-option{display:flex;align-items:flex-start;gap:10px;padding:10px 12px;cursor:pointer;border:1px solid var(--tamara-border,#dcdce4);border-radius:calc(var(--tamara-radius,12px) - 4px)}
.tw-option:has(input:checked){border-color:var(--tamara-accent,#111118);box-shadow:0 0 0 1px var(--tamara-accent,#111118)}
.tw-option:has(input:focus-visible){outline:3px solid var(--tamara-focus,#6d4aff);outline-offset:2px}
.tw-option input{margin:2px 0 0;width:18px;height:18px;flex:none;accent-color:var(--tamara-accent,#111118)}
.tw-option input:focus-visible{outline:none}.tw-body{display:grid;gap:2px}.tw-text{font-weight:600}
.tw-label{font-size:.87em;color:var(--tamara-muted,#5d5d6b)}.tw-label:empty{display:none}
.tw-tagline{display:block;font-size:.85em;color:var(--tamara-muted,#5d5d6b)}
.tw[data-eligible=false] .tw-head{opacity:.45;filter:grayscale(1)}
.tw-status,.tw-alert{margin-bottom:0}.tw-status{color:var(--tamara-muted,#5d5d6b)}
.tw-alert{color:var(--tamara-error,#b3261e);font-weight:500}
.tw[aria-busy=true] .tw-status::before{content:"";display:inline-block;width:.8em;height:.8em;margin-inline-end:.5em;border:2px solid currentColor;border-inline-end-color:transparent;border-radius:50%;vertical-align:-.1em;animation:tw-spin .8s linear infinite}
@keyframes tw-spin{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.tw[aria-busy=true] .tw-status::before{animation:none}}
.tw-btn{appearance:none;display:block;width:100%;min-height:44px;padding:12px 16px;border:0;cursor:pointer;font:inherit;font-weight:600;border-radius:var(--tamara-button-radius,var(--tamara-radius,12px));background:var(--tamara-accent,#111118);color:var(--tamara-accent-text,#fff)}
.tw-btn:hover:not(:disabled){filter:brightness(1.15)}.tw-btn:disabled{opacity:.6;cursor:progress}
.tw-btn[hidden]{display:none}
:focus-visible{outline:3px solid var(--tamara-focus,#6d4aff);outline-offset:2px}`;
let sheet = null;
function shadow(element) {
  const root = element.shadowRoot ?? element.attachShadow({ mode: "open" });
  try {
    sheet ??= new CSSStyleSheet();
    if (!sheet.cssRules.length) sheet.replaceSync(CSS);
    if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    // no constructable stylesheets: unstyled but working
  }
  return root;
}

const encode = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The payment-options request the widget will make first for these options, sent now (while the
 * wasm loads) and handed to it as `prefetch: {url, answer}` (`answer`: a promise of `{status,
 * body}`, the body parsed here so that the widget renders in the same task it mounts). The
 * widget uses it only if it computes the very same URL; otherwise it asks again itself. A plain
 * GET: no CORS preflight.
 */
function prefetch({ workerUrl, worker_url, country, currency, cart, customer }) {
  const code = String(country ?? "").trim().toUpperCase() || "SA";
  const expected = CURRENCY[code];
  const asked = String(currency ?? "").trim().toUpperCase();
  if (!expected || (asked && asked !== expected) || !Array.isArray(cart?.items)) return undefined;
  const lines = new Map();
  for (const item of cart.items) {
    const sku = String(item?.sku ?? "").trim();
    const quantity = item?.quantity;
    if (!sku || /[:,]/.test(sku) || !Number.isSafeInteger(quantity) || quantity < 1) return undefined;
    lines.set(sku, (lines.get(sku) ?? 0) + quantity);
  }
  if (!lines.size || lines.size > 50 || [...lines.values()].some((q) => q > 99)) return undefined;
  const items = [...lines].map(([sku, quantity]) => `${encode(sku)}:${quantity}`).join(",");
  const phone = String(customer?.phone_number ?? customer?.phoneNumber ?? customer?.phone ?? "").trim();
  const path = `/api/payment-options?country=${encode(code)}&currency=${expected}&items=${items}${phone ? `&phone=${encode(phone)}` : ""}`;
  const url = `${String(workerUrl ?? worker_url ?? "").trim().replace(/\/+$/, "")}${path}`;
  const answer = fetch(url).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
  answer.catch(() => {}); // the widget reports a failure (as network_error) if it uses this one
  return { url, answer };
}

const ARABIC_SIGN = { SAR: "ر.س.", AED: "د.إ.", QAR: "ر.ق.", KWD: "د.ك.", BHD: "د.ب.", OMR: "ر.ع." };

/**
 * Formats a Worker money object `{amount: "57.50", minor, currency}` from its exact decimal
 * string (no float on the way), as `Intl.NumberFormat` prints it: "SAR 1,234.50", "KWD 1.250",
 * in Arabic Latin digits and the Arabic sign ("‏1,234.50 ر.س.‏"). The same text as the widget's
 * (Rust `state::money_text`). `country` is accepted for compatibility and not needed.
 */
export function formatMoney(money, lang = "en", _country = "SA") {
  const currency = String(money?.currency ?? "");
  const digits = EXPONENT[currency] ?? 2;
  const m = /^(\d+)(?:\.(\d*))?$/.exec(String(money?.amount ?? "").trim());
  if (!m || (m[2] ?? "").length > digits) return `${money?.amount} ${currency}`;
  const int = m[1].replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+$)/g, ",");
  const number = digits ? `${int}.${(m[2] ?? "").padEnd(digits, "0")}` : int;
  return lang === "ar"
    ? `\u200f${number}\u00a0${ARABIC_SIGN[currency] ?? currency}\u200f`
    : `${currency}\u00a0${number}`;
}

const PENDING = new Set(["new", "approved"]);

/**
 * Follows an order on the Worker (`GET {workerUrl}/api/orders/{id}`, CORS, no credentials) every
 * `interval` ms until it leaves `new` / `approved` or `timeout` ms pass; calls `onStatus(order)`
 * each time the status changes and resolves with the last answer. For pages that stay on the
 * same page while the shopper pays elsewhere (a popup or another tab).
 */
export async function watchOrder(workerUrl, orderId, { onStatus, interval = 3000, timeout = 1_800_000, signal } = {}) {
  const url = `${String(workerUrl ?? "").trim().replace(/\/+$/, "")}/api/orders/${encode(String(orderId))}`;
  const end = Date.now() + timeout;
  let last = null;
  for (;;) {
    let r = null;
    try {
      r = await fetch(url, { signal });
    } catch (e) {
      if (signal?.aborted) throw e; // otherwise a network blip: ask again
    }
    const order = r?.ok ? await r.json().catch(() => null) : null;
    if (r?.status === 404 || r?.status === 400) throw new Error(`order ${orderId}: ${r.status}`);
    if (order && order.status !== last?.status) onStatus?.(order);
    last = order ?? last;
    if ((order && !PENDING.has(order.status)) || Date.now() + interval > end) return last;
    await new Promise((ok) => setTimeout(ok, interval));
    signal?.throwIfAborted();
  }
}

/** Mounts the widget into `element` (any element that can hold a shadow root). */
export async function mount(element, options = {}) {
  const early = prefetch(options);
  shadow(element);
  const m = await load();
  if (early) await Promise.race([early.answer.catch(() => {}), new Promise((ok) => setTimeout(ok, SETTLE_MS))]);
  return m.mount(element, { ...options, prefetch: early });
}

function emitError(el, code, stage, message) {
  el.dispatchEvent(
    new CustomEvent("tamara-error", {
      bubbles: true,
      composed: true,
      detail: { code, stage, message: String(message?.message ?? message ?? "") },
    }),
  );
}

function parseJson(el, name, text) {
  if (text === null || text === "") return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    emitError(el, "invalid_attribute", "input", `${name}: ${e.message}`);
    return undefined;
  }
}

const INPUTS = {
  cart: "set_cart",
  customer: "set_customer",
  shippingAddress: "set_shipping_address",
};

// Return-page attributes (`success-url` → returnUrls.success, …).
const RETURNS = ["success-url", "failure-url", "cancel-url"];

/** An absolute URL for a return page given relative to the page; `{order_id}`, `{reason}` kept. */
function absolute(url) {
  if (typeof url !== "string" || !url.trim()) return undefined;
  try {
    return new URL(url.trim(), document.baseURI).href.replace(/%7B(order_id|reason)%7D/gi, "{$1}");
  } catch {
    return url;
  }
}

export class TamaraCheckoutElement extends HTMLElement {
  static get observedAttributes() {
    return ["worker-url", "country", "currency", "lang", "cart", "customer", "shipping-address", ...RETURNS];
  }

  #handle = null;
  #values = { cart: null, customer: null, shippingAddress: null };
  #returns = null;
  #generation = 0;

  connectedCallback() {
    // Properties set before the element was upgraded shadow the accessors: re-apply them.
    for (const name of [...Object.keys(INPUTS), "returnUrls"]) {
      if (Object.prototype.hasOwnProperty.call(this, name)) {
        const value = this[name];
        delete this[name];
        this[name] = value;
      }
    }
    this.#mount();
  }

  disconnectedCallback() {
    this.#generation++;
    this.#handle?.destroy();
    this.#handle = null;
  }

  attributeChangedCallback(name, previous, value) {
    if (previous === value) return;
    if (name === "cart" || name === "customer" || name === "shipping-address") {
      const parsed = parseJson(this, name, value);
      if (parsed !== undefined) this[name === "shipping-address" ? "shippingAddress" : name] = parsed;
    } else if (name === "lang" && this.#handle) {
      this.#call("set_lang", value || "en");
    } else if (this.isConnected && (this.#handle || this.#generation)) {
      this.#mount(); // worker-url, country or currency changed: start over
    }
  }

  get cart() { return this.#values.cart; }
  set cart(value) { this.#set("cart", value); }
  get customer() { return this.#values.customer; }
  set customer(value) { this.#set("customer", value); }
  get shippingAddress() { return this.#values.shippingAddress; }
  set shippingAddress(value) { this.#set("shippingAddress", value); }

  /** Return pages `{success, failure, cancel}` (overrides the `*-url` attributes). */
  get returnUrls() { return this.#returns; }
  set returnUrls(value) {
    this.#returns = value ?? null;
    if (this.isConnected && (this.#handle || this.#generation)) this.#mount();
  }

  /**
   * Follows `orderId` on the Worker, dispatching `tamara-order` (detail: the order) at each
   * status change; resolves with the last answer (see `watchOrder`).
   */
  watchOrder(orderId, options = {}) {
    const onStatus = (order) => {
      this.dispatchEvent(new CustomEvent("tamara-order", { bubbles: true, composed: true, detail: order }));
      options.onStatus?.(order);
    };
    return watchOrder(this.getAttribute("worker-url") ?? "", orderId, { ...options, onStatus });
  }

  /** `loading` until the wasm is ready, then the widget's phase. */
  get state() { return this.#handle ? this.#handle.state() : "loading"; }
  /** The Rust handle (null until mounted). */
  get widget() { return this.#handle; }

  #set(name, value) {
    this.#values[name] = value ?? null;
    if (this.#handle) this.#call(INPUTS[name], this.#values[name]);
  }

  #call(method, value) {
    try {
      this.#handle[method](value);
    } catch (e) {
      emitError(this, "invalid_input", "input", e);
    }
  }

  #options() {
    return {
      workerUrl: this.getAttribute("worker-url") ?? "",
      country: this.getAttribute("country") ?? "SA",
      currency: this.getAttribute("currency") ?? "",
      lang: this.getAttribute("lang") ?? "en",
      cart: this.#values.cart,
      customer: this.#values.customer,
      shippingAddress: this.#values.shippingAddress,
      returnUrls: {
        success: absolute(this.#returns?.success ?? this.getAttribute("success-url")),
        failure: absolute(this.#returns?.failure ?? this.getAttribute("failure-url")),
        cancel: absolute(this.#returns?.cancel ?? this.getAttribute("cancel-url")),
      },
    };
  }

  async #mount() {
    const generation = ++this.#generation;
    const early = prefetch(this.#options());
    shadow(this);
    let m;
    try {
      m = await load();
    } catch (e) {
      emitError(this, "load_failed", "load", e);
      return;
    }
    // With the answer already here, the widget mounts and renders the option in one task: no
    // intermediate "checking…" frame to lay out. A slow answer waits at most SETTLE_MS more; then
    // the widget shows that it is checking, and the answer follows.
    if (early) await Promise.race([early.answer.catch(() => {}), new Promise((ok) => setTimeout(ok, SETTLE_MS))]);
    if (generation !== this.#generation || !this.isConnected) return;
    this.#handle?.destroy();
    this.#handle = null;
    try {
      // Current inputs (they may have changed while loading): the widget uses `early` only if
      // its first query is still the one sent.
      this.#handle = m.mount(this, { ...this.#options(), prefetch: early });
    } catch (e) {
      emitError(this, "invalid_config", "mount", e);
    }
  }
}

if (!customElements.get("tamara-checkout")) {
  customElements.define("tamara-checkout", TamaraCheckoutElement);
}

export const TamaraCheckout = { mount, load, formatMoney, watchOrder };
globalThis.TamaraCheckout = TamaraCheckout;
export default TamaraCheckout;
