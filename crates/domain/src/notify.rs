//! Notifications to the team: what happened (the kind), who hears it, and on which channels
//! (the member's preferences per kind). Pure rules; the store records and queues, the server
//! delivers.

use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

text_enum!(
    /// What a notification is about.
    NotificationKind {
        /// The agent handed a conversation over: a person is needed.
        Handoff = "handoff",
        /// A lead booked a call or a demo.
        Booking = "booking",
        /// A lead accepted a call to action.
        CtaAccepted = "cta_accepted",
        /// A teammate named you (`@name`) in a private note.
        Mention = "mention",
        /// The day's summary.
        DailyDigest = "daily_digest",
    }
);

text_enum!(
    /// Where a notification reaches a member: the bell in the dashboard, their email, or
    /// their browsers' push.
    NotificationChannel {
        InApp = "in_app",
        Email = "email",
        Push = "push",
    }
);

text_enum!(
    /// How an email or a push of a notification is getting on: waiting for (or retrying)
    /// its job, handed to the mail server or push service, or given up on.
    DeliveryState {
        Pending = "pending",
        Sent = "sent",
        Failed = "failed",
    }
);

text_enum!(
    /// How the mail server is reached: in the clear (a local relay), upgraded with
    /// STARTTLS (usually port 587), or TLS from the first byte (usually port 465).
    SmtpTls {
        None = "none",
        Starttls = "starttls",
        Tls = "tls",
    }
);

/// One kind's channels for one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChannelChoice {
    pub in_app: bool,
    pub email: bool,
    pub push: bool,
}

impl ChannelChoice {
    pub fn allows(self, channel: NotificationChannel) -> bool {
        match channel {
            NotificationChannel::InApp => self.in_app,
            NotificationChannel::Email => self.email,
            NotificationChannel::Push => self.push,
        }
    }

    pub fn any(self) -> bool {
        self.in_app || self.email || self.push
    }
}

impl NotificationKind {
    /// What a member gets before choosing: everything in the dashboard; what needs a person
    /// soon (a handover, a booking, a mention) also by push and email; the digest by email
    /// only.
    pub fn default_channels(self) -> ChannelChoice {
        let all = ChannelChoice {
            in_app: true,
            email: true,
            push: true,
        };
        match self {
            NotificationKind::Handoff | NotificationKind::Booking | NotificationKind::Mention => {
                all
            }
            NotificationKind::CtaAccepted => ChannelChoice {
                email: false,
                ..all
            },
            NotificationKind::DailyDigest => ChannelChoice {
                in_app: false,
                email: true,
                push: false,
            },
        }
    }
}

/// A member's choices, every kind present: what they saved over the defaults.
pub fn preferences(
    saved: &BTreeMap<NotificationKind, ChannelChoice>,
) -> BTreeMap<NotificationKind, ChannelChoice> {
    NotificationKind::ALL
        .iter()
        .map(|&k| (k, saved.get(&k).copied().unwrap_or(k.default_channels())))
        .collect()
}

/// A member as the audience rule sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Teammate {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// Who hears about something in a conversation: its assignee when it is assigned to an
/// active member (they own it; the rest of the team is not paged for it), else every active
/// member who works conversations (viewers only look, so they are not paged).
pub fn conversation_audience(team: &[Teammate], assignee: Option<Uuid>) -> Vec<Uuid> {
    if let Some(a) = assignee
        && team.iter().any(|t| t.id == a && t.active)
    {
        return vec![a];
    }
    team.iter()
        .filter(|t| t.active && t.role.can_work_conversations())
        .map(|t| t.id)
        .collect()
}

