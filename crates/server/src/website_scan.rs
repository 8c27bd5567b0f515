//! The website scan: reads a business's own site the way a polite crawler would, and turns
//! the pages a lead asks about (pricing, plans, about, FAQ, contact, terms, refunds) into
//! knowledge base chunks.
//!
//! It honours robots.txt (as "CloserBot"), fetches the start page, picks the same-site links
//! that look like those pages, and reads each with a size cap, a per-page timeout and a time
//! limit for the whole scan. Every page it passes over is recorded with the reason, so the
//! owner sees what was left out and why. It runs as a job (see `run`): a restart retries it
//! instead of losing it.

mod chunks;
mod readable;

use crate::website_scan::chunks::{ChunkSize, chunk};
use crate::website_scan::readable::{PageText, read};
use closer_store::agent_config::NewKnowledge;
use closer_store::knowledge_scans::{ScanProgress, SkippedPage};
use closer_store::{Store, StoreError};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use reqwest::{StatusCode, Url};
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;
use texting_robots::Robot;
use tokio::time::Instant;
use uuid::Uuid;

/// The name robots.txt rules address us by.
pub const ROBOT_NAME: &str = "CloserBot";

#[derive(Debug, Clone)]
pub struct ScanLimits {
    /// Pages read, the start page included.
    pub max_pages: usize,
    /// A page larger than this is not read past the limit (and skipped).
    pub max_page_bytes: usize,
    pub page_timeout: Duration,
    /// The whole scan, robots.txt included.
    pub total_time: Duration,
    /// Chunks one scan stores, and one page contributes.
    pub max_chunks: usize,
    pub max_chunks_per_page: usize,
    /// The longest Crawl-delay we honour; a site asking for more is read at this pace.
    pub max_delay: Duration,
}

impl Default for ScanLimits {
    fn default() -> Self {
        ScanLimits {
            max_pages: 8,
            max_page_bytes: 2 * 1024 * 1024,
            page_timeout: Duration::from_secs(10),
            total_time: Duration::from_secs(60),
            max_chunks: 200,
            max_chunks_per_page: 40,
            max_delay: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ScanPolicy {
    pub limits: ScanLimits,
    /// Which addresses the scan may reach: public ones, plus what the operator allowed.
    pub egress: closer_egress::EgressPolicy,
}

/// Most robots.txt we read (Google's limit): rules past it are ignored.
const ROBOTS_MAX_BYTES: usize = 500 * 1024;
const MAX_REDIRECTS: usize = 5;
/// Pages listed as skipped at most; a blog's hundred links need not all be named.
const MAX_SKIPPED_LISTED: usize = 100;
/// A page with fewer words has nothing to say (or needs JavaScript to say it).
const MIN_WORDS: usize = 5;

/// Reads the URL an owner typed: trims it, gives a bare domain `https://`, and accepts only
/// http(s) URLs with a host and no credentials. The fragment is dropped.
pub fn normalise_url(raw: &str) -> Result<Url, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("is required");
    }
    if raw.len() > 2_000 {
        return Err("must be at most 2000 characters");
    }
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|_| "must be a website address")?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https address");
    }
    match url.host_str() {
        None | Some("") => return Err("must be a website address"),
        Some(h) if !h.contains('.') && !h.contains(':') && h != "localhost" => {
            return Err("must be a website address");
        }
        _ => {}
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password");
    }
    url.set_fragment(None);
    Ok(url)
}

/// The site a URL belongs to: its host without a leading `www.` (so example.com and
/// www.example.com are one site), and its port when not the scheme's default.
pub fn site_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

/// Whether `url` (a stored source URL) is a page of `site`.
pub fn same_site(site: &str, url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| site_of(&u) == site)
}

