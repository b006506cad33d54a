//! Asking: a question is kept in the local outbox, waits for the workspace's question budget,
//! is sent once, and its message is polled to the end with plain progress steps; questions
//! kept from before a restart are driven the same way.

use super::answer::{self, Answer};
use super::progress::{self, Step};
use super::wire::{self, MessageStatus, WireMessage};
use super::{Genie, GenieEvent, denied_space, spaces_path};
use crate::api::Api;
use crate::api_path::segment;
use crate::local::genie::{OutboxEntry, OutboxState};
use crate::{ErrorCode, ErrorInfo};
use std::time::{Duration, Instant};

/// How polling a message ended without a terminal status.
enum Polled {
    /// Time ran out (or the workspace kept failing): the question stays kept.
    Unfinished(ErrorInfo),
    /// The message cannot be read (deleted, no access, signed out): nothing to wait for.
    Refused(ErrorInfo),
}

impl Genie {
    /// Asks `content` in `space_id` (a new conversation, or a follow-up in `conversation_id`)
    /// and follows it to its answer; `events` hears every step.
    pub async fn ask(
        &self,
        api: &Api,
        workspace_id: &str,
        space_id: &str,
        conversation_id: Option<&str>,
        content: &str,
        events: &(impl Fn(GenieEvent) + Sync),
    ) -> Result<Answer, ErrorInfo> {
        let content = content.trim();
        if content.is_empty() {
            return Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                "Type a question first.",
            ));
        }
        let entry = self
            .store
            .enqueue(workspace_id, space_id, conversation_id, content)?;
        self.drive(api, entry, events).await
    }

    /// Questions of the workspace still waiting for an answer (after a restart, too).
    pub fn pending(&self, workspace_id: &str) -> Result<Vec<OutboxEntry>, ErrorInfo> {
        self.store.pending(workspace_id)
    }

    /// Drives every kept question of the workspace that nobody is driving to its end.
    pub async fn resume(
        &self,
        api: &Api,
        workspace_id: &str,
        events: &(impl Fn(GenieEvent) + Sync),
    ) -> Result<(), ErrorInfo> {
        let pending = self.store.pending(workspace_id)?;
        let runs = pending.into_iter().map(|entry| async move {
            let _ = self.drive(api, entry, events).await;
        });
        futures_util::future::join_all(runs).await;
        Ok(())
    }

    async fn drive(
        &self,
        api: &Api,
        entry: OutboxEntry,
        events: &(impl Fn(GenieEvent) + Sync),
    ) -> Result<Answer, ErrorInfo> {
        let id = entry.id;
        if !self
            .active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id)
        {
            return Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                "This question is already on its way.",
            ));
        }
        let result = self.drive_once(api, entry, events).await;
        self.active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        match &result {
            Ok(answer) => events(GenieEvent::Answered {
                question_id: id,
                answer: Box::new(answer.clone()),
            }),
            Err(error) => events(GenieEvent::Failed {
                question_id: id,
                error: error.clone(),
            }),
        }
        result
    }

    async fn drive_once(
        &self,
        api: &Api,
        entry: OutboxEntry,
        events: &(impl Fn(GenieEvent) + Sync),
    ) -> Result<Answer, ErrorInfo> {
        let id = entry.id;
        let (conversation_id, message_id) = match entry.state {
            OutboxState::Sent => (
                entry.conversation_id.clone().unwrap_or_default(),
                entry.message_id.clone().unwrap_or_default(),
            ),
            OutboxState::Sending => {
                // Brickdesk stopped while this was being sent: Genie may or may not have it.
                // Sending it again could ask twice; the user decides.
                self.store.remove(id)?;
                return Err(ErrorInfo::new(
                    ErrorCode::Network,
                    format!(
                        "Brickdesk was closed while sending \"{}\", so it may not have reached \
                         Genie. If no answer appears in the conversation, ask it again.",
                        entry.content
                    ),
                ));
            }
            OutboxState::Queued => self.send(api, &entry, events).await?,
        };
        events(GenieEvent::Sent {
            question_id: id,
            conversation_id: conversation_id.clone(),
            message_id: message_id.clone(),
        });
        let message = self
            .poll(
                api,
                id,
                &entry.space_id,
                &conversation_id,
                &message_id,
                events,
            )
            .await;
        let message = match message {
            Ok(message) => message,
            // Genie did not say how it ended: the question stays kept, and the next time the
            // space opens it is polled again (a busy or failing workspace ends no question).
            Err(Polled::Unfinished(error)) => return Err(error),
            // The message itself is refused (gone, no access): nothing to wait for.
            Err(Polled::Refused(error)) => {
                self.store.remove(id)?;
                return Err(error);
            }
        };
        let answer = answer::build(api, &self.runs, &message).await;
        self.store.remove(id)?;
        Ok(answer)
    }

    /// Waits for the question budget, then sends the question once.
    async fn send(
        &self,
        api: &Api,
        entry: &OutboxEntry,
        events: &(impl Fn(GenieEvent) + Sync),
    ) -> Result<(String, String), ErrorInfo> {
        loop {
            let position = self.position(entry);
            self.limiter
                .take(&entry.workspace_id, |_| {
                    events(GenieEvent::Queued {
                        question_id: entry.id,
                        position,
                    });
                })
                .await;
            if !self.store.claim(entry.id)? {
                return Err(ErrorInfo::new(
                    ErrorCode::NotFound,
                    "This question was already sent or removed.",
                ));
            }
            let mut sent = post_question(api, entry, true).await;
            if let Err(error) = &sent
                && refuses_visualization(error)
            {
                // Not accepted, so sending it again does not ask twice.
                tracing::info!("the workspace refused enable_visualization; asking without it");
                sent = post_question(api, entry, false).await;
            }
            match sent {
                Ok((conversation, message)) => {
                    self.store.sent(entry.id, &conversation, &message)?;
                    return Ok((conversation, message));
                }
                // Refused before Genie took it (still throttled after the API's own waits):
                // back in the queue, and the budget counts as spent for a while.
                Err(error) if error.code == ErrorCode::RateLimited => {
                    self.store.requeue(entry.id)?;
                    self.limiter
                        .back_off(&entry.workspace_id, Duration::from_secs(30));
                }
                Err(error) => {
                    self.store.remove(entry.id)?;
                    return Err(denied_space(error));
                }
            }
        }
    }

    /// 1 for the next question of the workspace to go out.
    fn position(&self, entry: &OutboxEntry) -> u32 {
        self.store
            .pending(&entry.workspace_id)
            .map(|p| {
                p.iter()
                    .filter(|e| e.state == OutboxState::Queued && e.id <= entry.id)
                    .count()
            })
            .map_or(1, |n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn poll(
        &self,
        api: &Api,
        id: u32,
        space_id: &str,
        conversation_id: &str,
        message_id: &str,
        events: &(impl Fn(GenieEvent) + Sync),
    ) -> Result<WireMessage, Polled> {
        let path = format!(
            "{}/conversations/{}/messages/{}",
            spaces_path(space_id),
            segment(conversation_id),
            segment(message_id)
        );
        let started = Instant::now();
        let mut last: Option<MessageStatus> = None;
        let mut attempt = 0;
        // Consecutive failed looks; each doubles the wait (up to a minute).
        let mut failures = 0u32;
        loop {
            match api.get::<WireMessage>(&path).await {
                Ok(message) => {
                    failures = 0;
                    if last != Some(message.status) {
                        last = Some(message.status);
                        events(GenieEvent::Progress {
                            question_id: id,
                            status: message.status,
                            step: Step::of(message.status),
                        });
                    }
                    if message.status.is_terminal() {
                        return Ok(message);
                    }
                }
                // Throttled (still, after the API's own waits), a server error or a network
                // blip: the message is still there; look again later, more slowly.
                Err(error)
                    if matches!(
                        error.code,
                        ErrorCode::Network | ErrorCode::Server | ErrorCode::RateLimited
                    ) =>
                {
                    tracing::debug!(%error, "polling a Genie message failed; retrying");
                    failures += 1;
                }
                Err(error) => return Err(Polled::Refused(error)),
            }
            if started.elapsed() >= progress::GIVE_UP_AFTER {
                return Err(Polled::Unfinished(ErrorInfo::new(
                    ErrorCode::Server,
                    "Genie has not answered in 20 minutes. Brickdesk keeps the question and \
                     looks again the next time you open this space; you can also open the \
                     conversation later, or ask again.",
                )));
            }
            let delay = match failures {
                0 => progress::poll_delay(attempt),
                n => progress::failure_delay(n),
            };
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

/// Sends the question: a new conversation, or a follow-up. `enable_visualization` asks Genie
/// to draw its own chart too (databricks-sdk-py 0.120+ `start_conversation` and
/// `create_message`).
async fn post_question(
    api: &Api,
    entry: &OutboxEntry,
    visualization: bool,
) -> Result<(String, String), ErrorInfo> {
    let mut body = serde_json::json!({ "content": entry.content });
    if visualization {
        body["enable_visualization"] = serde_json::Value::Bool(true);
    }
    match &entry.conversation_id {
        None => api
            .post::<_, wire::StartResponse>(
                &format!("{}/start-conversation", spaces_path(&entry.space_id)),
                &body,
            )
            .await
            .map(|r| (r.conversation_id, r.message_id)),
        Some(conversation) => api
            .post::<_, WireMessage>(
                &format!(
                    "{}/conversations/{}/messages",
                    spaces_path(&entry.space_id),
                    segment(conversation)
                ),
                &body,
            )
            .await
            .map(|m| (conversation.clone(), m.message_id)),
    }
}

/// A workspace older than the field refuses it by name.
fn refuses_visualization(error: &ErrorInfo) -> bool {
    error.code == ErrorCode::InvalidInput && error.message.contains("enable_visualization")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refusal_of_the_visualization_field_is_asked_again_without_it() {
        let refused = ErrorInfo::new(
            ErrorCode::InvalidInput,
            "Invalid JSON given in the body of the request - unknown field \"enable_visualization\"",
        );
        assert!(refuses_visualization(&refused));
        assert!(!refuses_visualization(&ErrorInfo::new(
            ErrorCode::InvalidInput,
            "content is required"
        )));
        assert!(!refuses_visualization(&ErrorInfo::new(
            ErrorCode::PermissionDenied,
            "enable_visualization is not allowed"
        )));
    }
}
