"""The diagnostics of a history-matching fit as markdown, for docs/calibration.md.

``section(diagnostics)`` is the markdown (per wave: points, runs, kept share; per target: the
implausibility at the defaults, in each wave before and after its cut, and under the posterior
predictive; per parameter: the documented range, the last wave's box and the posterior; the
emergent targets' hit rates at the defaults and under the posterior predictive).
``splice(text, section)`` puts it between the markers ``BEGIN`` and ``END`` of a document,
replacing what was there, so the hand-written rest of the page stays as it is.
"""

from __future__ import annotations

from typing import Any

from thermidor.lab.errors import LabError

BEGIN = "<!-- history-matching:begin (written by thermidor calibrate --write-docs) -->"
END = "<!-- history-matching:end -->"


def _i(v: float | None) -> str:
    return "∞" if v is None else f"{v:.2g}"


def _wall(s: float | None) -> str:
    return "read back" if not s else f"{s:.0f} s"


def _share(row: dict[str, Any] | None) -> str:
    return "-" if row is None or row.get("hit_rate") is None else f"{row['hit_rate']:.0%}"


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def _walked(w: dict[str, Any]) -> list[str]:
    """The walk's diagnostics as a sentence."""
    per = w.get("acceptance_per_chain") or [0.0]
    acc = w.get("acceptance_after_adapt")
    return [
        f"Walk: {w['chains']} chains × {w['steps']} steps ({w.get('proposal', 'gaussian')} "
        f"moves; the first {w['adapt']} tune the scale and are not kept; {w['runs']} runs), "
        f"acceptance {'-' if acc is None else f'{acc:.0%}'} after adaptation (per chain "
        f"{min(per):.0%}–{max(per):.0%}); R-hat at most {_num(w.get('rhat_max'))} over the "
        f"{w['states_kept']} states after adaptation and {_num(w.get('rhat_max_second_half'))} "
        f"over their second half; effective sample size at least {w.get('ess_min') or 0:.0f} "
        "per parameter (below: each parameter's, with how far apart the chains' means over the "
        "second half lie, as a share of its range)."
    ]


def _of_range(v: float | None) -> str:
    return "-" if v is None else f"{v:.1%}"


def section(d: dict[str, Any]) -> str:
    cfg = d["config"]
    post = d["posterior"]
    lines = [
        f"Analysis `{d['analysis']}` ({len(cfg['params'])} parameters, "
        f"{len(cfg['targets'])} calibrated targets, cut at {cfg['measure']} I ≤ "
        f"{cfg['threshold']:g}; {d['evaluated']} runs made, {d['reused']} read back, "
        f"{d['wall_time_s']:.0f} s):",
        "",
        "```console",
        f"$ {d['command']}",
        "```",
        "",
        "| wave | points × seeds | kept | kept share | non-implausible | wall |",
        "|---:|---:|---:|---:|:---|---:|",
    ]
    for w in d["waves"]:
        seeds = w["runs"] // max(w["points"], 1)
        profiles = w.get("kind") == "profiles"
        verdict = (
            ("the defaults kept" if w["non_implausible"] else "the defaults ruled out")
            if profiles
            else ("yes" if w["non_implausible"] else "no: the least implausible kept")
        )
        lines.append(
            f"| {w['wave']}{' (profiles)' if profiles else ''} | {w['points']} × {seeds} | "
            f"{w['kept']} | {w['kept_share']:.0%} | {verdict} | {_wall(w.get('wall_time_s'))} |"
        )
    heads = "".join(f" wave {w['wave']} before → after |" for w in d["waves"])
    lines += [
        "",
        "Implausibility I per target (the median over the points; at the defaults and under the "
        "posterior predictive, of their runs):",
        "",
        f"| target | defaults |{heads} predictive |",
        "|---|---:|" + "---:|" * len(d["waves"]) + "---:|",
    ]
    for tid in cfg["targets"]:
        cells = [
            f" {_i(w['targets'][tid]['median_before'])} → {_i(w['targets'][tid]['median_after'])} |"
            for w in d["waves"]
        ]
        lines.append(
            f"| {tid} | {_i(d['implausibility']['before'].get(tid))} |{''.join(cells)} "
            f"{_i(d['implausibility']['predictive'].get(tid))} |"
        )
    walk = d.get("walk")
    per = {r["param"]: r for r in walk["per_param"]} if walk else {}
    lines += ["", *_walked(walk)] if walk else []
    lines += [
        "",
        f"Posterior: {post['draws']} draws resampled from {post['distinct']} "
        + ("distinct states of the walk's chains after adaptation" if walk else
           "kept points of the last wave")
        + f" (Kish's effective size over the draws {post['effective_size']:g}).",
        "",
        "| parameter | default | documented range | last wave's box | posterior median | 90% |"
        + (" R-hat | ESS | chains apart |" if walk else ""),
        "|---|---:|---:|---:|---:|---:|" + ("---:|---:|---:|" if walk else ""),
    ]  # fmt: skip
    for s in post["summary"]:
        w = per.get(s["param"])
        lines.append(
            f"| `{s['param']}` | {s['default']:g} | {s['lo']:g} – {s['hi']:g} | "
            f"{s['box_lo']:.3g} – {s['box_hi']:.3g} | {s['median']:.3g} | "
            f"{s['q05']:.3g} – {s['q95']:.3g} |"
            + (f" {_num(w['rhat'])} | {w['ess']:.0f} | {_of_range(w.get('apart'))} |" if w else "")
        )
    emergent = {(c["id"], c["stage"]): c for c in d.get("emergent", [])}
    ids = list(dict.fromkeys(tid for tid, _ in emergent))
    if ids:
        lines += [
            "",
            "The emergent targets within the runs (never fitted: what the model must give on its "
            "own), share of runs that hit:",
            "",
            "| target | quantity | defaults | posterior predictive |",
            "|---|---|---:|---:|",
        ]
        for tid in ids:
            b, p = emergent.get((tid, "before")), emergent.get((tid, "predictive"))
            q = (b or p or {}).get("quantity", "")
            lines.append(f"| {tid} | {q} | {_share(b)} | {_share(p)} |")
    for note in d["notes"]:
        lines += ["", f"Note: {note}"]
    return "\n".join(lines) + "\n"


def splice(text: str | None, body: str, where: str = "write-docs") -> str:
    """``text`` with the part between the markers replaced by ``body`` (``text`` None: a new
    page of the section alone)."""
    block = f"{BEGIN}\n{body}{END}\n"
    if text is None:
        return block
    if BEGIN not in text or END not in text or text.index(BEGIN) > text.index(END):
        raise LabError(
            where,
            "(a file without the markers)",
            f"a new file, or one holding the lines {BEGIN!r} and {END!r} (the section between "
            "them is replaced)",
        )
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    return head + block + tail.lstrip("\n")


__all__ = ["BEGIN", "END", "section", "splice"]
