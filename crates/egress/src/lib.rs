//! Every request the server makes on an organisation's behalf — the model it configured, the
//! website it asked us to scan, and whatever comes next (speech-to-text, media, outgoing
//! webhooks) — goes to an address that organisation chose. Without a guard, that is a port
//! scanner into the operator's network: the database on 127.0.0.1:5432, the cloud metadata
//! endpoint on 169.254.169.254, an admin panel on localhost.
//!
//! The guard has three doors, all built into the HTTP client [`EgressPolicy::client_builder`]
//! makes:
//! - a URL whose host is an IP literal is checked before the request ([`EgressPolicy::check_url`]),
//!   because the resolver never sees literals;
//! - host names go through [`GuardedResolver`], which drops every non-public answer. The client
//!   connects to exactly the addresses the resolver returned, so a name that resolves publicly
//!   once and privately the next time (DNS rebinding) is checked at connect time, every time;
//! - every redirect hop passes the same check.
//!
//! A refusal says only "<host> is not a public address", whatever the host resolved to and
//! whatever listens there, so refusals reveal nothing about the network behind us.
//!
//! Operators who run a model on their own machine (Ollama on localhost) name it in
//! `CLOSER_EGRESS_ALLOW` (`localhost:11434`); nothing private is reachable by default.

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Most redirect hops a guarded client follows (each one checked).
const MAX_REDIRECTS: usize = 5;

/// Whether `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// Not loopback, private, link-local, carrier-grade NAT, multicast, documentation, benchmarking
/// or otherwise reserved.
fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // carrier-grade NAT 100.64/10
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking 198.18/15
        || o[0] >= 240) // reserved
}

/// Only global unicast (2000::/3) counts, minus the ranges inside it that are not the public
/// internet or that carry an IPv4 address a relay would reach (6to4, Teredo, NAT64): those
/// could smuggle 127.0.0.1 past a check that only looks at IPv4. An IPv4-mapped address
/// (::ffff:a.b.c.d) is the IPv4 address itself and is judged as one.
fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    let global_unicast = (s[0] & 0xe000) == 0x2000;
    global_unicast
        && !(s[0] == 0x2002 // 6to4, embeds an IPv4 address
            || (s[0] == 0x2001 && s[1] == 0x0000) // Teredo, embeds an IPv4 address
            || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
            || (s[0] == 0x2001 && (s[1] & 0xfff0) == 0x0010) // ORCHID
            || (s[0] == 0x2001 && s[1] == 0x0002 && s[2] == 0) // benchmarking
            || (s[0] & 0xfff0) == 0x3ff0) // documentation 3fff::/20
}

/// A private host an operator allows, optionally on one port only.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AllowedHost {
    /// Lower case, IPv6 without brackets.
    host: String,
    port: Option<u16>,
}

impl AllowedHost {
    fn parse(raw: &str) -> Result<AllowedHost, String> {
        let raw = raw.trim().to_ascii_lowercase();
        let url = Url::parse(&format!("http://{raw}"))
            .map_err(|_| format!("`{raw}` is not a host or host:port"))?;
        let valid = url.path() == "/" && url.query().is_none() && url.username().is_empty();
        let Some(host) = url.host_str().filter(|_| valid) else {
            return Err(format!("`{raw}` is not a host or host:port"));
        };
        Ok(AllowedHost {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port: url.port(),
        })
    }

    fn matches(&self, host: &str, port: Option<u16>) -> bool {
        self.host == host && self.port.is_none_or(|p| Some(p) == port)
    }
}

/// Which non-public hosts the server may reach on an organisation's behalf: none by default.
#[derive(Debug, Clone, Default)]
pub struct EgressPolicy {
    allowed: Arc<Vec<AllowedHost>>,
    /// Every address, private or not: for tests and local stand-ins only.
    any_address: bool,
}

/// Why a request was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The same words for every refused target: nothing about what it resolved to or what
    /// listens there.
    #[error("{0} is not a public address")]
    NotPublic(String),
    #[error("{0} could not be found")]
    NotFound(String),
    #[error("only http and https addresses can be used")]
    Scheme,
}

impl EgressPolicy {
    /// Public addresses only (the production default).
    pub fn public_only() -> EgressPolicy {
        EgressPolicy::default()
    }

