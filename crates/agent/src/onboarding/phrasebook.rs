//! The lines a generated script library speaks, in English, Hinglish (Latin letters) and
//! Hindi (Devanagari), shaded by the owner's tone answers.

use super::Language;
use crate::profile::{EmojiPolicy, Formality, Persuasion};
use closer_domain::sales::CtaType;

/// The tone answers that change wording.
#[derive(Debug, Clone, Copy)]
pub(super) struct Voice {
    pub formality: Formality,
    pub honorifics: bool,
    pub emoji: EmojiPolicy,
    pub persuasion: Persuasion,
}

impl Voice {
    /// Added at the end of a friendly line: none, one in the opener, or a few.
    fn emoji(&self, frequent_only: bool) -> &'static str {
        match (self.emoji, frequent_only) {
            (EmojiPolicy::Frequent, _) => " 🙂",
            (EmojiPolicy::Sparingly, false) => " 🙂",
            _ => "",
        }
    }
}

fn hello(lang: Language, v: Voice) -> &'static str {
    match (lang, v.formality, v.honorifics) {
        (Language::En, Formality::Formal, _) => "Good day!",
        (Language::En, Formality::Professional, _) => "Hello!",
        (Language::En, Formality::Casual, _) => "Hi!",
        (Language::HiEn, _, true) => "Namaste ji!",
        (Language::HiEn, Formality::Casual, false) => "Hi!",
        (Language::HiEn, _, false) => "Namaste!",
        (Language::Hi, _, true) => "नमस्ते जी!",
        (Language::Hi, _, false) => "नमस्ते!",
    }
}

/// The first message to a new lead.
pub(super) fn opener(lang: Language, v: Voice, business: &str, offer: Option<&str>) -> String {
    // The smile goes with the greeting, which survives any cut to the word limit.
    let hello = format!("{}{}", hello(lang, v), v.emoji(false));
    match (lang, offer) {
        (Language::En, Some(o)) => {
            format!("{hello} I'm the virtual assistant of {business}, here to help with {o}.")
        }
        (Language::En, None) => {
            format!("{hello} I'm the virtual assistant of {business}, happy to help.")
        }
        (Language::HiEn, Some(o)) => {
            format!("{hello} Main {business} ka virtual assistant hun, {o} mein help karunga.")
        }
        (Language::HiEn, None) => {
            format!("{hello} Main {business} ka virtual assistant hun, help karunga.")
        }
        (Language::Hi, Some(o)) => {
            format!("{hello} मैं {business} का वर्चुअल असिस्टेंट हूँ, {o} में मदद करूँगा।")
        }
        (Language::Hi, None) => {
            format!("{hello} मैं {business} का वर्चुअल असिस्टेंट हूँ, मदद करूँगा।")
        }
    }
}

/// A question for one thing to learn about the lead, in words of the owner (`topic`).
pub(super) fn ask(lang: Language, v: Voice, topic: &str) -> String {
    match (lang, v.formality) {
        (Language::En, Formality::Formal) => format!("May I know your {topic}?"),
        (Language::En, Formality::Professional) => format!("Could you share your {topic}?"),
        (Language::En, Formality::Casual) => format!("What's your {topic}?"),
        (Language::HiEn, _) => format!("Aapka {topic} kya hai?"),
        (Language::Hi, _) => format!("आपका {topic} क्या है?"),
    }
}

pub(super) fn ask_name(lang: Language, v: Voice) -> String {
    match (lang, v.formality) {
        (Language::En, Formality::Casual) => "What's your name?".into(),
        (Language::En, _) => "May I know your name?".into(),
        (Language::HiEn, _) => "Aapka naam kya hai?".into(),
        (Language::Hi, _) => "आपका नाम क्या है?".into(),
    }
}

pub(super) fn ask_need(lang: Language, _: Voice) -> String {
    match lang {
        Language::En => "What are you looking for?".into(),
        Language::HiEn => "Aap kya dhoondh rahe hain?".into(),
        Language::Hi => "आप क्या ढूँढ रहे हैं?".into(),
    }
}

pub(super) fn ask_timeline(lang: Language, _: Voice) -> String {
    match lang {
        Language::En => "When would you like to get started?".into(),
        Language::HiEn => "Aap kab tak shuru karna chahenge?".into(),
        Language::Hi => "आप कब तक शुरू करना चाहेंगे?".into(),
    }
}

pub(super) fn ask_budget(lang: Language, v: Voice) -> String {
    match (lang, v.formality) {
        (Language::En, Formality::Casual) => "What budget are you thinking of?".into(),
        (Language::En, _) => "What budget do you have in mind?".into(),
        (Language::HiEn, _) => "Aapka budget kitna hai?".into(),
        (Language::Hi, _) => "आपका बजट कितना है?".into(),
    }
}

