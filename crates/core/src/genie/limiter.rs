//! The client side of Genie's question budget: at most N questions (new conversations and
//! follow-ups) per workspace in any 60 seconds (5 by default, as Databricks documents), so a
//! sixth question waits here, shown as "Queued", instead of being refused by the workspace.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
pub const DEFAULT_PER_MINUTE: u32 = 5;

#[derive(Debug)]
pub struct Limiter {
    per_minute: u32,
    window: Duration,
    sent: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limiter {
    pub fn new(per_minute: u32) -> Self {
        Self::with_window(per_minute, WINDOW)
    }

    /// `per_window` questions in any `window` (tests use a short window).
    pub fn with_window(per_window: u32, window: Duration) -> Self {
        Self {
            per_minute: per_window.max(1),
            window,
            sent: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a slot for `workspace` now, or says how long until one frees up.
    pub fn try_take(&self, workspace: &str, now: Instant) -> Result<(), Duration> {
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        let times = sent.entry(workspace.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        if times.len() < self.per_minute as usize {
            times.push_back(now);
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        Err(self.window.saturating_sub(now.duration_since(oldest)))
    }

    /// Waits for a slot; `waiting` is told how long, each time it has to wait.
    pub async fn take(&self, workspace: &str, mut waiting: impl FnMut(Duration)) {
        loop {
            match self.try_take(workspace, Instant::now()) {
                Ok(()) => return,
                Err(wait) => {
                    waiting(wait);
                    tokio::time::sleep(wait.max(Duration::from_millis(50))).await;
                }
            }
        }
    }

    /// A question the workspace refused with 429 did not use a slot… but the workspace is
    /// full: treat the window as full for `retry_after`.
    pub fn back_off(&self, workspace: &str, retry_after: Duration) {
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        let times = sent.entry(workspace.to_owned()).or_default();
        let at = Instant::now()
            .checked_sub(self.window.saturating_sub(retry_after))
            .unwrap_or_else(Instant::now);
        while times.len() < self.per_minute as usize {
            times.push_back(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_question_in_a_minute_waits_for_the_first_to_age_out() {
        let limiter = Limiter::new(5);
        let start = Instant::now();
        for i in 0..5 {
            assert!(
                limiter
                    .try_take("w", start + Duration::from_secs(i))
                    .is_ok()
            );
        }
        let wait = limiter
            .try_take("w", start + Duration::from_secs(10))
            .expect_err("sixth waits");
        assert_eq!(wait, Duration::from_secs(50));
        assert!(limiter.try_take("other", start).is_ok(), "per workspace");
        assert!(
            limiter
                .try_take("w", start + Duration::from_secs(60))
                .is_ok()
        );
    }
}
