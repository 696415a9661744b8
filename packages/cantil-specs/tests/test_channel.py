from __future__ import annotations

import pytest

from cantil.specs import Channel, ChannelSettings, InvalidChannel, redact_url

TOKEN = "xy-12345678-1234-1234-1234-123456789012"


@pytest.mark.parametrize(
    ("value", "name", "base_url", "subdir"),
    [
        ("conda-forge", "conda-forge", "https://conda.anaconda.org/conda-forge", None),
        ("conda-forge/linux-64", "conda-forge", "https://conda.anaconda.org/conda-forge", "linux-64"),
        ("bioconda/label/dev", "bioconda/label/dev", "https://conda.anaconda.org/bioconda/label/dev", None),
        ("https://conda.anaconda.org/conda-forge", "conda-forge", "https://conda.anaconda.org/conda-forge", None),
        (
            "https://conda.anaconda.org/conda-forge/noarch/",
            "conda-forge",
            "https://conda.anaconda.org/conda-forge",
            "noarch",
        ),
        ("pkgs/main", "pkgs/main", "https://repo.anaconda.com/pkgs/main", None),
        ("https://repo.anaconda.com/pkgs/main/win-64", "pkgs/main", "https://repo.anaconda.com/pkgs/main", "win-64"),
        ("https://example.com/chan", "https://example.com/chan", "https://example.com/chan", None),
        ("file:///srv/channel", "file:///srv/channel", "file:///srv/channel", None),
        ("/srv/channel/linux-64", "file:///srv/channel", "file:///srv/channel", "linux-64"),
    ],
)
def test_parse(value: str, name: str, base_url: str, subdir: str | None) -> None:
    ch = Channel(value)
    assert (ch.name, ch.base_url, ch.subdir) == (name, base_url, subdir)
    assert str(ch) == name


def test_urls() -> None:
    assert Channel("conda-forge").urls(["linux-64", "noarch"]) == [
        "https://conda.anaconda.org/conda-forge/linux-64",
        "https://conda.anaconda.org/conda-forge/noarch",
    ]
    assert Channel("conda-forge/noarch").urls(["linux-64", "noarch"]) == [
        "https://conda.anaconda.org/conda-forge/noarch"
    ]
    assert Channel("file:///srv/c").urls(["noarch"]) == ["file:///srv/c/noarch"]


def test_token_is_kept_but_never_shown() -> None:
    ch = Channel(f"https://conda.anaconda.org/t/{TOKEN}/private/linux-64")
    assert ch.token == TOKEN
    assert ch.name == "private" and ch.base_url == "https://conda.anaconda.org/private"
    assert TOKEN not in str(ch) and TOKEN not in repr(ch)
    assert ch.urls(["noarch"]) == ["https://conda.anaconda.org/private/linux-64"]
    assert ch.urls(["noarch"], with_credentials=True) == [f"https://conda.anaconda.org/t/{TOKEN}/private/linux-64"]
    with pytest.raises(InvalidChannel) as info:
        Channel(f"https://h/t/{TOKEN}/a b")
    assert TOKEN not in str(info.value) and "<TOKEN>" in str(info.value)
    assert redact_url(f"https://user:pw@h/t/{TOKEN}/x") == "https://<USER>@h/t/<TOKEN>/x"


def test_settings_alias_defaults_custom_and_migrated() -> None:
    s = ChannelSettings(
        channel_alias="https://mirror.example/conda",
        default_channels=["https://mirror.example/pkgs/main"],
        custom_channels={"internal": "https://artifacts.example/api"},
        migrated_channel_aliases=["https://old.example/conda"],
        custom_multichannels={"mine": ["conda-forge", "internal"]},
    )
    assert Channel("conda-forge", s).base_url == "https://mirror.example/conda/conda-forge"
    assert Channel("internal", s).base_url == "https://artifacts.example/api/internal"
    assert Channel("internal/label/x", s).base_url == "https://artifacts.example/api/internal/label/x"
    assert Channel("https://artifacts.example/api/internal", s).name == "internal"
    assert Channel("https://old.example/conda/bioconda", s).name == "bioconda"
    assert Channel("https://old.example/conda/bioconda", s).base_url == "https://mirror.example/conda/bioconda"
    assert [c.name for c in s.expand("defaults")] == ["pkgs/main"]
    assert [c.name for c in s.expand("mine")] == ["conda-forge", "internal"]
    assert [c.base_url for c in s.expand("conda-forge")] == ["https://mirror.example/conda/conda-forge"]
    assert Channel("defaults", s).urls(["noarch"]) == ["https://mirror.example/pkgs/main/noarch"]
    # the default settings are untouched by another settings object
    assert Channel("conda-forge").base_url == "https://conda.anaconda.org/conda-forge"


def test_default_expansion() -> None:
    names = [c.name for c in ChannelSettings().expand("defaults")]
    assert names == ["pkgs/main", "pkgs/r"]


@pytest.mark.parametrize("value", ["", "  ", "a b", "conda-forge::x", "a//b", "https://"])
def test_invalid(value: str) -> None:
    with pytest.raises(InvalidChannel):
        Channel(value)


def test_equality_and_hash() -> None:
    assert Channel("conda-forge") == Channel("https://conda.anaconda.org/conda-forge/")
    assert len({Channel("conda-forge"), Channel("https://conda.anaconda.org/conda-forge")}) == 1
    assert Channel("conda-forge") != Channel("conda-forge/linux-64")
