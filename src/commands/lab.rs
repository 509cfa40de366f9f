//! The `smartlic lab` verbs: serve an inventory's lab devices, generate a fleet, mint tokens,
//! change a device's faults while the lab runs.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::cli::{
    LabCommand, LabFaultArgs, LabFleetArgs, LabLatency, LabResetArgs, LabRunArgs, LabServeArgs,
    LabTokenArgs, LabTokenCommand, RunArgs,
};
use crate::commands::ExitStatus;
use crate::intent::Secret;
use crate::lab::backend::BackendConfig;
use crate::lab::backend::{
    BackendError, DeviceFaults, Realm, TokenRequest, create_token_via_admin,
    device_faults_via_admin, set_device_faults_via_admin,
};
use crate::lab::fleet::{FleetAddresses, MAX_FLEET, fleet_inventory_at};
use crate::lab::latency::Latency;
use crate::lab::release::Platform;
use crate::lab::run::{self, Lab, LabError, LabOptions, LabSaver};
use crate::lab::saved;
use crate::lab::spec::{LabHost, LabSpec, load_lab_spec};
use crate::live::LabTokens;
use crate::report::{self, Style};
use crate::source::did_you_mean;
use crate::targets::Targets;

pub fn run(command: LabCommand, err: Style) -> ExitStatus {
    if let LabCommand::Reset(args) = &command {
        return reset(args);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitStatus::HostFailed;
        }
    };
    runtime.block_on(async {
        match command {
            LabCommand::Serve(args) => serve(&args, err).await,
            LabCommand::Fleet(args) => fleet(&args, err).await,
            LabCommand::Token(LabTokenCommand::Create(args)) => token(&args).await,
            LabCommand::Fault(args) => fault(&args).await,
            LabCommand::Reset(args) => reset(&args),
        }
    })
}

async fn serve(args: &LabServeArgs, err: Style) -> ExitStatus {
    match read_lab_spec(&args.inventory, err) {
        Ok(spec) => run_lab(spec.hosts, spec.backend, &args.run).await,
        Err(status) => status,
    }
}

/// The lab an inventory declares, read by the lab itself; its problems printed, and
/// exit 3 when there are any. `!vault` passwords are opened with the run's vault password.
pub fn read_lab_spec(inventory: &Path, err: Style) -> Result<LabSpec, ExitStatus> {
    let vault = |text: &str| {
        crate::vault::open(text)
            .map(|secret| secret.expose().to_string())
            .map_err(|e| e.to_string())
    };
    load_lab_spec(inventory, Some(&vault)).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        eprint!("{}", report::error_lines(&lines, err));
        eprintln!("the lab was not started");
        ExitStatus::InvalidInput
    })
}

async fn fleet(args: &LabFleetArgs, err: Style) -> ExitStatus {
    let mut platforms = Vec::new();
    for name in &args.platforms {
        match Platform::ALL.iter().find(|p| p.name() == name) {
            Some(p) => platforms.push(*p),
            None => {
                let names = Platform::ALL.map(|p| p.name());
                let hint = did_you_mean(name, names)
                    .map(|b| format!(" (did you mean `{b}`?)"))
                    .unwrap_or_default();
                eprintln!(
                    "error: --platforms: unknown platform `{name}`{hint}; expected ios-xe, nx-os or apic"
                );
                return ExitStatus::Usage;
            }
        }
    }
    if args.count == 0 {
        eprintln!("error: --count must be at least 1");
        return ExitStatus::Usage;
    }
    if args.count > MAX_FLEET {
        eprintln!(
            "error: --count {} is more than the lab's limit of {MAX_FLEET} devices",
            args.count
        );
        return ExitStatus::Usage;
    }
    if args.port == 0 {
        eprintln!("error: --port must be 1 to 65535");
        return ExitStatus::Usage;
    }
    let addresses = match FleetAddresses::parse(&args.address).and_then(|a| a.take(args.count)) {
        Ok(addresses) => addresses,
        Err(message) => {
            eprintln!("error: --address {message}");
            return ExitStatus::Usage;
        }
    };
    if let Err(e) = std::fs::write(
        &args.write_inventory,
        fleet_inventory_at(&addresses, args.port, &platforms),
    ) {
        eprintln!(
            "error: cannot write {}: {e}",
            args.write_inventory.display()
        );
        return ExitStatus::InvalidInput;
    }
    eprintln!(
        "wrote {} ({} devices)",
        args.write_inventory.display(),
        args.count
    );
    let serve = LabServeArgs {
        inventory: args.write_inventory.clone(),
        run: LabRunArgs {
            time_scale: args.run.time_scale,
            known_hosts: args.run.known_hosts.clone(),
            stop_after: args.run.stop_after,
            latency: args.run.latency,
        },
    };
    self::serve(&serve, err).await
}

