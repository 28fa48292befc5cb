#!/usr/bin/python3
# Copyright (c) 2026 acmed maintainers; ISC licence (README, Licence).
"""unitexec.py UNIT PROGRAM [ARG...]

Runs PROGRAM with what the [Service] section of the systemd unit file
UNIT imposes on a service's processes, where systemd is not the init
(a test machine, a container): CapabilityBoundingSet, NoNewPrivileges,
UMask, and SystemCallFilter with SystemCallErrorNumber, the groups
expanded as this machine's "systemd-analyze syscall-filter" expands
them, with the rules systemd follows: a filter whose first list allows
is an allow list, @default included, and a later "~" list takes calls
out of it; without SystemCallErrorNumber a call outside it kills the
process.  The file system, device, network and /proc settings need
systemd's namespaces and are not applied.  Says on stderr what it
applies; exits 1 on a unit it cannot read.
"""
import ctypes
import errno
import os
import subprocess
import sys

import seccomp

CAPS = ("chown dac_override dac_read_search fowner fsetid kill setgid "
        "setuid setpcap linux_immutable net_bind_service net_broadcast "
        "net_admin net_raw ipc_lock ipc_owner sys_module sys_rawio "
        "sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice "
        "sys_resource sys_time sys_tty_config mknod lease audit_write "
        "audit_control setfcap mac_override mac_admin syslog wake_alarm "
        "block_suspend audit_read perfmon bpf checkpoint_restore").split()
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38


def die(msg):
    print("unitexec: " + msg, file=sys.stderr)
    sys.exit(1)


def service_settings(path):
    """Every KEY=VALUE of [Service], in order, lines continued by \\."""
    out, section, cont = [], None, ""
    with open(path) as f:
        for line in f:
            line = cont + line.strip()
            cont = ""
            if line.endswith("\\"):
                cont = line[:-1] + " "
                continue
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line
            elif section == "[Service]" and "=" in line:
                k, v = line.split("=", 1)
                out.append((k.strip(), v.strip()))
    return out


def expand(name, seen=None):
    """The system calls of a name or @group, as systemd defines them."""
    if not name.startswith("@"):
        return {name}
    seen = set() if seen is None else seen
    if name in seen:
        return set()
    seen.add(name)
    res = subprocess.run(["systemd-analyze", "syscall-filter", name],
                         capture_output=True, text=True)
    if res.returncode != 0:
        die("systemd-analyze syscall-filter %s: %s" %
            (name, res.stderr.strip()))
    calls = set()
    for line in res.stdout.splitlines()[1:]:
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        calls |= expand(word.split()[0], seen)
    return calls


def syscall_filter(lists, errno_name):
    """A seccomp filter from the SystemCallFilter lists, not loaded."""
    allow_list = not lists[0].startswith("~")
    chosen = expand("@default") if allow_list else set()
    for value in lists:
        deny = value.startswith("~")
        calls = set()
        for word in value.lstrip("~").split():
            calls |= expand(word)
        if deny != allow_list:
            chosen |= calls
        else:
            chosen -= calls
    if errno_name:
        other = seccomp.ERRNO(getattr(errno, errno_name))
    else:
        other = seccomp.KILL_PROCESS
    f = seccomp.SyscallFilter(defaction=other if allow_list else
                              seccomp.ALLOW)
    action = seccomp.ALLOW if allow_list else other
    n = 0
    for call in sorted(chosen):
        try:
            f.add_rule(action, call)
            n += 1
        except (RuntimeError, ValueError):
            pass            # not a call of this architecture
    return f, n, allow_list


def main():
    if len(sys.argv) < 3:
        die("usage: unitexec.py UNIT PROGRAM [ARG...]")
    settings = service_settings(sys.argv[1])
    get = dict(settings)
    lists = [v for k, v in settings if k == "SystemCallFilter" and v]

    if "CapabilityBoundingSet" in get:
        keep = set()
        for word in get["CapabilityBoundingSet"].split():
            name = word.lower()
            if not name.startswith("cap_") or name[4:] not in CAPS:
                die("unknown capability " + word)
            keep.add(CAPS.index(name[4:]))
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in range(last + 1):
            if cap not in keep and libc.prctl(PR_CAPBSET_DROP, cap,
                                              0, 0, 0) != 0:
                die("PR_CAPBSET_DROP %d: %s" %
                    (cap, os.strerror(ctypes.get_errno())))
        print("unitexec: bounding set " + get["CapabilityBoundingSet"],
              file=sys.stderr)
    if "UMask" in get:
        os.umask(int(get["UMask"], 8))
    if get.get("NoNewPrivileges") in ("yes", "true", "1", "on"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            die("PR_SET_NO_NEW_PRIVS")
    if lists:
        f, n, allow_list = syscall_filter(
            lists, get.get("SystemCallErrorNumber"))
        print("unitexec: %s of %d system calls, others %s" %
              ("allow list" if allow_list else "deny list", n,
               get.get("SystemCallErrorNumber", "kill the process")),
              file=sys.stderr)
        f.load()
    os.execv(sys.argv[2], sys.argv[2:])


main()
