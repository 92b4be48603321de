"""Michels' iron law of oligarchy in a growing trade union, built on ``thermidor.engine`` only.

Robert Michels (*Political Parties*, 1911) argued that a mass organisation needs a staff of
officials, that the staff grows with the membership, and that as the membership grows its members
take less part, so the officials' expertise and full-time position give them control: elections of
officials give way to appointment by the staff. This model makes that argument run.

Agents: ``members`` (weighted agents: activity in [0, 1], year joined) and ``officials`` (drawn
from the members: appointed or elected, year in office, activity, year joined). Every person who
joins, lapses, takes office or retires is a named flow in the ledger. One step is 30 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from thermidor.engine import (
    Calendar,
    Context,
    Event,
    Ledger,
    Population,
    Recorder,
    Streams,
    chunks,
    every,
    run_steps,
    transfer,
)

EVENTS = frozenset({"appointment_dominates"})


@dataclass(frozen=True)
class Params:
    growth: float = 0.10  # 1/year: recruits per member
    lapse: float = 0.04  # 1/year: members who leave
    staff_ratio: float = 0.01  # officials per member (the staff grows with the union)
    retirement: float = 0.10  # 1/year: officials who go back to the ranks
    apathy_size: float = 5_000.0  # members at which participation has halved
    activity_rate: float = 2.0  # 1/year: speed at which activity follows its target
    fresh_activity: float = 0.5  # activity of a new member
    expertise: float = 10.0  # weight of a full-time official against one active member
    entrenchment: float = 1.0  # how far appointees make further appointment likelier
    convention_months: int = 12  # a convention every so many steps


@dataclass
class Union:
    """The union's state: two populations, their ledger and what the mechanisms share."""

    members: Population
    officials: Population
    ledger: Ledger
    scale: int
    control: float = 0.0  # the staff's weight against the active membership, [0, 1]
    appointed_share: float = 0.0  # share of officials (by weight) appointed by the staff, [0, 1]


def hazard(rate: float, years: float) -> float:
    return float(1.0 - np.exp(-rate * years))


def build(initial_members: int, scale: int, seed: int) -> Union:
    members = Population("members", {"activity": np.float32, "joined": np.float32})
    officials = Population(
        "officials",
        {"activity": np.float32, "joined": np.float32, "appointed": np.bool_, "since": np.float32},
    )
    weights, _ = chunks(initial_members, scale)
    rng = Streams(seed).get("initial", 0)
    members.append(weight=weights, activity=rng.uniform(0.5, 1.0, weights.size), joined=1900.0)
    ledger = Ledger()
    ledger.open("members", members.total())
    ledger.open("officials", 0)
    return Union(members, officials, ledger, scale)


def recruit(u: Union, p: Params, ctx: Context) -> None:
    """New members join in proportion to the membership; some members lapse."""
    rng = ctx.rng("recruit")
    n = int(rng.poisson(p.growth * (u.members.total() + u.officials.total()) * ctx.dt))
    if n:
        weights, _ = chunks(n, u.scale)
        year = ctx.calendar.year_fraction(ctx.step)
        u.members.append(weight=weights, activity=p.fresh_activity, joined=year)
        u.ledger.flow("recruitment", "outside", "members", n)
    lost = u.members.thin(rng, hazard(p.lapse, ctx.dt))
    u.ledger.flow("lapse", "members", "outside", int(lost.sum()))
    u.members.compact()


def participation(u: Union, p: Params, ctx: Context) -> None:
    """Activity follows a target that falls with the union's size and rises with seniority."""
    m = u.members
    size = m.total() + u.officials.total()
    years_in = ctx.calendar.year_fraction(ctx.step) - m["joined"]
    target = np.minimum(1.0, 0.4 + 0.2 * years_in) / (1.0 + size / p.apathy_size)
    a = m["activity"]
    m["activity"] = a + hazard(p.activity_rate, ctx.dt) * (target - a)


def _control(u: Union, p: Params) -> float:
    """The staff's weight against the active membership: expertise x officials / (that + active)."""
    staff = p.expertise * u.officials.total()
    active = float((u.members["weight"] * u.members["activity"]).sum())
    return staff / (staff + active) if staff + active > 0 else 0.0


