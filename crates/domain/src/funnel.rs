//! The pipeline funnel as rollups can keep it. A lead's moves, oldest first, go through
//! [`LeadFunnel::apply`], which says what each move adds: the lead entering a stage for the
//! first time, the lead moving on from a stage it entered (counted on the day it entered, so
//! a period reads "of the leads that entered then, how many moved on"), and how long it had
//! stayed. The live path applies a new move after the lead's earlier ones; the rebuild
//! applies every move in order; a filtered funnel applies the chosen leads' moves — one rule,
//! so the three agree to the unit.

use crate::analytics::{RollupMetric, duration_bucket};
use crate::pipeline::StageKind;
use chrono::NaiveDate;
use std::collections::HashMap;
use uuid::Uuid;

/// Where a stage sits on the board, as the funnel needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StagePlace {
    pub position: i32,
    pub kind: StageKind,
}

/// One move of a lead, dated by the local day it happened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunnelMove {
    /// `None`: the lead's placement on the board.
    pub from: Option<Uuid>,
    pub to: Uuid,
    pub day: NaiveDate,
    pub seconds_in_from: Option<i64>,
}

/// What a move adds to the funnel's rollups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelCount {
    /// The lead entered `stage` for the first time, on `day`.
    Entered { stage: Uuid, day: NaiveDate },
    /// The lead moved on from `stage`, which it first entered on `day`.
    Converted { stage: Uuid, day: NaiveDate },
    /// The lead left `stage` on `day` after `seconds` (bucketed) in it.
    Stayed {
        stage: Uuid,
        day: NaiveDate,
        seconds: i64,
    },
}

impl FunnelCount {
    /// The rollup row the count adds one to: metric, day, dimension.
    pub fn rollup(&self) -> (RollupMetric, NaiveDate, String) {
        match *self {
            FunnelCount::Entered { stage, day } => {
                (RollupMetric::StageEntered, day, stage.to_string())
            }
            FunnelCount::Converted { stage, day } => {
                (RollupMetric::StageConverted, day, stage.to_string())
            }
            FunnelCount::Stayed {
                stage,
                day,
                seconds,
            } => (RollupMetric::StageSeconds, day, stay_key(stage, seconds)),
        }
    }
}

/// The dimension of a `stage_seconds` row.
pub fn stay_key(stage: Uuid, seconds: i64) -> String {
    format!("{stage}|{seconds}")
}

/// Reads a `stay_key` back.
pub fn parse_stay_key(key: &str) -> Option<(Uuid, i64)> {
    let (stage, seconds) = key.split_once('|')?;
    Some((stage.parse().ok()?, seconds.parse().ok()?))
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    day: NaiveDate,
    converted: bool,
}

/// What is known of one lead's way through the pipeline so far.
#[derive(Debug, Clone, Default)]
pub struct LeadFunnel {
    entries: HashMap<Uuid, Entry>,
}

/// Moving on means a later stage that is not a loss.
pub fn is_forward(stages: &HashMap<Uuid, StagePlace>, from: Uuid, to: Uuid) -> bool {
    match (stages.get(&from), stages.get(&to)) {
        (Some(a), Some(b)) => b.kind != StageKind::Lost && b.position > a.position,
        _ => false,
    }
}

impl LeadFunnel {
    /// The counts `m` adds, given the moves applied before it.
    pub fn apply(
        &mut self,
        m: &FunnelMove,
        stages: &HashMap<Uuid, StagePlace>,
    ) -> Vec<FunnelCount> {
        let mut out = vec![];
        if let Some(from) = m.from {
            if let Some(s) = m.seconds_in_from {
                out.push(FunnelCount::Stayed {
                    stage: from,
                    day: m.day,
                    seconds: duration_bucket(s),
                });
            }
            if is_forward(stages, from, m.to)
                && let Some(e) = self.entries.get_mut(&from)
                && !e.converted
            {
                e.converted = true;
                out.push(FunnelCount::Converted {
                    stage: from,
                    day: e.day,
                });
            }
        }
        if let std::collections::hash_map::Entry::Vacant(v) = self.entries.entry(m.to) {
            v.insert(Entry {
                day: m.day,
                converted: false,
            });
            out.push(FunnelCount::Entered {
                stage: m.to,
                day: m.day,
            });
        }
        out
    }

