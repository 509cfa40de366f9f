//! The lab's licensing back-end over real HTTP(S) on loopback, driven with reqwest (not the
//! device agent): TLS trust and names, Cisco's failure reasons, the proxy (tunnelling and
//! intercepting), the admin API and outages.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::{Certificate, Client, StatusCode};
use smartlic::lab::backend::protocol::{
    self, AuthStatus, AuthorizeRequest, Entitlement, FailureCode, RegisterReply, RegisterRequest,
    ReportRequest, Request, Response, RumReport, Success, Udi, reason,
};
use smartlic::lab::backend::{
    self, Backend, BackendConfig, BackendError, Faults, Outage, Realm, ServiceFault, TokenRequest,
};
use smartlic::lab::clock::LabClock;

const ACCOUNT: &str = "Example Account";

async fn lab() -> Backend {
    backend::start(BackendConfig::default(), LabClock::new(1.0))
        .await
        .expect("the back-end starts")
}

/// A client that trusts only `roots` and maps `names` to loopback sockets.
fn client(roots: &[&str], names: &[(&str, SocketAddr)]) -> Client {
    let certs = roots
        .iter()
        .map(|pem| Certificate::from_pem(pem.as_bytes()).expect("a PEM certificate"));
    let mut builder = Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .tls_certs_only(certs);
    for (name, addr) in names {
        builder = builder.resolve(name, *addr);
    }
    builder.build().expect("a client")
}

/// A device-like client for CSSM: trusts the lab Cisco root, resolves tools.cisco.com.
fn cssm_client(lab: &Backend) -> Client {
    client(
        &[&lab.cisco_root_pem],
        &[("tools.cisco.com", lab.cssm.listen)],
    )
}

fn satellite_client(lab: &Backend) -> Client {
    client(
        &[&lab.satellite_ca_pem],
        &[("satellite.example.com", lab.satellite.listen)],
    )
}

fn call_home(lab: &Backend) -> String {
    let port = lab.cssm.listen.port();
    format!("https://tools.cisco.com:{port}{}", protocol::PATH_CALL_HOME)
}

fn on_prem(lab: &Backend) -> String {
    let port = lab.satellite.listen.port();
    format!(
        "https://satellite.example.com:{port}{}",
        protocol::PATH_ON_PREM
    )
}

async fn post(client: &Client, url: &str, request: &Request) -> Response {
    let reply = client
        .post(url)
        .json(request)
        .send()
        .await
        .expect("a reply");
    assert_eq!(reply.status(), StatusCode::OK);
    reply.json().await.expect("the lab's JSON")
}

fn now_ms(lab: &Backend) -> i64 {
    (lab.clock().now() * 1000.0) as i64
}

fn udi(serial: &str) -> Udi {
    Udi {
        pid: "C9300-48P".into(),
        serial: serial.into(),
    }
}

fn register(lab: &Backend, serial: &str, token: &str, force: bool) -> Request {
    Request::Register(RegisterRequest {
        udi: udi(serial),
        token: token.into(),
        force,
        device_time_ms: now_ms(lab),
        hostname: Some(format!("lab-{serial}")),
    })
}

fn authorize(lab: &Backend, serial: &str, reg: &RegisterReply, tag: &str) -> Request {
    Request::Authorize(AuthorizeRequest {
        udi: udi(serial),
        instance_id: reg.instance_id.clone(),
        id_cert_serial: reg.id_cert.serial.clone(),
        entitlements: vec![Entitlement {
            tag: tag.into(),
            count: 1,
        }],
        device_time_ms: now_ms(lab),
    })
}

fn registered(response: Response) -> RegisterReply {
    match response {
        Response::Ok(Success::Register(reply)) => reply,
        other => panic!("registration failed: {other:?}"),
    }
}

fn auth_status(response: Response) -> AuthStatus {
    match response {
        Response::Ok(Success::Authorize(reply)) => reply.status,
        other => panic!("authorization failed: {other:?}"),
    }
}

/// The failure's (code, reason).
fn failed(response: Response) -> (FailureCode, String) {
    match response {
        Response::Failed(f) => (f.code, f.reason),
        Response::Ok(success) => panic!("expected a failure, got {success:?}"),
    }
}

/// The whole error chain, where rustls puts the reason a handshake failed.
fn chain(err: &reqwest::Error) -> String {
    let mut text = format!("{err}");
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        text.push_str(&format!(" / {e}"));
        source = e.source();
    }
    text
}

