"""The ingest process's memory settings: pandas kept out while it runs, and back after."""

from __future__ import annotations

import subprocess
import sys
import textwrap


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


def test_arrow_jemalloc_sets_arrows_own_default_before_pyarrow_loads():
    # Arrow reads ARROW_DEFAULT_MEMORY_POOL once, when pyarrow loads: set first, its own
    # default (which Parquet's writer and the CSV reader take) is jemalloc.
    code = """
        from cscmonitor.returns.lean import arrow_jemalloc
        arrow_jemalloc()
        import pyarrow as pa
        print(pa.default_memory_pool().backend_name)
    """
    assert _fresh(code) == "jemalloc"


def test_arrow_jemalloc_keeps_a_setting_given_and_leaves_a_loaded_pyarrow_alone():
    given = """
        from cscmonitor.returns.lean import arrow_jemalloc
        arrow_jemalloc()
        import pyarrow as pa
        print(pa.default_memory_pool().backend_name)
    """
    assert _fresh(given, {"ARROW_DEFAULT_MEMORY_POOL": "system"}) == "system"
    loaded = """
        import os
        import pyarrow as pa
        before = pa.default_memory_pool().backend_name
        from cscmonitor.returns.lean import arrow_jemalloc
        arrow_jemalloc()
        print(before == pa.default_memory_pool().backend_name,
              "ARROW_DEFAULT_MEMORY_POOL" in os.environ)
    """
    assert _fresh(loaded) == "True False"
