"""The pseudonymisation key lives apart from the data: its home, and what production refuses."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from cscmonitor.privacy import KeyLocationError, load_key
from cscmonitor.settings import Settings


@pytest.fixture
def no_key_setting(monkeypatch, tmp_path):
    """No key in the environment; the user's config folder is a folder of this test."""
    for name in ("CSCMONITOR_KEY_FILE", "CSCMONITOR_PSEUDONYM_KEY", "CSCMONITOR_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def test_a_new_key_is_made_in_the_config_folder_not_the_data_directory(no_key_setting):
    data = no_key_setting / "data"
    settings = Settings(_env_file=None, data_dir=data)
    key = load_key(settings)
    home = no_key_setting / "config" / "cscmonitor"
    assert settings.key_file == home / "pseudonym.key"
    assert (home / "pseudonym.key").read_text().strip().encode() == key
    assert (home / "pseudonym.key").stat().st_mode & 0o777 == 0o600
    assert home.stat().st_mode & 0o777 == 0o700
    assert not data.exists()  # nothing of the key under the data directory
    assert load_key(Settings(_env_file=None, data_dir=data)) == key  # made once


def test_the_key_file_setting_names_where_it_lives(no_key_setting, monkeypatch):
    vault = no_key_setting / "vault" / "cscmonitor.key"
    vault.parent.mkdir()
    vault.write_text("mounted-from-a-key-vault\n")
    monkeypatch.setenv("CSCMONITOR_KEY_FILE", str(vault))
    settings = Settings(_env_file=None, data_dir=no_key_setting / "data", environment="production")
    assert load_key(settings) == b"mounted-from-a-key-vault"


def test_production_refuses_a_key_file_under_the_data_directory(no_key_setting):
    data = no_key_setting / "data"
    inside = data / "secrets" / "pseudonym.key"
    inside.parent.mkdir(parents=True)
    inside.write_text("k")
    settings = Settings(_env_file=None, data_dir=data, key_file=inside, environment="production")
    with pytest.raises(KeyLocationError, match=r"production refuses it.*CSCMONITOR_KEY_FILE"):
        load_key(settings)
    # Nor is one made there: a production installation never writes its key into the data.
    fresh = Settings(
        _env_file=None,
        data_dir=no_key_setting / "other",
        key_file=no_key_setting / "other" / "k.key",
        environment="production",
    )
    with pytest.raises(KeyLocationError):
        load_key(fresh)
    assert not (no_key_setting / "other" / "k.key").exists()


def test_an_old_key_in_the_data_directory_works_in_development_with_a_warning(
    no_key_setting, caplog
):
    data = no_key_setting / "data"
    legacy = data / "keys" / "pseudonym.key"
    legacy.parent.mkdir(parents=True)
    legacy.write_text("the-key-the-warehouse-was-built-with\n")
    with caplog.at_level(logging.WARNING, logger="cscmonitor.privacy"):
        key = load_key(Settings(_env_file=None, data_dir=data))
    assert key == b"the-key-the-warehouse-was-built-with"  # not a new key: joins still hold
    assert "in the data directory" in caplog.text
    assert f"mv {legacy}" in caplog.text and "CSCMONITOR_KEY_FILE" in caplog.text
    assert not (no_key_setting / "config" / "cscmonitor" / "pseudonym.key").exists()
    # The same old key is refused in production, even with the key given in the environment.
    for production in (
        Settings(_env_file=None, data_dir=data, environment="production"),
        Settings(
            _env_file=None,
            data_dir=data,
            environment="production",
            pseudonym_key=SecretStr("from-the-environment"),
        ),
    ):
        with pytest.raises(KeyLocationError, match=str(legacy)):
            load_key(production)


def test_the_key_from_the_environment_needs_no_file(no_key_setting):
    settings = Settings(
        _env_file=None,
        data_dir=no_key_setting / "data",
        pseudonym_key=SecretStr("env-key"),
        environment="production",
    )
    assert load_key(settings) == b"env-key"
    assert not settings.key_file.exists()
