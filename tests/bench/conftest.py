"""One working folder for the quick benches, so the second reuses the first's returns and
warehouse (each bench keeps them when they are the ones it asks for)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def bench_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")