/// The kinds of page a lead asks about, in the order they are picked; the words that name
/// them in a link's text or address.
const WANTED: &[&[&str]] = &[
    &[
        "pricing", "price", "prices", "plans", "plan", "fees", "fee", "packages", "tariff",
    ],
    &["about", "company", "story", "who"],
    &["faq", "faqs", "frequently", "questions", "help", "support"],
    &["contact", "contacts", "reach", "location", "locations"],
    &["terms", "tos", "conditions", "legal", "policies"],
    &[
        "refund",
        "refunds",
        "returns",
        "return",
        "cancellation",
        "cancel",
        "shipping",
    ],
];

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Which wanted kind a link is, if any: a short link text with one of the words ("About
/// us", "Plans & pricing"), or an address whose last part starts with one (`/about-us`,
/// `/refund-policy`), but not a blog post that mentions a plan in its slug.
fn wanted_kind(url: &Url, text: &str) -> Option<usize> {
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    if segments.len() > 3 {
        return None;
    }
    let text_words = words(text);
    let slug = segments.last().map(|s| {
        let s = s.rsplit_once('.').map_or(*s, |(stem, _)| stem);
        words(s)
    });
    WANTED.iter().position(|names| {
        let in_text =
            text_words.len() <= 4 && text_words.iter().any(|w| names.contains(&w.as_str()));
        let in_slug = slug
            .as_ref()
            .is_some_and(|s| s.first().is_some_and(|w| names.contains(&w.as_str())));
        in_text || in_slug
    })
}

/// Why a page was passed over; the code goes in the scan's `skipped` list, the detail in a
/// failed scan's error.
#[derive(Debug, Clone)]
struct Skip {
    reason: String,
    detail: String,
}

impl Skip {
    fn new(reason: &str, detail: impl Into<String>) -> Self {
        Skip {
            reason: reason.into(),
            detail: detail.into(),
        }
    }
}

/// What robots.txt of one origin says.
enum Rules {
    AllowAll,
    Robot(Box<Robot>),
    /// The file could not be read for a reason that means "stay away for now" (5xx, 429).
    DenyAll(String),
}

/// One HTTP exchange, redirects not followed.
enum Answer {
    Redirect(Url),
    Body { status: StatusCode, body: Vec<u8> },
}

/// A page read.
struct ScannedPage {
    url: Url,
    text: PageText,
}

/// A scan in progress: the start page read and its links picked, then one page per
/// [`Crawl::next_page`], so the caller can record progress in between.
pub struct Crawl {
    client: reqwest::Client,
    policy: ScanPolicy,
    start: Url,
    site: String,
    deadline: Instant,
    robots: HashMap<String, Rules>,
    delay: Duration,
    last_fetch: Option<Instant>,
    queue: VecDeque<Url>,
    pages: Vec<ScannedPage>,
    skipped: Vec<SkippedPage>,
    pages_found: usize,
    pages_done: usize,
}

impl Crawl {
    pub fn new(start: Url, policy: ScanPolicy) -> Result<Crawl, String> {
        let client = policy
            .egress
            .client_builder()
            .user_agent(format!(
                "{ROBOT_NAME}/{} (+knowledge base scan)",
                env!("CARGO_PKG_VERSION")
            ))
            // Redirects are followed by hand, each one a page the crawl checks and counts.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(policy.limits.page_timeout)
            .build()
            .map_err(|e| format!("could not prepare the scan: {e}"))?;
        Ok(Crawl {
            client,
            site: site_of(&start),
            deadline: Instant::now() + policy.limits.total_time,
            policy,
            start,
            robots: HashMap::new(),
            delay: Duration::ZERO,
            last_fetch: None,
            queue: VecDeque::new(),
            pages: vec![],
            skipped: vec![],
            pages_found: 0,
            pages_done: 0,
        })
    }

    pub fn site(&self) -> &str {
        &self.site
    }

    pub fn progress(&self) -> ScanProgress {
        ScanProgress {
            pages_found: self.pages_found as i32,
            pages_done: self.pages_done as i32,
            skipped: self.skipped.clone(),
        }
    }

    fn skip(&mut self, url: &Url, reason: &str) {
        if self.skipped.len() < MAX_SKIPPED_LISTED {
            self.skipped.push(SkippedPage {
                url: url.to_string(),
                reason: reason.into(),
            });
        }
    }

    /// Reads the start page and picks the pages to read after it. An error means the scan
    /// cannot go on (the site is unreachable, or robots.txt shuts us out).
    pub async fn start(&mut self) -> Result<(), String> {
        self.pages_found = 1;
        let start = self.start.clone();
        let (url, html) = match self.fetch_page(&start).await {
            Ok(page) => page,
            Err(skip) => {
                self.skip(&start, &skip.reason);
                return Err(skip.detail);
            }
        };
        self.pages_done = 1;
        let found = self.keep(url.clone(), html).await;
        self.pick(&url, found);
        Ok(())
    }

    /// Chooses among the start page's links: same-site pages of a wanted kind, one of each
    /// kind first, up to the page limit.
    fn pick(&mut self, home: &Url, found: Vec<(Url, String)>) {
        let mut seen: HashSet<String> = HashSet::from([home.to_string(), self.start.to_string()]);
        let mut by_kind: Vec<Vec<Url>> = vec![vec![]; WANTED.len()];
        for (url, text) in found {
            if site_of(&url) != self.site || !seen.insert(url.to_string()) {
                continue;
            }
            match wanted_kind(&url, &text) {
                Some(kind) => by_kind[kind].push(url),
                None => self.skip(&url, "not_relevant"),
            }
        }
        let mut ordered: Vec<Url> = by_kind.iter().filter_map(|k| k.first().cloned()).collect();
        ordered.extend(by_kind.iter().flat_map(|k| k.iter().skip(1).cloned()));
        let room = self.policy.limits.max_pages.saturating_sub(1);
        for (i, url) in ordered.into_iter().enumerate() {
            if i < room {
                self.queue.push_back(url);
            } else {
                self.skip(&url, "page_limit");
            }
        }
        self.pages_found += self.queue.len();
    }

    /// Reads the next picked page; false when there is none left.
    pub async fn next_page(&mut self) -> bool {
        let Some(url) = self.queue.pop_front() else {
            return false;
        };
        if Instant::now() >= self.deadline {
            self.skip(&url, "time_limit");
            while let Some(rest) = self.queue.pop_front() {
                self.skip(&rest, "time_limit");
            }
            return false;
        }
        match self.fetch_page(&url).await {
            Ok((final_url, html)) => {
                self.keep(final_url, html).await;
            }
            Err(skip) => self.skip(&url, &skip.reason),
        }
        self.pages_done += 1;
        true
    }

    /// Reads a fetched page (on a blocking thread: parsing is CPU work) and keeps its text;
    /// gives its links.
    async fn keep(&mut self, url: Url, html: String) -> Vec<(Url, String)> {
        let base = url.clone();
        let read = tokio::task::spawn_blocking(move || read(&html, &base))
            .await
            .ok()
            .flatten();
        let Some((text, links)) = read else {
            self.skip(&url, "too_complex");
            return vec![];
        };
        if text.words() < MIN_WORDS {
            self.skip(&url, "no_text");
        } else {
            self.pages.push(ScannedPage { url, text });
        }
        links
    }

    /// The knowledge entries the pages make, and the progress to record with them.
    pub fn finish(mut self) -> (Vec<NewKnowledge>, ScanProgress) {
        let mut entries = vec![];
        let mut seen_chunks: HashSet<String> = HashSet::new();
        let pages = std::mem::take(&mut self.pages);
        for page in pages {
            let room = self
                .policy
                .limits
                .max_chunks
                .saturating_sub(entries.len())
                .min(self.policy.limits.max_chunks_per_page);
            if room == 0 {
                self.skip(&page.url, "chunk_limit");
                continue;
            }
            let (chunks, more) = chunk(&page.text.blocks, ChunkSize::default(), room);
            if more {
                self.skip(&page.url, "chunk_limit");
            }
            let title = if page.text.title.is_empty() {
                page.url.path().to_owned()
            } else {
                page.text.title.chars().take(500).collect()
            };
            for content in chunks {
                // Text every page repeats (a banner, a cookie notice) is stored once.
                if seen_chunks.insert(content.clone()) {
                    entries.push(NewKnowledge {
                        kind: closer_domain::work::KnowledgeKind::Web,
                        title: closer_domain::text::storable(&title).into_owned(),
                        content: closer_domain::text::storable(&content)
                            .chars()
                            .take(4_000)
                            .collect(),
                        source_url: Some(page.url.to_string()),
                    });
                }
            }
        }
        let progress = self.progress();
        (entries, progress)
    }

    /// Fetches a page of the site: robots.txt allowing, following same-site redirects, HTML
    /// only, within the size and time limits. Gives the final URL and the document.
    async fn fetch_page(&mut self, url: &Url) -> Result<(Url, String), Skip> {
        let mut url = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            if site_of(&url) != self.site {
                return Err(Skip::new(
                    "other_site",
                    format!("Redirected to another site: {url}."),
                ));
            }
            if let Some(why) = self.robots_refusal(&url).await {
                return Err(Skip::new("robots_disallowed", why));
            }
            self.pace().await;
            match self
                .request(&url, self.policy.limits.max_page_bytes, true)
                .await?
            {
                Answer::Redirect(next) => url = next,
                Answer::Body { status, body } => {
                    if !status.is_success() {
                        return Err(Skip::new(
                            &format!("http_{}", status.as_u16()),
                            format!("The server answered HTTP {} for {url}.", status.as_u16()),
                        ));
                    }
                    return Ok((url, String::from_utf8_lossy(&body).into_owned()));
                }
            }
        }
        Err(Skip::new(
            "too_many_redirects",
            format!("Too many redirects from {url}."),
        ))
    }

    /// Waits out the site's Crawl-delay since the previous request.
    async fn pace(&mut self) {
        if let Some(last) = self.last_fetch {
            let wait = (last + self.delay).saturating_duration_since(Instant::now());
            if !wait.is_zero() {
                tokio::time::sleep(
                    wait.min(self.deadline.saturating_duration_since(Instant::now())),
                )
                .await;
            }
        }
        self.last_fetch = Some(Instant::now());
    }

    /// Why robots.txt of the URL's origin keeps us from reading it, if it does (the file is
    /// fetched once per origin).
    async fn robots_refusal(&mut self, url: &Url) -> Option<String> {
        let origin = url.origin().ascii_serialization();
        if !self.robots.contains_key(&origin) {
            let rules = self.read_robots(url).await;
            if let Rules::Robot(robot) = &rules
                && let Some(delay) = robot.delay
                && delay.is_finite()
                && delay > 0.0
            {
                self.delay = Duration::from_secs_f32(delay).min(self.policy.limits.max_delay);
            }
            self.robots.insert(origin.clone(), rules);
        }
        match &self.robots[&origin] {
            Rules::AllowAll => None,
            Rules::Robot(robot) if robot.allowed(url.as_str()) => None,
            Rules::Robot(_) => Some(format!(
                "The site's robots.txt does not allow {ROBOT_NAME} to read {url}."
            )),
            Rules::DenyAll(why) => Some(why.clone()),
        }
    }

    /// robots.txt as Google reads it: a 4xx means no rules, a 5xx (or 429) means stay away,
    /// an unreachable file is left to the page fetch to report.
    async fn read_robots(&mut self, page: &Url) -> Rules {
        let Ok(mut url) = page.join("/robots.txt") else {
            return Rules::AllowAll;
        };
        for _ in 0..=MAX_REDIRECTS {
            match self.request(&url, ROBOTS_MAX_BYTES, false).await {
                Ok(Answer::Redirect(next)) => url = next,
                Ok(Answer::Body { status, body }) => {
                    return if status.is_success() {
                        match Robot::new(ROBOT_NAME, &body) {
                            Ok(robot) => Rules::Robot(Box::new(robot)),
                            Err(_) => Rules::AllowAll,
                        }
                    } else if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                        Rules::DenyAll(format!(
                            "The site's robots.txt answered HTTP {}, which asks crawlers to stay away for now; try again later.",
                            status.as_u16()
                        ))
                    } else {
                        Rules::AllowAll
                    };
                }
                Err(_) => return Rules::AllowAll,
            }
        }
        Rules::AllowAll
    }

    /// One GET, within the time left. With `html_only`, anything but an HTML document is
    /// refused from its headers, before its body is read; a body past `cap` is refused
    /// (pages) or cut (robots.txt).
    async fn request(&self, url: &Url, cap: usize, html_only: bool) -> Result<Answer, Skip> {
        self.policy
            .egress
            .check_url(url)
            .map_err(|refused| not_public(url, &refused))?;
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Skip::new("time_limit", "The scan ran out of time."));
        }
        let failed = |e: reqwest::Error| {
            if let Some(refused) = closer_egress::refusal(&e) {
                not_public(url, refused)
            } else if e.is_timeout() {
                Skip::new("timeout", format!("No answer from {url} in time."))
            } else {
                Skip::new("unreachable", format!("Could not connect to {url}."))
            }
        };
        let mut resp = self
            .client
            .get(url.clone())
            .timeout(self.policy.limits.page_timeout.min(left))
            .send()
            .await
            .map_err(failed)?;
        let status = resp.status();
        if status.is_redirection()
            && let Some(location) = resp.headers().get(LOCATION)
        {
            let next = location
                .to_str()
                .ok()
                .and_then(|l| url.join(l).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| Skip::new("unreachable", format!("{url} redirects nowhere.")))?;
            return Ok(Answer::Redirect(next));
        }
        if html_only && status.is_success() {
            let content_type = resp
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("text/html")
                .to_ascii_lowercase();
            if !(content_type.starts_with("text/html")
                || content_type.starts_with("application/xhtml+xml"))
            {
                return Err(Skip::new("not_html", format!("Not an HTML page: {url}.")));
            }
            let declared = resp
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok());
            if declared.is_some_and(|n| n > cap) {
                return Err(too_large(url, cap));
            }
        }
        let mut body = Vec::new();
        if status.is_success() {
            while let Some(piece) = resp.chunk().await.map_err(failed)? {
                if body.len() + piece.len() > cap {
                    if html_only {
                        return Err(too_large(url, cap));
                    }
                    body.extend_from_slice(&piece[..cap - body.len()]);
                    break;
                }
                body.extend_from_slice(&piece);
            }
        }
        Ok(Answer::Body { status, body })
    }
}

