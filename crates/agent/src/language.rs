//! Which language the lead writes in, and the agent's own fixed lines in each language.
//!
//! The leads this product serves write English, Hindi in Devanagari, and very often Hinglish
//! (Hindi in Latin letters mixed with English). General-purpose detectors (whatlang and the
//! like) read Hinglish as English or as noise, so detection is a script check plus a lexicon
//! of Hinglish function words.

/// Romanised Hindi words that are not also common English words.
const HINGLISH: &[&str] = &[
    "hai",
    "hain",
    "kya",
    "nahi",
    "nahin",
    "mujhe",
    "aap",
    "aapka",
    "aapki",
    "karo",
    "karna",
    "karein",
    "kaise",
    "kitna",
    "kitne",
    "kitni",
    "chahiye",
    "haan",
    "haa",
    "bhai",
    "mera",
    "meri",
    "mere",
    "naam",
    "hun",
    "hoon",
    "abhi",
    "achha",
    "accha",
    "acha",
    "theek",
    "thik",
    "kab",
    "kyun",
    "kyon",
    "bhi",
    "toh",
    "yaar",
    "wala",
    "wali",
    "baat",
    "paisa",
    "paise",
    "batao",
    "bataiye",
    "sakta",
    "sakte",
    "sakti",
    "samajh",
    "bahut",
    "lekin",
    "aur",
    "kaha",
    "kahan",
    "kaun",
    "kuch",
    "kar",
    "raha",
    "rahi",
    "rahe",
    "tha",
    "thi",
    "hoga",
    "dijiye",
    "bhejo",
    "mat",
    "ji",
    "ko",
    "se",
    "ke",
    "ki",
    "ka",
    "main",
    "hum",
    "humein",
    "apna",
    "apni",
    "kal",
    "parso",
    "baje",
    "shukriya",
    "dhanyavad",
    "matlab",
    "karke",
    "dekh",
    "dekhte",
    "chalo",
    "batana",
    "bata",
    "mein",
    "hu",
    "liye",
    "wala",
    "sakta",
    "karni",
    "milega",
    "milegi",
    "hota",
    "hoti",
    "hote",
    "kaunsa",
    "kaunsi",
    "dekh",
    "rahe",
    "dijiye",
];

/// Words that are Hinglish markers only next to others ("main", "ko", "se" are also English
/// or too short to count alone). The forms of address ("ji", "bhai", "yaar") are politeness
/// English-speaking leads use as much: "thanks bhai" is an English message.
const WEAK: &[&str] = &[
    "main", "ko", "se", "ke", "ki", "ka", "ji", "kar", "mat", "hum", "bhai", "bhaiya", "yaar",
];

/// `hi` for Devanagari, `hi-en` for Hinglish, `en` for English; `None` when no word tells
/// (the lead's earlier language then stands: a Hinglish lead answering "CBSE" is still one).
/// The message is weighed, Hinglish words against English ones: one Hinglish word in an
/// English sentence ("what is the fees for class 11 batch ji") does not make it Hinglish,
/// and a tie tells nothing.
pub fn detect(text: &str) -> Option<&'static str> {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 0 {
        return None;
    }
    let devanagari = text
        .chars()
        .filter(|c| ('\u{0900}'..='\u{097F}').contains(c))
        .count();
    if devanagari * 3 >= letters {
        return Some("hi");
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let strong = words
        .iter()
        .filter(|w| HINGLISH.contains(&w.as_str()) && !WEAK.contains(&w.as_str()))
        .count();
    let weak = words.iter().filter(|w| WEAK.contains(&w.as_str())).count();
    let english = words
        .iter()
        .filter(|w| ENGLISH.contains(&w.as_str()))
        .count();
    if strong == 0 {
        // "Rahul", "CBSE", "12th", "ok bhai": nothing tells, the conversation's language
        // stands.
        return (english > 0).then_some("en");
    }
    // A weak word counts half, and only beside a strong one.
    let hinglish = 2 * strong + weak;
    match hinglish.cmp(&(2 * english)) {
        std::cmp::Ordering::Greater => Some("hi-en"),
        std::cmp::Ordering::Less => Some("en"),
        std::cmp::Ordering::Equal => None,
    }
}

