//! The show commands the CLI answers itself, derived from the device state: the
//! running config in each platform's layout (and its `| include/exclude/begin/section`
//! filters), `show version`, `show clock`, `show call-home`, `show call-home profile
//! all`, `show crypto pki trustpoints`, `show logging`. `show license …` belongs to the
//! licensing agent.
//!
//! Shapes come from real captures: genieparser fixtures (IOS-XE `show version` c9500_4
//! and c3850, NX-OS `show version` 2, IOS-XE `show clock`, `show logging` 1), the corpus
//! (`show call-home`, `show call-home profile all`, `show crypto pki trustpoints`),
//! public NX-OS `show running-config` captures (`!Command:` header, blank line, `version
//! … Bios:version …`), APIC transcripts (`# Command:`), [CAT-TS] and real configs, docs/platform-notes.md.

use regex::Regex;

use super::cert;
use super::config::{block, canonical, hidden_default};
use crate::device::{DeviceState, Identity, Licensing};
use crate::personality::{Layout, Personality};
use crate::release::LicensingModel;
use crate::release::Release;
use crate::time::Civil;
use crate::tree::{Line, Tree};

/// What a show command reads.
pub struct View<'a> {
    pub personality: &'static Personality,
    pub identity: &'a Identity,
    pub state: &'a DeviceState,
    pub licensing: &'a dyn Licensing,
    /// Device time now (lab time plus the device's clock offset), Unix seconds.
    pub now: f64,
    pub booted_at: f64,
    pub last_change: f64,
}

impl View<'_> {
    pub fn hostname(&self) -> String {
        hostname(self.identity, &self.state.running)
    }

    fn has_top(&self, prefix: &str) -> bool {
        self.state
            .running
            .lines
            .iter()
            .any(|l| l.text == prefix || l.text.starts_with(&format!("{prefix} ")))
    }

    /// The clock is authoritative once NTP or `clock calendar-valid` is configured
    /// (docs/troubleshooting.md CAT-3: "the system clock is not trusted by default").
    fn clock_trusted(&self) -> bool {
        self.has_top("ntp server") || self.has_top("clock calendar-valid")
    }
}

/// The prompt's hostname: the configured one, else the inventory name.
pub fn hostname(identity: &Identity, running: &Tree) -> String {
    running
        .lines
        .iter()
        .find_map(|l| l.text.strip_prefix("hostname "))
        .map_or_else(|| identity.name.clone(), |h| h.trim().to_string())
}

// ---------------------------------------------------------------- running config

pub fn running_config(view: &View, all: bool) -> String {
    let tree = if all {
        with_hidden_defaults(view.personality, &view.state.running)
    } else {
        view.state.running.clone()
    };
    match view.personality.layout {
        Layout::IosXe => {
            let body = ios_body(view.identity, &tree);
            format!(
                "Building configuration...\n\nCurrent configuration : {} bytes\n{body}",
                body.len()
            )
        }
        Layout::NxOs => nx_config(view, &tree, "show running-config", None),
        Layout::Apic => apic_config(view, &tree),
    }
}

/// NX-OS `show running-config callhome` ([NX-TS]).
pub fn running_section(view: &View, section: &str) -> String {
    let command = format!("show running-config {section}");
    nx_config(view, &view.state.running, &command, Some(section))
}

pub fn startup_config(view: &View) -> String {
    let tree = &view.state.startup;
    match view.personality.layout {
        Layout::IosXe => {
            let body = ios_body(view.identity, tree);
            format!("Using {} out of 2097152 bytes\n{body}", body.len())
        }
        Layout::NxOs => nx_config(view, tree, "show startup-config", None),
        Layout::Apic => apic_config(view, tree),
    }
}

/// The running config plus the defaults `show running-config all` prints ([CAT-TS]).
fn with_hidden_defaults(personality: &Personality, running: &Tree) -> Tree {
    let mut tree = running.clone();
    for default in personality.hidden_defaults {
        let scope: Vec<String> = default.scope.iter().map(|s| s.to_string()).collect();
        let Some(lines) = block(&tree, &scope) else {
            continue;
        };
        let overridden = lines.iter().any(|l| {
            let text = canonical(&l.text);
            default
                .overridden_by
                .iter()
                .any(|p| text == *p || text.starts_with(&format!("{p} ")))
        });
        if !overridden {
            super::config::block_mut(&mut tree, &scope).push(Line::leaf(default.line));
        }
    }
    tree
}

/// IOS-XE: `!`, `version 17.3`, the lines (one space per level, `!` after each block),
/// `end`.
fn ios_body(identity: &Identity, tree: &Tree) -> String {
    let mut out = String::from("!\n");
    if let Some(v) = Release::parse(&identity.version) {
        out.push_str(&format!("version {}.{}\n", v.0, v.1));
    }
    for (i, line) in tree.lines.iter().enumerate() {
        ios_line(line, 0, "", &mut out);
        // `line con 0` / `line vty 0 4` print back to back, with no `!` between (public
        // `show running-config` captures, index ids 63474159718, 50596588).
        let between_lines = is_line_block(line) && tree.lines.get(i + 1).is_some_and(is_line_block);
        if !line.children.is_empty() && !between_lines {
            out.push_str("!\n");
        }
    }
    out.push_str("!\nend\n");
    out
}

/// One line and its children. Inside `call-home` the device prints two comment lines
/// before the Cisco contact address (real configs, docs/platform-notes.md); a certificate ends with a tabbed
/// `quit`.
fn ios_line(line: &Line, depth: usize, parent: &str, out: &mut String) {
    let indent = " ".repeat(depth);
    if parent == "call-home" && line.text == "contact-email-addr sch-smart-licensing@cisco.com" {
        out.push_str(&format!(
            "{indent}! If contact email address in call-home is configured as sch-smart-licensing@cisco.com\n\
             {indent}! the email address configured in Cisco Smart License Portal will be used as contact email address to send SCH notifications.\n"
        ));
    }
    if line.text == "quit" && parent.starts_with("certificate ") {
        out.push_str(&format!("{indent}\tquit\n"));
        return;
    }
    out.push_str(&format!("{indent}{}\n", line.text));
    for child in &line.children {
        ios_line(child, depth + 1, &line.text, out);
    }
}

