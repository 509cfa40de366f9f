#!/usr/bin/env python3
"""Drives one lab device with a network automation client nobody here wrote, with its
default settings, the way its own documentation shows; prints one JSON object.

Usage: drive.py CLIENT KIND HOST PORT USERNAME [--hostname NAME] [--known-hosts F]
           [--config-line LINE]... [--include WORD]
           [--parse COMMAND]... [--execute COMMAND]... [--log-dir DIR]

The login password is read from the environment variable SMARTLIC_PASSWORD and the
IOS-XE enable secret, if any, from SMARTLIC_ENABLE_SECRET: never from the command line,
where any user of the machine can read them.

CLIENT: netmiko | napalm | scrapli (2.x) (from the venv tests/clients/setup.sh makes),
scrapli_classic (pre-2.x scrapli, from the venv tests/clients/setup-classic.sh makes) or
unicon (pyATS/unicon with genie's parsers, from the venv tests/parsers/setup.sh makes,
where pyats, unicon and genie are pinned). KIND: ios (IOS-XE) or nxos (NX-OS).
tests/integration/clients.rs runs it and asserts on what it prints. A client's exception
is reported in the JSON (`error`, with its traceback), never swallowed: the test fails on
it. Whatever a client writes to standard output itself (unicon logs the session there by
default) goes to standard error, so standard output holds the JSON only.
"""

import argparse
import json
import os
import sys
import traceback

SHOWS = ["show version", "show license status", "show license summary"]


def netmiko_run(a):
    from netmiko import ConnectHandler

    device_type = {"ios": "cisco_ios", "nxos": "cisco_nxos"}[a.kind]
    params = dict(
        device_type=device_type,
        host=a.host,
        port=a.port,
        username=a.username,
        password=a.password,
    )
    if a.secret:
        params["secret"] = a.secret
    out = {"client": "netmiko", "device_type": device_type}
    conn = ConnectHandler(**params)
    try:
        if a.kind == "ios":
            conn.enable()
        out["prompt"] = conn.find_prompt()
        out["shows"] = {c: conn.send_command(c) for c in SHOWS}
        # ntc-templates through netmiko's own TextFSM hook.
        out["parsed_version"] = conn.send_command("show version", use_textfsm=True)
        include = f"show running-config | include {a.include}"
        out["shows"][include] = conn.send_command(include)
        out["config"] = conn.send_config_set(a.config_line)
        out["after"] = conn.send_command(
            f"show running-config | include {a.config_line[0].split()[0]}"
        )
        out["save"] = conn.save_config()
    finally:
        conn.disconnect()
    return out


def napalm_run(a):
    from napalm import get_network_driver

    name = {"ios": "ios", "nxos": "nxos_ssh"}[a.kind]
    optional = {"port": a.port}
    if a.secret:
        optional["secret"] = a.secret
    driver = get_network_driver(name)
    device = driver(
        hostname=a.host,
        username=a.username,
        password=a.password,
        optional_args=optional,
    )
    out = {"client": "napalm", "driver": name}
    device.open()
    try:
        out["facts"] = device.get_facts()
        config = device.get_config(retrieve="all")
        out["running"] = config["running"]
        out["startup"] = config["startup"]
    finally:
        device.close()
    return out


def scrapli_run(a):
    import scrapli
    from scrapli import AuthOptions, Cli, LookupKeyValue, TransportBinOptions

    definition = {"ios": "cisco_iosxe", "nxos": "cisco_nxos"}[a.kind]
    lookups = [LookupKeyValue(key="enable", value=a.secret)] if a.secret else None
    auth = AuthOptions(username=a.username, password=a.password, lookups=lookups)
    # The system ssh transport (scrapli's default), checking the device's host key
    # against the lab's known_hosts.
    transport = TransportBinOptions(known_hosts_path=a.known_hosts, enable_strict_key=True)
    out = {"client": "scrapli", "version": scrapli.__version__, "definition": definition}
    cli = Cli(
        a.host,
        port=a.port,
        definition_file_or_name=definition,
        auth_options=auth,
        transport_options=transport,
    )
    cli.open()
    try:
        out["prompt"] = cli.get_prompt().result
        shows = {}
        for c in SHOWS:
            r = cli.send_input(c)
            shows[c] = {"result": r.result, "failed": r.failed}
            if c == "show version":
                # scrapli's own TextFSM hook (ntc-templates).
                out["parsed_version"] = r.textfsm_parse()
        out["shows"] = shows
        r = cli.send_inputs(a.config_line, requested_mode="configuration")
        out["config"] = {"result": r.result, "failed": r.failed}
        r = cli.send_input(f"show running-config | include {a.config_line[0].split()[0]}")
        out["after"] = {"result": r.result, "failed": r.failed}
    finally:
        cli.close()
    return out


