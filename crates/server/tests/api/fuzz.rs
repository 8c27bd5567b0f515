//! Fuzzing that stays: every JSON input of the API, every path and query parameter, and the
//! WhatsApp webhook, fed seeded garbage on both databases. Whatever arrives, the server answers
//! below 500 and every error is in the API's error shape.
//!
//! The operations are read from the server's own OpenAPI document, so a new endpoint is fuzzed
//! without touching this file. Inputs come from a seeded generator (same seed, same requests),
//! shaped by each operation's schema: valid values, the wrong types, nulls, missing and extra
//! fields, empty/huge/incompressible strings, control characters, lone surrogates written as
//! escapes, scripts and emoji, numbers at the i64/f64 edges, odd enum spellings, deep nesting,
//! other organisations' ids, crafted page cursors; plus bodies that are not JSON at all.
//!
//! Skipped, and why:
//! - `POST /api/v1/auth/logout` is sent once, at the end, with a throwaway session: fuzzing it
//!   with the owner's token would sign the fuzzer out.
//! - `PATCH`/`DELETE /api/v1/users/{id}` never target the fuzzing members themselves (a
//!   deactivated or demoted owner would turn the rest of the run into 401/403s); they get other
//!   organisations' members, a member kept to be fuzzed, and made-up ids.
//! - WhatsApp connect/config talk to the Graph stand-in (`graph.rs`), so they are fuzzed too;
//!   the LLM endpoints reach only 127.0.0.1's discard port, never a real provider.

use crate::harness::{Backend, Session, TestApp, unique};
use crate::on_both_databases;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

on_both_databases!(
    every_api_input_answers_below_500,
    mutated_webhooks_answer_below_500
);

// Found by this fuzzer: `webhook::routing` read `metadata.phone_number_id` from the raw body
// (without the NUL stripping `parse_webhook` does), and looking a number with a NUL up failed
// on PostgreSQL ("invalid byte sequence for encoding UTF8: 0x00") → 500, and Meta would retry
// for days. Routing now looks up digits only.
on_both_databases!(a_nul_in_the_routed_number_is_not_a_500);

async fn a_nul_in_the_routed_number_is_not_a_500(b: Backend) {
    let (app, _owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let mut f = Fuzzer::new(&app, Value::Null, SEED);
    let mut body = delivery(vec![text_message("wamid.nulnumber", "919800000070")]);
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] =
        json!("2000\u{0}00000000001");
    let status = post_webhook(&mut f, &body).await;
    let failures = std::mem::take(&mut f.failures);
    app.finish().await;
    assert!(status.as_u16() < 500 && failures.is_empty(), "{failures:?}");
}

/// Changing it changes every request; a failure names the seed it was found with.
const SEED: u64 = 0x00C1_05E5;

/// Bodies generated per operation (fewer for sign-up and sign-in, which hash passwords).
const BODY_CASES: usize = 80;
const AUTH_BODY_CASES: usize = 14;
/// Parameter combinations per operation with path or query parameters.
const PARAM_CASES: usize = 60;

const NUMBER: &str = "200000000000001";
const SECRET: &str = "app-secret-value";

/// JSON text serde_json cannot hold in a `Value`, spliced into a serialised body where the
/// placeholder string `"@@rawN@@"` stands.
const RAW: &[&str] = &[
    r#""\ud800""#,
    r#""\udfff\ud800""#,
    r#""a\ud83dz""#,
    "1e400",
    "-1e400",
    "123456789012345678901234567890",
    "-9223372036854775809",
    "18446744073709551616",
    "1E-400",
    "NaN",
    "Infinity",
    r#""\u0000""#,
];

/// Whole bodies that are not what any endpoint takes.
fn raw_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let json = "application/json";
    vec![
        (json, b"".to_vec()),
        (json, b"{".to_vec()),
        (json, b"}".to_vec()),
        (json, b"nul".to_vec()),
        (json, b"[]".to_vec()),
        (json, b"null".to_vec()),
        (json, b"\"text\"".to_vec()),
        (json, b"-0".to_vec()),
        (json, b"{\"a\":1,}".to_vec()),
        (json, b"\xEF\xBB\xBF{}".to_vec()),
        (json, b"{\"name\":\"\xff\xfe\"}".to_vec()),
        (json, b"{\"name\":\"a\",\"name\":\"b\"}".to_vec()),
        (json, "[".repeat(100_000).into_bytes()),
        (
            json,
            format!("{}1{}", "[".repeat(127), "]".repeat(127)).into_bytes(),
        ),
        (json, format!("\"{}\"", "a".repeat(1_100_000)).into_bytes()),
        ("text/plain", b"{}".to_vec()),
        ("application/x-www-form-urlencoded", b"name=a".to_vec()),
        ("multipart/form-data; boundary=x", b"--x--\r\n".to_vec()),
    ]
}

/// What the fuzzer knows about the organisations it set up.
struct World {
    owner: Session,
    /// Other roles of the owner's organisation, for a few requests each.
    others: Vec<Session>,
    /// Ids of things in the owner's organisation.
    own_ids: Vec<String>,
    /// The same, by the path prefix they belong under (`/api/v1/ctas/` → the CTA's id).
    own_by_path: Vec<(&'static str, Vec<String>)>,
    /// Ids of things in another organisation: 404 like any unknown id.
    foreign_ids: Vec<String>,
    /// Members the user endpoints may change or remove.
    user_targets: Vec<String>,
    invite_tokens: Vec<String>,
    cursors: Vec<String>,
    profile: Value,
}

impl World {
    fn ids_of(&self, path: &str) -> Vec<String> {
        self.own_by_path
            .iter()
            .find(|(prefix, _)| path.starts_with(prefix))
            .map(|(_, ids)| ids.clone())
            .filter(|ids| !ids.is_empty())
            .unwrap_or_else(|| self.own_ids.clone())
    }
}

struct Fuzzer<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    rng: StdRng,
    doc: Value,
    sent: usize,
    failures: Vec<String>,
    /// Answers per operation, by status class (1xx … 5xx), printed for the record.
    tally: std::collections::BTreeMap<String, [usize; 6]>,
    operation: String,
    /// Whether generated values may be of the wrong kind; when not, they are valid in type
    /// and format but at the edges (long, odd characters, extreme numbers), which is what gets
    /// past validation into the database.
    wild: bool,
}

impl<'a> Fuzzer<'a> {
    fn new(app: &'a TestApp, doc: Value, seed: u64) -> Self {
        Fuzzer {
            app,
            // A hung request is a finding too, not a hung test run.
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap(),
            rng: StdRng::seed_from_u64(seed),
            doc,
            sent: 0,
            failures: Vec::new(),
            tally: Default::default(),
            operation: String::new(),
            wild: true,
        }
    }

