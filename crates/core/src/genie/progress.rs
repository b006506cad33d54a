//! What a message's status means to a business user, and how often to look again.
//!
//! Polling is quick at first (most answers take seconds and each step is short), then backs
//! off to every 5 seconds, and gives up after 20 minutes, as long as databricks-sdk-py's
//! `*_and_wait` calls wait (the API guide's "10 minutes" is shorter than what Databricks' own
//! client allows a slow answer). The question stays kept, so opening the space later picks the
//! answer up.

use super::wire::MessageStatus;
use serde::Serialize;
use std::time::Duration;

/// The plain steps shown while Genie works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    ReadingMetadata,
    AskingAi,
    WaitingForWarehouse,
    RunningQuery,
    Done,
}

impl Step {
    pub fn of(status: MessageStatus) -> Self {
        match status {
            MessageStatus::Submitted
            | MessageStatus::FetchingMetadata
            | MessageStatus::FilteringContext
            | MessageStatus::Other => Self::ReadingMetadata,
            MessageStatus::AskingAi => Self::AskingAi,
            MessageStatus::PendingWarehouse => Self::WaitingForWarehouse,
            MessageStatus::ExecutingQuery => Self::RunningQuery,
            MessageStatus::Completed
            | MessageStatus::Failed
            | MessageStatus::Cancelled
            | MessageStatus::QueryResultExpired => Self::Done,
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            Self::ReadingMetadata => "Reading your data's metadata",
            Self::AskingAi => "Asking AI",
            Self::WaitingForWarehouse => "Waiting for the warehouse",
            Self::RunningQuery => "Running the query",
            Self::Done => "Done",
        }
    }
}

/// Delays between polls, then [`MAX_DELAY`] until [`GIVE_UP_AFTER`].
const DELAYS_MS: [u64; 10] = [200, 300, 400, 500, 750, 1_000, 1_500, 2_000, 3_000, 4_000];
pub const MAX_DELAY: Duration = Duration::from_secs(5);
/// As long as Databricks' own clients wait for a message: databricks-sdk-py's
/// `start_conversation_and_wait` and `create_message_and_wait` default to 20 minutes.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(20 * 60);

/// After this many failed looks in a row, the wait stops growing.
const MAX_FAILURE_DELAY: Duration = Duration::from_secs(60);

/// How long to wait after `failures` failed looks in a row (1, 2, …): 1 s, 2 s, 4 s, … up to a
/// minute, so a throttled or failing workspace is not hammered.
pub fn failure_delay(failures: u32) -> Duration {
    Duration::from_secs(1u64 << (failures.clamp(1, 7) - 1)).min(MAX_FAILURE_DELAY)
}

/// How long to wait before poll number `attempt` (0-based).
pub fn poll_delay(attempt: usize) -> Duration {
    DELAYS_MS
        .get(attempt)
        .map_or(MAX_DELAY, |ms| Duration::from_millis(*ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_fast_then_backs_off_to_five_seconds_within_ten_minutes() {
        let delays: Vec<Duration> = (0..200).map(poll_delay).collect();
        assert_eq!(delays[0], Duration::from_millis(200));
        assert!(
            delays.windows(2).all(|w| w[0] <= w[1]),
            "never faster again"
        );
        assert_eq!(*delays.last().expect("some"), MAX_DELAY);
        let first_ten: Duration = delays[..10].iter().sum();
        assert!(
            first_ten < Duration::from_secs(15),
            "{first_ten:?}: quick at first"
        );
        // Polls made before giving up: about 2 minutes of backoff then every 5 s.
        let mut total = Duration::ZERO;
        let mut polls = 0;
        while total < GIVE_UP_AFTER {
            total += poll_delay(polls);
            polls += 1;
        }
        assert!((235..=250).contains(&polls), "{polls} polls in 20 minutes");
    }

    #[test]
    fn failed_looks_back_off_to_a_minute() {
        let delays: Vec<u64> = (1..=9).map(|n| failure_delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn every_status_has_a_plain_step() {
        use MessageStatus::*;
        let steps: Vec<&str> = [
            Submitted,
            FetchingMetadata,
            FilteringContext,
            AskingAi,
            PendingWarehouse,
            ExecutingQuery,
        ]
        .into_iter()
        .map(|s| Step::of(s).text())
        .collect();
        assert_eq!(
            steps,
            [
                "Reading your data's metadata",
                "Reading your data's metadata",
                "Reading your data's metadata",
                "Asking AI",
                "Waiting for the warehouse",
                "Running the query"
            ]
        );
        for terminal in [Completed, Failed, Cancelled, QueryResultExpired] {
            assert!(terminal.is_terminal());
            assert_eq!(Step::of(terminal), Step::Done);
        }
    }
}
