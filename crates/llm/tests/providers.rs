//! The client against a fake provider over real HTTP: wire formats, error kinds, retries,
//! timeouts.

use std::time::{Duration, Instant};

use closer_llm::fake::{FakeProvider, Reply};
use closer_llm::{
    ChatMessage, ChatModel, ChatRequest, ChatRole, LlmClient, LlmErrorKind, Prices, Provider,
    ProviderConfig, Usage, extract_json,
};
use serde_json::{Value, json};

const KEY: &str = "sk-test-DO-NOT-LEAK-4242";

fn config(provider: Provider, base_url: String) -> ProviderConfig {
    ProviderConfig {
        provider,
        base_url,
        model: "test-model".to_owned(),
        api_key: KEY.to_owned(),
        timeout: Duration::from_secs(5),
        max_attempts: 3,
        prices: Prices {
            input_usd_per_mtok: 1.0,
            output_usd_per_mtok: 2.0,
        },
        egress: closer_llm::EgressPolicy::any_address(),
    }
}

/// A client with millisecond backoff so retry tests stay fast.
fn client(config: ProviderConfig) -> LlmClient {
    LlmClient::new(config)
        .expect("client")
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

fn openai(fake: &FakeProvider) -> LlmClient {
    client(config(Provider::OpenAi, fake.url("/v1")))
}

fn anthropic(fake: &FakeProvider) -> LlmClient {
    client(config(Provider::Anthropic, fake.url("")))
}

fn request(json: bool) -> ChatRequest {
    ChatRequest {
        system: "You are Closer, a polite sales assistant. Reply in JSON.".to_owned(),
        messages: vec![
            ChatMessage::user("Do you have the red sneakers in 42?"),
            ChatMessage::assistant("Let me check."),
            ChatMessage::user("Thanks"),
        ],
        max_tokens: 200,
        temperature: 0.3,
        json,
    }
}

fn openai_answer(content: &str) -> Reply {
    Reply::json(
        200,
        json!({
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "gpt-test-2025-01-01",
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop"
            }],
            "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49}
        }),
    )
}

fn anthropic_answer(blocks: Value) -> Reply {
    Reply::json(
        200,
        json!({
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-test-2025",
            "content": blocks,
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 30, "output_tokens": 11}
        }),
    )
}

fn server_error() -> Reply {
    Reply::json(
        500,
        json!({"error": {"message": "The server had an error", "type": "server_error"}}),
    )
}

#[tokio::test]
async fn openai_success_sends_key_model_system_and_json_format() {
    let fake = FakeProvider::start(vec![openai_answer("{\"in_stock\": true}")]).await;
    // A trailing slash on the base must not double up in the path.
    let llm = client(config(Provider::OpenAi, fake.url("/v1/")));

    let answer = llm.chat(&request(true)).await.expect("answer");

    assert_eq!(answer.text, "{\"in_stock\": true}");
    assert_eq!(
        answer.usage,
        Usage {
            input_tokens: 42,
            output_tokens: 7
        }
    );
    assert_eq!(answer.model, "gpt-test-2025-01-01");
    assert_eq!(answer.attempts, 1);
    assert_eq!(
        llm.prices().cost_usd(&answer.usage),
        42.0 / 1e6 + 14.0 / 1e6
    );

    let sent = fake.requests();
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.body["model"], "test-model");
    assert_eq!(
        sent.body["messages"],
        json!([
            {"role": "system", "content": "You are Closer, a polite sales assistant. Reply in JSON."},
            {"role": "user", "content": "Do you have the red sneakers in 42?"},
            {"role": "assistant", "content": "Let me check."},
            {"role": "user", "content": "Thanks"},
        ])
    );
    assert_eq!(sent.body["max_tokens"], 200);
    assert!((sent.body["temperature"].as_f64().expect("temperature") - 0.3).abs() < 1e-6);
    assert_eq!(sent.body["response_format"], json!({"type": "json_object"}));
}

