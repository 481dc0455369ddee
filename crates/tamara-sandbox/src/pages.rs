//! Hosted pages: the HTML the shopper's browser sees (checkout page, in-store pay link, result and
//! error notices).
//!
//! Pure rendering, no I/O: every function takes a plain view struct (time included) and returns a
//! complete HTML5 document as a `String`. Pages come in English and Arabic (`lang="ar"
//! dir="rtl"`), use inline CSS only (no external assets), and HTML-escape every piece of user data
//! with [`escape`]. Amounts are [`Money`] in integer minor units; the instalment plan comes from
//! [`Money::split`], so it always adds up to the total exactly.
//!
//! Form contract (see `docs/CONTRACTS.md` §1.2):
//! * checkout: `POST /hosted/checkout/{checkout_id}`, fields `phone` and `action` =
//!   `pay` | `decline` | `cancel` (button ids `pay`, `decline`, `cancel`);
//! * in-store: `POST /hosted/pay/{checkout_id}`, fields `phone` and `action` = `pay` | `decline`.

use std::fmt::Write as _;

use tamara_core::display::money_text;
use tamara_core::money::Money;
use tamara_core::{Locale, OrderStatus, Timestamp};

/// The documented sandbox phone that approves.
pub const APPROVE_PHONE: &str = "544337866";
/// The documented sandbox phone that declines.
pub const DECLINE_PHONE: &str = "526422337";

/// One line of the order summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineView {
    /// Item name (user data: escaped when rendered).
    pub name: String,
    /// Quantity.
    pub quantity: u32,
    /// Line total.
    pub total: Money,
}

/// Everything the online checkout page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutPageView {
    /// Checkout session id (used in the form action).
    pub checkout_id: String,
    /// Tamara order id.
    pub order_id: String,
    /// Merchant's order reference.
    pub order_reference_id: String,
    /// Merchant display name.
    pub merchant_name: String,
    /// Order lines.
    pub items: Vec<LineView>,
    /// Shipping amount.
    pub shipping: Money,
    /// Tax amount.
    pub tax: Money,
    /// Discount, if any (shown as a negative line).
    pub discount: Option<Money>,
    /// Order total (what the plan splits).
    pub total: Money,
    /// Number of instalments (`0` or `1` means pay in full).
    pub instalments: u32,
    /// Consumer phone, prefilled in the phone input.
    pub consumer_phone: String,
    /// Page language.
    pub locale: Locale,
    /// Current order status; the form is shown only for `new`.
    pub status: OrderStatus,
    /// When the session expires.
    pub expires_at: Timestamp,
    /// The sandbox clock's now.
    pub now: Timestamp,
}

/// Everything the in-store pay-link page (`GET /pay/{checkout_id}`) shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayLinkPageView {
    /// Checkout session id (used in the form action).
    pub checkout_id: String,
    /// Tamara order id.
    pub order_id: String,
    /// Merchant's order reference.
    pub order_reference_id: String,
    /// Merchant / store display name.
    pub merchant_name: String,
    /// Order lines (in-store sessions may have none: only an amount).
    pub items: Vec<LineView>,
    /// Total to pay.
    pub total: Money,
    /// Number of instalments (`0` or `1` means pay in full).
    pub instalments: u32,
    /// Consumer phone, prefilled.
    pub consumer_phone: String,
    /// Page language.
    pub locale: Locale,
    /// Current order status; the form is shown only for `new`.
    pub status: OrderStatus,
    /// When the session expires.
    pub expires_at: Timestamp,
    /// The sandbox clock's now.
    pub now: Timestamp,
}

/// A simple page with a title and a paragraph (result, expired, already decided, not found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultPageView {
    /// Heading (escaped).
    pub title: String,
    /// Paragraph (escaped).
    pub body: String,
    /// Page language.
    pub locale: Locale,
}

/// Ready-made, translated notices for the common outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Unknown checkout id.
    NotFound,
    /// The session has expired.
    Expired,
    /// The session was already decided (carries the order's status).
    AlreadyDecided(OrderStatus),
    /// In-store: the shopper paid.
    Paid,
    /// The shopper was declined.
    Declined,
    /// The shopper canceled.
    Canceled,
    /// The store voided (cancelled) the payment link before it was paid.
    Voided,
}

impl Notice {
    /// Title and body in `locale`.
    pub fn text(&self, locale: &Locale) -> (String, String) {
        let ar = locale.is_arabic();
        let pick = |en: &str, a: &str| if ar { a.to_owned() } else { en.to_owned() };
        match self {
            Notice::NotFound => (
                pick("Checkout not found", "لم يتم العثور على عملية الدفع"),
                pick(
                    "This payment link does not exist or is no longer available.",
                    "رابط الدفع هذا غير موجود أو لم يعد متاحًا.",
                ),
            ),
            Notice::Expired => (
                pick("Checkout expired", "انتهت صلاحية عملية الدفع"),
                pick(
                    "This checkout session has expired. Please return to the store and try again.",
                    "انتهت صلاحية جلسة الدفع هذه. يرجى العودة إلى المتجر والمحاولة مرة أخرى.",
                ),
            ),
            Notice::AlreadyDecided(status) => (
                pick("Checkout already completed", "تمت معالجة عملية الدفع مسبقًا"),
                if ar {
                    format!(
                        "تمت معالجة هذا الطلب مسبقًا (الحالة: {}).",
                        status_label(status, true)
                    )
                } else {
                    format!(
                        "This order has already been processed (status: {}).",
                        status_label(status, false)
                    )
                },
            ),
            Notice::Paid => (
                pick("Payment successful", "تم الدفع بنجاح"),
                pick(
                    "Thank you! Your first payment was received. You can return to the cashier.",
                    "شكرًا لك! تم استلام دفعتك الأولى. يمكنك العودة إلى أمين الصندوق.",
                ),
            ),
            Notice::Declined => (
                pick("Payment declined", "تم رفض الدفع"),
                pick(
                    "Tamara could not approve this purchase.",
                    "لم تتمكن تمارا من الموافقة على عملية الشراء هذه.",
                ),
            ),
            Notice::Canceled => (
                pick("Payment canceled", "تم إلغاء الدفع"),
                pick("You canceled this checkout.", "لقد ألغيت عملية الدفع هذه."),
            ),
            Notice::Voided => (
                pick("Payment link cancelled", "تم إلغاء رابط الدفع"),
                pick(
                    "The store cancelled this payment link. Nothing was charged; ask the cashier for a new link.",
                    "ألغى المتجر رابط الدفع هذا. لم يُخصم أي مبلغ؛ اطلب رابطًا جديدًا من أمين الصندوق.",
                ),
            ),
        }
    }
}

