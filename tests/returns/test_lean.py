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