/// NX-OS header (public captures: `!Command:`, `!Running configuration last done at:`,
/// `!Time:`, a blank line, `version 9.3(8) Bios:version …`) and two-space indentation.
fn nx_config(view: &View, tree: &Tree, command: &str, section: Option<&str>) -> String {
    let mut out = format!(
        "\n!Command: {command}\n!Running configuration last done at: {}\n!Time: {}\n\nversion {} Bios:version 07.68\n",
        Civil::from_epoch(view.last_change).ctime(),
        Civil::from_epoch(view.now).ctime(),
        nx_version(&view.identity.version),
    );
    if section.is_some() {
        out.push('\n');
    }
    let mut previous: Option<&Line> = None;
    for line in &tree.lines {
        let first = line.text.split_whitespace().next().unwrap_or_default();
        if section.is_some_and(|s| s != first) {
            continue;
        }
        // `line console` and `line vty` print back to back (a public N9K 9.3(8) `show
        // running-config`, index id 35666154077).
        let after_line = previous.is_some_and(is_line_block) && is_line_block(line);
        previous = Some(line);
        if !line.children.is_empty() && section.is_none() && !after_line {
            out.push('\n');
        }
        out.push_str(
            &Tree {
                lines: vec![line.clone()],
            }
            .render(2),
        );
    }
    out
}

/// A `line …` block (`line con 0`, `line vty 0 4`, NX-OS `line console`).
fn is_line_block(line: &Line) -> bool {
    line.text.starts_with("line ")
}

/// `10.2(1)F` prints as `10.2(1)`: the F is a release label ([GENIEPARSER]).
fn nx_version(version: &str) -> &str {
    version.trim_end_matches(['F', 'f'])
}

