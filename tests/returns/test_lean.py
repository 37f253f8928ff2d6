"""The ingest process's memory settings: pandas kept out while it runs, and back after."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import DATA


def test_pandas_is_not_loaded_during_the_block_and_can_be_after():
    # A fresh interpreter: the test process has loaded pandas, which the block then keeps.
    code = textwrap.dedent(
        """
        import sys
        import pyarrow as pa
        from cscmonitor.returns.lean import lean_process

        with lean_process():
            table = pa.table({"a": pa.array(["x", "y"])})  # pyarrow probes for pandas here
            assert "pandas" not in sys.modules, "pandas was imported"
            jemalloc = pa.default_memory_pool().backend_name
        assert pa.default_memory_pool().backend_name != "" and jemalloc in ("jemalloc",
            pa.default_memory_pool().backend_name)
        frame = table.to_pandas()  # a real use afterwards loads it
        assert list(frame["a"]) == ["x", "y"] and "pandas" in sys.modules
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def _fresh(code: str, env: dict[str, str] | None = None) -> str:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ARROW_DEFAULT_MEMORY_POOL", "DUCKDB_JE_MALLOC_CONF")
    }
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        env=environ | (env or {}),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_arrow_for_ingest_sets_arrows_own_default_before_pyarrow_loads():
    # Arrow reads ARROW_DEFAULT_MEMORY_POOL once, when pyarrow loads: set first, its own
    # default (which Parquet's writer and the CSV reader take) is jemalloc.
    code = """
        from cscmonitor.returns.lean import arrow_for_ingest
        arrow_for_ingest()
        import pyarrow as pa
        print(pa.default_memory_pool().backend_name)
    """
    assert _fresh(code) == "jemalloc"


def test_arrow_for_ingest_keeps_a_setting_given_and_leaves_a_loaded_pyarrow_alone():
    given = """
        from cscmonitor.returns.lean import arrow_for_ingest
        arrow_for_ingest()
        import pyarrow as pa
        print(pa.default_memory_pool().backend_name)
    """
    assert _fresh(given, {"ARROW_DEFAULT_MEMORY_POOL": "system"}) == "system"
    loaded = """
        import os
        import pyarrow as pa
        before = pa.default_memory_pool().backend_name
        from cscmonitor.returns.lean import arrow_for_ingest
        arrow_for_ingest()
        print(before == pa.default_memory_pool().backend_name,
              "ARROW_DEFAULT_MEMORY_POOL" in os.environ)
    """
    assert _fresh(loaded) == "True False"


def test_arrow_for_ingest_loads_pyarrow_without_numpy_which_can_be_imported_after():
    code = """
        import sys
        from cscmonitor.returns.lean import arrow_for_ingest, lean_process
        arrow_for_ingest()
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv, pyarrow.parquet
        with lean_process():  # as the command runs (pyarrow's probe for pandas refused)
            assert pc.sum(pa.array([1, 2])).as_py() == 3
        print("numpy" in sys.modules, end=" ")
        import numpy
        print(int(numpy.arange(3).sum()))
    """
    assert _fresh(code) == "False 3"


# DuckDB's jemalloc as it is set, read back from it (after a query has allocated).
DECAY = """
    import ctypes
    import duckdb
    duckdb.connect().sql("SELECT sum(range) FROM range(100000)").fetchall()
    je = ctypes.CDLL(duckdb._duckdb.__file__)
    value, size = ctypes.c_ssize_t(), ctypes.c_size_t(ctypes.sizeof(ctypes.c_ssize_t))
    assert je.duckdb_je_mallctl(b"opt.dirty_decay_ms", ctypes.byref(value), ctypes.byref(size),
        None, ctypes.c_size_t(0)) == 0
    print(value.value)
"""
linux = pytest.mark.skipif(sys.platform != "linux", reason="DuckDB's wheels use jemalloc on Linux")


# An ingest of an XML return (a folder holding one, or the file named) sets it; one of CSV
# files keeps DuckDB's delay (lean.py says why).
CIN = DATA / "ingest" / "cin"
CSV_903 = DATA / "ingest" / "ssda903" / "2016"


def _for(*paths: Path) -> str:
    named = ", ".join(f"Path({str(p)!r})" for p in paths)
    return (
        "from pathlib import Path\n"
        "from cscmonitor.returns.files import files_under\n"
        "from cscmonitor.returns.lean import duckdb_for_ingest\n"
        f"duckdb_for_ingest(files_under([{named}]))\n"
    )