/// The members a note names with `@`: `@Asha` (a first name, when only one active member has
/// it) or `@Asha Rao` (a full name), in any case. The author is never notified of their own
/// note; each member once, in the order of the team.
pub fn mentioned(text: &str, team: &[Teammate], author: Uuid) -> Vec<Uuid> {
    let lower = text.to_lowercase();
    let mentions: Vec<&str> = lower
        .match_indices('@')
        .filter(|(i, _)| {
            // An address (`a@b.com`) is not a mention.
            lower[..*i]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
        })
        .map(|(i, _)| &lower[i + 1..])
        .collect();
    let first = |t: &Teammate| {
        t.name
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_lowercase()
    };
    let named = |after: &str, name: &str| {
        !name.is_empty()
            && after.starts_with(name)
            && after[name.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    };
    let active: Vec<&Teammate> = team.iter().filter(|t| t.active).collect();
    active
        .iter()
        .filter(|t| t.id != author)
        .filter(|t| {
            let full = t.name.trim().to_lowercase();
            let given = first(t);
            let unique_first = active.iter().filter(|o| first(o) == given).count() == 1;
            mentions
                .iter()
                .any(|m| named(m, &full) || (unique_first && named(m, &given)))
        })
        .map(|t| t.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mate(n: u128, name: &str, role: Role) -> Teammate {
        Teammate {
            id: Uuid::from_u128(n),
            name: name.into(),
            role,
            active: true,
        }
    }

    fn team() -> Vec<Teammate> {
        vec![
            mate(1, "Asha Rao", Role::Owner),
            mate(2, "Ravi Kumar", Role::Agent),
            mate(3, "Ravi Shah", Role::Agent),
            mate(4, "Vik", Role::Viewer),
            Teammate {
                active: false,
                ..mate(5, "Old Timer", Role::Agent)
            },
        ]
    }

    #[test]
    fn the_assignee_hears_first_else_the_working_team() {
        let t = team();
        assert_eq!(
            conversation_audience(&t, Some(Uuid::from_u128(2))),
            vec![Uuid::from_u128(2)]
        );
        let everyone = vec![Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3)];
        assert_eq!(conversation_audience(&t, None), everyone);
        // Assigned to someone gone: the team hears it.
        assert_eq!(
            conversation_audience(&t, Some(Uuid::from_u128(5))),
            everyone
        );
    }

    #[test]
    fn mentions_name_members_by_full_or_unique_first_name() {
        let t = team();
        let author = Uuid::from_u128(9);
        assert_eq!(
            mentioned("@asha can you call?", &t, author),
            vec![Uuid::from_u128(1)]
        );
        // Two Ravis: the first name alone names nobody, the full name one of them.
        assert!(mentioned("@Ravi please", &t, author).is_empty());
        assert_eq!(
            mentioned("ping @Ravi Shah.", &t, author),
            vec![Uuid::from_u128(3)]
        );
        assert!(mentioned("write to asha@example.com", &t, author).is_empty());
        assert!(mentioned("@Ashan", &t, author).is_empty());
        assert!(mentioned("@Old", &t, author).is_empty());
        assert!(mentioned("@asha", &t, Uuid::from_u128(1)).is_empty());
        assert_eq!(
            mentioned("@Vik and @ASHA and @asha", &t, author),
            vec![Uuid::from_u128(1), Uuid::from_u128(4)]
        );
    }

    #[test]
    fn every_kind_has_preferences_and_saved_ones_win() {
        let saved = BTreeMap::from([(
            NotificationKind::Handoff,
            ChannelChoice {
                in_app: true,
                email: false,
                push: false,
            },
        )]);
        let p = preferences(&saved);
        assert_eq!(p.len(), NotificationKind::ALL.len());
        assert!(!p[&NotificationKind::Handoff].email);
        assert!(p[&NotificationKind::Booking].push);
        assert!(!p[&NotificationKind::DailyDigest].in_app);
    }

    proptest! {
        #[test]
        fn mentions_are_members_never_the_author(text in ".{0,60}", author in 0u128..6) {
            let t = team();
            let author = Uuid::from_u128(author);
            let found = mentioned(&text, &t, author);
            prop_assert!(!found.contains(&author));
            for id in &found {
                prop_assert!(t.iter().any(|m| m.id == *id && m.active));
            }
        }
    }
}
