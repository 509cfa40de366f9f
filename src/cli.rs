//! The command line: clap definitions only. Nothing below this module sees clap's
//! types; [`crate::commands`] turn them into plain settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Smart Licensing as code for Cisco IOS-XE, NX-OS and ACI fleets.
///
/// Exit codes: 0 success (changed or not), 1 a host failed, 2 changes pending (`plan
/// --detailed-exitcode`), 3 invalid input (inventory, playbook, intent, token sources),
/// 4 usage error or an apply with no terminal to ask on and no --auto-approve.
#[derive(Debug, Parser)]
#[command(name = "smartlic", version, about, long_about = None, max_term_width = 100, after_help = MAIN_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to colour output.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,

    /// Log to stderr: -v info (connections, steps, timings), -vv debug (commands sent,
    /// SSH algorithms), -vvv trace (device output). Secrets are always redacted.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Yaml,
    /// A pull-request comment: counts, failures first, collapsible diffs (plan, apply,
    /// verify; other verbs print their human text).
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the inventory, the playbook and every host's intent; touch no device.
    #[command(after_help = VALIDATE_HELP)]
    Validate(RunArgs),
    /// Print the desired configuration of every host.
    #[command(after_help = RENDER_HELP)]
    Render(RunArgs),
    /// Show what would change on each host: a diff and the exact commands.
    #[command(after_help = PLAN_HELP)]
    Plan(PlanArgs),
    /// Change each host: push the planned lines, save, register, and verify. On a
    /// terminal, shows the plan and asks first; `smartlic apply PLAN.json` applies a saved
    /// plan exactly.
    #[command(mut_arg("inventory", |a| a.required(false)), after_help = APPLY_HELP)]
    Apply(ApplyArgs),
    /// Check, read-only, that each host's config and licensing state match the intent.
    #[command(after_help = VERIFY_HELP)]
    Verify(VerifyArgs),
    /// The fleet's licensing health from the run store (or read live with --refresh):
    /// state, accounts, deadlines, and the hosts at risk. Exit 1 when any host is at risk.
    #[command(after_help = STATUS_HELP)]
    Status(StatusArgs),
    /// Read-only: match what each device shows (licensing status, logs, config, clock)
    /// against Cisco's failure catalogue; per host the cause, the evidence and the remedy.
    /// Exit 1 when a host has a finding.
    #[command(after_help = DIAGNOSE_HELP)]
    Diagnose(DiagnoseArgs),
    /// Renew now: `license smart renew id|auth` on each host (Using Policy: `auth` syncs
    /// the usage report), then wait for the result.
    #[command(after_help = RENEW_HELP)]
    Renew(RenewArgs),
    /// List hosts and groups, or show one host's merged intent and where each value came from.
    Inventory(InventoryArgs),
    #[cfg(feature = "lab")]
    /// Run the built-in lab: simulated devices over SSH and a licensing back-end, on loopback.
    #[command(subcommand)]
    Lab(LabCommand),
    /// Work with saved JSON reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `smartlic man > smartlic.1`; a verb's with
    /// `smartlic man apply`; every page with `--out-dir DIR`.
    Man(ManArgs),
}

/// `smartlic man [VERB] [--out-dir DIR]`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The verb whose page to print (`apply`, `lab serve`, …); none: smartlic's own.
    #[arg(value_name = "VERB", num_args = 0..)]
    pub verb: Vec<String>,

    /// Write smartlic.1 and a page per verb (smartlic-apply.1, smartlic-lab-serve.1, …)
    /// into DIR instead of printing.
    #[arg(long, value_name = "DIR", conflicts_with = "verb")]
    pub out_dir: Option<PathBuf>,
}

const MAIN_HELP: &str = "Examples:
  smartlic validate -i inventory/hosts.yml playbooks/smart-licensing.yml
  smartlic plan -i inventory/hosts.yml playbooks/smart-licensing.yml --out plan.json
  smartlic apply plan.json
  smartlic apply -i inventory/lab/hosts.yml playbooks/smart-licensing.yml --lab --auto-approve

