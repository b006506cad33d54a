//! `Workspaces`: the one object the shell talks to about workspaces and sign-in. It owns the
//! profile file, the policy, the vault, the HTTP client, the sessions and the sign-ins in
//! flight, and tells a listener whenever the list or a sign-in state changes.
//!
//! Order of effects is deliberate: tokens are written to the keychain before the UI hears
//! "signed in"; a profile is saved before it is shown; secrets are deleted before "signed out".

use crate::api::Api;
use crate::auth::discovery::{self, DiscoveryStep, Endpoints};
use crate::auth::login::PendingLogins;
use crate::auth::oauth::OAuthClient;
use crate::auth::session::{Session, Source, blocking};
use crate::deep_link::OAuthCallback;
use crate::host::{WorkspaceAddress, WorkspaceHost};
use crate::policy::Policy;
use crate::profiles::file::{self, ProfileFile};
use crate::profiles::{Access, AuthKind, Profile, RedirectMode, valid_id};
use crate::vault::{SecretKind, Vault};
use crate::workspace::{DEMO_ID, SignInState, WorkspaceList, WorkspaceSummary};
use crate::{ErrorCode, ErrorInfo, Sensitive};

mod proxy_sign_in;
mod sign_in;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Called with the new list whenever it or a sign-in state changes.
pub type Listener = Arc<dyn Fn(&WorkspaceList) + Send + Sync>;

/// What the service is built from.
#[derive(Debug)]
pub struct Config {
    pub profiles_file: PathBuf,
    pub policy: Policy,
    pub vault: Vault,
    /// The local emulator's URL in the demo: a "Demo workspace" profile points at it.
    pub demo_host: Option<WorkspaceHost>,
}

/// A workspace the user adds. Secrets arrive here once and go straight to the keychain.
#[derive(Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NewWorkspace {
    pub name: String,
    pub host: String,
    pub auth: AuthKind,
    #[serde(default)]
    pub redirect: Option<RedirectMode>,
    /// What the app connection allows (default: everything).
    #[serde(default)]
    pub access: Option<Access>,
    /// The app connection's or service principal's secret, or the personal access token.
    #[serde(default)]
    pub secret: Option<String>,
}

// By hand, so the secret can never reach a log line through `{:?}`.
impl std::fmt::Debug for NewWorkspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWorkspace")
            .field("name", &self.name)
            .field("host", &self.host)
            .field("auth", &self.auth)
            .field("redirect", &self.redirect)
            .field("access", &self.access)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[derive(Debug, Default)]
struct Inner {
    file: ProfileFile,
    status: HashMap<String, SignInState>,
    sessions: HashMap<String, Arc<Session>>,
    endpoints: HashMap<String, Endpoints>,
}

pub struct Workspaces {
    profiles_file: PathBuf,
    policy: Policy,
    vault: Vault,
    http: reqwest::Client,
    /// How `http` picks each host's proxy (Test connection reports it).
    proxies: Arc<crate::proxy::resolver::Resolver>,
    inner: Mutex<Inner>,
    logins: PendingLogins,
    listener: Mutex<Option<Listener>>,
    refresh_ahead: Mutex<Option<Duration>>,
    local: Mutex<Option<Arc<crate::local::LocalDb>>>,
}

impl Workspaces {
    /// The IT policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The HTTP client every call of this service goes through (policy proxy and CA bundle).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The proxy routes `http` takes.
    pub fn proxies(&self) -> &Arc<crate::proxy::resolver::Resolver> {
        &self.proxies
    }

    /// The sign-in endpoints discovered so far this session, by workspace id.
    pub fn discovered(&self) -> HashMap<String, Endpoints> {
        self.lock().endpoints.clone()
    }

    /// Whether the OS keychain answers (a read of an entry that need not exist).
    pub fn keychain_check(&self) -> Result<(), ErrorInfo> {
        let probe = crate::vault::Binding::of("diagnostics-probe", None);
        self.vault
            .read(
                "diagnostics-probe",
                crate::vault::SecretKind::PendingSignIn,
                &probe,
            )
            .map(drop)
    }
}

