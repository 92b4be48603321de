"""examples/tour.ipynb runs from top to bottom in a real Jupyter kernel (nbclient, ipykernel), in
under two minutes, with no error; its runs, ensemble and comparison show themselves as HTML."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "tour.ipynb"


def test_the_tour_notebook_runs_in_a_real_kernel_without_error(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    t0 = time.perf_counter()
    # allow_errors=False (the default): any cell that raises fails the test, naming the cell
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    took = time.perf_counter() - t0
    assert took < 120, f"the tour took {took:.0f} s"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("thermidor Result" in h for h in html)
    assert any("thermidor comparison" in h and "4 runs" in h for h in html)
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the plot
    text = "".join(o.get("text", "") for o in outputs) + "".join(
        o.get("data", {}).get("text/plain", "") for o in outputs
    )
    assert "seed 0: 1917-03-01 to 1921-05-" in text  # the counterfactual's one-line repr
