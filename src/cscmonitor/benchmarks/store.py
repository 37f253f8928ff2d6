"""The published tables held: those bundled with the package, and releases a user imports.

Bundled tables (`cscmonitor/data/ees/`) are never changed. An import parses the file once and
writes its tidy rows to `DATA_DIR/benchmarks/releases/` as Parquet, listed in a manifest that
is replaced atomically. When two releases of one dataset cover the same `time_period`, the
newer release supplies it: the one reaching the later year, and between releases reaching the
same year the one imported last (a revised file). Years only an older release holds stay.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from cscmonitor.benchmarks.ees import TIDY_COLUMNS, read_ees

BUNDLED_DIR = "data/ees"
# Files in the bundled folder that are not EES tables: statistical neighbour groupings.
NOT_EES = ("New_Statistical_Neighbour_Groupings", "sn_model_")
MANIFEST = "manifest.json"


def bundled_path(name: str) -> Path:
    """A file bundled with the package."""
    return Path(str(resources.files("cscmonitor").joinpath(BUNDLED_DIR, name)))


def bundled_files() -> list[Path]:
    """The EES tables bundled with the package."""
    folder = Path(str(resources.files("cscmonitor").joinpath(BUNDLED_DIR)))
    return sorted(p for p in folder.glob("*.csv") if not p.name.startswith(NOT_EES))


@functools.cache
def _bundled_tidy() -> pd.DataFrame:
    frames = [read_ees(p).assign(release=0, origin="bundled") for p in bundled_files()]
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class Imported:
    """What one import did."""

    source_file: str
    dataset: str
    rows: int
    measures: int
    years: tuple[str, ...]
    flags: dict[str, int]
    already_held: bool


class BenchmarkStore:
    """Bundled tables plus the releases imported into `directory` (None: bundled only)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory

    @property
    def _releases_dir(self) -> Path | None:
        return None if self.directory is None else self.directory / "releases"

    def _manifest(self) -> list[dict]:
        if self.directory is None or not (self.directory / MANIFEST).exists():
            return []
        entries: list[dict] = json.loads((self.directory / MANIFEST).read_text())
        return entries

    def _write_manifest(self, entries: list[dict]) -> None:
        assert self.directory is not None
        path = self.directory / MANIFEST
        tmp = path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entries, indent=2, sort_keys=True))
        os.replace(tmp, path)

    def import_files(self, paths: Sequence[Path]) -> list[Imported]:
        """Parse each file and keep its rows; a file already imported (same bytes) is skipped."""
        if self.directory is None or self._releases_dir is None:
            raise ValueError("no data directory to import into")
        # Parse everything first so one bad file leaves the store unchanged.
        parsed = [(path, _digest(path), read_ees(path)) for path in paths]
        self._releases_dir.mkdir(parents=True, exist_ok=True)
        entries = self._manifest()
        held = {e["sha256"] for e in entries}
        done = []
        for path, digest, tidy in parsed:
            summary = _summary(path.name, tidy, already_held=digest in held)
            done.append(summary)
            if digest in held:
                continue
            release = max((e["release"] for e in entries), default=0) + 1
            name = f"{release:04d}-{digest[:12]}.parquet"
            tmp = self._releases_dir / f".{name}.{os.getpid()}.tmp"
            tidy.to_parquet(tmp, index=False)
            os.replace(tmp, self._releases_dir / name)
            entries.append(
                {
                    "release": release,
                    "file": name,
                    "source_file": path.name,
                    "dataset": summary.dataset,
                    "sha256": digest,
                    "rows": summary.rows,
                    "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
            )
            held.add(digest)
            self._write_manifest(entries)
        return done

    def all_rows(self) -> pd.DataFrame:
        """Every held row, bundled and imported, with `release` (0 = bundled) and `origin`."""
        frames = [_bundled_tidy()]
        releases_dir = self._releases_dir
        for entry in self._manifest():
            assert releases_dir is not None
            frames.append(
                pd.read_parquet(releases_dir / entry["file"]).assign(
                    release=entry["release"], origin="imported"
                )
            )
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def published(self) -> pd.DataFrame:
        """The rows in force: for each dataset and time period, those of the newest release."""
        rows = self.all_rows()
        return rows[_in_force(rows)].reset_index(drop=True)[[*TIDY_COLUMNS, "release", "origin"]]

    def releases(self) -> pd.DataFrame:
        """One row per release held: where it came from, what it covers, what replaced it."""
        rows = self.all_rows()
        rows = rows.assign(in_force=_in_force(rows))
        summary = (
            rows.groupby(["origin", "release", "source_file", "dataset"], sort=False)
            .agg(
                rows=("measure", "size"),
                first_period=("time_period", "min"),
                last_period=("time_period", "max"),
                measures=("measure", "nunique"),
                rows_in_force=("in_force", "sum"),
            )
            .reset_index()
        )
        return summary.sort_values(["dataset", "release", "source_file"], ignore_index=True)


def _in_force(rows: pd.DataFrame) -> pd.Series:
    """Whether each row comes from the release that supplies its dataset and time period."""
    release_key = ["dataset", "release", "source_file"]
    reach = rows.groupby(release_key)["time_period"].transform("max")
    # Rank releases by (latest period they reach, release number): larger is newer.
    rank = reach.str.pad(12, fillchar="0") + "/" + rows["release"].astype(str).str.zfill(6)
    best = rank.groupby([rows["dataset"], rows["time_period"]]).transform("max")
    return rank.eq(best)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _summary(name: str, tidy: pd.DataFrame, *, already_held: bool) -> Imported:
    flags = tidy["flag"].value_counts()
    return Imported(
        source_file=name,
        dataset=str(tidy["dataset"].iloc[0]) if len(tidy) else "",
        rows=len(tidy),
        measures=int(tidy["measure"].nunique()),
        years=tuple(sorted(tidy["time_period"].unique())),
        flags={str(k): int(v) for k, v in flags.items()},
        already_held=already_held,
    )
