"""Failures leave the prefix file-for-file as before: script errors, SIGKILL (then recovery), Ctrl-C, a full disk."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cantil.link import PrefixData, PrefixLock, PrefixLocked, ScriptError, recover

CHILD = textwrap.dedent("""
    import os, pickle, resource, signal, sys
    from pathlib import Path
    from cantil.link import LinkSettings, PackageCache, PrefixData, Transaction
    args = pickle.loads(Path(sys.argv[1]).read_bytes())
    prefix = Path(args["prefix"])
    installed = PrefixData(prefix).records()
    tx = Transaction.prepare(prefix, unlink=[installed[n] for n in args["unlink"]], link=args["link"],
                             cache=PackageCache([Path(args["pkgs"])]),
                             settings=LinkSettings(environments_txt=False, **args["settings"]))
    tx.verify()
    if args.get("fsize"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (args["fsize"], args["fsize"]))
    try:
        tx.execute()
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        os._exit(130)
    except Exception as e:
        print(type(e).__name__, e, flush=True)
        os._exit(1)
    os._exit(0)
""")


def run_child(env, tmp_path: Path, link, unlink=(), fsize=None, **settings) -> subprocess.CompletedProcess[str]:
    env.cache.ensure(link, env_download())  # warm cache: the child only runs the transaction
    args = tmp_path / "args.pickle"
    args.write_bytes(pickle.dumps({"prefix": str(env.prefix), "pkgs": str(env.pkgs), "link": list(link),
                                   "unlink": list(unlink), "settings": settings, "fsize": fsize}))
    return subprocess.run([sys.executable, "-c", CHILD, str(args)], capture_output=True, text=True, timeout=120,
                          check=False)


def env_download():
    from urllib.request import urlopen

    def download(url, dest, **kw):
        dest.write_bytes(urlopen(url).read())

    return download


@pytest.fixture
def stocked(env, channel):
    """A prefix holding base 1.0 and keep 1.0; the channel also has base 2.0."""
    channel.build(
        {"name": "base", "version": "1.0", "files": {"lib/base.txt": "1\n", "share/base/old.txt": "old\n",
                                                     "etc/base.conf": "prefix=@PREFIX@\n"}},
        {"name": "base", "version": "2.0", "files": {"lib/base.txt": "2\n", "share/base/new.txt": "new\n",
                                                     "etc/base.conf": "prefix=@PREFIX@ v2\n"}},
        {"name": "keep", "version": "1.0", "files": {"share/keep/k.txt": "k\n", "bin/keep": "#!/bin/sh\n"}},
    )
    env.install(channel.record("base", "1.0"), channel.record("keep"))
    return env


def test_failing_post_link_rolls_back_exactly(stocked, channel, helpers):
    env = stocked
    channel.build({"name": "bad", "version": "1.0", "files": {"share/bad/data.txt": "d\n"},
                   "scripts": {"post-link": 'mkdir -p "$PREFIX/share/junk" && echo x > "$PREFIX/share/junk/f"\n'
                                            'echo oops >> "$PREFIX/.messages.txt"\nexit 3\n'}})
    before = helpers.tree(env.prefix)
    tx = env.transaction(link=[channel.record("base", "2.0"), channel.record("bad")], unlink_names=["base", "keep"])
    with pytest.raises(ScriptError) as e:
        tx.execute()
    assert e.value.returncode == 3 and e.value.package == "bad-1.0-h0_0"
    assert helpers.tree(env.prefix) == before  # every file, link, folder, mode and hash
    assert "rollback" in env.reporter.phases
    assert ("bad-1.0-h0_0", "oops\n", "script") in env.reporter.messages


def test_sigkill_mid_transaction_then_recover(stocked, channel, helpers, tmp_path):
    env = stocked
    channel.build({"name": "killer", "version": "1.0", "files": {"share/killer/k.txt": "k\n"},
                   "scripts": {"post-link": 'kill -9 "$(cat "$PREFIX/conda-meta/.cantil.lock")"\nsleep 5\n'}})
    before = helpers.tree(env.prefix)
    proc = run_child(env, tmp_path, [channel.record("base", "2.0"), channel.record("killer")], unlink=["base", "keep"])
    assert proc.returncode == -9, proc.stdout + proc.stderr
    assert (env.prefix / "conda-meta/.cantil-journal").exists()
    assert (env.prefix / "lib/base.txt").read_text() == "2\n"  # it really died half-way
    assert recover(env.prefix) == "rolled back"
    assert helpers.tree(env.prefix) == before
    assert recover(env.prefix) is None  # nothing left to do


def test_next_transaction_recovers_first(stocked, channel, helpers, tmp_path):
    env = stocked
    channel.build({"name": "killer", "version": "1.0", "files": {"share/killer/k.txt": "k\n"},
                   "scripts": {"post-link": 'kill -9 "$(cat "$PREFIX/conda-meta/.cantil.lock")"\nsleep 5\n'}},
                  {"name": "extra", "version": "1.0", "files": {"share/extra.txt": "e\n"}})
    proc = run_child(env, tmp_path, [channel.record("killer")], unlink=["keep"])
    assert proc.returncode == -9
    env.install(channel.record("extra"))
    assert any("rolled back an interrupted transaction" in w for w in env.reporter.warnings)
    assert env.names() == {"base", "keep", "extra"}
    assert (env.prefix / "share/keep/k.txt").read_text() == "k\n"
    assert not (env.prefix / "share/killer").exists()
    assert PrefixData(env.prefix).verify() == []


def test_ctrl_c_rolls_back(stocked, channel, helpers, tmp_path):
    env = stocked
    channel.build({"name": "ctrlc", "version": "1.0", "files": {"share/c.txt": "c\n"},
                   "scripts": {"post-link": 'kill -INT "$(cat "$PREFIX/conda-meta/.cantil.lock")"\n'}})
    before = helpers.tree(env.prefix)
    proc = run_child(env, tmp_path, [channel.record("base", "2.0"), channel.record("ctrlc")], unlink=["base"])
    assert proc.returncode == 130 and proc.stdout == "interrupted\n", proc.stdout + proc.stderr
    assert helpers.tree(env.prefix) == before


@pytest.mark.parametrize("how", ["always_copy", "placeholder"])
def test_full_disk_rolls_back(stocked, channel, helpers, tmp_path, how):
    env = stocked
    big = b"\x01" * (1 << 20)
    if how == "placeholder":
        files = {"share/big/blob.txt": {"text": "@PREFIX@\n" + "x" * (1 << 20)}}
    else:
        files = {"share/big/blob.bin": big}
    files.update({f"share/big/small{i}.txt": f"{i}\n" for i in range(20)})
    channel.build({"name": "big", "version": "1.0", "files": files})
    before = helpers.tree(env.prefix)
    proc = run_child(env, tmp_path, [channel.record("base", "2.0"), channel.record("big")], unlink=["base"],
                     fsize=256 * 1024, always_copy=how == "always_copy")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.startswith("TransactionFailed") and "File too large" in proc.stdout
    assert helpers.tree(env.prefix) == before


def test_a_second_writer_waits_then_fails_clearly(stocked, channel):
    env = stocked
    with PrefixLock(env.prefix):
        assert (env.prefix / "conda-meta/.cantil.lock").read_text().strip() == str(os.getpid())
        with pytest.raises(PrefixLocked) as e:
            env.install(channel.record("base", "2.0"), settings=env.settings(lock_timeout=0.2))
    assert e.value.pid == os.getpid() and str(os.getpid()) in str(e.value)
    assert env.names() == {"base", "keep"}
    env.transaction(link=[channel.record("base", "2.0")], unlink_names=["base"]).execute()  # free again
    assert (env.prefix / "lib/base.txt").read_text() == "2\n"


def test_recover_completes_a_committed_journal(stocked):
    from cantil.link._journal import Journal, Plan

    env = stocked
    j = Journal(env.prefix)
    plan = Plan(paths={"share/keep/k.txt": True, "share/new.txt": False})
    j.begin(plan)
    j.backup("share/keep/k.txt").parent.mkdir(parents=True)
    os.rename(env.prefix / "share/keep/k.txt", j.backup("share/keep/k.txt"))
    (env.prefix / "share/keep/k.txt").write_text("replaced\n")
    (env.prefix / "share/new.txt").write_text("new\n")
    j.commit()
    assert recover(env.prefix) == "completed"
    assert (env.prefix / "share/keep/k.txt").read_text() == "replaced\n"
    assert (env.prefix / "share/new.txt").read_text() == "new\n"
    assert not j.txn_dir.exists() and not j.path.exists()


def test_recover_is_idempotent_when_interrupted_itself(stocked, helpers):
    from cantil.link._journal import Journal, Plan, rollback

    env = stocked
    before = helpers.tree(env.prefix)
    j = Journal(env.prefix)
    plan = Plan(paths={"lib/base.txt": True, "share/base/old.txt": True, "share/fresh.txt": False},
                new_dirs=[], old_dirs=["share/base"])
    j.begin(plan)
    for rel in ("lib/base.txt", "share/base/old.txt"):
        j.backup(rel).parent.mkdir(parents=True, exist_ok=True)
        os.rename(env.prefix / rel, j.backup(rel))
    (env.prefix / "lib/base.txt").write_text("half\n")
    (env.prefix / "share/fresh.txt").write_text("f\n")
    # a first rollback restores one file, then "dies": recovery finishes the job
    os.replace(j.backup("lib/base.txt"), env.prefix / "lib/base.txt")
    assert rollback(j, plan) == []
    assert rollback(j, plan) == []
    j.finish()
    assert helpers.tree(env.prefix) == before
    assert json.loads((env.prefix / "conda-meta/base-1.0-h0_0.json").read_text())["name"] == "base"


KILL = 'kill -9 "$(cat "$PREFIX/conda-meta/.cantil.lock")"\nsleep 5\n'


@pytest.mark.parametrize("point", ["pre-unlink", "pre-link", "post-link"])
def test_sigkill_at_each_script_point_then_recover(env, channel, helpers, tmp_path, point):
    """Killed before any change (pre-unlink), after unlinking (pre-link), after linking (post-link)."""
    scripts_old = {"pre-unlink": KILL} if point == "pre-unlink" else {}
    scripts_new = {point: KILL} if point != "pre-unlink" else {}
    channel.build({"name": "app", "version": "1.0", "files": {"bin/app": "#!/bin/sh\necho 1\n", "share/app/a": "a"},
                   "scripts": scripts_old},
                  {"name": "app", "version": "2.0", "files": {"bin/app": "#!/bin/sh\necho 2\n", "share/app/b": "b"},
                   "scripts": scripts_new})
    env.install(channel.record("app", "1.0"))
    before = helpers.tree(env.prefix)
    proc = run_child(env, tmp_path, [channel.record("app", "2.0")], unlink=["app"])
    assert proc.returncode == -9, proc.stdout + proc.stderr
    assert recover(env.prefix) == "rolled back"
    assert helpers.tree(env.prefix) == before
    assert PrefixData(env.prefix).verify() == []