/// Escapes text for HTML element content and (quoted) attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '`' => out.push_str("&#96;"),
            // Control characters other than tab/newline have no business in a page.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a path segment (ids in form actions), so no id can break out of the URL.
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Money wrapped for bidirectional text (digits stay left-to-right inside RTL pages), written
/// by [`money_text`] like everywhere else (`SAR\u{a0}57.50`, `\u{200f}57.50\u{a0}ر.س.\u{200f}`).
fn money_html(m: Money, locale: &Locale) -> String {
    format!(
        "<bdi class=\"amt\">{}</bdi>",
        escape(&money_text(m, locale.is_arabic()))
    )
}

fn status_label(s: &OrderStatus, ar: bool) -> String {
    if !ar {
        let words = s.as_str().replace('_', " ");
        let mut chars = words.chars();
        return match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => words,
        };
    }
    match s {
        OrderStatus::New => "جديد",
        OrderStatus::Approved => "تمت الموافقة",
        OrderStatus::Declined => "مرفوض",
        OrderStatus::Expired => "منتهي الصلاحية",
        OrderStatus::Authorised => "مُعتمد",
        OrderStatus::Canceled => "ملغى",
        OrderStatus::Updated => "مُحدَّث",
        OrderStatus::PartiallyCaptured => "محصّل جزئيًا",
        OrderStatus::FullyCaptured => "محصّل بالكامل",
        OrderStatus::PartiallyRefunded => "مسترد جزئيًا",
        OrderStatus::FullyRefunded => "مسترد بالكامل",
        OrderStatus::Unknown(u) => return u.replace('_', " "),
    }
    .to_owned()
}

/// A calendar date (proleptic Gregorian, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Date {
    year: i64,
    month: u32,
    day: u32,
}

/// Days since 1970-01-01 → civil date (H. Hinnant's algorithm, integer only).
fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    Date {
        year: if m <= 2 { y + 1 } else { y },
        month: u32::try_from(m).unwrap_or(1),
        day: u32::try_from(d).unwrap_or(1),
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    fn of(t: Timestamp) -> Date {
        civil_from_days(t.millis().div_euclid(86_400_000))
    }

    /// Same day `k` months later, clamped to the month's length (Jan 31 + 1 month = Feb 28/29).
    fn plus_months(self, k: u32) -> Date {
        let idx = self.year * 12 + i64::from(self.month - 1) + i64::from(k);
        let year = idx.div_euclid(12);
        let month = u32::try_from(idx.rem_euclid(12)).unwrap_or(0) + 1;
        Date {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }

    fn format(self, ar: bool) -> String {
        const EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        const AR: [&str; 12] = [
            "يناير",
            "فبراير",
            "مارس",
            "أبريل",
            "مايو",
            "يونيو",
            "يوليو",
            "أغسطس",
            "سبتمبر",
            "أكتوبر",
            "نوفمبر",
            "ديسمبر",
        ];
        let i = usize::try_from(self.month.saturating_sub(1)).unwrap_or(0) % 12;
        let name = if ar { AR[i] } else { EN[i] };
        format!("{} {} {}", self.day, name, self.year)
    }
}

/// One row of the instalment plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    /// 1-based instalment number.
    pub number: u32,
    /// Amount due.
    pub amount: Money,
    /// Due date label (`Today` / `22 Dec 2026`).
    pub due: String,
}

/// The plan: `n` instalments adding up exactly to `total`, the first due today (`now`), the
/// following ones monthly on the same day of the month.
pub fn instalment_plan(
    total: Money,
    instalments: u32,
    now: Timestamp,
    locale: &Locale,
) -> Vec<PlanRow> {
    let ar = locale.is_arabic();
    let today = Date::of(now);
    total
        .split(instalments.max(1))
        .into_iter()
        .zip(0u32..)
        .map(|(amount, k)| PlanRow {
            number: k + 1,
            amount,
            due: if k == 0 {
                if ar { "اليوم" } else { "Today" }.to_owned()
            } else {
                today.plus_months(k).format(ar)
            },
        })
        .collect()
}

/// `n` payments in Arabic with number agreement: «دفعة واحدة», the dual «دفعتان», «3 دفعات»
/// (3–10: plural), «11 دفعة» (11 and more: singular).
fn ar_payments(n: u32) -> String {
    match n {
        0 | 1 => "دفعة واحدة".to_owned(),
        2 => "دفعتان".to_owned(),
        3..=10 => format!("{n} دفعات"),
        _ => format!("{n} دفعة"),
    }
}

