//! The daily digest: when it is due in the organisation's day, and what it says.

use crate::sales::EscalationPriority;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// The local hour the digest goes out: the start of a working day.
pub const DIGEST_HOUR: u32 = 8;

/// The local day whose digest is due at `now`: today, once it is past [`DIGEST_HOUR`] there;
/// none before that (yesterday's went out yesterday).
pub fn digest_day(now: DateTime<Utc>, tz: Tz) -> Option<NaiveDate> {
    let local = now.with_timezone(&tz);
    (local.hour() >= DIGEST_HOUR).then(|| local.date_naive())
}

/// The UTC bounds of a local day (a day around a DST change is 23 or 25 hours).
pub fn day_bounds(day: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    // A zone that skips midnight starts the day at its first local time that exists: 01:00
    // after a DST jump, or the next day's midnight when the whole day was skipped (Samoa
    // went from 29 to 31 December 2011).
    let start = |d: NaiveDate| {
        let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
        (0..=48 * 4)
            .find_map(|quarter| {
                let at = midnight + Duration::minutes(15 * quarter);
                tz.from_local_datetime(&at).earliest()
            })
            .expect("a zone skips less than two days")
            .with_timezone(&Utc)
    };
    (start(day), start(day + Duration::days(1)))
}

/// What the team's day looks like for one member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestFacts {
    /// Leads who first wrote in the last 24 hours.
    pub new_leads: u64,
    /// Calls and demos booked for today (title, start).
    pub bookings_today: Vec<(String, DateTime<Utc>)>,
    /// Open action-center items by priority.
    pub open_actions: Vec<(EscalationPriority, u64)>,
    /// Conversations the agent handed over that wait for a person; those assigned to the
    /// member.
    pub handoffs_waiting: u64,
    pub handoffs_yours: u64,
}

/// The digest's title and text, times in the organisation's timezone.
pub fn digest_text(day: NaiveDate, facts: &DigestFacts, tz: Tz) -> (String, String) {
    let title = format!("Your day, {}", day.format("%a %-d %b"));
    let mut lines = vec![format!(
        "New leads in the last 24 hours: {}",
        facts.new_leads
    )];
    if facts.bookings_today.is_empty() {
        lines.push("Bookings today: none".into());
    } else {
        lines.push(format!("Bookings today: {}", facts.bookings_today.len()));
        for (title, at) in &facts.bookings_today {
            let local = at.with_timezone(&tz).format("%H:%M");
            lines.push(format!("  {local} {title}"));
        }
    }
    let mut by_priority: Vec<(EscalationPriority, u64)> = facts
        .open_actions
        .iter()
        .copied()
        .filter(|(_, n)| *n > 0)
        .collect();
    by_priority.sort_by_key(|(p, _)| std::cmp::Reverse(p.rank()));
    let total: u64 = by_priority.iter().map(|(_, n)| n).sum();
    let parts: Vec<String> = by_priority
        .iter()
        .map(|(p, n)| format!("{n} {p}"))
        .collect();
    lines.push(match total {
        0 => "Open actions: none".into(),
        _ => format!("Open actions: {total} ({})", parts.join(", ")),
    });
    lines.push(format!(
        "Handoffs waiting for a person: {} ({} yours)",
        facts.handoffs_waiting, facts.handoffs_yours
    ));
    (title, lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn due_from_eight_in_the_organisations_day() {
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        // 02:29 UTC is 07:59 in Kolkata; 02:30 is 08:00.
        assert_eq!(digest_day(at("2026-12-07T02:29:00Z"), kolkata), None);
        assert_eq!(
            digest_day(at("2026-12-07T02:30:00Z"), kolkata),
            NaiveDate::from_ymd_opt(2026, 12, 7)
        );
        // 20:00 UTC is 09:00 of the next day in Auckland (summer time).
        let auckland: Tz = "Pacific/Auckland".parse().unwrap();
        assert_eq!(
            digest_day(at("2026-12-07T20:00:00Z"), auckland),
            NaiveDate::from_ymd_opt(2026, 12, 8)
        );
    }

    #[test]
    fn the_text_says_what_waits() {
        let tz: Tz = "Asia/Kolkata".parse().unwrap();
        let facts = DigestFacts {
            new_leads: 3,
            bookings_today: vec![("Call: Asha".into(), at("2026-12-07T05:30:00Z"))],
            open_actions: vec![
                (EscalationPriority::Low, 1),
                (EscalationPriority::Critical, 2),
                (EscalationPriority::High, 0),
            ],
            handoffs_waiting: 2,
            handoffs_yours: 1,
        };
        let (title, text) = digest_text(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(), &facts, tz);
        assert_eq!(title, "Your day, Mon 7 Dec");
        assert!(text.contains("New leads in the last 24 hours: 3"));
        assert!(text.contains("  11:00 Call: Asha"), "{text}");
        assert!(
            text.contains("Open actions: 3 (2 critical, 1 low)"),
            "{text}"
        );
        assert!(text.contains("Handoffs waiting for a person: 2 (1 yours)"));
    }

    /// Samoa skipped 30 December 2011: the 29th ran until the 31st began (found by the
    /// property below; the fallback had read local 01:00 as UTC).
    #[test]
    fn a_day_before_a_skipped_day_ends_when_the_next_one_begins() {
        let tz: Tz = "Pacific/Apia".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2011, 12, 29).unwrap();
        let (start, end) = day_bounds(day, tz);
        let utc = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(start, utc("2011-12-29T10:00:00Z"));
        assert_eq!(end, utc("2011-12-30T10:00:00Z"));
    }

    proptest! {
        /// Due once the local clock passes eight, for the local date; and a day's bounds
        /// hold each of its instants.
        #[test]
        fn the_day_is_the_local_one(secs in 0i64..4_000_000_000, zone in 0usize..4) {
            let tz: Tz = ["Asia/Kolkata", "America/New_York", "Pacific/Apia", "UTC"][zone]
                .parse().unwrap();
            let now = DateTime::from_timestamp(secs, 0).unwrap();
            let local = now.with_timezone(&tz);
            match digest_day(now, tz) {
                Some(day) => {
                    prop_assert!(local.hour() >= DIGEST_HOUR);
                    prop_assert_eq!(day, local.date_naive());
                }
                None => prop_assert!(local.hour() < DIGEST_HOUR),
            }
            let (start, end) = day_bounds(local.date_naive(), tz);
            prop_assert!(start <= now && now < end);
        }
    }
}
