//! The calendar: calls, demos and meetings booked with leads — by the agent when a lead takes
//! up a booking CTA, or by a person by hand — and their life (booked, moved, cancelled, done).
//! A booking whose time the lead has not given yet is an event without a start: "time to be
//! agreed", until the lead names one or a person sets it.

use crate::sales::CtaType;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

/// How long an event lasts when nothing said otherwise.
pub const DEFAULT_LENGTH_MINUTES: i64 = 30;
/// The longest range one calendar read may cover.
pub const MAX_RANGE_DAYS: i64 = 366;
/// The longest title kept.
pub const TITLE_MAX: usize = 200;

text_enum!(
    /// What kind of appointment it is.
    EventKind {
        Call = "call",
        Demo = "demo",
        Meeting = "meeting",
    }
);

impl EventKind {
    /// The appointment a booking CTA books; `None` for CTAs that book nothing.
    pub fn of_cta(cta: CtaType) -> Option<EventKind> {
        match cta {
            CtaType::BookCall => Some(EventKind::Call),
            CtaType::ScheduleDemo => Some(EventKind::Demo),
            CtaType::JoinWebinar => Some(EventKind::Meeting),
            _ => None,
        }
    }

    /// How a message to the lead names it.
    pub fn noun(self) -> &'static str {
        match self {
            EventKind::Call => "call",
            EventKind::Demo => "demo",
            EventKind::Meeting => "meeting",
        }
    }
}

text_enum!(
    /// Where an event is in its life. Cancelled and done are final.
    EventStatus {
        Booked = "booked",
        Rescheduled = "rescheduled",
        Cancelled = "cancelled",
        Done = "done",
    }
);

impl EventStatus {
    pub fn is_final(self) -> bool {
        matches!(self, EventStatus::Cancelled | EventStatus::Done)
    }
}

/// A person's change to an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventChange {
    /// A new start (the first one, for a booking whose time was to be agreed).
    Move(DateTime<Utc>),
    Cancel,
    Done,
}

/// Why an event may not be changed that way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRefusal {
    /// It is cancelled or done already.
    Closed,
    /// A call that has not got a time cannot have taken place.
    NoTimeYet,
}

/// What a change does: the new status, and whether the lead is to be told (a move or a
/// cancellation is news to them; the team marking a call done is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventOutcome {
    pub status: EventStatus,
    pub tell_lead: bool,
}

/// The status after `change`: the first time given to a booking keeps it booked, a later
/// move reschedules it; nothing changes a cancelled or done event.
pub fn change_event(
    status: EventStatus,
    had_start: bool,
    change: EventChange,
) -> Result<EventOutcome, EventRefusal> {
    if status.is_final() {
        return Err(EventRefusal::Closed);
    }
    let (status, tell_lead) = match change {
        EventChange::Move(_) if !had_start => (status, true),
        EventChange::Move(_) => (EventStatus::Rescheduled, true),
        EventChange::Cancel => (EventStatus::Cancelled, true),
        EventChange::Done if !had_start => return Err(EventRefusal::NoTimeYet),
        EventChange::Done => (EventStatus::Done, false),
    };
    Ok(EventOutcome { status, tell_lead })
}

/// The end of a moved event: it keeps its length (the default length when it had none).
pub fn moved_end(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    new_start: DateTime<Utc>,
) -> DateTime<Utc> {
    let length = match (start, end) {
        (Some(s), Some(e)) if e > s => e - s,
        _ => Duration::minutes(DEFAULT_LENGTH_MINUTES),
    };
    new_start + length
}

/// The organisation's timezone, UTC when it has none (or an unknown name).
pub fn zone(name: Option<&str>) -> Tz {
    name.and_then(|n| n.parse().ok()).unwrap_or(Tz::UTC)
}

/// A time as the lead reads it: "Tue 8 Dec, 15:00 (Asia/Kolkata)".
pub fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "{} ({})",
        at.with_timezone(&tz).format("%a %-d %b, %H:%M"),
        tz
    )
}

