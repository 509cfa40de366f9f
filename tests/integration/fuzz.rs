//! Fuzzing that runs on the stable toolchain, in every test run: a corpus runner.
//!
//! Each target is a function of smartlic that reads untrusted text (the YAML loader and
//! inventory resolution, intent resolution, `-e`, `--limit`, URLs, the config-tree parser
//! and diff, every `show` parser, the vault decoder, known_hosts). Its seeds are the
//! project's own inputs: the real captures in tests/fixtures/corpus, the inventories,
//! the golden cases, running configs and vault files. Proptest mutates a seed (flips,
//! cuts, repeats, splices in YAML and CLI syntax) and the target must return, never
//! panic. Inputs under tests/fixtures/fuzz/TARGET/ run first, as they are: a crash found
//! here is saved there and stays a regression test.
//!
//! `SMARTLIC_FUZZ_CASES=100000 cargo test --test integration fuzz::` searches longer; the
//! default keeps a test run brief. A failing case is printed shrunk, with the seed file it
//! came from.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRunner};

use smartlic::config::{Tree, diff};
use smartlic::intent::{ResolveOptions, Secret, Url, resolve_host};
use smartlic::inventory::{self, Inventory, pattern::Pattern};
use smartlic::platform::{Platform, status, timefmt, version::Version};

use crate::support::root;

const PLATFORMS: [Platform; 3] = [Platform::IosXe, Platform::NxOs, Platform::Apic];

/// Text that changes how YAML, a device CLI or a pattern reads what follows it.
const TOKENS: &[&str] = &[
    "\n",
    ": ",
    "- ",
    "  ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "<<: *a",
    "!vault |",
    "'",
    "\"",
    "#",
    "|",
    ">",
    "~",
    "?",
    "!",
    ";",
    "\\",
    "\t",
    "\r",
    "\u{0}",
    "\u{1b}[2J",
    "é",
    "…",
    "all",
    "children:",
    "hosts:",
    "vars:",
    "token: ",
    "ansible_password: ",
    "smart_licensing:",
    "transport: ",
    "url: ",
    "https://",
    "http://",
    "[::1]",
    ":443",
    ":99999",
    "%",
    "$",
    "..",
    "../",
    "sw[1:3]",
    "sw[0-",
    "~^",
    ":&",
    ":!",
    "interface ",
    " vrf ",
    "no ",
    "exit",
    "end",
    "Registration:",
    "Status: ",
    "Authorization:",
    "Mar 18 12:00:00 2024 UTC",
    "(",
    ")",
    "$ANSIBLE_VAULT;1.1;AES256",
    "@revoked ",
    "@cert-authority ",
    "|1|",
    "ssh-ed25519 ",
    "99999999999999999999",
    "-1",
    "0x",
    "1e400",
];

