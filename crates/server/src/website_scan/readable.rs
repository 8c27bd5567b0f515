//! What a person reading the page would read: the title, the headings and the paragraphs of
//! its main content, without scripts, styles, menus, headers and footers. And the page's
//! links, which is how the scan finds the pricing, about and FAQ pages.

use reqwest::Url;
use scraper::{Html, Node, Selector};

/// A run of text the page shows as one unit: a heading, a paragraph, a list item, a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub heading: bool,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageText {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl PageText {
    pub fn words(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| b.text.split_whitespace().count())
            .sum()
    }
}

/// Elements whose text is never content: code, styling, widgets, and the site's chrome
/// (menus, header, footer), which repeats on every page and would drown the page's own words.
const NOT_CONTENT: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "nav",
    "header", "footer", "form", "button", "select", "option", "textarea", "input", "dialog",
    "head", "title", "meta", "link",
];

/// Elements that end a run of text.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "body",
];

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("a valid selector")
}

/// Collapses runs of whitespace (newlines, tabs, non-breaking spaces) into one space.
fn collapse(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Elements whose end tag may be left out: the parser closes them itself, so they do not
/// deepen the tree.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
    "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
];
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Deeper than this no real page nests (they stay well under a hundred).
pub const MAX_DEPTH: usize = 1_000;

/// How deeply the document's elements nest, estimated from its tags without building a
/// tree: the HTML parser's tree builder takes time quadratic in the depth, so a hostile page
/// of nested `<div>`s would hold a worker for minutes. Counts too deep rather than too
/// shallow (an unclosed `<span>` counts as open).
pub fn nesting_depth(html: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let closing = rest.starts_with('/');
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() || VOID.contains(&name.as_str()) || OPTIONAL_END.contains(&name.as_str())
        {
            continue;
        }
        let end = rest.find('>').unwrap_or(rest.len());
        if closing {
            depth = depth.saturating_sub(1);
        } else if !rest[..end].ends_with('/') {
            depth += 1;
            deepest = deepest.max(depth);
            if matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
                // Their contents are text, whatever it looks like.
                rest = skip_to_end_tag(rest, &name);
            }
        }
    }
    deepest
}

/// `rest` from the end tag `</name` on (any case), or nothing when there is none.
fn skip_to_end_tag<'a>(rest: &'a str, name: &str) -> &'a str {
    let mut from = 0;
    while let Some(i) = rest[from..].find("</") {
        let at = from + i;
        let after = &rest.as_bytes()[at + 2..];
        if after.len() >= name.len() && after[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return &rest[at..];
        }
        from = at + 2;
    }
    ""
}

/// A page read: its readable text and its links; `None` when it nests deeper than
/// [`MAX_DEPTH`]. Parsing is CPU work: call it off the async threads.
pub fn read(html: &str, url: &Url) -> Option<(PageText, Vec<(Url, String)>)> {
    if nesting_depth(html) > MAX_DEPTH {
        return None;
    }
    let doc = Html::parse_document(html);
    Some((readable_text(&doc), links(&doc, url)))
}

/// The readable text of an HTML document. The content root is `<main>` (or `role=main`) when
/// the page marks one, else its single `<article>`, else the body.
fn readable_text(doc: &Html) -> PageText {
    let title = doc
        .select(&selector("title"))
        .next()
        .map(|t| collapse(&t.text().collect::<String>()))
        .filter(|t| !t.is_empty())
        .or_else(|| {
            doc.select(&selector("h1"))
                .next()
                .map(|h| collapse(&h.text().collect::<String>()))
                .filter(|t| !t.is_empty())
        })
        .unwrap_or_default();
    let articles: Vec<_> = doc.select(&selector("article")).collect();
    let root = doc
        .select(&selector("main, [role=main]"))
        .next()
        .or_else(|| (articles.len() == 1).then(|| articles[0]))
        .or_else(|| doc.select(&selector("body")).next())
        .unwrap_or_else(|| doc.root_element());

    let mut blocks: Vec<Block> = vec![];
    let mut current = String::new();
    let mut current_heading = false;
    let flush = |current: &mut String, heading: bool, blocks: &mut Vec<Block>| {
        let text = collapse(current);
        current.clear();
        if !text.is_empty() {
            blocks.push(Block { heading, text });
        }
    };
    // An explicit stack instead of recursion: a hostile page may nest elements deeply.
    let mut stack = vec![(*root, false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            Node::Text(text) if !closing => {
                current.push_str(text);
            }
            Node::Element(el) => {
                let name = el.name();
                if NOT_CONTENT.contains(&name)
                    || el.attr("hidden").is_some()
                    || el.attr("aria-hidden") == Some("true")
                {
                    continue;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    flush(&mut current, current_heading, &mut blocks);
                    current_heading = false;
                }
                if closing {
                    continue;
                }
                if is_heading(name) {
                    current_heading = true;
                } else if name == "li" {
                    current.push_str("• ");
                } else if matches!(name, "td" | "th") {
                    current.push(' ');
                }
                if block {
                    stack.push((node, true));
                }
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev().map(|c| (c, false)));
            }
            _ => {}
        }
    }
    flush(&mut current, current_heading, &mut blocks);
    // A heading left with nothing but a bullet is noise.
    blocks.retain(|b| b.text != "•");
    PageText { title, blocks }
}