#[tokio::test]
async fn register_then_authorize_over_https() {
    let lab = lab().await;
    let token = lab.create_token(ACCOUNT, "Default", 30, None);
    let http = cssm_client(&lab);
    let reg = registered(
        post(
            &http,
            &call_home(&lab),
            &register(&lab, "A1", &token, false),
        )
        .await,
    );
    assert_eq!(
        (reg.smart_account.as_str(), reg.virtual_account.as_str()),
        (ACCOUNT, "Default")
    );
    let auth = post(
        &http,
        &call_home(&lab),
        &authorize(&lab, "A1", &reg, "dna-advantage"),
    )
    .await;
    assert_eq!(auth_status(auth), AuthStatus::Authorized);

    let state = lab.snapshot();
    let instance = state
        .instance(Realm::Cssm, &udi("A1"))
        .expect("an instance");
    assert_eq!(instance.hostname.as_deref(), Some("lab-A1"));
    assert_eq!(state.counters(Realm::Cssm, &udi("A1")).authorizations, 1);
}

#[tokio::test]
async fn registering_twice_is_product_already_registered_and_uses_the_token_once() {
    let lab = lab().await;
    let token = lab.create_token(ACCOUNT, "Default", 30, None);
    let http = cssm_client(&lab);
    let url = call_home(&lab);
    registered(post(&http, &url, &register(&lab, "A1", &token, false)).await);
    let again = post(&http, &url, &register(&lab, "A1", &token, false)).await;
    // docs/troubleshooting.md CAT-1.
    assert_eq!(
        failed(again),
        (
            FailureCode::AlreadyRegistered,
            "Product Already Registered".into()
        )
    );
    let state = lab.snapshot();
    assert_eq!(state.token(&token).unwrap().uses, 1);
    let counters = state.counters(Realm::Cssm, &udi("A1"));
    assert_eq!((counters.register_requests, counters.registrations), (2, 1));

    registered(post(&http, &url, &register(&lab, "A1", &token, true)).await);
    assert_eq!(lab.snapshot().token(&token).unwrap().uses, 2);
}

#[tokio::test]
async fn expired_used_up_and_revoked_tokens_fail() {
    let lab = lab().await;
    let http = cssm_client(&lab);
    let url = call_home(&lab);
    let expired = lab.create_token(ACCOUNT, "Default", 0, None);
    let once = lab.create_token(ACCOUNT, "Default", 30, Some(1));
    let revoked = lab.create_token(ACCOUNT, "Default", 30, None);
    assert!(lab.revoke_token(&revoked));
    registered(post(&http, &url, &register(&lab, "A1", &once, false)).await);
    let cases = [
        (expired, FailureCode::TokenExpired),
        (once, FailureCode::TokenUsedUp),
        (revoked, FailureCode::TokenRevoked),
    ];
    for (token, code) in cases {
        let reply = post(&http, &url, &register(&lab, "B2", &token, false)).await;
        assert_eq!(failed(reply), (code, reason::TRY_AGAIN.into()));
    }
}

#[tokio::test]
async fn tokens_only_work_on_the_back_end_that_issued_them() {
    let lab = lab().await;
    let cssm_token = lab.create_token(ACCOUNT, "Default", 30, None);
    let satellite_token = lab.create_satellite_token(ACCOUNT, "Default", 30, None);
    let satellite = satellite_client(&lab);
    // [CAT-TS] [NX-TS] [ACI-SL] / ACI-4: a CSSM token against the satellite.
    let reply = post(
        &satellite,
        &on_prem(&lab),
        &register(&lab, "A1", &cssm_token, false),
    )
    .await;
    assert_eq!(failed(reply).0, FailureCode::TokenWrongBackend);
    let reply = post(
        &cssm_client(&lab),
        &call_home(&lab),
        &register(&lab, "A1", &satellite_token, false),
    )
    .await;
    assert_eq!(failed(reply).0, FailureCode::TokenWrongBackend);
    let reply = post(
        &satellite,
        &on_prem(&lab),
        &register(&lab, "A1", &satellite_token, false),
    )
    .await;
    registered(reply);
    assert!(
        lab.snapshot()
            .instance(Realm::Satellite, &udi("A1"))
            .is_some()
    );
}