/// Hindi in Devanagari and Hinglish are answered alike (the business's lines are in Latin
/// letters): one family, `hi-en`; English is the other.
pub fn family(language: &str) -> &str {
    match language {
        "hi" | "hi-en" => "hi-en",
        other => other,
    }
}

/// Whether `text` may stand in a reply in `language`: it is written in it, or in no telling
/// language at all.
pub fn fits(text: &str, language: &str) -> bool {
    detect(text).is_none_or(|d| family(d) == family(language))
}

/// English words that tell a message is English; a name, a place, "CBSE" or "12th" does not.
const ENGLISH: &[&str] = &[
    "the",
    "is",
    "are",
    "am",
    "was",
    "were",
    "what",
    "which",
    "how",
    "when",
    "where",
    "why",
    "who",
    "do",
    "does",
    "did",
    "you",
    "your",
    "i",
    "my",
    "me",
    "we",
    "our",
    "can",
    "could",
    "would",
    "will",
    "should",
    "have",
    "has",
    "please",
    "want",
    "need",
    "looking",
    "for",
    "and",
    "of",
    "to",
    "in",
    "with",
    "about",
    "this",
    "that",
    "there",
    "any",
    "it",
    "from",
    "a",
    "an",
    "on",
    "at",
    "be",
    "get",
    "know",
    "tell",
    "thanks",
    "thank",
    "interested",
    "it's",
    "im",
    // How an English lead introduces themselves: "Amit here, JEE, 12th, CBSE".
    "here",
    "studying",
    "preparing",
    "currently",
    "also",
];

