//! Proxy auto-config (PAC) scripts: running `FindProxyForURL` in an embedded JavaScript engine
//! (QuickJS, through `rquickjs`), and reading what it returns.
//!
//! Boundary: this module evaluates a script it is given; fetching the script, caching its
//! answers and choosing between policy, OS and environment is [`super::resolver`]'s. A script
//! is IT's code but travels over the network, so it runs fenced in: a fresh engine per call
//! (no state carries from one host's answer to the next), 32 MiB of memory, and one second of
//! time, after which QuickJS interrupts it. It is given the scheme and host only, never a
//! path or query (as browsers do since 2016): a result link's path holds its signature.

use super::Hop;
use rquickjs::{Context, Function, Runtime};
use std::net::{IpAddr, ToSocketAddrs as _, UdpSocket};
use std::time::{Duration, Instant};

/// The standard helper functions (`shExpMatch`, `dnsDomainIs`, …), in JavaScript.
const HELPERS: &str = include_str!("pac_helpers.js");
const MEMORY_LIMIT: usize = 32 << 20;
const TIME_LIMIT: Duration = Duration::from_secs(1);

/// What `FindProxyForURL` returned for one URL, read as a list of hops to try in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacAnswer {
    pub hops: Vec<Hop>,
    /// Entries that were skipped (`SOCKS` proxies, which Brickdesk does not speak, or text
    /// that is not a PAC entry), for Test connection.
    pub skipped: Vec<String>,
}

/// Runs `script`'s `FindProxyForURL(url, host)` (or Microsoft's `FindProxyForURLEx`) for the
/// origin of `url`. Blocking (it may resolve host names): call it off the async runtime. The
/// error is a sentence for Test connection.
pub fn evaluate(script: &str, url: &url::Url) -> Result<PacAnswer, String> {
    let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']);
    let text = run(script, &origin(url), host)?;
    Ok(parse_answer(&text))
}

/// What a script (or WinHTTP) is told of `url`: `scheme://host[:port]/`, never a path or query.
pub fn origin(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{}://{host}:{port}/", url.scheme()),
        None => format!("{}://{host}/", url.scheme()),
    }
}

fn run(script: &str, url: &str, host: &str) -> Result<String, String> {
    let engine_error = |e: rquickjs::Error| format!("the JavaScript engine failed to start ({e})");
    let runtime = Runtime::new().map_err(engine_error)?;
    runtime.set_memory_limit(MEMORY_LIMIT);
    runtime.set_max_stack_size(1 << 20);
    let deadline = Instant::now() + TIME_LIMIT;
    runtime.set_interrupt_handler(Some(Box::new(move || Instant::now() > deadline)));
    let context = Context::full(&runtime).map_err(engine_error)?;
    context.with(|ctx| {
        let fail = |stage: &str, error: rquickjs::Error| {
            let thrown = ctx.catch();
            let detail = thrown
                .as_exception()
                .and_then(|e| e.message())
                .or_else(|| thrown.as_string().and_then(|s| s.to_string().ok()))
                .unwrap_or_else(|| error.to_string());
            if Instant::now() > deadline {
                format!("the script {stage} ran for more than a second and was stopped")
            } else {
                format!("the script {stage} failed: {}", truncate(&detail))
            }
        };
        let globals = ctx.globals();
        bind_natives(&ctx).map_err(engine_error)?;
        ctx.eval::<(), _>(HELPERS).map_err(|e| fail("helpers", e))?;
        ctx.eval::<(), _>(script)
            .map_err(|e| fail("itself (while loading)", e))?;
        // Microsoft's order: the IPv6-aware entry point first when a script has both.
        let (function, name): (Option<Function<'_>>, &str) =
            match globals.get::<_, Function<'_>>("FindProxyForURLEx") {
                Ok(f) => (Some(f), "FindProxyForURLEx"),
                Err(_) => (globals.get("FindProxyForURL").ok(), "FindProxyForURL"),
            };
        let Some(function) = function else {
            return Err("the script defines no FindProxyForURL function".to_owned());
        };
        let answer: rquickjs::Value<'_> = function.call((url, host)).map_err(|e| fail(name, e))?;
        match answer.as_string() {
            Some(text) => text
                .to_string()
                .map_err(|e| format!("{name} returned bad text ({e})")),
            None if answer.is_null() || answer.is_undefined() => Ok(String::new()),
            None => Err(format!("{name} returned something other than text")),
        }
    })
}

