//! The Analytics reports as CSV: one row per point, stage, cell or source, with the same
//! figures the JSON carries (a spreadsheet's alternative to each chart).

use closer_store::analytics::ReportView;

fn opt(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The report's rows, header first.
fn rows(view: &ReportView) -> Vec<Vec<String>> {
    let s = |v: &dyn ToString| v.to_string();
    let mut out: Vec<Vec<String>> = vec![];
    match view {
        ReportView::Volume(r) => {
            out.push(
                [
                    "at",
                    "day",
                    "leads",
                    "conversations",
                    "messages_in",
                    "messages_out",
                    "bookings",
                ]
                .map(String::from)
                .to_vec(),
            );
            for p in &r.series {
                out.push(vec![
                    p.at.to_rfc3339(),
                    s(&p.day),
                    s(&p.leads),
                    s(&p.conversations),
                    s(&p.messages_in),
                    s(&p.messages_out),
                    s(&p.bookings),
                ]);
            }
        }
        ReportView::Funnel(r) => {
            out.push(
                [
                    "stage_id",
                    "name",
                    "kind",
                    "entered",
                    "converted_to_next",
                    "conversion_rate",
                    "median_seconds_in_stage",
                ]
                .map(String::from)
                .to_vec(),
            );
            for st in &r.stages {
                out.push(vec![
                    s(&st.stage_id),
                    st.name.clone(),
                    s(&st.kind),
                    s(&st.entered),
                    s(&st.converted_to_next),
                    s(&st.conversion_rate),
                    opt(st.median_seconds_in_stage),
                ]);
            }
            out.push(vec![
                String::new(),
                "won".into(),
                "won".into(),
                s(&r.won),
                String::new(),
                String::new(),
                String::new(),
            ]);
            out.push(vec![
                String::new(),
                "lost".into(),
                "lost".into(),
                s(&r.lost),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        ReportView::PeakHours(r) => {
            out.push(
                ["weekday", "hour", "messages_in"]
                    .map(String::from)
                    .to_vec(),
            );
            for c in &r.cells {
                out.push(vec![s(&c.weekday), s(&c.hour), s(&c.messages_in)]);
            }
        }
        ReportView::Sources(r) => {
            out.push(
                [
                    "lead_source",
                    "campaign_id",
                    "campaign_name",
                    "leads",
                    "qualified",
                    "won",
                    "cost",
                    "cost_per_lead",
                    "cost_per_won_lead",
                    "currency",
                ]
                .map(String::from)
                .to_vec(),
            );
            for i in &r.items {
                let (id, name) = i
                    .campaign
                    .as_ref()
                    .map(|c| (c.id.clone(), c.name.clone()))
                    .unwrap_or_default();
                out.push(vec![
                    s(&i.lead_source),
                    id,
                    name,
                    s(&i.leads),
                    s(&i.qualified),
                    s(&i.won),
                    s(&i.cost),
                    opt(i.cost_per_lead),
                    opt(i.cost_per_won_lead),
                    r.currency.clone(),
                ]);
            }
        }
        ReportView::Sentiment(r) => {
            out.push(
                ["at", "day", "positive", "neutral", "negative"]
                    .map(String::from)
                    .to_vec(),
            );
            for p in &r.series {
                out.push(vec![
                    p.at.to_rfc3339(),
                    s(&p.day),
                    s(&p.positive),
                    s(&p.neutral),
                    s(&p.negative),
                ]);
            }
        }
        ReportView::Agent(r) => {
            out.push(["figure", "key", "value"].map(String::from).to_vec());
            let mut add = |f: &str, k: &str, v: String| out.push(vec![f.into(), k.into(), v]);
            add("decisions", "", s(&r.decisions));
            add("by_engine", "rules", s(&r.by_engine.rules));
            add("by_engine", "llm", s(&r.by_engine.llm));
            add("by_engine", "fallback", s(&r.by_engine.fallback));
            for (k, v) in &r.by_reason_code {
                add("by_reason_code", k, s(v));
            }
            add("handoff_rate", "", s(&r.handoff_rate));
            add(
                "answered_from_knowledge_rate",
                "",
                s(&r.answered_from_knowledge_rate),
            );
            for (k, v) in &r.guardrail_repairs {
                add("guardrail_repairs", k, s(v));
            }
            add("model_cost", "USD", s(&r.model_cost));
            add("tokens", "in", s(&r.tokens.input));
            add("tokens", "out", s(&r.tokens.out));
        }
        ReportView::Costs(r) => {
            out.push(
                ["at", "day", "meta", "model", "total", "currency"]
                    .map(String::from)
                    .to_vec(),
            );
            for p in &r.series {
                out.push(vec![
                    p.at.to_rfc3339(),
                    s(&p.day),
                    s(&p.meta),
                    s(&p.model),
                    opt(p.total),
                    r.currency.clone(),
                ]);
            }
        }
    }
    out
}

pub fn render(view: &ReportView) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(vec![]);
    for row in rows(view) {
        w.write_record(&row)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).unwrap_or_default())
}
