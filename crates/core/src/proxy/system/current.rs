//! The OS's proxy settings as they are now, not as they were at start-up: a laptop joins the
//! VPN, or wakes at home after a day behind the office proxy, while Brickdesk keeps running.
//!
//! [`Current`] reads the settings again when the OS says the network changed (see
//! [`super::watch`]) and at least every [`RECHECK`], and says when they differ, so that the
//! resolver drops the routes it chose under the old ones. It also asks the OS for a URL's
//! proxy where the OS evaluates auto-config itself (Windows), and remembers for
//! [`NOTHING_DETECTED_KEPT`] that auto-detection found nothing: every host would otherwise
//! wait on the same DHCP and DNS questions again.

use super::{OsFailure, SystemSettings};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Settings are read again at least this often (Linux tells no one of a change).
pub const RECHECK: Duration = Duration::from_secs(60);
/// "Auto-detection found nothing" holds this long before WinHTTP is asked again.
pub const NOTHING_DETECTED_KEPT: Duration = Duration::from_secs(2 * 60);

/// Reads the OS's settings (a blocking call).
pub type Reader = Arc<dyn Fn() -> SystemSettings + Send + Sync>;
/// The OS's own proxy for a URL, where it evaluates scripts itself (a blocking call).
pub type Evaluator =
    Arc<dyn Fn(&SystemSettings, &url::Url) -> Option<Result<String, OsFailure>> + Send + Sync>;

pub struct Current {
    read: Reader,
    evaluate: Evaluator,
    settings: RwLock<SystemSettings>,
    /// When the settings were last read, and the OS's change count then.
    checked: Mutex<(Instant, u64)>,
    nothing_detected: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Current {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Current")
            .field("settings", &self.settings())
            .finish_non_exhaustive()
    }
}

impl Current {
    /// This OS's settings and evaluator, watching for changes.
    pub fn os() -> Self {
        super::watch();
        Self::new(Arc::new(super::read), Arc::new(super::os_evaluates))
    }

    /// Settings from `read` (read now, and again when due), proxies from `evaluate`.
    pub fn new(read: Reader, evaluate: Evaluator) -> Self {
        let settings = read();
        Self {
            read,
            evaluate,
            settings: RwLock::new(settings),
            checked: Mutex::new((Instant::now(), super::changes())),
            nothing_detected: Mutex::new(None),
        }
    }

    /// The settings as last read.
    pub fn settings(&self) -> SystemSettings {
        self.settings.read().expect("settings").clone()
    }

    /// Reads the settings again if the OS said they changed or [`RECHECK`] passed; `true`
    /// when they differ from before.
    pub async fn refresh(&self) -> bool {
        {
            let mut checked = self.checked.lock().expect("checked");
            let changes = super::changes();
            if checked.0.elapsed() < RECHECK && checked.1 == changes {
                return false;
            }
            // Marked first: callers meanwhile use the settings they have.
            *checked = (Instant::now(), changes);
        }
        let read = self.read.clone();
        let Ok(fresh) = tokio::task::spawn_blocking(move || read()).await else {
            return false;
        };
        let mut settings = self.settings.write().expect("settings");
        if *settings == fresh {
            return false;
        }
        tracing::info!("the OS's proxy settings changed; routes are chosen again");
        *settings = fresh;
        *self.nothing_detected.lock().expect("nothing detected") = None;
        true
    }

    /// The OS's proxy for `url` (`None` where Brickdesk runs scripts itself).
    pub async fn evaluate(&self, url: &url::Url) -> Option<Result<String, OsFailure>> {
        if self
            .nothing_detected
            .lock()
            .expect("nothing detected")
            .is_some_and(|at| at.elapsed() < NOTHING_DETECTED_KEPT)
        {
            return Some(Err(OsFailure::NothingDetected));
        }
        let settings = self.settings();
        let evaluate = self.evaluate.clone();
        let url = url.clone();
        let answer = tokio::task::spawn_blocking(move || evaluate(&settings, &url))
            .await
            .unwrap_or(None);
        if matches!(answer, Some(Err(OsFailure::NothingDetected))) {
            *self.nothing_detected.lock().expect("nothing detected") = Some(Instant::now());
        }
        answer
    }
}