Exit codes: 0 success (changed or not), 1 a host failed (the others ran), 2 changes pending
(plan --detailed-exitcode), 3 invalid input (nothing was done), 4 usage error, 130
interrupted. `smartlic VERB --help` has each verb's examples.";

const VALIDATE_HELP: &str = "Examples:
  smartlic validate -i inventory/hosts.yml playbooks/smart-licensing.yml
  smartlic validate -i inventory/ site.yml --limit campus --format json

Every token source of a host that registers, and every SSH key file, is read too: validate
accepts exactly what apply accepts.

Exit codes: 0 valid, 3 invalid (each problem with its file:line and field), 4 usage error.";

const RENDER_HELP: &str = "Examples:
  smartlic render -i inventory/hosts.yml playbooks/smart-licensing.yml --limit dc-leaf-1
  smartlic render -i inventory/hosts.yml site.yml --templates my-templates/ --format json

Exit codes: 0 rendered, 3 invalid input, 4 usage error.";

const PLAN_HELP: &str = "Examples:
  smartlic plan -i inventory/hosts.yml playbooks/smart-licensing.yml
  smartlic plan -i inventory/hosts.yml site.yml --out plan.json     # then: smartlic apply plan.json
  smartlic plan -i inventory/hosts.yml site.yml --detailed-exitcode --format markdown
  smartlic plan -i inventory/hosts.yml site.yml --offline --running-dir saved-configs/

Nothing but `show` commands is run on a device.

Exit codes: 0 planned (changes or not), 1 a host failed, 2 changes pending (with
--detailed-exitcode), 3 invalid input, 4 usage error, 130 interrupted.";

const APPLY_HELP: &str = "Examples:
  smartlic apply -i inventory/hosts.yml playbooks/smart-licensing.yml      # shows the plan, asks
  smartlic apply plan.json                                                 # a saved plan, exactly
  smartlic apply -i inventory/hosts.yml site.yml --auto-approve --limit campus -f 20
  smartlic apply -i inventory/hosts.yml site.yml --auto-approve --only-failed
  smartlic apply -i inventory/lab/hosts.yml playbooks/smart-licensing.yml --lab --auto-approve

On a terminal, apply plans every host, shows the plan and asks; only `yes` applies. Without
a terminal, --auto-approve is needed. Ctrl-C stops new hosts and lets hosts in progress
stop at a safe point; `apply --only-failed` resumes.

Exit codes: 0 applied (changed or not), 1 a host failed or the apply was cancelled, 3
invalid input (nothing was done), 4 usage error or no terminal to ask on without
--auto-approve, 130 interrupted.";

const VERIFY_HELP: &str = "Examples:
  smartlic verify -i inventory/hosts.yml playbooks/smart-licensing.yml
  smartlic verify -i inventory/hosts.yml site.yml --junit verify.xml

A failure names each drifted line and each licensing value that differs from `expect`.

Exit codes: 0 every host converged, 1 a host drifted or failed, 3 invalid input, 4 usage
error, 130 interrupted.";

const STATUS_HELP: &str = "Examples:
  smartlic status
  smartlic status -i inventory/hosts.yml site.yml --refresh --expiring 30d --format json

Exit codes: 0 no host at risk, 1 a host at risk, 3 invalid input, 4 usage error.";

const DIAGNOSE_HELP: &str = "Examples:
  smartlic diagnose -i inventory/hosts.yml playbooks/smart-licensing.yml --limit campus-access-2
  smartlic diagnose -i inventory/hosts.yml site.yml --preflight

Exit codes: 0 no finding, 1 a host has a finding or failed, 3 invalid input, 4 usage error.";

const RENEW_HELP: &str = "Examples:
  smartlic renew auth -i inventory/hosts.yml playbooks/smart-licensing.yml
  smartlic renew id -i inventory/hosts.yml site.yml --expiring 60d

