#!/usr/bin/env python3
"""Drives one lab device with a network automation client nobody here wrote, with its
default settings, the way its own documentation shows; prints one JSON object.

Usage: drive.py CLIENT KIND HOST PORT USERNAME PASSWORD [--secret S] [--known-hosts F]
           [--config-line LINE] [--include WORD]

CLIENT: netmiko | napalm | scrapli. KIND: ios (IOS-XE) or nxos (NX-OS).
tests/integration/clients.rs runs it (in the venv tests/clients/setup.sh makes) and
asserts on what it prints. A client's exception is reported in the JSON (`error`, with
its traceback), never swallowed: the test fails on it.
"""

import argparse
import json
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
        out["config"] = conn.send_config_set([a.config_line])
        out["after"] = conn.send_command(
            f"show running-config | include {a.config_line.split()[0]}"
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
        r = cli.send_inputs([a.config_line], requested_mode="configuration")
        out["config"] = {"result": r.result, "failed": r.failed}
        r = cli.send_input(f"show running-config | include {a.config_line.split()[0]}")
        out["after"] = {"result": r.result, "failed": r.failed}
    finally:
        cli.close()
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("client", choices=["netmiko", "napalm", "scrapli"])
    p.add_argument("kind", choices=["ios", "nxos"])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("username")
    p.add_argument("password")
    p.add_argument("--secret")
    p.add_argument("--known-hosts")
    p.add_argument("--config-line", default="ip host smartlic-test 192.0.2.10")
    p.add_argument("--include", default="call-home")
    a = p.parse_args()
    run = {"netmiko": netmiko_run, "napalm": napalm_run, "scrapli": scrapli_run}[a.client]
    try:
        out = run(a)
    except Exception as e:  # reported, and the test fails on it
        out = {"client": a.client, "error": f"{type(e).__name__}: {e}",
               "traceback": traceback.format_exc()}
    json.dump(out, sys.stdout, indent=1, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