/// The message that tells the lead about a change, in the organisation's timezone.
pub fn lead_notice(
    kind: EventKind,
    change: EventChange,
    old_start: Option<DateTime<Utc>>,
    tz: Tz,
) -> String {
    let noun = kind.noun();
    match (change, old_start) {
        (EventChange::Move(new), Some(old)) => format!(
            "Your {noun} on {} has been moved to {}. Reply here if that time does not suit you.",
            local_time(old, tz),
            local_time(new, tz)
        ),
        (EventChange::Move(new), None) => format!(
            "Your {noun} is booked for {}. Reply here if that time does not suit you.",
            local_time(new, tz)
        ),
        (_, Some(old)) => format!(
            "Your {noun} on {} has been cancelled. Reply here to book another time.",
            local_time(old, tz)
        ),
        (_, None) => {
            format!("The {noun} we were arranging has been cancelled. Reply here to book a time.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn booking_ctas_book_their_kind_and_others_nothing() {
        assert_eq!(EventKind::of_cta(CtaType::BookCall), Some(EventKind::Call));
        assert_eq!(
            EventKind::of_cta(CtaType::ScheduleDemo),
            Some(EventKind::Demo)
        );
        for cta in CtaType::ALL {
            assert_eq!(EventKind::of_cta(*cta).is_some(), cta.is_booking(), "{cta}");
        }
    }

    #[test]
    fn a_move_reschedules_only_an_event_that_had_a_time() {
        let at = t("2026-12-08T09:30:00Z");
        let first = change_event(EventStatus::Booked, false, EventChange::Move(at)).unwrap();
        assert_eq!(first.status, EventStatus::Booked);
        assert!(first.tell_lead);
        let again = change_event(EventStatus::Booked, true, EventChange::Move(at)).unwrap();
        assert_eq!(again.status, EventStatus::Rescheduled);
        let cancel = change_event(EventStatus::Rescheduled, true, EventChange::Cancel).unwrap();
        assert_eq!(cancel.status, EventStatus::Cancelled);
        assert!(cancel.tell_lead);
        let done = change_event(EventStatus::Booked, true, EventChange::Done).unwrap();
        assert_eq!(done.status, EventStatus::Done);
        assert!(!done.tell_lead);
        assert_eq!(
            change_event(EventStatus::Booked, false, EventChange::Done),
            Err(EventRefusal::NoTimeYet)
        );
    }

    #[test]
    fn cancelled_and_done_are_final() {
        for status in [EventStatus::Cancelled, EventStatus::Done] {
            for change in [
                EventChange::Move(t("2026-12-08T09:30:00Z")),
                EventChange::Cancel,
                EventChange::Done,
            ] {
                assert_eq!(
                    change_event(status, true, change),
                    Err(EventRefusal::Closed)
                );
            }
        }
    }

    #[test]
    fn a_moved_event_keeps_its_length() {
        let (s, e) = (t("2026-12-08T09:00:00Z"), t("2026-12-08T10:00:00Z"));
        let new = t("2026-12-09T12:00:00Z");
        assert_eq!(moved_end(Some(s), Some(e), new), t("2026-12-09T13:00:00Z"));
        assert_eq!(moved_end(None, None, new), t("2026-12-09T12:30:00Z"));
    }

    #[test]
    fn the_lead_reads_times_in_the_organisations_zone() {
        let tz = zone(Some("Asia/Kolkata"));
        let old = t("2026-12-08T09:30:00Z");
        let new = t("2026-12-09T04:30:00Z");
        let text = lead_notice(EventKind::Call, EventChange::Move(new), Some(old), tz);
        assert!(text.contains("Tue 8 Dec, 15:00 (Asia/Kolkata)"), "{text}");
        assert!(text.contains("Wed 9 Dec, 10:00"), "{text}");
        let text = lead_notice(EventKind::Demo, EventChange::Cancel, Some(old), tz);
        assert!(text.starts_with("Your demo on Tue 8 Dec"), "{text}");
        assert_eq!(zone(None), Tz::UTC);
        assert_eq!(zone(Some("Mars/Olympus")), Tz::UTC);
    }
}