/// A fixed line of the agent's own, in the reply language (Devanagari leads get Hinglish:
/// the business's scripts are written in Latin letters).
pub fn line(key: Line, language: &str) -> &'static str {
    let hinglish = language == "hi-en" || language == "hi";
    match (key, hinglish) {
        (Line::Failsafe, false) => "Thanks for your message! What would you like to know?",
        (Line::Failsafe, true) => "Message ke liye thanks! Aap kya jaanna chahenge?",
        (Line::Greeting, false) => "Hi! Thanks for reaching out, happy to help.",
        (Line::Greeting, true) => "Namaste! Contact karne ke liye thanks, main help karta hun.",
        (Line::NoAnswer, false) => "Good question, let me check that with the team.",
        (Line::NoAnswer, true) => "Achha sawaal hai, main team se confirm karke batata hun.",
        (Line::NoAnswerBy, false) => {
            "Good question, let me check that with the team and get back to you {when}."
        }
        (Line::NoAnswerBy, true) => {
            "Achha sawaal hai, main team se confirm karke {when} batata hun."
        }
        (Line::DetailsFromTeam, false) => {
            "I'll get the {topic} details from the team and share them here."
        }
        (Line::DetailsFromTeam, true) => "{topic} ki details team se lekar yahin share karta hun.",
        (Line::DetailsFromTeamBy, false) => {
            "I'll get the {topic} details from the team and share them here {when}."
        }
        (Line::DetailsFromTeamBy, true) => {
            "{topic} ki details team se lekar {when} yahin share karta hun."
        }
        (Line::SaidAbove, false) => {
            "What I have on that is in my message above; let me check the rest with the team."
        }
        (Line::SaidAbove, true) => {
            "Iske baare mein jo jaankari hai woh upar bata di hai; baaki main team se confirm karke batata hun."
        }
        (Line::SaidAboveBy, false) => {
            "What I have on that is in my message above; let me check the rest with the team and get back to you {when}."
        }
        (Line::SaidAboveBy, true) => {
            "Iske baare mein jo jaankari hai woh upar bata di hai; baaki main team se confirm karke {when} batata hun."
        }
        (Line::RestFromTeam, false) => "For the rest, let me check with the team.",
        (Line::RestFromTeam, true) => "Baaki ke liye main team se confirm karke batata hun.",
        (Line::RestFromTeamBy, false) => {
            "For the rest, let me check with the team and get back to you {when}."
        }
        (Line::RestFromTeamBy, true) => {
            "Baaki ke liye main team se confirm karke {when} batata hun."
        }
        (Line::WithinTheHour, false) => "within the hour",
        (Line::WithinTheHour, true) => "ek ghante mein",
        (Line::ByTime, false) => "by {time} {day}",
        (Line::ByTime, true) => "{day} {time} tak",
        (Line::AskTime, false) => "What day and time suits you?",
        (Line::AskTime, true) => "Aapke liye kaunsa din aur time theek rahega?",
        (Line::PickTime, false) => {
            "What day and time suits you? You can also pick a slot here: {link}"
        }
        (Line::PickTime, true) => {
            "Aapke liye kaunsa din aur time theek rahega? Yahan slot bhi chun sakte hain: {link}"
        }
        (Line::AskTimeOn, false) => "{day} works. What time suits you?",
        (Line::AskTimeOn, true) => "{day} theek hai. Kaunsa time suit karega?",
        (Line::PickTimeOn, false) => {
            "{day} works. What time suits you? You can also pick a slot here: {link}"
        }
        (Line::PickTimeOn, true) => {
            "{day} theek hai. Kaunsa time suit karega? Yahan slot bhi chun sakte hain: {link}"
        }
        (Line::CallNoted, false) => "{time} — noted, I'll have the team confirm it.",
        (Line::CallNoted, true) => "{time} note kar liya, team confirm karegi.",
        (Line::HandoverNoted, false) => "Noted — {time}. I've told the team.",
        (Line::HandoverNoted, true) => "Note kar liya — {time}. Team ko bata diya hai.",
        (Line::WaitingBook, false) => {
            "Sure — you can pick a time here: {link}. Someone from the team will also reply here."
        }
        (Line::WaitingBook, true) => {
            "Zaroor — yahan apna time chun sakte hain: {link}. Team se bhi koi yahin reply karega."
        }
        (Line::WaitingPay, false) => {
            "Sure — you can pay here: {link}. Someone from the team will also reply here."
        }
        (Line::WaitingPay, true) => {
            "Zaroor — yahan pay kar sakte hain: {link}. Team se bhi koi yahin reply karega."
        }
        (Line::WaitingLink, false) => {
            "Sure — here is the link: {link}. Someone from the team will also reply here."
        }
        (Line::WaitingLink, true) => {
            "Zaroor — yeh raha link: {link}. Team se bhi koi yahin reply karega."
        }
        (Line::Waiting, false) => "I've passed this to the team; someone will reply here.",
        (Line::Waiting, true) => "Team ko bata diya hai; koi yahin reply karega.",
        (Line::WaitingAnswered, false) => {
            "The team will also reply here about your earlier question."
        }
        (Line::WaitingAnswered, true) => "Aapke pehle sawaal ka jawab team yahin degi.",
        (Line::StillHere, false) => "Yes, I'm here!",
        (Line::StillHere, true) => "Haan ji, main yahin hun!",
        (Line::WhatToKnow, false) => "What would you like to know?",
        (Line::WhatToKnow, true) => "Aap kya jaanna chahenge?",
        (Line::WaitingAlsoAsked, false) => {
            "Noted — I've passed that to the team as well; they'll answer it here with your earlier question."
        }
        (Line::WaitingAlsoAsked, true) => {
            "Noted — yeh sawaal bhi team ko bhej diya hai; pehle wale ke saath iska jawab bhi yahin milega."
        }
        (Line::Welcome, false) => "You're welcome! Message us anytime.",
        (Line::Welcome, true) => "Koi baat nahi! Kabhi bhi message kar dijiye.",
        (Line::Booked, false) => "Done, you're booked for {time}. Our team will call you then.",
        (Line::Booked, true) => "Ho gaya, {time} ke liye book hai. Team aapko tab call karegi.",
        (Line::Moved, false) => "No problem, I've moved it to {time}. Our team will call you then.",
        (Line::Moved, true) => "Koi baat nahi, {time} kar diya hai. Team aapko tab call karegi.",
        (Line::BookedVisit, false) => "Done, your visit is booked. See you on {day} at {time}!",
        (Line::BookedVisit, true) => "Ho gaya, visit book hai. {day} ko {time} par milte hain!",
        (Line::BookedSession, false) => "Done, you're booked for {day} at {time}. See you then!",
        (Line::BookedSession, true) => "Ho gaya, {day} {time} ke liye book hai. Tab milte hain!",
        (Line::MovedMeeting, false) => {
            "No problem, I've moved it to {day} at {time}. See you then!"
        }
        (Line::MovedMeeting, true) => "Koi baat nahi, {day} {time} kar diya hai. Tab milte hain!",
        (Line::Accepted, false) => "Great! Here you go: {link}",
        (Line::Accepted, true) => "Badhiya! Yeh raha: {link}",
        (Line::Completed, false) => "Wonderful, thank you! Anything else I can help with?",
        (Line::Completed, true) => "Bahut badhiya, thanks! Aur kuch help chahiye?",
        // The way back is part of the confirmation: START re-subscribes (think.rs).
        (Line::OptOut, false) => {
            "You're unsubscribed and won't get more messages from us. Reply START anytime to talk again."
        }
        (Line::OptOut, true) => {
            "Aapko ab humse aur messages nahi aayenge. Dobara baat karne ke liye START bhejein."
        }
        (Line::OptIn, false) => {
            "Welcome back! You're subscribed again and will get our messages. How can I help you?"
        }
        (Line::OptIn, true) => {
            "Welcome back! Aapko humare messages phir se milenge. Bataiye, main kaise help karun?"
        }
        (Line::Handoff, false) => {
            "I'm bringing in a member of our team; they'll reply here shortly."
        }
        (Line::Handoff, true) => {
            "Main team ke member ko bula raha hun, woh jaldi yahin reply karenge."
        }
        (Line::HandoffLater, false) => "Our team is back at {time} {day}; they'll reply here then.",
        (Line::HandoffLater, true) => {
            "Humari team {day} {time} par wapas hogi; tab yahin reply karegi."
        }
        (Line::Today, false) => "today",
        (Line::Today, true) => "aaj",
        (Line::Tomorrow, false) => "tomorrow ({weekday})",
        (Line::Tomorrow, true) => "kal ({weekday})",
        (Line::OnDay, false) => "on {weekday}",
        (Line::OnDay, true) => "{weekday} ko",
        (Line::WhoWeAre, false) => "This is {business} on WhatsApp; I'm its virtual assistant.",
        (Line::WhoWeAre, true) => "Yeh {business} ka WhatsApp hai; main virtual assistant hun.",
        (Line::Understood, false) => "I understand.",
        (Line::Understood, true) => "Samajh sakta hun.",
        (Line::ObjectionHeard, false) => "I understand. What would make it work for you?",
        (Line::ObjectionHeard, true) => "Samajh sakta hun. Aapke liye kya theek rahega?",
        (Line::Graceful, false) => "No problem! Message us whenever you are ready.",
        (Line::Graceful, true) => "Koi baat nahi! Jab ready ho, message karna.",
        (Line::AskSlot, false) => "Could you share your {slot}?",
        (Line::AskSlot, true) => "Aapka {slot} kya hai?",
        (Line::Reconfirm, false) => "Just to confirm, your {slot} is {value}?",
        (Line::Reconfirm, true) => "Confirm kar dun, aapka {slot} {value} hai?",
        (Line::Thanks, _) => "Thanks {name}!",
        (Line::NiceToMeet, false) => "Nice to meet you, {name}!",
        (Line::NiceToMeet, true) => "Aapse baat karke achha laga, {name}!",
        (Line::Noted, false) => "Got it: {slot} {value}, noted.",
        (Line::Noted, true) => "Theek hai, {slot} {value} note kar liya.",
        (Line::NotedValue, false) => "Got it: {value}, noted.",
        (Line::NotedValue, true) => "Theek hai, {value} note kar liya.",
        (Line::AskAgain, false) => "And your {slot}?",
        (Line::AskAgain, true) => "Aur aapka {slot}?",
        (Line::AskAgainChoices, false) => "And your {slot}: {choices}?",
        (Line::AskAgainChoices, true) => "Aur aapka {slot}: {choices}?",
        (Line::Or, false) => "or",
        (Line::Or, true) => "ya",
        (Line::AnythingElse, false) => "Anything else I can help with?",
        (Line::WhatChanged, false) => {
            "Sorry, I didn't catch what to change. Could you tell me again?"
        }
        (Line::WhatChanged, true) => {
            "Maaf kijiye, kya badalna hai samajh nahi aaya. Dobara batayenge?"
        }
        (Line::AnythingElse, true) => "Aur kuch help chahiye?",
        (Line::OfferStands, false) => "Shall we go ahead with the {offer}?",
        (Line::OfferStands, true) => "{offer} ke saath aage badhein?",
        (Line::OfferQuestion, false) => {
            "Take your time. Any question about the {offer} I can answer?"
        }
        (Line::OfferQuestion, true) => {
            "Koi jaldi nahi. Aapko {offer} ke baare mein koi sawaal ho toh puchiye."
        }
        (Line::SorryForTheWait, false) => "Sorry for the wait.",
        (Line::SorryForTheWait, true) => "Intezaar ke liye maafi.",
        (Line::PersonComing, false) => "Someone from our team will reply here shortly.",
        (Line::PersonComing, true) => "Team se koi jaldi yahin reply karega.",
        (Line::Apology, false) => "Sorry for the trouble.",
        (Line::Apology, true) => "Asuvidha ke liye maafi.",
        (Line::Ping, false) => "Just checking in, any questions I can help with?",
        (Line::Ping, true) => "Bas check kar raha tha, koi sawaal hai?",
        // Reply-button titles: WhatsApp allows 20 characters.
        (Line::ButtonYes, false) => "Yes, let's do it",
        (Line::ButtonYes, true) => "Haan, karte hain",
        (Line::ButtonNo, false) => "Not now",
        (Line::ButtonNo, true) => "Abhi nahi",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    Failsafe,
    Greeting,
    NoAnswer,
    /// The question passed to the team, with when they will have answered (`{when}`).
    NoAnswerBy,
    /// A request for details of `{topic}` nothing the business gave answers: the team will
    /// send them.
    DetailsFromTeam,
    /// The same, with when (`{when}`).
    DetailsFromTeamBy,
    /// A question asked again after its answer: the answer is above (not sent again), the
    /// team adds the rest.
    SaidAbove,
    /// The same, with when (`{when}`).
    SaidAboveBy,
    /// Some of the lead's questions answered, the others not: the team answers the rest.
    RestFromTeam,
    /// The same, with when.
    RestFromTeamBy,
    WithinTheHour,
    /// `{time}` on `{day}` (today, tomorrow, on a weekday).
    ByTime,
    AskTime,
    /// The day the lead asked for said back, and the time asked: "Sun 22 Nov works. …".
    AskTimeOn,
    /// The same with the booking link, to pick a slot on it.
    PickTimeOn,
    PickTime,
    /// The time the lead asked for a call, said back: the team confirms it (no booking link).
    CallNoted,
    /// A new time for the call already handed to the team, said back while nobody has
    /// answered yet.
    HandoverNoted,
    /// Waiting for a person, the lead asked for a link they can use alone: the booking link
    /// (`{link}`), to pick a time.
    WaitingBook,
    /// The same with the payment link.
    WaitingPay,
    /// The same with any other link (the app, the form).
    WaitingLink,
    /// Waiting for a person, the lead asked for something only a person can do: the team
    /// has it.
    Waiting,
    /// Waiting for the team's answer to an earlier question, the lead asked one the
    /// knowledge answers: said after that answer.
    WaitingAnswered,
    /// Waiting for the team's answer to an earlier question, the lead asked another the
    /// knowledge does not answer: the team has that one too.
    WaitingAlsoAsked,
    /// The lead checks that someone is there ("??", "hello anyone there"), the bot is.
    StillHere,
    /// Nothing asked of the lead: what they would like to know.
    WhatToKnow,
    /// The answer to a lead's "ok thanks": a polite close, nothing pushed.
    Welcome,
    Booked,
    /// The booking moved to the time the lead asked for.
    Moved,
    /// A visit booked: the lead comes, nobody calls (`{day}`, `{time}`).
    BookedVisit,
    /// A demo, trial or webinar booked: the lead attends it.
    BookedSession,
    /// A visit, demo or trial moved to the time the lead asked for.
    MovedMeeting,
    Accepted,
    Completed,
    OptOut,
    /// The one confirmation to a lead who wrote START after opting out.
    OptIn,
    Handoff,
    /// The handover outside working hours: when the team is back.
    HandoffLater,
    Today,
    Tomorrow,
    OnDay,
    Graceful,
    /// An objection the owner wrote no words for, heard.
    ObjectionHeard,
    /// An objection heard, before the business's own answer to it.
    Understood,
    /// Whom the lead is writing to (`{business}`), before the next step.
    WhoWeAre,
    AskSlot,
    Reconfirm,
    /// Said once, when the lead tells their name.
    Thanks,
    /// The same in the first reply, after the owner's greeting (which already thanks).
    NiceToMeet,
    /// A fact the lead corrected, said back.
    Noted,
    /// The same for what the lead wants, with no label: "Got it: class 11, noted."
    NotedValue,
    /// The question the lead answered with something else (a time for a goal), asked again
    /// in other words: "And your goal?".
    AskAgain,
    /// The same with the owner's choices: "And your goal: weight loss, muscle gain or …?".
    AskAgainChoices,
    /// The last of a list of choices follows it.
    Or,
    /// Nothing left to ask or offer after a correction: the door held open.
    AnythingElse,
    /// A correction the agent could not place: asked again.
    WhatChanged,
    /// The offer already on the table, asked about in other words (never resent whole).
    OfferStands,
    /// One question about the offer on the table for a lead who only said "hmm".
    OfferQuestion,
    Apology,
    /// To a lead waiting for a person who asks whether anyone is there.
    SorryForTheWait,
    /// A person will reply here, inside the working hours.
    PersonComing,
    Ping,
    ButtonYes,
    ButtonNo,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_fits_a_reply_in_its_own_language_or_in_none() {
        assert!(fits("Which exam are you preparing for?", "en"));
        assert!(!fits("Which exam are you preparing for?", "hi-en"));
        assert!(fits("Aapka naam kya hai?", "hi"));
        assert!(!fits("Aapka naam kya hai?", "en"));
        assert!(fits("https://cal.example.com/acme", "hi-en"));
    }

    #[test]
    fn detects_the_three_languages() {
        assert_eq!(detect("Hi, what are your fees?"), Some("en"));
        assert_eq!(detect("Fees kitni hai?"), Some("hi-en"));
        assert_eq!(detect("mujhe trading course chahiye"), Some("hi-en"));
        assert_eq!(detect("कोर्स की फीस कितनी है?"), Some("hi"));
        assert_eq!(detect("I live in Pune main area"), Some("en"));
        assert_eq!(detect("👍"), None);
        assert_eq!(detect("Rahul"), None);
        assert_eq!(detect("sorry, 12th mein hu"), Some("hi-en"));
        // On the Hinglish `pathshala` business this English lead got a Hinglish offer.
        assert_eq!(detect("Amit here, JEE, 12th, CBSE"), Some("en"));
        assert_eq!(
            detect("Amit here. JEE ke liye, 11th mein hu"),
            Some("hi-en")
        );
    }

    /// A bilingual organisation's English lead wrote one Hinglish word and heard a whole
    /// Hinglish reply: the message is weighed, not flipped by one word.
    #[test]
    fn one_hinglish_word_in_an_english_message_does_not_make_it_hinglish() {
        assert_eq!(detect("ok so fees kya hai for class 11?"), Some("hi-en"));
        assert_eq!(
            detect("Hi, what is the fees for class 11 batch ji"),
            Some("en")
        );
        assert_eq!(detect("thanks bhai"), Some("en"));
        assert_eq!(
            detect("Hi, I want to know what is the fees, kya hai"),
            Some("en")
        );
        // Politeness alone, or as much of each: the conversation's language stands.
        assert_eq!(detect("ok bhai"), None);
        assert_eq!(detect("Location share karo please"), None);
        // Short Hinglish answers stay Hinglish.
        assert_eq!(detect("theek hai"), Some("hi-en"));
        assert_eq!(detect("kal se"), Some("hi-en"));
        assert_eq!(detect("Hamara budget 1 lakh tak hai"), Some("hi-en"));
        assert_eq!(detect("spoken english seekhni hai"), Some("hi-en"));
    }
}