#[derive(Clone, Debug)]
enum Mutation {
    Flip(Index, u8),
    Delete(Index, usize),
    Repeat(Index, usize, usize),
    Insert(Index, Index),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        (any::<Index>(), 1usize..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<Index>(), 1usize..64, 1usize..50).prop_map(|(at, n, k)| Mutation::Repeat(at, n, k)),
        (any::<Index>(), any::<Index>()).prop_map(|(at, t)| Mutation::Insert(at, t)),
        any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn apply(seed: &[u8], mutations: &[Mutation]) -> String {
    let mut bytes = seed.to_vec();
    for m in mutations {
        let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
        match m {
            Mutation::Flip(i, b) if !bytes.is_empty() => {
                let p = i.index(bytes.len());
                bytes[p] = *b;
            }
            Mutation::Flip(..) => {}
            Mutation::Delete(i, n) => {
                let p = at(i, bytes.len());
                let end = (p + n).min(bytes.len());
                bytes.drain(p..end);
            }
            Mutation::Repeat(i, n, k) => {
                let p = at(i, bytes.len());
                let end = (p + n).min(bytes.len());
                let piece = bytes[p..end].to_vec();
                for _ in 0..*k {
                    bytes.splice(end..end, piece.iter().copied());
                }
            }
            Mutation::Insert(i, t) => {
                let p = at(i, bytes.len());
                let token = TOKENS[t.index(TOKENS.len())].as_bytes();
                bytes.splice(p..p, token.iter().copied());
            }
            Mutation::Truncate(i) => {
                let p = at(i, bytes.len());
                bytes.truncate(p);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Seed files: every file under each of `dirs` (relative to the project), sorted.
fn files_under(dirs: &[&str]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    for dir in dirs {
        let path = root().join(dir);
        assert!(
            path.exists(),
            "fuzz seed folder {} is missing",
            path.display()
        );
        collect(&path, &mut found);
    }
    found.sort();
    found
}

fn collect(path: &Path, found: &mut Vec<(PathBuf, Vec<u8>)>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            collect(&entry.unwrap().path(), found);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        found.push((path.to_path_buf(), bytes));
    }
}

fn strings(seeds: &[&str]) -> Vec<(PathBuf, Vec<u8>)> {
    seeds
        .iter()
        .map(|s| (PathBuf::from("(built-in seed)"), s.as_bytes().to_vec()))
        .collect()
}

/// Runs `target` on its saved regression inputs, its seeds, and mutations of the seeds.
fn fuzz(name: &str, seeds: Vec<(PathBuf, Vec<u8>)>, target: fn(&str)) {
    assert!(!seeds.is_empty(), "fuzz target {name} has no seeds");
    let regressions = root().join("tests/fixtures/fuzz").join(name);
    if regressions.is_dir() {
        for (path, bytes) in files_under(&[&format!("tests/fixtures/fuzz/{name}")]) {
            eprintln!("fuzz {name}: regression {}", path.display());
            target(&String::from_utf8_lossy(&bytes));
        }
    }
    for (_, bytes) in &seeds {
        target(&String::from_utf8_lossy(bytes));
    }
    let cases = std::env::var("SMARTLIC_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let strategy = (0..seeds.len(), prop::collection::vec(mutation(), 1..8));
    let result = TestRunner::new(config).run(&strategy, |(seed, mutations)| {
        let input = apply(&seeds[seed].1, &mutations);
        let outcome = std::panic::catch_unwind(|| target(&input));
        prop_assert!(
            outcome.is_ok(),
            "{name} panicked on a mutation of {}; save the input below to \
             tests/fixtures/fuzz/{name}/ and fix:\n{input:?}",
            seeds[seed].0.display()
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Renders diagnostics the way the CLI prints them (the snippet code is under test too).
fn render(diagnostics: &[smartlic::source::Diagnostic]) {
    for d in diagnostics {
        let shown = d.to_string();
        assert!(
            !shown.contains("FUZZ-CANARY-SECRET"),
            "a secret was printed: {shown}"
        );
    }
}

fn inventory_seeds() -> Vec<(PathBuf, Vec<u8>)> {
    let mut seeds = files_under(&[
        "inventory",
        "tests/fixtures/inventory",
        "tests/golden/errors",
    ]);
    seeds.retain(|(path, _)| {
        matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yml" | "yaml" | "json")
        )
    });
    seeds
}

#[test]
fn yaml_loader_and_inventory_resolution() {
    fuzz("inventory", inventory_seeds(), |text| {
        match inventory::load_str(Path::new("fuzz/hosts.yml"), text.to_string()) {
            Ok(inventory) => {
                let _ = inventory.graph();
            }
            Err(diagnostics) => render(&diagnostics),
        }
        if let Ok(node) = smartlic::yaml::load_str(Path::new("fuzz.yml"), text.to_string()) {
            let _ = node.to_json();
            let mut merged = node.clone();
            smartlic::yaml::merge(&mut merged, node);
        }
    });
}

#[test]
fn intent_resolution() {
    fuzz("intent", inventory_seeds(), |text| {
        let options = ResolveOptions {
            allow_plaintext_token: true,
        };
        let Ok(node) = smartlic::yaml::load_str(Path::new("fuzz.yml"), text.to_string()) else {
            return;
        };
        // Every mapping in the document is tried as a host's variables.
        let mut stack = vec![&node];
        while let Some(n) = stack.pop() {
            if let Some(entries) = n.entries() {
                let (_, diagnostics) = resolve_host("fuzz", n, &options);
                render(&diagnostics);
                stack.extend(entries.iter().map(|(_, v)| v));
            }
        }
    });
}

#[test]
fn extra_vars() {
    let seeds = strings(&[
        "smart_licensing.transport=direct smart_licensing.vrf=Mgmt-vrf",
        "{smart_licensing: {token: {env: SL_TOKEN}, dns: {servers: [10.0.0.1]}}}",
        "a.b.c=1 d=[1,2]",
        "ansible_password=FUZZ-CANARY-SECRET",
    ]);
    fuzz("extra_vars", seeds, |text| {
        if let Err(d) = smartlic::targets::extra_vars(&[text.to_string()]) {
            let shown = d.to_string();
            assert!(!shown.contains("FUZZ-CANARY-SECRET"), "{shown}");
        }
    });
}

static FLEET: LazyLock<Inventory> = LazyLock::new(|| {
    inventory::load(&root().join("inventory/lab/hosts.yml")).expect("the lab inventory loads")
});

#[test]
fn limit_patterns() {
    let seeds = strings(&[
        "all",
        "campus:&ios_xe",
        "campus:!campus-access-2",
        "campus-access-[1:2]",
        "~campus-.*",
        "all[0]",
        "all[-1]",
        "all[1:]",
        "*-core-*",
        "datacenter,branch_proxy",
        "@retry.txt",
    ]);
    fuzz("limit", seeds, |text| {
        if let Ok(pattern) = Pattern::limit(text) {
            let _ = pattern.matches(&FLEET);
        }
    });
}

#[test]
fn url_checks() {
    let seeds = strings(&[
        "https://smartreceiver.cisco.com/licservice/license",
        "https://tools.cisco.com/its/service/oddce/services/DDCEService",
        "https://sat.example.net:8443/Transportgateway/services/DeviceRequestHandler",
        "https://[2001:db8::10]/SmartTransport",
        "http://10.0.0.5:80/cslu/v1/pi",
    ]);
    fuzz("url", seeds, |text| {
        let _ = Url::parse(text);
    });
}

#[test]
fn config_tree_parser_and_diff() {
    let seeds = files_under(&["tests/fixtures/running", "tests/golden/render"]);
    fuzz("config", seeds, |text| {
        for platform in PLATFORMS {
            let dialect = platform.dialect();
            let running = Tree::parse(text, dialect);
            let _ = running.render(dialect.indent);
            let desired = Tree::parse("call-home\n profile CiscoTAC-1\n  active\n", dialect);
            for (a, b) in [(&desired, &running), (&running, &desired)] {
                let change = diff(dialect, a, b, &["ip name-server", "ip http client"]);
                let _ = change.render_commands(1);
                let _ = change.unified("running", "desired");
            }
        }
    });
}

#[test]
fn show_parsers() {
    let mut seeds = files_under(&["tests/fixtures/corpus"]);
    seeds.retain(|(path, _)| path.extension().is_some_and(|e| e == "txt"));
    seeds.extend(strings(&[
        "Cisco IOS XE Software, Version 17.09.04a",
        "Cisco Nexus Operating System (NX-OS) Software\n  NXOS: version 9.3(8)\n",
        "*12:00:00.000 UTC Mon Mar 18 2024",
        "Mar 18 12:00:00 2024 UTC",
        "89 days, 23 hours, 59 minutes, 59 seconds",
    ]));
    fuzz("show", seeds, |text| {
        for platform in PLATFORMS {
            if let Ok(status) = status::parse_license_status(platform, text) {
                let _ = status.state_words();
            }
            let _ = status::parse_version(platform, text);
        }
        let _ = Version::parse(text);
        let _ = timefmt::parse_stamp(text);
        let _ = timefmt::parse_show_clock(text);
        let _ = timefmt::parse_countdown(text);
    });
}

#[test]
fn vault_decoder() {
    let seeds = files_under(&["tests/fixtures/vault"]);
    fuzz("vault", seeds, |text| {
        let _ = smartlic::vault::is_vault(text);
        let _ = smartlic::vault::decrypt(text, &Secret::new("fuzz"));
    });
}

#[test]
fn known_hosts() {
    let seeds = strings(&[
        "sw1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n\
         [127.0.0.1]:2201,sw2 ecdsa-sha2-nistp256 AAAAE2VjZHNh x\n\
         @revoked * ssh-rsa AAAAB3NzaC1yc2E\n\
         @cert-authority *.example.net ssh-ed25519 AAAA\n\
         |1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ssh-rsa AAAA\n\
         # comment\n",
    ]);
    fuzz("known_hosts", seeds, |text| {
        let entries = smartlic::ssh::known_hosts::parse_entries(text);
        for (_, key) in entries.revoked {
            let _ = russh::keys::parse_public_key_base64(&key);
        }
    });
}