    /// Sends one request and records it as a failure unless it is answered below 500, in the
    /// error shape when it is an error.
    async fn send(
        &mut self,
        method: &Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.app.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let shown_body = match &body {
            Some((_, b)) => show(b),
            None => String::new(),
        };
        // The server may answer 413 and close the connection before such a body is sent.
        let oversized = body.as_ref().is_some_and(|(_, b)| b.len() > 1024 * 1024);
        if let Some((ct, bytes)) = body {
            req = req.header("content-type", ct).body(bytes);
        }
        self.sent += 1;
        let what = format!("{method} {} {shown_body}", show(path.as_bytes()));
        // A connection the server closed (after a 413 it did not read) can fail the next
        // request on it before it is sent: that one is sent again, once.
        let retry = req.try_clone();
        let first = req.send().await;
        let resp = match first {
            Err(e) if e.is_request() && retry.is_some() => retry.unwrap().send().await,
            other => other,
        };
        let resp = match resp {
            Ok(r) => r,
            Err(_) if oversized => return (StatusCode::PAYLOAD_TOO_LARGE, Value::Null),
            Err(e) => {
                self.failures.push(format!("no answer ({e}) to {what}"));
                return (StatusCode::INTERNAL_SERVER_ERROR, Value::Null);
            }
        };
        let status = resp.status();
        self.tally.entry(self.operation.clone()).or_default()[(status.as_u16() / 100) as usize] +=
            1;
        let text = resp.text().await.unwrap_or_default();
        let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        // CLOSER_FUZZ_LOG=<file> records every exchange, to see what the inputs reach.
        if let Ok(log) = std::env::var("CLOSER_FUZZ_LOG") {
            use std::io::Write;
            if let Ok(mut file) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
            {
                let _ = writeln!(file, "{status} {what} → {}", show(text.as_bytes()));
            }
        }
        if status.is_server_error() {
            self.failures
                .push(format!("{status} to {what} → {}", show(text.as_bytes())));
        } else if status.is_client_error() {
            let e = &parsed["error"];
            let shaped = e["code"].as_str().is_some_and(|c| !c.is_empty())
                && e["message"].as_str().is_some();
            if !shaped {
                self.failures.push(format!(
                    "{status} not in the error shape to {what} → {}",
                    show(text.as_bytes())
                ));
            }
        }
        (status, parsed)
    }

    async fn send_json(
        &mut self,
        method: &Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        let bytes = splice_raw(serde_json::to_string(body).unwrap()).into_bytes();
        self.send(method, path, token, Some(("application/json", bytes)))
            .await
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items
            .choose(&mut self.rng)
            .expect("a non-empty pool")
            .clone()
    }

    /// `len` random letters and digits: a string no compression shrinks (PostgreSQL's index
    /// size limit is on the compressed value).
    fn incompressible(&mut self, len: usize) -> String {
        (&mut self.rng)
            .sample_iter(rand::distributions::Alphanumeric)
            .take(len)
            .map(char::from)
            .collect()
    }