#[tokio::test]
async fn a_skewed_device_clock_fails_with_the_cat3_reason() {
    let lab = lab().await;
    let token = lab.create_token(ACCOUNT, "Default", 30, None);
    let device = now_ms(&lab) - 200 * 86_400_000;
    let request = Request::Register(RegisterRequest {
        udi: udi("A1"),
        token,
        force: false,
        device_time_ms: device,
        hostname: None,
    });
    let reply = post(&cssm_client(&lab), &call_home(&lab), &request).await;
    let expected = format!(
        "{{\"timestamp\": [\"The device date '{device}' is offset beyond the allowed tolerance limit.\"]}}"
    );
    assert_eq!(failed(reply), (FailureCode::ClockSkew, expected));
}

#[tokio::test]
async fn a_pool_that_runs_out_puts_the_next_device_out_of_compliance() {
    let lab = lab().await;
    lab.set_pool(ACCOUNT, "Default", "network-advantage", 1);
    let token = lab.create_token(ACCOUNT, "Default", 30, None);
    let http = cssm_client(&lab);
    let url = call_home(&lab);
    let a = registered(post(&http, &url, &register(&lab, "A1", &token, false)).await);
    let b = registered(post(&http, &url, &register(&lab, "B2", &token, false)).await);
    let first = post(&http, &url, &authorize(&lab, "A1", &a, "network-advantage")).await;
    assert_eq!(auth_status(first), AuthStatus::Authorized);
    let second = post(&http, &url, &authorize(&lab, "B2", &b, "network-advantage")).await;
    assert_eq!(auth_status(second), AuthStatus::OutOfCompliance);
    let state = lab.snapshot();
    let pool = state.pool(ACCOUNT, "Default", "network-advantage").unwrap();
    assert_eq!(pool.balance, -1);
}

#[tokio::test]
async fn a_client_rejects_an_untrusted_ca_and_a_wrong_name() {
    let lab = lab().await;
    let url = on_prem(&lab);
    let token = lab.create_satellite_token(ACCOUNT, "Default", 30, None);
    let request = register(&lab, "A1", &token, false);
    // Trusting only the Cisco root, as a device that never imported the satellite CA.
    let untrusted = client(
        &[&lab.cisco_root_pem],
        &[("satellite.example.com", lab.satellite.listen)],
    );
    let err = untrusted
        .post(&url)
        .json(&request)
        .send()
        .await
        .unwrap_err();
    assert!(chain(&err).contains("UnknownIssuer"), "{}", chain(&err));

    // [CAT-TS]: a URL with a name (or IP) the certificate does not carry.
    let wrong = client(
        &[&lab.satellite_ca_pem],
        &[("sat.wrong.example", lab.satellite.listen)],
    );
    let port = lab.satellite.listen.port();
    let wrong_url = format!("https://sat.wrong.example:{port}{}", protocol::PATH_ON_PREM);
    let err = wrong
        .post(&wrong_url)
        .json(&request)
        .send()
        .await
        .unwrap_err();
    assert!(
        chain(&err).contains("not valid for name"),
        "{}",
        chain(&err)
    );
    let by_ip = format!("https://{}{}", lab.satellite.listen, protocol::PATH_ON_PREM);
    let err = wrong.post(&by_ip).json(&request).send().await.unwrap_err();
    assert!(
        chain(&err).contains("not valid for name"),
        "{}",
        chain(&err)
    );
    assert_eq!(
        lab.snapshot()
            .counters(Realm::Satellite, &udi("A1"))
            .register_requests,
        0
    );
}

#[tokio::test]
async fn a_satellite_certificate_can_carry_an_ip_address() {
    let mut config = BackendConfig::default();
    config.satellite.names = vec!["127.0.0.1".into()];
    let lab = backend::start(config, LabClock::new(1.0)).await.unwrap();
    let token = lab.create_satellite_token(ACCOUNT, "Default", 30, None);
    let http = client(&[&lab.satellite_ca_pem], &[]);
    let url = format!("https://{}{}", lab.satellite.listen, protocol::PATH_ON_PREM);
    registered(post(&http, &url, &register(&lab, "A1", &token, false)).await);
}

fn via_proxy(lab: &Backend, roots: &[&str]) -> Client {
    let certs = roots
        .iter()
        .map(|pem| Certificate::from_pem(pem.as_bytes()).unwrap());
    let proxy = reqwest::Proxy::https(format!("http://{}", lab.proxy.listen)).unwrap();
    Client::builder()
        .no_proxy()
        .proxy(proxy)
        .timeout(Duration::from_secs(10))
        .tls_certs_only(certs)
        .build()
        .unwrap()
}

