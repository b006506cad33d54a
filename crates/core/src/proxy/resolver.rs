//! The route to each host: the first rule that applies, among policy, environment and OS,
//! and the credentials a proxy on it may be given.
//!
//! Scripts come from [`super::scripts`]; each host's answer is kept for 5 minutes, or until
//! the OS's settings change ([`system::Current`]). A script that fails falls back the way
//! browsers fall back: to the OS's fixed proxy if there is one, else direct, and the route
//! says why. Auto-detection that finds no script is no failure: it is how a network without
//! WPAD answers (Windows has it on by default).

pub use super::bypass::bypasses;
use super::challenge::{Allowed, Scheme};
use super::pac::{self, PacAnswer};
use super::scripts::{Scripts, shown};
use super::system::{self, OsFailure, SystemSettings};
use super::{Hop, ProxyAddress, ProxyCredentials, ProxySignInRequest, Route, RouteRule};
use crate::net::NetworkSettings;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const ROUTE_KEPT: Duration = Duration::from_secs(5 * 60);
/// A proxy that keeps refusing is asked about once in this long (every request in between
/// would otherwise open a dialog).
const ASK_AGAIN_AFTER: Duration = Duration::from_secs(30);
/// A proxy whose sign-in the user closed without answering is not asked about again for this
/// long (they said "not now"; every failed request must not bring the dialog back).
const DISMISSED_FOR: Duration = Duration::from_secs(60 * 60);

/// Proxy sign-ins the user saved (the keychain, in the app).
pub trait SavedSignIns: Send + Sync + std::fmt::Debug {
    /// A blocking call (the OS keychain).
    fn get(&self, proxy: &ProxyAddress) -> Option<ProxyCredentials>;
}

/// Told when a proxy needs a sign-in from the user.
pub type SignInListener = std::sync::Arc<dyn Fn(ProxySignInRequest) + Send + Sync>;

struct Listener(SignInListener);

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Listener")
    }
}

/// A fixed proxy and the hosts it does not apply to.
#[derive(Debug, Clone)]
struct Fixed {
    proxy: ProxyAddress,
    credentials: Option<ProxyCredentials>,
    bypass: Option<String>,
}

impl Fixed {
    fn from(raw: &str, bypass: Option<String>) -> Option<Self> {
        let (proxy, credentials) = ProxyAddress::from_setting(raw)?;
        Some(Self {
            proxy,
            credentials,
            bypass,
        })
    }

    fn route(&self, rule: RouteRule, host: &str) -> Route {
        let hop = if bypasses(self.bypass.as_deref().unwrap_or_default(), host) {
            Hop::Direct
        } else {
            Hop::Proxy(self.proxy.clone())
        };
        Route::new(rule, vec![hop])
    }
}

/// The OS's fixed proxy, if its settings name one.
fn system_fixed(system: &SystemSettings) -> Option<Fixed> {
    system
        .fixed
        .as_deref()
        .and_then(|p| Fixed::from(p, system.bypass.clone()))
}

/// Whether a script address is fetched over plain HTTP from another host.
fn plain_http(script_url: &str) -> bool {
    match url::Url::parse(script_url.trim()) {
        Ok(url) => {
            url.scheme() == "http"
                && !url.host().is_some_and(|h| match h {
                    url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
                    url::Host::Ipv4(ip) => ip.is_loopback(),
                    url::Host::Ipv6(ip) => ip.is_loopback(),
                })
        }
        // Not a URL WinHTTP could fetch over TLS either.
        Err(_) => true,
    }
}

/// Chooses each request's route. Cheap to ask: answers are cached.
#[derive(Debug)]
pub struct Resolver {
    policy: Option<Fixed>,
    policy_pac: Option<String>,
    environment: Option<Fixed>,
    /// The OS's settings, read again when they change.
    system: system::Current,
    credentials: Option<ProxyCredentials>,
    scripts: Scripts,
    routes: Mutex<HashMap<String, (Instant, Route)>>,
    saved: std::sync::RwLock<Option<std::sync::Arc<dyn SavedSignIns>>>,
    listener: std::sync::RwLock<Option<Listener>>,
    /// When each proxy's sign-in was last asked for.
    asked: Mutex<HashMap<ProxyAddress, Instant>>,
    /// When the user closed each proxy's sign-in without answering.
    dismissed: Mutex<HashMap<ProxyAddress, Instant>>,
    /// The connection-bound scheme (NTLM, Negotiate) each proxy accepted: it never gets
    /// `Basic` after that, whatever it offers later (a downgrade is an attack's sign).
    accepted: Mutex<HashMap<ProxyAddress, Scheme>>,
    allow_basic: bool,
    required: bool,
}

