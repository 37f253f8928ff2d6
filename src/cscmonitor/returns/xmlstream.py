"""Streaming an XML return into text columns, one record element at a time.

The file is first checked before it is parsed: a return never needs a DTD, and DTDs are
how XML attacks arrive (entity expansion, external entities). A DTD can only appear
before the root element, so the prolog is read (at most 1 MiB) and any `<!DOCTYPE` or
`<!ENTITY` there refuses the file. The body is then parsed by lxml (libxml2) with entity
expansion, DTD loading and network access off and its depth and text-size limits on;
an entity that was never declared is an error, so an attack cannot get through.

What goes where is declared as a tree of `Group`s: a record group makes a row of its
table for each element; a container group (no table) adds its leaves to the enclosing
row. Rows are gathered as text and turned into Arrow columns every 8,192 rows, so memory
stays bounded for a national-size file. Elements nobody declared are listed (once per
name, with a count), never silently dropped; elements declared as dropped (UPNs) are
read past and never stored.
"""

from __future__ import annotations

import itertools
import mmap
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.ipc

from cscmonitor.returns.csvfile import Limits, check_size
from cscmonitor.returns.issues import Problems, Reading, ReturnError, Severity, problem_rows

PROLOG_LIMIT = 1 << 20
# Rows of text held (as Python strings) before they become Arrow columns: on a large
# council's CIN census (bench/validators.py) 65,536 took 30 MB more peak than 8,192, in
# the same time.
FLUSH_ROWS = 8_192
PROBLEM_CAP = 100  # problems of one kind listed per file; the rest are counted

Progress = Callable[[int], None]
Element = Any  # an lxml element (lxml ships no type information)
_UNKNOWN = object()


@dataclass(frozen=True)
class Group:
    """Where an element's content goes: a row of `table`, or (no table) the enclosing row."""

    tag: str
    table: str | None = None
    leaves: Mapping[str, str] = field(default_factory=dict)  # element -> cell
    text: str | None = None  # the element's own text goes to this cell
    groups: tuple[Group, ...] = ()
    inherit: tuple[str, ...] = ()  # cells copied from the enclosing row
    dropped: frozenset[str] = frozenset()  # elements read past and never stored

    @cached_property
    def actions(self) -> dict[str, str | Group | None]:
        """What to do with each child element: a cell name (leaf), a group, or None (drop)."""
        actions: dict[str, str | Group | None] = dict.fromkeys(self.dropped)
        actions.update(self.leaves)
        actions.update({g.tag: g for g in self.groups})
        return actions

    def cells(self) -> list[str]:
        """The cells of this group's rows: its own, inherited, and its containers' leaves."""
        found = list(self.inherit)
        if self.text:
            found.append(self.text)
        found += list(self.leaves.values())
        for sub in self.groups:
            if sub.table is None:
                found += sub.cells()
        return list(dict.fromkeys(found))


@dataclass
class State:
    """A reader's rows and notes, for merging readers of one file's shares."""

    tables: dict[str, pa.Table]
    read: dict[str, int]
    problems: list[pa.Table]
    notes: dict[str, list[tuple[str, str, str, str]]]
    overflow: dict[str, int]
    unknown: dict[str, tuple[str, int]]

    def to_files(self, folder: Path, part: int) -> State:
        """The same state with its tables in Arrow files: a worker hands them over that way,
        so that neither it nor the reader makes a copy to send them through a pipe."""
        tables: dict[str, Any] = {}
        for name, table in self.tables.items():
            path = folder / f"{part}-{name}.arrow"
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
                out.write_table(table)
            tables[name] = path
        return State(tables, self.read, self.problems, self.notes, self.overflow, self.unknown)

    def from_files(self) -> State:
        tables = {}
        for name, path in self.tables.items():
            if isinstance(path, Path):
                with pa.memory_map(str(path)) as source:
                    tables[name] = pa.ipc.open_file(source).read_all()
                path.unlink()  # the mapping stays readable; nothing is left on disk
            else:
                tables[name] = path
        return State(tables, self.read, self.problems, self.notes, self.overflow, self.unknown)


