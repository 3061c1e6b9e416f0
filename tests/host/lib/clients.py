#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile clients of ctfailoverd's sockets, for tests and make bench.

  clients.py ADDRESS MODE COUNT SECONDS [--every S]

ADDRESS is a Unix socket path (the control socket) or HOST:PORT (the
metrics endpoint). For SECONDS, COUNT connections at once, each
reconnecting as soon as the daemon closes it:

  idle   connect and send nothing;
  drip   send one byte every --every seconds (default 0.4), never a whole
         request (no newline, no empty line);
  churn  send half a request and close at once, again and again.

Prints one line: "clients MODE connects N closed_by_daemon N held_max_s X"
where held_max_s is the longest a connection stayed open before the
daemon closed it (the run's end does not count as a close).
"""
import selectors
import socket
import sys
import time


def connect(address):
    if address.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(address)
    else:
        host, port = address.rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((host, int(port)))
    return s


def main(argv):
    if len(argv) < 5 or argv[2] not in ("idle", "drip", "churn"):
        sys.stderr.write(__doc__)
        return 2
    address, mode, count, seconds = argv[1], argv[2], int(argv[3]), float(argv[4])
    every = float(argv[argv.index("--every") + 1]) if "--every" in argv else 0.4
    sel = selectors.DefaultSelector()
    start = time.monotonic()
    end = start + seconds
    conns = {}  # socket -> (opened at, next byte due)
    connects = closed = 0
    held_max = 0.0

    def open_one():
        nonlocal connects
        try:
            s = connect(address)
        except OSError:
            return
        connects += 1
        now = time.monotonic()
        conns[s] = [now, now]
        sel.register(s, selectors.EVENT_READ)

    def drop(s):
        sel.unregister(s)
        del conns[s]
        s.close()

    while time.monotonic() < end:
        while len(conns) < count and time.monotonic() < end:
            open_one()
            if mode == "churn":
                for s in list(conns):
                    try:
                        s.send(b"stat")
                    except OSError:
                        pass
                    drop(s)
        now = time.monotonic()
        for s, t in list(conns.items()):
            if mode == "drip" and now >= t[1]:
                try:
                    s.send(b"x")
                    t[1] = now + every
                except OSError:
                    pass
        timeout = max(0.0, min(0.05, end - time.monotonic()))
        for key, _ in sel.select(timeout):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                closed += 1
                held_max = max(held_max, time.monotonic() - conns[s][0])
                drop(s)
    for s in list(conns):
        drop(s)
    print("clients %s connects %d closed_by_daemon %d held_max_s %.2f"
          % (mode, connects, closed, held_max))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
