//! Templates in Meta's shapes: the body of `POST /{waba_id}/message_templates` with the
//! samples Meta reviews, the `components` of a template send, and Meta's list read back.

use closer_domain::send_policy::TemplateCategory;
use closer_domain::templates::{
    ButtonType, FilledValue, HeaderFormat, ParameterFormat, TemplateBody, TemplateButton,
    TemplateContent, TemplateFooter, TemplateHeader, TemplateStatus, placeholder_names,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn upper(s: &str) -> String {
    s.to_ascii_uppercase()
}

/// The create request, with only the components the template has.
pub fn create_request(t: &TemplateContent) -> Value {
    let mut components = Vec::new();
    if let Some(h) = &t.header {
        components.push(header_component(t, h));
    }
    components.push(body_component(t));
    if let Some(f) = &t.footer {
        components.push(json!({ "type": "FOOTER", "text": f.text }));
    }
    if !t.buttons.is_empty() {
        let buttons: Vec<Value> = t.buttons.iter().map(button_json).collect();
        components.push(json!({ "type": "BUTTONS", "buttons": buttons }));
    }
    json!({
        "name": t.name,
        "language": t.language,
        "category": upper(t.category.as_str()),
        "parameter_format": t.parameter_format.as_str(),
        "components": components,
    })
}

fn header_component(t: &TemplateContent, h: &TemplateHeader) -> Value {
    if h.format != HeaderFormat::Text {
        return json!({ "type": "HEADER", "format": upper(h.format.as_str()),
            "example": { "header_handle": [h.media_url.clone().unwrap_or_default()] } });
    }
    let text = h.text.clone().unwrap_or_default();
    let mut c = json!({ "type": "HEADER", "format": "TEXT", "text": text });
    let names = placeholder_names(&text);
    if let (Some(name), Some(example)) = (names.first(), h.example.as_ref()) {
        c["example"] = match t.parameter_format {
            ParameterFormat::Named => {
                json!({ "header_text_named_params": [{ "param_name": name, "example": example }] })
            }
            ParameterFormat::Positional => json!({ "header_text": [example] }),
        };
    }
    c
}

fn body_component(t: &TemplateContent) -> Value {
    let names = placeholder_names(&t.body.text);
    let mut c = json!({ "type": "BODY", "text": t.body.text });
    if names.is_empty() {
        return c;
    }
    let example = |n: &String| t.body.examples.get(n).cloned().unwrap_or_default();
    c["example"] = match t.parameter_format {
        ParameterFormat::Named => {
            let params: Vec<Value> = names
                .iter()
                .map(|n| json!({ "param_name": n, "example": example(n) }))
                .collect();
            json!({ "body_text_named_params": params })
        }
        ParameterFormat::Positional => {
            let mut ordered = names.clone();
            ordered.sort_by_key(|n| n.parse::<usize>().unwrap_or(usize::MAX));
            json!({ "body_text": [ordered.iter().map(example).collect::<Vec<_>>()] })
        }
    };
    c
}

fn button_json(b: &TemplateButton) -> Value {
    let mut v = json!({ "type": upper(b.kind.as_str()) });
    match b.kind {
        ButtonType::QuickReply => v["text"] = json!(b.text),
        ButtonType::Url => {
            v["text"] = json!(b.text);
            v["url"] = json!(b.url);
            if let Some(e) = b
                .example
                .as_ref()
                .filter(|_| b.url.as_deref().is_some_and(|u| u.contains("{{")))
            {
                v["example"] = json!([e]);
            }
        }
        ButtonType::PhoneNumber => {
            v["text"] = json!(b.text);
            v["phone_number"] = json!(b.phone_number);
        }
        ButtonType::CopyCode => v["example"] = json!(b.example),
    }
    v
}

/// The `components` of a template send: header, body and URL-button parameters, named
/// parameters carrying `parameter_name`.
pub fn send_components(t: &TemplateContent, values: &BTreeMap<String, FilledValue>) -> Vec<Value> {
    let named = t.parameter_format == ParameterFormat::Named;
    let text_param = |name: &str, value: &str| {
        let mut p = json!({ "type": "text", "text": value });
        if named {
            p["parameter_name"] = json!(name);
        }
        p
    };
    let mut components = Vec::new();
    if let Some(h) = &t.header {
        let media = h.format.as_str();
        match (h.format, h.media_url.as_ref(), values.get("header")) {
            (HeaderFormat::Text, _, Some(v)) => {
                let name = placeholder_names(h.text.as_deref().unwrap_or_default())
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                components
                    .push(json!({ "type": "header", "parameters": [text_param(&name, &v.value)] }));
            }
            (HeaderFormat::Text, _, None) => {}
            (_, Some(link), _) => components.push(json!({ "type": "header",
                "parameters": [{ "type": media, media: { "link": link } }] })),
            _ => {}
        }
    }
    let mut names = placeholder_names(&t.body.text);
    if !named {
        names.sort_by_key(|n| n.parse::<usize>().unwrap_or(usize::MAX));
    }
    let params: Vec<Value> = names
        .iter()
        .filter_map(|n| values.get(n).map(|v| text_param(n, &v.value)))
        .collect();
    if !params.is_empty() {
        components.push(json!({ "type": "body", "parameters": params }));
    }
    for (i, b) in t.buttons.iter().enumerate() {
        if let Some(v) = values
            .get(&format!("button:{i}"))
            .filter(|_| b.kind == ButtonType::Url)
        {
            components.push(
                json!({ "type": "button", "sub_type": "url", "index": i.to_string(),
                "parameters": [{ "type": "text", "text": v.value }] }),
            );
        }
    }
    components
}

/// A template of Meta's list: its id, status and content (no samples: Meta does not list them).
pub fn from_listed(v: &Value) -> Option<(String, TemplateStatus, TemplateContent)> {
    let id = match v.get("id")? {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let status = match v.get("status")?.as_str()? {
        "APPROVED" => TemplateStatus::Approved,
        "PENDING" | "IN_APPEAL" | "PENDING_DELETION" => TemplateStatus::Pending,
        "REJECTED" => TemplateStatus::Rejected,
        "PAUSED" => TemplateStatus::Paused,
        "DISABLED" => TemplateStatus::Disabled,
        _ => return None,
    };
    let category: TemplateCategory = v.get("category")?.as_str()?.parse().ok()?;
    let format = v
        .get("parameter_format")
        .and_then(Value::as_str)
        .and_then(|f| f.parse().ok())
        .unwrap_or(ParameterFormat::Positional);
    let mut content = TemplateContent {
        name: v.get("name")?.as_str()?.to_owned(),
        language: v.get("language")?.as_str()?.to_owned(),
        category,
        parameter_format: format,
        header: None,
        body: TemplateBody::default(),
        footer: None,
        buttons: vec![],
    };
    for c in v
        .get("components")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = c.get("text").and_then(Value::as_str).map(str::to_owned);
        match c.get("type").and_then(Value::as_str).unwrap_or_default() {
            "HEADER" => {
                let format = c
                    .get("format")
                    .and_then(Value::as_str)
                    .and_then(|f| f.parse().ok())
                    .unwrap_or(HeaderFormat::Text);
                content.header = Some(TemplateHeader {
                    format,
                    text,
                    example: None,
                    media_url: None,
                });
            }
            "BODY" => content.body.text = text.unwrap_or_default(),
            "FOOTER" => content.footer = text.map(|text| TemplateFooter { text }),
            "BUTTONS" => {
                for b in c
                    .get("buttons")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let Some(kind) = b
                        .get("type")
                        .and_then(Value::as_str)
                        .and_then(|k| k.parse().ok())
                    else {
                        continue;
                    };
                    let s = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_owned);
                    content.buttons.push(TemplateButton {
                        kind,
                        text: s("text"),
                        url: s("url"),
                        phone_number: s("phone_number"),
                        example: None,
                    });
                }
            }
            _ => {}
        }
    }
    Some((id, status, content))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/../../../shared/whatsapp-fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
    }

    #[test]
    fn the_create_request_is_metas_shape() {
        let t = TemplateContent {
            name: "order_confirmation".into(),
            language: "en_US".into(),
            category: TemplateCategory::Utility,
            parameter_format: ParameterFormat::Named,
            header: None,
            body: TemplateBody {
                text: "Thank you, {{first_name}}! Your order number is {{order_number}}.".into(),
                examples: [
                    ("first_name".into(), "Maria".into()),
                    ("order_number".into(), "ORD-2026-7781".into()),
                ]
                .into(),
            },
            footer: None,
            buttons: vec![],
        };
        assert_eq!(
            create_request(&t),
            fixture("template_create_request_named.json")
        );
    }

    #[test]
    fn metas_list_reads_back() {
        let list = fixture("template_list_response.json");
        let first = from_listed(&list["data"][0]).expect("listed");
        assert_eq!(first.0, "500000000000001");
        assert_eq!(first.1, TemplateStatus::Approved);
        assert_eq!(first.2.buttons.len(), 3);
    }
}
