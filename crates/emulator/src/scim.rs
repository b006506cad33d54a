//! `GET /api/2.0/preview/scim/v2/Me`: the signed-in identity, in SCIM form.

use crate::auth::Caller;
use crate::errors::{api_error, json_ok};
use crate::server::Shared;
use crate::store::Subject;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

pub async fn me(State(shared): State<Shared>, Extension(caller): Extension<Caller>) -> Response {
    let schemas = json!([
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:workspace:2.0:User"
    ]);
    match &caller.subject {
        Subject::User(email) => {
            let Some(user) = shared.config.user_by_email(email) else {
                return api_error(
                    StatusCode::NOT_FOUND,
                    "RESOURCE_DOES_NOT_EXIST",
                    "User not found.",
                );
            };
            let (given, family) = user
                .display_name
                .split_once(' ')
                .unwrap_or((user.display_name.as_str(), ""));
            json_ok(json!({
                "schemas": schemas,
                "id": user.id,
                "userName": user.email,
                "displayName": user.display_name,
                "active": true,
                "name": { "givenName": given, "familyName": family },
                "emails": [{ "value": user.email, "type": "work", "primary": true }],
                "entitlements": [{ "value": "workspace-access" }, { "value": "databricks-sql-access" }],
                "groups": [{ "display": "users", "type": "direct", "value": "1", "$ref": "Groups/1" }],
            }))
        }
        Subject::ServicePrincipal(client_id) => {
            let Some(principal) = shared.config.service_principal(client_id) else {
                return api_error(
                    StatusCode::NOT_FOUND,
                    "RESOURCE_DOES_NOT_EXIST",
                    "Service principal not found.",
                );
            };
            json_ok(json!({
                "schemas": schemas,
                "id": principal.id,
                // SCIM Me answers in the User shape for every principal (databricks-sdk-py
                // `iam.User`; the compatibility suite checks it): no `applicationId`.
                "userName": principal.client_id,
                "displayName": principal.display_name,
                "active": true,
                "entitlements": [{ "value": "databricks-sql-access" }],
            }))
        }
    }
}