impl std::fmt::Debug for Workspaces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspaces")
            .field("profiles_file", &self.profiles_file)
            .finish_non_exhaustive()
    }
}

fn not_found() -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::NotFound,
        "That workspace is no longer in your list. Pick another one in the sidebar.",
    )
}

/// A unified host was added without saying which of its workspaces.
fn several_workspaces(host: &WorkspaceHost) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::InvalidInput,
        format!(
            "{host} serves several workspaces. Open the workspace you want in your browser and \
             paste the address it shows there: it ends in ?o= and the workspace's number."
        ),
    )
}

fn managed_error() -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::PermissionDenied,
        "Your organisation manages this workspace, so it cannot be changed or removed here.",
    )
}

fn millis(at: SystemTime) -> Option<f64> {
    at.duration_since(UNIX_EPOCH)
        .ok()
        .map(|d| d.as_millis() as f64)
}

impl Workspaces {
    /// Loads the profile file (recovering from damage) and builds the service. Returns the
    /// notices the user must see (a recovered file).
    pub fn open(config: Config) -> Result<(Arc<Self>, Vec<ErrorInfo>), ErrorInfo> {
        let loaded = file::load(&config.profiles_file)?;
        let (http, proxies) = crate::net::proxied(&config.policy.network()?, |v| v)?;
        proxies.use_saved_sign_ins(Arc::new(proxy_sign_in::VaultSignIns(config.vault.clone())));
        let mut notices: Vec<ErrorInfo> = loaded.notice.into_iter().collect();
        let mut profiles = loaded.file;
        if let Some(host) = &config.demo_host {
            ensure_demo(&mut profiles, host);
            if let Err(error) = file::save(&config.profiles_file, &profiles) {
                notices.push(error);
            }
        }
        let service = Arc::new(Self {
            profiles_file: config.profiles_file,
            policy: config.policy,
            vault: config.vault,
            http,
            proxies,
            inner: Mutex::new(Inner {
                file: profiles,
                ..Inner::default()
            }),
            logins: PendingLogins::default(),
            listener: Mutex::new(None),
            refresh_ahead: Mutex::new(None),
            local: Mutex::new(None),
        });
        Ok((service, notices))
    }

    /// The local store (history, tabs, Genie questions, favourites) to clean when a
    /// workspace is removed. What it still holds for workspaces that are gone is deleted now.
    pub fn set_local_data(&self, local: Arc<crate::local::LocalDb>) -> Result<(), ErrorInfo> {
        let ids: Vec<String> = self.list().workspaces.into_iter().map(|w| w.id).collect();
        local.forget_all_but(&ids)?;
        *self.local.lock().unwrap_or_else(|p| p.into_inner()) = Some(local);
        Ok(())
    }