def _document_order(location: str) -> tuple[int, ...]:
    """Record numbers in a location, so "Child[9]" comes before "Child[10]"."""
    return tuple(int(n) for n in re.findall(r"\[(\d+)\]", location))


# Types a block of one table's text rows (with `_location`): the typed rows, the problems.
Builder = Callable[[str, pa.Table], tuple[pa.Table, pa.Table]]


@dataclass
class Rows:
    """Rows of one table, turned into Arrow columns a block at a time (and typed, if asked).

    Typing each block as it fills means the text of a national file is never all held.
    """

    name: str
    cells: list[str]
    builder: Builder | None = None
    buffer: list[tuple[str | None, ...]] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    blocks: list[pa.Table] = field(default_factory=list)
    problems: list[pa.Table] = field(default_factory=list)
    read: int = 0

    def flush(self) -> None:
        rows = self.buffer
        if not rows and (self.blocks or self.builder is None):
            return
        # From lists: Arrow converts a list of strings some 40 times faster than a tuple.
        data = {c: pa.array([r[i] for r in rows], pa.string()) for i, c in enumerate(self.cells)}
        data["_location"] = pa.array(self.locations, pa.string())
        block = pa.table(data)
        self.read += block.num_rows
        if self.builder is not None:
            block, found = self.builder(self.name, block)
            self.problems.append(found)
        self.blocks.append(block)
        self.buffer.clear()
        self.locations.clear()

    def table(self) -> pa.Table:
        self.flush()
        blocks = [b for b in self.blocks if b.num_rows] or self.blocks[:1]
        if not blocks:
            schema = pa.schema([(c, pa.string()) for c in [*self.cells, "_location"]])
            return schema.empty_table()
        return pa.concat_tables(blocks)


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag[tag.index("}") + 1 :] if tag[:1] == "{" else tag


def check_prolog(path: Path, limits: Limits) -> str:
    """The root element's name, once the file is known to declare no DTD or entities."""
    check_size(path, limits)
    with path.open("rb") as f:
        head = f.read(PROLOG_LIMIT)
    if not head.strip():
        raise ReturnError(f"{path}: not well-formed XML: the file is empty")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        if b"\0" in head:
            raise ReturnError(f"{path}: not well-formed XML: the file is binary")
        text = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0 or text[position:start].strip():
            raise ReturnError(f"{path}: not well-formed XML: no root element at the start")
        ahead = text[start : start + 9].upper()
        if ahead.startswith(("<!DOCTYPE", "<!ENTITY")):
            raise ReturnError(
                f"{path}: refused: the file declares a DTD or entities; a return never needs "
                "them and they are how XML attacks (entity expansion, external entities) arrive"
            )
        if ahead.startswith("<?"):
            end = text.find("?>", start)
            skip = 2
        elif ahead.startswith("<!--"):
            end = text.find("-->", start)
            skip = 3
        else:
            words = text[start + 1 :].split(">", 1)[0].split(None, 1)
            name = words[0].rstrip("/") if words else ""
            if not name or name[0] in "!?<":
                raise ReturnError(f"{path}: not well-formed XML: no root element at the start")
            return name.split(":")[-1]
        if end < 0:
            raise ReturnError(
                f"{path}: not well-formed XML: no root element in the first {PROLOG_LIMIT:,} bytes"
            )
        position = end + skip