/// The CSSM URL as a device behind the proxy uses it (the proxy resolves the name).
const CSSM_URL: &str = "https://tools.cisco.com/its/service/oddce/services/DDCEService";

#[tokio::test]
async fn the_proxy_tunnels_to_cssm() {
    let lab = lab().await;
    let token = lab.create_token(ACCOUNT, "Default", 30, None);
    let http = via_proxy(&lab, &[&lab.cisco_root_pem]);
    registered(post(&http, CSSM_URL, &register(&lab, "A1", &token, false)).await);
    // A host the lab does not serve is refused, never looked up.
    let err = http
        .get("https://www.example.org/")
        .send()
        .await
        .unwrap_err();
    // reqwest reports the proxy's 502 to CONNECT as an unsuccessful tunnel.
    assert!(
        chain(&err).contains("tunnel error: unsuccessful"),
        "{}",
        chain(&err)
    );
}

#[tokio::test]
async fn an_intercepting_proxy_needs_its_ca_trusted() {
    let lab = lab().await;
    lab.set_faults(Faults {
        proxy_intercept: true,
        ..Faults::default()
    });
    let token = lab.create_token(ACCOUNT, "Default", 30, None);
    // [CAT-TS]: a device trusting only Cisco's root fails against SSL interception…
    let plain = via_proxy(&lab, &[&lab.cisco_root_pem]);
    let request = register(&lab, "A1", &token, false);
    let err = plain
        .post(CSSM_URL)
        .json(&request)
        .send()
        .await
        .unwrap_err();
    assert!(chain(&err).contains("UnknownIssuer"), "{}", chain(&err));
    assert_eq!(
        lab.snapshot()
            .counters(Realm::Cssm, &udi("A1"))
            .register_requests,
        0
    );
    // …and succeeds once the proxy's CA is imported; the request reaches CSSM.
    let trusting = via_proxy(&lab, &[&lab.proxy_ca_pem]);
    registered(post(&trusting, CSSM_URL, &request).await);
    assert_eq!(
        lab.snapshot()
            .counters(Realm::Cssm, &udi("A1"))
            .registrations,
        1
    );
}

#[tokio::test]
async fn the_gateway_relays_to_cssm_books_and_the_satellite_serves_cslu() {
    let lab = lab().await;
    let token = lab.create_token(ACCOUNT, "Default", 30, None);
    let gateway = client(
        &[&lab.cisco_root_pem],
        &[("tg.example.com", lab.gateway.listen)],
    );
    let port = lab.gateway.listen.port();
    let url = format!("https://tg.example.com:{port}{}", protocol::PATH_ON_PREM);
    registered(post(&gateway, &url, &register(&lab, "A1", &token, false)).await);
    assert!(lab.snapshot().instance(Realm::Cssm, &udi("A1")).is_some());

    let port = lab.satellite.listen.port();
    let cslu = format!(
        "https://satellite.example.com:{port}{}/ExampleAccount",
        protocol::PATH_CSLU
    );
    let report = Request::Report(ReportRequest {
        udi: udi("B2"),
        instance_id: None,
        reports: vec![RumReport {
            report_id: 7,
            tag: "dna-advantage".into(),
            count: 1,
            start_ms: now_ms(&lab) - 1000,
            end_ms: now_ms(&lab),
        }],
        device_time_ms: now_ms(&lab),
    });
    match post(&satellite_client(&lab), &cslu, &report).await {
        Response::Ok(Success::Report(ack)) => assert_eq!(ack.acked, vec![7]),
        other => panic!("no ACK: {other:?}"),
    }
}