@linux
def test_duckdb_for_ingest_hands_freed_pages_back_at_once():
    # DuckDB's own delay is a second (1000 ms): the setting replaces it, read back from
    # the allocator itself, so a variable DuckDB ignored would fail here.
    assert _fresh(DECAY) == "1000"
    assert _fresh(_for(CIN) + textwrap.dedent(DECAY)) == "0"


@linux
def test_duckdb_for_ingest_sets_the_delay_only_for_an_xml_return():
    assert {p.suffix for p in CIN.iterdir()} == {".xml"}
    assert {p.suffix for p in CSV_903.iterdir()} == {".csv"}
    assert _fresh(_for(CSV_903) + textwrap.dedent(DECAY)) == "1000"
    assert _fresh(_for(CSV_903, CIN) + textwrap.dedent(DECAY)) == "0"
    one_file = next(CIN.iterdir())
    assert _fresh(_for(one_file) + textwrap.dedent(DECAY)) == "0"


@linux
def test_duckdb_for_ingest_keeps_a_setting_given_and_leaves_a_loaded_duckdb_alone():
    given = {"DUCKDB_JE_MALLOC_CONF": "dirty_decay_ms:250"}
    assert _fresh(_for(CIN) + textwrap.dedent(DECAY), given) == "250"
    loaded = """
        import os
        from pathlib import Path
        import duckdb
        from cscmonitor.returns.files import files_under
        from cscmonitor.returns.lean import duckdb_for_ingest
        duckdb_for_ingest(files_under([Path(os.environ["CIN"])]))
        print("DUCKDB_JE_MALLOC_CONF" in os.environ)
    """
    assert _fresh(loaded, {"CIN": str(CIN)}) == "False"


INGEST = DATA / "ingest"
# The command's whole run: a fresh process, and whether it ever loaded numpy.
COMMAND = """
    import atexit, os, sys
    atexit.register(lambda: print("numpy loaded:", "numpy" in sys.modules))
    atexit.register(lambda: print("DuckDB's allocator:", os.environ.get("DUCKDB_JE_MALLOC_CONF")))
    from cscmonitor.cli import main
    sys.argv = ["cscmonitor", "ingest", *sys.argv[1:]]
    main()
"""


@pytest.mark.parametrize(
    ("returns", "options", "layout", "xml"),
    [
        (
            ["ssda903/2016", "cin", "early_help", "virtual_school", "workforce"],
            ["--la", "999"],
            "files",
            True,
        ),
        (["ssda903_xml"], ["--la", "999"], "lake", True),
        (
            ["../placement_distance"],
            ["--la", "999", "--postcode-lookup", "../postcodes/lookup.csv"],
            "files",
            False,
        ),
    ],
    ids=["every-csv-and-xml-kind", "903-xml-lake", "903-with-postcode-lookup"],
)
def test_the_ingest_command_reads_every_kind_of_return_without_numpy(
    tmp_path, returns, options, layout, xml
):
    # Nothing the command does needs numpy (lean.py); a path that did would load it here.
    paths = [str(INGEST / r) for r in returns]
    options = [str(INGEST / o) if o.endswith(".csv") else o for o in options]
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CSCMONITOR_") and k != "DUCKDB_JE_MALLOC_CONF"
    }
    environ |= {
        "CSCMONITOR_DATA_DIR": str(tmp_path / "data"),
        "CSCMONITOR_PSEUDONYM_KEY": "test-key-not-secret",
        "CSCMONITOR_WAREHOUSE_LAYOUT": layout,
    }
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(COMMAND), *paths, *options],
        capture_output=True,
        text=True,
        check=False,
        env=environ,
    )
    assert done.returncode == 0, done.stderr
    assert "warehouse: new snapshot 0001" in done.stderr
    # atexit runs last registered first; the command set DuckDB's allocator before DuckDB
    # loaded, for XML returns on Linux (the setting read back in the tests above).
    expected = "dirty_decay_ms:0" if xml and sys.platform == "linux" else "None"
    assert done.stdout.strip().splitlines()[-2:] == [
        f"DuckDB's allocator: {expected}",
        "numpy loaded: False",
    ]
