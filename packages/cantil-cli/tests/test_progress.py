"""Progress: bars on a terminal, plain lines otherwise, nothing with --json or -q."""

from __future__ import annotations

import os
import pty
import subprocess
import sys


def test_bars_on_a_terminal(user) -> None:
    master, slave = pty.openpty()
    try:
        r = subprocess.run([sys.executable, "-m", "cantil", "create", "-n", "demo", "app", "-y"], env=user.environ,
                           stdout=subprocess.PIPE, stderr=slave, text=True, check=False, timeout=600)
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed and drained
                break
            if not data:
                break
            chunks.append(data)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    err = b"".join(chunks).decode()
    assert r.returncode == 0, err
    assert "app-2.0-h0_0.conda" in err
    assert "100.0%" in err and "[###" in err
    assert "Extracting packages (3/3)" in err
    assert "Linking packages" in err


def test_plain_lines_when_not_a_terminal(user) -> None:
    r = user.ok("create", "-n", "demo", "app", "-y")
    lines = r.stderr.splitlines()
    assert "downloaded app-2.0-h0_0.conda" in lines
    assert "extracted app-2.0-h0_0" in lines
    assert lines.count("downloaded app-2.0-h0_0.conda") == 1
    assert "\r" not in r.stderr


def test_nothing_with_json_or_quiet(user) -> None:
    r = user.ok("create", "-n", "a", "app", "-y", "--json")
    assert r.stderr == ""
    r = user.ok("create", "-n", "b", "zlib=1.2.13", "-y", "-q")
    assert r.stderr == ""
    assert "Channels:" not in r.stdout
