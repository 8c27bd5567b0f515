//! The sales pipeline's rules: what a stage is (a name, a colour, a place in the order and a
//! kind — open, won or lost), which conversation stages each default stage lists, where a card
//! lands in its column, and when the agent may move a lead by itself.
//!
//! The agent's rule ([`ai_move`]) is the one the product promises: a conversation's new stage
//! moves its lead to the stage listing it, forward only, never out of won/lost, and a person's
//! move wins until the conversation's stage changes again.

use crate::ValidationError;
use crate::sales::{ConversationStage, LeadStatus};

text_enum!(
    /// What a stage means for the deal.
    StageKind {
        /// Still being worked.
        Open = "open",
        /// Closed and paid: a lead entering it is `won`.
        Won = "won",
        /// Closed without a sale: a lead entering it is `lost`.
        Lost = "lost",
    }
);

impl StageKind {
    /// The lead status a lead takes on entering a stage of this kind (open stages leave it).
    pub fn lead_status(self) -> Option<LeadStatus> {
        match self {
            StageKind::Open => None,
            StageKind::Won => Some(LeadStatus::Won),
            StageKind::Lost => Some(LeadStatus::Lost),
        }
    }

    pub fn is_closed(self) -> bool {
        self != StageKind::Open
    }
}

text_enum!(
    /// Who moved a lead between stages.
    MoveActor {
        /// A member, on the board or the lead's page.
        User = "user",
        /// The agent, from the conversation's stage.
        Ai = "ai",
        /// An automation.
        Rule = "rule",
        /// An integration through the API.
        Api = "api",
        /// A CSV import.
        Import = "import",
    }
);

impl MoveActor {
    /// A deliberate decision the agent must not undo on a stale guess.
    pub fn is_person(self) -> bool {
        self != MoveActor::Ai
    }
}

/// Longest stage name.
pub const MAX_STAGE_NAME: usize = 40;
/// Most stages a pipeline may have.
pub const MAX_STAGES: usize = 30;

/// A stage's name: trimmed, inner spaces collapsed, 1–40 characters. Unique per organisation
/// in any case (see [`stage_folded`]).
pub fn stage_name(raw: &str) -> Result<String, ValidationError> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(ValidationError("is required".into()));
    }
    if name.chars().count() > MAX_STAGE_NAME {
        return Err(ValidationError(format!(
            "must be at most {MAX_STAGE_NAME} characters"
        )));
    }
    Ok(name)
}

/// The form of a stage name two stages may not share.
pub fn stage_folded(name: &str) -> String {
    name.to_lowercase()
}

/// A colour written `#rrggbb`, stored lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageColor(String);

