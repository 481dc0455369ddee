//! View model: every string of one render in English or Arabic ([`Texts`], `PartialEq` so the
//! same inputs never re-render), built by [`Widget::texts`].

use super::{cat, uint, Failure, Lang, Phase, Stage, Widget};

/// How an option is paid, from Tamara's `payment_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// `PAY_BY_INSTALMENTS` (and unknown types with several instalments).
    Instalments,
    /// `PAY_NOW`: in full.
    PayNow,
    /// `PAY_NEXT_MONTH` / `PAY_BY_LATER`.
    PayLater,
}

impl OptionKind {
    /// Classifies a payment type.
    pub fn of(payment_type: &str, instalments: u32) -> OptionKind {
        match payment_type {
            "PAY_NOW" => OptionKind::PayNow,
            "PAY_NEXT_MONTH" | "PAY_BY_LATER" => OptionKind::PayLater,
            _ if instalments <= 1 => OptionKind::PayNow,
            _ => OptionKind::Instalments,
        }
    }
}

/// One option's texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionTexts {
    /// Main line: "4 interest-free payments of SAR 57.50".
    pub text: String,
    /// Second line: the Worker's label (empty if none or the same as `text`).
    pub label: String,
}

/// The primary button.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ButtonTexts {
    /// Visible text.
    pub label: &'static str,
    /// Disabled (submitting/redirecting).
    pub disabled: bool,
    /// `continue` or `retry`: what a click does.
    pub action: &'static str,
}

/// All strings of one render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Texts {
    /// `lang` attribute.
    pub lang: &'static str,
    /// `dir` attribute.
    pub dir: &'static str,
    /// `data-state` attribute.
    pub state: &'static str,
    /// Heading next to the logo.
    pub title: &'static str,
    /// Tamara's checkout line for the market (`tamara-api.md` §14.2): in Saudi Arabia
    /// "Monthly Payments. Sharia Compliant.", elsewhere "Monthly Payments.".
    pub tagline: &'static str,
    /// Tamara shown greyed out: the shopper is not eligible (pre-checkout eligibility).
    pub greyed: bool,
    /// Options.
    pub options: Vec<OptionTexts>,
    /// Selected option.
    pub selected: usize,
    /// Polite live region (loading, unavailable, submitting…).
    pub status: String,
    /// Assertive live region (errors).
    pub alert: String,
    /// The button, if any.
    pub button: Option<ButtonTexts>,
    /// `aria-busy`.
    pub busy: bool,
}