/// What one proxy may be answered with: credentials, and which schemes may carry them.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub credentials: Option<ProxyCredentials>,
    pub allowed: Allowed,
}

/// `DOMAIN\user` or `user@domain`: a Windows account, whose password must not travel in
/// clear text unless IT says so.
fn domain_account(username: &str) -> bool {
    username.contains('\\') || username.contains('@')
}

impl Resolver {
    /// The resolver for `settings`, with the environment and the OS's settings as they are now.
    pub fn new(settings: &NetworkSettings, fetch: reqwest::Client) -> Self {
        let env = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
        };
        let environment = env(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
            .and_then(|p| Fixed::from(&p, env(&["NO_PROXY", "no_proxy"])));
        Self::with_system(settings, fetch, environment, system::Current::os())
    }

    /// [`Resolver::new`] with the environment's and the OS's settings given (tests).
    fn with_system(
        settings: &NetworkSettings,
        fetch: reqwest::Client,
        environment: Option<Fixed>,
        system: system::Current,
    ) -> Self {
        let text = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        Self {
            policy: text(&settings.proxy).and_then(|p| Fixed::from(&p, settings.no_proxy.clone())),
            policy_pac: text(&settings.pac_url).map(|u| u.trim().to_owned()),
            environment,
            system,
            credentials: settings.proxy_credentials.clone(),
            scripts: Scripts::new(fetch),
            routes: Mutex::new(HashMap::new()),
            saved: std::sync::RwLock::new(None),
            listener: std::sync::RwLock::new(None),
            asked: Mutex::new(HashMap::new()),
            dismissed: Mutex::new(HashMap::new()),
            accepted: Mutex::new(HashMap::new()),
            allow_basic: settings.proxy_allow_basic,
            required: settings.proxy_required,
        }
    }

    /// The route by a rule that needs no script, if one applies (the policy's or the
    /// environment's fixed proxy, or nothing configured at all).
    pub fn fixed_route(&self, host: &str) -> Option<Route> {
        if let Some(policy) = &self.policy {
            return Some(policy.route(RouteRule::Policy, host));
        }
        if self.policy_pac.is_some() {
            return None;
        }
        if let Some(environment) = &self.environment {
            return Some(environment.route(RouteRule::Environment, host));
        }
        let system = self.system.settings();
        if system.pac_url.is_some() || system.auto_detect {
            return None;
        }
        if let Some(fixed) = system_fixed(&system) {
            return Some(fixed.route(RouteRule::System, host));
        }
        Some(Route::new(RouteRule::Unconfigured, vec![Hop::Direct]))
    }

    /// The route to `url`'s host.
    pub async fn route(&self, url: &url::Url) -> Route {
        if self.system.refresh().await {
            self.routes.lock().expect("routes").clear();
        }
        let host = url.host_str().unwrap_or_default().to_owned();
        if let Some(route) = self.fixed_route(&host) {
            return route;
        }
        let key = format!(
            "{}://{}:{}",
            url.scheme(),
            host,
            url.port_or_known_default().unwrap_or(0)
        );
        if let Some((at, route)) = self.routes.lock().expect("routes").get(&key)
            && at.elapsed() < ROUTE_KEPT
        {
            return route.clone();
        }
        let route = self.scripted(url).await;
        self.routes
            .lock()
            .expect("routes")
            .insert(key, (Instant::now(), route.clone()));
        route
    }