#[tokio::test]
async fn openai_plain_text_has_no_response_format_and_tolerates_missing_usage() {
    let fake = FakeProvider::start(vec![Reply::json(
        200,
        json!({"choices": [{"message": {"role": "assistant", "content": "Yes, size 42 is in stock."}}]}),
    )])
    .await;

    let answer = openai(&fake).chat(&request(false)).await.expect("answer");

    assert_eq!(answer.text, "Yes, size 42 is in stock.");
    assert_eq!(answer.usage, Usage::default());
    assert_eq!(
        answer.model, "test-model",
        "falls back to the configured model"
    );
    let sent = fake.requests();
    assert!(
        sent[0].body.get("response_format").is_none(),
        "{}",
        sent[0].body
    );
}

#[tokio::test]
async fn anthropic_success_sends_its_headers_and_joins_text_blocks() {
    let fake = FakeProvider::start(vec![anthropic_answer(json!([
        {"type": "text", "text": "Yes, we have "},
        {"type": "tool_use", "id": "t1", "name": "lookup", "input": {}},
        {"type": "text", "text": "size 42."}
    ]))])
    .await;

    let answer = anthropic(&fake)
        .chat(&request(false))
        .await
        .expect("answer");

    assert_eq!(answer.text, "Yes, we have size 42.");
    assert_eq!(
        answer.usage,
        Usage {
            input_tokens: 30,
            output_tokens: 11
        }
    );
    assert_eq!(answer.model, "claude-test-2025");
    assert_eq!(answer.attempts, 1);

    let sent = fake.requests();
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.header("x-api-key"), Some(KEY));
    assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(
        sent.body["system"],
        "You are Closer, a polite sales assistant. Reply in JSON."
    );
    assert_eq!(
        sent.body["messages"],
        json!([
            {"role": "user", "content": "Do you have the red sneakers in 42?"},
            {"role": "assistant", "content": "Let me check."},
            {"role": "user", "content": "Thanks"},
        ])
    );
    assert_eq!(sent.body["model"], "test-model");
    assert_eq!(sent.body["max_tokens"], 200);
    assert!(sent.body.get("response_format").is_none());
}

#[tokio::test]
async fn anthropic_json_answer_loses_its_fences() {
    let fake = FakeProvider::start(vec![anthropic_answer(json!([
        {"type": "text", "text": "```json\n{\"intent\": \"buy\", \"size\": 42}\n```"}
    ]))])
    .await;

    let answer = anthropic(&fake).chat(&request(true)).await.expect("answer");

    assert_eq!(answer.text, "{\"intent\": \"buy\", \"size\": 42}");
    assert_eq!(
        extract_json(&answer.text).expect("json"),
        json!({"intent": "buy", "size": 42})
    );
}

#[tokio::test]
async fn rate_limit_with_retry_after_is_waited_out_then_succeeds() {
    let fake = FakeProvider::start(vec![
        Reply::json(
            429,
            json!({"error": {"message": "Rate limit reached", "type": "requests"}}),
        )
        .header("retry-after", "1"),
        openai_answer("Sure!"),
    ])
    .await;
    let started = Instant::now();

    let answer = openai(&fake).chat(&request(false)).await.expect("answer");

    assert_eq!(answer.text, "Sure!");
    assert_eq!(answer.attempts, 2);
    assert_eq!(fake.requests().len(), 2);
    // The backoff here is 1-5 ms, so only Retry-After explains a wait of about a second.
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}

#[tokio::test]
async fn server_errors_give_up_after_max_attempts() {
    let fake = FakeProvider::start(vec![
        server_error(),
        server_error(),
        server_error(),
        openai_answer("late"),
    ])
    .await;

    let err = openai(&fake)
        .chat(&request(false))
        .await
        .expect_err("server error");

    assert_eq!(err.kind, LlmErrorKind::Server);
    assert_eq!(err.code(), "server");
    assert!(err.is_retryable());
    assert_eq!(err.status, Some(500));
    assert!(
        err.message.contains("The server had an error"),
        "{}",
        err.message
    );
    assert!(err.message.contains("after 3 attempts"), "{}", err.message);
    assert_eq!(fake.requests().len(), 3, "exactly max_attempts requests");
}