Exit codes: 0 renewed, 1 a host failed, 3 invalid input, 4 usage error, 130 interrupted.";

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Join the JSON reports of shards (`--shard i/N`) into one, with the totals and the
    /// exit code of the whole run.
    Merge {
        /// The shards' reports (`--format json` output).
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,

        /// Exit 2 when the merged plan has changes, as `plan --detailed-exitcode`.
        #[arg(long)]
        detailed_exitcode: bool,
    },
}

#[cfg(feature = "lab")]
#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Serve every inventory host that has a `lab:` block, until interrupted.
    Serve(LabServeArgs),
    /// Write an inventory of N generated lab devices, then serve them.
    Fleet(LabFleetArgs),
    /// Mint an ID token on a running lab's back-end.
    #[command(subcommand)]
    Token(LabTokenCommand),
    /// Show or change a device's faults while the lab runs (the inventory's `lab.faults`).
    Fault(LabFaultArgs),
    /// Delete the state `--lab` runs saved (of one inventory, or all), so the next `--lab`
    /// run starts from factory state.
    Reset(LabResetArgs),
}

#[cfg(feature = "lab")]
#[derive(Debug, Args)]
pub struct LabResetArgs {
    /// Only this inventory's saved lab (default: every inventory's).
    #[arg(short, long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
}

#[cfg(feature = "lab")]
/// `smartlic lab fault --admin ADDR DEVICE [KEY=VALUE...]`: with no KEY=VALUE, print the
/// device's faults (JSON); with some, change those and keep the others (or none, with
/// `--clear`). Keys: auth_failure, latency_ms, drop_after, hang_on, invalid, legacy_ssh,
/// changed_host_key, keyboard_interactive_only. `hang_on` and `invalid` take one command
/// per pair (repeat the key for more; `hang_on=` empties the list); `drop_after=none`
/// turns that fault off.
#[derive(Debug, Args)]
pub struct LabFaultArgs {
    /// The lab's admin address, as `smartlic lab serve` prints it.
    #[arg(long, value_name = "ADDR")]
    pub admin: std::net::SocketAddr,

    /// The device (its inventory name).
    #[arg(value_name = "DEVICE")]
    pub device: String,

    /// Faults to set, e.g. latency_ms=200 "hang_on=show license status".
    #[arg(value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Start from no faults at all (alone: clear every fault of the device).
    #[arg(long)]
    pub clear: bool,
}

#[cfg(feature = "lab")]
#[derive(Debug, Args)]
pub struct LabRunArgs {
    /// Lab seconds per real second (86400 = one lab day per second).
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    pub time_scale: f64,

    /// Write the devices' host keys to this OpenSSH known_hosts file.
    #[arg(long, value_name = "FILE")]
    pub known_hosts: Option<PathBuf>,

    /// Stop after this many seconds (default: run until interrupted).
    #[arg(long, value_name = "SECONDS")]
    pub stop_after: Option<u64>,

    /// The devices' delays: `instant` answers as fast as the lab can; `realistic` adds
    /// per-platform SSH set-up, per-command and `write memory` delays taken from public
    /// measurements (docs/lab.md "Latency profiles").
    #[arg(long, value_enum, value_name = "PROFILE", default_value_t = LabLatency::Instant)]
    pub latency: LabLatency,
}

/// `--latency` of `lab serve` and `lab fleet`.
#[cfg(feature = "lab")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LabLatency {
    Instant,
    Realistic,
}

#[cfg(feature = "lab")]
#[derive(Debug, Args)]
pub struct LabServeArgs {
    /// The inventory whose `lab:` hosts to serve.
    #[arg(short, long, value_name = "FILE")]
    pub inventory: PathBuf,

    #[command(flatten)]
    pub run: LabRunArgs,
}

#[cfg(feature = "lab")]
#[derive(Debug, Args)]
pub struct LabFleetArgs {
    /// How many devices (1 to 10000).
    #[arg(long, value_name = "N")]
    pub count: usize,