    /// Every address, private ones included: tests and local stand-ins only.
    pub fn any_address() -> EgressPolicy {
        EgressPolicy {
            allowed: Arc::default(),
            any_address: true,
        }
    }

    /// Public addresses plus the named private hosts (`localhost:11434`, `ollama.lan`,
    /// `10.0.0.7:8000`, `[::1]:11434`); `*` allows every address.
    pub fn allowing<'a>(hosts: impl IntoIterator<Item = &'a str>) -> Result<EgressPolicy, String> {
        let mut policy = EgressPolicy::default();
        let mut allowed = Vec::new();
        for raw in hosts.into_iter().map(str::trim).filter(|h| !h.is_empty()) {
            if raw == "*" {
                policy.any_address = true;
            } else {
                allowed.push(AllowedHost::parse(raw)?);
            }
        }
        policy.allowed = Arc::new(allowed);
        Ok(policy)
    }

    /// Whether anything beyond public addresses is allowed (for a warning at start).
    pub fn allows_private(&self) -> bool {
        self.any_address || !self.allowed.is_empty()
    }

    fn allows(&self, host: &str, port: Option<u16>) -> bool {
        self.any_address || self.allowed.iter().any(|a| a.matches(host, port))
    }

    /// The checks that need no DNS: the scheme, and the host when it is an IP literal or a
    /// name that can only be local. Host names are checked again, at connect time, by the
    /// resolver of [`client_builder`](Self::client_builder).
    pub fn check_url(&self, url: &Url) -> Result<(), Refused> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refused::Scheme);
        }
        let Some(host) = url.host_str() else {
            return Err(Refused::NotPublic(String::new()));
        };
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if self.allows(bare, url.port_or_known_default()) {
            return Ok(());
        }
        let local_name = bare == "localhost" || bare.ends_with(".localhost");
        let private_literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => !is_public_v4(ip),
            Some(url::Host::Ipv6(ip)) => !is_public_v6(ip),
            _ => false,
        };
        if local_name || private_literal {
            return Err(Refused::NotPublic(host.to_owned()));
        }
        Ok(())
    }

    /// [`check_url`](Self::check_url) plus a lookup now, so a person saving an address hears at
    /// once (not from a failed call later) that it cannot be used. Any private answer refuses
    /// the name: a public service has no business resolving into our network.
    pub async fn check_resolved(&self, url: &Url) -> Result<(), Refused> {
        self.check_url(url)?;
        let host = url.host_str().unwrap_or_default();
        let port = url.port_or_known_default().unwrap_or(443);
        if !matches!(url.host(), Some(url::Host::Domain(_))) || self.allows(host, Some(port)) {
            return Ok(());
        }
        let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| Refused::NotFound(host.to_owned()))?
            .collect();
        if found.is_empty() {
            return Err(Refused::NotFound(host.to_owned()));
        }
        if found.iter().any(|a| !is_public(a.ip())) {
            return Err(Refused::NotPublic(host.to_owned()));
        }
        Ok(())
    }

    /// An HTTP client builder with the guard built in: no proxy (it would resolve names out of
    /// our sight), the guarded resolver, and every redirect hop checked. Callers add their own
    /// timeouts and headers, and may turn redirects off.
    pub fn client_builder(&self) -> reqwest::ClientBuilder {
        let hops = self.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if let Err(refused) = hops.check_url(attempt.url()) {
                attempt.error(refused)
            } else {
                attempt.follow()
            }
        });
        reqwest::Client::builder()
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                policy: self.clone(),
            }))
            .redirect(redirects)
    }
}

/// Resolves names and keeps only the addresses the policy allows; none left is a refusal.
pub struct GuardedResolver {
    policy: EgressPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_ascii_lowercase();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            // The resolver does not know the port; a host allowed on one port only was
            // already held to that port by `check_url`, before the request started.
            let named = policy.any_address || policy.allowed.iter().any(|a| a.host == host);
            let kept: Vec<SocketAddr> = found.filter(|a| named || is_public(a.ip())).collect();
            if kept.is_empty() {
                return Err(Box::new(Refused::NotPublic(host)) as Box<_>);
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

/// The guard's refusal somewhere in an error's cause chain (a failed request), if any.
pub fn refusal<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refused> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if let Some(refused) = e.downcast_ref::<Refused>() {
            return Some(refused);
        }
        cause = e.source();
    }
    None
}

#[cfg(test)]
mod tests;
