//! The licensing status reader (`platform::status`) against the lab's own `show license …` texts, built in-process from the
//! lab's licensing state machine (`crates/smartlic-lab/src/licensing`) in every state it can print, and
//! against short verbatim samples of Cisco's documents.

use crate::intent::Expect;
use crate::lab::device::Identity;
use crate::lab::licensing::machine::{
    Account, Action, Classic, DAY, Failure, Grant, MINUTE, Policy, Syslog,
};
use crate::lab::licensing::network::{CSSM_SMART_URL, NoTransport, Transport};
use crate::lab::licensing::show::{self, View, entitlements};
use crate::platform::status::*;
use crate::platform::timefmt::{countdown, stamp};
use crate::platform::{LicensingModel, Platform};

/// Jun 22 16:15:41 2022 UTC (the NX-OS sample's registration time, [NX-TS]).
const T0: f64 = 1_655_914_541.0;
const SEND_FAILED: &str = "Fail to send out Call Home HTTP message.";
const XE: Syslog = Syslog { ios_xe: true };

fn identity(platform: Platform, model: LicensingModel) -> Identity {
    let (version, pid) = match platform {
        Platform::IosXe => ("17.9.4", "C9300-48P"),
        Platform::NxOs => ("10.2(3)F", "N9K-C93180YC-FX"),
        Platform::Apic => ("4.2(7f)", "APIC-SERVER-M3"),
    };
    // The lab names platforms and models in its own types (it shares nothing with smartlic).
    let lab_platform = crate::lab::release::Platform::from_inventory(platform.name()).unwrap();
    let lab_model = match model {
        LicensingModel::Classic => crate::lab::release::LicensingModel::Classic,
        LicensingModel::Policy => crate::lab::release::LicensingModel::Policy,
    };
    Identity {
        name: "dev1".into(),
        platform: lab_platform,
        model: lab_model,
        version: version.into(),
        pid: pid.into(),
        serial: "FOC2233X0AB".into(),
    }
}

fn account() -> Account {
    Account {
        smart: "TAC Cisco Systems, Inc.".into(),
        virtual_: "Krakow LAN-SW".into(),
    }
}

/// The lab's classic `show license <command>` for `m` at `now`.
fn classic_text(platform: Platform, command: &str, m: &Classic, now: f64) -> String {
    let id = identity(platform, LicensingModel::Classic);
    let ents = entitlements(&id);
    let view = View {
        identity: &id,
        now,
        offset: 0.0,
        entitlements: &ents,
        transport: None,
    };
    show::classic(command, m, &view).expect("the lab prints this command")
}