    /// Which platforms, round-robin (default: all three).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub platforms: Vec<String>,

    /// Where to write the generated inventory.
    #[arg(long, value_name = "FILE")]
    pub write_inventory: PathBuf,

    /// The devices' addresses: from this loopback address up (127.0.3.1), or within this
    /// 127.0.0.0/8 block (127.0.3.0/24); addresses ending in .0 or .255 are skipped.
    #[arg(long, value_name = "ADDR|CIDR", default_value = crate::lab::fleet::FLEET_BASE)]
    pub address: String,

    /// The SSH port every device listens on.
    #[arg(long, value_name = "PORT", default_value_t = crate::lab::fleet::FLEET_PORT)]
    pub port: u16,

    #[command(flatten)]
    pub run: LabRunArgs,
}

#[cfg(feature = "lab")]
#[derive(Debug, Subcommand)]
pub enum LabTokenCommand {
    /// Create a token (printed on stdout: lab tokens are test data).
    Create(LabTokenArgs),
}

#[cfg(feature = "lab")]
#[derive(Debug, Args)]
pub struct LabTokenArgs {
    /// The lab's admin address, as `smartlic lab serve` prints it.
    #[arg(long, value_name = "ADDR")]
    pub admin: std::net::SocketAddr,

    #[arg(long, default_value = "Example Account")]
    pub account: String,

    #[arg(long, default_value = "Default")]
    pub virtual_account: String,

    /// Mint it on the satellite instead of CSSM (satellite tokens work only there).
    #[arg(long)]
    pub satellite: bool,

    /// Days until it expires (at least 1).
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub expires_days: u32,

    /// How many registrations it allows, at least 1 (default: unlimited).
    #[arg(long, value_name = "N")]
    pub max_uses: Option<u32>,
}

/// What every run needs: the inventory, the playbook, and which hosts.
#[derive(Clone, Debug, Args)]
pub struct RunArgs {
    /// Ansible-style YAML inventory: a file (group_vars/ and host_vars/ beside it) or a
    /// folder whose YAML files make one inventory (group_vars/ and host_vars/ inside it).
    #[arg(short, long, value_name = "PATH", required = true)]
    pub inventory: Option<PathBuf>,

    /// The playbook to run (`apply` without --inventory: a plan saved by `plan --out`).
    #[arg(value_name = "PLAYBOOK")]
    pub playbook: PathBuf,

    /// Only these hosts or groups (Ansible patterns: a:b, a:&b, a:!b, sw*).
    #[arg(short, long, value_name = "PATTERN")]
    pub limit: Option<String>,

    /// Extra variables, highest precedence: key=value, @file.yml or inline YAML.
    #[arg(short = 'e', long = "extra-vars", value_name = "VARS")]
    pub extra_vars: Vec<String>,

    /// Accept an ID token written in plain text in a vars file.
    #[arg(long)]
    pub allow_plaintext_token: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Use templates from this folder before the built-in ones (same layout: <platform>/<model>.j2).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Only shard i of N (e.g. 2/8): a deterministic split by host name, stable across runs,
    /// for running one inventory on many machines.
    #[arg(long, value_name = "i/N", value_parser = crate::targets::Shard::parse)]
    pub shard: Option<crate::targets::Shard>,

    #[command(flatten)]
    pub vault: VaultArgs,
}

impl RunArgs {
    /// The inventory: clap requires it of every verb but `apply PLAN`, which fills it in
    /// from the plan before anything reads it.
    pub fn inventory_path(&self) -> &std::path::Path {
        self.inventory
            .as_deref()
            .expect("clap requires --inventory; apply PLAN sets it from the plan")
    }
}

/// Where the ansible-vault password comes from (for `!vault` values and encrypted files).
#[derive(Clone, Debug, Args)]
pub struct VaultArgs {
    /// A file holding the vault password (or an executable that prints it), as Ansible's.
    #[arg(long, value_name = "FILE", env = "ANSIBLE_VAULT_PASSWORD_FILE")]
    pub vault_password_file: Option<PathBuf>,

