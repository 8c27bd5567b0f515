//! The knowledge base's website scan against a stand-in business website on 127.0.0.1
//! (robots.txt, a home page linking to the pages a lead asks about and to some it does not,
//! a huge page, a PDF), and the faq.txt upload as a multipart file.

use crate::harness::{
    Backend, Closer, Session, TestApp, drop_database, eventually, fresh_database,
};
use crate::on_both_databases;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

on_both_databases!(
    a_scan_reads_the_pages_a_lead_asks_about_and_says_what_it_skipped,
    a_rescan_replaces_the_sites_pages_and_keeps_the_faq,
    scans_are_validated_one_at_a_time_and_private_to_the_organisation,
    a_site_that_cannot_be_read_fails_the_scan_and_changes_nothing,
    a_faq_txt_uploads_as_a_file_and_bad_uploads_change_nothing,
    a_scan_cut_short_by_a_crash_finishes_after_the_restart,
);

/// The stand-in business website. `price` is what the pricing page says (so a re-scan can
/// see a change); `slow` holds every page but the home for that long; every request is
/// counted by path, with the user agent it came with.
#[derive(Clone, Default)]
struct Site {
    price: Arc<Mutex<String>>,
    slow: Arc<Mutex<Duration>>,
    robots: Arc<Mutex<String>>,
    hits: Arc<Mutex<BTreeMap<String, usize>>>,
    agents: Arc<Mutex<Vec<String>>>,
}

struct StandIn {
    url: String,
    site: Site,
}

