"""One working folder for the quick benches, so the second reuses the first's returns and
warehouse (each bench keeps them when they are the ones it asks for); bench/basket.py as a
module, for tests of its parts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load_bench(script: str) -> ModuleType:
    """A script of bench/ as a module (they are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"{script}_bench", BENCH / f"{script}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bench_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def basket() -> ModuleType:
    return load_bench("basket")
