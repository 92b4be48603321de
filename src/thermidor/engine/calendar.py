"""Weekly (or any fixed-length) steps mapped to calendar dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Calendar:
    """Steps of ``step_days`` days from ``start`` up to (not beyond) ``end``.

    Step ``k`` covers ``[start + k*step_days, start + (k+1)*step_days)``; its date is its first day.
    """

    start: dt.date
    end: dt.date
    step_days: int = 7
    _dates: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.step_days < 1:
            raise ValueError(f"step_days must be >= 1, got {self.step_days}")
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        n = (self.end - self.start).days // self.step_days + 1
        first = np.datetime64(self.start, "D")
        dates = first + np.arange(n) * np.timedelta64(self.step_days, "D")
        object.__setattr__(self, "_dates", dates)

    @property
    def n_steps(self) -> int:
        return int(self._dates.size)

    @property
    def years_per_step(self) -> float:
        """Converts a rate per year into a probability scale per step."""
        return self.step_days / 365.25

    @property
    def dates(self) -> np.ndarray:
        """``datetime64[D]`` array of each step's first day."""
        return self._dates

    def date(self, step: int) -> dt.date:
        return self._dates[step].astype(dt.date)  # type: ignore[no-any-return]

    def step_of(self, when: dt.date) -> int:
        """The step containing ``when`` (clipped to the run)."""
        k = (when - self.start).days // self.step_days
        return int(min(max(k, 0), self.n_steps - 1))

    def contains(self, when: dt.date) -> bool:
        return self.start <= when < self.start + dt.timedelta(days=self.step_days * self.n_steps)

    def years(self) -> np.ndarray:
        return self._dates.astype("datetime64[Y]").astype(int) + 1970

    def months(self) -> np.ndarray:
        """Months since year 0 (year*12 + month-1) of each step."""
        m = self._dates.astype("datetime64[M]").astype(int)
        return m + 1970 * 12

    def year_fraction(self, step: int) -> float:
        d = self.date(step)
        return d.year + (d.timetuple().tm_yday - 1) / 365.25

    def week_of_year(self, step: int) -> int:
        return (self.date(step).timetuple().tm_yday - 1) // 7