/// The page's links, resolved against its address (or its `<base href>`), with their text.
fn links(doc: &Html, page: &Url) -> Vec<(Url, String)> {
    let base = doc
        .select(&selector("base[href]"))
        .next()
        .and_then(|b| b.attr("href"))
        .and_then(|href| page.join(href).ok())
        .unwrap_or_else(|| page.clone());
    doc.select(&selector("a[href]"))
        .filter_map(|a| {
            let href = a.attr("href")?.trim();
            let mut url = base.join(href).ok()?;
            if !matches!(url.scheme(), "http" | "https") {
                return None;
            }
            url.set_fragment(None);
            let mut text = collapse(&a.text().collect::<String>());
            if text.is_empty() {
                text = a
                    .attr("aria-label")
                    .or_else(|| a.attr("title"))
                    .map(collapse)
                    .unwrap_or_default();
            }
            Some((url, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html><head><title> Pricing — Acme
        Academy </title><style>.x{color:red}</style><script>var secret = "do not read";</script></head>
        <body>
          <header><a href="/">Acme</a><nav><a href="/pricing">Pricing</a><a href="/about">About us</a></nav></header>
          <main>
            <h1>Our plans</h1>
            <p>The   course costs <b>₹2999</b>.
               EMI is available.</p>
            <ul><li>Weekend batch</li><li>Recorded sessions</li></ul>
            <div hidden>Old price ₹1999</div>
            <noscript>Enable JavaScript</noscript>
            <form><label>Your email</label><input name="e"></form>
            <table><tr><th>Plan</th><td>Basic</td></tr></table>
          </main>
          <footer>© Acme 2025 · <a href="/terms#refunds">Terms</a></footer>
        </body></html>"#;

    fn text_of(html: &str) -> PageText {
        read(html, &Url::parse("https://acme.example/").unwrap())
            .expect("not too deep")
            .0
    }

    #[test]
    fn keeps_title_headings_and_paragraphs_of_the_main_content() {
        let page = text_of(PAGE);
        assert_eq!(page.title, "Pricing — Acme Academy");
        let texts: Vec<(&str, bool)> = page
            .blocks
            .iter()
            .map(|b| (b.text.as_str(), b.heading))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("Our plans", true),
                ("The course costs ₹2999. EMI is available.", false),
                ("• Weekend batch", false),
                ("• Recorded sessions", false),
                ("Plan", false),
                ("Basic", false),
            ]
        );
        let all: String = page.blocks.iter().map(|b| b.text.clone()).collect();
        for absent in [
            "secret",
            "color",
            "Acme 2025",
            "About us",
            "1999",
            "JavaScript",
            "email",
        ] {
            assert!(!all.contains(absent), "{absent} leaked into {all}");
        }
    }

    #[test]
    fn falls_back_to_the_body_and_the_first_heading() {
        let page = text_of(
            "<html><body><h1>Contact</h1><p>Call +91 98765 43210</p><script>x()</script></body></html>",
        );
        assert_eq!(page.title, "Contact");
        assert_eq!(page.blocks.len(), 2);
        assert_eq!(page.words(), 5);
    }

    #[test]
    fn pages_nested_deeper_than_any_real_one_are_not_parsed() {
        let nested = |n: usize| format!("{}deep{}", "<div>".repeat(n), "</div>".repeat(n));
        assert_eq!(nesting_depth(&nested(300)), 300);
        assert_eq!(text_of(&nested(300)).blocks.len(), 1);
        let url = Url::parse("https://acme.example/").unwrap();
        assert!(read(&nested(200_000), &url).is_none());
        // What the parser closes itself, and what only looks like tags, does not count.
        let flat = format!(
            "<html><body>{}<script>{}</script><!-- {} --></body></html>",
            "<p>para<li>item<br><img src=x>".repeat(5_000),
            "'<div>'".repeat(5_000),
            "<div>".repeat(5_000)
        );
        assert!(nesting_depth(&flat) < 10, "{}", nesting_depth(&flat));
    }

    #[test]
    fn links_resolve_against_the_page_and_drop_fragments() {
        let base = Url::parse("https://acme.example/en/").unwrap();
        let found = read(
            r#"<a href="pricing">Plans &amp; pricing</a><a href="/terms#refunds">Terms</a>
               <a href="mailto:a@b.c">Mail</a><a href="https://other.example/x" aria-label="Other"></a>"#,
            &base,
        )
        .unwrap()
        .1;
        let found: Vec<(String, String)> =
            found.into_iter().map(|(u, t)| (u.to_string(), t)).collect();
        assert_eq!(
            found,
            vec![
                (
                    "https://acme.example/en/pricing".into(),
                    "Plans & pricing".into()
                ),
                ("https://acme.example/terms".into(), "Terms".into()),
                ("https://other.example/x".into(), "Other".into()),
            ]
        );
    }
}