async fn run_lab(hosts: Vec<LabHost>, backend: BackendConfig, args: &LabRunArgs) -> ExitStatus {
    if !(args.time_scale > 0.0 && args.time_scale.is_finite()) {
        eprintln!("error: --time-scale must be a positive number");
        return ExitStatus::Usage;
    }
    let started = std::time::Instant::now();
    let options = LabOptions {
        time_scale: args.time_scale,
        latency: match args.latency {
            LabLatency::Instant => Latency::Instant,
            LabLatency::Realistic => Latency::Realistic,
        },
    };
    let lab = match run::start_with(hosts, backend, &options).await {
        Ok(lab) => lab,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitStatus::InvalidInput;
        }
    };
    if let Some(path) = &args.known_hosts
        && let Err(e) = lab.write_known_hosts(path)
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        lab.shutdown().await;
        return ExitStatus::InvalidInput;
    }
    print_lab(&lab, started.elapsed());
    let interrupted = tokio::signal::ctrl_c();
    match args.stop_after {
        Some(secs) => {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(secs)) => {}
                _ = interrupted => {}
            }
        }
        None => {
            let _ = interrupted.await;
        }
    }
    eprintln!("stopping the lab");
    lab.shutdown().await;
    ExitStatus::Success
}

/// The lab of a `--lab` run: `hosts` served in this process, resumed from what the last
/// `--lab` run with `inventory` saved (a saved state that cannot be used is a warning and a
/// factory lab). [`save_lab`] saves it when the run ends, also after a Ctrl-C (the run
/// stops its hosts at safe points first, `crate::live::interrupt`). Must run inside a
/// tokio runtime.
pub(crate) async fn start_saved(
    inventory: &Path,
    hosts: Vec<LabHost>,
    backend: BackendConfig,
) -> Result<(Lab, saved::Folder), LabError> {
    let folder = saved::Folder::of(inventory);
    let state = folder.load().unwrap_or_else(|why| {
        eprintln!(
            "warning: the saved lab {} is not used ({why}); the lab starts from factory state",
            folder.state_file().display()
        );
        None
    });
    let (lab, resumed) = run::start_from(hosts, backend, &LabOptions::default(), state).await?;
    if !resumed.resumed.is_empty() {
        eprintln!(
            "lab: {} device(s) resumed from {}, {} from factory state (`smartlic lab reset` forgets them)",
            resumed.resumed.len(),
            folder.path().display(),
            resumed.factory.len()
        );
    }
    Ok((lab, folder))
}

/// Saves a `--lab` run's lab for the next one; a failure is a warning (the run is done).
pub(crate) fn save_lab(folder: &saved::Folder, saver: &LabSaver) -> bool {
    let saved = folder.save(saver.saved());
    if let Err(e) = &saved {
        eprintln!(
            "warning: the lab's state was not saved to {}: {e}",
            folder.state_file().display()
        );
    }
    saved.is_ok()
}

/// `smartlic lab reset [-i INVENTORY]`: deletes the state `--lab` runs saved, of one
/// inventory or of all, and says what it removed.
fn reset(args: &LabResetArgs) -> ExitStatus {
    let lab_dir = saved::lab_dir();
    let removed = match &args.inventory {
        Some(inventory) => {
            let folder = saved::Folder::in_dir(&lab_dir, inventory);
            folder.remove().map(|removed| {
                if removed {
                    println!(
                        "removed {} (the saved lab of {})",
                        folder.path().display(),
                        inventory.display()
                    );
                    1
                } else {
                    println!(
                        "no saved lab for {} (looked in {})",
                        inventory.display(),
                        folder.path().display()
                    );
                    0
                }
            })
        }
        None => saved::folders(&lab_dir).and_then(|found| {
            for f in &found {
                std::fs::remove_dir_all(&f.path)?;
                match &f.inventory {
                    Some(inventory) => println!(
                        "removed {} (the saved lab of {inventory})",
                        f.path.display()
                    ),
                    None => println!("removed {}", f.path.display()),
                }
            }
            if found.is_empty() {
                println!("no saved lab in {}", lab_dir.display());
            }
            Ok(found.len())
        }),
    };
    match removed {
        Ok(n) => {
            if n > 0 {
                println!(
                    "the next --lab run starts from factory state (the lab run store {} is kept)",
                    saved::store_path().display()
                );
            }
            ExitStatus::Success
        }
        Err(e) => {
            eprintln!(
                "error: cannot remove the saved lab in {}: {e}",
                lab_dir.display()
            );
            ExitStatus::HostFailed
        }
    }
}

