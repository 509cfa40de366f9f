//! The syslog lines the agent writes into `DeviceState.log`, verbatim from Cisco's documents.
//!
//! Where Cisco's copy of a line is cut ([CAT-TS] prints some lines cut short) and no
//! full text was found in a public source, the line is Cisco's prefix as is: a matcher
//! keys on the mnemonic plus a distinctive prefix (docs/troubleshooting.md, [CAT-TS]), which the prefix keeps.
//! Searched without result (public code index, stored pages): the full
//! `SCH_REGISTRATION_IN_PROGRESS`, `AGENT_REG_SUCCESS` and `AUTH_RENEW_SUCCESS` texts.

/// [CAT-TS], a good registration's log, step 1 (the key pair).
pub const KEY_ADDITION: &str = "%CRYPTO_ENGINE-5-KEY_ADDITION: A key named SLA-KeyPair has been generated or imported by crypto-engine";

/// [CAT-TS] has it cut after `IOS PKI configur`; the full line (two spaces after
/// `modified.`) is in real boot logs, e.g. the C1117 console log of SLP `[LOG-C1117]`
/// (search index id 51838195689) and a Cat9k 17.9.5 log (id 4719122753).
pub const PKI_NOCONFIGAUTOSAVE: &str = "%PKI-4-NOCONFIGAUTOSAVE: Configuration was modified.  Issue \"write memory\" to save new IOS PKI configuration";

/// [CAT-TS], a good registration's log, step 2, cut short there.
pub const SCH_REGISTRATION_IN_PROGRESS: &str = "%CALL_HOME-6-SCH_REGISTRATION_IN_PROGRESS: SCH device registration is in progress. Call-home will poll";

/// [CAT-TS], a good registration's log, step 3.
pub const EXPORT_CONTROLLED: &str =
    "%SMART_LIC-6-EXPORT_CONTROLLED: Usage of export controlled features is allowed";

/// [CAT-TS], a good registration's log, step 4, cut short there.
pub const AGENT_REG_SUCCESS: &str = "%SMART_LIC-6-AGENT_REG_SUCCESS: Smart Agent for Licensing Registration with the Cisco Smart Software Ma";

/// [CAT-TS], a good registration's log, step 6.
pub const CONFIG_NOT_SAVED: &str =
    "%SMART_LIC-4-CONFIG_NOT_SAVED: Smart Licensing configuration has not been saved";

/// [CAT-TS], a good registration's log, step 5.
pub const IN_COMPLIANCE: &str = "%SMART_LIC-5-IN_COMPLIANCE: All entitlements and licenses in use on this device are authorized";

/// [CAT-TS], a good registration's log, step 5, cut short there (its Japanese and Chinese editions keep `…or satellit`).
pub const AUTH_RENEW_SUCCESS: &str = "%SMART_LIC-6-AUTH_RENEW_SUCCESS: Authorization renewal with the Cisco Smart Software Manager or satellit";

/// docs/troubleshooting.md CAT-8.
pub const OUT_OF_COMPLIANCE: &str =
    "%SMART_LIC-3-OUT_OF_COMPLIANCE: One or more entitlements are out of compliance.";

/// docs/troubleshooting.md CAT-7 ([CAT-TS] (Japanese edition) wraps it after `Reason :`; re-joined).
pub const CRL_FETCH_FAIL: &str = "%PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint SLA-TrustPoint failed Reason : Failed to select socket.Timeout : 5 (Connection timed out)";

/// docs/troubleshooting.md CAT-6: the event of `show logging` / `show license eventlog` when the
/// on-prem server's signing certificate expired; `error` is the back-end's reason.
pub fn deregister_status_invalid_data(error: &str) -> String {
    format!("SAEVT_DEREGISTER_STATUS msgStatus=\"LS_INVALID_DATA\" error=\"{error}\"")
}

/// docs/troubleshooting.md CAT-4 (angle brackets around the URL kept as in [CAT-TS]'s copy).
pub const CALL_HOME_FAILED_TO_ENABLE: &str = "%CALL_HOME-3-CALL_HOME_FAILED_TO_ENABLE: Failed to enable call-home from Smart Agent for Licensing: The command failed to enable smart call home due to an existing active user profile.If you are using a user profile other than CiscoTAC-1 profile to send data to SCH server in Cisco, enter reporting smart-licensing-data under profile mode to configure that profile for smart licensing.For more details about SCH, check <http://www.cisco.com/go/smartcallhome>";

/// docs/troubleshooting.md CAT-4.
pub fn agent_reg_failed(reason: &str) -> String {
    format!(
        "%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite failed: {reason}"
    )
}

/// docs/troubleshooting.md CAT-4 / CAT-5.
pub fn comm_failed(reason: &str) -> String {
    format!(
        "%SMART_LIC-3-COMM_FAILED: Communications failure with the Cisco Smart Software Manager or satellite: {reason}"
    )
}

/// docs/troubleshooting.md CAT-5 (the `ERR 205 : Request Aborted` form; FN72323 in [C9400-174] [FN72578] also
/// shows `ERR 207 : Connection time out`).
pub fn sl_message_failed(url: &str, timed_out: bool) -> String {
    let err = if timed_out {
        "ERR 207 : Connection time out"
    } else {
        "ERR 205 : Request Aborted"
    };
    format!(
        "%CALL_HOME-5-SL_MESSAGE_FAILED: Fail to send out Smart Licensing message to: {url} ({err})"
    )
}

/// docs/troubleshooting.md CAT-5: a renewal that could not be sent.
pub fn auth_renew_send_failed(pid: &str, serial: &str) -> String {
    format!(
        "%SMART_LIC-3-AUTH_RENEW_FAILED: Authorization renewal with the Cisco Smart Software Manager or satellite: Communication message send error for udi PID:{pid}, SN: {serial}"
    )
}

/// docs/troubleshooting.md CAT-9: a renewal the back-end answered with an error.
pub fn auth_renew_rejected(reason: &str, pid: &str, serial: &str) -> String {
    format!(
        "%SMART_LIC-3-AUTH_RENEW_FAILED: Authorization renewal with the Cisco Smart Software Manager (CSSM) : Error received from Smart Software Manager: {reason} for udi PID:{pid},SN:{serial}"
    )
}

/// [C9400-174] [FN72578]: communication failures on Using Policy releases, e.g. `(CSSM) : Fail to send
/// out Call Home HTTP message.` (FN72323) or `(CSLU) : Unable to resolve server
/// hostname/domain name` (`[LOG-C1117]`).
pub fn slp_comm_failed(cslu: bool, reason: &str) -> String {
    let peer = if cslu {
        "Cisco Smart License Utility (CSLU)"
    } else {
        "Cisco Smart Software Manager (CSSM)"
    };
    format!("%SMART_LIC-3-COMM_FAILED: Communications failure with the {peer} : {reason}")
}

/// [C9400-174] [FN72578], cut in the only reachable copy (`[C9400-174]` p=190).
pub const TRUST_CODE_INSTALL_FAILED: &str =
    "%SMART_LIC-3-TRUST_CODE_INSTALL_FAILED: The install of a new licensing trust co";

/// [C9400-174] [FN72578] (`[LOG-C1117]`): at boot of a Using Policy image with licences in use.
pub fn reporting_required(days: i64) -> String {
    format!(
        "%SMART_LIC-6-REPORTING_REQUIRED: A Usage report acknowledgement will be required in {days} days."
    )
}