def scrapli_classic_run(a):
    """Classic scrapli (pre-2.x): Scrapli(platform=...), open, send_command, send_configs."""
    import scrapli
    from scrapli import Scrapli

    platform = {"ios": "cisco_iosxe", "nxos": "cisco_nxos"}[a.kind]
    params = dict(
        host=a.host,
        port=a.port,
        auth_username=a.username,
        auth_password=a.password,
        platform=platform,
    )
    if a.secret:
        params["auth_secondary"] = a.secret
    if a.known_hosts:
        # Strict host key checking is scrapli's default; the keys are the lab's.
        params["ssh_known_hosts_file"] = a.known_hosts
    out = {"client": "scrapli_classic", "version": scrapli.__version__, "platform": platform}
    conn = Scrapli(**params)
    conn.open()
    try:
        out["prompt"] = conn.get_prompt()
        shows = {}
        for c in SHOWS:
            r = conn.send_command(c)
            shows[c] = {"result": r.result, "failed": r.failed}
        out["shows"] = shows
        r = conn.send_configs(a.config_line)
        out["config"] = {"result": r.result, "failed": r.failed}
        r = conn.send_command(f"show running-config | include {a.config_line[0].split()[0]}")
        out["after"] = {"result": r.result, "failed": r.failed}
    finally:
        conn.close()
    return out


def unicon_run(a):
    """pyATS/unicon connects with its default settings (its plugin's init exec and config
    commands, its state machine), genie parses over that connection."""
    from genie.testbed import load

    os_name = {"ios": "iosxe", "nxos": "nxos"}[a.kind]
    credentials = {"default": {"username": a.username, "password": a.password}}
    if a.secret:
        credentials["enable"] = {"password": a.secret}
    cli = {"protocol": "ssh", "ip": a.host, "port": a.port}
    if a.known_hosts:
        # The system ssh unicon spawns checks the device's key against the lab's
        # known_hosts (and writes nothing to the user's own).
        cli["ssh_options"] = (
            f"-o UserKnownHostsFile={a.known_hosts} -o StrictHostKeyChecking=yes"
        )
    # The device's name in the testbed is its hostname: unicon matches prompts with it.
    testbed = load({
        "devices": {
            a.hostname: {
                "os": os_name,
                "credentials": credentials,
                "connections": {"cli": cli},
            }
        }
    })
    device = testbed.devices[a.hostname]
    out = {"client": "unicon", "os": os_name}
    # unicon's defaults, but for where its session log goes (/tmp by default).
    logfile = {}
    if a.log_dir:
        logfile["logfile"] = os.path.join(a.log_dir, f"{a.hostname}-unicon.log")
    device.connect(**logfile)
    try:
        out["state"] = device.state_machine.current_state
        if a.config_line:
            out["config"] = device.configure(a.config_line)
        out["executed"] = {c: device.execute(c) for c in a.execute}
        parsed, failed = {}, {}
        for command in a.parse:
            try:
                parsed[command] = device.parse(command)
            except Exception as e:  # reported per command; the test says which may fail
                failed[command] = f"{type(e).__name__}: {e}"
        out["parsed"] = parsed
        out["parse_errors"] = failed
    finally:
        device.disconnect()
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("client",
                   choices=["netmiko", "napalm", "scrapli", "scrapli_classic", "unicon"])
    p.add_argument("kind", choices=["ios", "nxos"])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("username")
    p.add_argument("--hostname", help="the device's hostname (unicon's testbed name)")
    p.add_argument("--known-hosts")
    p.add_argument("--config-line", action="append",
                   help="a config line to send (repeatable); "
                   "default: ip host smartlic-test 192.0.2.10")
    p.add_argument("--include", default="call-home")
    p.add_argument("--parse", action="append", default=[],
                   help="unicon: a command for genie's device.parse (repeatable)")
    p.add_argument("--execute", action="append", default=[],
                   help="unicon: a command for device.execute (repeatable)")
    p.add_argument("--log-dir", help="unicon: the folder for its session log")
    a = p.parse_args()
    if not a.config_line:
        a.config_line = ["ip host smartlic-test 192.0.2.10"]
    a.password = os.environ.get("SMARTLIC_PASSWORD")
    if a.password is None:
        p.error("SMARTLIC_PASSWORD is not set")
    a.secret = os.environ.get("SMARTLIC_ENABLE_SECRET") or None
    # Only the JSON goes to standard output; what a client prints goes to standard error.
    result = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    run = {"netmiko": netmiko_run, "napalm": napalm_run, "scrapli": scrapli_run,
           "scrapli_classic": scrapli_classic_run, "unicon": unicon_run}[a.client]
    try:
        out = run(a)
    except Exception as e:  # reported, and the test fails on it
        out = {"client": a.client, "error": f"{type(e).__name__}: {e}",
               "traceback": traceback.format_exc()}
    json.dump(out, result, indent=1, default=str)
    result.write("\n")
    result.flush()


if __name__ == "__main__":
    main()