fn classic(platform: Platform, m: &Classic, now: f64) -> LicensingStatus {
    let text = classic_text(platform, "status", m, now);
    parse_license_status(platform, &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn udi() -> (&'static str, &'static str) {
    ("C9300-48P", "FOC2233X0AB")
}

fn send_failure() -> Failure {
    Failure::Send {
        reason: SEND_FAILED.into(),
        url: "https://tools.cisco.com/its/service/oddce/services/DDCEService".into(),
        timed_out: false,
    }
}

fn authorized() -> Classic {
    let mut m = Classic::new(T0);
    m.register("tok", false, T0 + 10.0, XE);
    m.registered(T0 + 20.0, account(), true, XE);
    m.granted(T0 + 21.0, Grant::InCompliance, XE);
    m
}

// ------------------------------------------------------------------ classic, lab

#[test]
fn factory_evaluation_on_every_platform() {
    for platform in Platform::ALL {
        let m = Classic::new(T0);
        let s = classic(platform, &m, T0 + DAY);
        assert_eq!(s.model, LicensingModel::Classic, "{platform}");
        assert_eq!(s.enabled, Some(true));
        assert_eq!(
            s.registration,
            Some(Registration::Unregistered),
            "{platform}"
        );
        assert_eq!(s.authorization, Some(Authorization::EvalMode), "{platform}");
        assert_eq!(
            s.evaluation_period_remaining.as_deref(),
            Some(countdown(89.0 * DAY).as_str())
        );
        assert_eq!((&s.smart_account, &s.virtual_account), (&None, &None));
        assert_eq!(s.failure_reason, None);
        assert_eq!(s.authorization_since, None);
        assert!(s.satisfies(&expect("UNREGISTERED", "EVAL")));
        assert!(!s.satisfies(&expect("REGISTERED", "ANY")));
    }
}

#[test]
fn registering_after_a_send_failure_keeps_the_reason_and_the_next_attempt() {
    for platform in Platform::ALL {
        let mut m = Classic::new(T0);
        m.register("tok", false, T0 + 10.0, XE);
        m.failed(Action::Register, &send_failure(), T0 + 11.0, udi(), XE);
        let s = classic(platform, &m, T0 + 12.0);
        assert_eq!(
            s.registration,
            Some(Registration::Registering),
            "{platform}"
        );
        assert_eq!(s.authorization, Some(Authorization::EvalMode));
        assert_eq!(s.registration_failure.as_deref(), Some(SEND_FAILED));
        assert_eq!(s.failure_reason.as_deref(), Some(SEND_FAILED));
        assert_eq!(s.communication_failure, None);
        assert_eq!(
            s.initial_registration,
            Some(format!("FAILED on {}", stamp(T0 + 11.0)))
        );
        assert_eq!(
            s.next_registration_attempt,
            Some(stamp(T0 + 11.0 + 15.0 * MINUTE))
        );
    }
}

#[test]
fn registration_failed_rejected_and_transport_unavailable() {
    for platform in Platform::ALL {
        let mut m = Classic::new(T0);
        m.register("tok", false, T0 + 10.0, XE);
        let rejected = Failure::Rejected {
            reason: "Product Already Registered".into(),
            retry: false,
        };
        m.failed(Action::Register, &rejected, T0 + 11.0, udi(), XE);
        let s = classic(platform, &m, T0 + 12.0);
        assert_eq!(
            s.registration,
            Some(Registration::RegistrationFailed),
            "{platform}"
        );
        assert_eq!(
            s.failure_reason.as_deref(),
            Some("Product Already Registered")
        );
        assert!(s.next_registration_attempt.is_some());

        let mut m = Classic::new(T0);
        m.register("tok", false, T0 + 10.0, XE);
        let none = Failure::TransportUnavailable("Communication transport not available.".into());
        m.failed(Action::Register, &none, T0 + 11.0, udi(), XE);
        let s = classic(platform, &m, T0 + 12.0);
        assert_eq!(s.registration, Some(Registration::RegistrationFailed));
        assert_eq!(
            s.failure_reason.as_deref(),
            Some("Communication transport not available.")
        );
        assert_eq!(s.next_registration_attempt, None);
        assert!(!s.satisfies(&expect("UNREGISTERED", "ANY")));
    }
}

#[test]
fn registered_before_and_after_the_authorization_answer() {
    for platform in Platform::ALL {
        let mut m = Classic::new(T0);
        m.register("tok", false, T0 + 10.0, XE);
        m.registered(T0 + 20.0, account(), true, XE);
        // No entitlement answer yet: the lab shows EVAL MODE ([CAT-TS] [NX-TS] [ACI-SL]: registered, no authorization yet).
        let s = classic(platform, &m, T0 + 20.5);
        assert_eq!(s.registration, Some(Registration::Registered), "{platform}");
        assert_eq!(s.authorization, Some(Authorization::EvalMode));
        assert_eq!(s.smart_account.as_deref(), Some("TAC Cisco Systems, Inc."));
        assert_eq!(s.virtual_account.as_deref(), Some("Krakow LAN-SW"));

        let m = authorized();
        let s = classic(platform, &m, T0 + 30.0);
        assert_eq!(s.registration, Some(Registration::Registered));
        assert_eq!(s.authorization, Some(Authorization::Authorized));
        assert_eq!(s.authorization_since, Some(stamp(T0 + 21.0)));
        // IOS-XE status says `ALLOWED` (corpus genieparser-2); NX-OS `Allowed` ([NX-TS], and
        // Cisco's N9K capture, tests/fixtures/corpus/nxos), as the lab's APIC.
        let allowed = match platform {
            Platform::IosXe => "ALLOWED",
            _ => "Allowed",
        };
        assert_eq!(s.export_controlled.as_deref(), Some(allowed));
        assert_eq!(
            s.initial_registration,
            Some(format!("SUCCEEDED on {}", stamp(T0 + 20.0)))
        );
        assert_eq!(s.last_renewal_attempt, None, "`None` is unset");
        assert_eq!(s.next_renewal_attempt, Some(stamp(T0 + 20.0 + 180.0 * DAY)));
        assert_eq!(s.registration_expires, Some(stamp(T0 + 20.0 + 365.0 * DAY)));
        assert_eq!(
            s.last_communication_attempt,
            Some(format!("SUCCEEDED on {}", stamp(T0 + 21.0)))
        );
        assert_eq!(
            s.next_communication_attempt,
            Some(stamp(T0 + 21.0 + 30.0 * DAY))
        );
        assert_eq!(
            s.communication_deadline,
            Some(stamp(T0 + 21.0 + 90.0 * DAY))
        );
        assert_eq!(s.evaluation_period_remaining, None);
        assert_eq!(s.failure_reason, None);
        assert_eq!(
            s.transport_type.as_deref(),
            match platform {
                Platform::IosXe => Some("Callhome"),
                _ => None,
            }
        );
        assert!(s.satisfies(&expect("REGISTERED", "AUTHORIZED")));
        assert!(!s.satisfies(&expect("REGISTERED", "OUT_OF_COMPLIANCE")));
    }
}

#[test]
fn out_of_compliance_authorization_expired_and_evaluation_expired() {
    for platform in Platform::ALL {
        let mut m = Classic::new(T0);
        m.register("tok", false, T0 + 10.0, XE);
        m.registered(T0 + 20.0, account(), false, XE);
        m.granted(T0 + 21.0, Grant::OutOfCompliance, XE);
        let s = classic(platform, &m, T0 + 30.0);
        assert_eq!(s.authorization, Some(Authorization::OutOfCompliance));
        assert_eq!(s.authorization_since, Some(stamp(T0 + 21.0)));
        assert_eq!(s.export_controlled.as_deref(), Some("Not Allowed"));
        assert!(s.satisfies(&expect("REGISTERED", "OUT_OF_COMPLIANCE")));

        // 90 days without a renewal: past the communication deadline.
        let m = authorized();
        let s = classic(platform, &m, T0 + 100.0 * DAY);
        assert_eq!(s.registration, Some(Registration::Registered));
        assert_eq!(
            s.authorization,
            Some(Authorization::AuthorizationExpired),
            "{platform}"
        );
        assert_eq!(s.authorization_since, Some(stamp(T0 + 21.0 + 90.0 * DAY)));

        let m = Classic::new(T0);
        let s = classic(platform, &m, T0 + 91.0 * DAY);
        assert_eq!(s.registration, Some(Registration::Unregistered));
        assert_eq!(s.authorization, Some(Authorization::EvalExpired));
        assert!(!s.satisfies(&expect("UNREGISTERED", "EVAL")));
    }
}

#[test]
fn communication_and_renewal_failures_keep_their_reasons_apart() {
    for platform in Platform::ALL {
        let mut m = authorized();
        let mismatch = Failure::Rejected {
            reason: "Data and signature do not match".into(),
            retry: true,
        };
        m.failed(Action::Authorize, &mismatch, T0 + DAY, udi(), XE);
        let s = classic(platform, &m, T0 + DAY + 1.0);
        assert_eq!(s.authorization, Some(Authorization::Authorized));
        assert_eq!(
            s.last_communication_attempt,
            Some(format!("FAILED on {}", stamp(T0 + DAY)))
        );
        assert_eq!(
            s.communication_failure.as_deref(),
            Some("Data and signature do not match")
        );
        assert_eq!(s.registration_failure, None);
        assert_eq!(
            s.failure_reason.as_deref(),
            Some("Data and signature do not match")
        );

        // docs/troubleshooting.md CAT-7/8: PENDING, `Waiting for reply`.
        let mut m = authorized();
        let no_reply = Failure::NoReply("Waiting for reply".into());
        m.failed(Action::Authorize, &no_reply, T0 + DAY, udi(), XE);
        let s = classic(platform, &m, T0 + DAY + 1.0);
        assert_eq!(
            s.last_communication_attempt,
            Some(format!("PENDING on {}", stamp(T0 + DAY)))
        );
        assert_eq!(s.failure_reason.as_deref(), Some("Waiting for reply"));

        // The ID certificate renewal fails: a registration-section reason.
        let mut m = authorized();
        m.failed(Action::RenewId, &send_failure(), T0 + 2.0 * DAY, udi(), XE);
        let s = classic(platform, &m, T0 + 2.0 * DAY + 1.0);
        assert_eq!(
            s.last_renewal_attempt,
            Some(format!("FAILED on {}", stamp(T0 + 2.0 * DAY)))
        );
        assert_eq!(s.registration_failure.as_deref(), Some(SEND_FAILED));
        assert_eq!(s.communication_failure, None);
    }
}

#[test]
fn show_license_all_summary_and_tech_support_embed_the_same_state() {
    let m = authorized();
    for platform in Platform::ALL {
        let status = classic(platform, &m, T0 + 30.0);
        for command in ["all", "tech support"] {
            let text = classic_text(platform, command, &m, T0 + 30.0);
            let s = parse_license_status(platform, &text).unwrap();
            assert_eq!(s, status, "{platform} show license {command}");
        }
        // The summary prints fewer fields, the same states.
        let text = classic_text(platform, "summary", &m, T0 + 30.0);
        let s = parse_license_status(platform, &text).unwrap();
        assert_eq!(s.registration, Some(Registration::Registered));
        assert_eq!(s.authorization, Some(Authorization::Authorized));
        assert_eq!(s.virtual_account.as_deref(), Some("Krakow LAN-SW"));
    }
}

// ------------------------------------------------------------------ Using Policy, lab

fn smart_transport() -> Option<Result<Transport, NoTransport>> {
    Some(Ok(Transport {
        url: CSSM_SMART_URL.into(),
        vrf: None,
        source_interface: None,
        proxy: None,
        identity_check: true,
        call_home: false,
        cslu: false,
    }))
}

fn policy_text(
    platform: Platform,
    command: &str,
    p: &Policy,
    transport: Option<Result<Transport, NoTransport>>,
) -> String {
    let id = identity(platform, LicensingModel::Policy);
    let ents = entitlements(&id);
    let view = View {
        identity: &id,
        now: T0 + 100.0,
        offset: 0.0,
        entitlements: &ents,
        transport,
    };
    show::policy(command, p, &view).expect("the lab prints this command")
}

#[test]
fn using_policy_before_and_after_trust() {
    for platform in [Platform::IosXe, Platform::NxOs] {
        let (mut p, _) = Policy::new(T0);
        let text = policy_text(platform, "status", &p, smart_transport());
        let s = parse_license_status(platform, &text).unwrap();
        assert_eq!(s.model, LicensingModel::Policy);
        assert_eq!(s.enabled, Some(true));
        assert_eq!((&s.registration, &s.authorization), (&None, &None));
        assert_eq!((&s.smart_account, &s.virtual_account), (&None, &None));
        assert_eq!(s.trust_code_installed, None);
        assert_eq!(s.transport_type.as_deref(), Some("Smart"));
        assert_eq!(s.transport_url.as_deref(), Some(CSSM_SMART_URL));
        assert_eq!(s.last_ack_received, None);
        assert_eq!(s.next_ack_deadline, Some(stamp(T0 + 90.0 * DAY)));
        assert_eq!(
            s.policy_in_use.as_deref(),
            Some("Merged from multiple sources.")
        );
        assert!(!s.satisfies(&expect("TRUSTED", "ANY")));
        assert!(s.satisfies(&expect("ANY", "ANY")));

        p.trusted(T0 + 60.0, account(), Some("SLE Policy".into()));
        p.acknowledged(T0 + 61.0, None);
        let status_text = policy_text(platform, "status", &p, smart_transport());
        let s = parse_license_status(platform, &status_text).unwrap();
        assert_eq!(s.trust_code_installed, Some(stamp(T0 + 60.0)), "{platform}");
        assert_eq!(s.smart_account.as_deref(), Some("TAC Cisco Systems, Inc."));
        assert_eq!(s.account_as_of, Some(stamp(T0 + 60.0)));
        assert_eq!(s.virtual_account.as_deref(), Some("Krakow LAN-SW"));
        assert_eq!(s.last_ack_received, Some(stamp(T0 + 61.0)));
        assert_eq!(s.next_ack_deadline, Some(stamp(T0 + 61.0 + 90.0 * DAY)));
        assert_eq!(s.last_report_push, Some(stamp(T0 + 61.0)));
        assert_eq!(s.next_report_push, Some(stamp(T0 + 61.0 + 30.0 * DAY)));
        assert_eq!(s.policy_name.as_deref(), Some("SLE Policy"));
        assert!(s.satisfies(&expect("TRUSTED", "ANY")));
        // `show license all` and `tech support` (a second `Usage Reporting:` block in
        // its communication statistics) read the same.
        for command in ["all", "tech support"] {
            let text = policy_text(platform, command, &p, smart_transport());
            let all = parse_license_status(platform, &text).unwrap();
            assert_eq!(all.enabled, Some(true));
            assert_eq!(
                LicensingStatus {
                    enabled: Some(true),
                    ..s.clone()
                },
                all,
                "{command}"
            );
        }
    }
}

#[test]
fn using_policy_transports_cslu_off_and_callhome() {
    let (p, _) = Policy::new(T0);
    let s = parse_license_status(
        Platform::IosXe,
        &policy_text(Platform::IosXe, "status", &p, None),
    )
    .unwrap();
    assert_eq!(s.transport_type.as_deref(), Some("cslu"));
    assert_eq!(s.transport_url, None, "`Cslu address: <empty>`");
    let off = Some(Err(NoTransport::Off));
    let s = parse_license_status(
        Platform::IosXe,
        &policy_text(Platform::IosXe, "status", &p, off),
    )
    .unwrap();
    assert_eq!(s.transport_type.as_deref(), Some("Transport Off"));
    let cslu = Some(Ok(Transport {
        url: "http://192.0.2.7:8182/cslu/v1/pi".into(),
        cslu: true,
        proxy: Some(("proxy.example".into(), 3128)),
        ..smart_transport().unwrap().unwrap()
    }));
    let s = parse_license_status(
        Platform::IosXe,
        &policy_text(Platform::IosXe, "status", &p, cslu),
    )
    .unwrap();
    assert_eq!(
        s.transport_url.as_deref(),
        Some("http://192.0.2.7:8182/cslu/v1/pi")
    );
    // `show license usage` on Using Policy: `License Authorization: Status: Not Applicable`
    // ([N3550-MIG] [NX-ART]) reads as Using Policy.
    let usage = policy_text(Platform::NxOs, "usage", &p, None);
    let s = parse_license_status(Platform::NxOs, &usage).unwrap();
    assert_eq!(s.model, LicensingModel::Policy);
    assert_eq!(s.authorization, Some(Authorization::NotApplicable));
}

// ------------------------------------------------------------------ what real captures carry

#[test]
fn crlf_prompts_load_lines_and_whitespace_only_lines_are_tolerated() {
    let m = authorized();
    let clean = classic(Platform::IosXe, &m, T0 + 30.0);
    let text = classic_text(Platform::IosXe, "status", &m, T0 + 30.0);
    // As corpus genieparser-1/-2 captures look: header lines, the prompt and echoed
    // command, one-blank lines, CRLF, a trailing prompt; and genieparser-3's flush-left
    // `Virtual Account:`.
    let mut noisy = String::from(
        "Load for five secs: 2%/0%; one minute: 0%; five minutes: 0%\r\nTime source is NTP, .05:30:30.132 UTC Fri Oct 22 2021\r\n\r\nc1000v-5#show license status\r\n",
    );
    for line in text.lines() {
        let line = if line.trim().is_empty() { " " } else { line };
        let line = match line.strip_prefix("  Virtual Account:") {
            Some(rest) => format!("Virtual Account:{rest}"),
            None => line.to_string(),
        };
        noisy.push_str(&line);
        noisy.push_str("\r\n");
    }
    noisy.push_str("          \r\nc1000v-5#");
    assert_eq!(
        parse_license_status(Platform::IosXe, &noisy).unwrap(),
        clean
    );
}

#[test]
fn the_nx_os_sample_of_the_spec() {
    // [NX-TS], verbatim.
    let text = "switch# show license status
Smart Licensing is ENABLED
Registration:
Status: REGISTERED
Smart Account: ldap_user_test
Virtual Account: Default
Export-Controlled Functionality: Allowed
Initial Registration: SUCCEEDED on Jun 22 16:15:41 2022 UTC
Last Renewal Attempt: None
Next Renewal Attempt: Dec 19 16:15:41 2022 UTC
Registration Expires: Jun 22 16:13:53 2023 UTC
License Authorization:
Status: AUTHORIZED on Jun 22 16:15:44 2022 UTC
Last Communication Attempt: SUCCEEDED on Jun 22 16:15:44 2022 UTC
Next Communication Attempt: Jul 22 16:15:43 2022 UTC
Communication Deadline: Sep 20 16:12:55 2022 UTC
Smart License Conversion:
Automatic Conversion Enabled: False
Status: Not started
";
    let s = parse_license_status(Platform::NxOs, text).unwrap();
    assert_eq!(s.registration, Some(Registration::Registered));
    assert_eq!(s.authorization, Some(Authorization::Authorized));
    assert_eq!(
        s.authorization_since.as_deref(),
        Some("Jun 22 16:15:44 2022 UTC")
    );
    assert_eq!(s.smart_account.as_deref(), Some("ldap_user_test"));
    assert_eq!(s.virtual_account.as_deref(), Some("Default"));
    assert_eq!(
        s.registration_expires.as_deref(),
        Some("Jun 22 16:13:53 2023 UTC")
    );
    assert_eq!(
        s.communication_deadline.as_deref(),
        Some("Sep 20 16:12:55 2022 UTC")
    );
    assert_eq!(s.last_renewal_attempt, None);
}

#[test]
fn the_failure_fragments_of_the_spec() {
    // docs/troubleshooting.md CAT-3 (a JSON reason) and scenario 5 (no `Registration:` section).
    let s = parse_license_status(
        Platform::IosXe,
        "Registration:
Status: REGISTERING - REGISTRATION IN PROGRESS
Export-Controlled Functionality: NotAllowed
Initial Registration: FAILED on Nov 11 17:55:46 2018 EST
Failure reason: {\"timestamp\": [\"The device date '1526135268653' is offset beyond the allowed tolerance limit.\"]}
Next Registration Attempt: Nov 11 18:12:17 2018 EST
",
    )
    .unwrap();
    assert_eq!(s.registration, Some(Registration::Registering));
    assert!(
        s.failure_reason
            .unwrap()
            .starts_with("{\"timestamp\": [\"The device date")
    );
    assert_eq!(
        s.next_registration_attempt.as_deref(),
        Some("Nov 11 18:12:17 2018 EST")
    );
    let s = parse_license_status(
        Platform::IosXe,
        "License Authorization:
Status: OUT OF COMPLIANCE on Jul 26 09:24:09 2018 UTC
Last Communication Attempt: FAILED on Aug 02 14:26:23 2018 UTC
Failure reason: Fail to send out Call Home HTTP message.
Next Communication Attempt: Aug 02 14:26:53 2018 UTC
Communication Deadline: Oct 25 09:21:38 2018 UTC
",
    )
    .unwrap();
    assert_eq!(s.model, LicensingModel::Classic);
    assert_eq!(s.registration, None);
    assert_eq!(s.authorization, Some(Authorization::OutOfCompliance));
    assert_eq!(s.communication_failure.as_deref(), Some(SEND_FAILED));
}

#[test]
fn stack_trust_members_and_the_newer_agent_layout() {
    // [GENIEPARSER] form 3, verbatim lines.
    let s = parse_license_status(
        Platform::IosXe,
        "Smart Licensing Using Policy:
  Status: ENABLED

Account Information:
  Smart Account: SA-Switching-Polaris As of Oct 14 12:10:01 2021 UTC
  Virtual Account: SLE_Test

Trust Code Installed:
  Active: PID:C9300-24UX,SN:FCW2303D16Y
    INSTALLED on Oct 14 11:37:52 2021 UTC
  Standby: PID:C9300-24U,SN:FHH2043P09E
    INSTALLED on Oct 14 11:37:52 2021 UTC
  Member: PID:C9300-48T,SN:FCW2139L056
    INSTALLED on Oct 14 11:37:53 2021 UTC",
    )
    .unwrap();
    assert_eq!(s.smart_account.as_deref(), Some("SA-Switching-Polaris"));
    assert_eq!(s.account_as_of.as_deref(), Some("Oct 14 12:10:01 2021 UTC"));
    assert_eq!(s.trust_members.len(), 3);
    assert_eq!(s.trust_members[1].role, "Standby");
    assert_eq!(s.trust_members[1].udi, "PID:C9300-24U,SN:FHH2043P09E");
    assert_eq!(
        s.trust_code_installed.as_deref(),
        Some("Oct 14 11:37:52 2021 UTC")
    );
    // [GENIEPARSER] form 4, the glued first line and `Valid on` on the same line.
    let s = parse_license_status(
        Platform::IosXe,
        "Smart Licensing Using Policy:
  Status: ENABLED
Trust Code Installed:    Trust Code Type: CSSM
    Attributes: <none>

  Active: PID:C9350-48T,SN:FOC2820Y07F
    INSTALLED on Apr 23 15:28:43 2025 IST    Valid on Apr 23 15:23:40 2025 IST
    Expired on Apr 25 02:55:41 2033 IST
    Trust Code Type: CSSM
    Attributes: <none>

  Standby: PID:C9350-48P,SN:FOC2823Y0QC
    Expired on Apr 25 02:55:41 2033 IST
",
    )
    .unwrap();
    assert_eq!(
        s.trust_members[0].installed.as_deref(),
        Some("Apr 23 15:28:43 2025 IST")
    );
    assert_eq!(s.trust_members[1].installed, None);
    assert_eq!(s.trust_code_installed, None, "one member has no trust");
}

#[test]
fn an_output_without_a_licensing_section_is_an_error() {
    let e = parse_license_status(
        Platform::IosXe,
        "cat1#show license status\n                    ^\n% Invalid input detected at '^' marker.\n\ncat1#",
    )
    .unwrap_err();
    assert_eq!(
        e.found.as_deref(),
        Some("% Invalid input detected at '^' marker.")
    );
    let message = e.to_string();
    assert!(message.contains("`Registration:`"), "{message}");
    assert!(
        message.contains("`Smart Licensing Using Policy:`"),
        "{message}"
    );
    let e = parse_license_status(Platform::Apic, "\r\n  \r\n").unwrap_err();
    assert_eq!(e.found, None);
    assert!(e.to_string().starts_with("apic `show license status`"));
    // Sections that do not tell the model apart ([GENIEPARSER] [NTC-TEMPLATES]) are not enough either.
    let e = parse_license_status(
        Platform::NxOs,
        "Utility:\n  Status: DISABLED\n\nTransport:\n  Type: Callhome\n",
    )
    .unwrap_err();
    assert_eq!(e.found.as_deref(), Some("Utility:"));
}

#[test]
fn states_are_canonical_and_unknown_ones_kept_verbatim() {
    assert_eq!(registration("  unregistered "), Registration::Unregistered);
    assert_eq!(
        registration("Registration Not Applicable"),
        Registration::Other("Registration Not Applicable".into())
    );
    assert_eq!(authorization("AUTHORIZED"), Authorization::Authorized);
    assert_eq!(
        authorization("Not Applicable"),
        Authorization::NotApplicable
    );
    assert_eq!(
        authorization("WAITING on Jan 01 00:00:00 2024 UTC"),
        Authorization::Other("WAITING on Jan 01 00:00:00 2024 UTC".into())
    );
    let json = serde_json::to_value(Registration::RegistrationFailed).unwrap();
    assert_eq!(json, serde_json::json!("registration_failed"));
}

fn expect(registration: &str, authorization: &str) -> Expect {
    Expect {
        registration: registration.into(),
        authorization: authorization.into(),
        timeout_secs: 60,
        smart_account: None,
        virtual_account: None,
    }
}

// ------------------------------------------------------------------ show version

#[test]
fn ios_xe_versions() {
    // [GENIEPARSER] lines (genieparser ShowVersion fixtures).
    let v = |t: &str| parse_version(Platform::IosXe, t);
    assert_eq!(
        v("Cisco IOS XE Software, Version 17.03.03 - SMU-PATCHED\nCisco IOS Software [Amsterdam], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.3.3, RELEASE SOFTWARE (fc7)")
            .as_deref(),
        Some("17.03.03")
    );
    assert_eq!(
        v("Cisco IOS XE Software, Version BLD_POLARIS_DEV_LATEST_20230512_092306\nCisco IOS Software [Dublin], Catalyst L3 Switch Software (CAT9K_IOSXE), Experimental Version 17.13.20230512:105008 [BLD_POLARIS_DEV_LATEST_20230512_092306:/nobackup/mcpre/s2c-build-ws 101]")
            .as_deref(),
        Some("17.13.20230512:105008")
    );
    assert_eq!(
        v("Cisco IOS Software [Gibraltar], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 16.12.5, RELEASE SOFTWARE (fc3)").as_deref(),
        Some("16.12.5")
    );
    assert_eq!(
        v("Cisco IOS XE Software, Version BLD_POLARIS_DEV_LATEST_20230512_092306").as_deref(),
        Some("BLD_POLARIS_DEV_LATEST_20230512_092306")
    );
    assert_eq!(
        v("ROM: IOS-XE ROMMON\nBOOTLDR: System Bootstrap, Version 17.8.1r[FC1]"),
        None
    );
}

#[test]
fn nx_os_and_apic_versions() {
    // [GENIEPARSER] lines.
    let nx = |t: &str| parse_version(Platform::NxOs, t);
    assert_eq!(
        nx("  BIOS: version 07.68\n  NXOS: version 10.2(3) [Feature Release]\n  Host NXOS: version 10.2(3)\n").as_deref(),
        Some("10.2(3)")
    );
    assert_eq!(
        nx(" NXOS: version 9.3(6uu)I9(1uu) [build 9.3(6)]").as_deref(),
        Some("9.3(6uu)I9(1uu)")
    );
    assert_eq!(
        nx("  system:    version 7.0(3)I7(1)\n").as_deref(),
        Some("7.0(3)I7(1)")
    );
    assert_eq!(nx("Cisco Nexus Operating System (NX-OS) Software"), None);
    // The lab's APIC table (genie's APIC `show version` shape).
    let apic = " Role        Pod         Node        Name                      Version              \n ----------  ----------  ----------  ------------------------  -------------------- \n leaf        1           101         leaf1                     n9000-15.1(2e)       \n controller  1           1           apic1                     5.2(4e)              \n";
    assert_eq!(
        parse_version(Platform::Apic, apic).as_deref(),
        Some("5.2(4e)")
    );
    assert_eq!(parse_version(Platform::Apic, "apic1# "), None);
}

#[test]
fn state_words_are_the_devices_words() {
    let classic = parse_license_status(
        Platform::IosXe,
        "Registration:\n  Status: REGISTERED\n\nLicense Authorization:\n  Status: OUT OF COMPLIANCE on Jan 01 00:00:00 2026 UTC\n",
    )
    .unwrap();
    assert_eq!(classic.state_words(), "REGISTERED / OUT OF COMPLIANCE");
    let half =
        parse_license_status(Platform::IosXe, "Registration:\n  Status: UNREGISTERED\n").unwrap();
    assert_eq!(half.state_words(), "UNREGISTERED / ?");
}