    /// Ask for the vault password on the terminal.
    #[arg(long, conflicts_with = "vault_password_file")]
    pub ask_vault_pass: bool,
}

/// How a live run reaches devices.
#[derive(Clone, Debug, Args)]
pub struct LiveArgs {
    /// Hosts worked on at the same time (1 to 10000).
    #[arg(short, long, value_name = "N", default_value_t = 50,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    pub forks: usize,

    /// OpenSSH known_hosts file for hosts without `smartlic_known_hosts`
    /// (default ~/.ssh/known_hosts).
    #[arg(long, value_name = "FILE")]
    pub known_hosts: Option<PathBuf>,

    /// Give up on a host after this many seconds, whatever its device does (1 to 604800,
    /// a week).
    #[arg(long, value_name = "SECONDS", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub host_timeout: u64,

    /// Also write a JUnit XML report here: one test case per host and step.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// Write each host's CLI session, secrets redacted, to DIR/<inventory_hostname>.log
    /// (appended to; files readable by the owner only).
    #[arg(long, value_name = "DIR")]
    pub session_log: Option<PathBuf>,

    /// Run against the built-in lab: serve the inventory's `lab:` hosts in this process
    /// (host keys trusted from the lab, a token minted on the lab's back-end), resumed from
    /// and saved to .smartlic/lab/ (`smartlic lab reset` forgets it).
    #[arg(long)]
    pub lab: bool,

    /// The run store: every live run and what each host showed (SQLite). Default
    /// .smartlic/state.db; with --lab, .smartlic/lab/state.db.
    #[arg(long, value_name = "PATH", env = "SMARTLIC_STORE")]
    pub store: Option<PathBuf>,

    /// Do not record this run in the run store (whatever --store or SMARTLIC_STORE says).
    #[arg(long)]
    pub no_store: bool,
}

impl Command {
    /// The live options of the verbs that reach devices.
    pub fn live_args(&self) -> Option<&LiveArgs> {
        match self {
            Command::Plan(a) => Some(&a.live),
            Command::Apply(a) => Some(&a.live),
            Command::Verify(a) => Some(&a.live),
            Command::Renew(a) => Some(&a.live),
            Command::Diagnose(a) => Some(&a.live),
            Command::Status(a) => Some(&a.live),
            _ => None,
        }
    }
}

impl LiveArgs {
    /// The run store: `--store` or `SMARTLIC_STORE`, else the lab's own store with
    /// `--lab` (runs against the lab never mix with real ones), else the default.
    pub fn store_path(&self) -> PathBuf {
        match (&self.store, self.lab) {
            (Some(path), _) => path.clone(),
            #[cfg(feature = "lab")]
            (None, true) => crate::lab::saved::store_path(),
            (None, _) => PathBuf::from(crate::store::DEFAULT_PATH),
        }
    }
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub live: LiveArgs,

    /// Only plan: read and diff, never run a command that changes anything.
    #[arg(short = 'C', long)]
    pub check: bool,

    /// Apply without asking. Without it, apply shows the plan and asks on a terminal,
    /// and stops (exit 4) where there is no terminal to ask on.
    #[arg(long)]
    pub auto_approve: bool,

    /// Accepted for Ansible habits: the diff is always shown.
    #[arg(long)]
    pub diff: bool,

    /// Diagnose each device first and, where the failure catalogue's remedy is an intent
    /// setting the intent lacks (e.g. `sla_trustpoint_revocation_check: none` for CAT-7,
    /// the management VRF and mgmt0 for NX-1), make it for this run and plan with it.
    #[arg(long)]
    pub fix: bool,

    /// Register without the preflight checks (destination reachable from the device,
    /// clock, trustpoints, call-home), e.g. where `telnet` is not authorized.
    #[arg(long)]
    pub no_preflight: bool,

