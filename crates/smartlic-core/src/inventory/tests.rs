use std::path::{Path, PathBuf};

use super::*;
use crate::source::Severity;

/// An inventory from text; its folder does not exist, so no vars files are read.
fn inv(text: &str) -> Inventory {
    load_str(Path::new("inline/hosts.yml"), text.to_string()).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// The first line of each diagnostic: `severity: file:line:col: field: message`.
fn problems(text: &str) -> Vec<String> {
    let diagnostics = load_str(Path::new("inline/hosts.yml"), text.to_string()).unwrap_err();
    diagnostics.iter().map(first_line).collect()
}

fn first_line(d: &Diagnostic) -> String {
    d.to_string().lines().next().unwrap().to_string()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/inventory")
        .join(name)
}

fn load_fixture(name: &str) -> Inventory {
    load(&fixture(name).join("hosts.yml")).unwrap_or_else(|d| panic!("{d:#?}"))
}

/// The scalar at a dotted path in a host's merged vars.
fn var<'a>(inventory: &'a Inventory, host: &str, path: &str) -> &'a Node {
    let mut node = &inventory.host(host).unwrap().vars;
    for key in path.split('.') {
        node = node
            .get(key)
            .unwrap_or_else(|| panic!("{host}: no `{path}`"));
    }
    node
}

fn text<'a>(inventory: &'a Inventory, host: &str, path: &str) -> &'a str {
    var(inventory, host, path).scalar().unwrap()
}

fn origin(node: &Node) -> String {
    let loc = node.origin.location().unwrap();
    let file = loc.path().strip_prefix(fixture("")).unwrap_or(loc.path());
    format!("{}:{}", file.display(), loc.line)
}

fn names(hosts: &[&Host]) -> Vec<String> {
    hosts.iter().map(|h| h.name.clone()).collect()
}

// ---------------------------------------------------------------- precedence

#[test]
fn each_precedence_layer_overrides_the_one_below() {
    let inv = load_fixture("precedence");
    let host = "core-sw1.example.net";
    let expected = [
        ("w1", "all-inline"),
        ("w2", "campus-inline"),
        ("w3", "core-inline"),
        ("w4", "all-file"),
        ("w5", "campus-file-20"),
        ("w6", "core-file"),
        ("w7", "host-inline"),
        ("w8", "host-file"),
    ];
    for (key, value) in expected {
        assert_eq!(text(&inv, host, key), value, "{key}");
    }
    // The other host has no host-level vars: its top two layers fall back to core-file.
    assert_eq!(text(&inv, "core-sw2.example.net", "w7"), "core-file");
    assert_eq!(text(&inv, "core-sw2.example.net", "w8"), "core-file");
}

#[test]
fn maps_merge_deeply_and_lists_replace() {
    let inv = load_fixture("precedence");
    let host = "core-sw1.example.net";
    assert_eq!(text(&inv, host, "smart_licensing.transport"), "direct");
    assert_eq!(text(&inv, host, "smart_licensing.vrf"), "Mgmt-vrf");
    assert_eq!(
        var(&inv, host, "smart_licensing.dns.domain_lookup").as_bool(),
        Some(true)
    );
    let servers: Vec<&str> = var(&inv, host, "smart_licensing.dns.servers")
        .items()
        .unwrap()
        .iter()
        .map(|n| n.scalar().unwrap())
        .collect();
    assert_eq!(servers, ["203.0.113.53"]);
    let sw2 = var(&inv, "core-sw2.example.net", "smart_licensing.dns.servers");
    assert_eq!(sw2.items().unwrap().len(), 2);
}

#[test]
fn merged_values_keep_the_origin_of_their_layer() {
    let inv = load_fixture("precedence");
    let host = "core-sw1.example.net";
    assert_eq!(
        origin(var(&inv, host, "w8")),
        "precedence/host_vars/core-sw1.example.net.yml:1"
    );
    assert_eq!(origin(var(&inv, host, "w3")), "precedence/hosts.yml:34");
    assert_eq!(
        origin(var(&inv, host, "w5")),
        "precedence/group_vars/campus/20-site.yaml:2"
    );
    assert_eq!(
        origin(var(&inv, host, "smart_licensing.dns.domain_lookup")),
        "precedence/hosts.yml:20"
    );
    assert_eq!(
        origin(var(&inv, host, "smart_licensing.vrf")),
        "precedence/group_vars/all.yml:8"
    );
}

