"""Write a table as CSV, Markdown and LaTeX side by side."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from robopt.io import write_csv, write_text
from robopt.provenance import TABLE_PROVENANCE_PREFIX, provenance_text


def write_table(
    frame: pd.DataFrame, csv_path: str | Path, caption: str, meta: dict[str, str] | None = None,
    float_format: str = "{:.2f}", column_formats: dict[str, str] | None = None, display: pd.DataFrame | None = None,
) -> None:
    """``csv_path`` plus ``.md`` and ``.tex`` beside it; the caption says what and at which scale, and ``meta``
    (commit, date, device, config) closes the Markdown and opens the LaTeX as a comment. Floats are shown with
    ``float_format`` unless ``column_formats`` names the column; ``display`` (default: ``frame``) is what the
    Markdown and LaTeX show, for a table whose readable form differs from its full-precision CSV."""
    csv_path = Path(csv_path)
    write_csv(frame, csv_path)
    shown = (frame if display is None else display).copy()
    for column in shown.select_dtypes("float").columns:
        fmt = (column_formats or {}).get(column, float_format)
        shown[column] = shown[column].map(lambda value, fmt=fmt: "" if pd.isna(value) else fmt.format(value))
    stamp = provenance_text(meta) if meta else ""
    markdown = f"{caption}\n\n{shown.to_markdown(index=False)}\n"
    write_text(markdown + (f"\n{TABLE_PROVENANCE_PREFIX}{stamp}\n" if stamp else ""), csv_path.with_suffix(".md"))
    latex = shown.to_latex(index=False, caption=caption, escape=True)
    write_text((f"% {stamp}\n" if stamp else "") + latex, csv_path.with_suffix(".tex"))
