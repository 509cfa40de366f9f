//! The catalogue against the guides' own words (docs/troubleshooting.md, verbatim where it has them).

use super::*;

fn evidence(status: &str, log: &str, config: &str) -> Evidence {
    Evidence {
        status: Evidence::lines(status),
        log: Evidence::lines(log),
        config: Evidence::lines(config),
        clock_skew: None,
        reachable: None,
    }
}

fn ids(platform: Platform, evidence: &Evidence) -> Vec<String> {
    diagnose(platform, evidence, &[])
        .into_iter()
        .map(|f| f.id)
        .collect()
}

#[test]
fn the_catalogue_is_well_formed() {
    let entries = catalogue();
    let mut seen = std::collections::BTreeSet::new();
    for e in entries {
        assert!(seen.insert(&e.id), "{} twice", e.id);
        assert!(
            !e.all.is_empty() || !e.any.is_empty(),
            "{}: no condition",
            e.id
        );
        assert_eq!(
            e.spec,
            format!("docs/troubleshooting.md#{}", e.id.to_lowercase()),
            "{}",
            e.id
        );
        assert!(!e.platforms.is_empty(), "{}", e.id);
    }
    // Every scenario of docs/troubleshooting.md.
    for id in (1..=9)
        .map(|n| format!("CAT-{n}"))
        .chain((1..=4).map(|n| format!("NX-{n}")))
    {
        assert!(seen.contains(&id), "{id} missing");
    }
}

#[test]
fn a_bad_catalogue_is_refused_with_the_reason() {
    let err = parse("- id: X\n  spec: \"docs/troubleshooting.md#x\"\n  platforms: [ios-xe]\n  title: t\n  any: [{status: \"(\"}]\n  cause: c\n  remedy: r\n  fix_class: AUTO\n").unwrap_err();
    assert!(err.contains("`(`"), "{err}");
    let err = parse("- id: X\n  surprise: 1\n").unwrap_err();
    assert!(err.contains("surprise"), "{err}");
}

#[test]
fn each_catalyst_scenario_is_named_from_its_verbatim_symptom() {
    // docs/troubleshooting.md, the symptom column and the verbatim logs (with the variants it lists).
    let cases: &[(&str, &str, &str)] = &[
        (
            "CAT-1",
            "Status: UNREGISTERED - REGISTRATION FAILED\nFailure reason: Product Already Registered",
            "",
        ),
        (
            "CAT-1",
            "Failure reason: The product C9300 and sudi containing udiSerialNumber:FOC1,udiPid:C9300 has already been registered.",
            "",
        ),
        (
            "CAT-1",
            "Failure reason: Existing Product Instance has Consumption and Force Flag is False",
            "",
        ),
        (
            "CAT-2",
            "Status: REGISTERING - REGISTRATION IN PROGRESS\nFailure reason: Your request could not be processed right now. Please try again",
            "",
        ),
        (
            "CAT-3",
            "Failure reason: {\"timestamp\":[\"The device date '1526135268653' is offset beyond the allowed tolerance limit.\"]}",
            "",
        ),
        (
            "CAT-3",
            "",
            "%PKI-3-CERTIFICATE_INVALID_NOT_YET_VALID: Certificate chain validation has failed.",
        ),
        (
            "CAT-4",
            "Status: UNREGISTERED - REGISTRATION FAILED\nFailure reason: Communication transport not available.",
            "",
        ),
        (
            "CAT-4",
            "",
            "%CALL_HOME-3-CALL_HOME_FAILED_TO_ENABLE: Failed to enable call-home from Smart Agent for Licensing: The command failed",
        ),
        (
            "CAT-6",
            "Status: UNREGISTERED",
            "SAEVT_DEREGISTER_STATUS msgStatus=\"LS_INVALID_DATA\" error=\"Missing Id cert serial number field; Missing signing cert serial number field; Signed data and certificate does not match\"",
        ),
        (
            "CAT-6",
            "",
            "SAVET_DEREGISTER_STATUS msgStatus=\"LS_INVALID_DATA\" error=\"Missing Id cert serial number field ; Missing\"",
        ),
        (
            "CAT-7",
            "Status: OUT OF COMPLIANCE on Mar 09 21:42:02 2019 CST\nLast Communication Attempt: PENDING on Mar 09 21:42:02 2019 CST\nFailure reason: Waiting for reply",
            "%PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint SLA-TrustPoint failed Reason : Failed to select socket.Timeout : 5 (Connection timed out)",
        ),
        (
            "CAT-8",
            "Status: OUT OF COMPLIANCE on Mar 09 21:42:02 2019 CST",
            "%SMART_LIC-3-OUT_OF_COMPLIANCE: One or more entitlements are out of compliance.",
        ),
        (
            "CAT-9",
            "Status: AUTHORIZED on Mar 09 21:42:02 2019 CST\nLast Communication Attempt: FAILED on Mar 09 21:42:02 2019 CST\nFailure reason: Data and signature do not match",
            "%SMART_LIC-3-AUTH_RENEW_FAILED: Authorization renewal with the Cisco Smart Software Manager (CSSM) : Error received from Smart Software Manager: Data and signature do not match for udi PID:C9000,SN:X",
        ),
    ];
    for (id, status, log) in cases {
        let found = ids(Platform::IosXe, &evidence(status, log, ""));
        assert_eq!(found, [*id], "{status}\n{log}");
    }
}