/// `n` monthly payments in Arabic, the adjective agreeing: «دفعتان شهريتان», «3 دفعات شهرية».
fn ar_monthly_payments(n: u32) -> String {
    match n {
        0 | 1 => "دفعة شهرية واحدة".to_owned(),
        2 => "دفعتان شهريتان".to_owned(),
        3..=10 => format!("{n} دفعات شهرية"),
        _ => format!("{n} دفعة شهرية"),
    }
}

/// The one-line plan summary: `4 payments of SAR\u{a0}57.50` (or the uneven/pay-in-full
/// variants), amounts written by [`money_text`].
pub fn plan_summary(total: Money, instalments: u32, locale: &Locale) -> String {
    let ar = locale.is_arabic();
    let n = instalments.max(1);
    let parts = total.split(n);
    if n == 1 {
        let m = money_text(total, ar);
        return if ar {
            format!("ادفع المبلغ كاملًا: {m}")
        } else {
            format!("Pay in full: {m}")
        };
    }
    let first = parts.first().copied().unwrap_or(total);
    let last = parts.last().copied().unwrap_or(total);
    if first == last {
        let m = money_text(first, ar);
        if ar {
            format!("{} بقيمة {m}", ar_payments(n))
        } else {
            format!("{n} payments of {m}")
        }
    } else {
        let f = money_text(first, ar);
        let rest = n - 1;
        if ar {
            format!(
                "{}: {f} اليوم، ثم {}",
                ar_payments(n),
                ar_monthly_payments(rest)
            )
        } else if rest == 1 {
            format!("{n} payments: {f} today, then 1 monthly payment")
        } else {
            format!("{n} payments: {f} today, then {rest} monthly payments")
        }
    }
}

/// Translated UI strings.
#[derive(Debug)]
struct Strings {
    sandbox: &'static str,
    checkout_title: &'static str,
    pay_link_title: &'static str,
    merchant: &'static str,
    order_ref: &'static str,
    order_id: &'static str,
    summary: &'static str,
    item: &'static str,
    qty: &'static str,
    amount: &'static str,
    shipping: &'static str,
    tax: &'static str,
    discount: &'static str,
    total: &'static str,
    plan: &'static str,
    number: &'static str,
    due: &'static str,
    phone: &'static str,
    phone_help: &'static str,
    pay: &'static str,
    pay_full: &'static str,
    list_sep: &'static str,
    decline: &'static str,
    cancel: &'static str,
    test_phones: &'static str,
    approves: &'static str,
    declines: &'static str,
    expires_in: &'static str,
    minutes: &'static str,
    status: &'static str,
}

const EN: Strings = Strings {
    sandbox: "SANDBOX — test environment, no real money moves",
    checkout_title: "Pay with Tamara",
    pay_link_title: "In-store payment",
    merchant: "Merchant",
    order_ref: "Order reference",
    order_id: "Tamara order",
    summary: "Order summary",
    item: "Item",
    qty: "Qty",
    amount: "Amount",
    shipping: "Shipping",
    tax: "Tax",
    discount: "Discount",
    total: "Total",
    plan: "Payment plan",
    number: "Payment",
    due: "Due",
    phone: "Mobile number",
    phone_help: "Sandbox: no code is sent; the number decides the outcome (test phones below).",
    pay: "Pay first instalment",
    pay_full: "Pay in full",
    list_sep: ", ",
    decline: "Decline",
    cancel: "Cancel and return to store",
    test_phones: "Sandbox test phones:",
    approves: "approves",
    declines: "declines",
    expires_in: "This session expires in",
    minutes: "min",
    status: "Status",
};

const AR: Strings = Strings {
    sandbox: "بيئة تجريبية (SANDBOX) — لا تُنقل أموال حقيقية",
    checkout_title: "ادفع مع تمارا",
    pay_link_title: "الدفع في المتجر",
    merchant: "التاجر",
    order_ref: "مرجع الطلب",
    order_id: "طلب تمارا",
    summary: "ملخص الطلب",
    item: "المنتج",
    qty: "الكمية",
    amount: "المبلغ",
    shipping: "الشحن",
    tax: "الضريبة",
    discount: "الخصم",
    total: "الإجمالي",
    plan: "خطة الدفع",
    number: "الدفعة",
    due: "تاريخ الاستحقاق",
    phone: "رقم الجوال",
    phone_help: "بيئة تجريبية: لا يُرسل أي رمز، والرقم يحدد النتيجة (أرقام الاختبار أدناه).",
    pay: "ادفع الدفعة الأولى",
    pay_full: "ادفع المبلغ كاملًا",
    list_sep: "، ",
    decline: "رفض",
    cancel: "إلغاء والعودة إلى المتجر",
    test_phones: "أرقام الاختبار في البيئة التجريبية:",
    approves: "يوافق",
    declines: "يرفض",
    expires_in: "تنتهي صلاحية هذه الجلسة خلال",
    minutes: "دقيقة",
    status: "الحالة",
};

fn strings(locale: &Locale) -> &'static Strings {
    if locale.is_arabic() {
        &AR
    } else {
        &EN
    }
}