#[tokio::test]
async fn paths_are_case_sensitive() {
    let lab = lab().await;
    let port = lab.satellite.listen.port();
    // [CAT-TS].
    let url = format!(
        "https://satellite.example.com:{port}/TransportGateway/services/DeviceRequestHandler"
    );
    let reply = satellite_client(&lab)
        .post(&url)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_admin_api_mints_tokens_and_sets_faults() {
    let lab = lab().await;
    let request = TokenRequest {
        max_uses: Some(5),
        ..TokenRequest::new(ACCOUNT, "Default")
    };
    let minted = backend::create_token_via_admin(lab.admin, &request)
        .await
        .unwrap();
    assert_eq!((minted.realm, minted.max_uses), (Realm::Cssm, Some(5)));
    let http = cssm_client(&lab);
    registered(
        post(
            &http,
            &call_home(&lab),
            &register(&lab, "A1", &minted.token, false),
        )
        .await,
    );
    let state = backend::state_via_admin(lab.admin).await.unwrap();
    assert_eq!(state.token(&minted.token).unwrap().uses, 1);

    let faults = Faults {
        try_again: true,
        ..Faults::default()
    };
    backend::set_faults_via_admin(lab.admin, &faults)
        .await
        .unwrap();
    let reply = post(
        &http,
        &call_home(&lab),
        &register(&lab, "B2", &minted.token, false),
    )
    .await;
    assert_eq!(
        failed(reply),
        (FailureCode::TryAgain, reason::TRY_AGAIN.into())
    );
    let services = backend::services_via_admin(lab.admin).await.unwrap();
    assert_eq!(services.cssm.listen, lab.cssm.listen);
}

#[tokio::test]
async fn the_admin_client_refuses_a_non_loopback_address() {
    let outside: SocketAddr = "192.0.2.1:8080".parse().unwrap();
    let request = TokenRequest::new(ACCOUNT, "Default");
    let err = backend::create_token_via_admin(outside, &request)
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::NotLoopback { .. }), "{err}");
}

#[tokio::test]
async fn outages_refuse_or_answer_503_and_recover() {
    let lab = lab().await;
    let token = lab.create_token(ACCOUNT, "Default", 30, None);
    let http = cssm_client(&lab);
    let url = call_home(&lab);
    let request = register(&lab, "A1", &token, false);
    let outage = |outage, delay_ms| Faults {
        cssm: ServiceFault { outage, delay_ms },
        ..Faults::default()
    };

    lab.set_faults(outage(Some(Outage::Refused), 0));
    let err = wait_for_refusal(&lab.cssm.listen).await;
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);

    lab.set_faults(outage(Some(Outage::Unavailable), 0));
    let reply = wait_for_listening(&http, &url, &request).await;
    assert_eq!(reply.status(), StatusCode::SERVICE_UNAVAILABLE);

    lab.set_faults(outage(None, 300));
    let started = Instant::now();
    registered(post(&http, &url, &request).await);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

/// Connecting fails once the supervisor has closed the socket (bounded wait). A connection
/// caught in the listen queue as the socket closes is reset; try again after it.
async fn wait_for_refusal(addr: &SocketAddr) -> std::io::Error {
    for _ in 0..100 {
        match tokio::net::TcpStream::connect(addr).await {
            Err(e) if e.kind() != std::io::ErrorKind::ConnectionReset => return e,
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{addr} still accepts connections");
}

/// Sends until the service listens again (bounded wait).
async fn wait_for_listening(http: &Client, url: &str, request: &Request) -> reqwest::Response {
    for _ in 0..100 {
        if let Ok(reply) = http.post(url).json(request).send().await {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{url} never listened again");
}

#[tokio::test]
async fn an_expired_satellite_certificate_answers_ls_invalid_data() {
    let lab = lab().await;
    lab.set_faults(Faults {
        satellite_cert_expired: true,
        ..Faults::default()
    });
    let token = lab.create_satellite_token(ACCOUNT, "Default", 30, None);
    let reply = post(
        &satellite_client(&lab),
        &on_prem(&lab),
        &register(&lab, "A1", &token, false),
    )
    .await;
    // docs/troubleshooting.md CAT-6.
    let Response::Failed(failure) = reply else {
        panic!("expected LS_INVALID_DATA");
    };
    assert_eq!(failure.reason, reason::INVALID_DATA);
    assert_eq!(failure.detail.as_deref(), Some("LS_INVALID_DATA"));
}

#[tokio::test]
async fn a_proxy_outage_fails_the_tunnel() {
    let lab = lab().await;
    lab.set_faults(Faults {
        proxy: ServiceFault {
            outage: Some(Outage::Unavailable),
            delay_ms: 0,
        },
        ..Faults::default()
    });
    let token = lab.create_token(ACCOUNT, "Default", 30, None);
    let http = via_proxy(&lab, &[&lab.cisco_root_pem]);
    let request = register(&lab, "A1", &token, false);
    let err = http.post(CSSM_URL).json(&request).send().await.unwrap_err();
    assert!(
        chain(&err).contains("tunnel error: unsuccessful"),
        "{}",
        chain(&err)
    );
    assert_eq!(
        lab.snapshot()
            .counters(Realm::Cssm, &udi("A1"))
            .register_requests,
        0
    );
}
