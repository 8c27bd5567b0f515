use super::*;
use proptest::prelude::*;

fn status() -> impl Strategy<Value = RecipientStatus> {
    prop::sample::select(RecipientStatus::ALL.to_vec())
}

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap()
}

#[test]
fn campaigns_move_draft_scheduled_running_paused_and_end() {
    use CampaignCommand as C;
    use CampaignStatus as S;
    assert_eq!(
        transition(S::Draft, C::Start { later: true }),
        Some(S::Scheduled)
    );
    assert_eq!(transition(S::Scheduled, C::Due), Some(S::Running));
    assert_eq!(transition(S::Running, C::Pause), Some(S::Paused));
    assert_eq!(transition(S::Paused, C::Resume), Some(S::Running));
    assert_eq!(transition(S::Running, C::Complete), Some(S::Completed));
    assert_eq!(transition(S::Paused, C::Cancel), Some(S::Cancelled));
    assert_eq!(transition(S::Completed, C::Cancel), None);
    assert_eq!(transition(S::Running, C::Resume), None);
    assert_eq!(transition(S::Paused, C::Complete), None);
}

proptest! {
    /// Nothing leaves a finished campaign, and nothing reaches a draft again.
    #[test]
    fn finished_campaigns_stay_finished(i in 0usize..6, later in any::<bool>()) {
        let cmds = [CampaignCommand::Start { later }, CampaignCommand::Due, CampaignCommand::Pause,
            CampaignCommand::Resume, CampaignCommand::Cancel, CampaignCommand::Complete];
        for from in CampaignStatus::ALL {
            let to = transition(*from, cmds[i]);
            if from.is_finished() { prop_assert_eq!(to, None); }
            prop_assert_ne!(to, Some(CampaignStatus::Draft));
        }
    }

    /// A recipient's status never goes back, except a re-queue for a new attempt; an end
    /// (failed, skipped) is final.
    #[test]
    fn recipient_status_only_moves_forward(reports in prop::collection::vec(status(), 0..20)) {
        let mut s = RecipientStatus::Pending;
        let mut reached = s.rank();
        for r in reports {
            if let Some(next) = s.advance(r) {
                prop_assert!(!s.is_final());
                let requeue = next.is_queued() && matches!(s, RecipientStatus::Sending | RecipientStatus::Sent);
                prop_assert!(requeue || next.rank() > s.rank() || next.is_final(), "{s} -> {next}");
                if requeue { reached = next.rank(); } else { prop_assert!(next.rank() >= reached || next.is_final()); reached = reached.max(next.rank()); }
                s = next;
            }
        }
    }

    /// In any sliding one-second window, no more than `rate` slots are granted, however the
    /// requests arrive and whichever replica asks.
    #[test]
    fn slots_never_exceed_the_rate(rate in 1u32..200, asks in prop::collection::vec(0i64..50, 1..400)) {
        let (mut next, mut now, mut granted) = (0i64, 1_000_000i64, vec![]);
        for step in asks {
            now += step;
            let (at, after) = take_slot(next, now, rate);
            prop_assert!(at >= now);
            granted.push(at);
            next = after;
        }
        for (i, start) in granted.iter().enumerate() {
            let in_window = granted[i..].iter().take_while(|t| **t < start + 1000).count();
            prop_assert!(in_window as u32 <= rate, "{in_window} in one second at {rate}/s");
        }
    }

    /// A throughput error pauses the number for 1 s doubling to 60 s and halves the pace; a
    /// success climbs back, never past the number's rate.
    #[test]
    fn throttling_backs_off_and_recovers(max in 1u32..1000, errors in 0usize..12, ok in 0usize..200) {
        let mut p = NumberPace::new(max);
        let mut pause = FIRST_BACKOFF_MS;
        for _ in 0..errors {
            let before = p.rate;
            p = p.throttled(0);
            prop_assert_eq!(p.paused_until_ms, pause);
            prop_assert_eq!(p.rate, (before / 2).max(1));
            pause = (pause * 2).min(MAX_BACKOFF_MS);
        }
        for _ in 0..ok { p = p.recovered(); prop_assert!(p.rate <= max && p.rate >= 1); }
        if errors == 0 || ok >= 20 * 12 { prop_assert_eq!(p.rate, max); }
    }

    /// An opted-out lead is always excluded, first; a marketing-only reason never excludes a
    /// utility send; a lead with a fresh phone and no opt-out always gets the message.
    #[test]
    fn exclusions_put_opt_outs_first(opted in any::<bool>(), mkt in any::<bool>(), marketing in any::<bool>(),
        phone in prop::option::of(prop::sample::select(vec!["+14155550100", "+447700900123", ""])),
        seen in any::<bool>(), capped in prop::option::of(0i64..100_000)) {
        let now = at(1_800_000_000);
        let lead = AudienceLead { phone: phone.map(str::to_owned), opted_out: opted, marketing_opt_out: mkt,
            marketing_capped_at: capped.map(|s| now - Duration::seconds(s)) };
        let why = exclusion(&lead, marketing, seen, now);
        if opted { prop_assert_eq!(why, Some(RecipientReason::OptedOut)); }
        if !marketing {
            prop_assert!(!matches!(why, Some(RecipientReason::MarketingOptedOut | RecipientReason::UsMarketingBlock | RecipientReason::MarketingCapped)));
        }
        let has_phone = lead.phone.as_deref().is_some_and(|p| !p.is_empty());
        if !opted && has_phone && !seen && !marketing { prop_assert_eq!(why, None); }
    }

    /// Every error lands somewhere, throughput errors never fail a recipient, and transient
    /// errors end after five tries.
    #[test]
    fn errors_route_as_the_contract_says(code in prop::option::of(prop::sample::select(vec![
        1i64, 2, 4, 100, 130429, 80007, 131000, 131016, 131026, 131048, 131049, 131050, 131056, 131057,
        132000, 132001, 132015, 132016, 190, 368, 503])), attempts in 1u32..10, caps in 0u32..8, days in 0u32..8) {
        let r = route_error(code, attempts, caps, RetryPolicy { marketing_cap_days: days });
        match code {
            Some(130429 | 4 | 80007) => prop_assert_eq!(r, ErrorRoute::NumberThrottled),
            Some(131056) => prop_assert_eq!(r, ErrorRoute::LeadThrottled),
            Some(131049) => prop_assert_eq!(r == ErrorRoute::RetryTomorrow, caps < days),
            Some(131050) => prop_assert_eq!(r, ErrorRoute::MarketingOptOut),
            Some(1 | 2 | 131000 | 131016 | 131057 | 503) | None =>
                prop_assert_eq!(r == ErrorRoute::RetryTransient, attempts < TRANSIENT_TRIES),
            _ => prop_assert!(!matches!(r, ErrorRoute::RetryTransient | ErrorRoute::RetryTomorrow)),
        }
    }
}