    fn random_uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.r#gen())
            .into_uuid()
            .to_string()
    }

    fn nasty_string(&mut self) -> String {
        match self.rng.gen_range(0..40) {
            0 => String::new(),
            1 => " ".into(),
            2 => "\u{0}".into(),
            3 => "a\u{0}b\u{0}".into(),
            4 => "\u{1}\u{7}\u{8}\u{1b}[31m\u{7f}\u{9f}".into(),
            5 => "\r\n\t\u{b}\u{c}".into(),
            6 => "\u{feff}\u{200b}\u{200d}\u{2028}\u{2029}".into(),
            7 => "\u{202e}gnp.exe\u{202c}".into(),
            8 => "नमस्ते, फीस कितनी है? क्षत्रिय".into(),
            9 => "مرحبا بالعالم שלום".into(),
            10 => "😀👍🏽👨‍👩‍👧‍👦🇮🇳".into(),
            11 => "𝕳𝖊𝖑𝖑𝖔 Z̷̡̛a̸l̵g̶o̷".into(),
            12 => "'; DROP TABLE users; --".into(),
            13 => "%_\\'\"*?[]".into(),
            14 => "NaN".into(),
            15 => "Infinity".into(),
            16 => "null".into(),
            17 => "-0".into(),
            18 => "9223372036854775808".into(),
            19 => "1e309".into(),
            20 => "../../etc/passwd".into(),
            21 => "<script>alert(1)</script>".into(),
            22 => "{{7*7}} ${jndi:ldap://127.0.0.1:9/x}".into(),
            23 => "x".repeat(256),
            24 => "é".repeat(20_000),
            25 => "😀".repeat(10_000),
            26 => "a".repeat(70_000),
            27 => self.incompressible(2_800),
            28 => self.incompressible(9_000),
            29 => self.incompressible(300_000),
            30 => format!("@@raw{}@@", self.rng.gen_range(0..RAW.len())),
            31 => "@@raw0@@".into(),
            32 => "İıſK".into(),
            33 => "\u{fffd}\u{fffe}\u{ffff}".into(),
            34 => "\u{10ffff}".into(),
            35 => "true".into(),
            36 => "0x7fffffff".into(),
            37 => "  padded  ".into(),
            38 => self.random_uuid(),
            _ => "ordinary text".into(),
        }
    }

    fn nasty_int(&mut self) -> Value {
        match self.rng.gen_range(0..18) {
            0 => json!(0),
            1 => json!(-1),
            2 => json!(1),
            3 => json!(i32::MAX),
            4 => json!(i32::MIN),
            5 => json!(i32::MAX as i64 + 1),
            6 => json!(i64::MAX),
            7 => json!(i64::MIN),
            8 => json!(u64::MAX),
            9 => json!(9_007_199_254_740_993_i64),
            10 => json!(1.5),
            11 => json!(-0.0),
            12 => json!(1e300),
            13 => json!("@@raw3@@"),
            14 => json!("@@raw5@@"),
            15 => json!("@@raw7@@"),
            16 => json!(i16::MAX as i64 + 1),
            _ => json!(self.rng.gen_range(-1000..100_000)),
        }
    }

    fn nasty_float(&mut self) -> Value {
        match self.rng.gen_range(0..12) {
            0 => json!(0.0),
            1 => json!(-0.0),
            2 => json!(f64::MAX),
            3 => json!(f64::MIN),
            4 => json!(f64::MIN_POSITIVE),
            5 => json!(5e-324),
            6 => json!(-1.0),
            7 => json!(i64::MAX as f64),
            8 => json!(1e15),
            9 => json!("@@raw4@@"),
            10 => json!("@@raw8@@"),
            _ => json!(self.rng.gen_range(0.0..100.0)),
        }
    }

    /// A value of any type, chosen to break whatever expects something else.
    fn nasty(&mut self, depth: usize) -> Value {
        match self.rng.gen_range(0..16) {
            0 => Value::Null,
            1 => json!(true),
            2 => json!(false),
            3 | 4 => self.nasty_int(),
            5 => self.nasty_float(),
            6..=8 => Value::String(self.nasty_string()),
            9 => json!([]),
            10 => json!({}),
            11 if depth < 4 => {
                let n = self.rng.gen_range(1..4);
                Value::Array((0..n).map(|_| self.nasty(depth + 1)).collect())
            }
            12 if depth < 4 => {
                let mut m = Map::new();
                for _ in 0..self.rng.gen_range(1..4) {
                    let k = self.pick(&["a", "", "\u{0}", "name", "__proto__", "😀", "type"]);
                    let v = self.nasty(depth + 1);
                    m.insert(k.to_owned(), v);
                }
                Value::Object(m)
            }
            // Deep, but within serde_json's recursion limit, so the server sees it.
            13 => nest(self.rng.gen_range(20..120), self.chance(0.5)),
            // Past the limit: a 400.
            14 => nest(300, false),
            _ => Value::String(self.nasty_string()),
        }
    }

    fn resolve(&self, schema: &Value) -> Value {
        let mut s = schema.clone();
        while let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap();
            s = self.doc["components"]["schemas"][name].clone();
        }
        s
    }

    /// An odd spelling of an enum value: the seeds' UPPER_SNAKE is valid, most others are not.
    fn enum_spelling(&mut self, v: &str) -> Value {
        match self.rng.gen_range(0..14) {
            0 => json!(v.to_uppercase()),
            1 => json!(v.replace('_', "-")),
            2 => json!(v.replace('_', " ")),
            3 => json!(format!(" {v} ")),
            4 => json!(
                v.chars()
                    .enumerate()
                    .map(|(i, c)| if i % 2 == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    })
                    .collect::<String>()
            ),
            5 => json!(format!("{v}\u{0}")),
            6 => json!(
                v.chars()
                    .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
                    .collect::<String>()
            ),
            7 => json!(format!("{v}x")),
            8 => json!(""),
            9 => json!(0),
            10 => json!([v]),
            _ => json!(v),
        }
    }

    /// A string for a field, by what its name says it holds.
    fn string_for(&mut self, name: &str, format: Option<&str>, w: &World) -> String {
        if self.wild && self.chance(0.25) {
            return self.nasty_string();
        }
        match (format, name) {
            (_, "conversation_id") if !self.wild && self.chance(0.7) => {
                self.pick(&w.ids_of("/api/v1/conversations/"))
            }
            (Some("uuid"), _) | (_, "conversation_id") => self.id(w),
            (_, "phone_number_id" | "waba_id") if !self.wild => {
                let n = self.pick(&[1, 15, 15, 20, 64, 300]);
                (0..n)
                    .map(|_| char::from(b'0' + self.rng.gen_range(0..10)))
                    .collect()
            }
            (_, "access_token") if !self.wild && self.chance(0.7) => {
                crate::graph::GOOD_TOKEN.into()
            }
            (Some("date-time"), _) => self
                .pick(&[
                    "2026-01-01T00:00:00Z",
                    "9999-12-31T23:59:59-23:59",
                    "0000-01-01T00:00:00Z",
                    "+275760-09-13T00:00:00Z",
                    "2026-02-30T00:00:00Z",
                    "-1",
                ])
                .into(),
            (_, "email" | "support_email") => {
                let local = if self.chance(0.2) {
                    self.incompressible(3_000)
                } else {
                    unique("fuzz")
                };
                let f = self.rng.gen_range(0..8);
                match f {
                    0 => format!("{local}@EXAMPLE.COM"),
                    1 => "no-at-sign".into(),
                    2 => "@".into(),
                    3 => format!("ü{local}@bücher.example"),
                    4 => format!(" {local}@example.com "),
                    5 => format!("{local}@{}.com", self.incompressible(3_000)),
                    _ => format!("{local}@example.com"),
                }
            }
            (_, "phone" | "support_phone" | "display_phone_number") => self
                .pick(&[
                    "+15550001111",
                    "+91 98765 43210",
                    "98765 43210",
                    "0",
                    "+",
                    "+999999999999999999999999999",
                    "+1 (555) 000-1111 ext. 5",
                    "٩٨٧٦٥٤٣٢١٠",
                    "+0000000000",
                    "tel:+15550001111",
                    "+91987654321098765432109876543210",
                ])
                .into(),
            (_, "url" | "website" | "base_url" | "link") => self
                .pick(&[
                    "http://127.0.0.1:9/",
                    "https://127.0.0.1:9/x?y=1#z",
                    "127.0.0.1:9",
                    "localhost:9",
                    "ftp://127.0.0.1:9/",
                    "javascript:alert(1)",
                    "http://",
                    "http://[::1",
                    "http://127.0.0.1:99999/",
                    "file:///etc/passwd",
                    "data:text/plain,hi",
                    "http://user:pass@127.0.0.1:9/",
                    "http://[::ffff:127.0.0.1]:9/",
                    "http://169.254.169.254/latest/meta-data/",
                    "http://0x7f.1:9/",
                ])
                .into(),
            (_, "timezone") => self
                .pick(&[
                    "Asia/Kolkata",
                    "UTC",
                    "Mars/Olympus_Mons",
                    "+05:30",
                    "Etc/GMT+14",
                    "America/Argentina/ComodRivadavia",
                    "asia/kolkata",
                ])
                .into(),
            (_, "password") => self
                .pick(&["correct horse", "short", "пароль-пароль", "        "])
                .into(),
            (_, "code") => self
                .pick(&["123456", "000000", "abcdef", "1234567", "xxxx-xxxx"])
                .into(),
            (_, "invite_token" | "token") => {
                let mut pool = w.invite_tokens.clone();
                pool.push("not-a-token".into());
                self.pick(&pool)
            }
            (_, "content") => self.faq(),
            (_, "text") if self.chance(0.3) => self
                .pick(&["book a call", "STOP", "talk to a human", "fees?"])
                .into(),
            _ if self.chance(0.5) => self.nasty_string(),
            _ => self
                .pick(&["Acme", "Olivia", "a", "Fee Structure", "weekend batch"])
                .into(),
        }
    }

    /// The text of a faq.txt, usually well formed.
    fn faq(&mut self) -> String {
        match self.rng.gen_range(0..8) {
            0 => "Q: What are the fees?\nA: 40,000 rupees.\n\nQ: Weekend batch?\nA: Yes.".into(),
            1 => "Q: no answer".into(),
            2 => "Q:\nA:".into(),
            3 => (0..6_000)
                .map(|i| format!("Q: question {i}?\nA: answer {i}.\n\n"))
                .collect(),
            4 => format!(
                "Q: {}?\nA: {}",
                self.incompressible(5_000),
                "😀".repeat(3_000)
            ),
            5 => "A: answer before question\nQ: ?".into(),
            6 => "Q: फीस कितनी है?\nA: ४०,००० रुपये\u{0}\u{7}".into(),
            _ => self.nasty_string(),
        }
    }

    fn id(&mut self, w: &World) -> String {
        match self.rng.gen_range(0..4) {
            0 => self.pick(&w.own_ids),
            1 => self.pick(&w.foreign_ids),
            _ => self.random_uuid(),
        }
    }

    /// A value for `schema`: usually the right shape, sometimes anything at all.
    fn generate(&mut self, schema: &Value, name: &str, depth: usize, w: &World) -> Value {
        if depth > 0 && self.wild && self.chance(0.12) {
            return self.nasty(depth);
        }
        let s = self.resolve(schema);
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = s.get(key).and_then(Value::as_array) {
                let non_null: Vec<Value> = branches
                    .iter()
                    .filter(|b| b["type"] != "null")
                    .cloned()
                    .collect();
                if non_null.is_empty() || self.chance(0.1) {
                    return Value::Null;
                }
                let b = self.pick(&non_null);
                return self.generate(&b, name, depth, w);
            }
        }
        if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for p in parts.clone() {
                match self.generate(&p, name, depth, w) {
                    Value::Object(m) => merged.extend(m),
                    other => return other,
                }
            }
            return Value::Object(merged);
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            let v = self.pick(values);
            return match v.as_str() {
                Some(v) if self.wild && self.chance(0.4) => self.enum_spelling(v),
                Some(v) if self.chance(0.3) => json!(v.to_uppercase()),
                _ => v,
            };
        }
        let ty = match s.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => {
                let non_null: Vec<&Value> = ts.iter().filter(|t| *t != "null").collect();
                if non_null.is_empty() || self.chance(0.1) {
                    return Value::Null;
                }
                non_null[0].as_str().unwrap_or("string").to_owned()
            }
            _ if s.get("properties").is_some() => "object".into(),
            // `{}`: any JSON at all (the agent's documents are untyped here).
            _ => return self.nasty(depth),
        };
        match ty.as_str() {
            "object" => {
                let mut m = Map::new();
                let required: Vec<String> = s["required"]
                    .as_array()
                    .map(|r| {
                        r.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(props) = s["properties"].as_object() {
                    for (k, ps) in props.clone() {
                        let include = if required.contains(&k) {
                            !self.wild || self.chance(0.95)
                        } else {
                            self.chance(0.6)
                        };
                        if include && depth < 8 {
                            let v = self.generate(&ps, &k, depth + 1, w);
                            m.insert(k, v);
                        }
                    }
                }
                if self.wild && self.chance(0.08) {
                    let v = self.nasty(depth + 1);
                    m.insert("unexpected_field".into(), v);
                }
                Value::Object(m)
            }
            "array" => {
                let n = self.rng.gen_range(0..4);
                let items = s.get("items").cloned().unwrap_or(json!({}));
                Value::Array(
                    (0..n)
                        .map(|_| self.generate(&items, name, depth + 1, w))
                        .collect(),
                )
            }
            "string" => {
                let f = s.get("format").and_then(Value::as_str).map(str::to_owned);
                Value::String(self.string_for(name, f.as_deref(), w))
            }
            "integer" => {
                if self.chance(0.6) {
                    let lo = s["minimum"].as_i64().unwrap_or(0);
                    json!(self.rng.gen_range(lo..lo + 50))
                } else {
                    self.nasty_int()
                }
            }
            "number" => {
                if self.chance(0.5) {
                    json!(self.rng.gen_range(0.0..20.0))
                } else {
                    self.nasty_float()
                }
            }
            "boolean" => json!(self.chance(0.5)),
            _ => self.nasty(depth),
        }
    }

    /// `value` with one thing changed somewhere: a field removed, retyped, nulled, made huge,
    /// or added.
    fn mutate(&mut self, value: &mut Value, depth: usize) {
        let descend = depth < 12 && self.chance(0.7);
        match value {
            Value::Object(m) if !m.is_empty() => {
                let keys: Vec<String> = m.keys().cloned().collect();
                let k = self.pick(&keys);
                if descend {
                    self.mutate(m.get_mut(&k).unwrap(), depth + 1);
                } else {
                    match self.rng.gen_range(0..4) {
                        0 => {
                            m.remove(&k);
                        }
                        1 => {
                            let v = self.nasty(depth);
                            m.insert(k, v);
                        }
                        2 => {
                            m.insert(k, Value::Null);
                        }
                        _ => {
                            let v = self.nasty(depth);
                            m.insert(self.nasty_string(), v);
                        }
                    }
                }
            }
            Value::Array(items) if !items.is_empty() => {
                let i = self.rng.gen_range(0..items.len());
                if descend {
                    self.mutate(&mut items[i], depth + 1);
                } else {
                    match self.rng.gen_range(0..3) {
                        0 => {
                            items.remove(i);
                        }
                        1 => {
                            let copy = items[i].clone();
                            let n = self.pick(&[2, 50, 2_000]);
                            items.extend(std::iter::repeat_n(copy, n));
                        }
                        _ => items[i] = self.nasty(depth),
                    }
                }
            }
            Value::Number(_) => *value = self.nasty_int(),
            _ => *value = self.nasty(depth),
        }
    }

    /// `value` with one leaf swapped for another of the same type, at its edges: what a valid
    /// document may hold.
    fn edge_leaf(&mut self, value: &mut Value, depth: usize) {
        match value {
            Value::Object(m) if !m.is_empty() && depth < 12 => {
                let keys: Vec<String> = m.keys().cloned().collect();
                let k = self.pick(&keys);
                self.edge_leaf(m.get_mut(&k).unwrap(), depth + 1);
            }
            Value::Array(items) if !items.is_empty() && depth < 12 => {
                let i = self.rng.gen_range(0..items.len());
                if self.chance(0.2) {
                    let copy = items[i].clone();
                    let n = self.pick(&[10, 500]);
                    items.extend(std::iter::repeat_n(copy, n));
                } else {
                    self.edge_leaf(&mut items[i], depth + 1);
                }
            }
            Value::Array(items) => items.push(Value::String(self.nasty_string())),
            Value::String(_) => *value = Value::String(self.nasty_string()),
            Value::Number(_) if self.chance(0.5) => *value = self.nasty_int(),
            Value::Number(_) => *value = self.nasty_float(),
            Value::Bool(b) => *b = !*b,
            _ => {}
        }
    }

    /// Bodies for one operation: schema-shaped, mutated from a valid example, or wholly wrong.
    fn bodies(
        &mut self,
        schema: &Value,
        example: Option<&Value>,
        n: usize,
        w: &World,
    ) -> Vec<Value> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let body = match self.rng.gen_range(0..20) {
                0..=5 => match example {
                    Some(e) => {
                        let mut v = e.clone();
                        for _ in 0..self.rng.gen_range(1..4) {
                            self.edge_leaf(&mut v, 0);
                        }
                        v
                    }
                    None => self.valid(schema, w),
                },
                6..=9 => {
                    let mut v = self.valid(schema, w);
                    self.mutate(&mut v, 0);
                    v
                }
                10..=12 => self.generate(schema, "body", 0, w),
                13..=15 => {
                    let mut base = match example {
                        Some(e) if self.chance(0.7) => e.clone(),
                        _ => self.generate(schema, "body", 0, w),
                    };
                    for _ in 0..self.rng.gen_range(1..4) {
                        self.mutate(&mut base, 0);
                    }
                    base
                }
                16 | 17 => {
                    let inner = self.generate(schema, "body", 0, w);
                    match self.rng.gen_range(0..3) {
                        0 => json!([inner]),
                        1 => json!({"data": inner}),
                        _ => nest_in(inner, 100),
                    }
                }
                _ => self.nasty(0),
            };
            out.push(body);
        }
        out
    }

    /// A value of the right type and format (at its edges).
    fn valid(&mut self, schema: &Value, w: &World) -> Value {
        self.wild = false;
        let v = self.generate(schema, "body", 0, w);
        self.wild = true;
        v
    }

    /// Values for a path parameter.
    fn path_value(&mut self, name: &str, w: &World) -> String {
        if name == "version" {
            return self
                .pick(&[
                    "0",
                    "1",
                    "2",
                    "-1",
                    "2147483647",
                    "2147483648",
                    "-2147483649",
                    "9223372036854775807",
                    "9223372036854775808",
                    "99999999999999999999999",
                    "1.0",
                    "1e3",
                    "abc",
                    "%00",
                    "+1",
                    "01",
                    "%FF",
                ])
                .into();
        }
        match self.rng.gen_range(0..22) {
            0..=3 => self.pick(&w.own_ids),
            4..=6 => self.pick(&w.foreign_ids),
            7 | 8 => self.random_uuid(),
            9 => {
                let mut pool = w.invite_tokens.clone();
                pool.push(self.incompressible(43));
                self.pick(&pool)
            }
            10 => self.pick(&w.own_ids).to_uppercase(),
            11 => self.pick(&w.own_ids).replace('-', ""),
            12 => format!("{{{}}}", self.pick(&w.own_ids)),
            13 => format!("urn:uuid:{}", self.pick(&w.foreign_ids)),
            14 => "00000000-0000-0000-0000-000000000000".into(),
            15 => "ffffffff-ffff-ffff-ffff-ffffffffffff".into(),
            16 => self.incompressible(3_000),
            17 => self
                .pick(&["%00", "%FF", "%F0%9F%98%80", "a%2Fb", "..", "%20", "-1"])
                .into(),
            18 => "9223372036854775808".into(),
            19 => "null".into(),
            20 => "%E0%A4%A8%E0%A4%AE".into(),
            _ => "abc".into(),
        }
    }

    /// A query-string value (already percent-encoded) for a parameter.
    fn query_value(&mut self, name: &str, schema: &Value, w: &World) -> String {
        // Some raw bytes no form decoder expects.
        if self.chance(0.08) {
            return self
                .pick(&["%FF", "%", "%zz", "%00", "a&b=", "+", "%2B", "%E0%A4"])
                .into();
        }
        let s = self.resolve(schema);
        let text: String = if let Some(values) = s.get("enum").and_then(Value::as_array) {
            let v = self.pick(values);
            match self.enum_spelling(v.as_str().unwrap_or_default()) {
                Value::String(s) => s,
                other => other.to_string(),
            }
        } else if matches!(name, "cursor" | "before") {
            self.cursor(w)
        } else {
            match s["type"].as_str().unwrap_or("string") {
                "boolean" => self
                    .pick(&["true", "false", "1", "0", "yes", "TRUE", "", "null", "tru"])
                    .into(),
                "integer" => self
                    .pick(&[
                        "0",
                        "1",
                        "-1",
                        "200",
                        "201",
                        "1000000",
                        "2147483648",
                        "9223372036854775807",
                        "-9223372036854775808",
                        "18446744073709551615",
                        "18446744073709551616",
                        "1.5",
                        "1e3",
                        "abc",
                        "",
                        " 5",
                    ])
                    .into(),
                _ => {
                    let t = self.nasty_string();
                    // A URL carries a few KiB, not the 300 KiB strings bodies get.
                    t.chars().take(4_000).collect()
                }
            }
        };
        form_urlencoded::byte_serialize(text.as_bytes()).collect()
    }

    fn cursor(&mut self, w: &World) -> String {
        match self.rng.gen_range(0..6) {
            0 if !w.cursors.is_empty() => self.pick(&w.cursors),
            1 => self.random_uuid(),
            2 => self.incompressible(40),
            3 => {
                let mut b = [0u8; 24];
                self.rng.fill(&mut b);
                URL_SAFE_NO_PAD.encode(b)
            }
            _ => {
                let at = self.pick(&[
                    "9999-12-31T23:59:59-23:59",
                    "0000-01-01T00:00:00Z",
                    "0001-01-01T00:00:00+23:59",
                    "2026-01-01T00:00:00.123456789123Z",
                    "2026-02-30T00:00:00Z",
                    "",
                    "x",
                    "2026-01-01T00:00:00Z",
                ]);
                let id = match self.rng.gen_range(0..3) {
                    0 => self.random_uuid(),
                    1 => self.pick(&w.foreign_ids),
                    _ => "not-a-uuid".into(),
                };
                URL_SAFE_NO_PAD.encode(format!("{at}|{id}"))
            }
        }
    }
}