/// A page the egress guard would not let us fetch.
fn not_public(url: &Url, refused: &closer_egress::Refused) -> Skip {
    match refused {
        closer_egress::Refused::NotPublic(_) => Skip::new(
            "private_address",
            format!(
                "{} is a private or local address; only public websites can be scanned.",
                url.host_str().unwrap_or_default()
            ),
        ),
        other => Skip::new("unreachable", format!("{other}.")),
    }
}

fn too_large(url: &Url, cap: usize) -> Skip {
    Skip::new(
        "too_large",
        format!("Larger than {} MiB: {url}.", cap / (1024 * 1024)),
    )
}

/// Runs the scan `scan_id` of `org_id` to its end: crawls, records progress after every
/// page, and stores the chunks (replacing the site's earlier ones) or the reason it failed.
/// Only a store error is returned, for the job to retry.
pub async fn run(
    store: &Store,
    org_id: Uuid,
    scan_id: Uuid,
    policy: &ScanPolicy,
) -> Result<(), StoreError> {
    let scope = store.org(org_id);
    let Some(scan) = scope.begin_knowledge_scan(scan_id).await? else {
        return Ok(());
    };
    let crawl = normalise_url(&scan.url)
        .map_err(|why| format!("The address {why}."))
        .and_then(|start| Crawl::new(start, policy.clone()));
    let mut crawl = match crawl {
        Ok(crawl) => crawl,
        Err(error) => return fail(store, org_id, scan_id, &error, ScanProgress::default()).await,
    };
    if let Err(error) = crawl.start().await {
        return fail(store, org_id, scan_id, &error, crawl.progress()).await;
    }
    scope
        .record_scan_progress(scan_id, &crawl.progress())
        .await?;
    while crawl.next_page().await {
        scope
            .record_scan_progress(scan_id, &crawl.progress())
            .await?;
    }
    let site = crawl.site().to_owned();
    let (entries, progress) = crawl.finish();
    if entries.is_empty() {
        let error = "No readable text was found on the site's pages (a site that needs \
                     JavaScript to show its content cannot be read).";
        return fail(store, org_id, scan_id, error, progress).await;
    }
    scope
        .finish_knowledge_scan(scan_id, &progress, entries, |url| same_site(&site, url))
        .await?;
    Ok(())
}