const CSS: &str = "\
*{box-sizing:border-box}\
body{margin:0;font-family:system-ui,-apple-system,\"Segoe UI\",Tahoma,Arial,sans-serif;background:#f4f4f6;color:#1d1d1f;line-height:1.5}\
.sandbox{background:#b00020;color:#fff;text-align:center;font-weight:700;padding:.5rem 1rem;letter-spacing:.03em}\
main{max-width:40rem;margin:1.5rem auto;padding:0 1rem}\
.card{background:#fff;border-radius:12px;padding:1.25rem;margin-bottom:1rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}\
h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:0 0 .75rem}\
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0}dt{color:#555}dd{margin:0;word-break:break-all}\
table{width:100%;border-collapse:collapse}th,td{padding:.4rem .25rem;text-align:start;border-bottom:1px solid #eee}\
td.num,th.num{text-align:end;white-space:nowrap}tfoot th,tfoot td{font-weight:700;border-bottom:0}\
.summary{font-size:1.15rem;font-weight:700;margin:0 0 .75rem}\
label{display:block;font-weight:600;margin-bottom:.25rem}\
input[type=tel]{width:100%;font-size:1.1rem;padding:.6rem;border:1px solid #bbb;border-radius:8px}\
.help{color:#555;font-size:.9rem;margin:.25rem 0 1rem}\
.actions{display:flex;flex-wrap:wrap;gap:.5rem}\
button{flex:1 1 12rem;font-size:1rem;padding:.75rem 1rem;border-radius:8px;border:1px solid #1d1d1f;background:#fff;cursor:pointer}\
button#pay{background:#1d1d1f;color:#fff}button:focus-visible,input:focus-visible{outline:3px solid #3b82f6;outline-offset:2px}\
.hint{background:#fff8e1;border:1px dashed #c9a100;border-radius:8px;padding:.5rem .75rem;font-size:.9rem;margin-top:1rem}\
.notice{font-size:1.05rem}.amt{white-space:nowrap}#plan td:nth-child(2){white-space:nowrap}\
ol.sms{list-style:none;padding:0;margin:0}.sms-item{border-top:1px solid #eee;padding:.5rem 0}.sms-item p{margin:.25rem 0;overflow-wrap:anywhere}\
a{color:#1d4ed8}\
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\
@media (max-width:30rem){main{margin:.5rem auto}.card{padding:1rem}button{flex-basis:100%}}";

fn page(locale: &Locale, title: &str, body: &str) -> String {
    let (lang, dir) = if locale.is_arabic() {
        ("ar", "rtl")
    } else {
        ("en", "ltr")
    };
    let s = strings(locale);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'\">\n\
<meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
<header><div class=\"sandbox\" role=\"note\" id=\"sandbox-banner\">{banner}</div></header>\n<main>\n{body}</main>\n</body>\n</html>\n",
        title = escape(title),
        banner = escape(s.sandbox),
    )
}

fn details_html(
    s: &Strings,
    merchant: &str,
    reference: &str,
    order_id: &str,
    status: &OrderStatus,
    ar: bool,
) -> String {
    format!(
        "<dl>\n<dt>{}</dt><dd id=\"merchant\">{}</dd>\n<dt>{}</dt><dd id=\"order-reference\"><bdi>{}</bdi></dd>\n\
<dt>{}</dt><dd id=\"order-id\"><bdi>{}</bdi></dd>\n<dt>{}</dt><dd id=\"status\">{}</dd>\n</dl>\n",
        escape(s.merchant),
        escape(merchant),
        escape(s.order_ref),
        escape(reference),
        escape(s.order_id),
        escape(order_id),
        escape(s.status),
        escape(&status_label(status, ar)),
    )
}

fn items_table(
    s: &Strings,
    items: &[LineView],
    extra: &[(&str, String)],
    total: Money,
    locale: &Locale,
) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<table id=\"order-summary\">\n<caption class=\"visually-hidden\">{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        escape(s.summary),
        escape(s.item),
        escape(s.qty),
        escape(s.amount)
    );
    for it in items {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&it.name),
            it.quantity,
            money_html(it.total, locale)
        );
    }
    h.push_str("</tbody>\n<tfoot>\n");
    for (label, value) in extra {
        let _ = writeln!(
            h,
            "<tr class=\"sub\"><th scope=\"row\" colspan=\"2\">{}</th><td class=\"num\">{}</td></tr>",
            escape(label),
            value
        );
    }
    let _ = write!(
        h,
        "<tr><th scope=\"row\" colspan=\"2\">{}</th><td class=\"num\" id=\"total\">{}</td></tr>\n</tfoot>\n</table>\n",
        escape(s.total),
        money_html(total, locale)
    );
    h
}

