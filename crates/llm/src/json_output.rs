//! Getting the JSON object out of what a model actually wrote. Models asked for "only JSON"
//! still wrap it in ``` fences or a sentence of prose now and then; that should not cost a retry.

use serde_json::Value;

use crate::error::{LlmError, LlmErrorKind};

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
