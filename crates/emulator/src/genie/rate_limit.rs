//! Genie's per-workspace question budget: at most N questions (new conversations and new
//! messages) in any 60-second window, across all spaces and users, as the real service
//! enforces for the Conversation API. Polling is free.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    admitted: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            admitted: Mutex::new(VecDeque::new()),
        }
    }

    /// Counts a question in, or says in how many whole seconds one would be admitted.
    pub fn admit(&self) -> Result<(), u64> {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Result<(), u64> {
        let mut admitted = self.admitted.lock().unwrap_or_else(|p| p.into_inner());
        while admitted
            .front()
            .is_some_and(|at| now.duration_since(*at) >= WINDOW)
        {
            admitted.pop_front();
        }
        if admitted.len() < self.per_minute as usize {
            admitted.push_back(now);
            return Ok(());
        }
        let oldest = admitted.front().copied().unwrap_or(now);
        let wait = WINDOW.saturating_sub(now.duration_since(oldest));
        // Round up: a client that waits exactly Retry-After seconds must be admitted.
        Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_n_per_minute_then_says_when() {
        let limiter = RateLimiter::new(2);
        let start = Instant::now();
        assert_eq!(limiter.admit_at(start), Ok(()));
        assert_eq!(limiter.admit_at(start + Duration::from_secs(10)), Ok(()));
        assert_eq!(
            limiter.admit_at(start + Duration::from_millis(20_500)),
            Err(40)
        );
        assert_eq!(limiter.admit_at(start + Duration::from_secs(60)), Ok(()));
        assert_eq!(limiter.admit_at(start + Duration::from_secs(61)), Err(9));
    }
}
