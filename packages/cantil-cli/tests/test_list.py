"""`cantil list`: conda's table, filters, --export, --explicit, --canonical, pip packages as channel `pypi`."""

from __future__ import annotations


def test_table_format(user) -> None:
    user.ok("create", "-n", "demo", "app", "-y")
    r = user.ok("list", "-n", "demo")
    lines = r.stdout.splitlines()
    assert lines[0] == f"# packages in environment at {user.env('demo')}:"
    assert lines[2] == "# Name                    Version                   Build  Channel"
    assert lines[3] == f"app                       2.0                        h0_0  {user.channel_url}"
    assert [ln.split()[0] for ln in lines[3:]] == ["app", "libfoo", "zlib"]


def test_regex_and_full_name(user) -> None:
    user.ok("create", "-n", "demo", "app", "-y")
    assert [p["name"] for p in user.json("list", "-n", "demo", "lib|zl")] == ["libfoo", "zlib"]
    assert [p["name"] for p in user.json("list", "-n", "demo", "-f", "lib")] == []
    assert [p["name"] for p in user.json("list", "-n", "demo", "-f", "libfoo")] == ["libfoo"]
    r = user.run("list", "-n", "demo", "(")
    assert r.returncode == 1
    assert r.stderr.startswith("error: invalid regular expression")


def test_export_and_canonical(user) -> None:
    user.ok("create", "-n", "demo", "zlib=1.2.13", "-y")
    out = user.ok("list", "-n", "demo", "--export").stdout.splitlines()
    assert out[-1] == "zlib=1.2.13=h0_0"
    assert out[2].startswith("# platform: ")
    assert user.ok("list", "-n", "demo", "--canonical").stdout == f"{user.channel_url}/linux-64::zlib-1.2.13-h0_0\n"


def test_explicit_lists_urls_with_md5(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    lines = user.ok("list", "-n", "demo", "--explicit", "--md5").stdout.splitlines()
    assert lines[3] == "@EXPLICIT"
    url, _, md5 = lines[4].partition("#")
    assert url == f"{user.channel_url}/linux-64/zlib-1.3.1-h0_0.conda"
    assert len(md5) == 32
    assert "#" not in user.ok("list", "-n", "demo", "--explicit").stdout.splitlines()[4]


def test_pip_installed_packages_show_channel_pypi(user) -> None:
    user.ok("create", "-n", "py", "python", "pip", "-y")
    site = user.env("py") / "lib" / "python3.11" / "site-packages" / "requests-2.31.0.dist-info"
    site.mkdir(parents=True)
    (site / "METADATA").write_text("Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n\n")
    rows = {p["name"]: p for p in user.json("list", "-n", "py")}
    assert rows["requests"]["channel"] == "pypi"
    assert rows["requests"]["build_string"] == "pypi_0"
    assert rows["pip"]["channel"] == user.channel_url  # pip's own dist-info belongs to the conda package
    assert "requests" not in {p["name"] for p in user.json("list", "-n", "py", "--no-pip")}
    assert "requests                  2.31.0                   pypi_0  pypi" in user.ok("list", "-n", "py").stdout


def test_active_environment_is_the_default_target(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    r = user.ok("list", "--json", env={"CONDA_PREFIX": str(user.env("demo"))})
    assert '"name": "zlib"' in r.stdout


def test_revisions_text(user) -> None:
    user.ok("create", "-n", "demo", "zlib=1.2.13", "-y")
    user.ok("install", "-n", "demo", "zlib=1.3.1", "-y")
    text = user.ok("list", "-n", "demo", "--revisions").stdout
    assert "(rev 0)" in text
    assert "(rev 1)" in text
    assert "zlib  {1.2.13-h0_0 -> 1.3.1-h0_0}" in text
