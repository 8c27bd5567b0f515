//! Getting the JSON object out of what a model actually wrote. Models asked for "only JSON"
//! still wrap it in ``` fences or a sentence of prose now and then; that should not cost a retry.

use serde_json::Value;

use crate::chat::{ChatMessage, ChatModel, ChatRequest, Usage};
use crate::error::{LlmError, LlmErrorKind};

/// Answers [`ask_json`] reads before giving up: the first and one repair.
pub const JSON_ATTEMPTS: usize = 2;

/// Asks `model` for a JSON object, reads it with `validate`, and on a malformed or invalid
/// answer asks once more, quoting what was wrong. What every call cost is added to `spent`,
/// whatever the outcome. The error is a sentence for a log or an alert: the provider's error
/// with its code, or what was wrong with the last answer.
pub async fn ask_json<T>(
    model: &dyn ChatModel,
    mut request: ChatRequest,
    spent: &mut Usage,
    validate: impl Fn(Value) -> Result<T, String>,
) -> Result<T, String> {
    let mut last_error = String::new();
    for _ in 0..JSON_ATTEMPTS {
        let response = model
            .chat(&request)
            .await
            .map_err(|e| format!("{e} ({})", e.code()))?;
        *spent += response.usage;
        match extract_json(&response.text)
            .map_err(|e| e.message)
            .and_then(&validate)
        {
            Ok(value) => return Ok(value),
            Err(why) => {
                request.messages.push(ChatMessage::assistant(response.text));
                request.messages.push(ChatMessage::user(format!(
                    "That answer was not valid: {why}. Answer again with only the JSON object \
                     described."
                )));
                last_error = why;
            }
        }
    }
    Err(format!(
        "invalid answer after {JSON_ATTEMPTS} attempts: {last_error}"
    ))
}

/// The outermost JSON object in a model's answer: inside a ``` fence if there is one, otherwise
/// the first `{` that starts a complete object, ignoring any prose around it.
pub fn extract_json(text: &str) -> Result<Value, LlmError> {
    // Odd pieces of a split on ``` are the insides of fences; they win over the prose around them.
    let fenced = text.split("```").skip(1).step_by(2);
    let mut first_error = None;
    for candidate in fenced.chain(std::iter::once(text)) {
        match first_object(candidate) {
            Ok(value) => return Ok(value),
            Err(err) => first_error = first_error.or(err),
        }
    }
    let why = first_error
        .map(|err| format!(": {err}"))
        .unwrap_or_default();
    Err(LlmError::new(
        LlmErrorKind::MalformedOutput,
        format!(
            "no JSON object in the model's answer ({} chars){why}",
            text.chars().count()
        ),
    ))
}

/// Tries each `{` in turn. A streaming deserializer stops at the end of the first value, so
/// trailing prose is ignored and braces inside strings are handled by the real JSON parser.
/// On failure, returns the parse error of the first `{` (if any), which usually says why,
/// e.g. an answer cut off by `max_tokens`.
fn first_object(text: &str) -> Result<Value, Option<serde_json::Error>> {
    let mut first_error = None;
    for (start, _) in text.match_indices('{') {
        let mut values = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
        match values.next() {
            Some(Ok(value)) if value.is_object() => return Ok(value),
            Some(Err(err)) => {
                first_error.get_or_insert(err);
            }
            _ => {}
        }
    }
    Err(first_error)
}

