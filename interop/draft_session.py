#!/usr/bin/env python3
"""Runs `amanat submit` on a pseudo-terminal against SOCKET, answers the first question with ANSWER, and kills
amanat with SIGKILL once the next question shows (the answer's draft is saved by then); prints the draft code the
screen showed.

    draft_session.py AMANAT SOCKET ANSWER"""
import os
import pty
import signal
import sys

amanat, socket_path, answer = sys.argv[1], sys.argv[2], sys.argv[3]
pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "dumb"
    os.execv(amanat, [amanat, "--socket", socket_path, "submit", "--interactive", "--lang", "en"])
seen = b""


def until(text):
    global seen
    while text.encode() not in seen:
        chunk = os.read(fd, 65536)
        if not chunk:
            sys.exit(f"draft_session.py: amanat ended before {text!r}: {seen[-400:]!r}")
        seen += chunk


until("Draft code:")
until("\n")
code = seen.decode("utf-8", "replace").split("Draft code:")[1].split("\n")[0].strip()
until("> ")
os.write(fd, answer.encode() + b"\r")
until("[2/")
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
print(code)
