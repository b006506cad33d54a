//! Proxy exception lists (`NO_PROXY`, the policy's `noProxy`, Windows' `ProxyOverride`, macOS'
//! `ExceptionsList`, GNOME's `ignore-hosts`), matched the way their owners document them.

use std::net::IpAddr;

/// Whether `host` is on the list. Entries are separated by commas, semicolons or spaces:
/// `*` (everything), exact names and IP addresses (IPv6 with or without brackets), domain
/// suffixes (`corp`, `.corp`, `*.corp`), globs with `*` anywhere (`10.*`, `*.corp.*`), IP
/// networks (`10.0.0.0/8`, `fd00::/8`), Windows' `<local>` (names without a dot), and any of
/// these with a `:port` (the port is not compared: exceptions are meant per host).
pub fn bypasses(list: &str, host: &str) -> bool {
    let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
    let host_ip = host.parse::<IpAddr>().ok();
    list.split([',', ';', ' '])
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .any(|entry| matches(&entry, &host, host_ip))
}

fn matches(entry: &str, host: &str, host_ip: Option<IpAddr>) -> bool {
    if entry == "*" {
        return true;
    }
    if entry == "<local>" {
        return !host.contains('.') && !host.contains(':');
    }
    if let Some((network, bits)) = entry.split_once('/') {
        return in_network(host_ip, network.trim_matches(['[', ']']), bits);
    }
    let entry = without_port(entry);
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return host_ip == Some(ip);
    }
    if entry.contains('*') && !entry.trim_start_matches("*.").contains('*') {
        // `*.corp`: a suffix.
    } else if entry.contains('*') {
        return glob(entry, host);
    }
    let domain = entry.trim_start_matches('*').trim_start_matches('.');
    !domain.is_empty() && (host == domain || host.ends_with(&format!(".{domain}")))
}

/// `host:port` → `host`; `[v6]:port` → `v6`; a bare IPv6 address stays whole.
fn without_port(entry: &str) -> &str {
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            host
        }
        _ => entry,
    }
}

/// `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut at = first.len();
    let end = text.len() - last.len();
    for part in &parts[1..parts.len() - 1] {
        match text[at..end].find(part) {
            Some(found) => at += found + part.len(),
            None => return false,
        }
    }
    true
}

fn in_network(host: Option<IpAddr>, network: &str, bits: &str) -> bool {
    let (Some(host), Ok(network), Ok(bits)) =
        (host, network.parse::<IpAddr>(), bits.parse::<u32>())
    else {
        return false;
    };
    match (host, network) {
        (IpAddr::V4(host), IpAddr::V4(network)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(host) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(host), IpAddr::V6(network)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(host) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_lists_match_as_their_owners_write_them() {
        let list = "localhost, .corp.example;*.internal 10.0.0.0/8,<local> ::1 192.168.* \
                    *.lab.*, [fd00::1]:8080, fd10::/16, proxy.corp:3128";
        for host in [
            "localhost",
            "a.corp.example",
            "corp.example",
            "x.internal",
            "10.2.3.4",
            "intranet",
            "::1",
            "[::1]",
            "192.168.7.9",
            "a.lab.corp",
            "fd00::1",
            "fd10::5",
            "proxy.corp",
        ] {
            assert!(bypasses(list, host), "{host}");
        }
        for host in [
            "corp.example.org",
            "11.2.3.4",
            "adb-1.azuredatabricks.net",
            // `::1` is an address, not a suffix of names ending in `.1`.
            "10.0.0.1.example",
            "192.169.0.1",
            "fd11::5",
        ] {
            assert!(!bypasses(list, host), "{host}");
        }
        assert!(bypasses("*", "anything"));
        assert!(!bypasses("", "anything"));
    }
}