#[test]
fn group_vars_folder_loads_its_files_in_name_order_and_skips_others() {
    let inv = load_fixture("precedence");
    let campus = inv.group("campus").unwrap().file_vars.as_ref().unwrap();
    assert_eq!(campus.get("w5").unwrap().scalar(), Some("campus-file-20"));
    assert_eq!(campus.get("ntp_servers").unwrap().items().unwrap().len(), 1);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

#[test]
fn groups_at_the_same_depth_apply_in_name_order() {
    let inv = inv("
all:
  children:
    beta:
      vars: {x: beta}
      hosts: {sw1:}
    alpha:
      vars: {x: alpha, y: alpha}
      hosts: {sw1:}
");
    let sw1 = inv.host("sw1").unwrap();
    assert_eq!(sw1.groups, ["all", "alpha", "beta"]);
    assert_eq!(text(&inv, "sw1", "x"), "beta");
    assert_eq!(text(&inv, "sw1", "y"), "alpha");
}

#[test]
fn group_priority_reorders_groups_at_the_same_depth_only() {
    let inv = inv("
all:
  children:
    alpha:
      vars: {x: alpha, ansible_group_priority: 10}
      hosts: {sw1:}
    beta:
      vars: {x: beta}
      hosts: {sw1:}
      children:
        gamma:
          vars: {x: gamma, ansible_group_priority: 0}
          hosts: {sw1:}
");
    assert_eq!(
        inv.host("sw1").unwrap().groups,
        ["all", "beta", "alpha", "gamma"]
    );
    assert_eq!(text(&inv, "sw1", "x"), "gamma");
    assert_eq!(inv.group("alpha").unwrap().priority, 10);
}

#[test]
fn nested_children_to_any_depth_with_several_parents() {
    let inv = inv("
all:
  children:
    region:
      children:
        site:
          children:
            room:
              children:
                rack:
                  vars: {level: rack}
                  hosts:
                    sw1:
              vars: {level: room}
          vars: {level: site}
    legacy:
      children:
        rack:
");
    let rack = inv.group("rack").unwrap();
    assert_eq!(rack.depth, 4, "the longest path from `all` counts");
    assert_eq!(rack.parents, ["room", "legacy"]);
    assert_eq!(
        inv.host("sw1").unwrap().groups,
        ["all", "legacy", "region", "site", "room", "rack"]
    );
    assert_eq!(text(&inv, "sw1", "level"), "rack");
    let in_region: Vec<&str> = inv.hosts_in("region").map(|h| h.name.as_str()).collect();
    assert_eq!(in_region, ["sw1"]);
}

#[test]
fn a_host_in_several_groups_merges_its_vars_in_file_order() {
    let inv = inv("
all:
  children:
    core:
      hosts:
        sw1: {ansible_host: 192.0.2.1, snmp: {community: a, location: dc1}}
    ios_xe:
      hosts:
        sw1: {snmp: {community: b}}
        sw2:
");
    assert_eq!(
        inv.hosts
            .iter()
            .map(|h| h.name.as_str())
            .collect::<Vec<_>>(),
        ["sw1", "sw2"]
    );
    assert_eq!(text(&inv, "sw1", "snmp.community"), "b");
    assert_eq!(text(&inv, "sw1", "snmp.location"), "dc1");
    assert_eq!(inv.group("ios_xe").unwrap().hosts, ["sw1", "sw2"]);
}

#[test]
fn null_bodies_plain_string_hosts_and_ungrouped() {
    let inv = inv("
all:
  hosts:
    lonely:
    both:
  children:
    core:
      hosts: sw1
    ungrouped:
      hosts:
        both:
    other:
      hosts:
        both:
    empty:
");
    assert_eq!(inv.group("core").unwrap().hosts, ["sw1"]);
    assert_eq!(inv.group("ungrouped").unwrap().hosts, ["lonely"]);
    assert_eq!(inv.host("both").unwrap().groups, ["all", "other"]);
    assert!(inv.group("empty").unwrap().hosts.is_empty());
    assert_eq!(inv.host("lonely").unwrap().vars.entries().unwrap().len(), 0);
}

#[test]
fn ports_and_ranges_in_host_keys() {
    let inv = inv("
all:
  hosts:
    sw[1:2].example.net:2222:
    r1:830: {ansible_port: 22}
");
    let hosts: Vec<&str> = inv.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(hosts, ["sw1.example.net", "sw2.example.net", "r1"]);
    assert_eq!(
        var(&inv, "sw2.example.net", "ansible_port").as_int(),
        Some(2222)
    );
    assert_eq!(
        var(&inv, "r1", "ansible_port").as_int(),
        Some(22),
        "a written ansible_port wins"
    );
}

#[test]
fn unknown_vars_vault_and_jinja_are_kept_as_written() {
    let inv = load_fixture("fleet");
    let host = "core-sw1.dc1.example.net";
    let password = var(&inv, host, "ansible_password");
    assert_eq!(password.tag.as_deref(), Some("!vault"));
    assert!(
        password
            .scalar()
            .unwrap()
            .starts_with("$ANSIBLE_VAULT;1.1;AES256")
    );
    assert_eq!(
        text(&inv, host, "backup_dir"),
        "{{ playbook_dir }}/backups/{{ inventory_hostname }}"
    );
    assert_eq!(
        text(&inv, host, "ansible_connection"),
        "ansible.netcommon.network_cli"
    );
}

#[test]
fn graph_is_printed_like_ansible_inventory() {
    let inv = inv("
all:
  hosts:
    lab1:
  children:
    nx_os:
      hosts: {leaf2:, leaf1:}
    dc1:
      children:
        dc1_leaves:
          hosts: {leaf1:}
      hosts: {core1:}
");
    assert_eq!(
        inv.graph(),
        "@all:\n\
         \x20 |--@dc1:\n\
         \x20 |  |--@dc1_leaves:\n\
         \x20 |  |  |--leaf1\n\
         \x20 |  |--core1\n\
         \x20 |--@nx_os:\n\
         \x20 |  |--leaf1\n\
         \x20 |  |--leaf2\n\
         \x20 |--@ungrouped:\n\
         \x20 |  |--lab1\n"
    );
}

// ---------------------------------------------------------------- errors

#[test]
fn top_level_must_be_a_mapping_of_groups() {
    assert_eq!(
        problems("- sw1\n- sw2\n"),
        [
            "error: inline/hosts.yml:1:1: an inventory must be a mapping of group names such as `all:`, found a list"
        ]
    );
    assert_eq!(
        problems("# nothing\n"),
        ["error: inline/hosts.yml:1:1: the inventory is empty"]
    );
    assert_eq!(
        problems("hosts:\n  sw1:\n"),
        ["error: inline/hosts.yml:1:1: hosts: `hosts` at the top level must be inside a group"]
    );
    assert_eq!(
        problems("plugin: netbox.netbox.nb_inventory\n"),
        [
            "error: inline/hosts.yml:1:1: plugin: this is an inventory plugin configuration, not a YAML inventory"
        ]
    );
}

#[test]
fn sections_of_the_wrong_kind() {
    let text = "
all:
  children:
    core:
      hosts:
        - sw1
    edge:
      vars: [a, b]
    access: sw9
    dist:
      hosts:
        sw2: 192.0.2.2
";
    assert_eq!(
        problems(text),
        [
            "error: inline/hosts.yml:6:9: all.children.core.hosts: `hosts` of group `core` must be a mapping of names, found a list",
            "error: inline/hosts.yml:8:13: all.children.edge.vars: `vars` of group `edge` must be a mapping of variable names, found a list",
            "error: inline/hosts.yml:9:13: all.children.access: group `access` must be a mapping with `hosts`, `vars` or `children`, found a string",
            "error: inline/hosts.yml:12:14: all.children.dist.hosts.sw2: host `sw2` must be a mapping of variables or empty, found a string",
        ]
    );
}

#[test]
fn unknown_group_key_suggests_the_section() {
    let diagnostics = load_str(
        Path::new("inline/hosts.yml"),
        "all:\n  host:\n    sw1:\n".into(),
    )
    .unwrap_err();
    assert_eq!(
        diagnostics[0].to_string(),
        "error: inline/hosts.yml:2:3: all.host: unknown key `host` in group `all`: a group holds `hosts`, `vars` and `children`\n \
         2 |   host:\n   |   ^^^^\n   = help: did you mean `hosts`?"
    );
    let diagnostics = load_str(
        Path::new("inline/hosts.yml"),
        "all:\n  ansible_user: x\n".into(),
    )
    .unwrap_err();
    assert_eq!(
        diagnostics[0].help.as_deref(),
        Some("to set a variable, put `ansible_user:` under `vars:`")
    );
}

#[test]
fn a_group_that_is_its_own_ancestor() {
    let text = "
all:
  children:
    a:
      children:
        b:
          children:
            c:
              children:
                a:
    self_loop:
      children:
        self_loop:
    d:
      children:
        all:
";
    assert_eq!(
        problems(text),
        [
            "error: inline/hosts.yml:10:17: all.children.a.children.b.children.c.children.a: group `a` is its own ancestor: a > b > c > a",
            "error: inline/hosts.yml:13:9: all.children.self_loop.children.self_loop: group `self_loop` is its own ancestor: self_loop > self_loop",
            "error: inline/hosts.yml:16:9: all.children.d.children.all: `all` is the root of every inventory and cannot be a child group",
        ]
    );
}

#[test]
fn bad_host_ranges_and_priorities() {
    let text = "
all:
  children:
    core:
      vars:
        ansible_group_priority: high
      hosts:
        sw[09:1]:
";
    assert_eq!(
        problems(text),
        [
            "error: inline/hosts.yml:6:33: core.vars.ansible_group_priority: `ansible_group_priority` must be a whole number, found a string",
            "error: inline/hosts.yml:8:9: all.children.core.hosts.sw[09:1]: host range `[09:1]` starts after its end",
        ]
    );
}

#[test]
fn vars_files_that_are_not_mappings_or_not_yaml() {
    let diagnostics = load(&fixture("bad_vars").join("hosts.yml")).unwrap_err();
    let base = fixture("bad_vars");
    let lines: Vec<String> = diagnostics
        .iter()
        .map(|d| first_line(d).replace(&format!("{}/", base.display()), ""))
        .collect();
    assert_eq!(
        lines,
        [
            "warning: group_vars/cor.yml:1:1: `cor` is not a name in the inventory, so this is not loaded",
            "error: group_vars/core.yml:1:1: a vars file must be a mapping of variable names, found a list",
            "error: host_vars/core-sw1.example.net.yml:3:1: invalid YAML: while parsing a flow sequence, expected ',' or ']'",
        ]
    );
    assert_eq!(diagnostics[0].help.as_deref(), Some("did you mean `core`?"));
}

#[test]
fn an_ini_inventory_gets_a_conversion_hint() {
    let diagnostics = load_str(
        Path::new("inline/hosts"),
        "[core]\nsw1 ansible_host=192.0.2.1\n\n[core:vars]\nntp=192.0.2.123\n".into(),
    )
    .unwrap_err();
    assert_eq!(
        diagnostics[0].help.as_deref(),
        Some(
            "this looks like an INI inventory, which smartlic does not read: \
             convert it with `ansible-inventory -i FILE --list --yaml > hosts.yml`"
        )
    );
}

#[test]
fn an_unreadable_inventory_file() {
    let diagnostics = load(Path::new("inline/missing.yml")).unwrap_err();
    assert_eq!(diagnostics.len(), 1);
    assert!(
        first_line(&diagnostics[0]).starts_with("error: inline/missing.yml: cannot read file:")
    );
}

// ---------------------------------------------------------------- vars files

#[test]
fn the_first_form_of_a_vars_file_shadows_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hosts.yml");
    std::fs::write(&path, "all:\n  hosts:\n    sw1:\n").unwrap();
    std::fs::create_dir_all(dir.path().join("group_vars/all")).unwrap();
    std::fs::write(dir.path().join("group_vars/all/main.yml"), "from: folder\n").unwrap();
    std::fs::write(dir.path().join("group_vars/all.yml"), "from: file\n").unwrap();
    std::fs::create_dir_all(dir.path().join("host_vars/sw1/nested")).unwrap();
    std::fs::write(
        dir.path().join("host_vars/sw1/nested/a.json"),
        r#"{"deep": "json"}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("host_vars/sw1/b"), "plain: no extension\n").unwrap();
    std::fs::write(dir.path().join("host_vars/sw1/c.yml~"), "backup: skipped\n").unwrap();
    let inv = load(&path).unwrap();
    assert_eq!(text(&inv, "sw1", "from"), "folder");
    assert_eq!(text(&inv, "sw1", "deep"), "json");
    assert_eq!(text(&inv, "sw1", "plain"), "no extension");
    assert!(inv.host("sw1").unwrap().vars.get("backup").is_none());
    assert_eq!(inv.warnings.len(), 1);
    assert_eq!(inv.warnings[0].severity, Severity::Warning);
    assert!(
        inv.warnings[0]
            .message
            .starts_with("not loaded: `all` comes first"),
        "{}",
        inv.warnings[0]
    );
}

#[test]
fn priority_in_group_vars_is_ignored_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hosts.yml");
    std::fs::write(&path, "all:\n  children:\n    core:\n      hosts: {sw1:}\n").unwrap();
    std::fs::create_dir_all(dir.path().join("group_vars")).unwrap();
    std::fs::write(
        dir.path().join("group_vars/core.yml"),
        "ansible_group_priority: 5\n",
    )
    .unwrap();
    let inv = load(&path).unwrap();
    assert_eq!(inv.group("core").unwrap().priority, 1);
    assert_eq!(inv.warnings[0].field, "ansible_group_priority");
}

// ---------------------------------------------------------------- patterns

const FLEET: &str = "
all:
  hosts:
    lab1:
  children:
    ios_xe:
      hosts:
        core1.dc1.example.net:
        core2.dc1.example.net:
        edge1.dc2.example.net:
    nx_os:
      hosts:
        leaf1.dc1.example.net:
        leaf2.dc1.example.net:
        spine1.dc2.example.net:
    dc1:
      hosts:
        core1.dc1.example.net:
        core2.dc1.example.net:
        leaf1.dc1.example.net:
        leaf2.dc1.example.net:
    dc2:
      hosts:
        edge1.dc2.example.net:
        spine1.dc2.example.net:
    canary:
      hosts:
        leaf1.dc1.example.net:
        edge1.dc2.example.net:
";

fn pick(pattern: &str) -> Vec<String> {
    let inv = inv(FLEET);
    let pattern = Pattern::limit(pattern).unwrap();
    names(&select(&inv, &pattern).unwrap_or_else(|d| panic!("{d}")))
}

fn pick_error(pattern: &str) -> Diagnostic {
    let inv = inv(FLEET);
    let pattern = Pattern::limit(pattern).unwrap();
    select(&inv, &pattern).unwrap_err()
}

#[test]
fn pattern_names_groups_and_all() {
    assert_eq!(pick("edge1.dc2.example.net"), ["edge1.dc2.example.net"]);
    assert_eq!(
        pick("dc2"),
        ["edge1.dc2.example.net", "spine1.dc2.example.net"]
    );
    assert_eq!(pick("all").len(), 7);
    assert_eq!(pick("*"), pick("all"));
    assert_eq!(pick("ungrouped"), ["lab1"]);
}

#[test]
fn pattern_unions_are_deduplicated_in_inventory_order() {
    let expected = [
        "core1.dc1.example.net",
        "edge1.dc2.example.net",
        "leaf1.dc1.example.net",
        "spine1.dc2.example.net",
    ];
    assert_eq!(pick("dc2:canary:core1.dc1.example.net"), expected);
    assert_eq!(pick("dc2, canary ,core1.dc1.example.net"), expected);
}

#[test]
fn pattern_intersection_and_exclusion() {
    assert_eq!(
        pick("dc1:&nx_os"),
        ["leaf1.dc1.example.net", "leaf2.dc1.example.net"]
    );
    assert_eq!(
        pick("dc1:!canary"),
        [
            "core1.dc1.example.net",
            "core2.dc1.example.net",
            "leaf2.dc1.example.net"
        ]
    );
    assert_eq!(
        pick("!dc1:!dc2"),
        ["lab1"],
        "only exclusions start from all"
    );
    assert_eq!(
        pick("&canary"),
        ["edge1.dc2.example.net", "leaf1.dc1.example.net"]
    );
}

#[test]
fn pattern_unions_then_intersections_then_exclusions_whatever_the_order() {
    let written = pick("ios_xe:nx_os:&dc1:!canary");
    assert_eq!(
        written,
        [
            "core1.dc1.example.net",
            "core2.dc1.example.net",
            "leaf2.dc1.example.net"
        ]
    );
    assert_eq!(pick("!canary:ios_xe:&dc1:nx_os"), written);
    assert_eq!(pick("&dc1:!canary:nx_os:ios_xe"), written);
}

#[test]
fn pattern_wildcards_and_regexes() {
    assert_eq!(
        pick("leaf*"),
        ["leaf1.dc1.example.net", "leaf2.dc1.example.net"]
    );
    assert_eq!(
        pick("*.dc2.example.net"),
        ["edge1.dc2.example.net", "spine1.dc2.example.net"]
    );
    assert_eq!(
        pick("core?.dc1.example.net"),
        ["core1.dc1.example.net", "core2.dc1.example.net"]
    );
    assert_eq!(
        pick("dc[!1]"),
        ["edge1.dc2.example.net", "spine1.dc2.example.net"]
    );
    assert_eq!(pick("d[a-c]2"), pick("dc2"));
    // `[2-3]` at the end is Ansible's old range subscript, not a character set.
    assert_eq!(
        pick("dc1[2-3]"),
        ["leaf1.dc1.example.net", "leaf2.dc1.example.net"]
    );
    assert_eq!(pick("nx*:&*.dc2.*"), ["spine1.dc2.example.net"]);
    assert_eq!(
        pick("~(core|spine)1"),
        ["core1.dc1.example.net", "spine1.dc2.example.net"]
    );
    assert_eq!(
        pick("~.*1\\.dc1"),
        ["core1.dc1.example.net", "leaf1.dc1.example.net"]
    );
}

#[test]
fn pattern_subscripts_take_hosts_in_inventory_order() {
    assert_eq!(pick("dc1[0]"), ["core1.dc1.example.net"]);
    assert_eq!(pick("dc1[-1]"), ["leaf2.dc1.example.net"]);
    assert_eq!(
        pick("dc1[1:2]"),
        ["core2.dc1.example.net", "leaf1.dc1.example.net"]
    );
    assert_eq!(pick("dc1[3:]"), ["leaf2.dc1.example.net"]);
    assert_eq!(
        first_line(&pick_error("dc2[5]")),
        "error: --limit: subscript of `dc2[5]` is out of range: it matches 2 host(s)"
    );
}

#[test]
fn pattern_prefers_a_host_over_a_group_of_the_same_name() {
    let inv = inv("all:\n  children:\n    core:\n      hosts: {sw1:, core:}\n");
    assert_eq!(inv.warnings.len(), 1);
    let hosts = select(&inv, &Pattern::limit("core").unwrap()).unwrap();
    assert_eq!(names(&hosts), ["core"]);
}

#[test]
fn pattern_that_matches_nothing_is_an_error_with_a_suggestion() {
    let error = pick_error("dc1:nx_oss");
    assert_eq!(
        first_line(&error),
        "error: --limit: host pattern `nx_oss` matches no host or group in the inventory"
    );
    assert_eq!(error.help.as_deref(), Some("did you mean `nx_os`?"));
    let error = pick_error("!edge9.dc2.example.net");
    assert_eq!(
        error.help.as_deref(),
        Some("did you mean `edge1.dc2.example.net`?")
    );
    let error = pick_error("dc1,ios_xe:nx_os");
    assert_eq!(
        error.help.as_deref(),
        Some("with a `,` in a pattern, only `,` separates: write `a,b,&c` or `a:b:&c`")
    );
    let error = pick_error("dc1:&dc2");
    assert_eq!(
        first_line(&error),
        "error: --limit: host pattern `dc1:&dc2` selects no hosts"
    );
}

#[test]
fn pattern_syntax_errors() {
    let error = Pattern::limit(" , ").unwrap_err();
    assert_eq!(first_line(&error), "error: --limit: empty host pattern");
    let error = Pattern::limit("dc1:!").unwrap_err();
    assert_eq!(
        first_line(&error),
        "error: --limit: `!` needs a host or group name after it"
    );
    let error = Pattern::limit("@retry.txt").unwrap_err();
    assert_eq!(
        first_line(&error),
        "error: --limit: `@retry.txt`: reading hosts from a file is not supported"
    );
    let error = Pattern::limit("~(core").unwrap_err();
    assert!(
        first_line(&error).starts_with("error: --limit: invalid regular expression `(core`"),
        "{error}"
    );
}

#[test]
fn pattern_errors_point_at_the_term_in_a_playbook() {
    let play =
        crate::yaml::load_str(Path::new("site.yml"), "- hosts: \"dc1:&nx_oss\"\n".into()).unwrap();
    let hosts = play.items().unwrap()[0].get("hosts").unwrap();
    let pattern = Pattern::from_node(hosts, "hosts").unwrap();
    let error = select(&inv(FLEET), &pattern).unwrap_err();
    assert_eq!(
        error.to_string(),
        "error: site.yml:1:16: hosts: host pattern `nx_oss` matches no host or group in the inventory\n \
         1 | - hosts: \"dc1:&nx_oss\"\n   |                ^^^^^^\n   = help: did you mean `nx_os`?"
    );
}

#[test]
fn pattern_lists_and_limits() {
    let inv = inv(FLEET);
    let node = crate::yaml::load_str(Path::new("site.yml"), "[dc2, canary]\n".into()).unwrap();
    let play = Pattern::from_node(&node, "hosts").unwrap();
    assert_eq!(play.text(), "dc2,canary");
    let limit = Pattern::limit("dc1").unwrap();
    let hosts = select_limited(&inv, &play, Some(&limit)).unwrap();
    assert_eq!(names(&hosts), ["leaf1.dc1.example.net"]);
    let matched = matches(&inv, &Pattern::limit("dc1:&dc2").unwrap()).unwrap();
    assert!(
        matched.is_empty(),
        "an empty match is not an error for `matches`"
    );
    let error =
        select_limited(&inv, &play, Some(&Pattern::limit("ios_xe:&dc1").unwrap())).unwrap_err();
    assert_eq!(
        first_line(&error),
        "error: --limit: no host is in both `hosts: dc2,canary` and `--limit ios_xe:&dc1`"
    );
}

#[test]
fn groups_nested_too_deep_are_refused_without_blowing_up() {
    // A chain of groups, each a child of the one before, written flat (YAML nesting stays 3).
    let chain: String = (0..5_000)
        .map(|i| format!("g{i}:\n  children:\n    g{}:\n", i + 1))
        .collect();
    let found = problems(&chain);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains(&format!(
            "is nested more than {} levels deep",
            resolve::MAX_GROUP_DEPTH
        )),
        "{found:?}"
    );
    assert!(found[0].contains("inline/hosts.yml:"), "{found:?}");
    // At the bound, it loads.
    let chain: String = (0..resolve::MAX_GROUP_DEPTH - 1)
        .map(|i| format!("g{i}:\n  children:\n    g{}:\n", i + 1))
        .collect();
    inv(&chain);
}