    fn local_data(&self) -> Option<Arc<crate::local::LocalDb>> {
        self.local.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_listener(&self, listener: Listener) {
        *self.listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(listener);
    }

    /// Refresh tokens this long before they expire (tests use short-lived tokens).
    pub fn set_refresh_ahead(&self, ahead: Duration) {
        *self.refresh_ahead.lock().unwrap_or_else(|p| p.into_inner()) = Some(ahead);
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn notify(&self) {
        let list = self.list();
        let listener = self
            .listener
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(listener) = listener {
            listener(&list);
        }
    }

    /// Managed workspaces first (policy order), then the user's.
    fn profiles(&self, inner: &Inner) -> Vec<(Profile, bool)> {
        let managed = self.policy.workspaces.iter().map(|p| (p.clone(), true));
        let own = inner
            .file
            .profiles
            .iter()
            .filter(|p| !self.policy.is_managed(&p.id))
            .map(|p| (p.clone(), false));
        managed.chain(own).collect()
    }

    pub fn profile(&self, id: &str) -> Result<(Profile, bool), ErrorInfo> {
        let inner = self.lock();
        self.profiles(&inner)
            .into_iter()
            .find(|(p, _)| p.id == id)
            .ok_or_else(not_found)
    }

    /// Why IT policy forbids using a workspace from the user's own settings file (which the
    /// user can edit by hand), if it does: policy applies to what is stored, not only to what
    /// is added through the app.
    fn blocked(&self, profile: &Profile, managed: bool) -> Option<String> {
        if managed {
            return None;
        }
        if !self.policy.allow_user_workspaces {
            return Some(
                "Your organisation's policy allows only the workspaces your IT department set \
                 up, so this one cannot be used. Remove it, or ask IT to add it for you."
                    .into(),
            );
        }
        if profile.auth == AuthKind::PersonalAccessToken
            && !self.policy.allow_personal_access_tokens
        {
            return Some(
                "Your organisation's policy does not allow personal access tokens, so this \
                 workspace cannot be used. Remove it and add it again with a browser sign-in."
                    .into(),
            );
        }
        None
    }

    /// The profile, for signing in or calling the workspace: refused when policy forbids it.
    pub fn usable_profile(&self, id: &str) -> Result<Profile, ErrorInfo> {
        let (profile, managed) = self.profile(id)?;
        match self.blocked(&profile, managed) {
            Some(reason) => Err(ErrorInfo::new(ErrorCode::PermissionDenied, reason)),
            None => Ok(profile),
        }
    }

    pub fn list(&self) -> WorkspaceList {
        let inner = self.lock();
        let workspaces: Vec<WorkspaceSummary> = self
            .profiles(&inner)
            .iter()
            .map(|(p, managed)| {
                let status = inner
                    .status
                    .get(&p.id)
                    .cloned()
                    .unwrap_or(SignInState::SignedOut { reason: None });
                let mut summary = WorkspaceSummary::new(p, *managed, status);
                summary.blocked = self.blocked(p, *managed);
                summary
            })
            .collect();
        let active_id = inner
            .file
            .active_id
            .clone()
            .filter(|id| workspaces.iter().any(|w| &w.id == id))
            .or_else(|| workspaces.first().map(|w| w.id.clone()));
        WorkspaceList {
            workspaces,
            active_id,
            can_add: self.policy.allow_user_workspaces,
            can_use_tokens: self.policy.allow_personal_access_tokens,
            sign_ins_end_on_quit: self.vault.kept_for_this_run_only(),
        }
    }

    fn save(&self, inner: &Inner) -> Result<(), ErrorInfo> {
        file::save(&self.profiles_file, &inner.file)
    }

    fn set_status(&self, id: &str, status: SignInState) {
        self.lock().status.insert(id.to_owned(), status);
        self.notify();
    }

    pub fn select(&self, id: &str) -> Result<WorkspaceList, ErrorInfo> {
        self.profile(id)?;
        {
            let mut inner = self.lock();
            inner.file.active_id = Some(id.to_owned());
            self.save(&inner)?;
        }
        self.notify();
        Ok(self.list())
    }

    /// Adds a user workspace: validates, discovers its sign-in endpoints (reporting progress),
    /// stores any secret in the keychain, saves, and makes it active.
    pub async fn add(
        &self,
        new: NewWorkspace,
        progress: impl Fn(DiscoveryStep),
    ) -> Result<WorkspaceList, ErrorInfo> {
        if !self.policy.allow_user_workspaces {
            return Err(ErrorInfo::new(
                ErrorCode::PermissionDenied,
                "Your organisation does not allow adding workspaces. Ask IT to add the one you \
                 need.",
            ));
        }
        if new.auth == AuthKind::PersonalAccessToken && !self.policy.allow_personal_access_tokens {
            return Err(ErrorInfo::new(
                ErrorCode::PermissionDenied,
                "Your organisation does not allow personal access tokens. Sign in with your \
                 browser instead.",
            ));
        }
        let address = WorkspaceAddress::parse(&new.host)?;
        let host = address.host.clone();
        self.refuse_duplicate(&host, address.workspace_id.as_deref())?;
        let name = match new.name.trim() {
            "" => host
                .as_str()
                .split("://")
                .nth(1)
                .unwrap_or(host.as_str())
                .to_owned(),
            given => given.to_owned(),
        };
        let needs_secret = matches!(
            new.auth,
            AuthKind::ServicePrincipal { .. }
                | AuthKind::PersonalAccessToken
                | AuthKind::AppConnection {
                    confidential: true,
                    ..
                }
        );
        let secret = new
            .secret
            .filter(|s| !s.trim().is_empty())
            .map(Sensitive::new);
        if needs_secret && secret.is_none() {
            let what = if new.auth == AuthKind::PersonalAccessToken {
                "the personal access token"
            } else {
                "the client secret"
            };
            return Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                format!("Enter {what}."),
            ));
        }
        let id = self.next_id(&host);
        let mut profile = Profile {
            id: id.clone(),
            name,
            host: host.to_string(),
            scopes: new.access.unwrap_or(Access::Everything).scopes(&new.auth),
            auth: new.auth,
            redirect: new.redirect.unwrap_or(RedirectMode::DeepLink),
            account_id: address.account_id.clone(),
            workspace_id: address.workspace_id.clone(),
            compressed_results: true,
            default_warehouse_id: None,
            pinned_spaces: vec![],
        };
        profile.validate()?;
        // What the host says about itself: a unified host needs a workspace id, and a
        // workspace's own host names its id (kept, as databricks-sdk-go fills an empty one).
        let metadata = if profile.auth == AuthKind::PersonalAccessToken {
            discovery::host_metadata(&self.http, &host).await?
        } else {
            let found =
                discovery::discover(&self.http, &host, profile.account_id.as_deref(), progress)
                    .await?;
            self.lock().endpoints.insert(id.clone(), found.endpoints);
            found.metadata
        };
        if let Some(metadata) = metadata.filter(discovery::HostMetadata::is_unified) {
            // A workspace's own host needs no id (its calls reach it without one); a unified
            // host needs one, from the address or, failing that, from its document.
            if profile.workspace_id.is_none() {
                profile.workspace_id = metadata.workspace_id.clone();
            }
            if profile.workspace_id.is_none() {
                self.lock().endpoints.remove(&id);
                return Err(several_workspaces(&host));
            }
            self.refuse_duplicate(&host, profile.workspace_id.as_deref())?;
            profile.account_id = profile.account_id.or(metadata.account_id);
        }
        if let Some(secret) = secret.filter(|_| needs_secret) {
            let kind = if profile.auth == AuthKind::PersonalAccessToken {
                SecretKind::PersonalAccessToken
            } else {
                SecretKind::ClientSecret
            };
            let (vault, pid, binding) = (self.vault.clone(), id.clone(), profile.binding());
            blocking(move || vault.write(&pid, kind, &secret, &binding)).await?;
        }
        {
            let mut inner = self.lock();
            inner.file.profiles.push(profile);
            inner.file.active_id = Some(id);
            self.save(&inner)?;
        }
        self.notify();
        Ok(self.list())
    }