/// What taking a CTA means: (English phrase, Hinglish infinitive, Hinglish polite request,
/// Hindi infinitive, Hindi polite request).
fn cta_phrases(
    cta: CtaType,
) -> (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
) {
    match cta {
        CtaType::BookCall => (
            "book a quick call with our team",
            "team ke saath quick call book karna",
            "Team ke saath quick call book karein",
            "टीम के साथ एक छोटी कॉल बुक करना",
            "टीम के साथ एक छोटी कॉल बुक करें",
        ),
        CtaType::Payment => (
            "complete your payment",
            "payment complete karna",
            "Payment complete karein",
            "पेमेंट पूरा करना",
            "पेमेंट पूरा करें",
        ),
        CtaType::AppDownload => (
            "download our app",
            "hamara app download karna",
            "Hamara app download karein",
            "हमारा ऐप डाउनलोड करना",
            "हमारा ऐप डाउनलोड करें",
        ),
        CtaType::SendDocs => (
            "get the full details",
            "poori details lena",
            "Poori details yahan dekhein",
            "पूरी जानकारी लेना",
            "पूरी जानकारी यहाँ देखें",
        ),
        CtaType::VisitWebsite => (
            "take a look at our website",
            "hamari website dekhna",
            "Hamari website dekhein",
            "हमारी वेबसाइट देखना",
            "हमारी वेबसाइट देखें",
        ),
        CtaType::FillForm => (
            "fill in a short form",
            "ek chhota form bharna",
            "Ek chhota form bhar dein",
            "एक छोटा फ़ॉर्म भरना",
            "एक छोटा फ़ॉर्म भर दें",
        ),
        CtaType::ScheduleDemo => (
            "schedule a demo",
            "demo schedule karna",
            "Demo schedule karein",
            "डेमो शेड्यूल करना",
            "डेमो शेड्यूल करें",
        ),
        CtaType::JoinWebinar => (
            "join our next webinar",
            "hamare next webinar mein join karna",
            "Hamare next webinar mein join karein",
            "हमारे अगले वेबिनार से जुड़ना",
            "हमारे अगले वेबिनार से जुड़ें",
        ),
    }
}

/// The offer of one CTA; `[LINK]` is filled with its link when sent.
pub(super) fn cta(lang: Language, v: Voice, cta: CtaType) -> String {
    let (en, hinglish, hinglish_ask, hindi, hindi_ask) = cta_phrases(cta);
    match (lang, v.persuasion) {
        (Language::En, Persuasion::Soft) => format!("Would you like to {en}? [LINK]"),
        (Language::En, Persuasion::Moderate) => format!("Ready to {en}? [LINK]"),
        (Language::En, Persuasion::Firm) => format!("The next step is to {en}: [LINK]"),
        (Language::HiEn, Persuasion::Soft) => format!("Kya aap {hinglish} chahenge? [LINK]"),
        (Language::HiEn, Persuasion::Moderate) => format!("{hinglish_ask}? [LINK]"),
        (Language::HiEn, Persuasion::Firm) => format!("Abhi {hinglish_ask}: [LINK]"),
        (Language::Hi, Persuasion::Soft) => format!("क्या आप {hindi} चाहेंगे? [LINK]"),
        (Language::Hi, Persuasion::Moderate) => format!("{hindi_ask}? [LINK]"),
        (Language::Hi, Persuasion::Firm) => format!("अभी {hindi_ask}: [LINK]"),
    }
}

pub(super) fn too_expensive(lang: Language) -> String {
    match lang {
        Language::En => "I understand. We can find an option that fits your budget.".into(),
        Language::HiEn => {
            "Samajh sakta hun. Aapke budget ke hisaab se option dekh sakte hain.".into()
        }
        Language::Hi => "समझ सकता हूँ। आपके बजट के हिसाब से विकल्प देख सकते हैं।".into(),
    }
}

pub(super) fn no_time(lang: Language) -> String {
    match lang {
        Language::En => "No problem, a short 10-minute chat at your convenience is enough.".into(),
        Language::HiEn => "Koi baat nahi, aapke time pe 10 minute kaafi hain.".into(),
        Language::Hi => "कोई बात नहीं, आपके समय पर 10 मिनट काफ़ी हैं।".into(),
    }
}

/// Time to think, with the refund policy when there is one (it takes the risk away).
pub(super) fn need_to_think(lang: Language, refund: Option<&str>) -> String {
    let base = match lang {
        Language::En => "Of course, take your time.",
        Language::HiEn => "Bilkul, aaram se sochiye.",
        Language::Hi => "बिल्कुल, आराम से सोचिए।",
    };
    let refund = refund.map(|r| {
        let r = r.trim_end();
        if r.ends_with(['.', '!', '?', '।', '…']) {
            r.to_owned()
        } else {
            format!("{r}.")
        }
    });
    match (lang, refund) {
        (Language::Hi, Some(r)) => format!("{base} रिफ़ंड नीति: {r}"),
        (_, Some(r)) => format!("{base} Refund policy: {r}"),
        (Language::En, None) => format!("{base} I'm here if any question comes up."),
        (Language::HiEn, None) => format!("{base} Koi sawaal ho toh main yahin hun."),
        (Language::Hi, None) => format!("{base} कोई सवाल हो तो मैं यहीं हूँ।"),
    }
}

pub(super) fn graceful(lang: Language, v: Voice) -> String {
    let wave = v.emoji(true);
    match lang {
        Language::En => format!("No problem! Message us whenever you are ready.{wave}"),
        Language::HiEn => format!("Koi baat nahi! Jab ready ho, message karna.{wave}"),
        Language::Hi => format!("कोई बात नहीं! जब तैयार हों, मैसेज कीजिए।{wave}"),
    }
}

pub(super) fn opt_out(lang: Language) -> String {
    match lang {
        Language::En => "You're unsubscribed and won't get more messages from us. Reply START anytime to talk again.".into(),
        Language::HiEn => "Aapko ab humse messages nahi aayenge. Dobara baat karne ke liye START bhejein.".into(),
        Language::Hi => "अब आपको हमसे मैसेज नहीं आएँगे। दोबारा बात करने के लिए START भेजें।".into(),
    }
}

pub(super) fn handoff(lang: Language) -> String {
    match lang {
        Language::En => "I'm bringing in a member of our team; they'll reply here shortly.".into(),
        Language::HiEn => {
            "Main team ke member ko bula raha hun, woh jaldi yahin reply karenge.".into()
        }
        Language::Hi => "मैं टीम के सदस्य को बुला रहा हूँ, वे जल्दी यहीं जवाब देंगे।".into(),
    }
}
