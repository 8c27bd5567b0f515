//! Every fixture in tests/fixtures (copied from shared/whatsapp-fixtures) through the parser,
//! the signature check and the error classes.

use closer_whatsapp::webhook::{Change, Content, DeliveryStatus, MediaKind, MessagesChange};
use closer_whatsapp::{ErrorClass, classify, parse_webhook, verify_signature};
use proptest::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn messages_change(name: &str) -> MessagesChange {
    let hook = parse_webhook(&fixture(name)).unwrap();
    assert_eq!(hook.object, "whatsapp_business_account");
    match &hook.entries[0].changes[0] {
        Change::Messages(m) => m.clone(),
        other => panic!("{name}: expected messages, got {other:?}"),
    }
}

fn content(name: &str) -> Content {
    let m = messages_change(name);
    assert_eq!(m.messages.len(), 1, "{name}");
    assert!(m.messages[0].id.starts_with("wamid."), "{name}");
    assert!(m.messages[0].timestamp > 1_700_000_000, "{name}");
    m.messages[0].content.clone()
}

#[test]
fn text_and_its_context() {
    let m = messages_change("inbound_text.json");
    assert_eq!(m.phone_number_id, "200000000000001");
    assert_eq!(
        m.contacts[0].profile.name.as_deref(),
        Some("Maria Gonzalez")
    );
    assert_eq!(m.contacts[0].wa_id.as_deref(), Some("15557654321"));
    assert_eq!(m.messages[0].from.as_deref(), Some("15557654321"));
    assert!(
        matches!(&m.messages[0].content, Content::Text { body } if body.contains("blue jacket"))
    );

    let reply = messages_change("inbound_text_reply_context.json").messages[0].clone();
    assert!(reply.context.unwrap().id.unwrap().starts_with("wamid."));
    assert!(
        messages_change("inbound_text_forwarded.json").messages[0]
            .context
            .as_ref()
            .unwrap()
            .forwarded
    );
    assert!(
        messages_change("inbound_text_frequently_forwarded.json").messages[0]
            .context
            .as_ref()
            .unwrap()
            .frequently_forwarded
    );
    let product = messages_change("inbound_text_referred_product.json").messages[0].clone();
    assert!(
        product
            .context
            .unwrap()
            .referred_product
            .unwrap()
            .product_retailer_id
            .is_some()
    );

    let ad = messages_change("inbound_text_ctwa_referral.json").messages[0].clone();
    let referral = ad.referral.unwrap();
    assert_eq!(referral.source_type.as_deref(), Some("ad"));
    assert!(
        referral.ctwa_clid.is_some()
            && referral.headline.is_some()
            && referral.welcome_message.is_some()
    );

    let bsuid = messages_change("inbound_text_bsuid_only.json");
    assert_eq!(bsuid.messages[0].from, None);
    assert!(
        bsuid.messages[0]
            .from_user_id
            .as_deref()
            .unwrap()
            .starts_with("US.")
    );
    assert!(bsuid.contacts[0].user_id.is_some() && bsuid.contacts[0].profile.username.is_some());
}

#[test]
fn media_messages() {
    for (file, kind) in [
        ("inbound_image.json", MediaKind::Image),
        ("inbound_audio_voice.json", MediaKind::Voice),
        ("inbound_audio_file.json", MediaKind::Audio),
        ("inbound_video.json", MediaKind::Video),
        ("inbound_document.json", MediaKind::Document),
        ("inbound_sticker.json", MediaKind::Sticker),
    ] {
        match content(file) {
            Content::Media { kind: k, media } => {
                assert_eq!(k, kind, "{file}");
                assert!(media.id.is_some() && media.mime_type.is_some(), "{file}");
            }
            other => panic!("{file}: {other:?}"),
        }
    }
    let Content::Media { media, .. } = content("inbound_document.json") else {
        unreachable!()
    };
    assert!(media.filename.is_some());
}

