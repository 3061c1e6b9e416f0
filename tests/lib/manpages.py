#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the manual pages document what the code defines.

    manpages.py ctl        every command of ctfailoverctl (the control
                           socket's table in userspace/common/ctlcmd.c, the
                           dispatch table in userspace/ctl/main.c) and every
                           `module` command (userspace/ctl/module.c) heads
                           an entry of man/ctfailoverctl.8
    manpages.py conf       every key that userspace/daemon/config.c accepts
                           (its *_keys tables, which refuse any other key)
                           heads an entry of man/ctfailover.conf.5, a group's
                           member as GROUP.KEY
    manpages.py daemon     every long option of ctfailoverd (the getopt
                           table in userspace/daemon/main.c) is in an entry's
                           heading of man/ctfailoverd.8

An entry's heading is the line after a .TP, as the page shows it. Prints
what is missing, one item a line, and exits 1 if anything is; exits 2 if
the code's tables cannot be found (the check would prove nothing).
Run from the top of the tree.
"""
import re
import sys


def die(msg):
    """The code's tables are not where they were: nothing can be checked."""
    print(f"manpages.py: {msg}", file=sys.stderr)
    sys.exit(2)


def c_table(path, start):
    """The first string of each { ... } item of the table that @start opens."""
    text = open(path, encoding="utf-8").read()
    at = text.find(start)
    if at < 0:
        die(f"no '{start}' in {path}")
    end = text.find("};", at)
    names = re.findall(r'\{\s*"([^"]+)"', text[at:end])
    if not names:
        die(f"an empty table at '{start}' in {path}")
    return names


def config_keys(path):
    """The keys config.c accepts: GROUP.KEY for a group's, KEY otherwise."""
    text = open(path, encoding="utf-8").read()
    keys = []
    for table, body in re.findall(
        r"static const char \*const (\w+)_keys\[\] = \{(.*?)\};", text, re.S
    ):
        names = re.findall(r'"([^"]+)"', body)
        if not names:
            die(f"{table}_keys in {path} is empty")
        # The top level's keys and a backend's stand alone, as the
        # messages name them; a group's are GROUP.KEY.
        prefix = "" if table in ("top", "backend") else table + "."
        keys += [prefix + n for n in names]
    if "vips" not in keys or "backends" not in keys:
        die(f"no top_keys table in {path}")
    return keys


def roff_words(line):
    """A macro line's arguments, or a text line's words, as printed."""
    if line.startswith("."):
        macro, _, rest = line.partition(" ")
        args = re.findall(r'"((?:[^"]|"")*)"|(\S+)', rest)
        args = [q.replace('""', '"') if q else w for q, w in args]
        alternating = macro[1:] in ("BR", "RB", "BI", "IB", "IR", "RI")
        text = ("" if alternating else " ").join(args)
    else:
        text = line
    text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", text)
    text = text.replace("\\-", "-").replace("\\(dq", '"').replace("\\e", "\\")
    text = text.replace("\\&", "").replace("\\%", "")
    return text.split()


def headings(path):
    """The words of every .TP entry's heading."""
    lines = open(path, encoding="utf-8").read().splitlines()
    out = []
    for i, line in enumerate(lines[:-1]):
        if line == ".TP" or line.startswith(".TP "):
            out.append(roff_words(lines[i + 1]))
    return out


def check(what):
    missing = []
    if what == "ctl":
        heads = headings("man/ctfailoverctl.8")
        firsts = {h[0] for h in heads if h}
        modules = {h[1] for h in heads if len(h) > 1 and h[0] == "module"}
        for name in c_table(
            "userspace/common/ctlcmd.c", "struct ctf_ctl_cmd cmds[] = {"
        ) + c_table("userspace/ctl/main.c", "} subcommands[] = {"):
            if name not in firsts:
                missing.append(f"ctfailoverctl {name}")
        for name in c_table(
            "userspace/ctl/module.c", "struct module_cmd module_cmds[] = {"
        ):
            if name not in modules:
                missing.append(f"ctfailoverctl module {name}")
    elif what == "conf":
        firsts = {h[0] for h in headings("man/ctfailover.conf.5") if h}
        for key in config_keys("userspace/daemon/config.c"):
            if key not in firsts:
                missing.append(key)
    elif what == "daemon":
        words = {w.rstrip(",") for h in headings("man/ctfailoverd.8") for w in h}
        for name in c_table(
            "userspace/daemon/main.c", "struct option opts[] = {"
        ):
            if "--" + name not in words:
                missing.append("--" + name)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    for m in dict.fromkeys(missing):
        print(f"  not documented: {m}")
    return 1 if missing else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(check(sys.argv[1]))
