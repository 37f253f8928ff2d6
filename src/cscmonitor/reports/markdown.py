"""People's simple Markdown as document blocks: paragraphs, bullet and numbered lists,
*emphasis*, **strong** and [links](https://…).

Parsed by markdown-it-py with only those rules on (its `zero` preset: raw HTML is never
passed through, it stays text). A link is kept only to http(s) or mailto; any other target
(javascript:, data:, a relative path) leaves just its text. A list inside a list is flattened
into the outer one: the document's lists have one level. Anything else (headings, tables,
code) is not Markdown here and shows as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from cscmonitor.reports.document import Block, Bullets, Item, Paragraph, Run

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_PARSER = MarkdownIt("zero").enable(["emphasis", "list", "link", "autolink", "escape", "newline"])


def safe_href(href: str | None) -> str | None:
    """The link target if it is http(s) with a host or mailto; else None (shown as text)."""
    if not href:
        return None
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return href.strip()


def runs(children: list[Token]) -> tuple[Run, ...]:
    """An inline token's children as runs, adjacent runs of one look merged."""
    found: list[Run] = []
    emphasis = strong = 0
    href: list[str | None] = []
    for token in children:
        match token.type:
            case "em_open":
                emphasis += 1
            case "em_close":
                emphasis -= 1
            case "strong_open":
                strong += 1
            case "strong_close":
                strong -= 1
            case "link_open":
                href.append(safe_href(str(token.attrs.get("href", ""))))
            case "link_close":
                href.pop()
            case "softbreak" | "hardbreak":
                found.append(Run(" ", emphasis > 0, strong > 0, href[-1] if href else None))
            case _:
                found.append(
                    Run(token.content, emphasis > 0, strong > 0, href[-1] if href else None)
                )
    merged: list[Run] = []
    for run in found:
        if not run.text:
            continue
        last = merged[-1] if merged else None
        if last is not None and (last.emphasis, last.strong, last.href) == (
            run.emphasis,
            run.strong,
            run.href,
        ):
            merged[-1] = Run(last.text + run.text, run.emphasis, run.strong, run.href)
        else:
            merged.append(run)
    return tuple(merged)


def plain(text_runs: tuple[Run, ...]) -> str:
    return "".join(r.text for r in text_runs)


@dataclass
class _List:
    ordered: bool
    items: list[tuple[Run, ...]] = field(default_factory=list)


def blocks(text: str) -> tuple[Block, ...]:
    """The Markdown text as paragraphs and lists."""
    out: list[Block] = []
    lists: list[_List] = []  # the outermost list being read, and any inside it
    open_items: list[int] = []  # each open item's index in the outermost list
    for token in _PARSER.parse(text):
        match token.type:
            case "bullet_list_open" | "ordered_list_open":
                lists.append(_List(token.type == "ordered_list_open"))
            case "bullet_list_close" | "ordered_list_close":
                done = lists.pop()
                if lists:
                    # A list inside a list: its items join the outermost one.
                    continue
                out.append(Bullets(tuple(Item(plain(r), runs=r) for r in done.items), done.ordered))
            case "list_item_open":
                lists[0].items.append(())
                open_items.append(len(lists[0].items) - 1)
            case "list_item_close":
                open_items.pop()
            case "inline":
                read = runs(token.children or [])
                if not read:
                    continue
                if open_items:
                    index = open_items[-1]
                    held = lists[0].items[index]
                    # A second paragraph of one item continues it after a space.
                    lists[0].items[index] = (*held, Run(" "), *read) if held else read
                else:
                    out.append(Paragraph(plain(read), runs=read))
    return tuple(out)