fn plan_html(
    s: &Strings,
    total: Money,
    instalments: u32,
    now: Timestamp,
    locale: &Locale,
) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<section class=\"card\" aria-labelledby=\"plan-h\">\n<h2 id=\"plan-h\">{}</h2>\n<p class=\"summary\" id=\"plan-summary\">{}</p>\n\
<table id=\"plan\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        escape(s.plan),
        escape(&plan_summary(total, instalments, locale)),
        escape(s.number),
        escape(s.due),
        escape(s.amount),
    );
    for row in instalment_plan(total, instalments, now, locale) {
        let _ = writeln!(
            h,
            "<tr class=\"instalment\"><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            row.number,
            escape(&row.due),
            money_html(row.amount, locale)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
    h
}

fn hint_html(s: &Strings) -> String {
    format!(
        "<p class=\"hint\" id=\"test-phones\">{} <bdi>{APPROVE_PHONE}</bdi> {}{}<bdi>{DECLINE_PHONE}</bdi> {}.</p>\n",
        escape(s.test_phones),
        escape(s.approves),
        s.list_sep,
        escape(s.declines)
    )
}

fn expiry_html(s: &Strings, expires_at: Timestamp, now: Timestamp) -> String {
    // Whole minutes left, rounded up (integer arithmetic).
    let ms = expires_at.since(now).max(0);
    let minutes = (ms + 59_999) / 60_000;
    format!(
        "<p class=\"help\" id=\"expiry\">{} {} {}.</p>\n",
        escape(s.expires_in),
        minutes,
        escape(s.minutes)
    )
}

/// The form (only for an open session) or a notice explaining why there is none.
fn form_or_notice(
    action: &str,
    phone: &str,
    buttons: &[(&str, &str)],
    status: &OrderStatus,
    expires_at: Timestamp,
    now: Timestamp,
    locale: &Locale,
) -> String {
    let s = strings(locale);
    let notice = if now >= expires_at || *status == OrderStatus::Expired {
        Some(Notice::Expired)
    } else if *status == OrderStatus::Canceled {
        Some(Notice::Voided)
    } else if *status != OrderStatus::New {
        Some(Notice::AlreadyDecided(status.clone()))
    } else {
        None
    };
    if let Some(n) = notice {
        let (title, body) = n.text(locale);
        return format!(
            "<section class=\"card notice\" role=\"status\" id=\"notice\">\n<h2>{}</h2>\n<p>{}</p>\n</section>\n",
            escape(&title),
            escape(&body)
        );
    }
    let mut h = String::new();
    let _ = write!(
        h,
        "<section class=\"card\">\n<form method=\"post\" action=\"{}\" id=\"checkout-form\">\n\
<label for=\"phone\">{}</label>\n\
<input type=\"tel\" id=\"phone\" name=\"phone\" value=\"{}\" inputmode=\"tel\" autocomplete=\"tel\" dir=\"ltr\" aria-describedby=\"phone-help\">\n\
<p class=\"help\" id=\"phone-help\">{}</p>\n<div class=\"actions\">\n",
        escape(action),
        escape(s.phone),
        escape(phone),
        escape(s.phone_help),
    );
    for (value, label) in buttons {
        let _ = writeln!(
            h,
            "<button type=\"submit\" name=\"action\" value=\"{v}\" id=\"{v}\">{}</button>",
            escape(label),
            v = escape(value),
        );
    }
    h.push_str("</div>\n</form>\n");
    h.push_str(&expiry_html(s, expires_at, now));
    h.push_str(&hint_html(s));
    h.push_str("</section>\n");
    h
}

/// The pay button: the first instalment, or the whole amount for a plan paid at once.
fn pay_label(s: &Strings, instalments: u32) -> &'static str {
    if instalments > 1 {
        s.pay
    } else {
        s.pay_full
    }
}

/// The start of a session page: the title card with the order details, then the opening of
/// the summary card (its heading).
fn session_head(
    s: &Strings,
    title: &str,
    merchant: &str,
    reference: &str,
    order_id: &str,
    status: &OrderStatus,
    locale: &Locale,
) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<section class=\"card\" aria-labelledby=\"title\">\n<h1 id=\"title\">{}</h1>\n",
        escape(title)
    );
    body.push_str(&details_html(
        s,
        merchant,
        reference,
        order_id,
        status,
        locale.is_arabic(),
    ));
    body.push_str("</section>\n<section class=\"card\" aria-labelledby=\"summary-h\">\n");
    let _ = writeln!(body, "<h2 id=\"summary-h\">{}</h2>", escape(s.summary));
    body
}

/// The online checkout page (`GET /checkout/{checkout_id}`).
pub fn render_checkout(v: &CheckoutPageView) -> String {
    let s = strings(&v.locale);
    let mut body = session_head(
        s,
        s.checkout_title,
        &v.merchant_name,
        &v.order_reference_id,
        &v.order_id,
        &v.status,
        &v.locale,
    );
    let mut extra = vec![
        (s.shipping, money_html(v.shipping, &v.locale)),
        (s.tax, money_html(v.tax, &v.locale)),
    ];
    if let Some(d) = v.discount.filter(|d| !d.is_zero()) {
        extra.push((s.discount, format!("−{}", money_html(d, &v.locale))));
    }
    body.push_str(&items_table(s, &v.items, &extra, v.total, &v.locale));
    body.push_str("</section>\n");
    body.push_str(&plan_html(s, v.total, v.instalments, v.now, &v.locale));
    let action = format!("/hosted/checkout/{}", path_segment(&v.checkout_id));
    body.push_str(&form_or_notice(
        &action,
        &v.consumer_phone,
        &[
            ("pay", pay_label(s, v.instalments)),
            ("decline", s.decline),
            ("cancel", s.cancel),
        ],
        &v.status,
        v.expires_at,
        v.now,
        &v.locale,
    ));
    page(&v.locale, s.checkout_title, &body)
}

/// The in-store pay-link page (`GET /pay/{checkout_id}`).
pub fn render_pay_link(v: &PayLinkPageView) -> String {
    let s = strings(&v.locale);
    let mut body = session_head(
        s,
        s.pay_link_title,
        &v.merchant_name,
        &v.order_reference_id,
        &v.order_id,
        &v.status,
        &v.locale,
    );
    body.push_str(&items_table(s, &v.items, &[], v.total, &v.locale));
    body.push_str("</section>\n");
    body.push_str(&plan_html(s, v.total, v.instalments, v.now, &v.locale));
    let action = format!("/hosted/pay/{}", path_segment(&v.checkout_id));
    body.push_str(&form_or_notice(
        &action,
        &v.consumer_phone,
        &[("pay", pay_label(s, v.instalments)), ("decline", s.decline)],
        &v.status,
        v.expires_at,
        v.now,
        &v.locale,
    ));
    page(&v.locale, s.pay_link_title, &body)
}

/// One message of the SMS outbox page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsView {
    /// Phone the message went to.
    pub phone: String,
    /// The text (in the message's own language).
    pub text: String,
    /// The payment link in it.
    pub link: String,
    /// `en` or `ar`: the message's language.
    pub lang: String,
    /// Tamara order id.
    pub order_id: String,
}