    /// Only the hosts that failed, were unreachable or never finished in the last apply of
    /// this playbook (from the run store).
    #[arg(long, conflicts_with = "no_store")]
    pub only_failed: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this inventory's hosts (with PLAYBOOK: those its plays target); hosts never
    /// observed count as at risk. Without it: every host in the store.
    #[arg(short, long, value_name = "FILE", requires = "playbook")]
    pub inventory: Option<PathBuf>,

    /// The playbook whose hosts to show (with --inventory).
    #[arg(value_name = "PLAYBOOK", requires = "inventory")]
    pub playbook: Option<PathBuf>,

    /// Only these hosts or groups (Ansible patterns).
    #[arg(short, long, value_name = "PATTERN", requires = "inventory")]
    pub limit: Option<String>,

    /// Extra variables, as for the other verbs.
    #[arg(short = 'e', long = "extra-vars", value_name = "VARS")]
    pub extra_vars: Vec<String>,

    /// Read each host's licensing status over SSH first (and record it).
    #[arg(long, requires = "inventory", conflicts_with = "no_store")]
    pub refresh: bool,

    /// At risk: a deadline (authorization, ID certificate, report ACK, evaluation) within
    /// this window — 30d, 12h, 2w.
    #[arg(long, value_name = "WINDOW", default_value = "30d", value_parser = crate::health::parse_window)]
    pub expiring: i64,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    #[command(flatten)]
    pub live: LiveArgs,

    #[command(flatten)]
    pub vault: VaultArgs,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub live: LiveArgs,

    /// Also run the preflight checks from each device: the destination resolves and TCP
    /// opens from the intended VRF or source interface, the clock, the trustpoints, and
    /// call-home with one active Smart Licensing profile.
    #[arg(long)]
    pub preflight: bool,
}

#[derive(Debug, Args)]
pub struct RenewArgs {
    /// What to renew: the ID certificate or the authorization.
    #[arg(value_enum, value_name = "WHAT")]
    pub what: RenewWhat,

    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub live: LiveArgs,

    /// Only the hosts whose deadline for WHAT is within this window (or unknown) in the
    /// run store — 30d, 12h, 2w.
    #[arg(long, value_name = "WINDOW", value_parser = crate::health::parse_window)]
    pub expiring: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RenewWhat {
    /// The ID certificate (`license smart renew id`).
    Id,
    /// The authorization (`license smart renew auth`).
    Auth,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub live: LiveArgs,

    /// Save the plan for `smartlic apply FILE`: the inputs (paths and digests, never a
    /// secret) and each host's lines and device digest.
    #[arg(long, value_name = "FILE", conflicts_with = "offline")]
    pub out: Option<PathBuf>,

    /// Exit 2 when the plan has changes (0: none, 1: a host failed), as Terraform's.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Accepted for Ansible habits: the diff is always shown.
    #[arg(long)]
    pub diff: bool,

    /// Plan against saved running configs instead of connecting to devices.
    #[arg(long, requires = "running_dir")]
    pub offline: bool,

    /// Folder with one saved running config per host, named <inventory_hostname>.cfg
    /// (a missing file means an empty config).
    #[arg(long, value_name = "DIR")]
    pub running_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Ansible-style YAML inventory file.
    #[arg(short, long, value_name = "FILE")]
    pub inventory: PathBuf,

    /// Print the hosts and groups as a tree.
    #[arg(long, conflicts_with = "host")]
    pub list: bool,

    /// Print this host's merged intent, with the file and line each value came from.
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,

    /// Include this playbook's vars (of the first play that targets the host).
    #[arg(long, value_name = "PLAYBOOK", requires = "host")]
    pub playbook: Option<PathBuf>,

    /// Extra variables, as for the other verbs.
    #[arg(short = 'e', long = "extra-vars", value_name = "VARS")]
    pub extra_vars: Vec<String>,

    #[command(flatten)]
    pub vault: VaultArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}
