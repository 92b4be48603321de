"""The options every ensemble command shares for what varies between members:
``--uncertainty seed|prior|posterior`` and ``--posterior FILE`` (lab/uncertainty.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

UncertaintyOption = Annotated[
    str | None,
    typer.Option(
        "--uncertainty",
        metavar="seed|prior|posterior",
        help="what varies between members: the seed only (seed); also every calibrated "
        "parameter drawn from its documented range (prior); or from a weighted posterior table "
        "(posterior). Member k gets the same draw in every scenario. Default: posterior once one "
        "ships with the model; none does yet, so seed (posterior needs --posterior FILE).",
        show_default=False,
    ),
]
PosteriorOption = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        metavar="FILE",
        help="a posterior table (Parquet: parameter columns and weight), e.g. one written by "
        "`thermidor calibrate --posterior-out FILE`; implies --uncertainty posterior",
        show_default=False,
    ),
]
