"""Compile a list of kernels' signatures into numba's disk cache ahead of a run, on several
processes: the compile paid once per install instead of by the first run.

numba compiles a kernel the first time it is called with new argument types and, with
``cache=True``, keeps the machine code on disk for every later process. A list of the
signatures a run calls (kept beside the kernels, written by :func:`record`) lets an install
compile them before any run, each process taking a share (:func:`shares`): a kernel's
signatures stay in one process, so two processes never write one kernel's cache index at once.
A signature compiled as a callee inside another kernel is listed as ``nested``: it is compiled
with its caller and never called from Python, so it is not compiled on its own.

The list's lines are ``module:attribute  seconds  nested|top  signature``, the attribute a
kernel (numba dispatcher) or ``NAME.serial`` / ``NAME.threaded`` for a
:func:`~thermidor.engine.accel.kernels.threaded` one; the signature is numba's type syntax
(``int8[::1]`` a C-contiguous array of int8, ``named("module:Class", float64, ...)`` a named
tuple). The engine reads and writes lists; which modules they cover is their owner's business.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
import types as pytypes
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from numba.core import event, types
from numba.core.dispatcher import Dispatcher

from thermidor.engine.accel.kernels import _Threaded


@dataclass(frozen=True)
class Entry:
    """One signature of one kernel: where it lives, what it cost to compile, whether it is
    called from Python (``top``) or only compiled inside another kernel (``nested``)."""

    kernel: str  # "module:attribute"
    seconds: float
    top: bool
    signature: str

    def line(self) -> str:
        return f"{self.kernel}  {self.seconds:.2f}  {'top' if self.top else 'nested'}  {self.signature}"


# -- the signatures' text ---------------------------------------------------------------------
def signature_text(sig: Sequence[types.Type]) -> str:
    """``sig`` (numba's argument types) in the list's syntax; a type it cannot write raises."""
    return "(" + ", ".join(_type_text(t) for t in sig) + ("," if len(sig) == 1 else "") + ")"


def _type_text(t: types.Type) -> str:
    if isinstance(t, types.Array):
        if not t.mutable or not t.aligned or t.layout not in "CA":
            raise ValueError(f"no text for the array type {t}")
        dims = [":"] * t.ndim
        if t.layout == "C":
            dims[-1] = "::1"
        return f"{_type_text(t.dtype)}[{', '.join(dims)}]"
    if isinstance(t, types.Literal):  # a constant a kernel passes to its callee
        return f"literal({t.literal_value!r})"
    if isinstance(t, types.Boolean):
        return "boolean"
    if isinstance(t, types.Integer | types.Float):
        return str(t)
    fields: Any = getattr(t, "types", ())  # a tuple's field types (numba's stubs omit them)
    if isinstance(t, types.BaseNamedTuple):
        pyclass: Any = getattr(t, "instance_class", None)
        cls = f"{pyclass.__module__}:{pyclass.__qualname__}"
        return f"named({cls!r}, {', '.join(_type_text(x) for x in fields)})"
    if isinstance(t, types.BaseTuple):
        return f"tuple_of({', '.join(_type_text(x) for x in fields)})"
    raise ValueError(f"no text for the type {t}")


def _named(cls: str, *fields: types.Type) -> types.Type:
    module, _, name = cls.partition(":")
    return types.BaseTuple.from_types(fields, getattr(importlib.import_module(module), name))


def _tuple_of(*fields: types.Type) -> types.Type:
    return types.BaseTuple.from_types(fields)


_NAMES: dict[str, Any] = {
    **{n: getattr(types, n) for n in ("boolean", "float32", "float64")},
    **{f"{s}int{b}": getattr(types, f"{s}int{b}") for s in ("", "u") for b in (8, 16, 32, 64)},
    "literal": types.literal,
    "named": _named,
    "tuple_of": _tuple_of,
}


def parse_signature(text: str) -> tuple[types.Type, ...]:
    """The argument types :func:`signature_text` wrote (numba's type names and nothing else)."""
    sig = eval(text, {"__builtins__": {}}, dict(_NAMES))  # the names above, no builtins
    if not isinstance(sig, tuple) or not all(isinstance(t, types.Type) for t in sig):
        raise ValueError(f"not a signature: {text}")
    return sig


# -- kernels by name --------------------------------------------------------------------------
def kernels_of(module: pytypes.ModuleType) -> Iterator[tuple[str, Dispatcher]]:
    """``(module:attribute, dispatcher)`` for each kernel ``module`` defines (a threaded
    kernel's two compilations each under their own name)."""
    seen: set[int] = set()  # a kernel bound to two names is listed under the first
    for name, value in vars(module).items():
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, Dispatcher) and value.py_func.__module__ == module.__name__:
            yield f"{module.__name__}:{name}", value
        elif isinstance(value, _Threaded) and value.serial.py_func.__module__ == module.__name__:
            yield f"{module.__name__}:{name}.serial", value.serial
            yield f"{module.__name__}:{name}.threaded", value.threaded


def kernel(path: str) -> Dispatcher:
    """The dispatcher a list names (``module:attribute[.serial|.threaded]``)."""
    module, _, attr = path.partition(":")
    value: Any = importlib.import_module(module)
    for part in attr.split("."):
        value = getattr(value, part)
    if not isinstance(value, Dispatcher):
        raise ValueError(f"{path} is not a numba kernel")
    return value


# -- recording what a run compiles ------------------------------------------------------------
@contextmanager
def recording(modules: Iterable[pytypes.ModuleType]) -> Iterator[list[Entry]]:
    """The signatures compiled inside the block, in compile order, each with its compile time
    (its callees' included) and whether Python called it (``top``) or another kernel did.
    Run it where numba's cache is empty, or the signatures it loads go unrecorded."""
    entries: list[Entry] = []
    stack: list[float] = []
    names: dict[int, str] = {}

    def name_of(d: Dispatcher) -> str | None:
        if not names:
            names.update((id(k), n) for m in modules for n, k in kernels_of(m))
        return names.get(id(d))

    class _Listener(event.Listener):
        def on_start(self, ev: event.Event) -> None:
            stack.append(time.process_time())

        def on_end(self, ev: event.Event) -> None:
            seconds = time.process_time() - stack.pop()
            name = name_of(ev.data["dispatcher"])
            if name is not None:
                sig = signature_text(ev.data["args"])
                entries.append(Entry(name, seconds, not stack, sig))

    listener = _Listener()
    event.register("numba:compile", listener)
    try:
        yield entries
    finally:
        event.unregister("numba:compile", listener)


def held(modules: Iterable[pytypes.ModuleType]) -> set[tuple[str, str]]:
    """``(kernel, signature)`` for every signature the modules' kernels hold in this process
    (compiled or loaded from the cache)."""
    return {
        (name, signature_text(sig))
        for m in modules
        for name, d in kernels_of(m)
        for sig in d.signatures
    }


def write_list(path: Path, entries: Iterable[Entry], header: str) -> None:
    """The list at ``path`` (atomically): one line per kernel and signature, first seen first."""
    seen: set[tuple[str, str]] = set()
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for e in entries:
        if (e.kernel, e.signature) not in seen:
            seen.add((e.kernel, e.signature))
            lines.append(e.line())
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(path)


def read_list(path: Path) -> list[Entry]:
    out = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            kernel_, seconds, where, sig = line.split(None, 3)
            out.append(Entry(kernel_, float(seconds), where == "top", sig))
    return out


# -- compiling a list -------------------------------------------------------------------------
def shares(entries: Sequence[Entry], n: int) -> list[list[Entry]]:
    """The list's ``top`` signatures in ``n`` shares of about equal compile time (longest
    kernel first, each to the lightest share), a kernel's signatures all in one share."""
    by_kernel: dict[str, list[Entry]] = {}
    for e in entries:
        if e.top:
            by_kernel.setdefault(e.kernel, []).append(e)
    out: list[list[Entry]] = [[] for _ in range(max(n, 1))]
    load = [0.0] * len(out)
    for group in sorted(by_kernel.values(), key=lambda g: -sum(e.seconds for e in g)):
        i = load.index(min(load))
        out[i].extend(group)
        load[i] += sum(e.seconds for e in group)
    return out


def compile_entries(entries: Iterable[Entry], warn: Callable[[str], None]) -> int:
    """Compile (or load from the cache) each entry; one that fails is said and skipped (the
    run then compiles what it needs itself). Returns how many failed."""
    failed = 0
    for e in entries:
        try:
            kernel(e.kernel).compile(parse_signature(e.signature))
        except Exception as err:  # a stale list costs a compile at the first run, no more
            warn(f"warm: {e.kernel} {e.signature}: {type(err).__name__}: {err}")
            failed += 1
    return failed


def warm(
    entries: Sequence[Entry], workers: int, child: list[str], warn: Callable[[str], None]
) -> int:
    """Compile the list's top signatures on ``workers`` processes: this one takes the first
    share, ``child + ["--share", "i/n"]`` (a command line) each other; then this one loads every
    share from the cache, compiling what a child left undone. Returns how many failed."""
    parts = shares(entries, workers)
    n = len(parts)
    procs = [
        subprocess.Popen([*child, "--share", f"{i}/{n}"], env=os.environ.copy())
        for i in range(1, n)
        if parts[i]
    ]
    failed = compile_entries(parts[0], warn)
    for p in procs:
        p.wait()
    return failed + compile_entries([e for part in parts[1:] for e in part], warn)


def workers_here() -> int:
    """The cores this process may use (at most one share per core)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def say(message: str) -> None:
    print(message, file=sys.stderr)
