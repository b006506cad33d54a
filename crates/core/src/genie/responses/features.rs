//! Whether a workspace has Genie One and Agent mode, two Beta previews a workspace admin turns
//! on. Genie One is asked about with a documented read (its conversation list, one item);
//! Agent mode has no read that does not need a conversation, so it is known once a question
//! has been tried. The answer is cached per workspace for a while and dropped after any
//! failure of the feature, so it is re-checked, never guessed.
//!
//! How a workspace refuses a preview that is off is unconfirmed: `ENDPOINT_NOT_FOUND`,
//! `FEATURE_DISABLED` and 501 become [`ErrorCode::Unavailable`] in the API client, and a
//! refusal whose words say "not enabled", "disabled" or "preview" counts too.

use crate::api::{Api, is_scope_refusal};
use crate::{ErrorCode, ErrorInfo};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Availability {
    /// Not known yet (Agent mode before its first question), or the check itself failed.
    Unknown,
    Available,
    /// Off in this workspace; `reason` says who can change that.
    Unavailable {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct GenieFeatures {
    /// Genie One ("Ask anything").
    pub ask_anything: Availability,
    pub agent_mode: Availability,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    AskAnything,
    AgentMode,
}

const KEEP_AVAILABLE: Duration = Duration::from_secs(30 * 60);
const KEEP_UNAVAILABLE: Duration = Duration::from_secs(5 * 60);

/// What the user reads when a preview is off.
pub fn off_reason(feature: Feature) -> String {
    match feature {
        Feature::AskAnything => {
            "Ask anything needs the \u{201c}Genie One API\u{201d} preview, which is \
             not turned on for this workspace. A workspace admin can turn it on in Settings \
             \u{2192} Previews."
                .into()
        }
        Feature::AgentMode => "Agent mode needs the \u{201c}Genie Agents Agent Mode API\u{201d} \
             preview, which is not turned on for this workspace. A workspace admin can turn it \
             on in Settings \u{2192} Previews once Databricks has approved it."
            .into(),
    }
}

/// Why Ask anything cannot be used with a personal access token: "The Genie One API supports
/// OAuth tokens only" (docs, "Use the Genie One API").
pub fn needs_oauth() -> String {
    "Ask anything needs a browser sign-in: Databricks' Genie One API accepts OAuth sign-ins \
     only, not personal access tokens. Remove this workspace and add it again with \
     \u{201c}My browser\u{201d}; the Genie agents work with either."
        .into()
}

/// Whether `error` says the feature is off (or this sign-in may not use it), and why.
pub fn unavailable_because(feature: Feature, error: &ErrorInfo) -> Option<String> {
    if is_scope_refusal(error) {
        return Some(error.message.clone());
    }
    let words = error.message.to_lowercase();
    let said_off = matches!(
        error.code,
        ErrorCode::PermissionDenied | ErrorCode::InvalidInput | ErrorCode::NotFound
    ) && ["not enabled", "is disabled", "preview", "feature_disabled"]
        .iter()
        .any(|w| words.contains(w));
    (error.code == ErrorCode::Unavailable || said_off).then(|| off_reason(feature))
}

#[derive(Debug, Default)]
pub struct Features {
    known: Mutex<HashMap<(String, Feature), (Availability, Instant)>>,
}

impl Features {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, Feature), (Availability, Instant)>> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached answer, while it is fresh.
    pub fn cached(&self, workspace: &str, feature: Feature) -> Option<Availability> {
        let known = self.lock();
        let (availability, at) = known.get(&(workspace.to_owned(), feature))?;
        let keep = match availability {
            Availability::Available => KEEP_AVAILABLE,
            Availability::Unavailable { .. } => KEEP_UNAVAILABLE,
            Availability::Unknown => return None,
        };
        (at.elapsed() < keep).then(|| availability.clone())
    }

    pub fn learn(&self, workspace: &str, feature: Feature, availability: Availability) {
        self.lock().insert(
            (workspace.to_owned(), feature),
            (availability, Instant::now()),
        );
    }

    /// After a failure of the feature: the next look checks again.
    pub fn forget(&self, workspace: &str, feature: Feature) {
        self.lock().remove(&(workspace.to_owned(), feature));
    }

    /// Both features for the workspace, checking Genie One if its answer is not cached.
    pub async fn check(&self, api: &Api, workspace: &str) -> GenieFeatures {
        let ask_anything = match self.cached(workspace, Feature::AskAnything) {
            _ if api.session().is_personal_access_token() => Availability::Unavailable {
                reason: needs_oauth(),
            },
            Some(known) => known,
            None => {
                let probe = api
                    .get::<serde_json::Value>("/api/2.0/genie/one/conversations?page_size=1")
                    .await;
                let availability = match probe {
                    Ok(_) => Availability::Available,
                    Err(error) => match unavailable_because(Feature::AskAnything, &error) {
                        Some(reason) => Availability::Unavailable { reason },
                        None => {
                            tracing::info!(error = %error.message, "could not tell whether Genie One is on");
                            Availability::Unknown
                        }
                    },
                };
                self.learn(workspace, Feature::AskAnything, availability.clone());
                availability
            }
        };
        let agent_mode = self
            .cached(workspace, Feature::AgentMode)
            .unwrap_or(Availability::Unknown);
        GenieFeatures {
            ask_anything,
            agent_mode,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_that_say_the_preview_is_off_are_told_apart_from_other_errors() {
        let off = |code, message: &str| {
            unavailable_because(Feature::AgentMode, &ErrorInfo::new(code, message))
        };
        assert!(
            off(
                ErrorCode::Unavailable,
                "No API found for 'POST /genie/agents/x/responses'"
            )
            .is_some()
        );
        assert!(
            off(
                ErrorCode::PermissionDenied,
                "The Genie Agents Agent Mode API preview is not enabled."
            )
            .is_some()
        );
        assert!(
            off(
                ErrorCode::InvalidInput,
                "Feature is disabled for this workspace"
            )
            .is_some()
        );
        assert!(off(ErrorCode::NotFound, "Genie space 01f0 does not exist.").is_none());
        assert!(
            off(
                ErrorCode::Network,
                "preview.example.com could not be reached"
            )
            .is_none()
        );
        assert!(
            off(
                ErrorCode::PermissionDenied,
                "You do not have access to the Genie space"
            )
            .is_none()
        );
        let reason = off(ErrorCode::Unavailable, "x").expect("off");
        assert!(reason.contains("Genie Agents Agent Mode API"), "{reason}");
    }

    #[test]
    fn answers_are_kept_for_a_while_and_forgotten_after_a_failure() {
        let features = Features::default();
        assert_eq!(features.cached("ws", Feature::AgentMode), None);
        features.learn("ws", Feature::AgentMode, Availability::Available);
        assert_eq!(
            features.cached("ws", Feature::AgentMode),
            Some(Availability::Available)
        );
        assert_eq!(features.cached("other", Feature::AgentMode), None);
        features.forget("ws", Feature::AgentMode);
        assert_eq!(features.cached("ws", Feature::AgentMode), None);
        features.learn("ws", Feature::AskAnything, Availability::Unknown);
        assert_eq!(
            features.cached("ws", Feature::AskAnything),
            None,
            "unknown is never kept"
        );
    }
}