#[test]
fn every_other_message_type() {
    assert!(matches!(content("inbound_location.json"), Content::Location(l) if l.latitude != 0.0));
    assert!(matches!(content("inbound_contacts.json"), Content::Contacts(c) if c.len() == 1));
    assert!(matches!(
        content("inbound_button_template_quick_reply.json"),
        Content::Button {
            payload: Some(_),
            ..
        }
    ));
    assert!(matches!(
        content("inbound_interactive_button_reply.json"),
        Content::ButtonReply { .. }
    ));
    assert!(matches!(
        content("inbound_interactive_list_reply.json"),
        Content::ListReply { .. }
    ));
    match content("inbound_interactive_nfm_reply.json") {
        Content::FlowReply { response, .. } => assert!(response.get("flow_token").is_some()),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        content("inbound_reaction.json"),
        Content::Reaction { emoji: Some(_), .. }
    ));
    assert!(matches!(
        content("inbound_reaction_removed.json"),
        Content::Reaction { emoji: None, .. }
    ));
    assert!(
        matches!(content("inbound_order.json"), Content::Order { items, .. } if !items.is_empty())
    );
    let sys = messages_change("inbound_system_user_changed_number.json");
    assert!(sys.contacts.is_empty());
    assert!(matches!(
        &sys.messages[0].content,
        Content::System {
            new_wa_id: Some(_),
            ..
        }
    ));
    let unsupported = messages_change("inbound_unsupported.json").messages[0].clone();
    assert!(matches!(unsupported.content, Content::Unsupported { .. }));
    assert_eq!(unsupported.errors[0].code, 131051);
    assert!(
        matches!(content("inbound_edit_coexistence.json"), Content::Edit { message, .. } if message.text().is_some())
    );
    assert!(matches!(
        content("inbound_revoke_coexistence.json"),
        Content::Revoke { .. }
    ));
    assert_eq!(
        messages_change("inbound_text_unknown_phone_number_id.json").phone_number_id,
        "299999999999999"
    );
}

#[test]
fn statuses_and_out_of_band_errors() {
    for (file, status) in [
        ("status_sent.json", DeliveryStatus::Sent),
        ("status_sent_v24_minimal.json", DeliveryStatus::Sent),
        ("status_delivered.json", DeliveryStatus::Delivered),
        (
            "status_delivered_free_customer_service.json",
            DeliveryStatus::Delivered,
        ),
        (
            "status_delivered_free_entry_point.json",
            DeliveryStatus::Delivered,
        ),
        ("status_read.json", DeliveryStatus::Read),
        ("status_played_voice.json", DeliveryStatus::Played),
        ("status_failed_131026.json", DeliveryStatus::Failed),
        ("status_failed_131047.json", DeliveryStatus::Failed),
        ("status_failed_131049.json", DeliveryStatus::Failed),
        ("status_failed_131050.json", DeliveryStatus::Failed),
    ] {
        let m = messages_change(file);
        assert_eq!(m.statuses.len(), 1, "{file}");
        assert_eq!(m.statuses[0].status, Some(status), "{file}");
        if status == DeliveryStatus::Failed {
            let code = m.statuses[0].errors[0].code;
            assert!(
                !classify(code, None).is_retryable() || code == 131049,
                "{file}"
            );
        }
    }
    let free = messages_change("status_delivered_free_customer_service.json");
    assert_eq!(
        free.statuses[0].pricing.as_ref().unwrap().kind.as_deref(),
        Some("free_customer_service")
    );
    let errs = messages_change("webhook_value_errors_130429.json");
    assert_eq!(errs.errors[0].code, 130429);
}

#[test]
fn a_batch_is_read_whole() {
    let hook = parse_webhook(&fixture("batched_multiple_entries_messages_statuses.json")).unwrap();
    assert_eq!(hook.entries.len(), 2);
    let (mut messages, mut statuses) = (0, 0);
    for entry in &hook.entries {
        for change in &entry.changes {
            if let Change::Messages(m) = change {
                messages += m.messages.len();
                statuses += m.statuses.len();
            }
        }
    }
    assert_eq!((messages, statuses), (4, 3));
}

