// Shared helpers of the demo pages: language (en/ar + RTL), JSON calls, money display. No
// framework, no external assets; the only network peer is the Worker, which serves these pages:
// every call goes to the page's own origin (a relative URL). Nothing in the page's URL (query,
// hash) can point the calls elsewhere: the POS page sends the admin token with them, the store the
// shopper's details.

const EXPONENT = { SAR: 2, AED: 2, QAR: 2, KWD: 3, BHD: 3, OMR: 3 };

/** `{amount: "57.50", currency}` → "SAR 57.50" via Intl, from the exact decimal string. */
export function formatMoney(money, lang = "en", country = "SA") {
  const digits = EXPONENT[money.currency] ?? 2;
  const locale = lang === "ar" ? `ar-${country}-u-nu-latn` : `en-${country}`;
  try {
    return new Intl.NumberFormat(locale, {
      style: "currency", currency: money.currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
    }).format(String(money.amount));
  } catch {
    return `${money.amount} ${money.currency}`;
  }
}

const params = new URLSearchParams(location.search);

/** Current language: `?lang=`, else the last choice, else English. */
export function currentLang() {
  const asked = params.get("lang") ?? localStorage.getItem("demo-lang");
  return asked === "ar" ? "ar" : "en";
}

/** Applies `lang` to <html> (lang, dir), the switch buttons and every [data-i18n] text. */
export function applyLang(lang, dict) {
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
  localStorage.setItem("demo-lang", lang);
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const text = dict[lang][el.dataset.i18n];
    if (text !== undefined) el.textContent = text;
  }
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
    const text = dict[lang][el.dataset.i18nPlaceholder];
    if (text !== undefined) el.placeholder = text;
  }
  for (const button of document.querySelectorAll(".lang button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
  const url = new URL(location.href);
  url.searchParams.set("lang", lang);
  history.replaceState(null, "", url);
}

/** Wires the en/ar switch; `onChange(lang)` re-renders the page's dynamic parts. */
export function langSwitch(dict, onChange) {
  let lang = currentLang();
  applyLang(lang, dict);
  for (const button of document.querySelectorAll(".lang button")) {
    button.addEventListener("click", () => {
      lang = button.dataset.lang;
      applyLang(lang, dict);
      onChange(lang);
    });
  }
  return lang;
}

/** An error from the Worker: `{error: {code, message}}` with its status. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

/** JSON call to the Worker at this page's origin (`path` is absolute, "/api/…"); throws ApiError
 * on non-2xx. */
export async function api(path, { method = "GET", body, token, headers = {} } = {}) {
  if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("//") || path.includes("\\")) {
    throw new ApiError(0, "bad_path", "API paths are same-origin paths such as /api/catalog");
  }
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (token) init.headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { ...init, credentials: "same-origin", redirect: "error" });
  } catch (e) {
    throw new ApiError(0, "network_error", e.message);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, data?.error?.code ?? `http_${response.status}`, data?.error?.message ?? "");
  }
  return data;
}

/** Sum of `minor` units (integers only) as a money object in the Worker's shape. */
export function sumMoney(lines, currency) {
  const exponent = EXPONENT[currency] ?? 2;
  let minor = 0n;
  for (const { price, quantity } of lines) minor += BigInt(price.minor) * BigInt(quantity);
  const scale = 10n ** BigInt(exponent);
  const amount = `${minor / scale}.${(minor % scale).toString().padStart(exponent, "0")}`;
  return { amount, minor: Number(minor), currency };
}

/** Order statuses as words, per language. */
export const STATUS = {
  en: {
    new: "Awaiting payment", approved: "Approved", authorised: "Authorised", declined: "Declined",
    canceled: "Canceled", expired: "Expired", fully_captured: "Paid", partially_captured: "Partially paid",
    fully_refunded: "Refunded", partially_refunded: "Partially refunded", updated: "Updated",
  },
  ar: {
    new: "بانتظار الدفع", approved: "تمت الموافقة", authorised: "مُعتمد", declined: "مرفوض",
    canceled: "ملغي", expired: "منتهي الصلاحية", fully_captured: "مدفوع", partially_captured: "مدفوع جزئيًا",
    fully_refunded: "مسترد", partially_refunded: "مسترد جزئيًا", updated: "محدّث",
  },
};

export function statusWord(status, lang) {
  return STATUS[lang][status] ?? status;
}