/// Name resolution (`__dnsResolve`, `__dnsResolveEx`, which the helpers wrap),
/// `myIpAddress` and `myIpAddressEx`, answered by the OS.
fn bind_natives(ctx: &rquickjs::Ctx<'_>) -> rquickjs::Result<()> {
    let globals = ctx.globals();
    // Named apart and wrapped in the helpers: scripts pass anything (`dnsResolve(undefined)`),
    // and expect `null`, not `undefined`, for a name that does not resolve.
    globals.set(
        "__dnsResolve",
        Function::new(ctx.clone(), |name: String| {
            resolve(&name)
                .into_iter()
                .find(IpAddr::is_ipv4)
                .map(|ip| ip.to_string())
        })?,
    )?;
    globals.set(
        "__dnsResolveEx",
        Function::new(ctx.clone(), |name: String| {
            let all: Vec<String> = resolve(&name).iter().map(IpAddr::to_string).collect();
            all.join(";")
        })?,
    )?;
    globals.set(
        "myIpAddress",
        Function::new(ctx.clone(), || my_address(false))?,
    )?;
    globals.set(
        "myIpAddressEx",
        Function::new(ctx.clone(), || my_address(true))?,
    )?;
    Ok(())
}

fn truncate(text: &str) -> String {
    let mut chars = text.chars();
    let cut: String = chars.by_ref().take(200).collect();
    if chars.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}

fn resolve(name: &str) -> Vec<IpAddr> {
    (name, 0)
        .to_socket_addrs()
        .map(|addrs| addrs.map(|a| a.ip()).collect())
        .unwrap_or_default()
}

/// The address this computer would use to reach the internet: a UDP socket "connected" to a
/// public address sends nothing, but the OS picks the outgoing interface for it.
fn my_address(ipv6: bool) -> String {
    let (bind, probe, fallback) = if ipv6 {
        ("[::]:0", "[2001:4860:4860::8888]:53", "::1")
    } else {
        ("0.0.0.0:0", "8.8.8.8:53", "127.0.0.1")
    };
    UdpSocket::bind(bind)
        .and_then(|socket| {
            socket.connect(probe)?;
            socket.local_addr()
        })
        .map(|addr| addr.ip().to_string())
        .unwrap_or_else(|_| fallback.to_owned())
}

