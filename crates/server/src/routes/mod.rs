//! HTTP routes, one module per area of API.md.

pub mod actions;
pub mod agent;
pub mod analytics;
pub mod assignment;
pub mod audit;
pub mod auth;
pub mod automations;
pub mod calendar;
pub mod campaigns;
pub mod compliance;
pub mod email_settings;
pub mod followups;
pub mod health;
pub mod inbox;
pub mod invites;
pub mod jobs;
pub mod knowledge_scan;
pub mod lead_data;
pub mod leads;
pub mod llm_settings;
pub mod media;
pub mod notifications;
pub mod onboarding;
pub mod org;
pub mod password_reset;
pub mod pipeline;
pub mod rate_card;
pub mod realtime;
pub mod replies;
pub mod sandbox;
pub mod schema;
pub mod security;
pub mod sequences;
pub mod team_work;
pub mod templates;
pub mod two_factor;
pub mod users;
pub mod webhooks;
pub mod whatsapp_settings;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Everything under /api/v1, with its OpenAPI description gathered from the handlers.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::signup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(password_reset::request_reset))
        .routes(routes!(password_reset::confirm_reset))
        .routes(routes!(security::list_sessions))
        .routes(routes!(security::revoke_session))
        .routes(routes!(security::revoke_other_sessions))
        .routes(routes!(two_factor::setup))
        .routes(routes!(two_factor::enable))
        .routes(routes!(two_factor::disable))
        .routes(routes!(two_factor::regenerate_recovery_codes))
        .routes(routes!(security::get_security, security::update_security))
        .routes(routes!(org::get_org, org::update_org))
        .routes(routes!(users::list_users))
        .routes(routes!(users::update_user, users::remove_user))
        .routes(routes!(invites::create_invite, invites::list_invites))
        .routes(routes!(invites::lookup_invite, invites::revoke_invite))
        .routes(routes!(audit::list_audit_logs))
        .routes(routes!(
            rate_card::get_rate_card,
            rate_card::update_rate_card
        ))
        .routes(routes!(inbox::list))
        .routes(routes!(inbox::detail))
        .routes(routes!(inbox::messages))
        .routes(routes!(replies::send))
        .routes(routes!(replies::takeover))
        .routes(routes!(replies::release))
        .routes(routes!(replies::set_mode))
        .routes(routes!(replies::mark_read))
        .merge(media::upload_router())
        .routes(routes!(media::get_media))
        .routes(routes!(
            media::get_transcription_settings,
            media::update_transcription_settings
        ))
        .routes(routes!(actions::list_actions))
        .routes(routes!(actions::action_counts))
        .routes(routes!(actions::claim_action))
        .routes(routes!(actions::resolve_action))
        .routes(routes!(actions::snooze_action))
        .routes(routes!(calendar::list_calendar, calendar::create_event))
        .routes(routes!(calendar::change_event))
        .routes(routes!(calendar::feed_status, calendar::rotate_feed_token))
        .routes(routes!(team_work::assign_conversation))
        .routes(routes!(
            assignment::get_assignment_settings,
            assignment::update_assignment_settings
        ))
        .routes(routes!(team_work::add_note))
        .routes(routes!(
            team_work::list_canned_replies,
            team_work::create_canned_reply
        ))
        .routes(routes!(
            team_work::update_canned_reply,
            team_work::delete_canned_reply
        ))
        .routes(routes!(notifications::list_notifications))
        .routes(routes!(notifications::read_notifications))
        .routes(routes!(
            notifications::get_preferences,
            notifications::update_preferences
        ))
        .routes(routes!(notifications::subscribe_push))
        .routes(routes!(notifications::vapid_public_key))
        .routes(routes!(
            email_settings::get_email_settings,
            email_settings::update_email_settings
        ))
        .routes(routes!(email_settings::test_email))
        .routes(routes!(
            campaigns::list_campaigns,
            campaigns::create_campaign
        ))
        .routes(routes!(
            campaigns::get_campaign,
            campaigns::update_campaign,
            campaigns::delete_campaign
        ))
        .routes(routes!(campaigns::preflight))
        .routes(routes!(campaigns::start_campaign))
        .routes(routes!(campaigns::pause_campaign))
        .routes(routes!(campaigns::resume_campaign))
        .routes(routes!(campaigns::cancel_campaign))
        .routes(routes!(campaigns::list_recipients))
        .routes(routes!(campaigns::campaign_stats))
        .routes(routes!(sandbox::inbound))
        .routes(routes!(jobs::list_jobs))
        .routes(routes!(jobs::retry_job))
        .routes(routes!(
            agent::profile::get_profile,
            agent::profile::update_profile
        ))
        .routes(routes!(agent::profile::list_versions))
        .routes(routes!(agent::profile::get_version))
        .routes(routes!(agent::profile::rollback))
        .routes(routes!(agent::ctas::list_ctas, agent::ctas::create_cta))
        .routes(routes!(agent::ctas::update_cta, agent::ctas::delete_cta))
        .routes(routes!(
            agent::knowledge::list_knowledge,
            agent::knowledge::add_knowledge
        ))
        .routes(routes!(agent::knowledge::delete_knowledge))
        .routes(routes!(knowledge_scan::start_scan))
        .routes(routes!(knowledge_scan::list_scans))
        .routes(routes!(knowledge_scan::get_scan))
        .routes(routes!(agent::decisions::list_decisions))
        .routes(routes!(agent::tests::list_tests, agent::tests::create_test))
        .routes(routes!(
            agent::tests::update_test,
            agent::tests::delete_test
        ))
        .routes(routes!(agent::tests::starters))
        .routes(routes!(agent::tests::run_tests))
        .routes(routes!(agent::tests::list_test_runs))
        .routes(routes!(agent::tests::get_test_run))
        .routes(routes!(onboarding::get_answers, onboarding::save_answers))
        .routes(routes!(onboarding::generate))
        .routes(routes!(onboarding::file_knowledge))
        .routes(routes!(whatsapp_settings::connect))
        .routes(routes!(whatsapp_settings::status))
        .routes(routes!(whatsapp_settings::update_config))
        .routes(routes!(whatsapp_settings::disconnect))
        .routes(routes!(
            llm_settings::get_llm_settings,
            llm_settings::update_llm_settings
        ))
        .routes(routes!(llm_settings::test_llm_connection))
        .routes(routes!(
            followups::get_followup_settings,
            followups::update_followup_settings
        ))
        .routes(routes!(
            followups::list_followups,
            followups::create_followup
        ))
        .routes(routes!(followups::get_followup, followups::delete_followup))
        .routes(routes!(followups::conversation_followups))
        .routes(routes!(followups::send_followup_now))
        .routes(routes!(followups::cancel_followup))
        .routes(routes!(
            templates::list_templates,
            templates::create_template
        ))
        .routes(routes!(templates::sync_templates))
        .routes(routes!(templates::preview_draft))
        .routes(routes!(
            templates::get_template,
            templates::update_template,
            templates::delete_template
        ))
        .routes(routes!(templates::submit_template))
        .routes(routes!(templates::template_status))
        .routes(routes!(templates::preview_template))
        .routes(routes!(lead_data::search_leads))
        .merge(lead_data::import_router())
        .routes(routes!(lead_data::get_import))
        .routes(routes!(lead_data::confirm_import))
        .routes(routes!(lead_data::import_errors))
        .routes(routes!(lead_data::export_leads))
        .routes(routes!(lead_data::bulk))
        .routes(routes!(lead_data::get_bulk))
        .routes(routes!(lead_data::list_views, lead_data::create_view))
        .routes(routes!(
            lead_data::get_view,
            lead_data::update_view,
            lead_data::delete_view
        ))
        .routes(routes!(leads::list_leads, leads::create_lead))
        .routes(routes!(
            leads::get_lead,
            leads::update_lead,
            leads::delete_lead
        ))
        .routes(routes!(leads::lead_timeline))
        .routes(routes!(leads::list_notes, leads::create_note))
        .routes(routes!(leads::update_note, leads::delete_note))
        .routes(routes!(leads::list_tags, leads::create_tag))
        .routes(routes!(leads::update_tag, leads::delete_tag))
        .routes(routes!(
            leads::list_custom_fields,
            leads::create_custom_field
        ))
        .routes(routes!(
            leads::update_custom_field,
            leads::delete_custom_field
        ))
        .routes(routes!(pipeline::list_stages, pipeline::create_stage))
        .routes(routes!(pipeline::update_stage, pipeline::delete_stage))
        .routes(routes!(pipeline::board))
        .routes(routes!(pipeline::move_lead))
        .routes(routes!(pipeline::lead_history))
        .routes(routes!(compliance::opt_out))
        .routes(routes!(compliance::opt_in))
        .routes(routes!(compliance::list_opt_outs))
        .routes(routes!(compliance::erase))
        .routes(routes!(analytics::dashboard_stats))
        .routes(routes!(analytics::volume))
        .routes(routes!(analytics::funnel))
        .routes(routes!(analytics::peak_hours))
        .routes(routes!(analytics::sources))
        .routes(routes!(analytics::sentiment))
        .routes(routes!(analytics::agent))
        .routes(routes!(analytics::costs))
        .routes(routes!(analytics::csv_export))
        .routes(routes!(
            automations::list_automations,
            automations::create_automation
        ))
        .routes(routes!(
            automations::get_automation,
            automations::update_automation,
            automations::delete_automation
        ))
        .routes(routes!(
            automations::get_automation_settings,
            automations::update_automation_settings
        ))
        .routes(routes!(automations::list_runs))
        .routes(routes!(automations::list_rule_runs))
        .routes(routes!(automations::dry_run))
        .routes(routes!(
            sequences::list_sequences,
            sequences::create_sequence
        ))
        .routes(routes!(
            sequences::get_sequence,
            sequences::update_sequence,
            sequences::delete_sequence
        ))
        .routes(routes!(sequences::enroll))
        .routes(routes!(sequences::list_enrollments))
        .routes(routes!(sequences::stop_enrollment))
        .layer(axum::middleware::map_response(plain_rejection_as_api_error))
}

/// Axum's own extractors refuse some requests before a handler runs (a path segment that is
/// not UTF-8 once decoded, `/conversations/%FF`) with a plain-text 400; the API answers every
/// error in its JSON shape, so such a refusal is rewritten as one.
async fn plain_rejection_as_api_error(res: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    let plain = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/plain"));
    if res.status() != axum::http::StatusCode::BAD_REQUEST || !plain {
        return res;
    }
    let text = axum::body::to_bytes(res.into_body(), 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    crate::error::ApiError::BadRequest(text).into_response()
}
