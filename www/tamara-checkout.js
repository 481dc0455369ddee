// <tamara-checkout>: Tamara as a payment option, in one snippet.
//
//   <script type="module" src="/tamara-checkout.js"></script>
//   <tamara-checkout worker-url="" country="SA" currency="SAR" lang="en"></tamara-checkout>
//
// Inputs: properties `el.cart = {items: [{sku, quantity}]}`, `el.customer = {first_name,
// last_name, phone_number, email}`, `el.shippingAddress = {first_name, last_name, line1, city,
// country_code, …}`, or the same as JSON attributes `cart='…'`, `customer='…'`,
// `shipping-address='…'`. Prices never come from the page: the Worker prices SKUs.
// Events (bubbling, composed): `tamara-ready`, `tamara-availability` {available, amount,
// reason, options}, `tamara-error` {code, stage, message}, `tamara-redirect` {order_id,
// checkout_url} — cancelable: `preventDefault()` stops `location.assign(checkout_url)`.
// Programmatic: `await TamaraCheckout.mount(element, {workerUrl, country, currency, lang, cart,
// customer, shippingAddress})` → handle {set_cart, set_customer, set_shipping_address,
// set_lang, state, destroy}.
// Theming: CSS custom properties --tamara-accent, --tamara-accent-text, --tamara-radius,
// --tamara-font, --tamara-font-size, --tamara-text, --tamara-muted, --tamara-bg,
// --tamara-border, --tamara-error, --tamara-focus, --tamara-padding; ::part(container|option|button).

const PKG = new URL("./pkg/tamara_widget.js", import.meta.url);
const WASM = new URL("./pkg/tamara_widget_bg.wasm", import.meta.url);

let loading = null;

/** Loads the wasm module once (started as soon as this file is imported). */
export function load() {
  if (!loading) {
    const wasm = fetch(WASM); // in parallel with the glue's import
    loading = import(PKG.href).then(async (m) => {
      await m.default({ module_or_path: wasm });
      return m;
    });
    loading.catch(() => {
      loading = null; // let a later mount try again
    });
  }
  return loading;
}
load().catch(() => {});

// The catalog (to price the cart) is fetched by the page while the wasm loads, then handed to the
// widget: one round trip less before the option shows. Failures fall back to the widget's own fetch.
function prefetchCatalog(base) {
  return fetch(`${base}/api/catalog`, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
}

const EXPONENT = { SAR: 2, AED: 2, QAR: 2, KWD: 3, BHD: 3, OMR: 3 };

/**
 * Formats a Worker money object `{amount: "57.50", minor, currency}` with Intl, from the exact
 * decimal string (no float rounding): "SAR 57.50", "KWD 1.250", Latin digits in Arabic too.
 */
export function formatMoney(money, lang = "en", country = "SA") {
  const currency = money.currency;
  const digits = EXPONENT[currency] ?? 2;
  const locale = lang === "ar" ? `ar-${country}-u-nu-latn` : `en-${country}`;
  try {
    return new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(String(money.amount));
  } catch {
    return `${money.amount} ${currency}`;
  }
}

/** Mounts the widget into `element` (any element that can hold a shadow root). */
export async function mount(element, options = {}) {
  const m = await load();
  return m.mount(element, options);
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

export class TamaraCheckoutElement extends HTMLElement {
  static get observedAttributes() {
    return ["worker-url", "country", "currency", "lang", "cart", "customer", "shipping-address"];
  }

  #handle = null;
  #values = { cart: null, customer: null, shippingAddress: null };
  #generation = 0;

  connectedCallback() {
    // Properties set before the element was upgraded shadow the accessors: re-apply them.
    for (const name of Object.keys(INPUTS)) {
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

  async #mount() {
    const generation = ++this.#generation;
    const base = (this.getAttribute("worker-url") ?? "").replace(/\/+$/, "");
    let m;
    let catalog;
    try {
      [m, catalog] = await Promise.all([load(), prefetchCatalog(base)]);
    } catch (e) {
      emitError(this, "load_failed", "load", e);
      return;
    }
    if (generation !== this.#generation || !this.isConnected) return;
    this.#handle?.destroy();
    this.#handle = null;
    try {
      this.#handle = m.mount(this, {
        workerUrl: this.getAttribute("worker-url") ?? "",
        country: this.getAttribute("country") ?? "SA",
        currency: this.getAttribute("currency") ?? "",
        lang: this.getAttribute("lang") ?? "en",
        cart: this.#values.cart,
        customer: this.#values.customer,
        shippingAddress: this.#values.shippingAddress,
        catalog,
      });
    } catch (e) {
      emitError(this, "invalid_config", "mount", e);
    }
  }
}

if (!customElements.get("tamara-checkout")) {
  customElements.define("tamara-checkout", TamaraCheckoutElement);
}

// A page's first Intl.NumberFormat costs tens of ms (ICU data): pay it now, while the wasm and
// the catalog are on their way (both requests are already out), not after the options arrive.
try {
  new Intl.NumberFormat("en", { style: "currency", currency: "SAR" }).format(0);
} catch {
  // no Intl: the widget falls back to "57.50 SAR"
}

export const TamaraCheckout = { mount, load, formatMoney };
globalThis.TamaraCheckout = TamaraCheckout;
export default TamaraCheckout;
