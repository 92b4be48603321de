"""One formatter for every table the command line prints: ``--format table|plain|csv|json``.

- ``table``: a boxed table as wide as the terminal. Each column is given at least its longest
  word, so cells wrap at word boundaries and are never cut; a table whose longest words do not
  fit side by side is printed as ``plain`` instead.
- ``plain`` (the default when stdout is not a terminal: a log, a pipe, a file): columns
  separated by spaces, each cell wrapped at word boundaries within its column (each at least its
  longest word); where the longest words do not fit side by side, one block per row, ``field
  value`` lines wrapped under the value. No boxes, no ellipses, no line
  wider than the width (``COLUMNS``, 80 when it is unset and stdout is not a terminal).
- ``csv``: the same columns, one header row, values as data (numbers unformatted).
- ``json``: the command's data (a list of objects, or the command's own structure).

Notes (warnings beside a table) follow it on stdout in ``table`` and ``plain``, and go to stderr
in ``csv``, so that stdout stays data (``json`` prints the data alone).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import typer
from rich.table import Table
from rich.text import Text

from thermidor.cli.app import console, err
from thermidor.model.errors import ScenarioError

Format = Literal["table", "plain", "csv", "json"]
FORMATS: tuple[Format, ...] = ("table", "plain", "csv", "json")
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="table|plain|csv|json",
        help="how to print: a table (the default on a terminal), plain text (the default "
        "otherwise), CSV or JSON",
        show_default=False,
    ),
]
GAP = 2  # spaces between plain columns


@dataclass(frozen=True)
class Col:
    """A column: its title, the text shown in a table, and the value written as data."""

    title: str
    text: Callable[[Mapping[str, Any]], str]
    value: Callable[[Mapping[str, Any]], Any] | None = None
    style: Callable[[Mapping[str, Any]], str] | None = None
    split: tuple[str, ...] = ()  # as data, the value is a sequence: one field of each name

    def data(self, row: Mapping[str, Any]) -> Any:
        return (self.value or self.text)(row)

    def fields(self, row: Mapping[str, Any]) -> dict[str, Any]:
        v = self.data(row)
        if self.split:
            return dict(zip(self.split, v or [None] * len(self.split), strict=True))
        return {self.title: v}

    def heads(self) -> tuple[str, ...]:
        return self.split or (self.title,)


def col(
    title: str,
    key: str | None = None,
    fmt: Callable[[Any], str] | None = None,
    style: Callable[[Mapping[str, Any]], str] | None = None,
) -> Col:
    """A column showing ``row[key]`` (default: the title) through ``fmt`` (default ``str``,
    ``-`` for None); its data value is ``row[key]`` itself."""
    k = key or title
    show = fmt or (lambda v: "-" if v is None else str(v))
    return Col(title, lambda r: show(r.get(k)), lambda r: r.get(k), style)


@dataclass
class Sheet:
    """A table: a title, its columns, its rows (mappings) and the notes printed after it."""

    title: str
    cols: Sequence[Col]
    rows: Sequence[Mapping[str, Any]]
    notes: list[str] = field(default_factory=list)
    name: str = ""  # the key of this table in JSON output of several tables

    def cells(self) -> list[list[str]]:
        return [[c.text(r) for c in self.cols] for r in self.rows]

    def records(self) -> list[dict[str, Any]]:
        return [{k: v for c in self.cols for k, v in c.fields(r).items()} for r in self.rows]


def resolve(fmt: str | None, as_json: bool = False) -> Format:
    """The format asked for (``--json`` is ``--format json``), else table on a terminal."""
    if as_json:
        if fmt not in (None, "json"):
            raise ScenarioError("format", fmt, "json with --json, or drop --json")
        return "json"
    if fmt is None:
        return "table" if console.is_terminal else "plain"
    if fmt not in FORMATS:
        raise ScenarioError("format", fmt, " | ".join(FORMATS))
    return fmt  # type: ignore[return-value]


def width() -> int:
    """``COLUMNS`` as it is now (the console fixes it when it is made), else the console's."""
    columns = os.environ.get("COLUMNS", "")
    return max(40, int(columns) if columns.isdigit() else console.width)


def show(
    sheets: Sheet | Sequence[Sheet],
    fmt: Format,
    data: Any = None,
    footer: Sequence[str] = (),
) -> None:
    """Print ``sheets`` in ``fmt``. ``data``: what ``json`` prints (default: each sheet's rows
    as objects). ``footer``: lines after the tables (stdout in table/plain, stderr otherwise)."""
    group = [sheets] if isinstance(sheets, Sheet) else list(sheets)
    if fmt == "json":
        if data is None:
            data = (
                group[0].records()
                if len(group) == 1
                else {s.name or s.title: s.records() for s in group}
            )
        sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        for i, s in enumerate(group):
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            if len(group) > 1:
                buf.write(("\n" if i else "") + f"# {s.title}\n")
            w.writerow([h for c in s.cols for h in c.heads()])
            for r in s.records():
                w.writerow(["" if v is None else _csv(v) for v in r.values()])
            sys.stdout.write(buf.getvalue())
    else:
        for i, s in enumerate(group):
            if i:
                _out("")
            if fmt == "table" and _table(s):
                pass
            else:
                _plain(s)
            for n in s.notes:
                _out(_wrap(f"note: {n}", width(), "      "))
    if fmt == "csv":  # (JSON carries its notes in its data, or needs none)
        for s in group:
            for n in s.notes:
                err.print(f"note: {n}", markup=False, highlight=False, soft_wrap=True)
        for line in footer:
            err.print(line, markup=False, highlight=False, soft_wrap=True)
    elif fmt != "json":
        for line in footer:
            _out(_wrap(line, width()))