/// The SMS outbox (`GET /_sandbox/sms` from a browser): newest first, each link clickable.
pub fn render_sms_outbox(messages: &[SmsView], locale: &Locale) -> String {
    let ar = locale.is_arabic();
    let (title, empty, open, to) = if ar {
        (
            "صندوق الرسائل (بيئة تجريبية)",
            "لا توجد رسائل بعد. أرسل رابط دفع من صفحة نقطة البيع.",
            "افتح رابط الدفع",
            "إلى",
        )
    } else {
        (
            "SMS outbox (sandbox)",
            "No messages yet. Send a payment link from the POS page.",
            "Open the payment link",
            "To",
        )
    };
    let mut body = format!(
        "<section class=\"card\" aria-labelledby=\"title\">\n<h1 id=\"title\">{}</h1>\n",
        escape(title)
    );
    if messages.is_empty() {
        let _ = writeln!(body, "<p id=\"sms-empty\">{}</p>", escape(empty));
    } else {
        body.push_str("<ol class=\"sms\" id=\"sms-list\" reversed>\n");
        for m in messages.iter().rev() {
            let (lang, dir) = if m.lang == "ar" {
                ("ar", "rtl")
            } else {
                ("en", "ltr")
            };
            let _ = writeln!(
                body,
                "<li class=\"sms-item\" data-order-id=\"{id}\"><p class=\"help\">{to} <bdi dir=\"ltr\">+{phone}</bdi></p>\
<p lang=\"{lang}\" dir=\"{dir}\">{text}</p><p><a href=\"{link}\" lang=\"{page_lang}\">{open}</a></p></li>",
                id = escape(&m.order_id),
                to = escape(to),
                phone = escape(&m.phone),
                text = escape(&m.text),
                link = escape(&m.link),
                page_lang = if ar { "ar" } else { "en" },
                open = escape(open),
            );
        }
        body.push_str("</ol>\n");
    }
    body.push_str("</section>\n");
    page(locale, title, &body)
}

/// A simple page: heading + paragraph (both escaped).
pub fn render_message(title: &str, body: &str, locale: &Locale) -> String {
    let inner = format!(
        "<section class=\"card notice\" role=\"status\" id=\"notice\">\n<h1 id=\"title\">{}</h1>\n<p>{}</p>\n</section>\n",
        escape(title),
        escape(body)
    );
    page(locale, title, &inner)
}

/// [`render_message`] for a [`ResultPageView`].
pub fn render_result(v: &ResultPageView) -> String {
    render_message(&v.title, &v.body, &v.locale)
}

