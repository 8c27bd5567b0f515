use super::*;
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

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
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        // IPv4-compatible, 6to4, Teredo and NAT64 spellings of 127.0.0.1.
        "::7f00:1",
        "2002:7f00:1::",
        "2001:0:7f00:1::",
        "64:ff9b::7f00:1",
        "2001:db8::1",
    ] {
        assert!(!is_public(ip.parse().unwrap()), "{ip} counted as public");
    }
    for ip in [
        "93.184.216.34",
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "2a00:1450:4001:82a::200e",
        "::ffff:8.8.8.8",
    ] {
        assert!(is_public(ip.parse().unwrap()), "{ip} counted as private");
    }
}

fn private_v4() -> impl Strategy<Value = Ipv4Addr> {
    prop_oneof![
        any::<[u8; 3]>().prop_map(|[a, b, c]| Ipv4Addr::new(127, a, b, c)),
        any::<[u8; 3]>().prop_map(|[a, b, c]| Ipv4Addr::new(10, a, b, c)),
        any::<[u8; 2]>().prop_map(|[a, b]| Ipv4Addr::new(192, 168, a, b)),
        any::<[u8; 2]>().prop_map(|[a, b]| Ipv4Addr::new(169, 254, a, b)),
        (16u8..32, any::<[u8; 2]>()).prop_map(|(x, [a, b])| Ipv4Addr::new(172, x, a, b)),
        (64u8..128, any::<[u8; 2]>()).prop_map(|(x, [a, b])| Ipv4Addr::new(100, x, a, b)),
    ]
}

/// Every IPv6 spelling that carries an IPv4 address.
fn embeddings(v4: Ipv4Addr) -> Vec<Ipv6Addr> {
    let [a, b, c, d] = v4.octets();
    let hi = u16::from_be_bytes([a, b]);
    let lo = u16::from_be_bytes([c, d]);
    vec![
        v4.to_ipv6_mapped(),
        v4.to_ipv6_compatible(),
        Ipv6Addr::new(0x2002, hi, lo, 0, 0, 0, 0, 1),
        Ipv6Addr::new(0x2001, 0, hi, lo, 0, 0, 0, 0),
        Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, hi, lo),
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, hi, lo),
    ]
}

proptest! {
    #[test]
    fn no_spelling_of_a_private_ipv4_address_is_public(v4 in private_v4()) {
        prop_assert!(!is_public(IpAddr::V4(v4)));
        for v6 in embeddings(v4) {
            prop_assert!(!is_public(IpAddr::V6(v6)), "{v6} counted as public");
            let literal = url(&format!("http://[{v6}]:8080/"));
            prop_assert!(EgressPolicy::public_only().check_url(&literal).is_err());
        }
    }
}

#[test]
fn literal_urls_are_checked_before_any_request() {
    let policy = EgressPolicy::public_only();
    for u in [
        "http://127.0.0.1:5432/v1",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::7f00:1]/",
        "http://[2002:7f00:1::]/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://localhost:3000/",
        "http://api.localhost/",
    ] {
        let refused = policy.check_url(&url(u)).unwrap_err();
        assert!(matches!(refused, Refused::NotPublic(_)), "{u}: {refused}");
        assert!(refused.to_string().ends_with("is not a public address"));
    }
    assert_eq!(
        policy.check_url(&url("file:///etc/passwd")),
        Err(Refused::Scheme)
    );
    assert!(policy.check_url(&url("https://api.openai.com/v1")).is_ok());
    assert!(policy.check_url(&url("https://93.184.216.34/")).is_ok());
}

#[test]
fn an_operator_allows_named_private_hosts_on_their_port() {
    let policy = EgressPolicy::allowing(["localhost:11434", "10.0.0.7", "[::1]:8000"]).unwrap();
    assert!(policy.allows_private());
    assert!(policy.check_url(&url("http://localhost:11434/v1")).is_ok());
    assert!(policy.check_url(&url("http://LOCALHOST:11434/v1")).is_ok());
    assert!(policy.check_url(&url("http://localhost:5432/")).is_err());
    assert!(policy.check_url(&url("http://10.0.0.7:9999/")).is_ok());
    assert!(policy.check_url(&url("http://10.0.0.8/")).is_err());
    assert!(policy.check_url(&url("http://[::1]:8000/")).is_ok());
    assert!(policy.check_url(&url("http://[::1]:8001/")).is_err());
    assert!(EgressPolicy::allowing(["http://x/y"]).is_err());
    assert!(EgressPolicy::allowing(["*"]).unwrap().allows_private());
    assert!(!EgressPolicy::allowing([""]).unwrap().allows_private());
}

#[tokio::test]
async fn names_that_resolve_privately_are_refused_when_saved() {
    let policy = EgressPolicy::public_only();
    let err = policy
        .check_resolved(&url("http://localhost:3000/"))
        .await
        .unwrap_err();
    assert!(matches!(err, Refused::NotPublic(_)));
    let allowed = EgressPolicy::allowing(["localhost:3000"]).unwrap();
    assert!(
        allowed
            .check_resolved(&url("http://localhost:3000/"))
            .await
            .is_ok()
    );
}

/// A one-shot HTTP server on 127.0.0.1 answering every request with `response`.
async fn local_server(response: String) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    addr
}

fn ok_response() -> String {
    "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok".into()
}

#[tokio::test]
async fn the_client_refuses_names_that_resolve_privately_at_connect_time() {
    let addr = local_server(ok_response()).await;
    let client = EgressPolicy::public_only()
        .client_builder()
        .build()
        .unwrap();
    // `check_url` lets a plain name through; the resolver is what refuses it.
    let err = client
        .get(format!("http://localhost:{}/", addr.port()))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(refusal(&err), Some(Refused::NotPublic(_))),
        "{err:?}"
    );

    let allowed = EgressPolicy::allowing([format!("localhost:{}", addr.port()).as_str()]).unwrap();
    let client = allowed.client_builder().build().unwrap();
    let answer = client
        .get(format!("http://localhost:{}/", addr.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn a_redirect_into_the_private_network_is_refused() {
    let target = local_server(ok_response()).await;
    let redirect = format!(
        "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{}/secret\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        target.port()
    );
    let hop = local_server(redirect).await;
    let policy = EgressPolicy::allowing([format!("127.0.0.1:{}", hop.port()).as_str()]).unwrap();
    let client = policy.client_builder().build().unwrap();
    let err = client
        .get(format!("http://127.0.0.1:{}/", hop.port()))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_redirect(), "{err:?}");
    assert!(
        matches!(refusal(&err), Some(Refused::NotPublic(_))),
        "{err:?}"
    );
}