/// Removes a ``` fence (with or without a language tag) wrapping the whole answer, so a caller
/// that parses the text directly gets the JSON. Anything else is returned trimmed.
pub(crate) fn strip_fences(text: &str) -> &str {
    let trimmed = text.trim();
    let Some(inner) = trimmed
        .strip_prefix("```")
        .and_then(|rest| rest.strip_suffix("```"))
    else {
        return trimmed;
    };
    // The language tag runs to the end of the opening line ("```json\n{...}\n```"), or, on a
    // single line, up to the first non-letter ("```json{...}```").
    let body = match inner.split_once('\n') {
        Some((tag, body)) if !tag.contains(['{', '[']) => body,
        _ => inner.trim_start_matches(|c: char| c.is_ascii_alphabetic()),
    };
    body.trim()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bare_object_parses() {
        assert_eq!(
            extract_json(r#"{"intent":"buy","qty":2}"#).expect("json"),
            json!({"intent": "buy", "qty": 2})
        );
    }

    #[test]
    fn fenced_object_parses() {
        let text = "```json\n{\"reply\": \"Hi!\", \"ok\": true}\n```";
        assert_eq!(
            extract_json(text).expect("json"),
            json!({"reply": "Hi!", "ok": true})
        );
        assert_eq!(
            extract_json("```\n{\"a\":1}\n```").expect("json"),
            json!({"a": 1})
        );
    }

    #[test]
    fn prose_around_the_object_is_ignored() {
        let text = "Sure! Here is the plan:\n{\"steps\": [{\"n\": 1}, {\"n\": 2}]}\nLet me know.";
        assert_eq!(
            extract_json(text).expect("json"),
            json!({"steps": [{"n": 1}, {"n": 2}]})
        );
    }

    #[test]
    fn braces_and_quotes_inside_strings_do_not_confuse_it() {
        let text = r#"Answer: {"reply": "use {name} or \"}\" here", "nested": {"deep": {"x": "}{"}}} trailing }"#;
        assert_eq!(
            extract_json(text).expect("json"),
            json!({"reply": "use {name} or \"}\" here", "nested": {"deep": {"x": "}{"}}})
        );
    }

    #[test]
    fn stray_braces_in_prose_before_the_object_are_skipped() {
        let text = "Templates look like {this}. Result: {\"a\": [1, 2]}";
        assert_eq!(extract_json(text).expect("json"), json!({"a": [1, 2]}));
    }

    #[test]
    fn fenced_object_wins_over_an_example_in_the_prose() {
        let text = "Format is {\"a\": 0}.\n```json\n{\"a\": 42}\n```";
        assert_eq!(extract_json(text).expect("json"), json!({"a": 42}));
    }

    #[test]
    fn no_object_is_malformed_output() {
        for text in [
            "",
            "I cannot help with that.",
            "[1, 2, 3]",
            "\"just a string\"",
            "{not json at all}",
            "{\"cut\": \"off by max_tok",
        ] {
            let err = extract_json(text).expect_err(text);
            assert_eq!(err.kind, LlmErrorKind::MalformedOutput, "{text}");
            assert_eq!(err.code(), "malformed_output");
        }
        let cut = extract_json("{\"cut\": \"off").expect_err("truncated");
        assert!(cut.message.contains("EOF"), "{}", cut.message);
    }

    /// Answers from a script, one per call, and keeps every request.
    struct Scripted {
        answers: std::sync::Mutex<Vec<&'static str>>,
        requests: std::sync::Mutex<Vec<ChatRequest>>,
    }

    #[async_trait::async_trait]
    impl ChatModel for Scripted {
        async fn chat(&self, request: &ChatRequest) -> Result<crate::ChatResponse, LlmError> {
            self.requests.lock().unwrap().push(request.clone());
            Ok(crate::ChatResponse {
                text: self.answers.lock().unwrap().remove(0).to_owned(),
                usage: Usage {
                    input_tokens: 10,
                    output_tokens: 1,
                },
                model: "scripted".into(),
                attempts: 1,
            })
        }

        fn prices(&self) -> crate::Prices {
            crate::Prices::default()
        }
    }

    fn scripted(answers: Vec<&'static str>) -> Scripted {
        Scripted {
            answers: std::sync::Mutex::new(answers),
            requests: std::sync::Mutex::new(vec![]),
        }
    }

    fn ask(user: &str) -> ChatRequest {
        ChatRequest {
            system: "Answer in JSON.".into(),
            messages: vec![ChatMessage::user(user)],
            max_tokens: 50,
            temperature: 0.0,
            json: true,
        }
    }

    fn positive(v: Value) -> Result<i64, String> {
        match v["n"].as_i64() {
            Some(n) if n > 0 => Ok(n),
            _ => Err("n: must be a positive number".into()),
        }
    }

    #[tokio::test]
    async fn a_bad_answer_is_repaired_once_quoting_what_was_wrong() {
        let model = scripted(vec!["{\"n\": -1}", "{\"n\": 3}"]);
        let mut spent = Usage::default();
        let got = ask_json(&model, ask("count"), &mut spent, positive).await;
        assert_eq!(got, Ok(3));
        assert_eq!(spent.input_tokens, 20, "both calls are paid for");
        let requests = model.requests.lock().unwrap();
        let repair = &requests[1].messages;
        assert_eq!(repair.len(), 3);
        assert_eq!(repair[1], ChatMessage::assistant("{\"n\": -1}"));
        assert!(
            repair[2]
                .content
                .contains("not valid: n: must be a positive number"),
            "{}",
            repair[2].content
        );
    }

    #[tokio::test]
    async fn two_bad_answers_give_up_with_the_last_reason() {
        let model = scripted(vec!["no json here", "{\"n\": 0}"]);
        let mut spent = Usage::default();
        let err = ask_json(&model, ask("count"), &mut spent, positive)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            "invalid answer after 2 attempts: n: must be a positive number"
        );
        assert_eq!(spent.input_tokens, 20);
    }

    #[test]
    fn fences_are_stripped_only_when_they_wrap_the_answer() {
        assert_eq!(strip_fences("```json\n{\"a\":1}\n```"), "{\"a\":1}");
        assert_eq!(strip_fences("  ```\n{\"a\":1}\n```\n"), "{\"a\":1}");
        assert_eq!(strip_fences("```json{\"a\":1}```"), "{\"a\":1}");
        assert_eq!(strip_fences("```{\"a\":\n1}```"), "{\"a\":\n1}");
        assert_eq!(strip_fences(" {\"a\":1} "), "{\"a\":1}");
        assert_eq!(
            strip_fences("see ```x``` here"),
            "see ```x``` here",
            "inline code is left alone"
        );
    }
}