class Stream:
    """Rows of every table under one record group, gathered from a file's elements."""

    def __init__(self, path: Path, record: Group, builder: Builder | None = None) -> None:
        self.path = path
        self.record = record
        self.builder = builder
        self.rows: dict[str, Rows] = {}
        self.problems = Problems()
        self._notes: dict[str, list[tuple[str, str, str, str]]] = {}
        self._overflow: dict[str, int] = {}
        self._unknown: dict[str, tuple[str, int]] = {}
        self._blank: dict[str, dict[str, str | None]] = {}
        self._register(record)

    def _register(self, group: Group) -> None:
        if group.table is not None and group.table not in self.rows:
            self.rows[group.table] = Rows(group.table, group.cells(), self.builder)
            self._blank[group.table] = dict.fromkeys(group.cells())
        for sub in group.groups:
            self._register(sub)

    def note(self, rule: str, location: str, field: str, value: str, message: str) -> None:
        notes = self._notes.setdefault(rule, [])
        if len(notes) < PROBLEM_CAP:
            notes.append((location, field, value[:200], message))
        else:
            self._overflow[rule] = self._overflow.get(rule, 0) + 1

    def add_record(self, element: Element, location: str) -> None:
        """One record element (and everything below it) into rows."""
        group = self.record
        assert group.table is not None
        self._record(element, group, self._blank[group.table].copy(), location)

    def _record(self, element: Element, group: Group, row: dict[str, str | None], at: str) -> None:
        pending: list[tuple[Element, Group, str]] = []
        self._fill(element, group, row, at, "", pending)
        self._keep(group.table, row, at)  # type: ignore[arg-type]
        if not pending:
            return
        counts: dict[str, int] = {}
        for sub, sub_group, prefix in pending:
            name = f"{prefix}/{sub_group.tag}"
            n = counts[name] = counts.get(name, 0) + 1
            sub_row = self._blank[sub_group.table].copy()  # type: ignore[index]
            for cell in sub_group.inherit:
                sub_row[cell] = row[cell]
            if sub_group.text is not None:
                sub_row[sub_group.text] = sub.text
                if not sub_group.actions and not len(sub):
                    # A record that is only its text (a disability, a factor, a review
                    # date): nearly half the records of a census, so no walk below it.
                    self._keep(sub_group.table, sub_row, f"{at}{name}[{n}]")  # type: ignore[arg-type]
                    continue
            self._record(sub, sub_group, sub_row, f"{at}{name}[{n}]")

    def _keep(self, table: str, row: dict[str, str | None], at: str) -> None:
        rows = self.rows[table]
        rows.buffer.append(tuple(row.values()))
        rows.locations.append(at)
        if len(rows.buffer) >= FLUSH_ROWS:
            rows.flush()

    def _fill(
        self,
        element: Element,
        group: Group,
        row: dict[str, str | None],
        at: str,
        prefix: str,
        pending: list[tuple[Element, Group, str]],
    ) -> None:
        # The hot loop of a national file: one dictionary look-up per element.
        actions = group.actions
        text = element.text
        if text is not None and group.text is None and not text.isspace():
            self._stray(text, f"{at}{prefix}", local(element.tag))
        for sub in element:
            tag = sub.tag
            if tag[0] == "{":
                tag = local(tag)
            action = actions.get(tag, _UNKNOWN)
            if action.__class__ is str:
                cell: str = action
                if row[cell] is not None:
                    self.note(
                        Reading.XML_REPEATED,
                        f"{at}{prefix}/{tag}",
                        tag,
                        sub.text or "",
                        f"{tag} appears more than once; the last one is loaded",
                    )
                row[cell] = sub.text
            elif action.__class__ is Group:
                sub_group: Group = action
                if sub_group.table is None:
                    self._fill(sub, sub_group, row, at, f"{prefix}/{tag}", pending)
                else:
                    pending.append((sub, sub_group, prefix))
            elif action is _UNKNOWN:
                name = f"{prefix}/{tag}"
                first, seen = self._unknown.get(name, (f"{at}{name}", 0))
                self._unknown[name] = (first, seen + 1)
            tail = sub.tail
            if tail is not None and not tail.isspace():
                self._stray(tail, f"{at}{prefix}/{tag}", tag)

    def _stray(self, text: str, at: str, tag: str) -> None:
        self.note(
            Reading.XML_STRAY_TEXT,
            at,
            tag,
            text.strip(),
            f"text {text.strip()[:60]!r} outside any element, next to {tag}; ignored",
        )

    def state(self) -> State:
        """What was gathered, in a form that crosses a process boundary."""
        tables = {name: rows.table() for name, rows in self.rows.items()}
        return State(
            tables,
            {name: rows.read for name, rows in self.rows.items()},
            [p for rows in self.rows.values() for p in rows.problems if p.num_rows],
            self._notes,
            self._overflow,
            self._unknown,
        )

    def merge(self, state: State) -> None:
        """Add what another reader of the same file gathered from its share of the records."""
        for name, table in state.tables.items():
            rows = self.rows[name]
            rows.blocks.append(table)
            rows.read += state.read[name]
        for found in state.problems:
            self.problems.extend(found)
        for rule, notes in state.notes.items():
            for note in notes:
                self.note(rule, *note)
        for rule, more in state.overflow.items():
            self._overflow[rule] = self._overflow.get(rule, 0) + more
        for name, (first, count) in state.unknown.items():
            held = self._unknown.get(name)
            if held is None:
                self._unknown[name] = (first, count)
            else:
                self._unknown[name] = (min(held[0], first, key=_document_order), held[1] + count)

    def finish(self) -> dict[str, pa.Table]:
        """Every table's text rows (with `_location`), and the structural problems listed."""
        file = str(self.path)
        for rule, notes in self._notes.items():
            if not notes:
                continue
            locations, fields, values, messages = (list(x) for x in zip(*notes, strict=True))
            self.problems.extend(
                problem_rows(
                    file=file,
                    table="",
                    locations=pa.array(locations, pa.string()),
                    field=pa.array(fields, pa.string()),
                    values=pa.array(values, pa.string()),
                    rule=rule,
                    severity=Severity.WARNING,
                    message=pa.array(messages, pa.string()),
                )
            )
        for rule, more in self._overflow.items():
            self.problems.extend(
                problem_rows(
                    file=file,
                    table="",
                    locations=pa.array(["file"]),
                    field="",
                    values=str(more),
                    rule=rule,
                    severity=Severity.WARNING,
                    message=f"{more} more {rule} problems in this file, not listed one by one",
                )
            )
        for name, (first, count) in sorted(self._unknown.items()):
            tag = name.rsplit("/", 1)[-1]
            self.problems.extend(
                problem_rows(
                    file=file,
                    table="",
                    locations=pa.array([first]),
                    field=tag,
                    values=str(count),
                    rule=Reading.XML_UNKNOWN_ELEMENT,
                    severity=Severity.WARNING,
                    message=f"element {tag} is not part of the return ({count} found, the "
                    "first here); not loaded",
                )
            )
        return {name: rows.table() for name, rows in self.rows.items()}