/// docs/troubleshooting.md CAT-5's symptom, as the status and the log show it.
const SEND_FAILED: &str = "Last Communication Attempt: FAILED on Mar 12 09:17:45 2020 EDT\nFailure reason: Fail to send out Call Home HTTP message.";
const SL_MESSAGE_FAILED: &str = "%CALL_HOME-5-SL_MESSAGE_FAILED: Fail to send out Smart Licensing message to: https://10.1.1.1/its/service/oddce/services/DDCEService (ERR 205 : Request Aborted)";

#[test]
fn a_send_failure_is_cat_5_only_when_the_path_is_seen_closed() {
    // The device says it for every message that did not go through: a back-end answering
    // 503 or a certificate it does not trust too. CAT-5's cause is shown by the path check.
    for (status, log) in [(SEND_FAILED, ""), ("", SL_MESSAGE_FAILED)] {
        let mut closed = evidence(status, log, "");
        closed.reachable = Some(false);
        assert_eq!(ids(Platform::IosXe, &closed), ["CAT-5"], "{status}{log}");
    }
    for reachable in [None, Some(true)] {
        let mut e = evidence(SEND_FAILED, SL_MESSAGE_FAILED, "");
        e.reachable = reachable;
        let found = diagnose(Platform::IosXe, &e, &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].id, "UNKNOWN", "{reachable:?}");
        // The device's own reason, as it said it.
        assert_eq!(
            found[0].evidence,
            ["Failure reason: Fail to send out Call Home HTTP message."]
        );
        assert!(found[0].remedy.contains("--preflight"), "{found:?}");
    }
}

#[test]
fn an_unknown_failure_quotes_the_device_with_secrets_masked() {
    crate::redact::register("CANARY-TOKEN-UNKNOWN-7Q");
    let status = "Failure reason: token CANARY-TOKEN-UNKNOWN-7Q is not valid here";
    let found = diagnose(Platform::IosXe, &evidence(status, "", ""), &[]);
    assert_eq!(found[0].id, "UNKNOWN");
    assert_eq!(
        found[0].evidence,
        ["Failure reason: token <redacted> is not valid here"]
    );
}

#[test]
fn the_crl_failure_tells_cat_7_from_cat_8() {
    let log = "%SMART_LIC-3-OUT_OF_COMPLIANCE: One or more entitlements are out of compliance.\n%PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint SLA-TrustPoint failed Reason : Failed to select socket.Timeout : 5 (Connection timed out)";
    let found = ids(
        Platform::IosXe,
        &evidence("Status: OUT OF COMPLIANCE", log, ""),
    );
    assert_eq!(found, ["CAT-7"]);
}