    /// The lead's state after `moves` (oldest first), their counts dropped.
    pub fn after(moves: &[FunnelMove], stages: &HashMap<Uuid, StagePlace>) -> LeadFunnel {
        let mut f = LeadFunnel::default();
        for m in moves {
            f.apply(m, stages);
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn board(n: usize) -> (Vec<Uuid>, HashMap<Uuid, StagePlace>) {
        let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
        let kinds = [
            StageKind::Open,
            StageKind::Open,
            StageKind::Open,
            StageKind::Won,
            StageKind::Lost,
        ];
        let places = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                (
                    *id,
                    StagePlace {
                        position: i as i32,
                        kind: kinds[i % kinds.len()],
                    },
                )
            })
            .collect();
        (ids, places)
    }

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Duration::days(n)
    }

    #[test]
    fn a_lead_counts_once_per_stage_and_converts_on_its_entry_day() {
        let (s, places) = board(5);
        let mv = |from: Option<usize>, to: usize, d: i64, secs| FunnelMove {
            from: from.map(|f| s[f]),
            to: s[to],
            day: day(d),
            seconds_in_from: secs,
        };
        let mut f = LeadFunnel::default();
        let counts: Vec<Vec<FunnelCount>> = [
            mv(None, 0, 0, None),
            mv(Some(0), 1, 2, Some(100)),
            mv(Some(1), 0, 3, Some(10)),
            mv(Some(0), 1, 5, Some(4_567)),
            mv(Some(1), 3, 6, Some(50)),
        ]
        .iter()
        .map(|m| f.apply(m, &places))
        .collect();
        use FunnelCount::*;
        assert_eq!(
            counts[0],
            vec![Entered {
                stage: s[0],
                day: day(0)
            }]
        );
        assert_eq!(
            counts[1],
            vec![
                Stayed {
                    stage: s[0],
                    day: day(2),
                    seconds: 100
                },
                Converted {
                    stage: s[0],
                    day: day(0)
                },
                Entered {
                    stage: s[1],
                    day: day(2)
                },
            ]
        );
        // Back and forth again: only the stays count.
        assert_eq!(
            counts[2],
            vec![Stayed {
                stage: s[1],
                day: day(3),
                seconds: 10
            }]
        );
        assert_eq!(
            counts[3],
            vec![Stayed {
                stage: s[0],
                day: day(5),
                seconds: 4_500
            }]
        );
        assert_eq!(
            counts[4],
            vec![
                Stayed {
                    stage: s[1],
                    day: day(6),
                    seconds: 50
                },
                Converted {
                    stage: s[1],
                    day: day(2)
                },
                Entered {
                    stage: s[3],
                    day: day(6)
                },
            ]
        );
        // A loss is not moving on.
        let mut g = LeadFunnel::after(&[mv(None, 0, 0, None)], &places);
        let lost = g.apply(&mv(Some(0), 4, 1, Some(5)), &places);
        assert!(!lost.iter().any(|c| matches!(c, Converted { .. })));
    }

    proptest! {
        #[test]
        fn entered_is_distinct_stages_and_converted_needs_a_forward_move(
            path in proptest::collection::vec(0usize..5, 1..20)
        ) {
            let (s, places) = board(5);
            let mut f = LeadFunnel::default();
            let mut from = None;
            let mut entered = BTreeSet::new();
            let mut converted = BTreeSet::new();
            let mut expect_converted = BTreeSet::new();
            for (i, to) in path.iter().enumerate() {
                if let Some(prev) = from
                    && is_forward(&places, s[prev], s[*to])
                {
                    expect_converted.insert(prev);
                }
                let m = FunnelMove { from: from.map(|f| s[f]), to: s[*to], day: day(i as i64), seconds_in_from: from.map(|_| 1) };
                for c in f.apply(&m, &places) {
                    match c {
                        FunnelCount::Entered { stage, .. } => prop_assert!(entered.insert(stage)),
                        FunnelCount::Converted { stage, .. } => prop_assert!(converted.insert(stage)),
                        FunnelCount::Stayed { .. } => {}
                    }
                }
                from = Some(*to);
            }
            let distinct: BTreeSet<Uuid> = path.iter().map(|i| s[*i]).collect();
            prop_assert_eq!(entered, distinct);
            let expected: BTreeSet<Uuid> = expect_converted.into_iter().map(|i| s[i]).collect();
            prop_assert_eq!(converted, expected);
        }
    }
}