    async fn scripted(&self, url: &url::Url) -> Route {
        let system = self.system.settings();
        let (rule, script_url) = match &self.policy_pac {
            Some(pac) => (RouteRule::PolicyPac, Some(pac.clone())),
            None => (RouteRule::SystemPac, system.pac_url.clone()),
        };
        let system_fixed = system_fixed(&system);
        let fallback = match rule {
            RouteRule::SystemPac => system_fixed.as_ref(),
            _ => None,
        };
        let required = rule == RouteRule::PolicyPac && self.required;
        let fail = |problem: String| {
            let host = url.host_str().unwrap_or_default();
            if required {
                // IT's script or nothing: no hop, and the reason for the error.
                let mut route = Route::new(rule, Vec::new());
                route.problem = Some(format!(
                    "{problem}; Brickdesk's policy requires its proxy (proxyRequired), so \
                     Brickdesk does not go direct"
                ));
                return route;
            }
            let mut route = match fallback {
                Some(fixed) => fixed.route(rule, host),
                None => Route::new(rule, vec![Hop::Direct]),
            };
            route.problem = Some(format!(
                "{problem}; Brickdesk goes {} instead, as browsers do",
                route.hops[0]
            ));
            route
        };
        let shown_url = script_url.as_deref().map(shown);
        let answer = if rule == RouteRule::SystemPac {
            match self.system.evaluate(url).await {
                Some(Ok(text)) => Ok(system::winhttp_answer(&text)),
                // No script on this network: the OS's fixed proxy, else direct, as the OS's
                // own settings say; nothing a user or IT must hear about.
                Some(Err(OsFailure::NothingDetected)) => {
                    let host = url.host_str().unwrap_or_default();
                    return match &system_fixed {
                        Some(fixed) => fixed.route(RouteRule::System, host),
                        None => Route::new(RouteRule::Unconfigured, vec![Hop::Direct]),
                    };
                }
                Some(Err(OsFailure::Failed(problem))) => Err(problem),
                None => self.run_script(script_url.as_deref(), url).await,
            }
        } else {
            self.run_script(script_url.as_deref(), url).await
        };
        let mut route = match answer {
            Ok(PacAnswer { hops, skipped }) if !hops.is_empty() => {
                let mut route = Route::new(rule, hops);
                if !skipped.is_empty() {
                    route.problem = Some(format!(
                        "the script also named {}, which Brickdesk cannot use (SOCKS)",
                        skipped.join(", ")
                    ));
                }
                route
            }
            Ok(PacAnswer { skipped, .. }) => fail(format!(
                "the auto-config script named only proxies Brickdesk cannot use ({})",
                skipped.join(", ")
            )),
            Err(problem) => fail(problem),
        };
        route.script =
            shown_url.or_else(|| system.auto_detect.then(|| "WPAD auto-detection".to_owned()));
        route
    }

    async fn run_script(
        &self,
        script_url: Option<&str>,
        url: &url::Url,
    ) -> Result<PacAnswer, String> {
        let Some(script_url) = script_url else {
            return Err(
                "this computer is set to find its proxy automatically (WPAD), which \
                        Brickdesk supports on Windows and macOS only; IT can name the script \
                        with the proxyAutoConfigUrl policy key"
                    .to_owned(),
            );
        };
        let script = self.scripts.get(script_url).await?;
        let url = url.clone();
        tokio::task::spawn_blocking(move || pac::evaluate(&script, &url))
            .await
            .map_err(|_| "the auto-config script could not be run".to_owned())?
            .map_err(|e| {
                format!(
                    "the auto-config script at {} failed: {e}",
                    shown(script_url)
                )
            })
    }

    /// The credentials written into `proxy`'s own setting, if it is the policy's or the
    /// environment's proxy.
    pub(crate) fn written_into(&self, proxy: &ProxyAddress) -> Option<ProxyCredentials> {
        [&self.policy, &self.environment]
            .into_iter()
            .flatten()
            .find(|f| &f.proxy == proxy)
            .and_then(|f| f.credentials.clone())
    }

    /// Whether a WPAD answer or a script fetched over plain HTTP could have chosen `route`:
    /// anyone on the local network can answer WPAD's DHCP and DNS questions, or change such a
    /// script on its way, and name a proxy of their own. (Brickdesk fetches no plain-HTTP
    /// script itself; on Windows, WinHTTP fetches the OS's, and tries WPAD first when both
    /// are set.)
    pub fn discovered(&self, route: &Route) -> bool {
        let system = self.system.settings();
        route.rule == RouteRule::SystemPac
            && (system.auto_detect || system.pac_url.as_deref().is_none_or(plain_http))
    }

