//! The OpenAPI document, generated from the handlers' annotations (never hand-written).

use crate::error::{ErrorBody, ErrorDetail};
use closer_domain::agent::{EscalationTrigger, Requirement};
use closer_domain::conversation_rules::InboxSort;
use closer_domain::realtime::RealtimeEvent;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Closer API", description = "WhatsApp AI sales agent and CRM. See API.md for conventions."),
    modifiers(&BearerAuth),
    // Enums only query parameters name are listed here so their `$ref`s resolve; the agent
    // documents' own enums (free JSON in the API) are listed so the dashboard's document
    // forms offer exactly the values the server accepts.
    components(schemas(ErrorBody, ErrorDetail, RealtimeEvent, InboxSort, Requirement, EscalationTrigger))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The browsable view at /api/docs, using the Swagger UI files the web build copies into the
/// embedded assets (so it works with no internet access).
pub const DOCS_PAGE: &str = r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Closer API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/swagger-ui/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/api/docs.js"></script>
</body></html>"##;

/// The docs page's own script, served as a file: the Content-Security-Policy runs no inline
/// script.
pub const DOCS_SCRIPT: &str =
    r##"window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#ui" });"##;
