//! The address a request came from, for per-client limits (sign-in, sign-up, webhook budgets).
//! Behind a reverse proxy every request arrives from the proxy, and keying limits on it would
//! make one client's mistakes everyone's; so when the peer is a proxy the operator named
//! (`CLOSER_TRUSTED_PROXIES`), the client is the last address in `X-Forwarded-For` that is
//! not itself one of those proxies. A header from anyone else is ignored: clients could
//! write whatever they like into it.

use axum::http::HeaderMap;
use std::net::IpAddr;

pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted_proxies.contains(a))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_a_trusted_proxy_may_name_the_client() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let spoofed: IpAddr = "198.51.100.1".parse().unwrap();
        // Straight from the internet: the header is the client's own words.
        assert_eq!(
            client_ip(client, &headers(&["198.51.100.1"]), &[proxy]),
            client
        );
        // Through the proxy: the last hop it saw, not what the client prepended.
        let xff = headers(&["198.51.100.1, 203.0.113.7"]);
        assert_eq!(client_ip(proxy, &xff, &[proxy]), client);
        assert_ne!(client_ip(proxy, &xff, &[proxy]), spoofed);
        // No proxies named: the peer, always.
        assert_eq!(client_ip(proxy, &xff, &[]), proxy);
        // A proxy that sent no header: the proxy.
        assert_eq!(client_ip(proxy, &headers(&[]), &[proxy]), proxy);
    }
}
