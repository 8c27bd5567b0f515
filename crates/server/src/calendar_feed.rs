//! A member's calendar feed as iCalendar (RFC 5545), written by the `icalendar` crate: one
//! VEVENT per event with a time, in UTC (valid everywhere without a VTIMEZONE block), the
//! calendar's own timezone set to the organisation's (`X-WR-TIMEZONE`) so calendar apps show
//! it as the team sees it. A cancelled event stays, as `STATUS:CANCELLED`, so subscribed apps
//! take it off rather than keep the old time.

use chrono_tz::Tz;
use closer_domain::calendar::{EventStatus, local_time};
use closer_store::calendar::CalendarEvent;
use icalendar::{Calendar, Component, Event, EventLike};

pub fn ics(org_name: &str, tz: Tz, public_url: Option<&str>, events: &[CalendarEvent]) -> String {
    let mut cal = Calendar::new();
    cal.name(&format!("{org_name} — Closer"))
        .timezone(tz.name())
        .ttl(&chrono::Duration::minutes(30));
    for e in events {
        let (Some(start), Some(end)) = (e.starts_at, e.ends_at) else {
            continue;
        };
        let mut ev = Event::new();
        ev.uid(&format!("{}@closer", e.id))
            .summary(&e.title)
            .starts(start)
            .ends(end)
            .timestamp(e.updated_at)
            .created(e.created_at)
            .last_modified(e.updated_at)
            .description(&description(e, tz, start))
            .status(match e.status {
                EventStatus::Cancelled => icalendar::EventStatus::Cancelled,
                _ => icalendar::EventStatus::Confirmed,
            });
        if let (Some(base), Some(c)) = (public_url, e.conversation_id) {
            ev.url(&format!("{}/inbox/{c}", base.trim_end_matches('/')));
        }
        cal.push(ev.done());
    }
    cal.done().to_string()
}

fn description(e: &CalendarEvent, tz: Tz, start: chrono::DateTime<chrono::Utc>) -> String {
    let mut lines = vec![format!(
        "{} ({}), {}",
        e.kind,
        e.status,
        local_time(start, tz)
    )];
    if let Some(c) = &e.contact {
        let name = c.name.as_deref().unwrap_or("Lead");
        match &c.phone {
            Some(phone) => lines.push(format!("{name}, {phone}")),
            None => lines.push(name.to_owned()),
        }
    }
    lines.join("\n")
}