def _csv(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, default=str)
    return v


def _out(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True, crop=False)


def _words(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


def _lines(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _allocate(s: Sheet, cells: list[list[str]], room: int) -> list[int] | None:
    """Column widths within ``room``: each column at least its longest word (so no word is
    cut), at most its longest line, the spare room shared in proportion to what each wants;
    None when the longest words do not fit side by side."""
    n = len(s.cols)
    longest = [
        max([_lines(c.title)] + [_lines(row[j]) for row in cells]) for j, c in enumerate(s.cols)
    ]
    shortest = [
        max([_words(c.title)] + [_words(row[j]) for row in cells]) for j, c in enumerate(s.cols)
    ]
    if n == 0 or sum(shortest) > room:
        return None
    if sum(longest) <= room:
        return longest
    spare = room - sum(shortest)
    want = [lo - sh for lo, sh in zip(longest, shortest, strict=True)]
    total = sum(want) or 1
    return [sh + spare * w // total for sh, w in zip(shortest, want, strict=True)]


def _table(s: Sheet) -> bool:
    """A boxed table in which no word is cut; False (nothing printed) when it cannot fit."""
    cells = s.cells()
    widths = _allocate(s, cells, width() - (3 * len(s.cols) + 1))  # padding, rules, edges
    if widths is None:
        return False
    t = Table(title=s.title, title_justify="left")
    for c, w in zip(s.cols, widths, strict=True):
        t.add_column(c.title, width=w, overflow="fold")
    for r, row in zip(s.rows, cells, strict=True):
        t.add_row(
            *(
                Text(text, style=(c.style(r) if c.style else ""))
                for c, text in zip(s.cols, row, strict=True)
            )
        )
    console.print(t)
    return True


def _plain(s: Sheet) -> None:
    """Columns separated by spaces, each cell wrapped at word boundaries within its column;
    where the longest words do not fit side by side, one block per row."""
    w = width()
    cells = s.cells()
    titles = [c.title for c in s.cols]
    _out(_wrap(s.title, w))
    if not cells:
        _out("(none)")
        return
    # bytes beyond characters (``§``, ``–``): room kept so that a padded line stays within w
    extra = [
        max(size(x) - len(x) for x in [titles[j]] + [r[j] for r in cells])
        for j in range(len(titles))
    ]
    widths = _allocate(s, cells, w - GAP * (len(titles) - 1) - sum(extra))
    if widths is not None and len(titles) > 1:
        _out(_columns(titles, widths))
        _out(_columns(["-" * x for x in widths], widths))
        for r in cells:
            _out(_columns(r, widths))
        return
    label = max(len(t) for t in titles[1:]) if len(titles) > 1 else 0
    for r in cells:
        _out("")
        head = f"{titles[0]} {r[0]}" if r[0].replace(".", "", 1).isdigit() else r[0]
        _out(_wrap(head, w))
        for t, v in zip(titles[1:], r[1:], strict=True):
            _out(_wrap(f"  {t.ljust(label)}  {v}", w, " " * (label + 4)))


def _columns(cells: Sequence[str], widths: Sequence[int]) -> str:
    """One row: each cell wrapped within its width, the cells side by side, line by line."""
    # within a column, characters (the room for multi-byte ones is kept apart by ``_plain``)
    parts = [_wrap(c, x, measure=len).split("\n") for c, x in zip(cells, widths, strict=True)]
    height = max(len(p) for p in parts)
    lines = []
    for i in range(height):
        pieces = [(p[i] if i < len(p) else "").ljust(x) for p, x in zip(parts, widths, strict=True)]
        lines.append((" " * GAP).join(pieces).rstrip())
    return "\n".join(lines)


def size(text: str) -> int:
    """A line's length as tools count it: bytes of UTF-8 (``§``, ``–`` take two or three), so
    that a line within the width is within it for ``awk 'length > 80'`` in any locale."""
    return len(text.encode())


def _wrap(text: str, w: int, indent: str = "", measure: Callable[[str], int] = size) -> str:
    """Greedy wrap at spaces, each line at most ``w`` (by ``measure``: bytes, or characters
    within a column whose multi-byte room is kept apart), continuation lines beginning with
    ``indent`` (the spaces within a line are kept: they align its fields); a word longer than
    a whole line is the only thing cut."""
    out: list[str] = []
    for i, para in enumerate(text.split("\n")):
        line = indent if i else ""
        fresh, first = True, True  # the line holds only its indent; the paragraph's first word
        for gap, word in re.findall(r"( *)(\S+)", para):
            joined = line + (gap if first or not fresh else "") + word
            first = False
            if measure(joined) <= w:
                line, fresh = joined, False
                continue
            if not fresh:
                out.append(line)
                line, fresh = indent, True
            while measure(line + word) > w and len(word) > 1:  # longer than a line: cut it
                k = len(word) - 1
                while k > 1 and measure(line + word[:k]) > w:
                    k -= 1
                out.append(line + word[:k])
                word = word[k:]
            line, fresh = line + word, False
        out.append(line.rstrip())
    return "\n".join(out)
