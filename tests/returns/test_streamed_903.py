"""A 903 read a block at a time (as ingest reads it): Episodes first for the year, each table
staged once, problems in the order of the files; the warehouse's view of a staged table."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cscmonitor.ingest import for_warehouse, parse_all
from cscmonitor.privacy import Pseudonymiser
from cscmonitor.returns.issues import Reading
from cscmonitor.returns.schema import LOCATION
from cscmonitor.returns.staged import Scratch, Staged
from cscmonitor.settings import Settings
from tests.conftest import DATA

FOLDER = DATA / "ingest" / "ssda903" / "2016"
IDS = Pseudonymiser(b"test-key-not-secret")


def streamed(folder: Path, tmp_path: Path):
    scratch = Scratch(tmp_path / "scratch")
    parsed, problems = parse_all([folder], ids=IDS, la_code="999", year=None, scratch=scratch)
    assert problems.table.num_rows == 0
    (one,) = parsed
    return one


def with_bad_dates(tmp_path: Path) -> Path:
    """The hand-made return, with an impossible date in AD1 and in Episodes."""
    folder = tmp_path / "return"
    shutil.copytree(FOLDER, folder)
    for name, good, bad in (
        ("ad1.csv", "10/01/2015", "31/02/2015"),
        ("episodes.csv", "20/04/2015", "30/02/2015"),
    ):
        path = folder / name
        text = path.read_bytes()
        assert good.encode() in text
        path.write_bytes(text.replace(good.encode(), bad.encode(), 1))
    return folder


def test_every_table_is_staged_once_in_its_return(tmp_path):
    parsed = streamed(FOLDER, tmp_path)
    assert parsed.info.year == 2016  # from the episodes' dates, read first
    staged = list((tmp_path / "scratch").rglob("*.parquet"))
    # One file a table: the Episodes' typed file (written before the year was known) is gone.
    assert sorted(p.stem.split("-", 1)[1] for p in staged) == sorted(parsed.tables)
    for name, table in parsed.tables.items():
        assert isinstance(table, Staged), name
        rows = table.read()
        assert set(rows["return_year"].to_pylist()) <= {2016}, name
        assert set(rows["la_code"].to_pylist()) <= {"999"}, name
        assert rows.column_names[-1] == LOCATION


def test_problems_are_listed_in_the_order_of_the_files(tmp_path):
    parsed = streamed(with_bad_dates(tmp_path), tmp_path)
    problems = parsed.problems.table
    dates = problems.filter(pc.equal(problems["rule"], str(Reading.DATE_FORMAT)))
    files = [Path(f).name for f in dates["file"].to_pylist()]
    # ad1.csv is listed first though the Episodes were read first.
    assert files[:2] == ["ad1.csv", "episodes.csv"], files
    assert dates["value"].to_pylist()[:2] == ["31/02/2015", "30/02/2015"]


def test_the_warehouse_reads_the_staged_file_without_its_row_locations(tmp_path):
    parsed = streamed(FOLDER, tmp_path)
    kept = for_warehouse(parsed, Settings(data_dir=tmp_path))
    for name, table in kept.tables.items():
        before = parsed.tables[name]
        assert isinstance(table, Staged) and isinstance(before, Staged)
        assert table.path == before.path  # nothing written again
        assert LOCATION not in table.column_names
        assert table.read().equals(before.read().drop_columns([LOCATION]))
        assert [b.num_rows for b in table.batches()] == [before.num_rows]
        described = duckdb.sql(f"DESCRIBE SELECT * FROM {table.sql()}").fetchall()
        assert [row[0] for row in described] == table.column_names


def test_reduced_birth_dates_are_written_anew(tmp_path):
    parsed = streamed(FOLDER, tmp_path)
    settings = Settings(data_dir=tmp_path, birth_date_precision="month")
    kept = for_warehouse(parsed, settings)
    children = kept.tables["cla_children"]
    assert isinstance(children, Staged)
    assert children.path != parsed.tables["cla_children"].path
    born = [d for d in children.read()["birth_date"].to_pylist() if d is not None]
    assert born and all(d.day == 1 for d in born)
    assert dt.date(2005, 3, 1) in born  # A1, born 15/03/2005


def test_a_saved_table_holds_only_its_columns(tmp_path):
    parsed = streamed(FOLDER, tmp_path)
    kept = for_warehouse(parsed, Settings(data_dir=tmp_path))
    episodes = kept.tables["cla_episodes"]
    assert isinstance(episodes, Staged)
    episodes.save(tmp_path / "episodes.parquet")
    saved = pq.read_table(tmp_path / "episodes.parquet")
    assert saved.equals(episodes.read())
    assert (
        pq.ParquetFile(tmp_path / "episodes.parquet").metadata.row_group(0).column(0).compression
        == "SNAPPY"
    )