    /// Refuses a workspace that is already in the list: the same host and, on a host that
    /// serves several, the same workspace id.
    fn refuse_duplicate(
        &self,
        host: &WorkspaceHost,
        workspace_id: Option<&str>,
    ) -> Result<(), ErrorInfo> {
        let existing = self.profiles(&self.lock()).into_iter().find(|(p, _)| {
            p.workspace_host().is_ok_and(|h| &h == host)
                && p.workspace_id().as_deref() == workspace_id
        });
        match existing {
            Some((existing, _)) => Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                format!(
                    "{} is already in your list as \u{201c}{}\u{201d}.",
                    existing.location(),
                    existing.name
                ),
            )),
            None => Ok(()),
        }
    }

    fn next_id(&self, host: &WorkspaceHost) -> String {
        let stem: String = host
            .as_str()
            .split("://")
            .nth(1)
            .unwrap_or("workspace")
            .split(['.', ':'])
            .next()
            .unwrap_or("workspace")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(40)
            .collect();
        // A random part makes every id new: a removed workspace's id is never handed to a
        // later one (which would inherit its keychain entries, history or Genie questions), and
        // no user workspace is ever `demo`.
        let stem = if stem.is_empty() || stem == DEMO_ID {
            "workspace".to_owned()
        } else {
            stem
        };
        let inner = self.lock();
        let taken = |id: &str| self.profiles(&inner).iter().any(|(p, _)| p.id == id);
        loop {
            let random: String = crate::auth::login::new_state()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(8)
                .collect::<String>()
                .to_ascii_lowercase();
            let id = format!("{stem}-{random}");
            if valid_id(&id) && !taken(&id) {
                return id;
            }
        }
    }

    /// Renames a user workspace.
    pub fn rename(&self, id: &str, name: &str) -> Result<WorkspaceList, ErrorInfo> {
        self.edit(id, |p| {
            p.name = name.trim().to_owned();
            p.validate()
        })
    }

    /// Switches a user workspace between deep-link and loopback sign-in.
    pub fn set_redirect(
        &self,
        id: &str,
        redirect: RedirectMode,
    ) -> Result<WorkspaceList, ErrorInfo> {
        self.edit(id, |p| {
            p.redirect = redirect;
            p.validate()
        })
    }

    /// Changes what the workspace asks access to. Tokens carry the scopes they were issued
    /// with, so the workspace's tokens are dropped (a service principal's secret or a PAT
    /// stays): the next sign-in asks for the new scopes.
    pub async fn set_access(&self, id: &str, access: Access) -> Result<WorkspaceList, ErrorInfo> {
        let (profile, _) = self.profile(id)?;
        let scopes = access.scopes(&profile.auth);
        if scopes == profile.scopes {
            return Ok(self.list());
        }
        self.edit(id, |p| {
            p.scopes = scopes;
            p.validate()
        })?;
        self.logins.cancel(id);
        let (vault, pid) = (self.vault.clone(), id.to_owned());
        blocking(move || vault.delete(&pid, SecretKind::RefreshToken)).await?;
        let session = self.lock().sessions.remove(id);
        if let Some(session) = session {
            session.clear().await;
        }
        let what = match access {
            Access::Everything => "everything",
            Access::SqlOnly => "SQL only",
        };
        self.set_status(
            id,
            SignInState::SignedOut {
                reason: Some(format!(
                    "Sign in again: Brickdesk now asks this workspace for {what}."
                )),
            },
        );
        Ok(self.list())
    }

    fn edit(
        &self,
        id: &str,
        change: impl FnOnce(&mut Profile) -> Result<(), ErrorInfo>,
    ) -> Result<WorkspaceList, ErrorInfo> {
        if self.policy.is_managed(id) {
            return Err(managed_error());
        }
        {
            let mut inner = self.lock();
            let profile = inner
                .file
                .profiles
                .iter_mut()
                .find(|p| p.id == id)
                .ok_or_else(not_found)?;
            let mut edited = profile.clone();
            change(&mut edited)?;
            *profile = edited;
            self.save(&inner)?;
        }
        self.notify();
        Ok(self.list())
    }

    /// Puts the user's workspaces in `order` (ids); managed ones stay first.
    pub fn reorder(&self, order: &[String]) -> Result<WorkspaceList, ErrorInfo> {
        {
            let mut inner = self.lock();
            let position = |id: &str| order.iter().position(|o| o == id).unwrap_or(usize::MAX);
            inner.file.profiles.sort_by_key(|p| position(&p.id));
            self.save(&inner)?;
        }
        self.notify();
        Ok(self.list())
    }

    /// Removes a user workspace and every keychain entry it had.
    pub async fn remove(&self, id: &str) -> Result<WorkspaceList, ErrorInfo> {
        if self.policy.is_managed(id) {
            return Err(managed_error());
        }
        self.profile(id)?;
        self.logins.cancel(id);
        let (vault, pid) = (self.vault.clone(), id.to_owned());
        blocking(move || vault.delete_all(&pid)).await?;
        if let Some(local) = self.local_data() {
            let pid = id.to_owned();
            blocking(move || local.forget_workspace(&pid)).await?;
        }
        {
            let mut inner = self.lock();
            inner.file.profiles.retain(|p| p.id != id);
            inner.sessions.remove(id);
            inner.status.remove(id);
            inner.endpoints.remove(id);
            if inner.file.active_id.as_deref() == Some(id) {
                inner.file.active_id = None;
            }
            self.save(&inner)?;
        }
        self.notify();
        Ok(self.list())
    }

    async fn endpoints(&self, profile: &Profile) -> Result<Endpoints, ErrorInfo> {
        if let Some(known) = self.lock().endpoints.get(&profile.id) {
            return Ok(known.clone());
        }
        let endpoints = discovery::discover(
            &self.http,
            &profile.workspace_host()?,
            profile.account_id.as_deref(),
            |_| {},
        )
        .await?
        .endpoints;
        self.lock()
            .endpoints
            .insert(profile.id.clone(), endpoints.clone());
        Ok(endpoints)
    }

    async fn oauth_client(&self, profile: &Profile) -> Result<OAuthClient, ErrorInfo> {
        let confidential = matches!(
            profile.auth,
            AuthKind::ServicePrincipal { .. }
                | AuthKind::AppConnection {
                    confidential: true,
                    ..
                }
        );
        let secret = if confidential {
            let (vault, id, binding) = (self.vault.clone(), profile.id.clone(), profile.binding());
            let secret =
                blocking(move || vault.read(&id, SecretKind::ClientSecret, &binding)).await?;
            Some(secret.ok_or_else(|| {
                ErrorInfo::new(
                    ErrorCode::NotSignedIn,
                    format!(
                        "The client secret of {} is not in the keychain. Remove the workspace and \
                         add it again with its secret.",
                        profile.name
                    ),
                )
            })?)
        } else {
            None
        };
        Ok(OAuthClient {
            http: self.http.clone(),
            endpoints: self.endpoints(profile).await?,
            client_id: profile.client_id().unwrap_or_default().to_owned(),
            secret,
            host_name: profile.host.clone(),
        })
    }

    /// The profile's session, created on first use.
    async fn session(&self, profile: &Profile) -> Result<Arc<Session>, ErrorInfo> {
        if let Some(session) = self.lock().sessions.get(&profile.id) {
            return Ok(session.clone());
        }
        let source = match &profile.auth {
            AuthKind::PersonalAccessToken => Source::PersonalAccessToken,
            AuthKind::ServicePrincipal { .. } => Source::ClientCredentials {
                client: self.oauth_client(profile).await?,
                scopes: profile
                    .scopes
                    .split_whitespace()
                    .filter(|s| *s != "offline_access")
                    .collect::<Vec<_>>()
                    .join(" "),
            },
            _ => Source::Refresh(self.oauth_client(profile).await?),
        };
        let mut session = Session::new(
            &profile.id,
            profile.binding(),
            &profile.host,
            source,
            self.vault.clone(),
        );
        if let Some(ahead) = *self.refresh_ahead.lock().unwrap_or_else(|p| p.into_inner()) {
            session = session.with_refresh_ahead(ahead);
        }
        let session = Arc::new(session);
        Ok(self
            .lock()
            .sessions
            .entry(profile.id.clone())
            .or_insert(session)
            .clone())
    }

    /// An authenticated API client for the workspace.
    pub async fn api(&self, id: &str) -> Result<Api, ErrorInfo> {
        let profile = self.usable_profile(id)?;
        let session = self.session(&profile).await?;
        Ok(
            Api::new(self.http.clone(), profile.workspace_host()?, session)
                .routed_to(profile.workspace_id())
                .with_compressed_results(profile.compressed_results),
        )
    }

    /// Asks the workspace who we are (SCIM Me) and records the sign-in state that follows.
    pub async fn check(&self, id: &str) -> SignInState {
        let result = async {
            let api = self.api(id).await?;
            // SCIM Me takes "any scoped token" (API reference); should a workspace refuse it
            // for scope anyway, the sign-in itself worked: signed in, name unknown.
            let user = match api
                .get::<serde_json::Value>("/api/2.0/preview/scim/v2/Me")
                .await
            {
                Ok(me) => me["userName"].as_str().map(str::to_owned),
                Err(error) if crate::api::is_scope_refusal(&error) => None,
                Err(error) => return Err(error),
            };
            let expires = api.session().expires_at().await.and_then(millis);
            Ok::<_, ErrorInfo>(SignInState::SignedIn {
                user,
                expires_at_ms: expires,
            })
        }
        .await;
        let state = match result {
            Ok(state) => state,
            Err(error) if error.code == ErrorCode::NotSignedIn => SignInState::SignedOut {
                reason: Some(error.message),
            },
            Err(error) => SignInState::Error {
                message: error.message,
            },
        };
        self.set_status(id, state.clone());
        state
    }

    /// At start-up: every workspace with a stored credential is checked in the background,
    /// the active one first (where the keychain asks, as macOS may, it asks first for the
    /// workspace on screen).
    pub async fn check_all(self: &Arc<Self>) {
        let list = self.list();
        let mut ids: Vec<String> = list
            .workspaces
            .into_iter()
            .filter(|w| w.blocked.is_none())
            .map(|w| w.id)
            .collect();
        ids.sort_by_key(|id| Some(id) != list.active_id.as_ref());
        for id in ids {
            let (vault, pid) = (self.vault.clone(), id.clone());
            match blocking(move || vault.stored(&pid)).await {
                Ok(true) => {
                    let state = self.check(&id).await;
                    tracing::info!(workspace = %id, state = state.kind(), "checked a kept sign-in");
                }
                Ok(false) => {}
                // Said, not swallowed: the workspace would look signed out for no reason.
                Err(error) => {
                    tracing::warn!(workspace = %id, "the keychain could not be read: {}", error.message);
                    self.set_status(
                        &id,
                        SignInState::Error {
                            message: error.message,
                        },
                    );
                }
            }
        }
    }
}