/// `"PROXY a:8080; PROXY b:8080; DIRECT"` into hops. An empty answer is `DIRECT` (as in every
/// browser); `HTTPS host:port` is a proxy spoken to over TLS; `SOCKS*` entries are skipped.
pub fn parse_answer(text: &str) -> PacAnswer {
    let mut hops = Vec::new();
    let mut skipped = Vec::new();
    for entry in text.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let mut words = entry.split_whitespace();
        let kind = words.next().unwrap_or_default().to_ascii_uppercase();
        let address = words.next();
        let hop = match (kind.as_str(), address) {
            ("DIRECT", None) => Some(Hop::Direct),
            ("PROXY" | "HTTP", Some(address)) => super::ProxyAddress::parse("http", address),
            ("HTTPS", Some(address)) => super::ProxyAddress::parse("https", address),
            _ => None,
        };
        match hop {
            Some(hop) if !hops.contains(&hop) => hops.push(hop),
            Some(_) => {}
            None => skipped.push(truncate(entry)),
        }
    }
    if hops.is_empty() && skipped.is_empty() {
        hops.push(Hop::Direct);
    }
    PacAnswer { hops, skipped }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::ProxyAddress;

    fn proxy(host: &str, port: u16) -> Hop {
        Hop::Proxy(ProxyAddress {
            scheme: "http".into(),
            host: host.into(),
            port,
        })
    }

    fn answer(script: &str, url: &str) -> Result<PacAnswer, String> {
        evaluate(script, &url::Url::parse(url).expect("url"))
    }

    #[test]
    fn answers_are_read_as_browsers_read_them() {
        assert_eq!(parse_answer("").hops, vec![Hop::Direct]);
        assert_eq!(parse_answer("DIRECT").hops, vec![Hop::Direct]);
        let mixed = parse_answer("PROXY a.corp:8080; SOCKS5 s:1080;  proxy b.corp ; DIRECT");
        assert_eq!(
            mixed.hops,
            vec![proxy("a.corp", 8080), proxy("b.corp", 80), Hop::Direct]
        );
        assert_eq!(mixed.skipped, vec!["SOCKS5 s:1080".to_owned()]);
        // Only SOCKS: nothing usable, and that is said (not silently direct).
        let socks = parse_answer("SOCKS s:1080");
        assert!(socks.hops.is_empty());
        assert_eq!(socks.skipped.len(), 1);
    }

    #[test]
    fn the_standard_helpers_behave_as_documented() {
        let script = r#"
            function FindProxyForURL(url, host) {
              var checks = [
                isPlainHostName("intranet"), !isPlainHostName("a.b"),
                dnsDomainIs("www.corp.example", ".corp.example"), !dnsDomainIs("corp.example.org", ".corp.example"),
                localHostOrDomainIs("www", "www.corp.example"), !localHostOrDomainIs("www.other", "www.corp.example"),
                shExpMatch("https://x.cloud.databricks.com/", "*.cloud.databricks.com*"),
                !shExpMatch("a.b", "a?c"), shExpMatch("a.b", "a?b"), !shExpMatch("axb", "a.b"),
                isInNet("10.1.2.3", "10.0.0.0", "255.0.0.0"), !isInNet("11.1.2.3", "10.0.0.0", "255.0.0.0"),
                isInNet("127.0.0.1", "127.0.0.0", "255.255.255.0"),
                isInNetEx("192.168.5.9", "192.168.0.0/16"), !isInNetEx("192.169.5.9", "192.168.0.0/16"),
                dnsDomainLevels("a.b.c") === 2, convert_addr("1.2.3.4") === 16909060,
                dnsResolve("localhost") === "127.0.0.1", isResolvable("localhost"),
                dnsResolve("no-such-host.invalid") === null, !isResolvable("no-such-host.invalid"),
                dnsResolve(undefined) === null, !isInNet(dnsResolve("no-such-host.invalid"), "10.0.0.0", "255.0.0.0"),
                dnsResolveEx("no-such-host.invalid") === "",
                shExpMatch("host7.corp", "host[0-9].corp"), !shExpMatch("hostx.corp", "host[0-9].corp"),
                !shExpMatch("a", "[unbalanced"), !dateRange(),
                typeof myIpAddress() === "string", weekdayRange("SUN", "SAT"),
                timeRange(0, 23), dateRange("JAN", "DEC"), !dateRange(1990)
              ];
              for (var i = 0; i < checks.length; i++) if (!checks[i]) return "PROXY failed-check-" + i + ":1";
              return "DIRECT";
            }"#;
        assert_eq!(
            answer(script, "https://x.cloud.databricks.com/").expect("runs"),
            parse_answer("DIRECT")
        );
    }

    #[test]
    fn a_script_sees_the_origin_only_and_picks_per_host() {
        let script = r#"
            function FindProxyForURL(url, host) {
              if (url !== "https://" + host + "/" && url !== "https://" + host + ":8443/")
                return "PROXY leaked-path:1";
              if (dnsDomainIs(host, ".blob.core.windows.net")) return "DIRECT";
              return "PROXY a.corp:3128; DIRECT";
            }"#;
        assert_eq!(
            answer(
                script,
                "https://adb-1.azuredatabricks.net/api/2.0/x?token=1"
            )
            .expect("runs")
            .hops,
            vec![proxy("a.corp", 3128), Hop::Direct]
        );
        assert_eq!(
            answer(script, "https://s.blob.core.windows.net:8443/r?sig=secret")
                .expect("runs")
                .hops,
            vec![Hop::Direct]
        );
    }

    #[test]
    fn broken_or_hostile_scripts_fail_with_a_reason() {
        let url = "https://h.example/";
        let syntax = answer("function FindProxyForURL(url, host) {", url).expect_err("syntax");
        assert!(syntax.contains("while loading"), "{syntax}");
        let missing = answer("var x = 1;", url).expect_err("no function");
        assert!(missing.contains("no FindProxyForURL"), "{missing}");
        let throws = answer(
            "function FindProxyForURL() { throw new Error('boom'); }",
            url,
        )
        .expect_err("throws");
        assert!(throws.contains("boom"), "{throws}");
        let started = Instant::now();
        let endless =
            answer("function FindProxyForURL() { for (;;) {} }", url).expect_err("endless");
        assert!(endless.contains("more than a second"), "{endless}");
        assert!(started.elapsed() < Duration::from_secs(10));
        let hungry = answer(
            "function FindProxyForURL() { var a = []; for (;;) a.push(new Array(1e5).fill(1)); }",
            url,
        )
        .expect_err("out of memory");
        assert!(
            hungry.contains("failed") || hungry.contains("stopped"),
            "{hungry}"
        );
        // A script that set a global in one call does not see it in the next.
        let stateful = "function FindProxyForURL() { if (globalThis.seen) return 'PROXY again:1'; \
                        globalThis.seen = true; return 'DIRECT'; }";
        assert_eq!(
            answer(stateful, url).expect("first").hops,
            vec![Hop::Direct]
        );
        assert_eq!(
            answer(stateful, url).expect("second").hops,
            vec![Hop::Direct]
        );
    }

    #[test]
    fn microsofts_ex_entry_point_is_preferred_as_windows_does() {
        let only = "function FindProxyForURLEx(url, host) { return 'PROXY ex.corp:8080'; }";
        assert_eq!(
            answer(only, "https://h.example/").expect("runs").hops,
            vec![proxy("ex.corp", 8080)]
        );
        let both = "function FindProxyForURL() { return 'DIRECT'; } \
                    function FindProxyForURLEx() { return 'PROXY ex.corp:8080'; }";
        assert_eq!(
            answer(both, "https://h.example/").expect("runs").hops,
            vec![proxy("ex.corp", 8080)]
        );
    }
}
