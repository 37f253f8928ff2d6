"""`settings_fields.from_environment` reads what `settings.Settings` reads, without
pydantic-settings (`cscmonitor ingest` starts on it)."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Literal, Union, get_args, get_origin

import pytest
from pydantic import SecretStr, ValidationError

from cscmonitor.settings import Settings
from cscmonitor.settings_fields import SettingsFields, from_environment, settings_problem


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No CSCMONITOR_ variable and no .env file (the working folder is an empty one)."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("CSCMONITOR_") or name in (
            "SPARK_MASTER",
            "PYSPARK_SUBMIT_ARGS",
        ):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_reads_each_kind_of_field_as_settings_does(bare: pytest.MonkeyPatch) -> None:
    bare.setenv("CSCMONITOR_DATA_DIR", "/srv/csc")  # a path
    bare.setenv("cscmonitor_max_problems_per_rule", "7")  # a number; the name in any case
    bare.setenv("CSCMONITOR_BIRTH_DATE_PRECISION", "month")  # a choice
    bare.setenv("CSCMONITOR_UPLOADS_NEED_SECOND_PERSON", "false")  # a flag or none
    bare.setenv("CSCMONITOR_PSEUDONYM_KEY", "not-a-real-key")  # a secret
    bare.setenv("SPARK_MASTER", "local[2]")  # a field read under its alias, no prefix
    bare.setenv("CSCMONITOR_NOT_A_SETTING", "ignored")
    light = from_environment()
    assert type(light) is SettingsFields
    # The values as set above, typed by their fields; the rest their defaults.
    assert light.data_dir == Path("/srv/csc")
    assert light.warehouse_dir == Path("/srv/csc/warehouse")
    assert light.max_problems_per_rule == 7
    assert light.birth_date_precision == "month"
    assert light.uploads_need_second_person is False
    assert light.pseudonym_key == SecretStr("not-a-real-key")
    assert light.spark_master == "local[2]"
    assert light.max_file_mb == 2048
    assert light.model_dump() == Settings().model_dump()


def test_values_given_come_before_the_environment(bare: pytest.MonkeyPatch) -> None:
    bare.setenv("CSCMONITOR_DATA_DIR", "/srv/csc")
    assert from_environment(data_dir=Path("mine")).data_dir == Path("mine")
    assert Settings(data_dir=Path("mine")).data_dir == Path("mine")


def test_of_two_names_differing_in_case_the_later_counts_in_both(
    bare: pytest.MonkeyPatch,
) -> None:
    bare.setenv("CSCMONITOR_MAX_LINE_KB", "5")
    bare.setenv("cscmonitor_max_line_kb", "6")
    assert from_environment().max_line_kb == Settings().max_line_kb == 6


def test_a_bad_value_is_refused_in_the_same_words(bare: pytest.MonkeyPatch) -> None:
    bare.setenv("CSCMONITOR_MAX_PROBLEMS_PER_RULE", "0")  # at least 1
    bare.setenv("CSCMONITOR_POSTCODE_PRECISION", "sector")  # district or none
    with pytest.raises(ValidationError) as light:
        from_environment()
    with pytest.raises(ValidationError) as full:
        Settings()
    said = settings_problem(light.value)
    assert said == settings_problem(full.value)
    assert said.startswith("CSCMONITOR_POSTCODE_PRECISION='sector': ")
    assert "CSCMONITOR_MAX_PROBLEMS_PER_RULE='0': " in said


def test_a_dotenv_file_is_read_by_settings_itself(bare: pytest.MonkeyPatch) -> None:
    Path(".env").write_text("CSCMONITOR_MAX_FILE_MB=5\n")
    read = from_environment()
    assert isinstance(read, Settings)
    assert read.max_file_mb == 5


PLAIN = (str, int, bool, Path, SecretStr, type(None))


def test_every_field_is_a_plain_value() -> None:
    """pydantic-settings passes such a field the variable's text, as `from_environment`
    does; a list, mapping or model it would decode as JSON first."""
    for name, field in SettingsFields.model_fields.items():
        annotation = field.annotation
        kinds = (
            get_args(annotation)
            if get_origin(annotation) in (Union, types.UnionType)
            else (annotation,)
        )
        for kind in kinds:
            assert kind in PLAIN or get_origin(kind) is Literal, (name, kind)