impl StandIn {
    async fn start() -> StandIn {
        let site = Site::default();
        *site.price.lock().unwrap() = "₹2999".into();
        *site.robots.lock().unwrap() =
            "User-agent: *\nAllow: /\n\nUser-agent: CloserBot\nDisallow: /contact\n".into();
        let app = Router::new()
            .route("/", get(home))
            .route("/robots.txt", get(robots))
            .route("/{*page}", get(page))
            .with_state(site.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        StandIn { url, site }
    }

    fn hits(&self, path: &str) -> usize {
        self.site
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

fn count(site: &Site, path: &str, headers: &HeaderMap) {
    *site.hits.lock().unwrap().entry(path.into()).or_default() += 1;
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    site.agents.lock().unwrap().push(agent.into());
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// A page the way sites build them: chrome around a main content area.
fn layout(title: &str, main: &str) -> String {
    format!(
        r#"<!doctype html><html><head><title>{title}</title>
        <style>body {{ font-family: sans-serif }}</style>
        <script>window.tracking = "SECRET-TRACKING-CODE";</script></head>
        <body><header><a href="/">Acme Academy</a>
          <nav><a href="/pricing">Pricing</a> <a href="/about">About us</a> <a href="/faq">FAQ</a>
               <a href="/contact">Contact</a></nav></header>
        <main>{main}</main>
        <footer>Copyright Acme Academy · <a href="/terms">Terms &amp; conditions</a>
          · <a href="/refund-policy.pdf">Refund policy</a></footer>
        <script>document.write("SCRIPT-WRITTEN-TEXT")</script></body></html>"#
    )
}

async fn home(State(site): State<Site>, headers: HeaderMap) -> Response {
    count(&site, "/", &headers);
    html(layout(
        "Acme Academy — live trading courses",
        r#"<h1>Learn to trade, live</h1>
        <p>Acme Academy runs live trading courses in Mumbai and online, for beginners and
        working professionals.</p>
        <p>Read <a href="/blog/unrelated">our blog post about market holidays</a> or follow us on
        <a href="https://social.example/acme">Social</a>.</p>"#,
    ))
}

async fn robots(State(site): State<Site>, headers: HeaderMap) -> Response {
    count(&site, "/robots.txt", &headers);
    let body = site.robots.lock().unwrap().clone();
    ([(header::CONTENT_TYPE, "text/plain")], body).into_response()
}

/// About 1 200 tokens of story, in paragraphs, so the page makes several chunks.
fn long_story() -> String {
    (1..=12)
        .map(|i| {
            format!(
                "<h2>Chapter {i}</h2><p>In year {i} the academy grew: more students joined the \
                 weekend batch, the mentors recorded every session, and the community met in \
                 Andheri every month. Students asked about risk, about capital, about time. \
                 Mentors answered every question on the same day. The syllabus gained a module \
                 on options and one on position sizing. Alumni came back to teach.</p>"
            )
        })
        .collect()
}

async fn page(State(site): State<Site>, Path(page): Path<String>, headers: HeaderMap) -> Response {
    let path = format!("/{page}");
    count(&site, &path, &headers);
    let slow = *site.slow.lock().unwrap();
    if !slow.is_zero() {
        tokio::time::sleep(slow).await;
    }
    match path.as_str() {
        "/pricing" => {
            let price = site.price.lock().unwrap().clone();
            html(layout(
                "Pricing — Acme Academy",
                &format!(
                    "<h1>Plans</h1><p>The complete course costs {price}, with EMI over three \
                     months.</p><noscript>NOSCRIPT-TEXT</noscript>"
                ),
            ))
        }
        "/about" => html(layout("About us — Acme Academy", &long_story())),
        "/faq" => html(layout(
            "FAQ — Acme Academy",
            "<h1>Questions</h1><p>Do you offer a refund? Yes, within 7 days of joining.</p>",
        )),
        "/contact" => html(layout(
            "Contact",
            "<p>Call us on +91 98765 43210 any day.</p>",
        )),
        // Larger than the scan reads: 3 MiB.
        "/terms" => html(layout(
            "Terms",
            &format!("<p>{}</p>", "These terms apply. ".repeat(165_000)),
        )),
        "/refund-policy.pdf" => (
            [(header::CONTENT_TYPE, "application/pdf")],
            b"%PDF-1.4 not really".to_vec(),
        )
            .into_response(),
        _ => (AxumStatus::NOT_FOUND, "no such page").into_response(),
    }
}

async fn scan(app: &TestApp, s: &Session, url: &str) -> Value {
    let r = app
        .post(
            "/api/v1/knowledge/scan",
            Some(&s.token),
            json!({ "url": url }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    assert_eq!(r.body["status"], "queued");
    r.body
}

/// Polls the scan until it has finished, and returns it.
async fn finished(app: &TestApp, s: &Session, id: &str) -> Value {
    eventually(60, "the scan to finish", || async {
        let r = app
            .get(&format!("/api/v1/knowledge/scans/{id}"), &s.token)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        matches!(r.body["status"].as_str(), Some("done" | "failed")).then_some(r.body)
    })
    .await
}

async fn knowledge(app: &TestApp, s: &Session) -> Vec<Value> {
    let r = app.get("/api/v1/knowledge?limit=200", &s.token).await;
    assert_eq!(r.status, StatusCode::OK);
    r.body["items"].as_array().unwrap().clone()
}

fn skipped(scan: &Value) -> BTreeMap<String, String> {
    scan["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let url = s["url"].as_str().unwrap();
            let path = url[url.find("//").unwrap() + 2..]
                .split_once('/')
                .map_or("/".to_owned(), |(_, p)| format!("/{p}"));
            let path = if url.contains("127.0.0.1") {
                path
            } else {
                url.to_owned()
            };
            (path, s["reason"].as_str().unwrap().to_owned())
        })
        .collect()
}

async fn a_scan_reads_the_pages_a_lead_asks_about_and_says_what_it_skipped(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Acme Academy").await;
    let site = StandIn::start().await;
    let queued = scan(&app, &owner, &site.url).await;
    assert_eq!(queued["url"], site.url);
    assert_eq!(queued["created_by"]["id"], owner.user_id);
    let done = finished(&app, &owner, queued["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "done", "{done:?}");
    assert_eq!(done["error"], Value::Null);
    assert!(done["started_at"].is_string() && done["finished_at"].is_string());

    // Besides the home: pricing, about, FAQ, contact, terms and the refund PDF were picked.
    // Contact is forbidden to CloserBot by robots.txt and was never fetched; terms is too
    // large, the PDF no web page; the blog post and the social link were not wanted.
    assert_eq!(done["pages_found"], 7, "{done:?}");
    assert_eq!(done["pages_done"], 7, "{done:?}");
    let skipped = skipped(&done);
    assert_eq!(
        skipped.get("/contact").map(String::as_str),
        Some("robots_disallowed")
    );
    assert_eq!(
        skipped.get("/blog/unrelated").map(String::as_str),
        Some("not_relevant")
    );
    assert_eq!(skipped.get("/terms").map(String::as_str), Some("too_large"));
    assert_eq!(
        skipped.get("/refund-policy.pdf").map(String::as_str),
        Some("not_html")
    );
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    assert_eq!(site.hits("/robots.txt"), 1);
    assert_eq!(site.hits("/contact"), 0);
    assert_eq!(site.hits("/blog/unrelated"), 0);
    assert!(
        site.site
            .agents
            .lock()
            .unwrap()
            .iter()
            .all(|a| a.starts_with("CloserBot/")),
        "{:?}",
        site.site.agents.lock().unwrap()
    );

    // The readable text of the home, pricing, about and FAQ pages, chunked, each with its
    // page's address, title and the time it was read.
    let entries = knowledge(&app, &owner).await;
    assert_eq!(
        done["chunks_stored"].as_u64().unwrap() as usize,
        entries.len()
    );
    let mut by_page: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for e in &entries {
        assert_eq!(e["kind"], "web");
        assert!(e["last_verified_at"].is_string());
        assert_eq!(e["stale"], false);
        let content = e["content"].as_str().unwrap();
        for leaked in [
            "SECRET-TRACKING",
            "SCRIPT-WRITTEN",
            "NOSCRIPT",
            "font-family",
            "Copyright",
            "About us",
        ] {
            assert!(!content.contains(leaked), "{leaked} in {content:?}");
        }
        let url = e["source_url"].as_str().unwrap();
        by_page
            .entry(url.trim_start_matches(&site.url).to_owned())
            .or_default()
            .push(e);
    }
    assert_eq!(
        by_page.keys().cloned().collect::<Vec<_>>(),
        vec!["", "about", "faq", "pricing"]
    );
    let pricing = by_page["pricing"][0];
    assert_eq!(pricing["title"], "Pricing — Acme Academy");
    assert_eq!(
        pricing["content"],
        "Plans\nThe complete course costs ₹2999, with EMI over three months."
    );
    assert_eq!(
        by_page[""][0]["title"],
        "Acme Academy — live trading courses"
    );
    // The long story: several chunks of a few hundred tokens, each starting at a chapter.
    let about = &by_page["about"];
    assert!(about.len() >= 3, "{} chunks", about.len());
    for chunk in about {
        let text = chunk["content"].as_str().unwrap();
        assert!(text.starts_with("Chapter "), "{text}");
        assert!(text.len() < 2_500, "{} chars", text.len());
    }

    // The audit log has the scan.
    let audit = app.get("/api/v1/audit-logs", &owner.token).await;
    assert!(
        audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "knowledge.scan"),
        "{:?}",
        audit.body
    );
    app.finish().await;
}

async fn a_rescan_replaces_the_sites_pages_and_keeps_the_faq(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Acme Academy").await;
    let site = StandIn::start().await;
    let faq = app
        .post(
            "/api/v1/knowledge",
            Some(&owner.token),
            json!({"kind": "faq", "content": "Q: Do you have a weekend batch?\nA: Yes, Saturdays."}),
        )
        .await;
    assert_eq!(faq.status, StatusCode::CREATED);
    let first = scan(&app, &owner, &site.url).await;
    let first = finished(&app, &owner, first["id"].as_str().unwrap()).await;
    assert_eq!(first["status"], "done");
    let before = knowledge(&app, &owner).await;
    let web_before: Vec<&Value> = before.iter().filter(|e| e["kind"] == "web").collect();
    assert!(
        web_before
            .iter()
            .any(|e| e["content"].as_str().unwrap().contains("₹2999"))
    );

    // The price changes; the owner scans again, first as a bare address.
    *site.site.price.lock().unwrap() = "₹3499".into();
    let again = scan(&app, &owner, site.url.trim_start_matches("http://")).await;
    // A bare domain is read as https, which the stand-in does not speak: the scan fails and
    // the knowledge base stays as it was.
    let again = finished(&app, &owner, again["id"].as_str().unwrap()).await;
    assert_eq!(again["status"], "failed", "{again:?}");
    assert!(again["url"].as_str().unwrap().starts_with("https://"));
    assert_eq!(knowledge(&app, &owner).await.len(), before.len());

    let second = scan(&app, &owner, &site.url).await;
    let second = finished(&app, &owner, second["id"].as_str().unwrap()).await;
    assert_eq!(second["status"], "done");
    let after = knowledge(&app, &owner).await;
    let web_after: Vec<&Value> = after.iter().filter(|e| e["kind"] == "web").collect();
    assert_eq!(web_after.len(), web_before.len());
    assert_eq!(
        second["chunks_stored"].as_u64().unwrap() as usize,
        web_after.len()
    );
    let old_ids: Vec<&Value> = web_before.iter().map(|e| &e["id"]).collect();
    assert!(web_after.iter().all(|e| !old_ids.contains(&&e["id"])));
    let contents: String = web_after
        .iter()
        .map(|e| e["content"].as_str().unwrap())
        .collect();
    assert!(contents.contains("₹3499") && !contents.contains("₹2999"));
    // The FAQ entry is untouched.
    let faqs: Vec<&Value> = after.iter().filter(|e| e["kind"] == "faq").collect();
    assert_eq!(faqs.len(), 1);
    assert_eq!(faqs[0]["id"], faq.body["items"][0]["id"]);

    // Scans are listed newest first.
    let list = app.get("/api/v1/knowledge/scans", &owner.token).await;
    let statuses: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["done", "failed", "done"]);
    assert_eq!(list.body["items"][0]["id"], second["id"]);
    app.finish().await;
}

async fn scans_are_validated_one_at_a_time_and_private_to_the_organisation(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Acme Academy").await;
    let other = app.signup_org("Other Co").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let site = StandIn::start().await;

    for (body, field) in [
        (json!({"url": ""}), "url"),
        (json!({"url": "ftp://acme.example/"}), "url"),
        (json!({"url": "not a website"}), "url"),
        (json!({"url": "https://user:secret@acme.example/"}), "url"),
        (json!({}), "url"),
        (json!({"url": site.url, "depth": 3}), "depth"),
    ] {
        let r = app
            .post("/api/v1/knowledge/scan", Some(&owner.token), body.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {:?}",
            r.body
        );
        assert_eq!(r.code(), "validation_failed");
        assert!(
            r.body["error"]["details"]["fields"].get(field).is_some(),
            "{body}: {:?}",
            r.body
        );
    }
    let r = app
        .post(
            "/api/v1/knowledge/scan",
            Some(&viewer.token),
            json!({"url": site.url}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/knowledge/scans", &owner.token).await.body["items"],
        json!([])
    );

    // A slow site: the scan runs long enough to be watched, and to refuse a second one.
    *site.site.slow.lock().unwrap() = Duration::from_millis(700);
    let first = scan(&app, &owner, &site.url).await;
    let id = first["id"].as_str().unwrap().to_owned();
    let busy = app
        .post(
            "/api/v1/knowledge/scan",
            Some(&owner.token),
            json!({"url": site.url}),
        )
        .await;
    assert_eq!(busy.status, StatusCode::CONFLICT, "{:?}", busy.body);
    assert_eq!(busy.code(), "scan_in_progress");
    // Another organisation may scan meanwhile, and sees nothing of this one.
    let theirs = scan(&app, &other, &site.url).await;
    assert_eq!(
        app.get(&format!("/api/v1/knowledge/scans/{id}"), &other.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let their_list = app.get("/api/v1/knowledge/scans", &other.token).await;
    assert_eq!(their_list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(their_list.body["items"][0]["id"], theirs["id"]);
    assert_eq!(
        app.get("/api/v1/knowledge/scans/not-a-uuid", &owner.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Progress shows while it runs: pages found, some read, not all.
    let running = eventually(30, "progress part way", || async {
        let r = app
            .get(&format!("/api/v1/knowledge/scans/{id}"), &viewer.token)
            .await;
        let (found, done) = (
            r.body["pages_found"].as_i64().unwrap(),
            r.body["pages_done"].as_i64().unwrap(),
        );
        (r.body["status"] == "running" && found > 1 && done >= 1 && done < found).then_some(r.body)
    })
    .await;
    assert!(running["started_at"].is_string());
    assert_eq!(running["finished_at"], Value::Null);

    let done = finished(&app, &owner, &id).await;
    assert_eq!(done["status"], "done");
    assert_eq!(
        finished(&app, &other, theirs["id"].as_str().unwrap()).await["status"],
        "done"
    );
    // Each organisation has its own copy of the site.
    let mine = knowledge(&app, &owner).await;
    let theirs = knowledge(&app, &other).await;
    assert_eq!(mine.len(), theirs.len());
    assert!(
        mine.iter()
            .all(|m| theirs.iter().all(|t| t["id"] != m["id"]))
    );
    // Once it is done, a new scan may start.
    scan(&app, &owner, &site.url).await;
    app.finish().await;
}

async fn a_site_that_cannot_be_read_fails_the_scan_and_changes_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Acme Academy").await;
    let site = StandIn::start().await;
    let first = scan(&app, &owner, &site.url).await;
    assert_eq!(
        finished(&app, &owner, first["id"].as_str().unwrap()).await["status"],
        "done"
    );
    let before = knowledge(&app, &owner).await;

    // Nothing listens there.
    let gone = scan(&app, &owner, "http://127.0.0.1:9/").await;
    let gone = finished(&app, &owner, gone["id"].as_str().unwrap()).await;
    assert_eq!(gone["status"], "failed");
    assert!(
        gone["error"]
            .as_str()
            .unwrap()
            .contains("Could not connect"),
        "{gone:?}"
    );
    assert_eq!(gone["pages_done"], 0);

    // robots.txt shuts CloserBot out.
    *site.site.robots.lock().unwrap() = "User-agent: CloserBot\nDisallow: /\n".into();
    let shut = scan(&app, &owner, &site.url).await;
    let shut = finished(&app, &owner, shut["id"].as_str().unwrap()).await;
    assert_eq!(shut["status"], "failed");
    assert!(
        shut["error"].as_str().unwrap().contains("robots.txt"),
        "{shut:?}"
    );
    assert_eq!(
        skipped(&shut).get("/").map(String::as_str),
        Some("robots_disallowed")
    );

    let after = knowledge(&app, &owner).await;
    assert_eq!(
        after.iter().map(|e| &e["id"]).collect::<Vec<_>>(),
        before.iter().map(|e| &e["id"]).collect::<Vec<_>>()
    );
    app.finish().await;
}

/// A multipart/form-data body: `(name, file name, bytes)` parts.
fn form(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "closer-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, filename, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: text/plain\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(format!("{}/api/v1/knowledge", app.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn a_faq_txt_uploads_as_a_file_and_bad_uploads_change_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Acme Academy").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let faq = "\u{feff}Q: What are the fees?\r\nA: The course costs ₹2999.\r\n\r\nQ: Where are you?\r\nA: Andheri, Mumbai.\r\n";

    let (ct, body) = form(&[
        ("kind", None, b"faq"),
        ("file", Some("faq.txt"), faq.as_bytes()),
    ]);
    let (status, created) = upload(&app, &owner.token, &ct, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created:?}");
    assert_eq!(created["created"], 2);
    assert_eq!(created["items"][0]["kind"], "faq");
    assert_eq!(created["items"][0]["title"], "What are the fees?");
    assert_eq!(created["items"][0]["content"], "The course costs ₹2999.");
    // `kind` may be left out.
    let (ct, body) = form(&[("file", Some("faq.txt"), b"Q: Open on Sunday?\nA: No.\n")]);
    assert_eq!(
        upload(&app, &owner.token, &ct, body).await.0,
        StatusCode::CREATED
    );
    let count = knowledge(&app, &owner).await.len();
    assert_eq!(count, 3);

    let big = format!("Q: Big?\nA: {}\n", "yes ".repeat(140_000));
    let huge = vec![b'a'; 1_200_000];
    let cases = vec![
        (
            "no pairs",
            form(&[("file", Some("faq.txt"), b"just some words")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_faq_entries",
            None,
        ),
        (
            "no file",
            form(&[("kind", None, b"faq")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("file"),
        ),
        (
            "not UTF-8",
            form(&[("file", Some("faq.txt"), b"Q: caf\xe9?\nA: oui\n")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("file"),
        ),
        (
            "a web kind",
            form(&[
                ("kind", None, b"web"),
                ("file", Some("faq.txt"), b"Q: a?\nA: b\n"),
            ]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("kind"),
        ),
        (
            "an unknown part",
            form(&[
                ("file", Some("faq.txt"), b"Q: a?\nA: b\n"),
                ("extra", None, b"x"),
            ]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("extra"),
        ),
        (
            "over 512 KiB",
            form(&[("file", Some("faq.txt"), big.as_bytes())]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("file"),
        ),
        (
            "over the body limit",
            form(&[("file", Some("faq.txt"), &huge)]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            None,
        ),
        (
            "a broken form",
            (
                "multipart/form-data; boundary=nope".into(),
                b"--other\r\ngarbage".to_vec(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
            None,
        ),
        (
            "plain text",
            ("text/plain".into(), faq.as_bytes().to_vec()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            None,
        ),
    ];
    for (what, (ct, body), status, code, field) in cases {
        let (got, answer) = upload(&app, &owner.token, &ct, body).await;
        assert_eq!(got, status, "{what}: {answer:?}");
        assert_eq!(answer["error"]["code"], code, "{what}: {answer:?}");
        if let Some(field) = field {
            assert!(
                answer["error"]["details"]["fields"].get(field).is_some(),
                "{what}: {answer:?}"
            );
        }
    }
    let (ct, body) = form(&[("file", Some("faq.txt"), faq.as_bytes())]);
    assert_eq!(
        upload(&app, &viewer.token, &ct, body).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(knowledge(&app, &owner).await.len(), count);
    app.finish().await;
}

/// The real binary, opted in to scanning 127.0.0.1 through its environment.
const ALLOW_PRIVATE: &[(&str, &str)] = &[("CLOSER_SCAN_ALLOW_PRIVATE", "true")];

async fn a_scan_cut_short_by_a_crash_finishes_after_the_restart(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(b, dir.path()).await;
    let http = reqwest::Client::new();
    let site = StandIn::start().await;
    *site.site.slow.lock().unwrap() = Duration::from_millis(1_500);

    let first = Closer::start(&url, dir.path(), ALLOW_PRIVATE).await;
    let owner = first.signup_owner(&http).await;
    let get = |base: String, id: String| {
        let (http, token) = (http.clone(), owner.token.clone());
        async move {
            let r = http
                .get(format!("{base}/api/v1/knowledge/scans/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .ok()?;
            r.json::<Value>().await.ok()
        }
    };
    let r = http
        .post(format!("{}/api/v1/knowledge/scan", first.base))
        .bearer_auth(&owner.token)
        .json(&json!({ "url": site.url }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Killed part way through the crawl.
    eventually(30, "the scan to be part way", || async {
        let scan = get(first.base.clone(), id.clone()).await?;
        (scan["status"] == "running" && scan["pages_done"].as_i64()? >= 1).then_some(())
    })
    .await;
    first.kill_9();
    *site.site.slow.lock().unwrap() = Duration::ZERO;

    // The new process takes the job up once the dead one's lease has run out, and the scan
    // starts over and finishes.
    let second = Closer::start(&url, dir.path(), ALLOW_PRIVATE).await;
    let done = eventually(60, "the scan to finish after the restart", || async {
        let scan = get(second.base.clone(), id.clone()).await?;
        (scan["status"] == "done").then_some(scan)
    })
    .await;
    assert_eq!(done["pages_done"], done["pages_found"]);
    let r = http
        .get(format!("{}/api/v1/knowledge?limit=200", second.base))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    let items = r.json::<Value>().await.unwrap()["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(done["chunks_stored"].as_u64().unwrap() as usize, items);
    drop(second);
    if let Some(db) = pg {
        drop_database(&db).await;
    }
}
