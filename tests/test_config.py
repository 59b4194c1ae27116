"""PlexSyncConfig: every setting, good and bad values, and the redacted log."""

from __future__ import annotations

import io
import sys

import pytest

from validation.config import BOOLEAN_SETTINGS, ConfigError, PlexSyncConfig, parse_path_map

BASE = {"plex_url": "http://plex:32400", "plex_token": "test-token-12345"}


def make(**extra: object) -> PlexSyncConfig:
    return PlexSyncConfig.from_settings({**BASE, **extra})


def test_defaults_apply_when_stash_sends_nothing_else() -> None:
    config = make()
    assert config.strict_matching is True
    assert config.preserve_plex_edits is False
    assert config.lock_fields is True
    assert config.plex_library == [] and config.path_map == [] and config.data_dir is None
    assert (config.max_retries, config.plex_timeout, config.plex_concurrency) == (5, 30, 4)


def test_field_descriptions_state_the_flags_meaning() -> None:
    fields = PlexSyncConfig.model_fields
    assert fields["strict_matching"].description.startswith("Skip sync on low-confidence")
    assert fields["preserve_plex_edits"].description.startswith("Preserve manual Plex edits")


@pytest.mark.parametrize("url", ["http://plex:32400/", "https://10.0.0.2:32400", " http://h/ "])
def test_plex_url_accepts_http_and_strips_trailing_slash(url: str) -> None:
    assert not make(plex_url=url).plex_url.endswith("/")


def test_stash_url_for_plex_is_optional_and_an_http_url() -> None:
    assert make().stash_url_for_plex == ""
    assert make(stash_url_for_plex=" http://192.168.1.10:9999/ ").stash_url_for_plex == \
        "http://192.168.1.10:9999"
    assert make(stash_url_for_plex="https://x.example/stash").stash_url_for_plex == \
        "https://x.example/stash"
    for bad in ("192.168.1.10:9999", "http://", "http://h/?apikey=k", 5):
        with pytest.raises(ConfigError, match="stash_url_for_plex"):
            make(stash_url_for_plex=bad)


@pytest.mark.parametrize("url", ["", "plex:32400", "ftp://plex", "http://", 5])
def test_plex_url_rejects_non_http_or_hostless(url: object) -> None:
    with pytest.raises(ConfigError, match="plex_url"):
        make(plex_url=url)


@pytest.mark.parametrize("token", ["", "   ", None])
def test_token_is_required(token: object) -> None:
    settings = {**BASE, "plex_token": token}
    with pytest.raises(ConfigError, match="plex_token"):
        PlexSyncConfig.from_settings(settings)


@pytest.mark.parametrize("name", BOOLEAN_SETTINGS)
@pytest.mark.parametrize("value", ["yes", "true", "false", 1, 0, "1"])
def test_booleans_admit_real_booleans_only(name: str, value: object) -> None:
    with pytest.raises(ConfigError, match=name):
        make(**{name: value})


@pytest.mark.parametrize("name", BOOLEAN_SETTINGS)
def test_booleans_take_real_booleans(name: str) -> None:
    assert getattr(make(**{name: False}), name) is False
    assert getattr(make(**{name: True}), name) is True


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [("max_retries", 0, 51), ("plex_timeout", 600, 0), ("plex_concurrency", 16, 17)],
)
def test_numbers_are_range_checked(name: str, good: int, bad: int) -> None:
    assert getattr(make(**{name: float(good)}), name) == good
    for value in (bad, 2.5, "3", True):
        with pytest.raises(ConfigError, match=name):
            make(**{name: value})


def test_lists_are_comma_separated() -> None:
    config = make(plex_library=" Scenes, Other Videos ,,", plex_labels="adult,  nsfw")
    assert config.plex_library == ["Scenes", "Other Videos"]
    assert config.plex_labels == ["adult", "nsfw"]


def test_path_map_parses_pairs_longest_first() -> None:
    pairs = parse_path_map("/data=/media ; /data/special=/mnt/special;C:\\Videos=/videos")
    assert pairs == [("/data/special", "/mnt/special"), ("C:\\Videos", "/videos"),
                     ("/data", "/media")]


@pytest.mark.parametrize("bad", ["/data", "=/media", "/data=", "/a=/b;nonsense"])
def test_path_map_names_the_bad_pair(bad: str) -> None:
    with pytest.raises(ConfigError) as err:
        make(path_map=bad)
    assert "path_map" in str(err.value) and "/stash/prefix=/plex/prefix" in str(err.value)


def test_empty_strings_mean_unset_and_unknown_keys_are_ignored() -> None:
    config = make(data_dir="  ", content_rating="", some_old_setting=3)
    assert config.data_dir is None and config.content_rating == ""


def test_all_problems_are_reported_together_without_the_token() -> None:
    with pytest.raises(ConfigError) as err:
        PlexSyncConfig.from_settings({"plex_token": "sekrit-token", "max_retries": -1,
                                      "strict_matching": "yes"})
    message = str(err.value)
    assert "plex_url: is not set" in message or "plex_url" in message
    assert "max_retries" in message and "strict_matching" in message
    assert "sekrit-token" not in message


def test_log_config_logs_every_setting_with_the_token_redacted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    make(strict_matching=False).log_config()
    text = stream.getvalue()
    for name in PlexSyncConfig.model_fields:
        assert f"setting {name} = " in text
    assert "setting strict_matching = False" in text
    assert "setting preserve_plex_edits = False" in text
    assert "test-token-12345" not in text and "setting plex_token = '***'" in text


def test_plex_certificate_is_empty_any_or_an_existing_file(tmp_path: object) -> None:
    from pathlib import Path

    pem = Path(str(tmp_path)) / "proxy.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n")
    assert make().plex_certificate is None and make(plex_certificate=" ").plex_certificate is None
    assert make(plex_certificate=" ANY ").plex_certificate == "any"
    assert make(plex_certificate=f" {pem} ").plex_certificate == str(pem)
    with pytest.raises(ConfigError, match=r"plex_certificate: no file at '/nope\.pem'"):
        make(plex_certificate="/nope.pem")
    # Which certificate Plex is trusted with is plumbing: it changes nothing written to Plex.
    assert make(plex_certificate="any").plan_fingerprint() == make().plan_fingerprint()
