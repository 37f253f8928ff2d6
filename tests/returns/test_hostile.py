"""Hostile and broken files: each gives a clear error, in bounded time and memory.

Each case runs the whole ingest in a child process, so that its time and peak memory
can be measured and a hang or a blow-up cannot take the test run with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cscmonitor.returns import csvfile
from cscmonitor.returns.csvfile import Limits, read_csv
from cscmonitor.returns.issues import ReturnError
from cscmonitor.returns.xmlstream import check_prolog
from tests.conftest import DATA

SECONDS = 60
MEMORY_MB = 700  # the interpreter with Arrow and DuckDB loaded takes about 250 MB

RUN = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from pydantic import SecretStr
    from cscmonitor.ingest import ingest
    from cscmonitor.returns.issues import ReturnError
    from cscmonitor.settings import Settings
    started = time.perf_counter()
    settings = Settings(data_dir=Path(sys.argv[2]), pseudonym_key=SecretStr("k"))
    try:
        ingest([Path(sys.argv[1])], settings, la_code="999")
        message = None
    except ReturnError as exc:
        message = str(exc)
    print(json.dumps({
        "message": message,
        "seconds": time.perf_counter() - started,
        # VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork and exec.
        "peak_mb": next(int(line.split()[1]) for line in open("/proc/self/status")
                        if line.startswith("VmHWM:")) / 1024,
    }))
    """
)


def ingest_in_child(path: Path, data_dir: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(path), str(data_dir)],
        capture_output=True,
        text=True,
        timeout=SECONDS * 2,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n<Message><Header>&lol9;</Header></Message>\n"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    "<Message><Header><Source><LEA>&x;</LEA></Source></Header></Message>\n"
)


def truncated_census() -> bytes:
    whole = (DATA / "ingest" / "cin" / "CIN_Census_2025.xml").read_bytes()
    return whole[: len(whole) // 2]


CASES = {
    "billion_laughs.xml": (BILLION_LAUGHS.encode(), "refused: the file declares a DTD"),
    "external_entity.xml": (EXTERNAL_ENTITY.encode(), "refused: the file declares a DTD"),
    "doctype_after_comment.xml": (
        b"<!-- hello -->\n<!doctype Message SYSTEM 'http://example.org/x.dtd'><Message/>",
        "refused",
    ),
    "utf16_doctype.xml": (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE m [<!ENTITY a "b">]><Message/>'.encode(
            "utf-16"
        ),
        "refused",
    ),
    "undeclared_entity.xml": (b"<Message><Header>&x;</Header></Message>", "not well-formed"),
    "empty.xml": (b"", "not well-formed XML: the file is empty"),
    "empty.csv": (b"", "the file is empty"),
    "binary.xml": (bytes(range(256)) * 64, "not well-formed XML: the file is binary"),
    "binary.csv": (bytes(range(256)) * 64, "the file is binary, not CSV"),
    "truncated.xml": (truncated_census(), "not well-formed XML"),
    "deep.xml": (
        b"<Message>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</Message>",
        "not well-formed XML",
    ),
    "million_columns.csv": (
        (",".join(f"C{i}" for i in range(1_000_000)) + "\n" + "," * 999_999 + "\n").encode(),
        "line 1 is 7,888,889 bytes long; the limit is 1,048,576",
    ),
    "long_line.csv": (
        b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        + b"A1,1,01/01/2010,WBRI,"
        + b"x" * (10 << 20)
        + b",,\n",
        "line 2 is 10,485,783 bytes long",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_gives_a_clear_error_in_bounded_time_and_memory(tmp_path, name):
    content, message = CASES[name]
    path = tmp_path / name
    path.write_bytes(content)
    outcome = ingest_in_child(path, tmp_path / "data")
    assert outcome["message"] is not None and message in outcome["message"], outcome
    assert str(path) in outcome["message"]  # the message names the file
    assert outcome["seconds"] < SECONDS
    assert outcome["peak_mb"] < MEMORY_MB
    assert not (tmp_path / "data" / "warehouse" / "CURRENT").exists()


def test_too_many_columns_is_refused_before_parsing(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"C{i}" for i in range(5000)) + "\n")
    with pytest.raises(ReturnError, match="the header has 5,000 columns; the limit is 1,000"):
        read_csv(path)


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"A,B\n" + b"1,2\n" * 1000)
    with pytest.raises(ReturnError, match="the file is 4,004 bytes; the limit is 1,000"):
        read_csv(path, Limits(max_file_bytes=1000))
    xml = tmp_path / "big.xml"
    xml.write_bytes(b"<Message>" + b" " * 2000 + b"</Message>")
    with pytest.raises(ReturnError, match="the limit is 1,000"):
        check_prolog(xml, Limits(max_file_bytes=1000))


def test_the_prolog_names_the_root_element(tmp_path):
    path = tmp_path / "x.xml"
    path.write_bytes(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- c -->\n<?pi x?>\n<ns:Message a="1">')
    assert check_prolog(path, Limits()) == "Message"


@pytest.mark.parametrize("block", [4, 7, 64])
def test_lines_and_encodings_are_measured_across_blocks(tmp_path, monkeypatch, block):
    # Lines of 3, 11 and 5 bytes without their newlines, then 2 bytes with none: read 4, 7
    # or 64 bytes at a time, the longest is line 2 (11 bytes), however the blocks cut it.
    monkeypatch.setattr(csvfile, "BLOCK_BYTES", block)
    path = tmp_path / "lines.csv"
    path.write_bytes(b"A,B\n1,22222,333\n4,\x9d55\n66")
    with pytest.raises(ReturnError, match=r"line 2 is 11 bytes long; the limit is 10"):
        csvfile.open_file(path, Limits(max_line_bytes=10))
    # Within the limit: 0x9D is neither UTF-8 here nor Windows-1252, wherever it falls.
    with pytest.raises(ReturnError, match="neither UTF-8 nor Windows-1252"):
        csvfile.open_file(path, Limits(max_line_bytes=11))
    path.write_bytes(b"  \r\n\t \n" * 3)
    with pytest.raises(ReturnError, match="the file is empty"):
        csvfile.open_file(path)
    path.write_bytes(b"A,B\n1,\xe92\n")  # é in Windows-1252: read as such
    assert csvfile.open_file(path).encoding == "cp1252"
    path.write_bytes(b"A,B\n1,2\n" + b"x" * 4)  # the last line, 4 bytes, has no newline
    with pytest.raises(ReturnError, match="line 3 is 4 bytes long; the limit is 3"):
        csvfile.open_file(path, Limits(max_line_bytes=3))


def test_row_numbers_count_from_their_start_past_unreadable_rows():
    assert csvfile.numbered(2, 4).to_pylist() == [2, 3, 4, 5]
    assert csvfile.numbered(0, 0).to_pylist() == []
    # Rows 2-6 read with row 4 unreadable: the three kept are 2, 3 and 5; 6 comes next.
    rows, after = csvfile._row_numbers(2, 3, [4])
    assert (rows.to_pylist(), after) == ([2, 3, 5], 6)