#[test]
fn a_local_time_is_the_next_one_in_the_zone() {
    let s = Schedule {
        send_at: None,
        local_time: Some("09:30".into()),
    };
    // 2026-03-01 10:00 UTC is 15:30 in Kolkata: the next 09:30 there is tomorrow 04:00 UTC.
    let now = "2026-03-01T10:00:00Z".parse().unwrap();
    let due = s.due_for(chrono_tz::Asia::Kolkata, now);
    assert_eq!(due.to_rfc3339(), "2026-03-02T04:00:00+00:00");
    assert_eq!(
        s.due_for(chrono_tz::UTC, now).to_rfc3339(),
        "2026-03-02T09:30:00+00:00"
    );
    assert!(!Schedule::default().is_later(now));
    assert!(
        Schedule {
            send_at: Some(now + Duration::hours(1)),
            local_time: None
        }
        .is_later(now)
    );
    assert!(
        Schedule {
            send_at: None,
            local_time: Some("25:00".into())
        }
        .problems()
        .len()
            == 1
    );
}

#[test]
fn tiers_read_as_numbers_and_replies_count_for_a_week() {
    assert_eq!(messaging_limit(Some("TIER_1K")), Some(1000));
    assert_eq!(messaging_limit(Some("250")), Some(250));
    assert_eq!(messaging_limit(Some("TIER_UNLIMITED")), None);
    assert!(is_reply(at(0), at(7 * 86_400)));
    assert!(!is_reply(at(0), at(7 * 86_400 + 1)));
    let sent = at(100) + Duration::milliseconds(600);
    assert!(is_reply(sent, at(100)), "stamped in the second of the send");
    assert!(!is_reply(sent, at(99)));
    assert_eq!(gap_wait(Some(at(100)), 6, at(103)), Some(at(106)));
    assert_eq!(gap_wait(Some(at(100)), 6, at(106)), None);
    assert_eq!(spacing_ms(80), 13);
}
