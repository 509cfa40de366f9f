//! Device faults changed while the lab runs (the admin API's
//! `GET/PUT /admin/devices/{name}/faults` and `smartlic lab fault`), and SSH `exec`
//! requests that honour `latency_ms` and `hang_on`, over real SSH: OpenSSH's `ssh` through
//! the shared harness, and a small russh client where a session must stay open across a
//! change or a silent channel must be watched.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::client;
use russh::keys::PublicKeyOrCertificate;
use russh::{ChannelMsg, Disconnect};
use smartlic::lab::backend::DeviceFaults;

use super::lab_harness::{LabSsh, PASSWORD, host, inventory};
use super::support::{smartlic, text};

/// Every client step in these tests ends within this.
const STEP: Duration = Duration::from_secs(20);

fn one_device(name: &str, address: &str) -> LabSsh {
    LabSsh::start(&inventory(&host(name, "ios-xe", "17.3.4", address, "")))
}

fn fault_cli(lab: &LabSsh, args: &[&str]) -> (i32, String, String) {
    let admin = lab.backend.admin.to_string();
    let mut all = vec!["lab", "fault", "--admin", admin.as_str()];
    all.extend_from_slice(args);
    let out = smartlic(std::env::temp_dir().as_path(), &all);
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[test]
fn faults_set_with_lab_fault_apply_to_the_next_session_and_clear() {
    let lab = one_device("sw1", "127.0.77.1");
    let healthy = lab.exec("sw1", "show version");
    assert!(healthy.contains("Cisco IOS XE Software"), "{healthy}");

    // auth_failure at run time: the next login is refused.
    let (code, out, err) = fault_cli(&lab, &["sw1", "auth_failure=true"]);
    assert_eq!(code, 0, "{err}");
    let shown: DeviceFaults = serde_json::from_str(&out).unwrap();
    assert!(shown.auth_failure);
    let (refused, status) = lab
        .exec_within("sw1", "show version", STEP)
        .expect("a refused login ends");
    assert!(refused.contains("Permission denied"), "{refused}");
    assert_ne!(status, Some(0));

    // Reading the faults back; then `--clear`: the next session is healthy again.
    let (code, out, _) = fault_cli(&lab, &["sw1"]);
    assert_eq!(code, 0);
    assert!(
        serde_json::from_str::<DeviceFaults>(&out)
            .unwrap()
            .auth_failure
    );
    let (code, out, _) = fault_cli(&lab, &["sw1", "--clear"]);
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<DeviceFaults>(&out).unwrap(),
        DeviceFaults::default()
    );
    assert!(
        lab.exec("sw1", "show version")
            .contains("Cisco IOS XE Software")
    );

    // A CLI fault: this release "does not know" `show clock`; other faults are kept.
    let (code, _, err) = fault_cli(&lab, &["sw1", "invalid=show clock"]);
    assert_eq!(code, 0, "{err}");
    let refused = lab.exec("sw1", "show clock");
    assert!(refused.contains("% Invalid input detected"), "{refused}");
    let (code, out, _) = fault_cli(&lab, &["sw1", "invalid="]);
    assert_eq!(code, 0);
    assert!(
        serde_json::from_str::<DeviceFaults>(&out)
            .unwrap()
            .invalid
            .is_empty()
    );
    let clock = lab.exec("sw1", "show clock");
    assert!(!clock.contains("% Invalid"), "{clock}");

    // Out of the inventory's bounds: refused before anything is sent.
    let (code, _, err) = fault_cli(&lab, &["sw1", "drop_after=0"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("drop_after"), "{err}");

    // Mistakes: an unknown device, an unknown key (with a suggestion).
    let (code, _, err) = fault_cli(&lab, &["nosuch", "latency_ms=1"]);
    assert_eq!(code, 1);
    assert!(err.contains("no lab device `nosuch`"), "{err}");
    let (code, _, err) = fault_cli(&lab, &["sw1", "latency=5"]);
    assert_eq!(code, 4);
    assert!(err.contains("did you mean `latency_ms`"), "{err}");
    assert!(!err.contains(PASSWORD));
}

#[test]
fn the_admin_api_speaks_the_inventory_field_names_and_refuses_unknown_fields() {
    let lab = one_device("sw2", "127.0.77.2");
    let admin = lab.backend.admin;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(STEP)
            .build()
            .unwrap();
        let url = format!("http://{admin}/admin/devices/sw2/faults");
        let put = |body: &'static str| {
            client
                .put(&url)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };

        let reply = put(r#"{"latency_ms": 5, "hang_on": ["show license status"]}"#)
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
        let faults: DeviceFaults = reply.json().await.unwrap();
        assert_eq!(faults.latency_ms, 5);
        assert_eq!(faults.hang_on, ["show license status"]);

        let reply = put(r#"{"latency": 5}"#).await.unwrap();
        assert_eq!(reply.status(), 400);
        let error = reply.text().await.unwrap();
        assert!(error.contains("unknown field `latency`"), "{error}");

        let reply = put(r#"{"latency_ms": 600001}"#).await.unwrap();
        assert_eq!(reply.status(), 400);
        assert!(reply.text().await.unwrap().contains("latency_ms"));

        // A refused PUT changed nothing.
        let now: DeviceFaults = client.get(&url).send().await.unwrap().json().await.unwrap();
        assert_eq!(now.latency_ms, 5);

        let missing = client
            .get(format!("http://{admin}/admin/devices/nosuch/faults"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
        let list: serde_json::Value = client
            .get(format!("http://{admin}/admin/devices"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list, serde_json::json!({"devices": ["sw2"]}));
    });
    assert_eq!(lab.device_faults("sw2").unwrap().latency_ms, 5);
}

/// The options an OpenSSH client needs for a device offering only legacy algorithms.
const LEGACY_OPENSSH: [&str; 8] = [
    "-o",
    "KexAlgorithms=+diffie-hellman-group14-sha1",
    "-o",
    "HostKeyAlgorithms=+ssh-rsa",
    "-o",
    "Ciphers=+aes128-cbc",
    "-o",
    "MACs=+hmac-sha1",
];

#[test]
fn a_legacy_ssh_device_s_rsa_key_is_in_known_hosts_for_strict_openssh() {
    // One device legacy from the start, one made legacy while the lab runs; OpenSSH with
    // StrictHostKeyChecking=yes against the lab's known_hosts (written at start).
    let hosts = [
        host(
            "old",
            "ios-xe",
            "16.9.4",
            "127.0.77.8",
            "        faults: {legacy_ssh: true}\n",
        ),
        host("new", "ios-xe", "16.12.5", "127.0.77.9", ""),
    ]
    .concat();
    let lab = LabSsh::start(&inventory(&hosts));
    let known = std::fs::read_to_string(lab.known_hosts_file()).unwrap();
    let show = |device: &str| {
        let child = lab
            .ssh(device)
            .args(LEGACY_OPENSSH)
            .arg("show version")
            .spawn()
            .unwrap();
        let out = child.wait_with_output().unwrap();
        format!("{}{}", text(&out.stdout), text(&out.stderr))
    };
    let old = show("old");
    assert!(old.contains("Cisco IOS XE Software"), "{old}\n{known}");

    let legacy = DeviceFaults {
        legacy_ssh: true,
        ..DeviceFaults::default()
    };
    lab.set_device_faults("new", legacy).unwrap();
    let new = show("new");
    assert!(new.contains("Cisco IOS XE Software"), "{new}\n{known}");
}

/// `smartlic lab token create --admin ADMIN ARGS`: exit code, stdout, stderr.
fn token_cli(lab: &LabSsh, args: &[&str]) -> (i32, String, String) {
    let admin = lab.backend.admin.to_string();
    let mut all = vec!["lab", "token", "create", "--admin", admin.as_str()];
    all.extend_from_slice(args);
    let out = smartlic(std::env::temp_dir().as_path(), &all);
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[test]
fn lab_token_create_refuses_an_unknown_account_zero_uses_and_zero_days() {
    let lab = one_device("sw5", "127.0.77.7");
    let (code, token, err) = token_cli(&lab, &["--max-uses", "1", "--expires-days", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(!token.trim().is_empty());

    // Values no token can have: usage errors, the lab is not asked.
    let (code, out, err) = token_cli(&lab, &["--max-uses", "0"]);
    assert_eq!((code, out.as_str()), (4, ""), "{err}");
    assert!(err.contains("--max-uses must be at least 1"), "{err}");
    let (code, out, err) = token_cli(&lab, &["--expires-days", "0"]);
    assert_eq!((code, out.as_str()), (4, ""), "{err}");
    assert!(err.contains("--expires-days must be at least 1"), "{err}");

    // An account or virtual account the lab's books do not hold: the lab refuses,
    // naming what it has (a token nobody can use is not made).
    let (code, out, err) = token_cli(&lab, &["--account", "Nope Corp"]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(
        err.contains("no account `Nope Corp` in the lab (accounts: Example Account)"),
        "{err}"
    );
    let (code, out, err) = token_cli(&lab, &["--virtual-account", "Nowhere"]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(
        err.contains(
            "no virtual account `Nowhere` in `Example Account` (virtual accounts: Default, Empty)"
        ),
        "{err}"
    );
    let books = format!("{:?}", lab.backend.snapshot());
    assert!(
        !books.contains("Nope Corp") && !books.contains("Nowhere"),
        "{books}"
    );

    // The admin API refuses the same requests for any client.
    let refused = |request: smartlic::lab::backend::TokenRequest| {
        lab.runtime()
            .block_on(smartlic::lab::backend::create_token_via_admin(
                lab.backend.admin,
                &request,
            ))
            .unwrap_err()
            .to_string()
    };
    let base = smartlic::lab::backend::TokenRequest::new("Example Account", "Default");
    let zero_uses = refused(smartlic::lab::backend::TokenRequest {
        max_uses: Some(0),
        ..base.clone()
    });
    assert!(zero_uses.contains("HTTP 400"), "{zero_uses}");
    let zero_days = refused(smartlic::lab::backend::TokenRequest {
        expires_days: 0,
        ..base
    });
    assert!(zero_days.contains("HTTP 400"), "{zero_days}");
}

// ---------------------------------------------------------------------------------------
// A small russh client, for sessions that stay open across a change.

struct AnyKey;

impl client::Handler for AnyKey {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

async fn login(address: SocketAddr) -> client::Handle<AnyKey> {
    let config = Arc::new(client::Config::default());
    let mut session = tokio::time::timeout(STEP, client::connect(config, address, AnyKey))
        .await
        .expect("connect in time")
        .expect("connect");
    let auth = tokio::time::timeout(STEP, session.authenticate_password("admin", PASSWORD))
        .await
        .expect("auth in time")
        .unwrap();
    assert!(auth.success());
    session
}

/// Reads until `needle` shows up; everything read. Panics after `STEP`.
async fn read_until(channel: &mut russh::Channel<client::Msg>, needle: &str) -> String {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let text = String::from_utf8_lossy(&out).into_owned();
        if text.contains(needle) {
            return text;
        }
        match tokio::time::timeout_at(deadline, channel.wait()).await {
            Ok(Some(ChannelMsg::Data { data })) => out.extend_from_slice(&data),
            Ok(Some(_)) => {}
            Ok(None) => panic!("the channel ended before `{needle}`: {text}"),
            Err(_) => panic!("`{needle}` did not come within {STEP:?}: {text}"),
        }
    }
}

/// What an `exec` request gives within `limit`: output, exit status, whether the server
/// closed the channel.
async fn exec_for(
    session: &client::Handle<AnyKey>,
    command: &str,
    limit: Duration,
) -> (String, Option<u32>, bool) {
    let mut channel = session.channel_open_session().await.unwrap();
    channel.exec(true, command).await.unwrap();
    let mut out = Vec::new();
    let mut status = None;
    let deadline = tokio::time::Instant::now() + limit;
    let mut closed = false;
    while let Ok(msg) = tokio::time::timeout_at(deadline, channel.wait()).await {
        match msg {
            Some(ChannelMsg::Data { data }) => out.extend_from_slice(&data),
            Some(ChannelMsg::ExitStatus { exit_status }) => status = Some(exit_status),
            Some(ChannelMsg::Close) | None => {
                closed = true;
                break;
            }
            Some(_) => {}
        }
    }
    if !closed {
        // The client gives up on a silent device.
        let _ = channel.close().await;
    }
    (String::from_utf8_lossy(&out).into_owned(), status, closed)
}

fn address(lab: &LabSsh, name: &str) -> SocketAddr {
    lab.devices
        .iter()
        .find(|d| d.host.name == name)
        .unwrap()
        .address
}

#[test]
fn cli_faults_apply_to_the_next_command_of_an_open_session() {
    let lab = one_device("sw3", "127.0.77.3");
    let address = address(&lab, "sw3");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let session = login(address).await;
        let mut shell = session.channel_open_session().await.unwrap();
        shell
            .request_pty(true, "vt100", 80, 24, 0, 0, &[])
            .await
            .unwrap();
        shell.request_shell(true).await.unwrap();
        read_until(&mut shell, "sw3#").await;
        shell.data(&b"show clock\r"[..]).await.unwrap();
        let before = read_until(&mut shell, "sw3#").await;
        assert!(!before.contains("% Invalid"), "{before}");

        // Changed while the session is open: its next command sees it.
        let invalid = DeviceFaults {
            invalid: vec!["show clock".into()],
            ..DeviceFaults::default()
        };
        lab.set_device_faults("sw3", invalid).unwrap();
        shell.data(&b"show clock\r"[..]).await.unwrap();
        let refused = read_until(&mut shell, "sw3#").await;
        assert!(refused.contains("% Invalid input detected"), "{refused}");

        // Latency too, then cleared: the reply is prompt again.
        let slow = DeviceFaults {
            latency_ms: 800,
            ..DeviceFaults::default()
        };
        lab.set_device_faults("sw3", slow).unwrap();
        let started = Instant::now();
        shell.data(&b"show clock\r"[..]).await.unwrap();
        let answered = read_until(&mut shell, "sw3#").await;
        assert!(started.elapsed() >= Duration::from_millis(800));
        assert!(!answered.contains("% Invalid"), "{answered}");
        lab.set_device_faults("sw3", DeviceFaults::default())
            .unwrap();
        let started = Instant::now();
        shell.data(&b"show clock\r"[..]).await.unwrap();
        read_until(&mut shell, "sw3#").await;
        assert!(started.elapsed() < Duration::from_millis(800));

        // drop_after at run time: a new connection is dropped at its second exec; the
        // open one keeps the budget it started with.
        let drop = DeviceFaults {
            drop_after: Some(1),
            ..DeviceFaults::default()
        };
        lab.set_device_faults("sw3", drop).unwrap();
        let fresh = login(address).await;
        let (first, status, _) = exec_for(&fresh, "show clock", STEP).await;
        assert_eq!(status, Some(0), "{first}");
        let (second, status, closed) = exec_for(&fresh, "show clock", STEP).await;
        assert_eq!((second.as_str(), status, closed), ("", None, true));
        shell.data(&b"show clock\r"[..]).await.unwrap();
        read_until(&mut shell, "sw3#").await;
        let _ = session.disconnect(Disconnect::ByApplication, "", "").await;
    });
}

#[test]
fn exec_requests_honour_latency_and_hang() {
    let lab = one_device("sw4", "127.0.77.4");
    let address = address(&lab, "sw4");

    // latency_ms: the exec reply comes after the delay, complete.
    let slow = DeviceFaults {
        latency_ms: 1_500,
        ..DeviceFaults::default()
    };
    lab.set_device_faults("sw4", slow).unwrap();
    let started = Instant::now();
    let (out, status) = lab
        .exec_within("sw4", "show version", STEP)
        .expect("a slow device still answers");
    assert!(started.elapsed() >= Duration::from_millis(1_500));
    assert!(out.contains("Cisco IOS XE Software"), "{out}");
    assert_eq!(status, Some(0));

    // hang_on: OpenSSH waits for an answer that never comes, until it is given up on.
    let hang = DeviceFaults {
        hang_on: vec!["show license status".into()],
        ..DeviceFaults::default()
    };
    lab.set_device_faults("sw4", hang).unwrap();
    assert_eq!(
        lab.exec_within("sw4", "show license status", Duration::from_secs(3)),
        None,
        "a hung device must not answer an exec"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let session = login(address).await;
        // No output, no exit status and an open channel within the client's timeout;
        // an abbreviation hangs too, as in the shell.
        let (out, status, closed) =
            exec_for(&session, "sh license status", Duration::from_secs(2)).await;
        assert_eq!((out.as_str(), status, closed), ("", None, false));
        // The connection is still alive: another command on it answers.
        let (out, status, closed) = exec_for(&session, "show version", STEP).await;
        assert!(out.contains("Cisco IOS XE Software"), "{out}");
        assert_eq!((status, closed), (Some(0), true));

        // Cleared: the same command answers again, at once.
        lab.set_device_faults("sw4", DeviceFaults::default())
            .unwrap();
        let started = Instant::now();
        let (out, status, closed) = exec_for(&session, "show license status", STEP).await;
        assert!(out.contains("Smart Licensing"), "{out}");
        assert_eq!((status, closed), (Some(0), true));
        assert!(started.elapsed() < Duration::from_millis(1_500));
        let _ = session.disconnect(Disconnect::ByApplication, "", "").await;
    });
}

// ---------------------------------------------------------------------------------------
// The inventory's `lab_backend`: a custom account whose pool holds one license.

#[test]
fn an_inventory_back_end_with_a_pool_of_one_leaves_the_second_device_out_of_compliance() {
    let hosts = format!(
        "{}{}",
        host("cat1", "ios-xe", "16.12.5", "127.0.77.5", ""),
        host("cat2", "ios-xe", "16.12.5", "127.0.77.6", "")
    );
    let backend = concat!(
        "    lab_backend:\n",
        "      accounts:\n",
        "        - name: Acme Corp\n",
        "          virtual_accounts:\n",
        "            - name: Campus\n",
        "              pools:\n",
        "                C9300-48 Network Advantage: 1\n",
        "                C9300-48 DNA Advantage: 1\n",
        "      satellite_name: ssm.acme.example\n",
        "  hosts:\n",
    );
    let text = inventory(&hosts).replacen("  hosts:\n", backend, 1);
    let lab = LabSsh::start(&text);
    assert_eq!(lab.backend.satellite.names, ["ssm.acme.example"]);
    let books = format!("{:?}", lab.backend.snapshot());
    assert!(books.contains("Acme Corp") && !books.contains("Example Account"));

    let token = lab.backend.create_token("Acme Corp", "Campus", 30, None);
    let register = [
        "terminal length 0".to_string(),
        "enable".to_string(),
        "configure terminal".to_string(),
        "ip name-server 198.51.100.53".to_string(),
        "end".to_string(),
        format!("license smart register idtoken {token}"),
        "exit".to_string(),
    ];
    lab.session("cat1", &register);
    let first = lab.until_status("cat1", "Status: AUTHORIZED");
    assert!(first.contains("Status: REGISTERED"), "{first}");
    lab.session("cat2", &register);
    let second = lab.until_status("cat2", "OUT OF COMPLIANCE");
    assert!(second.contains("Status: REGISTERED"), "{second}");
    assert!(second.contains("Acme Corp"), "{second}");
}

/// `?` and Tab over real SSH with a PTY: the help comes back with the typed line, Tab
/// completes it, and the line runs without the `?`.
#[test]
fn question_mark_and_tab_over_ssh_with_a_pty() {
    let lab = one_device("sw10", "127.0.77.10");
    let address = address(&lab, "sw10");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let session = login(address).await;
        let mut shell = session.channel_open_session().await.unwrap();
        shell
            .request_pty(true, "vt100", 80, 24, 0, 0, &[])
            .await
            .unwrap();
        shell.request_shell(true).await.unwrap();
        read_until(&mut shell, "sw10#").await;
        shell.data(&b"sh?"[..]).await.unwrap();
        let help = read_until(&mut shell, "sw10#sh").await;
        assert_eq!(help, "sh?\r\nshow  \r\nsw10#sh");
        shell.data(&b"\tclo\t"[..]).await.unwrap();
        let completed = read_until(&mut shell, "clock ").await;
        assert_eq!(completed, "ow clock ");
        shell.data(&b"\r"[..]).await.unwrap();
        let clock = read_until(&mut shell, "sw10#").await;
        assert!(
            clock.starts_with("\r\n") && clock.contains("UTC"),
            "{clock}"
        );
    });
}

/// `--latency realistic` over real SSH (OpenSSH's `ssh`): an `exec` takes at least the
/// profile's handshake and per-command delay, and an NX-OS save its `write memory` delay
/// on top (docs/lab.md "Latency profiles"). Lower bounds only.
#[test]
fn the_realistic_latency_profile_slows_real_ssh_sessions() {
    use smartlic::lab::latency::Latency;
    use smartlic::lab::release::Platform;
    use smartlic::lab::run::LabOptions;

    let hosts = format!(
        "{}{}",
        host("sw7", "ios-xe", "17.9.4a", "127.0.79.1", ""),
        host("nx7", "nx-os", "9.3(8)", "127.0.79.2", "")
    );
    let options = LabOptions {
        latency: Latency::Realistic,
        ..LabOptions::default()
    };
    let lab = LabSsh::start_with(&inventory(&hosts), &options);
    let xe = Latency::Realistic.profile(Platform::IosXe);
    let nx = Latency::Realistic.profile(Platform::NxOs);

    let started = Instant::now();
    let out = lab.exec("sw7", "show version");
    let took = started.elapsed();
    assert!(out.contains("Cisco IOS XE Software"), "{out}");
    assert!(
        took >= xe.handshake + xe.per_command,
        "show version took {took:?}; profile {xe:?}"
    );

    let started = Instant::now();
    let out = lab.exec("nx7", "copy running-config startup-config");
    let took = started.elapsed();
    assert!(out.contains("Copy complete"), "{out}");
    assert!(
        took >= nx.handshake + nx.per_command + nx.write_memory,
        "copy running-config startup-config took {took:?}; profile {nx:?}"
    );
}
