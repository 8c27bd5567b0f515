//! The browser headers every response carries. The dashboard runs only its own bundled
//! scripts (Vite emits no inline script), so the policy can forbid every other script source:
//! an injected `<script>` or `onerror=` does not run, the page cannot be framed (clickjacking),
//! and links out do not leak the address they were clicked on (invite links carry tokens).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The dashboard's Content-Security-Policy. Styles may be inline because components set
/// `style=` attributes; that cannot run code. `'self'` in connect-src covers the same host's
/// ws:// and wss:// (CSP level 3).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Whether the request reached us over TLS (terminated by a proxy in front of us), or the
/// operator says the dashboard is only served over https.
fn over_tls(request: &HeaderMap, public_https: bool) -> bool {
    public_https
        || request
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

pub async fn security_headers(
    State(public_https): State<bool>,
    request: Request,
    next: Next,
) -> Response {
    let tls = over_tls(request.headers(), public_https);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY,
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(
        headers,
        "cross-origin-opener-policy".parse().expect("header name"),
        "same-origin",
    );
    if tls {
        set(headers, header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    response
}
