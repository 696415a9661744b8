"""Package scripts as conda runs them: environment, PATH, sourcing, bash -x for pre-link/pre-unlink, messages."""

from __future__ import annotations

import os

import pytest

from cantil.link import LinkSettings, ScriptError


def test_post_link_environment(env, channel, tmp_path):
    channel.build({"name": "s", "version": "2.5", "build_number": 7, "files": {"bin/helper-s": "#!/bin/sh\n"},
                   "scripts": {"post-link": (
                       'echo "root=$ROOT_PREFIX prefix=$PREFIX name=$PKG_NAME version=$PKG_VERSION '
                       'build=$PKG_BUILDNUM first=${PATH%%:*} cwd=$(pwd) env=$CONDA_PREFIX" >> "$PREFIX/.messages.txt"\n'
                       "return 0\n")}})
    root = tmp_path / "root"
    env.install(channel.record("s"), settings=env.settings(root_prefix=root))
    [(pkg, text, _)] = [m for m in env.reporter.messages if m[2] == "script"]
    p = env.prefix
    assert pkg == "s-2.5-h0_7" and text == (
        f"root={root} prefix={p} name=s version=2.5 build=7 first={p}/bin cwd={p}/bin env={p}\n")


def test_pre_link_runs_with_bash_x_from_the_cache_and_warns(env, channel):
    channel.build({"name": "pl", "version": "1", "files": {"share/pl.txt": "x"},
                   "scripts": {"pre-link": 'echo "from $SOURCE_DIR" > /dev/null\n'}})
    env.install(channel.record("pl"))
    [(_, action, output)] = env.reporter.outputs
    assert action == "pre-link" and output.startswith("+ echo 'from ") and "/pkgs/pl-1-h0_0" in output
    assert any("pre-link script" in w for w in env.reporter.warnings)


def test_failing_pre_link_rolls_back(env, channel, helpers):
    channel.build({"name": "ok", "version": "1", "files": {"share/ok.txt": "x"}},
                  {"name": "pl", "version": "1", "files": {"share/pl.txt": "x"},
                   "scripts": {"pre-link": "exit 4\n"}})
    env.install(channel.record("ok"))
    before = helpers.tree(env.prefix)
    with pytest.raises(ScriptError) as e:
        env.install(channel.record("pl"))
    assert e.value.action == "pre-link" and e.value.returncode == 4
    assert helpers.tree(env.prefix) == before


def test_pre_unlink_and_post_unlink_run_and_only_warn(env, channel, tmp_path):
    marks = tmp_path / "marks.txt"
    post = f'echo "post $([ -e "$PREFIX/share/u.txt" ] && echo still || echo gone)" >> {marks}\n'
    channel.build({"name": "u", "version": "1",
                   "files": {"share/u.txt": "x", "bin/.u-post-unlink.sh": {"text": post, "mode": 0o755}},
                   "scripts": {"pre-unlink": f'echo "pre $PKG_NAME" >> {marks}\nexit 1\n'}})
    env.install(channel.record("u"))
    env.remove("u")
    assert marks.read_text() == "pre u\npost gone\n"
    assert any("pre-unlink script failed" in w for w in env.reporter.warnings)
    assert env.names() == set()


def test_history_records_specs_and_environment_registered_under_home(env, channel, tmp_path, monkeypatch):
    from cantil.link import History

    channel.build({"name": "h", "version": "1", "files": {"h.txt": "h"}})
    home = tmp_path / "home2"
    monkeypatch.setenv("HOME", str(home))
    tx = env.transaction(link=[channel.record("h")], specs=["h >=1"], settings=LinkSettings(),
                         neutered_specs=["x <2"], command_line="cantil install h>=1")
    tx.execute()
    [rev] = History(env.prefix).revisions()
    assert rev.command == "cantil install h>=1"
    assert rev.specs("update") == ["h >=1"] and rev.specs("neutered") == ["x <2"]
    assert rev.packages == {"+test-channel/linux-64::h-1-h0_0"}
    assert (home / ".conda/environments.txt").read_text() == f"{env.prefix}\n"
    rec = tx.link_records[0]
    assert rec.name == "h"
    assert os.path.exists(env.prefix / "conda-meta/h-1-h0_0.json")