#[tokio::test]
async fn anthropic_overloaded_is_a_server_error_and_retried() {
    let overloaded = || {
        Reply::json(
            529,
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        )
    };
    let fake = FakeProvider::start(vec![
        overloaded(),
        anthropic_answer(json!([{"type": "text", "text": "ok"}])),
    ])
    .await;

    let answer = anthropic(&fake)
        .chat(&request(false))
        .await
        .expect("answer");

    assert_eq!(answer.text, "ok");
    assert_eq!(answer.attempts, 2);
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn openai_auth_error_is_not_retried_and_never_shows_the_key() {
    // Some servers echo the rejected key; it must not reach our error text.
    let fake = FakeProvider::start(vec![
        Reply::json(
            401,
            json!({"error": {
                "message": format!("Incorrect API key provided: {KEY}. You can find your API key at https://platform.openai.com."),
                "type": "invalid_request_error",
                "code": "invalid_api_key"
            }}),
        ),
        openai_answer("should never be asked for"),
    ])
    .await;

    let err = openai(&fake).chat(&request(false)).await.expect_err("auth");

    assert_eq!(err.kind, LlmErrorKind::Auth);
    assert_eq!(err.code(), "auth");
    assert!(!err.is_retryable());
    assert_eq!(err.status, Some(401));
    assert_eq!(fake.requests().len(), 1, "auth errors are not retried");
    assert!(err.message.contains("401"), "{}", err.message);
    assert!(
        err.message.contains("Incorrect API key provided"),
        "{}",
        err.message
    );
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains(KEY), "key leaked: {shown}");
    }
}