    /// What `proxy` on `route` may be answered with. Credentials: those written into its own
    /// setting, else the ones the user saved for it (their own account wins over a shared
    /// one from policy), else the policy's; none of those for a proxy that was
    /// [discovered](Self::discovered). Schemes: `Basic` (clear text) never to a proxy that
    /// accepted NTLM or Negotiate before, and for a saved or domain password only where IT
    /// allows it (`proxyAllowBasic`), as the fallback after a refused NTLM or Negotiate too;
    /// the Windows user's NTLM never to a discovered proxy.
    pub async fn sign_in_for(&self, proxy: &ProxyAddress, route: &Route) -> SignIn {
        let bound_before = self
            .accepted
            .lock()
            .expect("accepted")
            .get(proxy)
            .is_some_and(|s| *s != Scheme::Basic);
        let discovered = self.discovered(route);
        let allowed = |basic: bool| Allowed {
            basic: basic && !bound_before,
            basic_fallback: self.allow_basic && !bound_before,
            windows_ntlm: !discovered,
        };
        if let Some(written) = self.written_into(proxy) {
            return SignIn {
                credentials: Some(written),
                allowed: allowed(true),
            };
        }
        if discovered {
            return SignIn {
                credentials: None,
                allowed: allowed(false),
            };
        }
        let saved = self.saved.read().expect("saved").clone();
        if let Some(saved) = saved {
            let address = proxy.clone();
            let found = tokio::task::spawn_blocking(move || saved.get(&address))
                .await
                .ok()
                .flatten();
            if let Some(found) = found {
                // The dialog asks for a network password: in clear text only by policy, or
                // for an account that is not a domain one.
                let basic = self.allow_basic || !domain_account(&found.username);
                return SignIn {
                    credentials: Some(found),
                    allowed: allowed(basic),
                };
            }
        }
        let credentials = self.credentials.clone();
        let basic = self.allow_basic
            || credentials
                .as_ref()
                .is_some_and(|c| !domain_account(&c.username));
        SignIn {
            credentials,
            allowed: allowed(basic),
        }
    }

    /// `proxy` accepted Brickdesk's `scheme` sign-in.
    pub fn accepted(&self, proxy: &ProxyAddress, scheme: &str) {
        let scheme = match scheme {
            "NTLM" => Scheme::Ntlm,
            "Negotiate" => Scheme::Negotiate,
            _ => return,
        };
        self.accepted
            .lock()
            .expect("accepted")
            .insert(proxy.clone(), scheme);
    }

    /// Where the user's saved proxy sign-ins are read from.
    pub fn use_saved_sign_ins(&self, saved: std::sync::Arc<dyn SavedSignIns>) {
        *self.saved.write().expect("saved") = Some(saved);
    }

    /// Who is told when a proxy needs the user's sign-in.
    pub fn on_sign_in_needed(&self, listener: SignInListener) {
        *self.listener.write().expect("listener") = Some(Listener(listener));
    }

    /// Whether the user may be asked to sign in to `proxy` on `route`: only for a proxy IT's
    /// policy or the OS's own fixed settings name, where the user's network password belongs.
    /// Never for one a WPAD answer or a script could have picked, nor a loopback port the
    /// policy does not name (on a shared computer, any user can listen there).
    fn may_ask(&self, proxy: &ProxyAddress, route: &Route) -> bool {
        let loopback = proxy.host.eq_ignore_ascii_case("localhost")
            || proxy
                .host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        match route.rule {
            RouteRule::Policy => true,
            RouteRule::PolicyPac | RouteRule::System => !loopback,
            RouteRule::Environment | RouteRule::SystemPac | RouteRule::Unconfigured => false,
        }
    }

    /// The user closed `proxy`'s sign-in without answering: not asked again for an hour.
    pub fn dismissed(&self, proxy: &ProxyAddress) {
        self.dismissed
            .lock()
            .expect("dismissed")
            .insert(proxy.clone(), Instant::now());
    }

