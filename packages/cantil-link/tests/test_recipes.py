"""Every package of the real conda-built conda-test-recipes channel behaves as conda makes it behave."""

from __future__ import annotations

import subprocess

import pytest

from cantil.link import ClobberError, PrefixData, ScriptError

# packages that install alone and run no script that could fail (the others have their own tests below)
SIMPLE = [
    "activate_deactivate_package-1.0", "another_dependent-1.0", "another_dependent-2.0", "buildstring-1.0",
    "clobber-a-1.0", "clobber-b-1.0", "dependency-1.0", "dependency-2.0", "dependent-1.0", "dependent-2.0",
    "feature-1.0", "feature-2.0", "other_dependent-1.0", "pip-99.99.99", "post_link-b-1.0", "post_link-e-1.0",
    "pre_link_messages_package-1.0", "private-package-1.0", "python-3.99.99", "run_constrained-1.0",
    "small-executable-1.0", "track_feature-1.0", "track_feature-2.0", "unsatisfiable-1.0", "versioned-1.0",
    "versioned-2.0",
]


@pytest.mark.parametrize("key", SIMPLE)
def test_installs_and_removes_alone(env, recipes, key):
    rec = recipes[key]
    env.install(rec)
    installed = PrefixData(env.prefix).records()[rec.name]
    for f in installed.files:
        assert (env.prefix / f).exists() or (env.prefix / f).is_symlink(), f
    assert PrefixData(env.prefix).verify() == []
    env.remove(rec.name)
    assert env.names() == set()
    leftovers = {p.relative_to(env.prefix).as_posix() for p in env.prefix.rglob("*")}
    # post_link-e's script wrote bin/file itself: it belongs to no package and stays, as with conda
    assert leftovers <= {"conda-meta", "conda-meta/history", "conda-meta/.cantil.lock", "bin", "bin/file"}


def test_every_recipe_is_covered(recipes):
    special = {"post_link-c-1.0", "post_link-d-1.0", "post_link_run_in_env_package-1.0", "failing_post_link-1.0",
               "sample_noarch_python-1.0"}
    assert set(recipes) == set(SIMPLE) | special


def test_post_link_c_is_sourced_after_post_link_b_is_linked(env, recipes):
    # given in the wrong order: the transaction links in dependency order, files first, then scripts
    env.install(recipes["post_link-c-1.0"], recipes["post_link-b-1.0"])
    assert env.names() == {"post_link-b", "post_link-c"}
    assert (env.prefix / "bin/file").read_text() == "test\n"


def test_post_link_c_alone_fails_and_rolls_back(env, recipes):
    with pytest.raises(ScriptError) as e:
        env.install(recipes["post_link-c-1.0"])
    assert e.value.action == "post-link" and e.value.returncode == 1
    assert env.names() == set()
    assert not (env.prefix / "bin").exists()


def test_post_link_d_runs_after_post_link_e_script(env, recipes):
    env.install(recipes["post_link-d-1.0"], recipes["post_link-e-1.0"])
    assert env.names() == {"post_link-d", "post_link-e"}
    assert (env.prefix / "bin/file").read_text() == "test\n"  # written by post_link-e's script


def test_post_link_sees_the_activated_environment(env, recipes):
    env.install(recipes["post_link_run_in_env_package-1.0"])
    texts = [t for pkg, t, kind in env.reporter.messages if kind == "script" and pkg == "post_link_run_in_env_package-1.0-0"]
    assert texts == ["TEST_VAR is set to :1:\nSuccess: TEST_VAR is set correctly\n"]
    assert not (env.prefix / ".messages.txt").exists()  # reported, then removed, as conda does


def test_post_link_without_activation_fails(env, recipes, helpers):
    tx = env.transaction(link=[recipes["post_link_run_in_env_package-1.0"]])
    tx.activation_prelude = lambda prefix: "true\n"  # an activation that does not run activate.d
    with pytest.raises(ScriptError):
        tx.execute()
    assert env.names() == set()
    assert any("TEST_VAR is not set" in t for _, t, _ in env.reporter.messages)


def test_failing_post_link_rolls_back_and_keeps_what_was_there(env, recipes, helpers):
    env.install(recipes["small-executable-1.0"])
    before = helpers.tree(env.prefix)
    with pytest.raises(ScriptError) as e:
        env.install(recipes["failing_post_link-1.0"])
    assert "post-link script failed for package failing_post_link-1.0-0" in str(e.value)
    assert helpers.tree(env.prefix) == before
    assert env.names() == {"small-executable"}
    out = subprocess.run([env.prefix / "bin/small", "x"], capture_output=True, text=True, check=True)
    assert out.stdout == "Hello! x\n"


def test_pre_link_messages_are_reported(env, recipes):
    env.install(recipes["pre_link_messages_package-1.0"])
    texts = sorted(t for _, t, kind in env.reporter.messages if kind == "prelink")
    assert len(texts) == 2
    assert texts[0].startswith("Lorem ipsum") and texts[1].startswith("Spam spam spam")


def test_post_link_b_and_private_package_clobber_bin_file(env, recipes):
    b, private = recipes["post_link-b-1.0"], recipes["private-package-1.0"]
    with pytest.raises(ClobberError) as e:
        env.install(b, private, settings=env.settings(path_conflict="prevent"))
    assert e.value.path == "bin/file"
    assert not env.prefix.exists()
    env.install(b)
    with pytest.raises(ClobberError) as e:
        env.install(private, settings=env.settings(path_conflict="prevent"))
    assert e.value.existing == "post_link-b"
    env.install(private)  # warn, the default
    assert any("bin/file" in w for w in env.reporter.warnings)
    assert env.names() == {"post_link-b", "private-package"}


def test_sample_noarch_python_with_the_empty_python(env, recipes):
    env.install(recipes["python-3.99.99"], recipes["sample_noarch_python-1.0"])
    sp = env.prefix / "lib/python3.99t/site-packages"  # python_site_packages_path (CEP 17)
    assert (sp / "sample.py").is_file()
    rec = PrefixData(env.prefix).records()["sample_noarch_python"]
    pyc = "lib/python3.99t/site-packages/__pycache__/sample.cpython-399.pyc"
    # as conda: the pyc is listed but could not be compiled (no runnable python); the install succeeds
    assert pyc in rec.files and not (env.prefix / pyc).exists()
    assert any("pyc" in w and "no runnable python" in w for w in env.reporter.warnings)
    assert PrefixData(env.prefix).verify() == []
    env.remove("sample_noarch_python")
    assert not (sp / "sample.py").exists()
