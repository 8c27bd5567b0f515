//! Facts the agent learns about a lead ("slots"), each with how sure it is.
//!
//! Confidence bands (SPEC §5.2): stated explicitly ≥ 0.8, implied 0.6–0.8, guessed < 0.6.
//! A confident fact is not replaced by a weaker reading of a later message, but a lead who
//! corrects themselves ("actually my budget is now 10k") always wins: what the lead says
//! about their own situation beats what we inferred.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const EXPLICIT: f32 = 0.8;
pub const IMPLIED: f32 = 0.6;
/// Below this a slot is re-confirmed before a major call to action.
pub const RECONFIRM_BELOW: f32 = 0.7;

/// One known fact. `source_message_id` is the message it was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    pub value: String,
    pub confidence: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_message_id: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A reading of one message that may update a slot.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub value: String,
    pub confidence: f32,
    /// The lead said the earlier value is wrong or has changed.
    pub correction: bool,
    pub source_message_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// How sure a reading is, by band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    Explicit,
    Implied,
    Guessed,
}

pub fn certainty(confidence: f32) -> Certainty {
    if confidence >= EXPLICIT {
        Certainty::Explicit
    } else if confidence >= IMPLIED {
        Certainty::Implied
    } else {
        Certainty::Guessed
    }
}

/// The slot after `new` is observed; `None` only when there was nothing and nothing usable
/// came (an empty value).
pub fn merge(existing: Option<&Slot>, new: &Observation) -> Option<Slot> {
    let confidence = new.confidence.clamp(0.0, 1.0);
    let value = new.value.trim();
    let fresh = || Slot {
        value: value.to_owned(),
        confidence,
        source_message_id: new.source_message_id.clone(),
        updated_at: new.at,
    };
    if value.is_empty() {
        return existing.cloned();
    }
    let Some(old) = existing else {
        return Some(fresh());
    };
    if old.value.eq_ignore_ascii_case(value) {
        // The same fact again only makes us surer.
        let mut kept = old.clone();
        if confidence > old.confidence {
            kept.confidence = confidence;
            kept.source_message_id = new.source_message_id.clone();
            kept.updated_at = new.at;
        }
        return Some(kept);
    }
    if new.correction {
        // An explicit correction is itself an explicit statement.
        let mut slot = fresh();
        slot.confidence = slot.confidence.max(EXPLICIT);
        return Some(slot);
    }
    if old.confidence >= EXPLICIT && confidence < old.confidence {
        return Some(old.clone());
    }
    Some(fresh())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    fn obs(value: &str, confidence: f32, correction: bool) -> Observation {
        Observation {
            value: value.into(),
            confidence,
            correction,
            source_message_id: Some("m2".into()),
            at: t(200),
        }
    }

    fn slot(value: &str, confidence: f32) -> Slot {
        Slot {
            value: value.into(),
            confidence,
            source_message_id: Some("m1".into()),
            updated_at: t(100),
        }
    }

    #[test]
    fn a_budget_correction_replaces_a_confident_value() {
        // seeds/001 audit #4: "My budget was 5000, but now I can do 10000".
        let old = slot("5000", 0.95);
        let merged = merge(Some(&old), &obs("10000", 0.7, true)).unwrap();
        assert_eq!(merged.value, "10000");
        assert!(merged.confidence >= EXPLICIT);
        assert_eq!(merged.source_message_id.as_deref(), Some("m2"));
    }

    #[test]
    fn a_guess_does_not_replace_a_stated_fact() {
        let old = slot("Mumbai", 0.9);
        assert_eq!(merge(Some(&old), &obs("Pune", 0.5, false)).unwrap(), old);
        // An equally explicit new statement is a change of facts and wins.
        assert_eq!(
            merge(Some(&old), &obs("Pune", 0.9, false)).unwrap().value,
            "Pune"
        );
        // A weak old value gives way to any new reading.
        let weak = slot("Mumbai", 0.5);
        assert_eq!(
            merge(Some(&weak), &obs("Pune", 0.4, false)).unwrap().value,
            "Pune"
        );
    }

    #[test]
    fn bands() {
        assert_eq!(certainty(0.95), Certainty::Explicit);
        assert_eq!(certainty(0.7), Certainty::Implied);
        assert_eq!(certainty(0.3), Certainty::Guessed);
    }

    fn arb_slot() -> impl Strategy<Value = Slot> {
        ("[a-c]{1,2}", 0.0f32..=1.0).prop_map(|(v, c)| slot(&v, c))
    }
    fn arb_obs() -> impl Strategy<Value = Observation> {
        ("[a-c]{0,2}", 0.0f32..=1.0, any::<bool>()).prop_map(|(v, c, k)| obs(&v, c, k))
    }

    proptest! {
        /// A correction with a value always ends up stored, whatever was there.
        #[test]
        fn corrections_always_win(old in proptest::option::of(arb_slot()), new in arb_obs()) {
            prop_assume!(!new.value.is_empty());
            let merged = merge(old.as_ref(), &Observation { correction: true, ..new.clone() }).unwrap();
            prop_assert!(merged.value.eq_ignore_ascii_case(&new.value));
        }

        /// A confident slot only changes on a correction or an at-least-as-confident reading.
        #[test]
        fn confident_slots_resist_weaker_readings(old in arb_slot(), new in arb_obs()) {
            let merged = merge(Some(&old), &new).unwrap();
            if old.confidence >= EXPLICIT && !new.correction && new.confidence < old.confidence {
                prop_assert_eq!(&merged.value, &old.value);
            }
            prop_assert!((0.0..=1.0).contains(&merged.confidence));
        }

        /// Seeing the same observation twice changes nothing more than seeing it once.
        #[test]
        fn merging_is_idempotent(old in proptest::option::of(arb_slot()), new in arb_obs()) {
            let once = merge(old.as_ref(), &new);
            let twice = merge(once.as_ref(), &new);
            prop_assert_eq!(once, twice);
        }

        /// An empty reading never erases what we know.
        #[test]
        fn empty_readings_change_nothing(old in proptest::option::of(arb_slot()), c in 0.0f32..=1.0, k in any::<bool>()) {
            prop_assert_eq!(merge(old.as_ref(), &obs("  ", c, k)), old);
        }
    }
}