#[test]
fn the_nexus_issues_are_named_from_the_config_they_show() {
    let failing = "Failure reason: Fail to send out Call Home HTTP message.";
    // docs/troubleshooting.md NX-1's evidence: sourced from a VLAN, call-home in the management VRF, and
    // an http:// URL (NX-2) — "a tool linting this config should flag" both.
    let nx1 = "callhome\n  destination-profile CiscoTAC-1 transport-method http\n  destination-profile CiscoTAC-1 index 1 http http://tools.cisco.com/its/service/oddce/services/DDCEServ\n  transport http use-vrf management\nip http source-interface Vlan27";
    assert_eq!(
        ids(Platform::NxOs, &evidence(failing, "", nx1)),
        ["NX-1", "NX-2"]
    );
    let fixed = "transport http use-vrf management\nip http source-interface mgmt0 vrf management\nip name-server 198.51.100.53 use-vrf management";
    assert_eq!(
        ids(Platform::NxOs, &evidence(failing, "", fixed)),
        ["UNKNOWN"]
    );
    let nx4 = "transport http use-vrf management\nip name-server 198.51.100.53";
    assert_eq!(ids(Platform::NxOs, &evidence(failing, "", nx4)), ["NX-4"]);
    // A send failure with the path open is not NX-3 by itself (a back-end answering 503
    // looks the same): NX-3's error names the root CA ([NX-TS]).
    let mut open = evidence(failing, "", fixed);
    open.reachable = Some(true);
    assert_eq!(ids(Platform::NxOs, &open), ["UNKNOWN"]);
    let quovadis = "Failure reason: Fail to send out Call Home HTTP message (failed to establish IPC connection with Call-Home - Quo Vadis Root CA).";
    assert_eq!(
        ids(Platform::NxOs, &evidence(quovadis, "", fixed)),
        ["NX-3"]
    );
}

#[test]
fn a_healthy_device_has_no_finding() {
    // [NX-TS], the NX-OS sample.
    let status = "Smart Licensing is ENABLED\nRegistration:\nStatus: REGISTERED\nSmart Account: ldap_user_test\nVirtual Account: Default\nInitial Registration: SUCCEEDED on Jun 22 16:15:41 2022 UTC\nLast Renewal Attempt: None\nLicense Authorization:\nStatus: AUTHORIZED on Jun 22 16:15:44 2022 UTC\nLast Communication Attempt: SUCCEEDED on Jun 22 16:15:44 2022 UTC";
    let config = "callhome\n  destination-profile CiscoTAC-1 index 1 http https://tools.cisco.com/its/service/oddce/services/DDCEService\n  transport http use-vrf management\nip http source-interface mgmt0 vrf management\nip name-server 198.51.100.53 use-vrf management";
    for platform in Platform::ALL {
        assert_eq!(
            ids(platform, &evidence(status, "", config)),
            Vec::<String>::new()
        );
    }
}

#[test]
fn a_clock_far_off_is_cat_3_even_before_the_back_end_says_so() {
    let mut e = evidence("", "", "");
    e.clock_skew = Some(-15_552_000);
    let found = diagnose(Platform::IosXe, &e, &["ntp server 192.0.2.123".into()]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "CAT-3");
    assert_eq!(
        found[0].evidence,
        ["the device clock is -15552000 s off this machine's"]
    );
    assert_eq!(found[0].config_fix, ["ntp server 192.0.2.123"]);
    e.clock_skew = Some(20);
    assert!(diagnose(Platform::IosXe, &e, &[]).is_empty());
}

#[test]
fn the_fix_is_the_planned_lines_that_carry_out_the_remedy() {
    let e = evidence(
        "",
        "%PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint SLA-TrustPoint failed",
        "",
    );
    let planned = [
        "crypto pki trustpoint SLA-TrustPoint".to_string(),
        " revocation-check none".to_string(),
        "exit".to_string(),
        "ip name-server 198.51.100.53".to_string(),
    ];
    let found = diagnose(Platform::IosXe, &e, &planned);
    assert_eq!(found[0].config_fix, &planned[..2]);
    assert!(!found[0].config_fix_missing);
    // With nothing planned, the intent does not describe the remedy.
    let found = diagnose(Platform::IosXe, &e, &[]);
    assert!(found[0].config_fix_missing);
}

