//! The OpenAPI document of the API (generated from the handlers by utoipa),
//! with its security schemes and the error answers [`CommonErrors`] adds.

use axum::Json;
use utoipa::OpenApi;

use super::doc::CommonErrors;
use super::{analytics, calendar, catalogue, reports, session, signatures, tokens, units, users};

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Baocao API", description = "Reporting information system (Hệ thống thông tin báo cáo). \
        Authenticate with POST /api/v1/session (cookie; send the returned csrf_token as X-CSRF-Token on writes) \
        or with `Authorization: Bearer <token>`. Errors are JSON with a stable code and a message in the \
        language of Accept-Language (Vietnamese by default)."),
    paths(
        session::login, session::whoami, session::logout,
        units::search, units::roots, units::detail, units::children, units::subtree, units::ancestors, units::create,
        users::list, users::create, users::grant, users::revoke, users::password, users::email,
        tokens::list, tokens::create, tokens::revoke,
        calendar::period, calendar::year, calendar::add_exception, calendar::remove_exception,
        catalogue::indicators, catalogue::indicator, catalogue::put_indicator, catalogue::disaggregations,
        catalogue::regimes, catalogue::regime, catalogue::put_regime, catalogue::regime_calendar,
        catalogue::requests, catalogue::put_request, catalogue::export, catalogue::import,
        reports::mine, reports::inbox, reports::open, reports::get_report, reports::save,
        reports::submit, reports::return_report, reports::accept, reports::correct, reports::recall,
        reports::synthesize, reports::timeliness, reports::template, reports::upload,
        reports::csv_get, reports::csv_put, reports::canonical,
        reports::attach, reports::attachments, reports::download, reports::notifications,
        signatures::draft_canonical, signatures::version_pdf, signatures::submit_signed,
        signatures::sign_version, signatures::signatures,
        analytics::figures,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&BearerAuth, &CommonErrors),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::extract::SESSION_COOKIE,
            ))),
        );
    }
}

/// The document, as served at `/api/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::doc::PERIOD_PATTERN;

    fn document() -> serde_json::Value {
        serde_json::to_value(ApiDoc::openapi()).unwrap()
    }

    fn operations(doc: &serde_json::Value) -> Vec<(String, &serde_json::Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                out.push((format!("{} {path}", method.to_uppercase()), op));
            }
        }
        out
    }

    #[test]
    fn every_operation_documents_its_common_errors() {
        let doc = document();
        let mut ids = std::collections::HashSet::new();
        for (name, op) in operations(&doc) {
            assert!(
                ids.insert(op["operationId"].as_str().unwrap().to_string()),
                "{name}: operationId used twice"
            );
            let has = |status: &str| op["responses"].get(status).is_some();
            if op.get("security").is_some() {
                assert!(has("401"), "{name}: no 401");
            }
            if op.get("parameters").is_some_and(|ps| {
                ps.as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["in"] == "path" || p["in"] == "query")
            }) {
                assert!(has("400"), "{name}: no 400");
            }
            if op.get("requestBody").is_some() {
                assert!(has("413"), "{name}: no 413");
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{name} {status}"
                    );
                }
            }
        }
    }

    #[test]
    fn period_ids_have_one_pattern() {
        let doc = document();
        let paths = &doc["paths"];
        let schemas = &doc["components"]["schemas"];
        let param = |path: &str, name: &str| {
            paths[path]["get"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap()["schema"]["pattern"]
                .clone()
        };
        assert_eq!(param("/api/v1/periods/{id}", "id"), PERIOD_PATTERN);
        assert_eq!(
            param("/api/v1/reports/timeliness", "period"),
            PERIOD_PATTERN
        );
        assert_eq!(
            schemas["OpenRequest"]["properties"]["period"]["pattern"],
            PERIOD_PATTERN
        );
    }

    #[test]
    fn lists_are_documented_as_arrays() {
        let doc = document();
        for path in [
            "/api/v1/indicators",
            "/api/v1/disaggregations",
            "/api/v1/requests",
            "/api/v1/reports/mine",
            "/api/v1/reports/inbox",
            "/api/v1/units",
            "/api/v1/users",
            "/api/v1/tokens",
        ] {
            let schema = &doc["paths"][path]["get"]["responses"]["200"]["content"]
                ["application/json"]["schema"];
            assert_eq!(schema["type"], "array", "{path}");
        }
    }
}
