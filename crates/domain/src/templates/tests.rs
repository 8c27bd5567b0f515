use super::*;
use proptest::prelude::*;

fn draft(body: &str) -> TemplateContent {
    let examples = placeholder_names(body)
        .into_iter()
        .map(|n| (n, "Maria".to_owned()))
        .collect();
    TemplateContent {
        name: "order_confirmation".into(),
        language: "en_US".into(),
        category: TemplateCategory::Utility,
        parameter_format: ParameterFormat::Named,
        header: None,
        body: TemplateBody {
            text: body.into(),
            examples,
        },
        footer: None,
        buttons: vec![],
    }
}

fn errors(t: &TemplateContent) -> LintErrors {
    lint(t).err().unwrap_or_default()
}

#[test]
fn a_good_named_template_passes() {
    assert_eq!(
        lint(&draft(
            "Thank you, {{first_name}}! Your order is {{order_number}}."
        )),
        Ok(())
    );
}

#[test]
fn each_problem_names_its_field() {
    let mut t = draft("{{first_name}}{{order}}");
    t.name = "Order Confirmation".into();
    t.body.examples.clear();
    t.footer = Some(TemplateFooter {
        text: "x".repeat(61),
    });
    let e = errors(&t);
    assert!(e.contains_key("name"), "{e:?}");
    assert!(e.contains_key("body.text"), "{e:?}");
    assert!(e.contains_key("body.examples.first_name"), "{e:?}");
    assert!(e.contains_key("footer.text"), "{e:?}");
}

#[test]
fn positional_placeholders_are_gapless_and_of_one_format() {
    let mut t = draft("Hi {{1}}, see you on {{3}}.");
    t.parameter_format = ParameterFormat::Positional;
    assert!(errors(&t).contains_key("body.text"));
    t.body.text = "Hi {{1}}, see you on {{2}}.".into();
    t.body.examples = [("1".into(), "Maria".into()), ("2".into(), "June 3".into())].into();
    assert_eq!(lint(&t), Ok(()));
    t.body.text = "Hi {{first_name}}, see you on {{2}}.".into();
    assert!(errors(&t).contains_key("body.text"));
}

#[test]
fn buttons_are_counted_and_checked() {
    let mut t = draft("Hello {{first_name}}, a deal.");
    let url = |u: &str| TemplateButton {
        kind: ButtonType::Url,
        text: Some("Open".into()),
        url: Some(u.into()),
        phone_number: None,
        example: None,
    };
    t.buttons = vec![
        url("https://a.example"),
        url("https://b.example"),
        url("https://c.example"),
    ];
    assert!(errors(&t).contains_key("buttons"));
    t.buttons = vec![url("https://a.example/{{1}}")];
    assert!(errors(&t).contains_key("buttons[0].example"));
    t.buttons[0].example = Some("https://a.example/ABC".into());
    assert_eq!(lint(&t), Ok(()));
    t.buttons[0].text = Some("x".repeat(26));
    assert!(errors(&t).contains_key("buttons[0].text"));
}

#[test]
fn fill_prefers_given_then_mapping_then_fallback() {
    let t = draft("Hi {{first_name}}, your {{product}} is ready in {{city}}.");
    let lead = LeadValues {
        name: Some("Maria Lopez".into()),
        ..LeadValues::default()
    };
    let mappings: BTreeMap<_, _> = [
        (
            "first_name".to_owned(),
            VariableMapping {
                source: VariableSource::Contact,
                key: "first_name".into(),
                fallback: None,
            },
        ),
        (
            "city".to_owned(),
            VariableMapping {
                source: VariableSource::Contact,
                key: "city".into(),
                fallback: Some("your city".into()),
            },
        ),
    ]
    .into();
    let given = [("product".to_owned(), "sofa".to_owned())].into();
    let (values, missing) = fill(&t, &mappings, &given, &lead, false);
    assert!(missing.is_empty(), "{missing:?}");
    assert_eq!(values["first_name"].source, ValueSource::Contact);
    assert_eq!(values["city"].source, ValueSource::Fallback);
    let r = render(&t, &values);
    assert_eq!(r.body, "Hi Maria, your sofa is ready in your city.");
    let (_, missing) = fill(&t, &mappings, &BTreeMap::new(), &lead, false);
    assert_eq!(missing, vec!["product".to_owned()]);
}

proptest! {
    #[test]
    fn the_lint_never_panics_and_names_known_paths(
        name in ".{0,20}", body in ".{0,80}", footer in proptest::option::of(".{0,80}"),
        positional in any::<bool>(),
    ) {
        let mut t = draft(&body);
        t.name = name;
        t.footer = footer.map(|text| TemplateFooter { text });
        t.parameter_format = if positional { ParameterFormat::Positional } else { ParameterFormat::Named };
        if let Err(e) = lint(&t) {
            for path in e.keys() {
                prop_assert!(
                    ["name", "language", "body.text", "footer.text", "buttons"].contains(&path.as_str())
                        || path.starts_with("body.examples."),
                    "unexpected path {path}"
                );
            }
        }
    }

    #[test]
    fn a_body_over_the_limit_is_refused(extra in 1usize..200) {
        let t = draft(&format!("Hi {}", "a".repeat(BODY_MAX + extra)));
        prop_assert!(errors(&t).contains_key("body.text"));
    }

    #[test]
    fn rendering_replaces_every_known_placeholder(words in proptest::collection::vec("[a-z]{1,8}", 1..6)) {
        let body = words.iter().map(|w| format!("say {{{{{w}}}}}")).collect::<Vec<_>>().join(" and ") + ".";
        let values: BTreeMap<String, FilledValue> = words.iter()
            .map(|w| (w.clone(), FilledValue { value: "X".into(), source: ValueSource::Given }))
            .collect();
        let out = render_with(&body, |k| values.get(k).map(|v| v.value.clone()));
        prop_assert!(!out.contains("{{"));
    }

    #[test]
    fn a_valid_named_template_passes(words in proptest::collection::btree_set("[a-z]{1,8}", 1..5)) {
        let body = words.iter().map(|w| format!("say {{{{{w}}}}}")).collect::<Vec<_>>().join(" and ") + ".";
        prop_assert_eq!(lint(&draft(&body)), Ok(()));
    }
}
