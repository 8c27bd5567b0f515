//! Round-robin assignment: when the agent hands a conversation over, whose turn it is.

use crate::role::Role;
use uuid::Uuid;

/// A member as the rotation sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub id: Uuid,
    pub role: Role,
    pub active: bool,
    /// They said they take new conversations now.
    pub available: bool,
}

impl Candidate {
    /// Active, marked available, and allowed to answer leads (a viewer only looks).
    pub fn takes_turns(&self) -> bool {
        self.active && self.available && self.role.can_work_conversations()
    }
}

/// The member whose turn it is after `last`: members stand in one fixed order (their ids,
/// which grow with the time they joined), and the turn passes to the first one after `last`
/// who takes turns, wrapping round; nobody when nobody takes turns. The order does not
/// depend on who is available now, so a member who steps away and comes back keeps their
/// place, and a `last` who left the team still marks where the turn stands.
pub fn next_in_turn(members: &[Candidate], last: Option<Uuid>) -> Option<Uuid> {
    let mut turns: Vec<Uuid> = members
        .iter()
        .filter(|m| m.takes_turns())
        .map(|m| m.id)
        .collect();
    turns.sort();
    let after_last = last.and_then(|l| turns.iter().find(|id| **id > l));
    after_last.or(turns.first()).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn member(n: u128, available: bool) -> Candidate {
        Candidate {
            id: Uuid::from_u128(n),
            role: Role::Agent,
            active: true,
            available,
        }
    }

    #[test]
    fn the_turn_passes_in_order_and_skips_who_is_away() {
        let team = [member(1, true), member(2, false), member(3, true)];
        let id = Uuid::from_u128;
        assert_eq!(next_in_turn(&team, None), Some(id(1)));
        assert_eq!(next_in_turn(&team, Some(id(1))), Some(id(3)));
        assert_eq!(next_in_turn(&team, Some(id(3))), Some(id(1)));
        // The last one left the team: the turn goes on from where they stood.
        assert_eq!(next_in_turn(&team, Some(id(2))), Some(id(3)));
    }

    #[test]
    fn nobody_takes_a_turn_when_nobody_is_available() {
        let viewer = Candidate {
            role: Role::Viewer,
            ..member(4, true)
        };
        let gone = Candidate {
            active: false,
            ..member(5, true)
        };
        assert_eq!(next_in_turn(&[member(1, false), viewer, gone], None), None);
        assert_eq!(next_in_turn(&[], Some(Uuid::from_u128(1))), None);
    }

    fn team() -> impl Strategy<Value = Vec<Candidate>> {
        prop::collection::vec((1u128..50, any::<bool>(), any::<bool>(), 0usize..4), 0..12).prop_map(
            |rows| {
                let mut seen = std::collections::HashSet::new();
                rows.into_iter()
                    .filter(|(id, ..)| seen.insert(*id))
                    .map(|(id, active, available, role)| Candidate {
                        id: Uuid::from_u128(id),
                        role: [Role::Owner, Role::Admin, Role::Agent, Role::Viewer][role],
                        active,
                        available,
                    })
                    .collect()
            },
        )
    }

    proptest! {
        /// Whoever is picked takes turns; nobody is picked only when nobody does.
        #[test]
        fn picks_only_members_who_take_turns(t in team(), last in prop::option::of(0u128..60)) {
            let picked = next_in_turn(&t, last.map(Uuid::from_u128));
            let eligible: Vec<Uuid> = t.iter().filter(|m| m.takes_turns()).map(|m| m.id).collect();
            match picked {
                Some(id) => prop_assert!(eligible.contains(&id)),
                None => prop_assert!(eligible.is_empty()),
            }
        }

        /// Fair: over k rounds of n hand-overs, each of the n available members gets k, and
        /// nobody gets two in a row while someone else is available.
        #[test]
        fn every_available_member_gets_the_same_share(
            t in team(), start in prop::option::of(0u128..60), rounds in 1usize..5,
        ) {
            let n = t.iter().filter(|m| m.takes_turns()).count();
            let mut last = start.map(Uuid::from_u128);
            let mut got: HashMap<Uuid, usize> = HashMap::new();
            for _ in 0..n * rounds {
                let next = next_in_turn(&t, last).expect("someone is available");
                if n > 1 {
                    prop_assert_ne!(Some(next), last);
                }
                *got.entry(next).or_default() += 1;
                last = Some(next);
            }
            prop_assert_eq!(got.len(), n);
            prop_assert!(got.values().all(|&c| c == rounds));
        }
    }
}
