"""No network at run time: model load and scoring run with every socket call refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# The guard is installed before any model package is imported, in a fresh interpreter,
# so nothing was loaded (or cached in memory) with the network available.
GUARDED = r"""
import socket

attempts = []

def refuse(*args, **kwargs):
    attempts.append(repr(args)[:80])
    raise OSError("network access attempted at run time")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from app.triage import Message, Triage, load_embedder

loaded = load_embedder()
assert loaded.embedder is not None, loaded.reason
triage = Triage.load(embedder_load=loaded)
assert triage.features.duplicates and triage.features.language, triage.features
index = triage.new_index()
triage.analyse(index, [Message(1, "What happens to the data once the project is over?")])
[fr] = triage.analyse(index, [Message(2, "Que deviennent les données après le projet ?")])
assert [s.id for s in fr.similar] == [1], fr
assert fr.lang == "fr" and fr.kind == "question"
print("attempts", attempts)
"""


def test_model_load_and_scoring_never_touch_the_network():
    out = subprocess.run([sys.executable, "-c", GUARDED], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "attempts []"


def test_the_guard_does_catch_a_connection():
    # The same guard, proven to bite: a connection attempt fails and is recorded.
    probe = GUARDED.split("from app.triage")[0] + (
        "try:\n    socket.create_connection(('127.0.0.1', 9))\nexcept OSError as e:\n"
        "    print('refused', e, len(attempts))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "refused network access attempted at run time 1"