/// [`render_message`] for a ready-made translated [`Notice`].
pub fn render_notice(notice: &Notice, locale: &Locale) -> String {
    let (title, body) = notice.text(locale);
    render_message(&title, &body, locale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamara_core::money::Currency;

    const NOW: Timestamp = Timestamp::from_millis(1_795_305_600_000); // 2026-11-22T00:00:00Z

    fn sar(minor: u64) -> Money {
        Money::from_minor(minor, Currency::Sar).unwrap()
    }

    fn view(locale: Locale) -> CheckoutPageView {
        CheckoutPageView {
            checkout_id: "c0ffee00-0000-4000-8000-000000000001".into(),
            order_id: "0a0a0a0a-0000-4000-8000-000000000002".into(),
            order_reference_id: "REF-1001".into(),
            merchant_name: "Demo Store".into(),
            items: vec![
                LineView {
                    name: "T-shirt".into(),
                    quantity: 2,
                    total: sar(20000),
                },
                LineView {
                    name: "Socks".into(),
                    quantity: 1,
                    total: sar(1000),
                },
            ],
            shipping: sar(2000),
            tax: sar(0),
            discount: None,
            total: sar(23000),
            instalments: 4,
            consumer_phone: "544337866".into(),
            locale,
            status: OrderStatus::New,
            expires_at: NOW.plus(30 * 60_000),
            now: NOW,
        }
    }

    /// Every `<tag` opened that must be closed is closed (cheap well-formedness check).
    fn balanced(html: &str, tag: &str) -> bool {
        html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count()
            == html.matches(&format!("</{tag}>")).count()
    }

    #[test]
    fn escape_neutralises_xss_payloads() {
        for payload in [
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "'><svg/onload=alert(1)>",
            "`onmouseover=alert(1)`",
            "</title><script>x</script>",
            "&lt;already&gt;",
        ] {
            let e = escape(payload);
            for bad in ['<', '>', '"', '\'', '`'] {
                assert!(!e.contains(bad), "{payload:?} → {e:?} still has {bad:?}");
            }
            // Every `&` starts an entity we wrote.
            for (i, _) in e.match_indices('&') {
                let rest = &e[i..];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#96;"]
                        .iter()
                        .any(|ent| rest.starts_with(ent)),
                    "{e}"
                );
            }
        }
        assert_eq!(escape("a&b"), "a&amp;b");
        assert_eq!(escape("<b>"), "&lt;b&gt;");
        assert_eq!(escape("x\u{0}y"), "x\u{FFFD}y");
        assert_eq!(escape("تمارا"), "تمارا");
    }

    #[test]
    fn user_data_is_escaped_everywhere() {
        let evil = "<script>alert('x')</script>";
        let mut v = view(Locale::EnUs);
        v.merchant_name = evil.into();
        v.order_reference_id = evil.into();
        v.order_id = evil.into();
        v.checkout_id = "\"><script>".into();
        v.consumer_phone = "\" autofocus onfocus=\"alert(1)".into();
        v.items[0].name = evil.into();
        let html = render_checkout(&v);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onfocus=\"alert"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("action=\"/hosted/checkout/%22%3E%3Cscript%3E\""));
        assert!(html.contains("value=\"&quot; autofocus onfocus=&quot;alert(1)\""));
        let msg = render_message(evil, evil, &Locale::EnUs);
        assert!(!msg.contains("<script"));
    }

    #[test]
    fn english_checkout_page_has_form_plan_and_banner() {
        let html = render_checkout(&view(Locale::EnUs));
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">"));
        assert!(html.trim_end().ends_with("</html>"));
        for tag in [
            "html", "head", "body", "main", "table", "form", "section", "tr", "button",
        ] {
            assert!(balanced(&html, tag), "unbalanced <{tag}>");
        }
        assert!(html.contains(
            "<form method=\"post\" action=\"/hosted/checkout/c0ffee00-0000-4000-8000-000000000001\""
        ));
        assert!(html.contains("name=\"phone\" value=\"544337866\""));
        assert!(html.contains("<label for=\"phone\">"));
        for a in ["pay", "decline", "cancel"] {
            assert!(
                html.contains(&format!(
                    "type=\"submit\" name=\"action\" value=\"{a}\" id=\"{a}\""
                )),
                "{a}"
            );
        }
        assert!(html.contains("id=\"sandbox-banner\">SANDBOX"));
        assert!(html.contains("4 payments of SAR\u{a0}57.50"));
        assert!(html.contains(APPROVE_PHONE) && html.contains(DECLINE_PHONE));
        assert!(html.contains("T-shirt") && html.contains("SAR\u{a0}200.00"));
        assert!(html.contains("SAR\u{a0}230.00"));
        assert!(html.contains("expires in 30 min"));
        // Inline CSS only: no external assets.
        assert!(!html.contains("<link") && !html.contains("src=") && !html.contains("://"));
        assert!(html.contains("<style>") && html.contains("@media"));
        // Plan: today, then the 22nd of the next three months.
        assert_eq!(html.matches("class=\"instalment\"").count(), 4);
        assert!(html.contains("<td>1</td><td>Today</td>"));
        assert!(html.contains("22 Dec 2026") && html.contains("22 Jan 2027"));
        assert!(html.contains("22 Feb 2027"));
    }

    #[test]
    fn arabic_page_is_rtl_and_translated() {
        let html = render_checkout(&view(Locale::ArSa));
        assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"));
        assert!(html.contains("ادفع مع تمارا"));
        assert!(html.contains("4 دفعات بقيمة \u{200f}57.50\u{a0}ر.س.\u{200f}"));
        assert!(html.contains("اليوم"));
        assert!(html.contains("ديسمبر"));
        assert!(html.contains("رقم الجوال"));
        assert!(!html.contains("Pay with Tamara"));
        // Still the same form contract.
        assert!(html.contains("value=\"pay\" id=\"pay\""));
        assert!(html.contains("value=\"cancel\" id=\"cancel\""));
        // `ar_AE`-style unknown Arabic locales are Arabic too.
        let html = render_checkout(&view(Locale::parse("ar_AE")));
        assert!(html.contains("dir=\"rtl\""));
    }

    #[test]
    fn instalment_plans_add_up_exactly() {
        for (minor, cur, n) in [
            (23000, Currency::Sar, 4),
            (10001, Currency::Sar, 3),
            (1, Currency::Aed, 4),
            (1125, Currency::Kwd, 4),
            (999_999, Currency::Omr, 6),
            (5000, Currency::Qar, 0),
        ] {
            let total = Money::from_minor(minor, cur).unwrap();
            let plan = instalment_plan(total, n, NOW, &Locale::EnUs);
            assert_eq!(plan.len(), n.max(1) as usize);
            let sum = Money::sum(cur, plan.iter().map(|r| r.amount)).unwrap();
            assert_eq!(sum, total, "{minor} {cur} / {n}");
            assert!(plan
                .windows(2)
                .all(|w| w[0].amount.minor() >= w[1].amount.minor()));
        }
        let total = sar(10001);
        assert_eq!(
            plan_summary(total, 3, &Locale::EnUs),
            "3 payments: SAR\u{a0}33.34 today, then 2 monthly payments"
        );
        assert_eq!(
            plan_summary(total, 1, &Locale::EnUs),
            "Pay in full: SAR\u{a0}100.01"
        );
    }

    #[test]
    fn three_decimal_currencies_keep_three_decimals() {
        let mut v = view(Locale::EnUs);
        let kwd = |m| Money::from_minor(m, Currency::Kwd).unwrap();
        v.items = vec![LineView {
            name: "Pen".into(),
            quantity: 1,
            total: kwd(4500),
        }];
        v.shipping = kwd(0);
        v.tax = kwd(0);
        v.total = kwd(4500);
        v.instalments = 4;
        let html = render_checkout(&v);
        assert!(html.contains("4 payments of KWD\u{a0}1.125"), "{html}");
        assert!(html.contains("KWD\u{a0}4.500"));
        assert!(html.contains("KWD\u{a0}0.000"));
        assert_eq!(
            plan_summary(kwd(4500), 4, &Locale::ArSa),
            "4 دفعات بقيمة \u{200f}1.125\u{a0}د.ك.\u{200f}"
        );
        // Grouping separators, as the widget and the Worker write amounts.
        v.total = kwd(1_234_567_125);
        assert!(render_checkout(&v).contains("KWD\u{a0}1,234,567.125"));
    }

    #[test]
    fn discount_line_and_month_end_clamping() {
        let mut v = view(Locale::EnUs);
        v.discount = Some(sar(1500));
        // 2027-01-31T10:00:00Z: next dues are Feb 28, Mar 31, Apr 30.
        v.now = Timestamp::from_millis(1_801_389_600_000);
        v.expires_at = v.now.plus(60_000);
        let html = render_checkout(&v);
        assert!(html.contains("Discount"));
        assert!(html.contains("−<bdi class=\"amt\">SAR\u{a0}15.00</bdi>"));
        assert!(html.contains("28 Feb 2027"), "{html}");
        assert!(html.contains("31 Mar 2027") && html.contains("30 Apr 2027"));
        assert_eq!(
            civil_from_days(0),
            Date {
                year: 1970,
                month: 1,
                day: 1
            }
        );
        assert_eq!(
            Date {
                year: 2024,
                month: 1,
                day: 31
            }
            .plus_months(1),
            Date {
                year: 2024,
                month: 2,
                day: 29
            }
        );
        assert_eq!(
            Date {
                year: 2026,
                month: 12,
                day: 5
            }
            .plus_months(14),
            Date {
                year: 2028,
                month: 2,
                day: 5
            }
        );
    }

    #[test]
    fn no_form_once_expired_or_decided() {
        let mut v = view(Locale::EnUs);
        v.now = v.expires_at;
        let html = render_checkout(&v);
        assert!(!html.contains("<form"));
        assert!(html.contains("Checkout expired"));
        let mut v = view(Locale::ArSa);
        v.status = OrderStatus::Approved;
        let html = render_checkout(&v);
        assert!(!html.contains("<form"));
        assert!(html.contains("تمت معالجة"));
    }

    #[test]
    fn pay_link_page_has_two_buttons() {
        let v = PayLinkPageView {
            checkout_id: "abc-123".into(),
            order_id: "o-1".into(),
            order_reference_id: "POS-7".into(),
            merchant_name: "Riyadh Store".into(),
            items: vec![],
            total: sar(30000),
            instalments: 3,
            consumer_phone: "966544337866".into(),
            locale: Locale::EnUs,
            status: OrderStatus::New,
            expires_at: NOW.plus(600_000),
            now: NOW,
        };
        let html = render_pay_link(&v);
        assert!(html.contains("<form method=\"post\" action=\"/hosted/pay/abc-123\""));
        assert!(html.contains("value=\"pay\" id=\"pay\""));
        assert!(html.contains("value=\"decline\" id=\"decline\""));
        assert!(!html.contains("id=\"cancel\""));
        assert!(html.contains("3 payments of SAR\u{a0}100.00"));
        assert!(html.contains("value=\"966544337866\""));
        assert!(balanced(&html, "form") && balanced(&html, "table"));
    }

    #[test]
    fn message_pages() {
        let html = render_notice(&Notice::NotFound, &Locale::EnUs);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<title>Checkout not found</title>"));
        assert!(html.contains("SANDBOX"));
        let html = render_notice(&Notice::Paid, &Locale::ArSa);
        assert!(html.contains("dir=\"rtl\"") && html.contains("تم الدفع بنجاح"));
        let html = render_result(&ResultPageView {
            title: "Done".into(),
            body: "a < b".into(),
            locale: Locale::EnUs,
        });
        assert!(html.contains("<p>a &lt; b</p>"));
    }

    #[test]
    fn arabic_counts_agree_and_lists_use_the_arabic_comma() {
        let ar = Locale::ArSa;
        // 100.00 in 3: 33.34 today, then 2 monthly payments (the dual).
        assert_eq!(
            plan_summary(sar(10_000), 3, &ar),
            "3 دفعات: \u{200f}33.34\u{a0}ر.س.\u{200f} اليوم، ثم دفعتان شهريتان"
        );
        assert!(plan_summary(sar(10_000), 2, &ar).starts_with("دفعتان بقيمة"));
        assert!(plan_summary(sar(10_001), 12, &ar).contains("ثم 11 دفعة شهرية"));
        // Thousands grouped, the store's sign.
        assert!(plan_summary(sar(389_700), 1, &ar).contains("3,897.00\u{a0}ر.س."));
        let html = hint_html(strings(&ar));
        assert!(
            html.contains("يوافق، <bdi>") && !html.contains(", "),
            "{html}"
        );
        // No promise of a verification code the page never asks for.
        assert!(!EN.phone_help.contains("verification code"));
        assert!(!AR.phone_help.contains("رمز التحقق"));
    }

    #[test]
    fn voided_links_say_the_store_cancelled_them_and_outbox_links_are_clickable() {
        let mut v = view(Locale::EnUs);
        v.status = OrderStatus::Canceled;
        let html = render_checkout(&v);
        assert!(
            html.contains("The store cancelled this payment link."),
            "{html}"
        );
        assert!(!html.contains("status: canceled"));
        let (_, body) = Notice::Voided.text(&Locale::ArSa);
        assert!(body.starts_with("ألغى المتجر رابط الدفع هذا."));
        let page = render_sms_outbox(
            &[SmsView {
                phone: "966544337866".into(),
                text: "Pay <here>".into(),
                link: "http://127.0.0.1:7070/pay/c?x=1&y=2".into(),
                lang: "en".into(),
                order_id: "o-1".into(),
            }],
            &Locale::EnUs,
        );
        assert!(page.contains("<a href=\"http://127.0.0.1:7070/pay/c?x=1&amp;y=2\""));
        assert!(page.contains("Pay &lt;here&gt;"));
        assert!(page.contains("<header>") && page.contains("<main>"));
    }
}