    /// Tells the listener, at most once per proxy in [`ASK_AGAIN_AFTER`], never while the
    /// user's "not now" holds, and only where [`Self::may_ask`].
    pub(crate) fn sign_in_needed(
        &self,
        proxy: &ProxyAddress,
        route: &Route,
        schemes: Vec<String>,
        refused: bool,
    ) {
        if !self.may_ask(proxy, route) {
            return;
        }
        if self
            .dismissed
            .lock()
            .expect("dismissed")
            .get(proxy)
            .is_some_and(|at| at.elapsed() < DISMISSED_FOR)
        {
            return;
        }
        let Some(listener) = self
            .listener
            .read()
            .expect("listener")
            .as_ref()
            .map(|l| l.0.clone())
        else {
            return;
        };
        {
            let mut asked = self.asked.lock().expect("asked");
            if asked
                .get(proxy)
                .is_some_and(|at| at.elapsed() < ASK_AGAIN_AFTER)
            {
                return;
            }
            asked.insert(proxy.clone(), Instant::now());
        }
        listener(ProxySignInRequest {
            proxy: proxy.authority(),
            schemes,
            refused,
        });
    }

    /// The user answered for `proxy`: the next refusal may ask again at once.
    pub fn signed_in(&self, proxy: &ProxyAddress) {
        self.asked.lock().expect("asked").remove(proxy);
        self.dismissed.lock().expect("dismissed").remove(proxy);
    }

