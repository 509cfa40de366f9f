//! The `smartlic lab` verbs: serve an inventory's lab devices, generate a fleet, mint tokens.

use std::io::Write;
use std::time::Duration;

use crate::app::ExitStatus;
use crate::cli::{
    LabCommand, LabFleetArgs, LabRunArgs, LabServeArgs, LabTokenArgs, LabTokenCommand,
};
use crate::inventory;
use crate::lab::backend::{Realm, TokenRequest, create_token_via_admin};
use crate::lab::fleet::fleet_inventory;
use crate::lab::run::{self, Lab, LabOptions};
use crate::lab::spec::{LabHost, lab_hosts};
use crate::platform::Platform;
use crate::report::{self, Style};
use crate::source::did_you_mean;

pub fn run(command: LabCommand, err: Style) -> ExitStatus {
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
        }
    })
}

async fn serve(args: &LabServeArgs, err: Style) -> ExitStatus {
    let hosts = match inventory::load(&args.inventory).and_then(|inv| {
        eprint!("{}", report::diagnostics(&inv.warnings, err));
        lab_hosts(&inv)
    }) {
        Ok(hosts) => hosts,
        Err(diags) => {
            eprint!("{}", report::diagnostics(&diags, err));
            eprintln!("the lab was not started");
            return ExitStatus::InvalidInput;
        }
    };
    run_lab(hosts, &args.run).await
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
    if let Err(e) = std::fs::write(
        &args.write_inventory,
        fleet_inventory(args.count, &platforms),
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
        },
    };
    self::serve(&serve, err).await
}

async fn run_lab(hosts: Vec<LabHost>, args: &LabRunArgs) -> ExitStatus {
    if !(args.time_scale > 0.0 && args.time_scale.is_finite()) {
        eprintln!("error: --time-scale must be a positive number");
        return ExitStatus::Usage;
    }
    let started = std::time::Instant::now();
    let options = LabOptions {
        time_scale: args.time_scale,
    };
    let lab = match run::start(hosts, &options).await {
        Ok(lab) => lab,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitStatus::InvalidInput;
        }
    };
    if let Some(path) = &args.known_hosts
        && let Err(e) = std::fs::write(path, lab.known_hosts())
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
    let _ = out.flush();
}

async fn token(args: &LabTokenArgs) -> ExitStatus {
    let mut request = TokenRequest::new(&args.account, &args.virtual_account);
    request.expires_days = args.expires_days;
    request.max_uses = args.max_uses;
    if args.satellite {
        request.realm = Realm::Satellite;
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