def _p_appoint(u: Union, p: Params) -> float:
    return min(1.0, u.control * (1.0 + p.entrenchment * u.appointed_share))


def staffing(u: Union, p: Params, ctx: Context) -> None:
    """Officials retire to the ranks; the staff is refilled from the most active members."""
    rng = ctx.rng("staffing")
    off, m = u.officials, u.members
    go = rng.random(off.n) < hazard(p.retirement, ctx.dt)
    transfer(u.ledger, "retirement", off, m, go)
    u.control = _control(u, p)
    vacancies = p.staff_ratio * (m.total() + off.total()) - off.total()
    if vacancies <= 0 or m.n == 0:
        return
    x = m["activity"].astype(np.float64) ** 2  # the most active stand first
    pick = rng.random(m.n) < np.minimum(1.0, vacancies * x / max(float(m["weight"] @ x), 1e-12))
    k = int(pick.sum())
    appointed = rng.random(k) < _p_appoint(u, p)
    year = ctx.calendar.year_fraction(ctx.step)
    transfer(u.ledger, "taking_office", m, off, pick, appointed=appointed, since=year)


def convention(u: Union, p: Params, ctx: Context) -> None:
    """Every seat is filled again: by the delegates' vote, or by the staff's appointee."""
    off = u.officials
    if off.n == 0:
        return
    rng = ctx.rng("convention")
    u.control = _control(u, p)
    off["appointed"] = rng.random(off.n) < _p_appoint(u, p)
    u.appointed_share = off.share(off["appointed"])
    if u.appointed_share > 0.5 and not ctx.recorder.happened("appointment_dominates"):
        ctx.emit(
            "appointment_dominates",
            "Most officials now owe their post to the staff, not to the members",
            members=u.members.total() + off.total(),
            control=round(u.control, 4),
        )


def observe(u: Union, p: Params, ctx: Context) -> dict[str, float]:
    m, off = u.members, u.officials
    turnout = m.mean("activity") if m.n else 0.0
    appointed = off.share(off["appointed"]) if off.n else 0.0
    return {
        "members": float(m.total() + off.total()),
        "officials": float(off.total()),
        "appointed_share": appointed,
        "turnout": turnout,
        "staff_control": u.control,
        "democracy": (1.0 - appointed) * turnout,
    }


def mechanisms(p: Params) -> tuple[tuple[str, Any], ...]:
    """The ordered step: who joins, who takes part, who holds office, and (yearly) the convention."""
    return (
        ("recruit", recruit),
        ("participation", participation),
        ("staffing", staffing),
        ("convention", every(p.convention_months, convention)),
    )


@dataclass
class UnionRun:
    frame: pd.DataFrame  # one row per month, indexed by date (Mesa's DataCollector view)
    events: list[Event]
    ledger: dict[str, dict[str, int]]  # expected (from the flows) and actual totals


def run(
    params: Params | None = None,
    seed: int = 0,
    years: int = 25,
    initial_members: int = 1_000,
    scale: int = 1,
) -> UnionRun:
    """Run the union for ``years`` from 1900; same arguments, same numbers."""
    p = params or Params()
    cal = Calendar(dt.date(1900, 1, 1), dt.date(1900 + years, 1, 1), step_days=30)
    u = build(initial_members, scale, seed)
    rec = Recorder(cal.n_steps, allowed_events=EVENTS)
    run_steps(u, p, mechanisms(p), observe, cal, Streams(seed), rec)
    frame = pd.DataFrame(rec.columns, index=pd.Index(cal.dates, name="date"))
    pops = {"members": u.members, "officials": u.officials}
    ledger = {
        "expected": {k: u.ledger.expected(k) for k in pops},
        "actual": {k: pop.total() for k, pop in pops.items()},
    }
    return UnionRun(frame, rec.events, ledger)


if __name__ == "__main__":
    for growth in (0.05, 0.20):
        r = run(Params(growth=growth))
        last = r.frame.iloc[-12:].mean()
        print(
            f"growth {growth:.2f}/year: {last['members']:>9,.0f} members, "
            f"appointed {last['appointed_share']:.0%}, democracy {last['democracy']:.2f}"
        )