/// APIC: `# Command:`, `# Time:`, every line indented two spaces (public transcripts).
fn apic_config(view: &View, tree: &Tree) -> String {
    let mut out = format!(
        "# Command: show running-config\n# Time: {}\n",
        Civil::from_epoch(view.now).ctime()
    );
    for line in tree.render(2).lines() {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

// ---------------------------------------------------------------- filters

/// `| include|exclude|begin|section|count|grep REGEX` applied to an output.
pub fn filter(text: &str, kind: &str, pattern: &str) -> String {
    let regex = Regex::new(pattern).unwrap_or_else(|_| {
        Regex::new(&regex::escape(pattern)).unwrap_or_else(|_| Regex::new("$^").unwrap())
    });
    let lines: Vec<&str> = text.lines().collect();
    let keep: Vec<&str> = match kind {
        "include" | "grep" => lines.into_iter().filter(|l| regex.is_match(l)).collect(),
        "exclude" => lines.into_iter().filter(|l| !regex.is_match(l)).collect(),
        "begin" => lines
            .iter()
            .position(|l| regex.is_match(l))
            .map_or_else(Vec::new, |i| lines[i..].to_vec()),
        "section" => section(&lines, &regex),
        "count" => {
            let n = lines.iter().filter(|l| regex.is_match(l)).count();
            return format!("Number of lines which match regexp = {n}\n");
        }
        _ => lines,
    };
    keep.iter().map(|l| format!("{l}\n")).collect()
}

/// IOS `| section`: each matching line with the lines indented under it.
fn section<'a>(lines: &[&'a str], regex: &Regex) -> Vec<&'a str> {
    let width = |l: &str| l.len() - l.trim_start().len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if regex.is_match(lines[i]) && !lines[i].trim().is_empty() {
            let base = width(lines[i]);
            out.push(lines[i]);
            i += 1;
            while i < lines.len() && !lines[i].trim().is_empty() && width(lines[i]) > base {
                out.push(lines[i]);
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------- hosts, interfaces, inventory

/// The words after `prefix ` of each top-level running-config line that starts with it.
fn top_args<'a>(view: &'a View, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    view.state
        .running
        .lines
        .iter()
        .filter_map(move |l| l.text.strip_prefix(prefix)?.strip_prefix(' '))
}

/// `show hosts`, from the running config's domain name, name servers and `ip host` lines.
pub fn hosts(view: &View) -> String {
    match view.personality.layout {
        Layout::NxOs => nx_hosts(view),
        _ => ios_hosts(view),
    }
}

/// IOS `show hosts` (NAPALM's `ios` fixture `test_get_facts/old-2950/show_hosts.txt` and
/// public IOS 15 / IOS-XE transcripts: `Default domain is …`, the `Codes:` legend, the
/// `Host  Port  Flags  Age Type  Address(es)` table with `None  (perm, OK)  0   IP`
/// rows for `ip host` entries; `255.255.255.255` when no name server is set, and no
/// `Name servers` line at all with `no ip domain lookup` (the IOS transcript of index id
/// 8312939393, `Default domain is not set` / `… uses static mappings`).
fn ios_hosts(view: &View) -> String {
    let domain = top_args(view, "ip domain name").next().map(str::to_string);
    let servers: Vec<&str> = top_args(view, "ip name-server")
        .flat_map(|a| {
            let a = a
                .strip_prefix("vrf ")
                .map_or(a, |r| r.split_once(' ').map_or("", |(_, rest)| rest));
            a.split_whitespace()
        })
        .collect();
    let lookup = if view.has_top("no ip domain lookup") {
        "static mappings"
    } else {
        "domain service"
    };
    let servers = match (servers.is_empty(), lookup) {
        (true, "static mappings") => String::new(),
        (true, _) => "Name servers are 255.255.255.255\n".to_string(),
        (false, _) => format!("Name servers are {}\n", servers.join(", ")),
    };
    let mut out = format!(
        "Default domain is {}\nName/address lookup uses {lookup}\n{servers}\n\
Codes: UN - unknown, EX - expired, OK - OK, ?? - revalidate\n       temp - temporary, perm - permanent\n       NA - Not Applicable None - Not defined\n\n\
Host                      Port  Flags      Age Type   Address(es)\n",
        domain.as_deref().unwrap_or("not set"),
    );
    for args in top_args(view, "ip host") {
        if let Some((name, addresses)) = args.split_once(' ') {
            out.push_str(&format!(
                "{name:<26}None  (perm, OK)  0   IP      {}\n",
                addresses.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
    }
    out
}

/// NX-OS `show hosts` (NAPALM's `nxos_ssh` fixtures `test_get_facts/*/show_hosts.txt`,
/// real captures: `DNS lookup enabled`, `Vrf Name: default Default domain is …`,
/// `Name servers are   A B`, blank lines, then the `Host            Address` table). The
/// domain line is left out when no domain is set (not verified on a device).
fn nx_hosts(view: &View) -> String {
    let lookup = if view.has_top("no ip domain-lookup") {
        "disabled"
    } else {
        "enabled"
    };
    let mut out = format!("DNS lookup {lookup}\n");
    if let Some(domain) = top_args(view, "ip domain-name").next() {
        let domain = domain.split_whitespace().next().unwrap_or_default();
        out.push_str(&format!("Vrf Name: default Default domain is {domain}\n"));
    }
    let servers: Vec<&str> = top_args(view, "ip name-server")
        .flat_map(|a| a.split(" use-vrf ").next().unwrap_or(a).split_whitespace())
        .collect();
    let servers = if servers.is_empty() {
        "255.255.255.255".to_string()
    } else {
        servers.join(" ")
    };
    out.push_str(&format!(
        "Name servers are   {servers}\n\n\n\nHost            Address\n"
    ));
    for args in top_args(view, "ip host") {
        if let Some((name, addresses)) = args.split_once(' ') {
            out.push_str(&format!("{name:<16}{}\n", addresses.trim()));
        }
    }
    out
}

/// IOS `show ip interface brief`. The lab models no interfaces in its configs: it prints
/// the management port and VLAN 1 of a factory Catalyst, unaddressed, in the layout of
/// NAPALM's `ios` fixture `test_get_facts/empty_show_hosts/show_ip_interface_brief.txt`
/// (a real capture: the `Any interface listed with OK? …` note, the header, `unassigned
/// YES unset` rows).
pub fn ip_interface_brief() -> String {
    "Any interface listed with OK? value \"NO\" does not have a valid configuration\n\n\
Interface              IP-Address      OK? Method Status                Protocol\n\
Vlan1                  unassigned      YES unset  administratively down down\n\
GigabitEthernet0/0     unassigned      YES unset  up                    up\n"
        .to_string()
}

/// NX-OS `show interface status`: the management port, as in NAPALM's `nxos_ssh` fixture
/// `test_get_facts/newer_version/show_interface_status.txt` (a real capture; its
/// `mgmt0 -- connected routed full 1000 --` row). The lab models no data ports.
pub fn interface_status() -> String {
    "\n--------------------------------------------------------------------------------\n\
Port          Name               Status    Vlan      Duplex  Speed   Type\n\
--------------------------------------------------------------------------------\n\
mgmt0         --                 connected routed    full    1000    --         \n"
        .to_string()
}

/// NX-OS `show inventory`: the chassis with the device's PID and serial
/// (public N9K `show inventory` captures, `NAME: "Chassis",  DESCR: "Nexus9000 … Chassis"`
/// then `PID: … ,  VID: V01 ,  SN: …`; NAPALM's `nxos_ssh` reads the chassis SN).
pub fn inventory(view: &View) -> String {
    let (pid, serial) = (&view.identity.pid, &view.identity.serial);
    let model = pid.strip_prefix("N9K-").unwrap_or(pid);
    format!(
        "NAME: \"Chassis\",  DESCR: \"Nexus9000 {model} Chassis\"\n\
PID: {pid:<20},  VID: V01 ,  SN: {serial:<20}\n\n"
    )
}

/// The files the lab's flash holds: the boot image `show version` names and, on IOS-XE,
/// the `nvram_config` that keeps the startup config (sizes are the lab's).
fn flash_files(view: &View) -> Vec<(&'static str, String, u64)> {
    match view.personality.layout {
        Layout::IosXe => vec![
            ("-rw-", "nvram_config".into(), 2_097_152),
            ("-rw-", "packages.conf".into(), 7_406),
        ],
        _ => {
            let release = nx_version(&view.identity.version);
            let v = Release::parse(release).unwrap_or(Release(9, 3, 8));
            let image = if v.0 >= 10 {
                format!("nxos64-cs.{}.{}.{}.F.bin", v.0, v.1, v.2)
            } else {
                format!("nxos.{}.{}.{}.bin", v.0, v.1, v.2)
            };
            vec![("", image, 1_978_203_648)]
        }
    }
}

/// `dir [FS:[FILE]]` on the device's flash (IOS-XE `flash:`, NX-OS `bootflash:`); `None`
/// for another file system (the argument is refused like an unknown keyword).
///
/// IOS-XE: `Directory of flash:/`, `INODE  -rw-  SIZE  Mon D YYYY hh:mm:ss +00:00  NAME`,
/// `N bytes total (M bytes free)` (genieparser `iosxe/tests/Dir` golden output of a
/// Catalyst 3850, real; the total is `show version`'s `11264000K bytes of Flash`). A missing
/// file: `%Error opening flash:/NAME (No such file or directory)` (what netmiko's
/// `remote_file_size` looks for). NX-OS: `SIZE    Mon DD hh:mm:ss YYYY  NAME` rows, then
/// `Usage for bootflash://` with bytes used/free/total (genieparser `nxos/tests/Dir`
/// golden output, real; the total is `show version`'s `bootflash: 115805708 kB`); a
/// missing file: `No such file or directory` (what netmiko's NX-OS transfer looks for).
pub fn dir(view: &View, path: Option<&str>) -> Option<String> {
    let ios = view.personality.layout == Layout::IosXe;
    let fs = if ios { "flash:" } else { "bootflash:" };
    let file = match path {
        None => "",
        // A name without a file system is in the current directory, the flash.
        Some(p) => match p.strip_prefix(fs) {
            Some(rest) => rest.trim_start_matches('/'),
            None if !p.contains(':') => p,
            None => return None,
        },
    };
    let files: Vec<_> = flash_files(view)
        .into_iter()
        .filter(|(_, name, _)| file.is_empty() || name == file)
        .collect();
    let at = Civil::from_epoch(view.booted_at);
    let used: u64 = flash_files(view).iter().map(|f| f.2).sum::<u64>() + 870_318_080;
    if ios {
        if files.is_empty() {
            return Some(format!(
                "%Error opening flash:/{file} (No such file or directory)\n"
            ));
        }
        let total: u64 = 11_264_000 * 1024;
        let mut out = format!("Directory of flash:/{file}\n\n");
        for (i, (attributes, name, size)) in files.iter().enumerate() {
            out.push_str(&format!(
                "{:<5}  {attributes}  {size:>15}  {} {} {} {} +00:00  {name}\n",
                30539 + i,
                at.month_name(),
                at.day,
                at.year,
                at.hms()
            ));
        }
        out.push_str(&format!(
            "\n{total} bytes total ({} bytes free)\n",
            total - used
        ));
        return Some(out);
    }
    if files.is_empty() {
        return Some("No such file or directory\n".into());
    }
    let total: u64 = 115_805_708 * 1024;
    let mut out = String::from("\n\n");
    for (_, name, size) in &files {
        out.push_str(&format!(
            "{size:>11}    {} {:02} {} {}  {name}\n",
            at.month_name(),
            at.day,
            at.hms(),
            at.year
        ));
    }
    out.push_str(&format!(
        "\nUsage for bootflash://\n{used:>11} bytes used\n{:>11} bytes free\n{total:>11} bytes total\n\n",
        total - used
    ));
    Some(out)
}

/// NX-OS `| json`: the structured form of the shows the lab has one for, as NX-OS prints
/// it (one line, `TABLE_…`/`ROW_…` for tables): `show inventory` (NAPALM's `nxos_ssh`
/// fixture `test_get_facts/issue2200/show_inventory___json.txt`, real, and a public N9K
/// `show inventory | json-pretty` capture with the quoted `"\"Chassis\""` name) and `show
/// hostname` (`{"hostname": …}`, which NAPALM's NX-API `nxos` driver reads).
pub fn json(view: &View, action: crate::personality::Exec) -> Option<String> {
    use crate::personality::Exec;
    let value = match action {
        Exec::ShowInventory => {
            let model = view
                .identity
                .pid
                .strip_prefix("N9K-")
                .unwrap_or(&view.identity.pid);
            serde_json::json!({"TABLE_inv": {"ROW_inv": [{
                "name": "\"Chassis\"",
                "desc": format!("\"Nexus9000 {model} Chassis\""),
                "productid": view.identity.pid,
                "vendorid": "V01",
                "serialnum": view.identity.serial,
            }]}})
        }
        Exec::ShowHostname => serde_json::json!({"hostname": view.hostname()}),
        _ => return None,
    };
    Some(format!("{value}\n"))
}

// ---------------------------------------------------------------- show version

pub fn version(view: &View) -> String {
    match view.personality.layout {
        Layout::IosXe => ios_version(view),
        Layout::NxOs => nx_show_version(view),
        Layout::Apic => apic_version(view),
    }
}

/// IOS-XE release train names as `show version` prints them (genieparser fixtures:
/// Everest 16.4, Amsterdam 17.3, Bengaluru 17.5/17.6; Cisco release names otherwise).
fn train(v: Release) -> &'static str {
    match (v.0, v.1) {
        (16, 0..=6) => "Everest",
        (16, 7..=9) => "Fuji",
        (16, _) => "Gibraltar",
        (17, 0..=3) => "Amsterdam",
        (17, 4..=6) => "Bengaluru",
        (17, 7..=9) => "Cupertino",
        _ => "Dublin",
    }
}

/// `17.3.4a` → `17.03.04a` (the `Cisco IOS XE Software, Version` line pads, [GENIEPARSER]).
fn padded_version(version: &str) -> String {
    let mut parts = version.splitn(3, '.');
    let major = parts.next().unwrap_or_default();
    let pad = |p: Option<&str>| {
        let p = p.unwrap_or("0");
        let digits = p.chars().take_while(char::is_ascii_digit).count();
        format!("{:0>2}{}", &p[..digits], &p[digits..])
    };
    format!("{major}.{}.{}", pad(parts.next()), pad(parts.next()))
}

/// The `Smart Licensing Status:` value ([GENIEPARSER]): classic prints the registration and
/// authorization states, SLP releases `Registration Not Applicable/Not Applicable`, and
/// `Smart Licensing Using Policy` from the 17.10 builds on.
fn smart_licensing_status(view: &View, v: Release) -> String {
    if view.personality.model == LicensingModel::Policy {
        return if v >= Release(17, 10, 0) {
            "Smart Licensing Using Policy".into()
        } else {
            "Registration Not Applicable/Not Applicable".into()
        };
    }
    let status = view.licensing.show("status").unwrap_or_default();
    let registration = section_status(&status, "Registration:").unwrap_or("UNREGISTERED".into());
    let authorization =
        section_status(&status, "License Authorization:").unwrap_or("EVAL MODE".into());
    format!("{registration}/{authorization}")
}

/// The `Status:` under a section header, without its ` on <date>` tail.
fn section_status(text: &str, header: &str) -> Option<String> {
    let mut lines = text.lines().skip_while(|l| l.trim() != header).skip(1);
    let status = lines.find_map(|l| l.trim().strip_prefix("Status:"))?.trim();
    Some(status.split(" on ").next().unwrap_or(status).to_string())
}

/// `11 hours, 42 minutes` (IOS), from seconds.
fn ios_uptime(secs: f64) -> String {
    let mut rest = secs.max(0.0) as u64 / 60;
    let mut parts = Vec::new();
    for (unit, size) in [
        ("week", 7 * 24 * 60),
        ("day", 24 * 60),
        ("hour", 60),
        ("minute", 1),
    ] {
        let n = rest / size;
        rest %= size;
        if n > 0 || (unit == "minute" && parts.is_empty()) {
            parts.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
        }
    }
    parts.join(", ")
}

fn ios_version(view: &View) -> String {
    let v = Release::parse(&view.identity.version).unwrap_or(Release(17, 3, 4));
    let host = view.hostname();
    let uptime = ios_uptime(view.now - view.booted_at);
    let (pid, serial) = (&view.identity.pid, &view.identity.serial);
    format!(
        "Cisco IOS XE Software, Version {padded}\n\
Cisco IOS Software [{train}], Catalyst L3 Switch Software (CAT9K_IOSXE), Version {release}, RELEASE SOFTWARE (fc2)\n\
Technical Support: http://www.cisco.com/techsupport\n\
Copyright (c) 1986-2021 by Cisco Systems, Inc.\n\
Compiled Thu 04-Mar-21 12:32 by mcpre\n\
\n\
\n\
Cisco IOS-XE software, Copyright (c) 2005-2021 by cisco Systems, Inc.\n\
All rights reserved.  Certain components of Cisco IOS-XE software are\n\
licensed under the GNU General Public License (\"GPL\") Version 2.0.  The\n\
software code licensed under GPL Version 2.0 is free software that comes\n\
with ABSOLUTELY NO WARRANTY.  You can redistribute and/or modify such\n\
GPL code under the terms of GPL Version 2.0.  For more details, see the\n\
documentation or \"License Notice\" file accompanying the IOS-XE software,\n\
or the applicable URL provided on the flyer accompanying the IOS-XE\n\
software.\n\
\n\
\n\
ROM: IOS-XE ROMMON\n\
BOOTLDR: System Bootstrap, Version 17.8.1r[FC1], RELEASE SOFTWARE (P)\n\
\n\
{host} uptime is {uptime}\n\
Uptime for this control processor is {uptime}\n\
System returned to ROM by Reload Command\n\
System image file is \"flash:packages.conf\"\n\
Last reload reason: Reload Command\n\
\n\
\n\
\n\
This product contains cryptographic features and is subject to United\n\
States and local country laws governing import, export, transfer and\n\
use. Delivery of Cisco cryptographic products does not imply\n\
third-party authority to import, export, distribute or use encryption.\n\
Importers, exporters, distributors and users are responsible for\n\
compliance with U.S. and local country laws. By using this product you\n\
agree to comply with applicable laws and regulations. If you are unable\n\
to comply with U.S. and local laws, return this product immediately.\n\
\n\
A summary of U.S. laws governing Cisco cryptographic products may be found at:\n\
http://www.cisco.com/wwl/export/crypto/tool/stqrg.html\n\
\n\
If you require further assistance please contact us by sending email to\n\
export@cisco.com.\n\
\n\
\n\
Technology Package License Information: \n\
\n\
------------------------------------------------------------------------------\n\
Technology-package                                     Technology-package\n\
Current                        Type                       Next reboot  \n\
------------------------------------------------------------------------------\n\
network-advantage   \tSmart License                 \t network-advantage   \n\
dna-advantage       \tSubscription Smart License    \t dna-advantage                 \n\
\n\
\n\
Smart Licensing Status: {sl}\n\
\n\
cisco {pid} (X86) processor with 1333273K/6147K bytes of memory.\n\
Processor board ID {serial}\n\
1 Virtual Ethernet interface\n\
28 Gigabit Ethernet interfaces\n\
2048K bytes of non-volatile configuration memory.\n\
8388608K bytes of physical memory.\n\
11264000K bytes of Flash at flash:.\n\
\n\
Base Ethernet MAC Address          : 00:b6:70:dd:28:80\n\
Motherboard Assembly Number        : 73-18271-03\n\
Motherboard Serial Number          : {serial}\n\
Model Revision Number              : A0\n\
Motherboard Revision Number        : A0\n\
Model Number                       : {pid}\n\
System Serial Number               : {serial}\n\
\n\
\n\
Switch Ports Model              SW Version        SW Image              Mode   \n\
------ ----- -----              ----------        ----------            ----   \n\
*    1 28    {pid:<18} {padded:<17} CAT9K_IOSXE           INSTALL\n\
\n\
\n\
Configuration register is 0x102\n",
        padded = padded_version(&view.identity.version),
        train = train(v),
        release = view.identity.version,
        sl = smart_licensing_status(view, v),
    )
}

/// Shape of genieparser `nxos/tests/ShowVersion/cli/equal/golden_output_2_output.txt`.
fn nx_show_version(view: &View) -> String {
    let release = nx_version(&view.identity.version);
    let v = Release::parse(release).unwrap_or(Release(9, 3, 8));
    let (image, feature) = if v.0 >= 10 {
        (
            format!("nxos64-cs.{}.{}.{}.F.bin", v.0, v.1, v.2),
            " [Feature Release]",
        )
    } else {
        (format!("nxos.{}.{}.{}.bin", v.0, v.1, v.2), "")
    };
    let up = (view.now - view.booted_at).max(0.0) as u64;
    format!(
        "{copyright}\nSoftware\n  BIOS: version 07.68\n  NXOS: version {release}{feature}\n  Host NXOS: version {release}\n  BIOS compile time:  05/13/2022\n  NXOS image file is: bootflash:///{image}\n  NXOS compile time:  4/24/2022 3:00:00 [04/24/2022 14:54:51]\n  NXOS boot mode: LXC\n\nHardware\n  cisco Nexus9000 {pid} Chassis \n  Intel(R) Xeon(R) CPU D-1633N @ 2.50GHz with 32812668 kB of memory.\n  Processor Board ID {serial}\n  Device name: {host}\n  bootflash:  115805708 kB\n\nKernel uptime is {d} day(s), {h} hour(s), {m} minute(s), {s} second(s)\n\nLast reset at 916744 usecs after {reset}\n  Reason: Reset Requested by CLI command reload\n  System version: \n  Service: \n\nplugin\n  Core Plugin, Ethernet Plugin\n",
        copyright = crate::personality::nx_os::COPYRIGHT,
        pid = view.identity.pid,
        serial = view.identity.serial,
        host = view.hostname(),
        d = up / 86_400,
        h = up / 3600 % 24,
        m = up / 60 % 60,
        s = up % 60,
        reset = Civil::from_epoch(view.booted_at).ctime(),
    )
}

/// APIC `show version`: the Role/Pod/Node/Name/Version table (genie APIC parser
/// comment and unicon mock data), this controller only.
fn apic_version(view: &View) -> String {
    format!(
        " Role        Pod         Node        Name                      Version              \n ----------  ----------  ----------  ------------------------  -------------------- \n controller  1           1           {:<24}  {:<20} \n",
        view.hostname(),
        view.identity.version
    )
}

// ---------------------------------------------------------------- clock, logging

pub fn clock(view: &View) -> String {
    let now = Civil::from_epoch(view.now);
    match view.personality.layout {
        Layout::IosXe => {
            // `*` = time not authoritative (IOS `show clock`); `*04:25:14.130 UTC Thu Mar
            // 19 2026` (a live IOS-XE device, ChartinoLabs/Muninn
            // `tests/parsers/iosxe/show_clock/001_live_device`).
            let star = if view.clock_trusted() { "" } else { "*" };
            format!("{star}{}\n", now.clock(false))
        }
        _ => {
            // NX-OS prints the day unpadded too: `09:23:15.210 PST Wed Mar 4 2026`
            // (ChartinoLabs/Muninn `tests/parsers/nxos/show_clock/002_with_prompt`;
            // ntc-templates `cisco_nxos_show_clock.raw`). Where NX-OS puts `Time source is
            // NTP` is not in a sample ⟨UNVERIFIED⟩. APIC's own form is ⟨GAP⟩.
            let source = if view.has_top("ntp server") {
                "Time source is NTP\n"
            } else {
                ""
            };
            format!("{}\n{source}", now.clock(false))
        }
    }
}

/// IOS-XE: the header of genieparser ShowLogging fixture 1 and the buffer with
/// `*Mmm dd hh:mm:ss.mmm: ` stamps (`*` while the clock is not authoritative).
/// NX-OS: logfile lines `YYYY Mmm dd hh:mm:ss host %MSG`.
pub fn logging(view: &View) -> String {
    let log = &view.state.log;
    match view.personality.layout {
        Layout::IosXe => {
            let star = if view.clock_trusted() { "" } else { "*" };
            let n = log.len();
            let mut out = format!(
                "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, 0 overruns, xml disabled, filtering disabled)\n\
\n\
No Active Message Discriminator.\n\
\n\
\n\
\n\
No Inactive Message Discriminator.\n\
\n\
\n\
    Console logging: disabled\n\
    Monitor logging: level debugging, 0 messages logged, xml disabled,\n\
                     filtering disabled\n\
    Buffer logging:  level debugging, {n} messages logged, xml disabled,\n\
                    filtering disabled\n\
    Exception Logging: size (4096 bytes)\n\
    Count and timestamp logging messages: disabled\n\
    Persistent logging: disabled\n\
\n\
No active filter modules.\n\
\n\
    Trap logging: level informational, {n} message lines logged\n\
        Logging Source-Interface:       VRF Name:\n\
\n\
Log Buffer (102400 bytes):\n\
\n"
            );
            for line in log {
                let at = Civil::from_epoch(line.at);
                out.push_str(&format!("{star}{}: {}\n", at.syslog(), line.text));
            }
            out
        }
        _ => {
            let host = view.hostname();
            log.iter()
                .map(|l| {
                    format!(
                        "{} {host} {}\n",
                        Civil::from_epoch(l.at).nx_syslog(),
                        l.text
                    )
                })
                .collect()
        }
    }
}

// ---------------------------------------------------------------- call-home

/// What `show call-home*` needs from the running config.
struct CallHome<'a> {
    enabled: bool,
    block: &'a [Line],
}

impl<'a> CallHome<'a> {
    fn read(view: &'a View) -> CallHome<'a> {
        let running = &view.state.running;
        CallHome {
            enabled: running.lines.iter().any(|l| l.text == "service call-home"),
            block: block(running, &["call-home".to_string()]).unwrap_or(&[]),
        }
    }

    fn setting(&self, key: &str) -> Option<&str> {
        self.block
            .iter()
            .find_map(|l| l.text.strip_prefix(key).and_then(|r| r.strip_prefix(' ')))
    }

    fn profiles(&self) -> impl Iterator<Item = (&str, &[Line])> {
        self.block.iter().filter_map(|l| {
            let name = l.text.strip_prefix("profile ")?.trim_matches('"');
            Some((name, l.children.as_slice()))
        })
    }
}

fn has(lines: &[Line], text: &str) -> bool {
    lines.iter().any(|l| l.text == text)
}

/// A profile is active unless `no active` is printed (real configs print `active`, docs/platform-notes.md).
fn active(lines: &[Line]) -> bool {
    !has(lines, "no active")
}

fn reports_licensing(name: &str, lines: &[Line]) -> bool {
    name == "CiscoTAC-1" || has(lines, "reporting smart-licensing-data")
}

/// The HTTP destinations of a profile; CiscoTAC-1 has the DDCEService URL by default
/// unless another address or its `no` form is configured ([CAT-TS], real configs, docs/platform-notes.md).
fn http_addresses(view: &View, name: &str, lines: &[Line]) -> Vec<String> {
    let mut out: Vec<String> = lines
        .iter()
        .filter_map(|l| l.text.strip_prefix("destination address http "))
        .map(String::from)
        .collect();
    let path = vec!["call-home".to_string(), format!("profile \"{name}\"")];
    if out.is_empty()
        && let Some(default) = view.personality.hidden_defaults.iter().find(|d| {
            d.line.starts_with("destination address http ")
                && hidden_default(view.personality, &path, d.line).is_some()
        })
        && !lines
            .iter()
            .any(|l| l.text.starts_with("no destination address http"))
    {
        out.push(default.line["destination address http ".len()..].to_string());
    }
    out
}

/// Transport methods: `http` unless `no destination transport-method http`; `email`
/// unless its `no` form (real configs print `no destination transport-method email`, docs/platform-notes.md).
fn transport_method(lines: &[Line]) -> &'static str {
    let http = !has(lines, "no destination transport-method http");
    let email = !has(lines, "no destination transport-method email");
    match (http, email) {
        (true, true) => "http and email",
        (true, false) => "http",
        (false, true) => "email",
        (false, false) => "none",
    }
}

/// `show call-home` (corpus iosxe/show-call-home/*.txt).
pub fn call_home(view: &View) -> String {
    let ch = CallHome::read(view);
    let or_unset = |v: Option<&str>| v.unwrap_or("Not yet set up").to_string();
    let proxy = ch
        .setting("http-proxy")
        .map(|p| p.replace('"', "").replace(" port ", ":"));
    let identity_check = if has(ch.block, "no http secure server-identity-check") {
        "disabled"
    } else {
        "enabled"
    };
    let licensing = ch
        .profiles()
        .find(|(name, lines)| active(lines) && reports_licensing(name, lines));
    let mut out = format!(
        "Current call home settings:\n    call home feature : {}\n    call home message's from address: Not yet set up\n    call home message's reply-to address: Not yet set up\n\n    vrf for call-home messages: {}\n\n    contact person's email address: {}\n\n    contact person's phone number: Not yet set up\n    street address: Not yet set up\n    customer ID: Not yet set up\n    contract ID: Not yet set up\n    site ID: Not yet set up\n\n    source ip address: Not yet set up\n    source interface: {}\n{}    http proxy: {}\n    http secure:\n      server identity check: {identity_check}\n    http resolve-hostname: {}\n\n    Diagnostic signature: enabled\n    Profile: CiscoTAC-1 (status: {})\n\n",
        if ch.enabled { "enable" } else { "disable" },
        or_unset(ch.setting("vrf")),
        or_unset(ch.setting("contact-email-addr")),
        or_unset(ch.setting("source-interface")),
        mail_servers(ch.block),
        or_unset(proxy.as_deref()),
        ch.setting("http resolve-hostname").unwrap_or("default"),
        status_word(ch.enabled && ch.profiles().any(|(n, l)| n == "CiscoTAC-1" && active(l))),
    );
    match licensing.filter(|_| ch.enabled) {
        Some((name, _)) => out.push_str(&format!(
            "    Smart licensing messages: enabled\n    Profile: {name} (status: ACTIVE)\n\n"
        )),
        None => out.push_str("    Smart licensing messages: disabled\n\n"),
    }
    out.push_str(
        "    aaa-authorization: disable\n    aaa-authorization username: callhome (default)\n    data-privacy: normal\n    syslog throttling: enable\n\n    Rate-limit: 20 message(s) per minute\n\n    Snapshot command: Not yet set up\n\nAvailable alert groups:\n    Keyword                  State   Description\n    ------------------------ ------- -------------------------------\n    configuration            Enable  configuration info\n    crash                    Enable  crash and traceback info\n    inventory                Enable  inventory info\n    snapshot                 Enable  snapshot info\n    syslog                   Enable  syslog info\n\nProfiles:\n",
    );
    for (name, _) in ch.profiles() {
        out.push_str(&format!("    Profile Name: {name}\n"));
    }
    out
}

/// The `Mail-server` line(s) of `show call-home`, in priority order: the corpus shows
/// `Mail-server[1]: Address: A Priority: 1 Secure: none` per server and
/// `Mail-server: Not yet set up` without one (iosxe/show-call-home/muninn-1).
fn mail_servers(lines: &[Line]) -> String {
    let mut servers: Vec<(u32, &str)> = lines
        .iter()
        .filter_map(|l| {
            let rest = l.text.strip_prefix("mail-server ")?;
            let (address, priority) = rest.split_once(" priority ")?;
            Some((priority.trim().parse().ok()?, address))
        })
        .collect();
    if servers.is_empty() {
        return "    Mail-server: Not yet set up\n".to_string();
    }
    servers.sort();
    servers
        .iter()
        .enumerate()
        .map(|(i, (priority, address))| {
            format!(
                "    Mail-server[{}]: Address: {address} Priority: {priority} Secure: none\n",
                i + 1
            )
        })
        .collect()
}

fn status_word(active: bool) -> &'static str {
    if active { "ACTIVE" } else { "INACTIVE" }
}

/// `show call-home profile all`, with the corpus indentation and column-aligned tables.
/// The destination line is `HTTP  address: <url>` (two spaces, no `(es)`) on classic and
/// Using Policy images alike: every real capture prints it so (corpus
/// iosxe/show-call-home-profile-all/genieparser-1 and -3, from CiscoTestAutomation/genieparser
/// `iosxe/tests/ShowCallHomeProfileAll`, a Smart Licensing classic CiscoTAC-1 profile among
/// them), and genie's `ShowCallHomeProfileAll` reads only that form. [CAT-TS]'s
/// `HTTP address(es):` is the web rendering of the document, not device output.
pub fn call_home_profiles(view: &View) -> String {
    let ch = CallHome::read(view);
    let label = "HTTP  address:";
    let mut entries = Vec::new();
    for (name, lines) in ch.profiles() {
        let method = transport_method(lines);
        let reporting = if reports_licensing(name, lines) {
            "Smart Call Home, Smart Licensing"
        } else {
            "Smart Call Home"
        };
        let mut out = format!(
            "Profile Name: {name}\n    Profile status: {}\n    Profile mode: Full Reporting\n    Reporting Data: {reporting}\n    Preferred Message Format: xml\n    Message Size Limit: 3145728 Bytes\n    Transport Method: {method}\n",
            status_word(active(lines)),
        );
        if method.contains("http") {
            for address in http_addresses(view, name, lines) {
                out.push_str(&format!("    {label} {address}\n"));
            }
        }
        if method.contains("email") {
            out.push_str("    Email address(es): Not yet set up\n");
        }
        if name == "CiscoTAC-1" {
            out.push_str(
                "    Other address(es): default\n\n    Periodic configuration info message is scheduled every 1 day of the month at 09:15\n\n    Periodic inventory info message is scheduled every 1 day of the month at 09:00\n\n    Alert-group               Severity\n    ------------------------  ------------\n    crash                     debugging   \n    diagnostic                minor       \n    environment               warning     \n    inventory                 normal      \n\n    Syslog-Pattern            Severity\n    ------------------------  ------------\n    APF-.-WLC_.*              warning     \n    .*                        major       \n",
            );
        } else {
            out.push_str(
                "\n    Alert-group               Severity\n    ------------------------  ------------\n    N/A                       N/A         \n\n    Syslog-Pattern            Severity\n    ------------------------  ------------\n    N/A                       N/A\n",
            );
        }
        entries.push(out);
    }
    entries.join("\n")
}

// ---------------------------------------------------------------- trustpoints

/// The trustpoints a Catalyst holds from the factory, which `show running-config` does not
/// list: the SUDI (Secure Unique Device Identifier) chains. Names and order: a C9300's
/// `show crypto pki trustpoints | i Tr` (public index id 28490484440, a Cisco IOS-XE
/// programmability lab guide: `CISCO_IDEVID_SUDI_LEGACY`, `…_LEGACY0`, `CISCO_IDEVID_SUDI`,
/// `…SUDI0`, then `SLA-TrustPoint` and the configured ones). Subjects and serials: the
/// High Assurance chain of `CISCO_IDEVID_SUDI`/`SUDI0` is corpus
/// iosxe/show-crypto-pki-trustpoints/muninn-1 (C9300-48U 17.18); the legacy pair carries the
/// ACT2 chain that corpus genieparser-1 shows under `CISCO_IDEVID_SUDI`/`SUDI0` on a device
/// without the High Assurance one (that the `_LEGACY` pair holds it is ⟨inferred⟩).
const SUDI_TRUSTPOINTS: &[(&str, &[&str], &str)] = &[
    (
        "CISCO_IDEVID_SUDI_LEGACY",
        &["cn=ACT2 SUDI CA", "o=Cisco"],
        "61096E7D00000000000C",
    ),
    (
        "CISCO_IDEVID_SUDI_LEGACY0",
        &["cn=Cisco Root CA 2048", "o=Cisco Systems"],
        "5FF87B282B54DC8D42A315B568C9ADFF",
    ),
    (
        "CISCO_IDEVID_SUDI",
        &["o=Cisco", "cn=High Assurance SUDI CA"],
        "0A6475524CD8617C62",
    ),
    (
        "CISCO_IDEVID_SUDI0",
        &["cn=Cisco Root CA 2099", "o=Cisco"],
        "019A335878CE16C1C1",
    ),
];

fn trustpoint_block(name: &str, subject: &[String], serial: &str) -> String {
    let mut out = format!("Trustpoint {name}:\n    Subject Name:\n");
    for attribute in subject {
        out.push_str(&format!("    {attribute}\n"));
    }
    out.push_str(&format!(
        "          Serial Number (hex): {serial}\n    Certificate configured.\n"
    ));
    out
}

/// `show crypto pki trustpoints` (corpus iosxe/show-crypto-pki-trustpoints): the factory
/// SUDI trustpoints ([`SUDI_TRUSTPOINTS`]), then the configured ones; SLA-TrustPoint carries
/// the Cisco Licensing Root CA on every device, imported CAs show their subject and serial.
/// Every block, the last one too, ends with two blank lines (both corpus captures).
pub fn trustpoints(view: &View) -> String {
    let mut entries: Vec<String> = SUDI_TRUSTPOINTS
        .iter()
        .map(|(name, subject, serial)| {
            let subject: Vec<String> = subject.iter().map(|a| a.to_string()).collect();
            trustpoint_block(name, &subject, serial)
        })
        .collect();
    for line in &view.state.running.lines {
        let Some(name) = line.text.strip_prefix("crypto pki trustpoint ") else {
            continue;
        };
        let summary = if name == "SLA-TrustPoint" {
            Some(cert::Summary {
                serial: "01".into(),
                subject: vec!["cn=Cisco Licensing Root CA".into(), "o=Cisco".into()],
            })
        } else {
            view.state
                .trusted_cas
                .get(name)
                .and_then(|pem| {
                    cert::der_from_paste(&pem.lines().map(String::from).collect::<Vec<_>>())
                })
                .and_then(|der| cert::summary(&der))
        };
        entries.push(match summary {
            Some(s) => trustpoint_block(name, &s.subject, &s.serial),
            None => format!("Trustpoint {name}:\n"),
        });
    }
    entries.iter().map(|e| format!("{e}\n\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_pad_like_the_version_line() {
        assert_eq!(padded_version("17.3.4a"), "17.03.04a");
        assert_eq!(padded_version("16.12.5"), "16.12.05");
        assert_eq!(nx_version("10.2(1)F"), "10.2(1)");
    }

    #[test]
    fn section_keeps_children_and_skips_the_rest() {
        let text = "service call-home\ncall-home\n contact-email-addr x\n profile \"A\"\n  active\nip host a 1.1.1.1\n";
        assert_eq!(
            filter(text, "section", "call-home"),
            "service call-home\ncall-home\n contact-email-addr x\n profile \"A\"\n  active\n"
        );
        assert_eq!(filter(text, "include", "^ +act"), "  active\n");
        assert_eq!(filter(text, "begin", "^ip"), "ip host a 1.1.1.1\n");
        assert_eq!(
            filter(text, "exclude", "^ "),
            "service call-home\ncall-home\nip host a 1.1.1.1\n"
        );
    }

    #[test]
    fn status_words_come_from_the_license_status_sections() {
        let status = "Smart Licensing is ENABLED\nRegistration:\n  Status: REGISTERED\nLicense Authorization:\n  Status: AUTHORIZED on Jun 22 16:15:44 2022 UTC\n";
        assert_eq!(
            section_status(status, "Registration:").unwrap(),
            "REGISTERED"
        );
        assert_eq!(
            section_status(status, "License Authorization:").unwrap(),
            "AUTHORIZED"
        );
    }

    #[test]
    fn uptime_reads_like_ios() {
        assert_eq!(ios_uptime(0.0), "0 minutes");
        assert_eq!(ios_uptime(3600.0 + 24.0 * 60.0), "1 hour, 24 minutes");
        assert_eq!(ios_uptime(8.0 * 86_400.0), "1 week, 1 day");
    }
}
