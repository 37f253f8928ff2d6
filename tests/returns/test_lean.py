"""The ingest process's memory settings: pandas kept out while it runs, and back after."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

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
    import os

    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
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


INGEST = DATA / "ingest"
# The command's whole run: a fresh process, and whether it ever loaded numpy.
COMMAND = """
    import atexit, sys
    atexit.register(lambda: print("numpy loaded:", "numpy" in sys.modules))
    from cscmonitor.cli import main
    sys.argv = ["cscmonitor", "ingest", *sys.argv[1:]]
    main()
"""


@pytest.mark.parametrize(
    ("returns", "options", "layout"),
    [
        (
            ["ssda903/2016", "cin", "early_help", "virtual_school", "workforce"],
            ["--la", "999"],
            "files",
        ),
        (["ssda903_xml"], ["--la", "999"], "lake"),
        (
            ["../placement_distance"],
            ["--la", "999", "--postcode-lookup", "../postcodes/lookup.csv"],
            "files",
        ),
    ],
    ids=["every-csv-and-xml-kind", "903-xml-lake", "903-with-postcode-lookup"],
)
def test_the_ingest_command_reads_every_kind_of_return_without_numpy(
    tmp_path, returns, options, layout
):
    # Nothing the command does needs numpy (lean.py); a path that did would load it here.
    paths = [str(INGEST / r) for r in returns]
    options = [str(INGEST / o) if o.endswith(".csv") else o for o in options]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CSCMONITOR_")}
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
    assert done.stdout.strip().splitlines()[-1] == "numpy loaded: False"
