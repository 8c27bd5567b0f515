//! When a person of the business is at work: the organisation's working hours as a schedule
//! (days and opening times in its timezone), read from the owner's free text where they wrote
//! "Mon-Sat 9am-7pm", and when the team is next back. A handover promises a person "shortly"
//! only while one is at work; at 04:30 it says when they are back.

use chrono::{Datelike, Days, NaiveDateTime, NaiveTime, Weekday};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// Opening hours on some days: `close` at or before `open` runs past midnight into the next
/// day (18:00–02:00); `open == close` is the whole day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenHours {
    /// `Mon` … `Sun` (any case, or the full name).
    pub days: Vec<Weekday>,
    /// `HH:MM`, in the organisation's timezone.
    #[serde(with = "hhmm")]
    pub open: NaiveTime,
    #[serde(with = "hhmm")]
    pub close: NaiveTime,
}

/// The organisation's working hours; empty when unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct WorkingSchedule(pub Vec<OpenHours>);

/// When the team answers a lead who writes at some local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamBack {
    /// Inside working hours, or no hours known: a person replies shortly.
    Now,
    /// Outside them: the next opening, local time.
    At(NaiveDateTime),
}

mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let raw = String::deserialize(d)?;
        NaiveTime::parse_from_str(raw.trim(), "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(raw.trim(), "%H:%M:%S"))
            .map_err(|_| serde::de::Error::custom(format!("{raw:?} is not a time (HH:MM)")))
    }
}

impl OpenHours {
    /// The stretch opening on `date`'s day, if it opens that day.
    fn on(&self, date: chrono::NaiveDate) -> Option<(NaiveDateTime, NaiveDateTime)> {
        if !self.days.contains(&date.weekday()) {
            return None;
        }
        let start = date.and_time(self.open);
        let end_date = if self.close > self.open {
            date
        } else {
            date.checked_add_days(Days::new(1))?
        };
        Some((start, end_date.and_time(self.close)))
    }
}

impl WorkingSchedule {
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|h| h.days.is_empty())
    }

    /// Whether someone is at work at `local` (the organisation's time).
    pub fn is_open(&self, local: NaiveDateTime) -> bool {
        let today = local.date();
        let days = [today.pred_opt(), Some(today)];
        self.0.iter().any(|h| {
            days.iter()
                .flatten()
                .filter_map(|d| h.on(*d))
                .any(|(start, end)| start <= local && local < end)
        })
    }

    /// When the team next opens after `local`; `None` when no day is open.
    pub fn next_opening(&self, local: NaiveDateTime) -> Option<NaiveDateTime> {
        (0..=7)
            .filter_map(|n| local.date().checked_add_days(Days::new(n)))
            .flat_map(|d| self.0.iter().filter_map(move |h| h.on(d)))
            .map(|(start, _)| start)
            .filter(|start| *start > local)
            .min()
    }

    /// When a person answers a lead writing at `local`: now, inside the hours (or with none
    /// known, as before); else the next opening.
    pub fn team_back(&self, local: NaiveDateTime) -> TeamBack {
        if self.is_empty() || self.is_open(local) {
            return TeamBack::Now;
        }
        self.next_opening(local).map_or(TeamBack::Now, TeamBack::At)
    }
}

const DAY_WORDS: &str = r"monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat|sunday|sun";

static DAY_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b({DAY_WORDS})s?\s*(?:-|to|till|through|thru)\s*({DAY_WORDS})s?\b"
    ))
    .expect("regex")
});
static DAY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\b({DAY_WORDS})s?\b")).expect("regex"));
static TIME_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*(?:-|to|till|until|upto)\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?",
    )
    .expect("regex")
});

fn weekday(word: &str) -> Option<Weekday> {
    word.get(..3)?.parse().ok()
}

/// Every day from `a` to `b`, wrapping over the week's end (Fri–Mon).
fn day_span(a: Weekday, b: Weekday) -> Vec<Weekday> {
    let mut out = vec![a];
    let mut d = a;
    while d != b {
        d = d.succ();
        out.push(d);
    }
    out
}