impl Widget {
    /// Everything the DOM shows, with `format(minor)` turning an amount into display text (in the
    /// browser [`money_text`](super::money_text), which prints what `Intl.NumberFormat` would).
    /// Equal texts need no DOM work.
    pub fn texts(&self, format: &dyn Fn(u64) -> String) -> Texts {
        let lang = self.config.lang;
        let en = lang == Lang::En;
        let pick = |e: &'static str, a: &'static str| if en { e } else { a };
        let offer = self.offer.as_ref();
        let options = match (self.phase, offer) {
            (Phase::Ready | Phase::Submitting | Phase::Redirecting, Some(offer)) => offer
                .options
                .iter()
                .map(|o| {
                    let kind = OptionKind::of(&o.payment_type, o.instalments);
                    let text = instalment_text(
                        lang,
                        kind,
                        o.instalments,
                        &format(o.instalment_amount.minor),
                    );
                    let label = (if en { &o.label_en } else { &o.label_ar }).trim();
                    let label = if label == text { "" } else { label };
                    OptionTexts {
                        text,
                        label: label.to_owned(),
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        let fixed = match self.phase {
            Phase::Idle => pick(
                "Add items to your cart to see Tamara payment options.",
                "أضف منتجات إلى سلتك لعرض خيارات الدفع عبر تمارا.",
            ),
            Phase::Loading => pick(
                "Checking Tamara payment options…",
                "جارٍ التحقق من خيارات الدفع عبر تمارا…",
            ),
            Phase::Submitting => pick(
                "Creating your Tamara checkout…",
                "جارٍ إنشاء عملية الدفع عبر تمارا…",
            ),
            Phase::Redirecting => pick("Taking you to Tamara…", "جارٍ تحويلك إلى تمارا…"),
            _ => "",
        };
        let status = match (self.phase, offer) {
            (Phase::Unavailable, Some(offer)) => {
                let mut text = match &offer.reason {
                    Some(r) if r.code == NOT_ELIGIBLE => not_eligible_text(lang, r),
                    Some(reason) => unavailable_text(lang, &reason.code, &reason.message),
                    None => unavailable_text(lang, "not_available", ""),
                };
                let not_eligible = offer
                    .reason
                    .as_ref()
                    .is_some_and(|r| r.code == NOT_ELIGIBLE);
                if not_eligible {
                    // The short reason only: the limits are not why.
                } else if let (Some(min), Some(max)) = (&offer.min_limit, &offer.max_limit) {
                    let (min, max) = (format(min.minor), format(max.minor));
                    let range = if en {
                        cat(&[" Available for orders from ", &min, " to ", &max])
                    } else {
                        cat(&[" متاحة للطلبات من ", &min, " إلى ", &max])
                    };
                    text.push_str(&end_sentence(range));
                }
                text
            }
            _ => fixed.to_owned(),
        };
        let failure = match self.phase {
            Phase::Error => self.failure.as_ref(),
            Phase::Ready => self.notice.as_ref(),
            _ => None,
        };
        let button = match self.phase {
            Phase::Ready => Some(ButtonTexts {
                label: pick("Continue with Tamara", "المتابعة مع تمارا"),
                disabled: false,
                action: "continue",
            }),
            Phase::Submitting | Phase::Redirecting => Some(ButtonTexts {
                label: pick("Please wait…", "يرجى الانتظار…"),
                disabled: true,
                action: "continue",
            }),
            Phase::Error => Some(ButtonTexts {
                label: pick("Try again", "حاول مرة أخرى"),
                disabled: false,
                action: "retry",
            }),
            _ => None,
        };
        Texts {
            lang: lang.tag(),
            dir: lang.dir(),
            state: self.phase.name(),
            title: pick("Pay with Tamara", "ادفع مع تمارا"),
            tagline: tagline(lang, &self.config.country),
            greyed: self.phase == Phase::Unavailable
                && offer
                    .and_then(|o| o.reason.as_ref())
                    .is_some_and(|r| r.code == NOT_ELIGIBLE),
            options,
            selected: self.selected,
            status,
            alert: failure.map(|f| failure_text(lang, f)).unwrap_or_default(),
            button,
            busy: matches!(
                self.phase,
                Phase::Loading | Phase::Submitting | Phase::Redirecting
            ),
        }
    }
}

/// The Worker's reason code when Tamara called the shopper not eligible.
pub const NOT_ELIGIBLE: &str = "customer_not_eligible";

/// Tamara's checkout line: KSA "Monthly Payments. Sharia Compliant." /
/// «دفعات شهرية. متوافقة مع الشريعة», other countries "Monthly Payments." / «دفعات شهرية».
pub fn tagline(lang: Lang, country: &str) -> &'static str {
    match (lang, country.eq_ignore_ascii_case("SA")) {
        (Lang::En, true) => "Monthly Payments. Sharia Compliant.",
        (Lang::Ar, true) => "دفعات شهرية. متوافقة مع الشريعة",
        (Lang::En, false) => "Monthly Payments.",
        (Lang::Ar, false) => "دفعات شهرية",
    }
}

/// The short reason shown under a greyed-out Tamara (the Worker's words when it gave them).
fn not_eligible_text(lang: Lang, r: &super::Reason) -> String {
    let (given, fallback) = match lang {
        Lang::En => (
            r.message.trim(),
            "Tamara isn't available for this phone number right now",
        ),
        Lang::Ar => (r.message_ar.trim(), "تمارا غير متاحة لرقم الجوال هذا حاليًا"),
    };
    sentence("", if given.is_empty() { fallback } else { given })
}

/// Instalment line in the widget's language.
pub fn instalment_text(lang: Lang, kind: OptionKind, count: u32, amount: &str) -> String {
    let count = uint(u64::from(count));
    match (lang, kind) {
        (Lang::En, OptionKind::Instalments) => {
            cat(&[&count, " interest-free payments of ", amount])
        }
        (Lang::Ar, OptionKind::Instalments) => cat(&[&count, " دفعات بدون فوائد بقيمة ", amount]),
        (Lang::En, OptionKind::PayNow) => cat(&["Pay ", amount, " in full"]),
        (Lang::Ar, OptionKind::PayNow) => cat(&["ادفع ", amount, " كاملة"]),
        (Lang::En, OptionKind::PayLater) => cat(&["Pay ", amount, " next month, no fees"]),
        (Lang::Ar, OptionKind::PayLater) => cat(&["ادفع ", amount, " الشهر القادم بدون رسوم"]),
    }
}

/// `text` ended with a full stop unless it already ends a sentence (the Worker's messages may
/// not; an Arabic amount ends in its sign's own period, `ر.س.`, behind a right-to-left mark).
fn end_sentence(mut text: String) -> String {
    let last = text.chars().rev().find(|c| *c != '\u{200f}');
    if !matches!(last, Some('.' | '!' | '?' | '؟' | '。')) {
        text.push('.');
    }
    text
}

/// `prefix` + `why`, ended with a full stop ([`end_sentence`]).
fn sentence(prefix: &str, why: &str) -> String {
    end_sentence(cat(&[prefix, why]))
}

/// A required field's name as the shopper reads it (never a JSON path).
fn field_name(lang: Lang, field: &str) -> &'static str {
    let en = lang == Lang::En;
    let pick = |e: &'static str, a: &'static str| if en { e } else { a };
    match field {
        "first_name" => pick("first name", "الاسم الأول"),
        "last_name" => pick("last name", "اسم العائلة"),
        "phone_number" => pick("mobile number", "رقم الجوال"),
        "shipping_address.line1" => pick("address", "العنوان"),
        "shipping_address.city" => pick("city", "المدينة"),
        "shipping_address.country_code" => pick("country", "الدولة"),
        _ => pick("details", "البيانات"),
    }
}

/// `first_name, shipping_address.city` → `first name, city` (Arabic: «الاسم الأول، المدينة»).
fn field_names(lang: Lang, fields: &str) -> String {
    let mut out = String::new();
    for field in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        if !out.is_empty() {
            out.push_str(if lang == Lang::En { ", " } else { "، " });
        }
        out.push_str(field_name(lang, field));
    }
    out
}

fn unavailable_text(lang: Lang, code: &str, message: &str) -> String {
    let message = message.trim();
    match lang {
        Lang::En => sentence(
            "Tamara isn't available for this order: ",
            match code {
                "amount_below_minimum" | "below_min_limit" => {
                    "the order total is below Tamara's minimum."
                }
                "amount_above_maximum" | "above_max_limit" => {
                    "the order total is above Tamara's limit."
                }
                _ if message.is_empty() => "Tamara can't be offered for this order.",
                _ => message,
            },
        ),
        Lang::Ar => {
            let known = match code {
                "amount_below_minimum" | "below_min_limit" => {
                    "قيمة الطلب أقل من الحد الأدنى لتمارا."
                }
                "amount_above_maximum" | "above_max_limit" => {
                    "قيمة الطلب أعلى من الحد الأقصى لتمارا."
                }
                "not_available_for_customer" => "تمارا غير متاحة لهذا العميل.",
                "country_not_supported" | "unsupported_country" => "تمارا غير متوفرة في هذا البلد.",
                "currency_not_supported" | "unsupported_currency" => "تمارا لا تدعم هذه العملة.",
                _ if message.is_empty() => "لا يمكن تقديم تمارا لهذا الطلب.",
                _ => message,
            };
            sentence("تمارا غير متاحة لهذا الطلب: ", known)
        }
    }
}

/// A refused checkout whose cause is in the shopper's details (the Worker's 4xx codes): the
/// Worker's English message names JSON fields, so the shopper reads words of their own.
fn failure_is_details(code: &str) -> bool {
    (code.starts_with("invalid")
        && !matches!(
            code,
            "invalid_response" | "invalid_json" | "invalid_signed_cart"
        ))
        || code.starts_with("consumer_")
        || code.starts_with("shipping_")
        || code.starts_with("billing_")
        || code.ends_with("_email")
}

fn failure_text(lang: Lang, failure: &Failure) -> String {
    let en = lang == Lang::En;
    let pick = |e: &str, a: &str| if en { e.to_owned() } else { a.to_owned() };
    let detail = failure.detail.trim();
    match (failure.stage, failure.code.as_str()) {
        (Stage::Input, _) => {
            let names = field_names(lang, detail);
            if en {
                cat(&[
                    "Please complete your details before paying with Tamara: ",
                    &names,
                    ".",
                ])
            } else {
                cat(&["يرجى إكمال بياناتك قبل الدفع عبر تمارا: ", &names, "."])
            }
        }
        (_, "invalid_phone_number" | "consumer_invalid_phone_number") => pick(
            "The phone number is not valid. Please check it and try again.",
            "رقم الجوال غير صالح. يرجى التحقق منه والمحاولة مرة أخرى.",
        ),
        (_, "plan_not_available") => pick(
            "This payment plan isn't offered for this order. Please choose another one.",
            "خطة الدفع هذه غير متاحة لهذا الطلب. يرجى اختيار خطة أخرى.",
        ),
        (_, "unknown_sku") => {
            let text = pick(
                "A product in your cart is no longer sold",
                "أحد منتجات سلتك لم يعد متوفرًا",
            );
            if detail.is_empty() {
                cat(&[&text, "."])
            } else {
                cat(&[&text, " (", detail, ")."])
            }
        }
        (Stage::Cart, _) | (_, "invalid_cart") => pick(
            "Your cart has an invalid item or quantity.",
            "تحتوي سلتك على منتج أو كمية غير صالحة.",
        ),
        (_, "network_error") => pick(
            "We couldn't reach the payment service. Check your connection and try again.",
            "تعذّر الوصول إلى خدمة الدفع. تحقّق من اتصالك وحاول مرة أخرى.",
        ),
        (Stage::Checkout, _) if failure_is_details(&failure.code) => pick(
            "Tamara checkout couldn't be started: please check your details and try again.",
            "تعذّر بدء الدفع عبر تمارا: يرجى التحقق من بياناتك والمحاولة مرة أخرى.",
        ),
        (Stage::Checkout, _) => pick(
            "Tamara checkout couldn't be started. Please try again.",
            "تعذّر بدء الدفع عبر تمارا. يرجى المحاولة مرة أخرى.",
        ),
        _ => pick(
            "Tamara payment options couldn't be loaded. Please try again.",
            "تعذّر تحميل خيارات الدفع عبر تمارا. يرجى المحاولة مرة أخرى.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Reason;

    #[test]
    fn option_kinds_have_their_own_texts() {
        assert_eq!(OptionKind::of("PAY_NOW", 1), OptionKind::PayNow);
        assert_eq!(OptionKind::of("PAY_NEXT_MONTH", 1), OptionKind::PayLater);
        assert_eq!(
            OptionKind::of("PAY_BY_INSTALMENTS", 3),
            OptionKind::Instalments
        );
        assert_eq!(
            instalment_text(Lang::En, OptionKind::PayNow, 1, "SAR 230.00"),
            "Pay SAR 230.00 in full"
        );
        assert_eq!(
            instalment_text(Lang::Ar, OptionKind::PayLater, 1, "SAR 9.000"),
            "ادفع SAR 9.000 الشهر القادم بدون رسوم"
        );
        assert_eq!(
            instalment_text(Lang::En, OptionKind::Instalments, 12, "SAR 1.00"),
            "12 interest-free payments of SAR 1.00"
        );
    }

    #[test]
    fn ksa_copy_and_the_not_eligible_reason() {
        assert_eq!(
            tagline(Lang::En, "SA"),
            "Monthly Payments. Sharia Compliant."
        );
        assert_eq!(tagline(Lang::Ar, "SA"), "دفعات شهرية. متوافقة مع الشريعة");
        assert_eq!(tagline(Lang::En, "AE"), "Monthly Payments.");
        assert_eq!(tagline(Lang::Ar, "KW"), "دفعات شهرية");
        let r = Reason {
            code: NOT_ELIGIBLE.into(),
            message: "Tamara isn't available for this phone number right now".into(),
            message_ar: "تمارا غير متاحة لرقم الجوال هذا حاليًا".into(),
        };
        assert_eq!(
            not_eligible_text(Lang::En, &r),
            "Tamara isn't available for this phone number right now."
        );
        assert_eq!(
            not_eligible_text(Lang::Ar, &r),
            "تمارا غير متاحة لرقم الجوال هذا حاليًا."
        );
    }

    #[test]
    fn reasons_end_as_sentences() {
        let reason = Reason {
            code: "not_available_for_customer".into(),
            message: "Tamara is not available for this customer".into(),
            message_ar: String::new(),
        };
        assert_eq!(
            unavailable_text(Lang::En, &reason.code, &reason.message),
            "Tamara isn't available for this order: Tamara is not available for this customer."
        );
        assert_eq!(
            unavailable_text(Lang::Ar, &reason.code, &reason.message),
            "تمارا غير متاحة لهذا الطلب: تمارا غير متاحة لهذا العميل."
        );
    }
}