/// `[[[…1…]]]` or `{"a":{"a":…}}`, `depth` levels.
fn nest(depth: usize, objects: bool) -> Value {
    (0..depth).fold(json!(1), |v, _| {
        if objects {
            json!({ "a": v })
        } else {
            json!([v])
        }
    })
}

fn nest_in(v: Value, depth: usize) -> Value {
    (0..depth).fold(v, |v, _| json!([v]))
}

/// Replaces the placeholders of [`RAW`] with their JSON text.
fn splice_raw(mut text: String) -> String {
    for (i, raw) in RAW.iter().enumerate() {
        text = text.replace(&format!("\"@@raw{i}@@\""), raw);
    }
    text
}

/// A request or answer, short enough for a failure message.
fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.chars().count() > 300 {
        format!(
            "{}… ({} bytes)",
            text.chars().take(300).collect::<String>(),
            bytes.len()
        )
    } else {
        text.into_owned()
    }
}

/// A part of a multipart form: name, file name, bytes.
type Part = (&'static str, Option<&'static str>, Vec<u8>);

/// A multipart/form-data body of its parts.
fn form(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = "closer-fuzz-boundary-91b3";
    let mut body = Vec::new();
    for (name, filename, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let disposition = match filename {
            Some(f) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                 Content-Type: text/plain\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Creates something through the API and returns its id (the test's own setup must succeed).
async fn create(app: &TestApp, s: &Session, path: &str, body: Value, field: &str) -> String {
    let r = app.post(path, Some(&s.token), body).await;
    assert!(r.status.is_success(), "{path}: {:?}", r.body);
    r.body[field]
        .as_str()
        .unwrap_or_else(|| panic!("{path} answers {field}: {:?}", r.body))
        .to_owned()
}

/// One organisation's things: a CTA, a faq, two sandbox conversations, an invite, a scan.
/// Returns their ids by the path prefix they belong under, and the invite's token.
async fn populate(app: &TestApp, s: &Session) -> (Vec<(&'static str, Vec<String>)>, String) {
    let cta = create(
        app,
        s,
        "/api/v1/ctas",
        json!({"type": "book_call", "name": "Call"}),
        "id",
    )
    .await;
    let faq = json!({"kind": "faq", "content": "Q: Fees?\nA: 40,000 rupees."});
    let k = app.post("/api/v1/knowledge", Some(&s.token), faq).await;
    assert!(k.status.is_success(), "{:?}", k.body);
    let knowledge: Vec<String> = k.body["id"]
        .as_str()
        .map(str::to_owned)
        .into_iter()
        .collect();
    let mut conversations = Vec::new();
    let mut messages = Vec::new();
    for phone in ["+91 98000 00001", "+91 98000 00002"] {
        let r = app
            .post(
                "/api/v1/sandbox/inbound",
                Some(&s.token),
                json!({"phone": phone, "name": "Lead", "text": "fees?"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        conversations.push(r.body["conversation_id"].as_str().unwrap().to_owned());
        messages.push(r.body["message_id"].as_str().unwrap().to_owned());
    }
    let invite = app
        .post("/api/v1/invites", Some(&s.token), json!({"role": "agent"}))
        .await;
    assert_eq!(invite.status, StatusCode::CREATED, "{:?}", invite.body);
    let token = invite.body["token"].as_str().unwrap().to_owned();
    let invite_id = invite.body["id"].as_str().unwrap().to_owned();
    let scan = create(
        app,
        s,
        "/api/v1/knowledge/scan",
        json!({"url": "http://127.0.0.1:9/"}),
        "id",
    )
    .await;
    let jobs = app.get("/api/v1/jobs", &s.token).await;
    let jobs: Vec<String> = jobs.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|j| j["id"].as_str().map(str::to_owned))
        .collect();
    let by_path = vec![
        ("/api/v1/ctas/", vec![cta]),
        ("/api/v1/knowledge/scans/", vec![scan]),
        ("/api/v1/knowledge/", knowledge),
        ("/api/v1/conversations/", conversations),
        ("/api/v1/jobs/", jobs),
        ("/api/v1/invites/", vec![invite_id, token.clone()]),
        ("/api/v1/users/", vec![s.user_id.clone()]),
        ("", messages),
        ("", vec![s.org_id.clone()]),
    ];
    (by_path, token)
}

async fn set_up(app: &TestApp) -> World {
    let owner = app.signup_org("Fuzz").await;
    let elsewhere = app.signup_org("Elsewhere").await;
    let (own_by_path, own_token) = populate(app, &owner).await;
    let (foreign_by_path, foreign_token) = populate(app, &elsewhere).await;
    let all = |by_path: &[(&str, Vec<String>)]| -> Vec<String> {
        by_path.iter().flat_map(|(_, ids)| ids.clone()).collect()
    };
    let mut own_ids = all(&own_by_path);
    let mut foreign_ids = all(&foreign_by_path);
    let stranger = app.add_member(&elsewhere, "agent").await;
    foreign_ids.push(stranger.user_id.clone());
    let others = vec![
        app.add_member(&owner, "admin").await,
        app.add_member(&owner, "agent").await,
        app.add_member(&owner, "viewer").await,
    ];
    let target = app.add_member(&owner, "agent").await;
    own_ids.push(target.user_id.clone());
    let r = app
        .post(
            "/api/v1/settings/whatsapp/connect",
            Some(&owner.token),
            json!({"phone_number_id": NUMBER, "waba_id": "100000000000001",
                "access_token": crate::graph::GOOD_TOKEN, "app_secret": SECRET,
                "verify_token": "verify-me"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut cursors = Vec::new();
    for path in [
        "/api/v1/conversations?limit=1".to_owned(),
        format!("/api/v1/conversations/{}/messages?limit=1", own_ids[3]),
    ] {
        let r = app.get(&path, &owner.token).await;
        if let Some(c) = r.body["next_cursor"].as_str() {
            cursors.push(c.to_owned());
        }
    }
    let profile = app.get("/api/v1/agent/profile", &owner.token).await.body;
    let profile = json!({
        "business_config": profile["business_config"],
        "sales_rules": profile["sales_rules"],
        "tone_profile": profile["tone_profile"],
        "guardrails": profile["guardrails"],
        "script_library": profile["script_library"],
        "mode": profile["mode"],
    });
    World {
        owner,
        others,
        own_ids,
        own_by_path,
        foreign_ids,
        user_targets: vec![target.user_id, stranger.user_id],
        invite_tokens: vec![own_token, foreign_token],
        cursors,
        profile,
    }
}

struct Operation {
    method: Method,
    path: String,
    body_schema: Option<Value>,
    multipart: bool,
    params: Vec<Value>,
}

/// Every operation of the OpenAPI document, the ones that would end the fuzzer's own session
/// or connection last.
fn operations(doc: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (m, op) in item.as_object().unwrap() {
            let method = match m.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let content = &op["requestBody"]["content"];
            ops.push(Operation {
                method,
                path: path.clone(),
                body_schema: content.get("application/json").map(|c| c["schema"].clone()),
                multipart: content.get("multipart/form-data").is_some(),
                params: op["parameters"].as_array().cloned().unwrap_or_default(),
            });
        }
    }
    let last = |o: &Operation| {
        matches!(
            o.path.as_str(),
            "/api/v1/settings/whatsapp/disconnect" | "/api/v1/auth/sessions/revoke-others"
        )
    };
    // Deletions after the other operations on the same things, so those find them.
    ops.sort_by_key(|o| (last(o), o.method == Method::DELETE));
    ops
}

async fn every_api_input_answers_below_500(b: Backend) {
    let graph = crate::graph::FakeGraph::start().await;
    let app = TestApp::spawn_with_graph(b, &graph.url).await;
    let world = set_up(&app).await;
    let doc = app
        .get("/api/v1/openapi.json", &world.owner.token)
        .await
        .body;
    let ops = operations(&doc);
    assert!(ops.len() > 40, "the OpenAPI document lists the API");
    let started = std::time::Instant::now();
    let mut f = Fuzzer::new(&app, doc, SEED);
    for op in &ops {
        fuzz_operation(&mut f, op, &world).await;
    }
    // Signing out, with a session of its own.
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": world.owner.email, "password": "correct horse"}),
        )
        .await;
    let throwaway = login.body["token"].as_str().unwrap_or("none").to_owned();
    for token in [
        Some(throwaway.as_str()),
        Some(throwaway.as_str()),
        Some("garbage"),
        None,
    ] {
        f.send(&Method::POST, "/api/v1/auth/logout", token, None)
            .await;
    }
    for (op, t) in &f.tally {
        println!(
            "fuzz: {b:?}: {op}: 2xx {} 3xx {} 4xx {} 5xx {}",
            t[2], t[3], t[4], t[5]
        );
    }
    println!(
        "fuzz: {b:?}: {} API requests in {:.1} s (seed {SEED:#x})",
        f.sent,
        started.elapsed().as_secs_f64()
    );
    let failures = std::mem::take(&mut f.failures);
    app.finish().await;
    assert!(
        failures.is_empty(),
        "{} of the fuzzed requests failed (seed {SEED:#x}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The path with its `{name}` parameters filled in.
fn fill_path(f: &mut Fuzzer<'_>, op: &Operation, w: &World) -> String {
    let mut path = op.path.clone();
    for p in &op.params {
        if p["in"] != "path" {
            continue;
        }
        let name = p["name"].as_str().unwrap();
        let value = if op.path.starts_with("/api/v1/users/") {
            // Never the fuzzing members themselves (see the top of the file).
            match f.rng.gen_range(0..5) {
                0..=2 => f.pick(&w.user_targets),
                3 => f.pick(&w.foreign_ids),
                _ => f.random_uuid(),
            }
        } else if name != "version" && f.chance(0.4) {
            f.pick(&w.ids_of(&op.path))
        } else {
            f.path_value(name, w)
        };
        path = path.replace(&format!("{{{name}}}"), &value);
    }
    path
}

/// Longest query string sent: an HTTP client refuses a URI past 64 KiB, and an operation with
/// many text parameters (the leads list) would otherwise get there with emoji-heavy values.
const MAX_QUERY: usize = 32 * 1024;

fn query_string(f: &mut Fuzzer<'_>, op: &Operation, w: &World) -> String {
    let mut pairs: Vec<String> = Vec::new();
    let push = |pairs: &mut Vec<String>, pair: String| {
        if pairs.iter().map(|p| p.len() + 1).sum::<usize>() + pair.len() <= MAX_QUERY {
            pairs.push(pair);
        }
    };
    for p in &op.params {
        if p["in"] != "query" || !f.chance(0.5) {
            continue;
        }
        let name = p["name"].as_str().unwrap();
        let v = f.query_value(name, &p["schema"], w);
        push(&mut pairs, format!("{name}={v}"));
        if f.chance(0.1) {
            let again = f.query_value(name, &p["schema"], w);
            push(&mut pairs, format!("{name}={again}"));
        }
    }
    if f.chance(0.1) {
        pairs.push("unknown=1".into());
    }
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

async fn fuzz_operation(f: &mut Fuzzer<'_>, op: &Operation, w: &World) {
    f.operation = format!("{} {}", op.method, op.path);
    let owner = w.owner.token.clone();
    let has_params = !op.params.is_empty();
    let is_auth = matches!(
        op.path.as_str(),
        "/api/v1/auth/signup" | "/api/v1/auth/login"
    );
    if op.path == "/api/v1/auth/logout" {
        return;
    }
    // Parameters, with no body (or the endpoint's usual one).
    if has_params {
        for _ in 0..PARAM_CASES {
            let path = format!("{}{}", fill_path(f, op, w), query_string(f, op, w));
            match &op.body_schema {
                Some(schema) => {
                    let body = f.generate(schema, "body", 0, w);
                    f.send_json(&op.method, &path, Some(&owner), &body).await;
                }
                None => {
                    f.send(&op.method, &path, Some(&owner), None).await;
                }
            }
        }
    } else if op.body_schema.is_none() {
        f.send(&op.method, &op.path, Some(&owner), None).await;
        // A body where none is expected.
        f.send_json(&op.method, &op.path, Some(&owner), &json!({"x": [1]}))
            .await;
    }
    if let Some(schema) = &op.body_schema {
        let example = (op.path == "/api/v1/agent/profile").then_some(&w.profile);
        let n = if is_auth { AUTH_BODY_CASES } else { BODY_CASES };
        let bodies = f.bodies(schema, example, n, w);
        for (i, body) in bodies.iter().enumerate() {
            let path = fill_path(f, op, w);
            // A few as each other role, and signed out, the rest as the owner.
            let token = match i {
                0..=2 => Some(w.others[i].token.clone()),
                3 => None,
                _ => Some(owner.clone()),
            };
            f.send_json(&op.method, &path, token.as_deref(), body).await;
            if op.path == "/api/v1/settings/security" {
                restore_security(f, &owner).await;
            }
        }
        for (ct, raw) in raw_bodies() {
            let path = fill_path(f, op, w);
            f.send(&op.method, &path, Some(&owner), Some((ct, raw)))
                .await;
        }
    }
    if op.multipart {
        fuzz_multipart(f, op, w).await;
    }
    // Every role, and none, at least once.
    for s in &w.others {
        let path = format!("{}{}", fill_path(f, op, w), query_string(f, op, w));
        let body = op.body_schema.as_ref().map(|s| f.generate(s, "body", 0, w));
        match body {
            Some(b) => f.send_json(&op.method, &path, Some(&s.token), &b).await,
            None => f.send(&op.method, &path, Some(&s.token), None).await,
        };
    }
    if op.path == "/api/v1/settings/security" {
        restore_security(f, &owner).await;
    }
}

/// Puts the organisation back to not requiring two-factor sign-in, which the owner (without a
/// second factor) would otherwise need for everything that follows.
async fn restore_security(f: &mut Fuzzer<'_>, owner: &str) {
    let (status, body) = f
        .send_json(
            &Method::PUT,
            "/api/v1/settings/security",
            Some(owner),
            &json!({"require_two_factor": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
}

async fn fuzz_multipart(f: &mut Fuzzer<'_>, op: &Operation, w: &World) {
    let owner = w.owner.token.clone();
    let faq = b"Q: Fees?\nA: 40,000 rupees.".to_vec();
    let mut cases: Vec<Vec<Part>> = vec![
        vec![("file", Some("faq.txt"), faq.clone())],
        vec![("file", Some("faq.txt"), Vec::new())],
        vec![("file", Some("faq.txt"), b"\xff\xfe\x00garbage".to_vec())],
        vec![("file", Some("faq.txt"), vec![0u8; 4096])],
        vec![(
            "file",
            Some("faq.txt"),
            "Q: a?\nA: b\n\n".repeat(60_000).into_bytes(),
        )],
        vec![("file", None, faq.clone())],
        vec![("kind", None, b"faq".to_vec())],
        vec![
            ("kind", None, b"FAQ".to_vec()),
            ("file", Some("faq.txt"), faq.clone()),
        ],
        vec![
            ("kind", None, b"website".to_vec()),
            ("file", Some("faq.txt"), faq.clone()),
        ],
        vec![
            ("kind", None, b"\xff".to_vec()),
            ("file", Some("faq.txt"), faq.clone()),
        ],
        vec![("file", Some("a\u{0}😀.txt"), faq.clone())],
        vec![
            ("file", Some("faq.txt"), faq.clone()),
            ("file", Some("faq2.txt"), faq.clone()),
        ],
        vec![("other", Some("x.bin"), faq.clone())],
        vec![],
    ];
    for _ in 0..10 {
        let text = f.faq().into_bytes();
        let kind = f.nasty_string().into_bytes();
        let mut parts = vec![("file", Some("faq.txt"), text)];
        if f.chance(0.5) {
            parts.push(("kind", None, kind));
        }
        cases.push(parts);
    }
    for parts in cases {
        let (ct, body) = form(&parts);
        f.send(&op.method, &op.path, Some(&owner), Some((&ct, body)))
            .await;
    }
    // Framing the form parser must refuse.
    for (ct, body) in [
        ("multipart/form-data", b"--x\r\n".to_vec()),
        (
            "multipart/form-data; boundary=nope",
            b"--other\r\n\r\n--other--".to_vec(),
        ),
        (
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nunterminated".to_vec(),
        ),
    ] {
        f.send(&op.method, &op.path, Some(&owner), Some((ct, body)))
            .await;
    }
}

// ---------------------------------------------------------------------------------------------
// The webhook.

/// Fixtures of deliveries Meta posts (the rest are send requests and Graph answers).
fn webhook_fixtures() -> Vec<(String, Value)> {
    let dir = format!("{}/../whatsapp/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            [
                "inbound_",
                "status_",
                "template_quality",
                "template_status",
                "account_",
                "batched_",
                "webhook_value",
            ]
            .iter()
            .any(|p| n.starts_with(p))
        })
        .map(|n| {
            let v = serde_json::from_slice(&std::fs::read(format!("{dir}/{n}")).unwrap()).unwrap();
            (n, v)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() > 30, "the fixtures are found");
    out
}

/// Mutations of webhook fields with the types Meta's parser trusts least.
fn webhook_mutation(f: &mut Fuzzer<'_>, v: &mut Value) {
    // Fields the pipeline reads, targeted by name wherever they are.
    const TARGETS: &[&str] = &[
        "timestamp",
        "id",
        "from",
        "wa_id",
        "type",
        "body",
        "phone_number_id",
        "messages",
        "statuses",
        "contacts",
        "text",
        "context",
        "referral",
        "errors",
        "pricing",
        "conversation",
        "expiration_timestamp",
        "recipient_id",
        "status",
        "name",
        "profile",
        "interactive",
        "button",
        "reaction",
        "message_id",
        "emoji",
        "value",
        "changes",
        "entry",
        "field",
        "metadata",
        "user_id",
        "image",
        "location",
        "latitude",
        "caption",
    ];
    let target = f.pick(TARGETS);
    let replacement = match f.rng.gen_range(0..16) {
        0 => None,
        1 => Some(json!("99999999999999999999")),
        2 => Some(json!(i64::MAX)),
        3 => Some(json!(-1)),
        4 => Some(json!(u64::MAX)),
        5 => Some(json!("@@raw3@@")),
        6 => Some(json!("hologram")),
        7 => Some(json!("a\u{0}b")),
        8 => Some(json!(1e300)),
        9 => Some(json!("-62135596801")),
        10 => Some(json!("8210298326400")),
        11 => Some(Value::String(f.incompressible(5_000))),
        _ => Some(f.nasty(2)),
    };
    if !replace_field(v, target, &replacement, &mut f.rng) {
        f.mutate(v, 0);
    }
}

/// Replaces (or with None removes) one occurrence of `key`, picked at random; false when none.
fn replace_field(v: &mut Value, key: &str, with: &Option<Value>, rng: &mut StdRng) -> bool {
    let mut paths = Vec::new();
    collect_paths(v, key, &mut Vec::new(), &mut paths);
    let Some(path) = paths.choose(rng) else {
        return false;
    };
    let mut at = &mut *v;
    for step in &path[..path.len() - 1] {
        at = match step {
            Step::Key(k) => &mut at[k.as_str()],
            Step::Index(i) => &mut at[*i],
        };
    }
    let Some(Step::Key(last)) = path.last() else {
        return false;
    };
    let m = at.as_object_mut().unwrap();
    match with {
        Some(w) => {
            m.insert(last.clone(), w.clone());
        }
        None => {
            m.remove(last);
        }
    }
    true
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn collect_paths(v: &Value, key: &str, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                at.push(Step::Key(k.clone()));
                if k == key {
                    out.push(at.clone());
                }
                collect_paths(child, key, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Step::Index(i));
                collect_paths(child, key, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// Signs and posts a delivery; returns its status.
async fn post_webhook(f: &mut Fuzzer<'_>, body: &Value) -> StatusCode {
    let raw = splice_raw(serde_json::to_string(body).unwrap()).into_bytes();
    let signature = closer_whatsapp::signature::sign(SECRET.as_bytes(), &raw);
    let url = format!("{}/webhooks/whatsapp", f.app.base);
    f.sent += 1;
    let what = format!("POST /webhooks/whatsapp {}", show(&raw));
    match f
        .http
        .post(url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(raw)
        .send()
        .await
    {
        Ok(r) => {
            let status = r.status();
            if status.is_server_error() {
                let text = r.text().await.unwrap_or_default();
                f.failures
                    .push(format!("{status} to {what} → {}", show(text.as_bytes())));
            }
            status
        }
        Err(e) => {
            f.failures.push(format!("no answer ({e}) to {what}"));
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

fn text_message(id: &str, from: &str) -> Value {
    json!({"from": from, "id": id, "timestamp": "1779105600", "type": "text",
        "text": {"body": "fees kitni hai?"}})
}

fn delivery(messages: Vec<Value>) -> Value {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": NUMBER},
            "contacts": [{"profile": {"name": "Lead"}, "wa_id": "919800000070"}],
            "messages": messages}}]}]})
}

async fn mutated_webhooks_answer_below_500(b: Backend) {
    let (app, _owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let started = std::time::Instant::now();
    let mut f = Fuzzer::new(&app, Value::Null, SEED ^ 0x00AB);
    let fixtures = webhook_fixtures();
    for (_, fixture) in &fixtures {
        post_webhook(&mut f, fixture).await;
        for _ in 0..8 {
            let mut v = fixture.clone();
            for _ in 0..f.rng.gen_range(1..4) {
                webhook_mutation(&mut f, &mut v);
            }
            post_webhook(&mut f, &v).await;
        }
    }
    // The same message twice in one delivery, and again in the next one.
    let twice = delivery(vec![text_message("wamid.dup", "919800000070"); 2]);
    post_webhook(&mut f, &twice).await;
    post_webhook(&mut f, &twice).await;

    // A broken message does not take a valid one of the same delivery down with it.
    let broken: Vec<(&str, Value)> = vec![
        ("timestamp", json!("99999999999999999999")),
        ("timestamp", json!("8210298326400")),
        ("timestamp", json!("-62135596801")),
        ("timestamp", json!(i64::MIN)),
        ("timestamp", json!("soon")),
        ("from", json!(919800000071_i64)),
        ("from", json!("9".repeat(5_000))),
        ("from", json!("")),
        ("id", json!(null)),
        ("id", json!("x".repeat(5_000))),
        ("type", json!("hologram")),
        ("text", json!({"body": {"nested": true}})),
        ("text", json!("not an object")),
    ];
    for (i, (field, value)) in broken.into_iter().enumerate() {
        let good_id = format!("wamid.good{i}");
        let mut bad = text_message(&format!("wamid.bad{i}"), "919800000071");
        bad[field] = value;
        let status = post_webhook(
            &mut f,
            &delivery(vec![bad, text_message(&good_id, "919800000072")]),
        )
        .await;
        let stored = app
            .sql_text(&format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM messages WHERE provider_message_id = '{good_id}'"
            ))
            .await;
        if status.is_success() && stored.as_deref() != Some("1") {
            f.failures.push(format!(
                "a message batched with one whose {field} is broken was not stored ({status})"
            ));
        }
    }
    println!(
        "fuzz: {b:?}: {} webhook deliveries in {:.1} s",
        f.sent,
        started.elapsed().as_secs_f64()
    );
    let failures = std::mem::take(&mut f.failures);
    app.finish().await;
    assert!(
        failures.is_empty(),
        "{} fuzzed webhooks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