/// Monday to Sunday.
pub const EVERY_DAY: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// The days a clause names: ranges, single days, "weekdays", "daily".
fn days_in(clause: &str) -> Vec<Weekday> {
    let mut days = vec![];
    for c in DAY_RANGE.captures_iter(clause) {
        if let (Some(a), Some(b)) = (weekday(&c[1]), weekday(&c[2])) {
            days.extend(day_span(a, b));
        }
    }
    let rest = DAY_RANGE.replace_all(clause, " ");
    days.extend(DAY.captures_iter(&rest).filter_map(|c| weekday(&c[1])));
    if rest.contains("weekday") {
        days.extend(day_span(Weekday::Mon, Weekday::Fri));
    }
    if rest.contains("weekend") {
        days.extend([Weekday::Sat, Weekday::Sun]);
    }
    if [
        "daily",
        "every day",
        "everyday",
        "all days",
        "7 days",
        "all week",
    ]
    .iter()
    .any(|w| rest.contains(w))
    {
        days.extend(EVERY_DAY);
    }
    let mut seen = vec![];
    for d in days {
        if !seen.contains(&d) {
            seen.push(d);
        }
    }
    seen
}

/// `h` on a 12-hour clock with its am/pm, or as written when there is none.
fn hour(h: u32, meridiem: Option<&str>) -> u32 {
    match meridiem {
        Some("am") if h == 12 => 0,
        Some("pm") if h < 12 => h + 12,
        _ => h,
    }
}

/// The opening times of a clause: "9am-7pm", "9 to 6" (6 PM), "10-2pm", "9:30 am to 6:30 pm".
fn times_in(clause: &str) -> Option<(NaiveTime, NaiveTime)> {
    let c = TIME_RANGE.captures(clause)?;
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let (h1, m1, h2, m2) = (num(1)?, num(2).unwrap_or(0), num(4)?, num(5).unwrap_or(0));
    let (am1, am2) = (c.get(3).map(|m| m.as_str()), c.get(6).map(|m| m.as_str()));
    if h1 > 24 || h2 > 24 || m1 > 59 || m2 > 59 {
        return None;
    }
    let close = hour(h2, am2);
    let open = match am1 {
        Some(_) => hour(h1, am1),
        // "10-2pm" opens at 10 AM; "5-9pm" at 5 PM: the close's half of the day when it fits.
        None => Some(hour(h1, am2)).filter(|o| *o < close).unwrap_or(h1),
    };
    // "9 to 6": a shop does not open at 9 and close at 6 the next morning.
    let close = if am1.is_none() && am2.is_none() && close <= open && close < 12 {
        close + 12
    } else {
        close
    };
    let t = |h: u32, m: u32| NaiveTime::from_hms_opt(h % 24, m, 0);
    Some((t(open, m1)?, t(close, m2)?))
}