def elements(
    path: Path,
    tags: tuple[str, ...],
    *,
    progress: Progress | None = None,
    every: int = 2_000,
    share: Share | None = None,
) -> Iterator[tuple[str, Element]]:
    """Each complete element named in `tags` (any namespace), cleared once the caller is done.

    The file must have passed `check_prolog`. The parser is told never to load a DTD, reach
    the network or expand an entity, and to keep its own limits on depth and text size.
    With a `share`, only that part of the file is read, as a document of its own.
    """
    with path.open("rb") as f:
        source: IO[bytes] = f if share is None else ShareReader(f, share)  # type: ignore[assignment]
        yield from _elements(source, path, tags, progress, every)


def _elements(
    f: IO[bytes], path: Path, tags: tuple[str, ...], progress: Progress | None, every: int
) -> Iterator[tuple[str, Element]]:
    from lxml import etree  # here: a 903 in CSV files needs no XML parser (0.01 s to import)

    count = 0
    events = etree.iterparse(
        f,
        events=("end",),
        tag=[f"{{*}}{tag}" for tag in tags],
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for _event, element in events:
            yield local(element.tag), element
            # Done with it: drop it and everything before it, so memory stays bounded.
            element.clear(keep_tail=True)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
            count += 1
            if progress is not None and count % every == 0:
                progress(f.tell())
    except etree.XMLSyntaxError as exc:
        raise ReturnError(f"{path}: not well-formed XML: {exc}") from None
    if progress is not None:
        progress(f.tell())


def leaves(element: Element) -> dict[str, str | None]:
    """The text of every element below one that has no elements of its own, by local name."""
    return {local(e.tag): e.text for e in element.iter() if not len(e)}


@dataclass(frozen=True)
class Share:
    """Whole record elements at bytes `start` to `end` of a file, read as a document of its
    own: `opening` and `closing` stand for the elements around them."""

    start: int
    end: int
    before: int  # records in the file before `start`
    records: int  # records in the share
    opening: bytes
    closing: bytes


class ShareReader:
    """A file-like view of a share: its opening, its bytes of the file, its closing."""

    def __init__(self, f: IO[bytes], share: Share) -> None:
        self.f = f
        self.share = share
        f.seek(share.start)
        self.left = share.end - share.start
        self.pending = [share.opening]
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        size = size if size > 0 else 1 << 16
        if self.pending and self.pending[0]:
            out, self.pending[0] = self.pending[0][:size], self.pending[0][size:]
        elif self.left > 0:
            out = self.f.read(min(size, self.left))
            self.left -= len(out)
            self.done += len(out)
            if self.left <= 0:
                self.pending = [self.share.closing]
        elif self.pending:
            out, self.pending[0] = self.pending[0][:size], self.pending[0][size:]
            if not self.pending[0]:
                self.pending = []
        else:
            out = b""
        return out

    def tell(self) -> int:
        return self.share.start + self.done


def _count(view: mmap.mmap, marker: bytes, start: int, end: int) -> int:
    """Occurrences of `marker` starting at bytes `start` to `end` (a chunk at a time)."""
    found, step = 0, 1 << 26
    for i in range(start, end, step):
        j = min(i + step, end)
        found += view[i : min(j + len(marker) - 1, end)].count(marker)
    return found


def cut(path: Path, record: str, at: str, parts: int) -> list[Share] | None:
    """Cut a file into shares at record elements, or None where it cannot be cut safely.

    A cut is made only before `<record>` written plainly, in a UTF-8 (or ASCII) file; each
    reader checks that its share held the records counted here, and the file is read the
    slow way if one did not.
    """
    with path.open("rb") as f:
        head = f.read(PROLOG_LIMIT)
    declared = re.match(rb"\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)", head)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        declared and declared.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii")
    ):
        return None
    names = at.split("/")
    root = re.search(rb"<" + re.escape(names[0].encode()) + rb"[\s>]", head)
    if root is None:
        return None
    opening = head[root.start() : head.index(b">", root.start()) + 1]
    opening += b"".join(f"<{name}>".encode() for name in names[1:])
    closing = b"".join(f"</{name}>".encode() for name in reversed(names))
    marker = f"<{record}>".encode()
    size = path.stat().st_size
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
        first = view.find(marker)
        if first < 0:
            return None
        cuts = [first]
        for k in range(1, parts):
            position = view.find(marker, size * k // parts)
            if position <= cuts[-1]:
                break
            cuts.append(position)
        bounds = [*cuts, size]
        counts = [_count(view, marker, a, b) for a, b in itertools.pairwise(bounds)]
    if len(cuts) < 2:
        return None
    shares = []
    before = 0
    for k, (start, end) in enumerate(itertools.pairwise(bounds)):
        last = k == len(cuts) - 1
        shares.append(
            Share(
                0 if k == 0 else start,
                end,
                before,
                counts[k],
                b"" if k == 0 else opening,
                b"" if last else closing,
            )
        )
        before += counts[k]
    return shares


@dataclass
class Records:
    """Everything read from an XML return: its tables (text, or typed by the builder), the
    rows read into each, the problems found, and the header's leaves."""

    tables: dict[str, pa.Table]
    read: dict[str, int]
    problems: Problems
    header: dict[str, str | None]


# Above this size a file is read by several processes, each building the rows of a share
# of the records (all parse the whole file; building rows is the costly part).
PARALLEL_BYTES = 256 << 20
_progress_value: Any = None


def read_records(
    path: Path,
    record: Group,
    *,
    at: str,
    header: str | None = None,
    builder: Builder | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Records:
    """The rows under every `record` element (found at `at`) and the `header` element's leaves.

    With a `builder`, each block of rows is typed as it is read. A large file is read by
    several processes at once, each taking a share of the records; a builder given then
    must be picklable (a module-level function, or a partial of one).
    """
    parts = workers if workers is not None else _workers_for(path)
    stream = Stream(path, record, builder)
    states: list[tuple[State, dict[str, str | None]]] | None
    if parts <= 1:
        state, head = _read_share(path, record, at, header, builder, None, 0, 1, progress, None)
        assert state is not None  # without a share, a reader always has a state
        states = [(state, head)]
    else:
        import multiprocessing

        # Fresh processes, not forks: a fork of a process running DuckDB's threads may hang.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["cscmonitor.returns.cin_census"])
        done = context.Value("q", 0)
        with (
            tempfile.TemporaryDirectory(prefix="cscmonitor-") as scratch,
            context.Pool(parts, initializer=_set_progress, initargs=(done,)) as pool,
        ):
            folder = Path(scratch)
            pieces = cut(path, record.tag, at, parts) or []
            states = _in_parallel(
                pool,
                done,
                progress,
                [
                    (path, record, at, header, builder, piece, k, len(pieces), None, folder)
                    for k, piece in enumerate(pieces)
                ],
            )
            if states is None:  # no cut, or a share did not hold its records: every reader
                # parses the whole file and builds the rows of every n-th record.
                states = _in_parallel(
                    pool,
                    done,
                    progress,
                    [
                        (path, record, at, header, builder, None, k, parts, None, folder)
                        for k in range(parts)
                    ],
                )
            assert states is not None  # without shares, every reader has a state
        if progress is not None:
            progress(path.stat().st_size)
    for state, _head in states:
        stream.merge(state)
    tables = stream.finish()
    read = {name: rows.read for name, rows in stream.rows.items()}
    return Records(tables, read, stream.problems, states[0][1])


def _in_parallel(
    pool: Any, done: Any, progress: Progress | None, shares: list[tuple[Any, ...]]
) -> list[tuple[State, dict[str, str | None]]] | None:
    """Every share read by the pool; None if there were none, or one did not hold its records."""
    if not shares:
        return None
    pending = pool.starmap_async(_read_share, shares)
    while not pending.ready():
        pending.wait(0.2)
        if progress is not None:
            progress(int(done.value))
    results = pending.get()
    states = [(state.from_files(), head) for state, head in results if state is not None]
    return states if results and len(states) == len(results) else None


def _workers_for(path: Path) -> int:
    import multiprocessing

    if (
        path.stat().st_size < PARALLEL_BYTES
        or "forkserver" not in multiprocessing.get_all_start_methods()
    ):
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), 4))


def _set_progress(value: Any) -> None:
    global _progress_value
    _progress_value = value


def _report_progress(done: int) -> None:
    if _progress_value is not None:
        _progress_value.value = done


def _read_share(
    path: Path,
    record: Group,
    at: str,
    header: str | None,
    builder: Builder | None,
    share: Share | None,
    part: int,
    parts: int,
    progress: Progress | None,
    folder: Path | None,
) -> tuple[State | None, dict[str, str | None]]:
    """Rows of the records of a share of the file, or (without one) of every `parts`-th
    record from record `part` (from 0). No state when the share did not hold its records."""
    stream = Stream(path, record, builder)
    head: dict[str, str | None] = {}
    count = share.before if share is not None else 0
    tags = (record.tag, header) if header else (record.tag,)
    step = progress if progress is not None else (_report_progress if part == 0 else None)
    for tag, element in elements(path, tags, progress=step, share=share):
        if tag == record.tag:
            count += 1
            if share is not None or (count - 1) % parts == part:
                stream.add_record(element, f"{at}/{record.tag}[{count}]")
        else:
            head = leaves(element)
    if share is not None and count - share.before != share.records:
        return None, head
    state = stream.state()
    return (state.to_files(folder, part) if folder is not None else state), head
