//! The scan fetches URLs an organisation gives us, from inside our network: without a guard
//! it could be pointed at the database, a cloud metadata endpoint or an admin panel on
//! localhost. So every address it connects to must be public: hostnames are resolved by a
//! resolver that drops private addresses (which also covers redirects and DNS rebinding,
//! since the check happens at connect time), and IP literals are checked before each request.

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Whether `ip` is an address on the public internet (not loopback, private, link-local,
/// carrier-grade NAT, multicast, documentation or otherwise reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b)) // NAT64, reaches IPv4 space
        }
    }
}

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

/// Why a fetch was refused before it started.
#[derive(Debug, thiserror::Error)]
#[error("{0} is a private or local address; only public websites can be scanned")]
pub struct PrivateAddress(pub String);

/// The resolver the scan's HTTP client uses when private addresses are not allowed.
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(
                    Box::new(PrivateAddress(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// The host of `url` when it is an IP literal.
fn literal(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Refuses a URL whose host is a private IP literal (hostnames go through [`PublicOnly`]).
pub fn check_literal(url: &Url) -> Result<(), PrivateAddress> {
    match literal(url) {
        Some(ip) if !is_public(ip) => Err(PrivateAddress(ip.to_string())),
        _ => Ok(()),
    }
}

/// Resolves the start URL's host up front, so the owner hears at once (not from a failed
/// scan) that the address cannot be scanned. Any private address among its answers refuses
/// it: a public site has no business resolving into our network.
pub async fn check_start(url: &Url) -> Result<(), String> {
    check_literal(url).map_err(|e| e.to_string())?;
    if literal(url).is_some() {
        return Ok(());
    }
    let Some(host) = url.host_str() else {
        return Ok(());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| format!("{host} could not be found"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} could not be found"));
    }
    if let Some(private) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(PrivateAddress(format!("{host} ({})", private.ip())).to_string());
    }
    Ok(())
}

/// Whether a failed request was refused by the guard (somewhere in its cause chain).
pub fn refused(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if e.is::<PrivateAddress>() {
            return true;
        }
        cause = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} counted as public");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} counted as private");
        }
    }

    #[tokio::test]
    async fn start_urls_on_private_addresses_are_refused() {
        for url in [
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost:3000/",
            "http://10.0.0.5/",
        ] {
            let err = check_start(&Url::parse(url).unwrap()).await.unwrap_err();
            assert!(err.contains("private or local"), "{url}: {err}");
        }
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_that_resolve_privately() {
        let err = match PublicOnly.resolve("localhost".parse().unwrap()).await {
            Ok(_) => panic!("localhost resolved"),
            Err(e) => e,
        };
        assert!(refused(err.as_ref()));
    }

    #[tokio::test]
    async fn the_client_refuses_to_connect_to_private_literals() {
        let url = Url::parse("http://127.0.0.1:9/").unwrap();
        assert!(check_literal(&url).is_err());
        assert!(check_literal(&Url::parse("https://93.184.216.34/").unwrap()).is_ok());
        assert!(check_literal(&Url::parse("https://example.com/").unwrap()).is_ok());
    }
}