/// Where everything listens, as a table a person can read and a script can parse.
fn print_lab(lab: &Lab, took: Duration) {
    let mut out = std::io::stdout().lock();
    let b = &lab.backend;
    let _ = writeln!(
        out,
        "lab: {} device(s) up in {:.2}s; lab time runs {}x",
        lab.devices.len(),
        took.as_secs_f64(),
        lab.clock.scale()
    );
    let _ = writeln!(out, "back-end admin: {}", b.admin);
    for (name, s) in [
        ("cssm", &b.cssm),
        ("satellite", &b.satellite),
        ("gateway", &b.gateway),
        ("proxy", &b.proxy),
    ] {
        let _ = writeln!(
            out,
            "  {name:<10} {} as {} ({})",
            s.listen,
            s.names.join(", "),
            s.virtual_addr
        );
    }
    let _ = writeln!(out, "devices:");
    for d in lab.devices.iter().take(50) {
        let h = &d.host;
        let _ = writeln!(
            out,
            "  {:<24} {:<7} {:<8} {:<10} ssh -p {} {}@{}",
            h.name,
            h.platform.name(),
            h.model.name(),
            h.version,
            d.address.port(),
            h.username,
            d.address.ip()
        );
    }
    if lab.devices.len() > 50 {
        let _ = writeln!(out, "  … and {} more", lab.devices.len() - 50);
    }
    let _ = writeln!(out, "tokens: smartlic lab token create --admin {}", b.admin);
    let _ = writeln!(
        out,
        "faults: smartlic lab fault --admin {} DEVICE key=value...",
        b.admin
    );
    let _ = out.flush();
}

async fn token(args: &LabTokenArgs) -> ExitStatus {
    let mut request = TokenRequest::new(&args.account, &args.virtual_account);
    request.expires_days = args.expires_days;
    request.max_uses = args.max_uses;
    if args.satellite {
        request.realm = Realm::Satellite;
    }
    if let Some((field, why)) = request.problem() {
        eprintln!("error: --{} {why}", field.replace('_', "-"));
        return ExitStatus::Usage;
    }
    match tokio::time::timeout(
        Duration::from_secs(10),
        create_token_via_admin(args.admin, &request),
    )
    .await
    {
        Ok(Ok(reply)) => {
            println!("{}", reply.token);
            ExitStatus::Success
        }
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitStatus::HostFailed
        }
        Err(_) => {
            eprintln!("error: no answer from the lab at {} within 10s", args.admin);
            ExitStatus::HostFailed
        }
    }
}

/// How long an admin call of `lab token create` / `lab fault` may take.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The faults `pairs` (`key=value`) make of `base`: later pairs win, and a list key's
/// first pair replaces the list, its next ones add to it.
pub fn apply_fault_pairs(base: DeviceFaults, pairs: &[String]) -> Result<DeviceFaults, String> {
    let mut faults = base;
    let mut lists_started = Vec::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!(
                "`{pair}` is not key=value (e.g. latency_ms=200, hang_on=show license status)"
            ));
        };
        let key = key.trim();
        let fresh = !lists_started.contains(&key);
        lists_started.push(key);
        faults.set(key, value, fresh)?;
    }
    let problems = faults.problems();
    if problems.is_empty() {
        Ok(faults)
    } else {
        Err(problems.join("; "))
    }
}

async fn fault(args: &LabFaultArgs) -> ExitStatus {
    let call = async {
        let current = if args.clear {
            DeviceFaults::default()
        } else {
            device_faults_via_admin(args.admin, &args.device).await?
        };
        if args.set.is_empty() && !args.clear {
            return Ok(Ok(current));
        }
        match apply_fault_pairs(current, &args.set) {
            Ok(faults) => set_device_faults_via_admin(args.admin, &args.device, &faults)
                .await
                .map(Ok),
            Err(message) => Ok(Err(message)),
        }
    };
    let reply: Result<Result<DeviceFaults, String>, BackendError> =
        match tokio::time::timeout(ADMIN_TIMEOUT, call).await {
            Ok(reply) => reply,
            Err(_) => {
                eprintln!(
                    "error: no answer from the lab at {} within {}s",
                    args.admin,
                    ADMIN_TIMEOUT.as_secs()
                );
                return ExitStatus::HostFailed;
            }
        };
    match reply {
        Ok(Ok(faults)) => {
            let text = serde_json::to_string_pretty(&faults).unwrap_or_default();
            println!("{text}");
            ExitStatus::Success
        }
        Ok(Err(message)) => {
            eprintln!("error: {message}");
            ExitStatus::Usage
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitStatus::HostFailed
        }
    }
}