impl StageColor {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let c = raw.trim();
        if c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit()) {
            Ok(StageColor(c.to_ascii_lowercase()))
        } else {
            Err(ValidationError("must be a colour written #rrggbb".into()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for StageColor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A default stage: name, kind, colour and the conversation stages it lists.
pub struct DefaultStage {
    pub name: &'static str,
    pub kind: StageKind,
    pub color: &'static str,
    pub conversation_stages: &'static [ConversationStage],
}

/// Every organisation starts with these, in this order (API.md, *CRM*).
pub const DEFAULT_STAGES: &[DefaultStage] = {
    use ConversationStage as C;
    &[
        DefaultStage {
            name: "New",
            kind: StageKind::Open,
            color: "#64748b",
            conversation_stages: &[C::New],
        },
        DefaultStage {
            name: "Engaged",
            kind: StageKind::Open,
            color: "#2563eb",
            conversation_stages: &[
                C::InitialContact,
                C::Discovery,
                C::Qualification,
                C::ObjectionHandling,
            ],
        },
        DefaultStage {
            name: "Interested",
            kind: StageKind::Open,
            color: "#d97706",
            conversation_stages: &[C::CtaOffered, C::CtaInProgress, C::Negotiation],
        },
        DefaultStage {
            name: "Paid",
            kind: StageKind::Won,
            color: "#16a34a",
            conversation_stages: &[C::ClosedWon],
        },
        DefaultStage {
            name: "Lost",
            kind: StageKind::Lost,
            color: "#dc2626",
            conversation_stages: &[C::ClosedLost],
        },
    ]
};

/// A stage as the rules see it: its place in the order and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageSpot {
    pub position: i32,
    pub kind: StageKind,
}

/// The lead's last move: who made it and the conversation's stage at that moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastMove {
    pub actor: MoveActor,
    pub conversation_stage: Option<ConversationStage>,
}

/// Where the agent moves a lead whose conversation just entered `new_conversation_stage`,
/// mapped to the stage `target` (the one listing it), from `current`; `None` = it stays.
///
/// - never out of a won or lost stage (a closed deal is a person's to reopen);
/// - forward only: to a later open stage, or to a won/lost stage from an open one;
/// - a person's move wins until the next: when a person (or an integration, rule or import)
///   made the last move while the conversation already stood at this stage, the agent's
///   "new" stage is no news and the lead stays where the person put it.
pub fn ai_move(
    current: StageSpot,
    target: StageSpot,
    last: Option<LastMove>,
    new_conversation_stage: ConversationStage,
) -> Option<StageSpot> {
    if current.kind.is_closed() || current == target {
        return None;
    }
    if let Some(last) = last
        && last.actor.is_person()
        && last.conversation_stage == Some(new_conversation_stage)
    {
        return None;
    }
    let forward = target.kind.is_closed() || target.position > current.position;
    forward.then_some(target)
}

/// Ranks order a column's cards (lower = higher up); they are sparse so a move writes one row.
pub const RANK_GAP: i64 = 1 << 20;

/// A rank between `above` and `below` (either may be absent: the top or the bottom of the
/// column), or `None` when the two are adjacent and the column must be renumbered first.
pub fn rank_between(above: Option<i64>, below: Option<i64>) -> Option<i64> {
    match (above, below) {
        (None, None) => Some(0),
        (None, Some(b)) => b.checked_sub(RANK_GAP),
        (Some(a), None) => a.checked_add(RANK_GAP),
        (Some(a), Some(b)) => {
            let (lo, hi) = (a.min(b) as i128, a.max(b) as i128);
            (hi - lo >= 2).then(|| ((lo + hi) / 2) as i64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spot(position: i32, kind: StageKind) -> StageSpot {
        StageSpot { position, kind }
    }

    #[test]
    fn defaults_list_every_working_stage_once() {
        let mut seen = vec![];
        for s in DEFAULT_STAGES {
            for c in s.conversation_stages {
                assert!(!seen.contains(c), "{c} listed twice");
                seen.push(*c);
            }
        }
        assert_eq!(DEFAULT_STAGES[0].kind, StageKind::Open);
        assert_eq!(DEFAULT_STAGES.len(), 5);
        for s in DEFAULT_STAGES {
            assert!(StageColor::parse(s.color).is_ok());
            assert_eq!(stage_name(s.name).unwrap(), s.name);
        }
    }

    #[test]
    fn names_and_colours() {
        assert_eq!(stage_name("  Demo   booked ").unwrap(), "Demo booked");
        assert!(stage_name(" ").is_err());
        assert!(stage_name(&"x".repeat(41)).is_err());
        assert_eq!(StageColor::parse("#AABBCC").unwrap().as_str(), "#aabbcc");
        for bad in ["red", "#abc", "#gggggg", "aabbcc", "#aabbccdd"] {
            assert!(StageColor::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_agent_moves_forward_and_closes() {
        use ConversationStage as C;
        let new = spot(0, StageKind::Open);
        let engaged = spot(1, StageKind::Open);
        let interested = spot(2, StageKind::Open);
        let paid = spot(3, StageKind::Won);
        let lost = spot(4, StageKind::Lost);
        assert_eq!(
            ai_move(new, interested, None, C::CtaOffered),
            Some(interested)
        );
        assert_eq!(ai_move(interested, engaged, None, C::Discovery), None);
        assert_eq!(ai_move(interested, paid, None, C::ClosedWon), Some(paid));
        assert_eq!(ai_move(paid, lost, None, C::ClosedLost), None);
        assert_eq!(ai_move(lost, interested, None, C::Negotiation), None);
        // A person put the lead back while the conversation stood at cta_offered: it stays.
        let by_person = LastMove {
            actor: MoveActor::User,
            conversation_stage: Some(C::CtaOffered),
        };
        assert_eq!(
            ai_move(engaged, interested, Some(by_person), C::CtaOffered),
            None
        );
        // The conversation moved on since: the agent's move counts again.
        assert_eq!(
            ai_move(engaged, interested, Some(by_person), C::Negotiation),
            Some(interested)
        );
    }

    #[test]
    fn ranks_fit_between_neighbours() {
        assert_eq!(rank_between(None, None), Some(0));
        assert_eq!(rank_between(None, Some(0)), Some(-RANK_GAP));
        assert_eq!(rank_between(Some(0), None), Some(RANK_GAP));
        assert_eq!(rank_between(Some(0), Some(10)), Some(5));
        assert_eq!(rank_between(Some(4), Some(5)), None);
        assert_eq!(rank_between(None, Some(i64::MIN)), None);
    }

    fn any_kind() -> impl Strategy<Value = StageKind> {
        prop::sample::select(StageKind::ALL.to_vec())
    }
    fn any_actor() -> impl Strategy<Value = MoveActor> {
        prop::sample::select(MoveActor::ALL.to_vec())
    }
    fn any_conv() -> impl Strategy<Value = ConversationStage> {
        prop::sample::select(ConversationStage::ALL.to_vec())
    }

    proptest! {
        /// The agent never takes a lead out of won or lost, never back to an earlier open
        /// stage, never "moves" it where it is, and never overrides a person's move made at
        /// the conversation stage it reports again.
        #[test]
        fn the_agent_only_moves_forward(
            cp in 0i32..10, ck in any_kind(),
            tp in 0i32..10, tk in any_kind(),
            last in prop::option::of((any_actor(), prop::option::of(any_conv()))),
            conv in any_conv(),
        ) {
            let current = spot(cp, ck);
            let target = spot(tp, tk);
            let last = last.map(|(actor, conversation_stage)| LastMove { actor, conversation_stage });
            match ai_move(current, target, last, conv) {
                Some(to) => {
                    prop_assert_eq!(to, target);
                    prop_assert_eq!(ck, StageKind::Open);
                    prop_assert!(to != current);
                    prop_assert!(tk.is_closed() || tp > cp);
                    if let Some(l) = last {
                        prop_assert!(!(l.actor.is_person() && l.conversation_stage == Some(conv)));
                    }
                }
                None => {
                    // Staying is right only for a reason the rule names.
                    let forward = tk.is_closed() || tp > cp;
                    let person_held = last.is_some_and(|l| l.actor.is_person() && l.conversation_stage == Some(conv));
                    prop_assert!(ck.is_closed() || current == target || !forward || person_held);
                }
            }
        }

        /// Once the agent moved a lead, asking again with the same news changes nothing.
        #[test]
        fn the_agent_is_idempotent(
            cp in 0i32..10, tp in 0i32..10, tk in any_kind(), conv in any_conv(),
        ) {
            let current = spot(cp, StageKind::Open);
            let target = spot(tp, tk);
            if let Some(to) = ai_move(current, target, None, conv) {
                let last = LastMove { actor: MoveActor::Ai, conversation_stage: Some(conv) };
                prop_assert_eq!(ai_move(to, target, Some(last), conv), None);
            }
        }

        /// A rank between two neighbours sorts strictly between them.
        #[test]
        fn ranks_sort_between(a in any::<i64>(), b in any::<i64>()) {
            let (lo, hi) = (a.min(b), a.max(b));
            if let Some(r) = rank_between(Some(lo), Some(hi)) {
                prop_assert!(lo < r && r < hi);
            } else {
                prop_assert!((hi as i128 - lo as i128) < 2);
            }
            if let Some(r) = rank_between(None, Some(a)) { prop_assert!(r < a); }
            if let Some(r) = rank_between(Some(a), None) { prop_assert!(r > a); }
        }
    }
}