#[test]
fn the_datacentre_states_are_named_on_the_apic() {
    let cases = [
        (
            "ACI-1",
            "Failure reason: Fail to send out Call Home HTTP message.",
        ),
        (
            "ACI-7",
            "Status: AUTHORIZATION EXPIRED on Jun 22 16:15:44 2022 UTC",
        ),
        (
            "ACI-8",
            "Last Renewal Attempt: FAILED on Jun 22 16:15:44 2022 UTC",
        ),
        (
            "ACI-10",
            "Registration:\nStatus: UNREGISTERED\nLicense Authorization:\nStatus: EVAL MODE",
        ),
    ];
    for (id, status) in cases {
        assert_eq!(
            ids(Platform::Apic, &evidence(status, "", "")),
            [id],
            "{status}"
        );
    }
    assert_eq!(
        ids(
            Platform::Apic,
            &evidence(
                "Status: OUT OF COMPLIANCE on Jun 22 16:15:44 2022 UTC",
                "",
                ""
            )
        ),
        ["ACI-5", "ACI-6"]
    );
}

#[test]
fn a_failed_registration_is_explained_from_its_parsed_status() {
    let text = "Smart Licensing is ENABLED\nRegistration:\n  Status: REGISTERING - REGISTRATION IN PROGRESS\n  Initial Registration: FAILED on Jun 22 16:15:41 2022 UTC\n    Failure reason: Fail to send out Call Home HTTP message.\nLicense Authorization:\n  Status: EVAL MODE\n";
    let status = crate::platform::status::parse_license_status(Platform::IosXe, text).unwrap();
    // A send failure alone does not show its cause: no explanation rather than a guess.
    assert_eq!(
        explain(Platform::IosXe, &Evidence::of_status(&status)),
        None
    );
    let try_again = text.replace(
        "Fail to send out Call Home HTTP message.",
        "Your request could not be processed right now. Please try again",
    );
    let status =
        crate::platform::status::parse_license_status(Platform::IosXe, &try_again).unwrap();
    let said = explain(Platform::IosXe, &Evidence::of_status(&status)).unwrap();
    assert!(
        said.starts_with("CAT-2 (docs/troubleshooting.md#cat-2): Generate a new token"),
        "{said}"
    );
    // Nothing the catalogue knows: no explanation.
    let healthy = text.replace(
        "    Failure reason: Fail to send out Call Home HTTP message.\n",
        "",
    );
    let status = crate::platform::status::parse_license_status(Platform::IosXe, &healthy).unwrap();
    assert_eq!(
        explain(Platform::IosXe, &Evidence::of_status(&status)),
        None
    );
}

#[test]
fn a_failure_logged_before_the_last_success_is_over() {
    let log = "*Nov 23 21:10:45.085: %PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint SLA-TrustPoint failed Reason : Failed to select socket.Timeout : 5 (Connection timed out)\n\
               *Nov 23 21:12:01.002: %SMART_LIC-6-AUTH_RENEW_SUCCESS: Authorization renewal with the Cisco Smart Software Manager or satellit\n";
    let evidence = Evidence {
        log: Evidence::recent_log(log),
        ..Evidence::default()
    };
    assert!(diagnose(Platform::IosXe, &evidence, &[]).is_empty());
    // The same failure after the success still counts.
    let later = format!(
        "{}*Nov 23 21:15:00.000: %PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint SLA-TrustPoint failed\n",
        log
    );
    let evidence = Evidence {
        log: Evidence::recent_log(&later),
        ..Evidence::default()
    };
    assert_eq!(ids(Platform::IosXe, &evidence), ["CAT-7"]);
}
