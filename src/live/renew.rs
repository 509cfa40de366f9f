//! `smartlic renew`: ask a registered device to renew its ID certificate or its
//! authorization now (`license smart renew id|auth`, `Platform::renew_command`), then
//! wait until the status shows the attempt's result.

use std::time::{Duration, Instant};

use super::LiveOptions;
use super::device::Device;
use super::poll::{poll_wait, read_status};
use super::record::{Outcome, Recorder};
use crate::platform::status::{LicensingStatus, Registration};
use crate::platform::{LicensingModel, Renewal};
use crate::targets::Target;

/// The status line that records the attempt: `Last Renewal Attempt` for the ID
/// certificate, `Last Communication Attempt` for the authorization ([CAT-TS] [NX-TS]), and
/// Using Policy's `Last ACK received` for its sync ([GENIEPARSER]).
fn attempt(status: &LicensingStatus, what: Renewal) -> Option<&str> {
    match (status.model, what) {
        (LicensingModel::Policy, _) => status.last_ack_received.as_deref(),
        (LicensingModel::Classic, Renewal::Id) => status.last_renewal_attempt.as_deref(),
        (LicensingModel::Classic, Renewal::Auth) => status.last_communication_attempt.as_deref(),
    }
}

pub(super) async fn renew(
    target: &Target,
    options: &LiveOptions,
    device: &mut Device,
    record: &mut Recorder<'_>,
) -> Outcome {
    let what = options.renewal;
    record.step("read licensing");
    let before = match read_status(device).await {
        Ok(status) => status,
        Err(reason) => return Outcome::Failed(reason),
    };
    record.run.licensing_before = Some(before.clone());
    let Some(command) = device.platform.renew_command(before.model, what) else {
        return Outcome::Failed(
            "Using Policy has no ID certificate to renew: `smartlic renew auth` syncs its report"
                .into(),
        );
    };
    if before.model == LicensingModel::Classic
        && before.registration != Some(Registration::Registered)
    {
        return Outcome::Failed(format!(
            "not registered ({}): nothing to renew; `smartlic apply` registers it",
            before.state_words()
        ));
    }
    record.step(command);
    if let Err(e) = device.exec(command).await {
        return Outcome::Failed(e.to_string());
    }
    let timeout = Duration::from_secs(target.host.intent.expect.timeout_secs);
    match wait_for_attempt(device, what, &before, timeout, record).await {
        Ok(after) => {
            record.run.licensing_after = Some(after);
            Outcome::Changed
        }
        Err(reason) => Outcome::Failed(reason),
    }
}

/// Polls until the attempt line changes; a `FAILED` attempt fails with the device's
/// reason.
async fn wait_for_attempt(
    device: &mut Device,
    what: Renewal,
    before: &LicensingStatus,
    timeout: Duration,
    record: &mut Recorder<'_>,
) -> Result<LicensingStatus, String> {
    let deadline = Instant::now() + timeout;
    for polls in 0.. {
        tokio::time::sleep(poll_wait(polls, deadline)).await;
        record.step("wait for the renewal");
        let status = read_status(device).await?;
        match attempt(&status, what) {
            Some(now) if Some(now) != attempt(before, what) => {
                if now.starts_with("FAILED") {
                    let reason = status.failure_reason.as_deref().unwrap_or(now).to_string();
                    record.run.licensing_after = Some(status);
                    return Err(format!("the renewal failed: {reason}"));
                }
                return Ok(status);
            }
            _ if Instant::now() >= deadline => {
                record.run.licensing_after = Some(status);
                return Err(format!(
                    "the device showed no renewal attempt within {}s",
                    timeout.as_secs()
                ));
            }
            _ => {}
        }
    }
    unreachable!("the loop returns")
}
