"""Copy GOV.UK Frontend's compiled assets from an npm install into the package's static folder.

`python -m cscmonitor.web.assets --from node_modules` checks the installed version is the one
the Jinja macros follow and copies `dist/govuk/` (CSS, JavaScript, fonts, images) into
`cscmonitor/web/static/govuk/`, where the app serves them; nothing is fetched at run time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

# govuk-frontend-jinja 4.1.0 ports the macros of GOV.UK Frontend 6.3.0.
GOVUK_FRONTEND_VERSION = "6.3.0"
TARGET = Path(__file__).parent / "static" / "govuk"
FILES = ("govuk-frontend.min.css", "govuk-frontend.min.js")
FOLDERS = ("assets",)


class AssetsError(RuntimeError):
    pass


def copy_assets(node_modules: Path, target: Path = TARGET) -> Path:
    """Copy the compiled assets of the pinned govuk-frontend from `node_modules` to `target`."""
    package = node_modules / "govuk-frontend"
    manifest = package / "package.json"
    if not manifest.exists():
        raise AssetsError(
            f"no govuk-frontend in {node_modules}: run "
            f"`npm install govuk-frontend@{GOVUK_FRONTEND_VERSION}` first"
        )
    version = json.loads(manifest.read_text())["version"]
    if version != GOVUK_FRONTEND_VERSION:
        raise AssetsError(
            f"govuk-frontend {version} is installed; the macros follow "
            f"{GOVUK_FRONTEND_VERSION}: install that version"
        )
    dist = package / "dist" / "govuk"
    staging = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in FILES:
        shutil.copy2(dist / name, staging / name)
    for name in FOLDERS:
        shutil.copytree(dist / name, staging / name)
    (staging / "VERSION").write_text(version + "\n")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def installed_version(target: Path = TARGET) -> str | None:
    """The version of the assets the app serves, or None when they are not installed."""
    marker = target / "VERSION"
    return marker.read_text().strip() if marker.exists() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, default=Path("node_modules"))
    args = parser.parse_args(argv)
    try:
        done = copy_assets(args.source)
    except AssetsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"GOV.UK Frontend {GOVUK_FRONTEND_VERSION} assets: {done}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
