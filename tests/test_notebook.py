"""notebooks/explore.ipynb runs top to bottom without an error (executed with nbclient)."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from .conftest import REPO


def test_explore_notebook_runs():
    path = REPO / "notebooks" / "explore.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Symptoms came in the same or the next week after 5 of 6 flagged weeks" in text  # week 11: single_run_spike
    # the weekly frame as a time series (issue 17): a month by partial date, monthly totals by resample
    assert "June 2026: 5 weeks starting 1, 8, 15, 22, 29 June, 176.4 km" in text
    assert "2026-06-01 00:00:00+01:00    176.4" in text
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs if o.output_type == "execute_result")
    assert "layoff_return" in html and "weekly_mileage_jump" in html
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the report picture and the cadence panel