#[test]
fn template_and_account_changes() {
    let hook = parse_webhook(&fixture("template_status_update_approved.json")).unwrap();
    assert!(hook.entries[0].time.is_some());
    assert!(
        matches!(&hook.entries[0].changes[0], Change::TemplateStatus(t) if t.event == "APPROVED")
    );
    let hook = parse_webhook(&fixture("template_status_update_rejected.json")).unwrap();
    assert!(matches!(&hook.entries[0].changes[0], Change::TemplateStatus(t) if t.reason.is_some()));
    let hook = parse_webhook(&fixture("template_quality_update.json")).unwrap();
    assert!(
        matches!(&hook.entries[0].changes[0], Change::TemplateQuality(q) if q.new_quality_score.is_some())
    );
    let hook = parse_webhook(&fixture("account_update_restriction.json")).unwrap();
    assert!(
        matches!(&hook.entries[0].changes[0], Change::Other { field, .. } if field == "account_update")
    );
}

#[test]
fn signature_vectors() {
    let doc: Value = serde_json::from_slice(&fixture("signature_test_vectors.json")).unwrap();
    let secret = doc["app_secret"].as_str().unwrap().as_bytes();
    for v in doc["vectors"].as_array().unwrap() {
        let body = v["raw_body"].as_str().unwrap().as_bytes();
        let header = v["x_hub_signature_256"].as_str();
        let ok = verify_signature(secret, body, header).is_ok();
        assert_eq!(ok, v["expect_valid"].as_bool().unwrap(), "{}", v["name"]);
        // The body must also parse: a valid signature is not enough on its own.
        parse_webhook(body).unwrap();
    }
}

#[test]
fn graph_error_responses() {
    for (file, class) in [
        (
            "error_response_130429_throughput.json",
            ErrorClass::Throttled,
        ),
        (
            "error_response_131056_pair_rate_limit.json",
            ErrorClass::RecipientRateLimited,
        ),
        (
            "error_response_131047_reengagement_sync.json",
            ErrorClass::NeedsTemplate,
        ),
        (
            "error_response_131026_undeliverable_sync.json",
            ErrorClass::Permanent,
        ),
        (
            "error_response_100_invalid_parameter.json",
            ErrorClass::InvalidRequest,
        ),
        (
            "error_response_131009_param_value_invalid.json",
            ErrorClass::InvalidRequest,
        ),
        (
            "error_response_132000_param_count_mismatch.json",
            ErrorClass::InvalidRequest,
        ),
        (
            "error_response_132001_template_not_found.json",
            ErrorClass::InvalidRequest,
        ),
        ("error_response_190_token_expired.json", ErrorClass::Auth),
        (
            "error_response_368_policy_block.json",
            ErrorClass::Permanent,
        ),
    ] {
        let body: closer_whatsapp::errors::GraphErrorBody =
            serde_json::from_slice(&fixture(file)).unwrap();
        assert_eq!(classify(body.error.code, Some(400)), class, "{file}");
    }
}

#[test]
fn not_a_webhook_is_an_error_not_a_panic() {
    assert!(parse_webhook(b"").is_err());
    assert!(parse_webhook(b"[1,2]").is_err());
    assert!(parse_webhook(b"{\"object\":\"x\"}").is_err());
    let hook = parse_webhook(br#"{"entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[{"id":"wamid.x","type":"hologram","hologram":{}}]}}]}]}"#).unwrap();
    let Change::Messages(m) = &hook.entries[0].changes[0] else {
        panic!()
    };
    assert!(matches!(&m.messages[0].content, Content::Other { kind, .. } if kind == "hologram"));
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z_]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("entry".to_string()),
                    Just("changes".to_string()),
                    Just("value".to_string()),
                    Just("field".to_string()),
                    Just("messages".to_string()),
                    Just("statuses".to_string()),
                    Just("metadata".to_string()),
                    Just("type".to_string()),
                    Just("text".to_string()),
                    Just("id".to_string()),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn the_parser_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_webhook(&bytes);
    }

    #[test]
    fn the_parser_never_panics_on_webhook_shaped_json(v in arb_json()) {
        let _ = parse_webhook(v.to_string().as_bytes());
    }
}
