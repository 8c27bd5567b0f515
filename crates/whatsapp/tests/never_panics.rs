//! `parse_webhook` and `routing` read bodies Meta (or anyone with the URL) posts: whatever JSON
//! arrives — arbitrary values, or the real fixtures with parts swapped out — they answer Ok or
//! Err and never panic. Seeded, so every run tries the same inputs.

use closer_whatsapp::webhook::{parse_webhook, routing};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde_json::{Map, Value};

/// The keys a webhook's readers look for, so generated objects reach past the first check.
const KEYS: &[&str] = &[
    "object",
    "entry",
    "id",
    "changes",
    "field",
    "value",
    "messaging_product",
    "metadata",
    "phone_number_id",
    "display_phone_number",
    "contacts",
    "profile",
    "name",
    "wa_id",
    "user_id",
    "messages",
    "statuses",
    "from",
    "timestamp",
    "type",
    "text",
    "body",
    "context",
    "referral",
    "errors",
    "code",
    "title",
    "status",
    "recipient_id",
    "conversation",
    "pricing",
    "image",
    "reaction",
    "message_id",
    "emoji",
    "interactive",
    "button_reply",
    "list_reply",
    "button",
    "payload",
    "location",
    "latitude",
    "longitude",
    "edit",
    "revoke",
    "original_message_id",
];

fn config() -> Config {
    Config {
        cases: 512,
        rng_seed: RngSeed::Fixed(0xC105E5),
        failure_persistence: None,
        ..Config::default()
    }
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".*".prop_map(Value::String),
        "[0-9]{0,25}".prop_map(Value::String),
        prop::sample::select(KEYS).prop_map(|k| Value::String(k.to_owned())),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(8, 128, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![prop::sample::select(KEYS).prop_map(str::to_owned), ".*"],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn fixtures() -> Vec<Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    names
        .iter()
        .filter_map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).ok())
        .collect()
}

/// Every node of `v`, depth first, as a path of steps.
fn paths(v: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                at.push(Value::String(k.clone()));
                paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Value::from(i));
                paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn node<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(v, |v, step| match step {
        Value::String(k) => &mut v[k.as_str()],
        other => &mut v[other.as_u64().unwrap() as usize],
    })
}

fn check(raw: &[u8]) {
    let _ = parse_webhook(raw);
    let _ = routing(
        raw,
        closer_whatsapp::webhook::RoutingLimits {
            max_changes: 1_000,
            max_numbers: 100,
        },
    );
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_json_never_panics(v in json_value()) {
        check(&serde_json::to_vec(&v).unwrap());
    }

    #[test]
    fn arbitrary_bytes_never_panic(raw in prop::collection::vec(any::<u8>(), 0..256)) {
        check(&raw);
    }

    /// A real delivery with one node replaced by anything (or a duplicate of a sibling list).
    #[test]
    fn mutated_fixtures_never_panic(
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        with in json_value(),
        duplicate in any::<bool>(),
    ) {
        let all = fixtures();
        let mut v = which.get(&all).clone();
        let mut nodes = Vec::new();
        paths(&v, &mut Vec::new(), &mut nodes);
        let path = at.get(&nodes).clone();
        let target = node(&mut v, &path);
        match target {
            Value::Array(items) if duplicate && !items.is_empty() => {
                let copy = items[0].clone();
                items.push(copy);
            }
            _ => *target = with,
        }
        check(&serde_json::to_vec(&v).unwrap());
    }
}