#[tokio::test]
async fn anthropic_auth_error_carries_the_provider_message() {
    let fake = FakeProvider::start(vec![Reply::json(
        401,
        json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
    )])
    .await;

    let err = anthropic(&fake)
        .chat(&request(false))
        .await
        .expect_err("auth");

    assert_eq!(err.kind, LlmErrorKind::Auth);
    assert_eq!(
        err.message,
        "anthropic answered HTTP 401 (authentication_error): invalid x-api-key"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn other_client_errors_are_bad_requests_and_not_retried() {
    let fake = FakeProvider::start(vec![
        Reply::json(
            400,
            json!({"error": {"message": "max_tokens is too large", "type": "invalid_request_error"}}),
        ),
        openai_answer("should never be asked for"),
    ])
    .await;

    let err = openai(&fake)
        .chat(&request(false))
        .await
        .expect_err("bad request");

    assert_eq!(err.kind, LlmErrorKind::BadRequest);
    assert_eq!(err.code(), "bad_request");
    assert!(
        err.message.contains("max_tokens is too large"),
        "{}",
        err.message
    );
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn a_slow_provider_times_out() {
    let fake = FakeProvider::start(vec![
        openai_answer("too late").delay(Duration::from_secs(2)),
    ])
    .await;
    let mut config = config(Provider::OpenAi, fake.url("/v1"));
    config.timeout = Duration::from_millis(300);
    config.max_attempts = 1;
    let started = Instant::now();

    let err = client(config)
        .chat(&request(false))
        .await
        .expect_err("timeout");

    assert_eq!(err.kind, LlmErrorKind::Timeout);
    assert_eq!(err.code(), "timeout");
    assert!(err.is_retryable());
    assert!(err.message.contains("300 ms"), "{}", err.message);
    assert_eq!(fake.requests().len(), 1);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_timeout_is_retried_up_to_max_attempts() {
    let slow = || openai_answer("too late").delay(Duration::from_secs(2));
    let fake = FakeProvider::start(vec![slow(), slow(), openai_answer("never asked")]).await;
    let mut config = config(Provider::OpenAi, fake.url("/v1"));
    config.timeout = Duration::from_millis(300);
    config.max_attempts = 2;

    let err = client(config)
        .chat(&request(false))
        .await
        .expect_err("timeout");

    assert_eq!(err.kind, LlmErrorKind::Timeout);
    assert!(err.message.contains("after 2 attempts"), "{}", err.message);
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn a_success_that_is_not_the_providers_shape_is_malformed() {
    let fake = FakeProvider::start(vec![
        Reply::json(200, json!({"hello": "world"})),
        Reply::text(200, "<html>captive portal</html>"),
        // OpenAI's shape sent to the Anthropic client.
        openai_answer("wrong dialect"),
    ])
    .await;

    let err = openai(&fake)
        .chat(&request(false))
        .await
        .expect_err("malformed");
    assert_eq!(err.kind, LlmErrorKind::MalformedResponse);
    assert_eq!(err.code(), "malformed_response");
    assert_eq!(err.status, Some(200));
    assert!(!err.is_retryable());

    let err = openai(&fake).chat(&request(false)).await.expect_err("html");
    assert_eq!(err.kind, LlmErrorKind::MalformedResponse);

    let err = anthropic(&fake)
        .chat(&request(false))
        .await
        .expect_err("dialect");
    assert_eq!(err.kind, LlmErrorKind::MalformedResponse);
    assert!(err.message.contains("content"), "{}", err.message);

    assert_eq!(
        fake.requests().len(),
        3,
        "malformed answers are not retried"
    );
}

#[tokio::test]
async fn nobody_listening_is_unreachable() {
    // Bind then drop to get a local port that nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port();
    let mut config = config(Provider::Anthropic, format!("http://127.0.0.1:{port}"));
    config.max_attempts = 2;

    let err = client(config)
        .chat(&request(false))
        .await
        .expect_err("unreachable");

    assert_eq!(err.kind, LlmErrorKind::Unreachable);
    assert_eq!(err.code(), "unreachable");
    assert!(err.is_retryable());
    assert_eq!(err.status, None);
    assert!(
        err.message.contains("could not connect to anthropic"),
        "{}",
        err.message
    );
    assert!(err.message.contains("after 2 attempts"), "{}", err.message);
    assert!(!err.message.contains(KEY));
}

#[tokio::test]
async fn test_connection_makes_one_tiny_call() {
    let fake = FakeProvider::start(vec![
        openai_answer("OK"),
        anthropic_answer(json!([{"type": "text", "text": "OK"}])),
    ])
    .await;

    let check = openai(&fake).test_connection().await.expect("openai check");
    assert_eq!(check.model, "gpt-test-2025-01-01");
    assert!(check.latency_ms < 5_000);

    let check = anthropic(&fake)
        .test_connection()
        .await
        .expect("anthropic check");
    assert_eq!(check.model, "claude-test-2025");

    let sent = fake.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].path, "/v1/chat/completions");
    assert_eq!(
        sent[0].body["messages"],
        json!([{"role": "user", "content": "Reply with the word OK"}])
    );
    assert_eq!(sent[0].body["max_tokens"], 5);
    assert_eq!(sent[1].path, "/v1/messages");
    assert_eq!(sent[1].body["max_tokens"], 5);
    assert!(sent[1].body.get("system").is_none(), "{}", sent[1].body);
}

#[tokio::test]
async fn test_connection_is_a_single_try() {
    let fake = FakeProvider::start(vec![server_error(), openai_answer("OK")]).await;

    let err = openai(&fake)
        .test_connection()
        .await
        .expect_err("server error");

    assert_eq!(err.kind, LlmErrorKind::Server);
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn roles_and_providers_have_stable_names() {
    assert_eq!(ChatRole::Assistant.as_str(), "assistant");
    assert_eq!("anthropic".parse::<Provider>(), Ok(Provider::Anthropic));
    assert_eq!(
        Provider::OpenAi.default_base_url(),
        "https://api.openai.com/v1"
    );
}