    /// What went wrong choosing routes lately (a script that could not be fetched or run), once
    /// each, for the support report.
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .routes
            .lock()
            .expect("routes")
            .values()
            .filter_map(|(_, route)| route.problem.clone())
            .collect();
        problems.sort();
        problems.dedup();
        problems
    }

    /// Whether any rule can send a request to a proxy (else reqwest goes direct).
    pub fn may_use_proxy(&self, host: &str) -> bool {
        self.fixed_route(host).is_none_or(|r| r.uses_proxy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client for the script fetcher (reqwest needs rustls' provider installed first, which
    /// the app's own client builder does; a test run alone must not depend on another).
    fn client() -> reqwest::Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::new()
    }

    fn resolver(settings: NetworkSettings, system: SystemSettings, env: Option<&str>) -> Resolver {
        Resolver::with_system(
            &settings,
            client(),
            env.and_then(|e| Fixed::from(e, None)),
            system::Current::new(
                std::sync::Arc::new(move || system.clone()),
                std::sync::Arc::new(|_, _| None),
            ),
        )
    }

    #[test]
    fn the_first_rule_that_applies_wins() {
        let system = SystemSettings {
            fixed: Some("system.corp:8080".into()),
            ..SystemSettings::default()
        };
        let all = resolver(
            NetworkSettings {
                proxy: Some("http://policy.corp:3128".into()),
                ..NetworkSettings::default()
            },
            system.clone(),
            Some("http://env.corp:1"),
        );
        let route = all.fixed_route("h.example").expect("fixed");
        assert_eq!(route.rule, RouteRule::Policy);
        assert_eq!(
            route.hops[0].to_string(),
            "the proxy http://policy.corp:3128"
        );
        let env = resolver(
            NetworkSettings::default(),
            system.clone(),
            Some("http://env.corp:1"),
        );
        assert_eq!(
            env.fixed_route("h").expect("env").rule,
            RouteRule::Environment
        );
        let os = resolver(NetworkSettings::default(), system, None);
        assert_eq!(os.fixed_route("h").expect("os").rule, RouteRule::System);
        let pac = resolver(
            NetworkSettings {
                pac_url: Some("https://pac.corp/p.pac".into()),
                ..NetworkSettings::default()
            },
            SystemSettings::default(),
            Some("http://env.corp:1"),
        );
        assert!(
            pac.fixed_route("h").is_none(),
            "the policy's script outranks HTTPS_PROXY"
        );
        let nothing = resolver(NetworkSettings::default(), SystemSettings::default(), None);
        assert_eq!(
            nothing.fixed_route("h").expect("none").hops,
            vec![Hop::Direct]
        );
        assert!(!nothing.may_use_proxy("h"));
    }

    #[tokio::test]
    async fn the_policys_password_is_not_given_to_a_proxy_wpad_found() {
        let settings = NetworkSettings {
            proxy_credentials: Some(ProxyCredentials {
                username: "CORP\\svc".into(),
                password: crate::sensitive::Sensitive::new("pw".into()),
            }),
            ..NetworkSettings::default()
        };
        let proxy = ProxyAddress {
            scheme: "http".into(),
            host: "wpad-proxy.lan".into(),
            port: 8080,
        };
        let route = |rule| Route::new(rule, vec![Hop::Proxy(proxy.clone())]);
        let wpad = resolver(
            settings.clone(),
            SystemSettings {
                auto_detect: true,
                ..SystemSettings::default()
            },
            None,
        );
        assert!(
            wpad.sign_in_for(&proxy, &route(RouteRule::SystemPac))
                .await
                .credentials
                .is_none()
        );
        let named = resolver(
            settings,
            SystemSettings {
                pac_url: Some("https://pac.corp/p.pac".into()),
                ..SystemSettings::default()
            },
            None,
        );
        for rule in [
            RouteRule::SystemPac,
            RouteRule::System,
            RouteRule::PolicyPac,
        ] {
            assert!(
                named
                    .sign_in_for(&proxy, &route(rule))
                    .await
                    .credentials
                    .is_some(),
                "{rule:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_script_over_plain_http_or_wpad_off_windows_falls_back_and_says_why() {
        let plain = resolver(
            NetworkSettings {
                pac_url: Some("http://wpad.corp/proxy.pac?key=abc".into()),
                ..NetworkSettings::default()
            },
            SystemSettings::default(),
            None,
        );
        let route = plain
            .route(&url::Url::parse("https://h.example/").expect("url"))
            .await;
        assert_eq!(route.hops, vec![Hop::Direct]);
        let problem = route.problem.expect("a problem");
        assert!(problem.contains("plain HTTP"), "{problem}");
        assert!(!problem.contains("key=abc"), "{problem}");
        #[cfg(not(windows))]
        {
            let wpad = resolver(
                NetworkSettings::default(),
                SystemSettings {
                    auto_detect: true,
                    fixed: Some("fallback.corp:8080".into()),
                    ..SystemSettings::default()
                },
                None,
            );
            let route = wpad
                .route(&url::Url::parse("https://h.example/").expect("url"))
                .await;
            assert_eq!(
                route.hops[0].to_string(),
                "the proxy http://fallback.corp:8080"
            );
            assert!(route.problem.expect("problem").contains("WPAD"));
        }
    }

    #[derive(Debug)]
    struct Saved(ProxyCredentials);

    impl SavedSignIns for Saved {
        fn get(&self, _proxy: &ProxyAddress) -> Option<ProxyCredentials> {
            Some(self.0.clone())
        }
    }

    fn account(username: &str) -> ProxyCredentials {
        ProxyCredentials {
            username: username.into(),
            password: crate::sensitive::Sensitive::new("pw".into()),
        }
    }

    /// A resolver whose OS settings come from `settings` (changeable) and whose OS evaluator
    /// answers `answer`, counting its calls.
    fn resolver_over(
        settings: std::sync::Arc<Mutex<SystemSettings>>,
        answer: Option<Result<String, OsFailure>>,
    ) -> (Resolver, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = asked.clone();
        let resolver = Resolver::with_system(
            &NetworkSettings::default(),
            client(),
            None,
            system::Current::new(
                std::sync::Arc::new(move || settings.lock().expect("settings").clone()),
                std::sync::Arc::new(move |_, _| {
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    answer.clone()
                }),
            ),
        );
        (resolver, asked)
    }

    #[tokio::test]
    async fn wpad_finding_nothing_is_the_os_fixed_proxy_or_direct_asked_once_and_no_problem() {
        for fixed in [None, Some("proxy.corp:8080")] {
            let settings = std::sync::Arc::new(Mutex::new(SystemSettings {
                auto_detect: true,
                fixed: fixed.map(str::to_owned),
                ..SystemSettings::default()
            }));
            let (resolver, asked) = resolver_over(settings, Some(Err(OsFailure::NothingDetected)));
            for host in ["a.cloud.databricks.com", "b.cloud.databricks.com"] {
                let url = url::Url::parse(&format!("https://{host}/")).expect("url");
                let route = resolver.route(&url).await;
                assert_eq!(route.problem, None, "{route:?}");
                let shown: Vec<String> = route.hops.iter().map(ToString::to_string).collect();
                match fixed {
                    None => assert_eq!(route.hops, vec![Hop::Direct]),
                    Some(_) => {
                        assert_eq!(shown, ["the proxy http://proxy.corp:8080"]);
                        // The OS's own fixed proxy, not one a WPAD answer chose.
                        assert!(!resolver.discovered(&route));
                    }
                }
            }
            assert_eq!(
                asked.load(std::sync::atomic::Ordering::SeqCst),
                1,
                "a network without WPAD is asked about once, not per host"
            );
            assert!(resolver.problems().is_empty(), "{:?}", resolver.problems());
        }
    }

    #[tokio::test]
    async fn a_network_change_is_seen_without_a_restart() {
        let settings = std::sync::Arc::new(Mutex::new(SystemSettings {
            fixed: Some("office-proxy.corp:8080".into()),
            ..SystemSettings::default()
        }));
        let (resolver, _) = resolver_over(settings.clone(), None);
        let url = url::Url::parse("https://a.cloud.databricks.com/").expect("url");
        let proxy = |route: Route| {
            route
                .hops
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            proxy(resolver.route(&url).await),
            ["the proxy http://office-proxy.corp:8080"]
        );
        // At home: no proxy any more, and the OS says the network changed.
        *settings.lock().expect("settings") = SystemSettings::default();
        system::changed();
        assert_eq!(resolver.route(&url).await.hops, vec![Hop::Direct]);
        // The VPN's script: a scripted route, chosen again after the next change.
        *settings.lock().expect("settings") = SystemSettings {
            auto_detect: true,
            ..SystemSettings::default()
        };
        system::changed();
        let route = resolver.route(&url).await;
        assert_eq!(route.rule, RouteRule::SystemPac, "{route:?}");
    }

    fn proxy_at(host: &str) -> ProxyAddress {
        ProxyAddress {
            scheme: "http".into(),
            host: host.into(),
            port: 8080,
        }
    }

    #[tokio::test]
    async fn a_route_wpad_or_a_plain_http_script_chose_gets_no_password_and_no_windows_ntlm() {
        let proxy = proxy_at("proxy.lan");
        let route = Route::new(RouteRule::SystemPac, vec![Hop::Proxy(proxy.clone())]);
        for system in [
            // WPAD and a named script both on: WinHTTP asks WPAD first.
            SystemSettings {
                auto_detect: true,
                pac_url: Some("https://pac.corp/p.pac".into()),
                ..SystemSettings::default()
            },
            SystemSettings {
                pac_url: Some("http://pac.corp/p.pac".into()),
                ..SystemSettings::default()
            },
        ] {
            let resolver = resolver(
                NetworkSettings {
                    proxy_credentials: Some(account("CORP\\svc")),
                    ..NetworkSettings::default()
                },
                system.clone(),
                None,
            );
            resolver.use_saved_sign_ins(std::sync::Arc::new(Saved(account("CORP\\alice"))));
            assert!(resolver.discovered(&route), "{system:?}");
            let sign_in = resolver.sign_in_for(&proxy, &route).await;
            assert!(sign_in.credentials.is_none(), "{system:?}");
            assert!(!sign_in.allowed.windows_ntlm, "{system:?}");
        }
    }

    #[tokio::test]
    async fn basic_carries_a_domain_password_only_by_policy_and_never_after_ntlm_worked() {
        let proxy = proxy_at("proxy.corp");
        let route = Route::new(RouteRule::Policy, vec![Hop::Proxy(proxy.clone())]);
        let with = |allow_basic, username: &str| {
            resolver(
                NetworkSettings {
                    proxy_credentials: Some(account(username)),
                    proxy_allow_basic: allow_basic,
                    ..NetworkSettings::default()
                },
                SystemSettings::default(),
                None,
            )
        };
        let domain = with(false, "CORP\\alice").sign_in_for(&proxy, &route).await;
        assert!(!domain.allowed.basic && !domain.allowed.basic_fallback);
        assert!(
            domain.allowed.windows_ntlm,
            "NTLM is what a domain account is for"
        );
        let upn = with(false, "alice@corp.example")
            .sign_in_for(&proxy, &route)
            .await;
        assert!(!upn.allowed.basic);
        let service = with(false, "svc-brickdesk")
            .sign_in_for(&proxy, &route)
            .await;
        assert!(service.allowed.basic && !service.allowed.basic_fallback);
        let allowed = with(true, "CORP\\alice");
        let sign_in = allowed.sign_in_for(&proxy, &route).await;
        assert!(sign_in.allowed.basic && sign_in.allowed.basic_fallback);
        // Once NTLM worked, Basic is an attack's sign, whatever the policy.
        allowed.accepted(&proxy, "NTLM");
        let after = allowed.sign_in_for(&proxy, &route).await;
        assert!(!after.allowed.basic && !after.allowed.basic_fallback);
        let other = allowed.sign_in_for(&proxy_at("other.corp"), &route).await;
        assert!(other.allowed.basic, "remembered per proxy");
        // The user's saved domain password: the same rule.
        let saved = with(false, "svc");
        saved.use_saved_sign_ins(std::sync::Arc::new(Saved(account("CORP\\bob"))));
        let sign_in = saved.sign_in_for(&proxy, &route).await;
        assert_eq!(
            sign_in.credentials.map(|c| c.username).as_deref(),
            Some("CORP\\bob")
        );
        assert!(!sign_in.allowed.basic);
    }

    #[test]
    fn the_user_is_asked_only_for_it_and_os_proxies_and_not_again_after_not_now() {
        let asked = std::sync::Arc::new(Mutex::new(Vec::<String>::new()));
        let heard = asked.clone();
        let resolver = resolver(NetworkSettings::default(), SystemSettings::default(), None);
        resolver.on_sign_in_needed(std::sync::Arc::new(move |request| {
            heard.lock().expect("asked").push(request.proxy);
        }));
        let ask = |host: &str, rule| {
            let proxy = proxy_at(host);
            let route = Route::new(rule, vec![Hop::Proxy(proxy.clone())]);
            resolver.sign_in_needed(&proxy, &route, vec!["Basic".into()], false);
        };
        ask("wpad.lan", RouteRule::SystemPac);
        ask("127.0.0.1", RouteRule::System);
        ask("localhost", RouteRule::PolicyPac);
        ask("env.corp", RouteRule::Environment);
        assert!(asked.lock().expect("asked").is_empty(), "{asked:?}");
        ask("os.corp", RouteRule::System);
        ask("policy.corp", RouteRule::Policy);
        ask("127.0.0.1", RouteRule::Policy);
        assert_eq!(
            *asked.lock().expect("asked"),
            ["os.corp:8080", "policy.corp:8080", "127.0.0.1:8080"]
        );
        // "Not now": not asked again, even once the 30 seconds are over.
        let os = proxy_at("os.corp");
        resolver.dismissed(&os);
        resolver.asked.lock().expect("asked").clear();
        ask("os.corp", RouteRule::System);
        assert_eq!(asked.lock().expect("asked").len(), 3);
        // Until the user signs in themselves.
        resolver.signed_in(&os);
        ask("os.corp", RouteRule::System);
        assert_eq!(asked.lock().expect("asked").len(), 4);
    }

    #[tokio::test]
    async fn a_required_policy_script_that_fails_leaves_no_way_out_but_says_why() {
        let required = resolver(
            NetworkSettings {
                pac_url: Some("file:///nonexistent/brickdesk-test/proxy.pac".into()),
                proxy_required: true,
                ..NetworkSettings::default()
            },
            SystemSettings::default(),
            None,
        );
        let route = required
            .route(&url::Url::parse("https://h.example/").expect("url"))
            .await;
        assert!(route.hops.is_empty(), "{route:?}");
        assert!(
            route
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("proxyRequired")),
            "{route:?}"
        );
    }
}
