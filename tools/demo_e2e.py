"""The README's end-to-end demo: build the sample channel, serve it on loopback, create an env, activate it in bash.

Everything happens under a temporary directory with its own HOME, .condarc and root prefix, so the user's own conda
or cantil setup is never read or touched; the channel server is stopped and the directory removed at the end
(`--keep` keeps it). Each step prints the command it runs and what came of it; the exit status is 0 only when every
step did what it should.

Usage: python tools/demo_e2e.py [--keep] [PACKAGE ...]
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

DEFAULT_PACKAGES = ["python", "hello-cli", "requestsish", "sqlitish", "toolc"]
# run inside the activated env: a program, the noarch-python entry point, the env's own python importing a package
ACTIVATED = """\
eval "$(cantil shell.bash hook)"
cantil activate demo
echo "CONDA_PREFIX=$CONDA_PREFIX"
echo "CONDA_DEFAULT_ENV=$CONDA_DEFAULT_ENV"
echo "python is $(command -v python)"
toolc
hello
python -c 'import sys, requestsish; print("python", sys.version.split()[0], "sys.prefix", sys.prefix); print("requestsish", requestsish.__version__)'
cantil deactivate
echo "after deactivate: CONDA_PREFIX=${CONDA_PREFIX:-<unset>}"
"""


class DemoError(Exception):
    pass


def say(text: str = "") -> None:
    print(text, flush=True)


def step(title: str) -> None:
    say(f"\n=== {title}")


def cantil_command() -> list[str]:
    script = Path(sys.executable).with_name("cantil")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cantil"]


def run(argv: Sequence[str], env: dict[str, str], *, cwd: Path, shown: str | None = None) -> str:
    say(f"$ {shown or shlex.join(argv)}")
    started = time.perf_counter()
    proc = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, check=False, timeout=600)
    took = time.perf_counter() - started
    for line in (proc.stdout + proc.stderr).rstrip().splitlines():
        say(f"  {line}")
    say(f"  -> exit {proc.returncode} in {took:.2f} s")
    if proc.returncode != 0:
        raise DemoError(f"`{shown or shlex.join(argv)}` failed with exit {proc.returncode}")
    return proc.stdout


def build_sample(outdir: Path) -> int:
    from cantil_tools.build import build_package
    from cantil_tools.index import index_channel
    from cantil_tools.sample import sample_channel_description

    descriptions = sample_channel_description()
    for desc in descriptions:
        build_package(desc, outdir)
    index_channel(outdir)
    return len(descriptions)


def demo(work: Path, packages: Sequence[str]) -> None:
    from cantil_tools.server import ChannelServer

    step("1. build the sample channel with cantil-tools")
    started = time.perf_counter()
    count = build_sample(work / "channel")
    say(f"built {count} packages (.conda and .tar.bz2) and indexed {work / 'channel'} "
        f"in {time.perf_counter() - started:.1f} s")

    step("2. serve it over HTTP on 127.0.0.1 (ephemeral port)")
    server = ChannelServer(work / "channel")
    try:
        say(f"serving at {server.url}")
        home, root = work / "home", work / "root"
        home.mkdir()
        (home / ".condarc").write_text(f"channels:\n  - {server.url}\ndefault_channels: []\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CONDA", "CANTIL", "MAMBA", "_CE_"))}
        env.update(HOME=str(home), CONDARC=str(home / ".condarc"), CANTIL_ROOT_PREFIX=str(root),
                   XDG_CONFIG_HOME=str(home / ".config"), PYTHONDONTWRITEBYTECODE="1",
                   PATH=os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]))
        say(f"isolated user: HOME={home} CANTIL_ROOT_PREFIX={root}")

        step(f"3. create an environment: {' '.join(packages)}")
        run([*cantil_command(), "create", "-n", "demo", *packages, "-y"], env, cwd=work,
            shown=f"cantil create -n demo {' '.join(packages)} -y")
        run([*cantil_command(), "list", "-n", "demo"], env, cwd=work, shown="cantil list -n demo")

        step("4. activate it in bash and run programs from it")
        out = run(["bash", "--norc", "--noprofile", "-c", ACTIVATED], env, cwd=work,
                  shown="bash -c 'eval \"$(cantil shell.bash hook)\"; cantil activate demo; ...'")
        prefix = root / "envs" / "demo"
        expected = [f"CONDA_PREFIX={prefix}", "CONDA_DEFAULT_ENV=demo", f"python is {prefix}/bin/python",
                    f"hello from hello-cli {prefix}", f"sys.prefix {prefix}", "after deactivate: CONDA_PREFIX=<unset>"]
        missing = [e for e in expected if e not in out]
        if missing:
            raise DemoError("the activated environment did not behave: missing " + "; ".join(missing))

        step("5. what happened")
        requests = server.requests()
        served = sum(e.bytes_sent for e in requests)
        say(f"the server answered {len(requests)} requests ({served} bytes); the env at {prefix} holds "
            f"{len(list((prefix / 'conda-meta').glob('*.json')))} packages; bash ran its programs and deactivated")
    finally:
        server.stop()
        say("channel server stopped")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("packages", nargs="*", default=DEFAULT_PACKAGES)
    ns = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cantil-demo-"))
    try:
        demo(work, ns.packages)
    except DemoError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        if ns.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    say("\ndemo finished: exit 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