async fn fail(
    store: &Store,
    org_id: Uuid,
    scan_id: Uuid,
    error: &str,
    progress: ScanProgress,
) -> Result<(), StoreError> {
    tracing::info!(scan = %scan_id, error, "knowledge scan failed");
    store
        .org(org_id)
        .fail_knowledge_scan(scan_id, error, &progress)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_urls_are_normalised() {
        let ok = |raw: &str| normalise_url(raw).unwrap().to_string();
        assert_eq!(ok("acme.example"), "https://acme.example/");
        assert_eq!(
            ok("  https://Acme.Example/en#top "),
            "https://acme.example/en"
        );
        assert_eq!(ok("http://127.0.0.1:8080"), "http://127.0.0.1:8080/");
        for bad in [
            "",
            "   ",
            "ftp://acme.example/",
            "javascript:alert(1)",
            "not a url",
            "https://user:pw@acme.example/",
            "https://",
            "intranet",
        ] {
            assert!(normalise_url(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn www_and_scheme_do_not_make_another_site() {
        let site = site_of(&Url::parse("https://www.acme.example/").unwrap());
        assert_eq!(site, "acme.example");
        assert!(same_site(&site, "http://acme.example/pricing"));
        assert!(same_site(&site, "https://WWW.acme.example/about"));
        assert!(!same_site(&site, "https://shop.acme.example/"));
        assert!(!same_site(&site, "https://acme.example:8443/"));
        assert!(!same_site(&site, "not a url"));
    }

    #[test]
    fn wanted_pages_are_told_from_the_rest() {
        let kind = |path: &str, text: &str| {
            wanted_kind(
                &Url::parse(&format!("https://a.example{path}")).unwrap(),
                text,
            )
        };
        assert_eq!(kind("/pricing", "Pricing"), Some(0));
        assert_eq!(kind("/p/123", "Plans & pricing"), Some(0));
        assert_eq!(kind("/about-us", ""), Some(1));
        assert_eq!(kind("/faq", "FAQ"), Some(2));
        assert_eq!(kind("/help-center", "Help"), Some(2));
        assert_eq!(kind("/contact", "Get in touch"), Some(3));
        assert_eq!(kind("/terms-and-conditions", "Terms"), Some(4));
        assert_eq!(kind("/refund-policy", "Refunds"), Some(5));
        assert_eq!(kind("/pricing.pdf", "Price list"), Some(0));
        assert_eq!(kind("/blog/unrelated", "Our blog"), None);
        assert_eq!(
            kind("/blog/how-to-plan-your-week", "How to plan your week"),
            None
        );
        assert_eq!(kind("/a/b/c/pricing", "Pricing"), None);
    }
}
