#!/usr/bin/env python3
"""Stand in for systemd's notify socket, so check.sh waits for amanatd's READY=1 instead of polling.

    notify.py PATH

Binds a datagram socket at PATH, prints "listening" once it is bound (so the daemon cannot start
before anyone listens), then prints each state line amanatd sends, such as READY=1 and STOPPING=1.
It exits after 120 seconds of silence, so that a daemon that never starts cannot hang the check.
"""

import socket
import sys

listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
listener.bind(sys.argv[1])
listener.settimeout(120)
print("listening", flush=True)
try:
    while True:
        for line in listener.recv(4096).decode("utf-8", "replace").splitlines():
            print(line, flush=True)
except (socket.timeout, BrokenPipeError):
    pass
