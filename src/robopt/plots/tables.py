"""Write a table as CSV, Markdown and LaTeX side by side."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from robopt.io import write_csv, write_text


def write_table(frame: pd.DataFrame, csv_path: str | Path, caption: str, float_format: str = "{:.2f}") -> None:
    """``csv_path`` plus ``.md`` and ``.tex`` beside it; the caption says what and at which scale."""
    csv_path = Path(csv_path)
    write_csv(frame, csv_path)
    shown = frame.copy()
    for column in shown.select_dtypes("float").columns:
        shown[column] = shown[column].map(float_format.format)
    write_text(f"{caption}\n\n{shown.to_markdown(index=False)}\n", csv_path.with_suffix(".md"))
    latex = shown.to_latex(index=False, caption=caption, escape=True)
    write_text(latex, csv_path.with_suffix(".tex"))