/// Reads the common ways owners write their hours ("Mon-Sat 9am-7pm", "9 AM-9 PM IST
/// Mon-Sat", "9 AM–9 PM, Monday to Saturday", "Mon-Fri 9-6, Sat 10-2", "10 to 7, Sunday
/// closed", "24x7"); `None` when no opening time can be read. Times without days are every day.
pub fn parse_working_hours(text: &str) -> Option<WorkingSchedule> {
    let norm = text
        .to_lowercase()
        .replace(['–', '—'], "-")
        .replace("a.m.", "am")
        .replace("p.m.", "pm")
        .replace("12 noon", "noon")
        .replace("noon", "12 pm")
        .replace("12 midnight", "midnight")
        .replace("midnight", "12 am");
    let midnight = NaiveTime::MIN;
    if ["24x7", "24/7", "24 x 7", "24 hours", "round the clock"]
        .iter()
        .any(|w| norm.contains(w))
    {
        return Some(WorkingSchedule(vec![OpenHours {
            days: EVERY_DAY.to_vec(),
            open: midnight,
            close: midnight,
        }]));
    }
    let mut spans: Vec<OpenHours> = vec![];
    let mut closed: Vec<Weekday> = vec![];
    let (mut days_waiting, mut times_waiting) = (None, None);
    for clause in norm
        .split([',', ';', '\n', '|', '&'])
        .flat_map(|c| c.split(" and "))
    {
        let days = days_in(clause);
        let times = times_in(clause);
        if ["closed", "off", "holiday", "band"]
            .iter()
            .any(|w| clause.split_whitespace().any(|x| x == *w))
        {
            closed.extend(days);
            continue;
        }
        match (days.is_empty(), times) {
            (false, Some((open, close))) => spans.push(OpenHours { days, open, close }),
            (true, Some(t)) => match days_waiting.take() {
                Some(days) => spans.push(OpenHours {
                    days,
                    open: t.0,
                    close: t.1,
                }),
                None => times_waiting = Some(t),
            },
            (false, None) => match times_waiting.take() {
                Some((open, close)) => spans.push(OpenHours { days, open, close }),
                None => days_waiting = Some(days),
            },
            (true, None) => {}
        }
    }
    if let Some((open, close)) = times_waiting {
        spans.push(OpenHours {
            days: days_waiting.unwrap_or_else(|| EVERY_DAY.to_vec()),
            open,
            close,
        });
    }
    for s in &mut spans {
        s.days.retain(|d| !closed.contains(d));
    }
    spans.retain(|s| !s.days.is_empty());
    (!spans.is_empty()).then_some(WorkingSchedule(spans))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn hours(days: &[Weekday], open: (u32, u32), close: (u32, u32)) -> OpenHours {
        OpenHours {
            days: days.to_vec(),
            open: t(open.0, open.1),
            close: t(close.0, close.1),
        }
    }

    fn mon_to(last: Weekday) -> Vec<Weekday> {
        day_span(Weekday::Mon, last)
    }

    #[test]
    fn the_common_ways_owners_write_their_hours_are_read() {
        let sat = mon_to(Weekday::Sat);
        let cases: Vec<(&str, Vec<OpenHours>)> = vec![
            ("Mon-Sat 9am-7pm", vec![hours(&sat, (9, 0), (19, 0))]),
            ("9 AM-9 PM IST Mon-Sat", vec![hours(&sat, (9, 0), (21, 0))]),
            (
                "9 AM–9 PM, Monday to Saturday",
                vec![hours(&sat, (9, 0), (21, 0))],
            ),
            ("9 AM-9 PM Mon-Sat", vec![hours(&sat, (9, 0), (21, 0))]),
            (
                "Mon-Fri 9-6, Sat 10-2",
                vec![
                    hours(&mon_to(Weekday::Fri), (9, 0), (18, 0)),
                    hours(&[Weekday::Sat], (10, 0), (14, 0)),
                ],
            ),
            (
                "10 to 7, Sunday closed",
                vec![hours(&sat, (10, 0), (19, 0))],
            ),
            (
                "9:30 a.m. to 6:30 p.m. on weekdays",
                vec![hours(&mon_to(Weekday::Fri), (9, 30), (18, 30))],
            ),
            (
                "6 AM - 12 midnight daily",
                vec![hours(&EVERY_DAY, (6, 0), (0, 0))],
            ),
            ("24x7", vec![hours(&EVERY_DAY, (0, 0), (0, 0))]),
            (
                "Fri-Mon 5-9pm",
                vec![hours(
                    &[Weekday::Fri, Weekday::Sat, Weekday::Sun, Weekday::Mon],
                    (17, 0),
                    (21, 0),
                )],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_working_hours(text),
                Some(WorkingSchedule(want)),
                "{text}"
            );
        }
        for unreadable in ["", "by appointment", "call us anytime", "Mon-Sat"] {
            assert_eq!(parse_working_hours(unreadable), None, "{unreadable}");
        }
    }

    #[test]
    fn a_schedule_is_stored_as_days_and_hh_mm() {
        let s = WorkingSchedule(vec![hours(&[Weekday::Mon, Weekday::Sat], (9, 0), (19, 30))]);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"days": ["Mon", "Sat"], "open": "09:00", "close": "19:30"}])
        );
        let back: WorkingSchedule = serde_json::from_value(
            serde_json::json!([{"days": ["monday", "SAT"], "open": "09:00", "close": "19:30:00"}]),
        )
        .unwrap();
        assert_eq!(back, s);
        assert!(
            serde_json::from_value::<WorkingSchedule>(
                serde_json::json!([{"days": ["Mon"], "open": "9am", "close": "19:00"}])
            )
            .is_err()
        );
    }

    #[test]
    fn at_04_30_on_a_tuesday_the_team_is_back_at_9() {
        let s = parse_working_hours("Mon-Sat 9am-7pm").unwrap();
        let tue = NaiveDate::from_ymd_opt(2026, 11, 17).unwrap();
        assert_eq!(
            s.team_back(tue.and_time(t(4, 30))),
            TeamBack::At(tue.and_time(t(9, 0)))
        );
        assert_eq!(s.team_back(tue.and_time(t(10, 0))), TeamBack::Now);
        // Saturday evening: back on Monday.
        let sat = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let mon = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(sat.weekday(), Weekday::Sat);
        assert_eq!(
            s.team_back(sat.and_time(t(19, 0))),
            TeamBack::At(mon.and_time(t(9, 0)))
        );
        // No hours known: as before, "shortly".
        assert_eq!(
            WorkingSchedule::default().team_back(tue.and_time(t(4, 30))),
            TeamBack::Now
        );
    }

    fn schedules() -> impl Strategy<Value = WorkingSchedule> {
        let day = proptest::sample::select(EVERY_DAY.to_vec());
        let span = (
            proptest::collection::vec(day, 1..7),
            0u32..24,
            prop_oneof![Just(0u32), Just(30u32)],
            0u32..24,
            prop_oneof![Just(0u32), Just(30u32)],
        )
            .prop_map(|(days, oh, om, ch, cm)| hours(&days, (oh, om), (ch, cm)));
        proptest::collection::vec(span, 0..3).prop_map(WorkingSchedule)
    }

    fn moments() -> impl Strategy<Value = NaiveDateTime> {
        // Three weeks of minutes around a week's end.
        (0i64..21 * 24 * 60).prop_map(|m| {
            NaiveDate::from_ymd_opt(2026, 11, 14)
                .unwrap()
                .and_time(NaiveTime::MIN)
                + chrono::Duration::minutes(m)
        })
    }

    proptest! {
        /// "Now" only inside the hours (or with none); otherwise the named moment is an
        /// opening after now, inside the hours, with the team away every minute between.
        #[test]
        fn the_team_is_back_at_the_first_opening_after_now(s in schedules(), now in moments()) {
            match s.team_back(now) {
                TeamBack::Now => prop_assert!(s.is_empty() || s.is_open(now)),
                TeamBack::At(at) => {
                    prop_assert!(!s.is_open(now));
                    prop_assert!(at > now);
                    prop_assert!(s.is_open(at), "{at} is an opening");
                    prop_assert!(at - now <= chrono::Duration::days(7));
                    let mut m = now;
                    while m < at {
                        prop_assert!(!s.is_open(m), "open at {m}, before {at}");
                        m += chrono::Duration::minutes(30);
                    }
                }
            }
        }

        /// A span past midnight is open in the small hours of the next day, and only then.
        #[test]
        fn a_late_span_runs_past_midnight(day in proptest::sample::select(EVERY_DAY.to_vec()), open in 12u32..24, close in 0u32..12, now in moments()) {
            let s = WorkingSchedule(vec![hours(&[day], (open, 0), (close, 0))]);
            let d = now.date();
            let t = now.time();
            let evening = d.weekday() == day && t >= super::NaiveTime::from_hms_opt(open, 0, 0).unwrap();
            let small_hours = d.weekday().pred() == day && t < super::NaiveTime::from_hms_opt(close, 0, 0).unwrap();
            prop_assert_eq!(s.is_open(now), evening || small_hours);
        }
    }
}