/// Adds the "Demo workspace" for the local emulator, or points it at `host` if it moved.
fn ensure_demo(file: &mut ProfileFile, host: &WorkspaceHost) {
    // The demo is the emulator on this computer. A profile called `demo` on a real host (from
    // an old version, or a hand edit) is not repointed: it is given a fresh id, so the demo
    // can never take a real workspace's place (its secrets stay bound to the real host).
    if !host.is_loopback() {
        tracing::warn!("the demo workspace must be on this computer; BRICKDESK_DEMO_HOST ignored");
        return;
    }
    if let Some(real) = file
        .profiles
        .iter_mut()
        .find(|p| p.id == DEMO_ID && !WorkspaceHost::parse(&p.host).is_ok_and(|h| h.is_loopback()))
    {
        real.id = format!(
            "workspace-{}",
            &crate::auth::login::new_state()[..8]
                .to_ascii_lowercase()
                .replace(['-', '_'], "x")
        );
        if file.active_id.as_deref() == Some(DEMO_ID) {
            file.active_id = Some(real.id.clone());
        }
    }
    match file.profiles.iter_mut().find(|p| p.id == DEMO_ID) {
        Some(demo) => demo.host = host.to_string(),
        None => {
            file.profiles.insert(
                0,
                Profile {
                    id: DEMO_ID.into(),
                    name: "Demo workspace".into(),
                    host: host.to_string(),
                    auth: AuthKind::AppConnection {
                        client_id: "brickdesk".into(),
                        confidential: false,
                    },
                    scopes: crate::profiles::DEFAULT_SCOPES.into(),
                    redirect: RedirectMode::DeepLink,
                    account_id: None,
                    workspace_id: None,
                    compressed_results: true,
                    default_warehouse_id: None,
                    pinned_spaces: vec![],
                },
            );
            if file.active_id.is_none() {
                file.active_id = Some(DEMO_ID.into());
            }
        }
    }
}

/// The futures the shell spawns must be `Send` (a regression here is a compile error).
#[allow(dead_code)]
fn futures_are_send(service: Arc<Workspaces>, callback: OAuthCallback) {
    fn is_send<T: Send>(_: T) {}
    is_send(async move {
        service.check("x").await;
        let _ = service.begin_sign_in("x").await;
        let _ = service.complete_sign_in(callback).await;
    });
}