/// The lab served for `--lab`: its devices' host keys in a temporary known_hosts file
/// and a token minted on its back-end; resumed from, and saved to, the inventory's saved
/// lab (`crate::lab::saved`).
pub struct InProcessLab {
    lab: Lab,
    known_hosts: tempfile::NamedTempFile,
    tokens: LabTokens,
    folder: saved::Folder,
}

impl InProcessLab {
    /// Saves the lab's state for the next `--lab` run, then stops it.
    pub async fn finish(self) {
        let _ = save_lab(&self.folder, &self.lab.saver());
        self.lab.shutdown().await;
    }

    /// Connects each target to where its lab device really listens (the inventory may
    /// leave the port to the lab).
    pub fn point_at_devices(&self, targets: &mut Targets) {
        for target in &mut targets.targets {
            if let Some(device) = self
                .lab
                .devices
                .iter()
                .find(|d| d.host.name == target.host.name)
            {
                target.host.connection.address = device.address.ip().to_string();
                target.host.connection.port = device.address.port();
            }
        }
    }

    /// Serves the inventory's lab for a `--lab` run.
    pub async fn start(args: &RunArgs, err: Style) -> Result<InProcessLab, ExitStatus> {
        let spec = read_lab_spec(args.inventory_path(), err)?;
        let (lab, folder) = start_saved(args.inventory_path(), spec.hosts, spec.backend)
            .await
            .map_err(|e| {
                eprintln!("error: the lab did not start: {e}");
                ExitStatus::HostFailed
            })?;
        let known_hosts = tempfile::NamedTempFile::new()
            .and_then(|f| {
                lab.write_known_hosts(f.path())?;
                Ok(f)
            })
            .map_err(|e| {
                eprintln!("error: cannot write the lab's known_hosts: {e}");
                ExitStatus::HostFailed
            })?;
        let backend = &lab.backend;
        let tokens = LabTokens {
            cssm: Secret::new(backend.create_token("Example Account", "Default", 30, None)),
            satellite: Secret::new(backend.create_satellite_token(
                "Example Account",
                "Default",
                30,
                None,
            )),
        };
        eprintln!(
            "lab: {} device(s) served in this process; tokens were minted on its back-end",
            lab.devices.len()
        );
        Ok(InProcessLab {
            lab,
            known_hosts,
            tokens,
            folder,
        })
    }

    /// The known_hosts file that holds the lab devices' host keys.
    pub fn known_hosts(&self) -> &Path {
        self.known_hosts.path()
    }

    /// The tokens minted on the lab's back-end for this run.
    pub fn tokens(&self) -> &LabTokens {
        &self.tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fault_pairs_change_only_what_they_name() {
        let base = DeviceFaults {
            auth_failure: true,
            hang_on: vec!["show version".into()],
            ..DeviceFaults::default()
        };
        let faults = apply_fault_pairs(
            base,
            &pairs(&[
                "latency_ms=250",
                "hang_on=show license status",
                "hang_on=show clock",
                "drop_after=3",
            ]),
        )
        .unwrap();
        assert!(faults.auth_failure);
        assert_eq!(faults.latency_ms, 250);
        assert_eq!(faults.hang_on, ["show license status", "show clock"]);
        assert_eq!(faults.drop_after, Some(3));
        let cleared = apply_fault_pairs(faults, &pairs(&["hang_on=", "drop_after=none"])).unwrap();
        assert!(cleared.hang_on.is_empty() && cleared.drop_after.is_none());
    }

    #[test]
    fn bad_fault_pairs_say_why() {
        let base = DeviceFaults::default;
        let error = apply_fault_pairs(base(), &pairs(&["latency=5"])).unwrap_err();
        assert!(error.contains("did you mean `latency_ms`"), "{error}");
        let error = apply_fault_pairs(base(), &pairs(&["auth_failure=maybe"])).unwrap_err();
        assert!(error.contains("true or false"), "{error}");
        let error = apply_fault_pairs(base(), &pairs(&["latency_ms"])).unwrap_err();
        assert!(error.contains("key=value"), "{error}");
        let error = apply_fault_pairs(base(), &pairs(&["drop_after=0"])).unwrap_err();
        assert!(error.contains("drop_after"), "{error}");
    }
}
