"""What a finished run tells a person in a terminal: per model, clean and mean-corrupted error; each method against
SGD (the verdict); which learned optimizer was selected and how it compares with tuned Adam at its objective's
noise; where the report and the figures are.

    python -m robopt.summary results
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from robopt.evaluate.aggregate import MODEL_COLUMNS


def error_summary(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per (dataset, variant): clean error and the mean error over every (corruption, severity), each the mean over
    seeds (%), with the number of seeds."""
    per_seed = metrics.assign(condition=metrics["severity"].gt(0).map({False: "clean", True: "corrupted"}))
    per_seed = per_seed.groupby(["dataset", "variant", "seed", "condition"], as_index=False)["error"].mean()
    table = per_seed.pivot_table(index=["dataset", "variant"], columns="condition", values="error", aggfunc="mean")
    table["seeds"] = per_seed.groupby(["dataset", "variant"])["seed"].nunique()
    keys = metrics[["dataset", *MODEL_COLUMNS]].drop_duplicates(["dataset", "variant"])
    return keys.merge(table.reset_index(), on=["dataset", "variant"])[
        ["dataset", "variant", "method", "train_corruption", "clean", "corrupted", "seeds"]]


def learned_vs_adam(evaluation: pd.DataFrame, sigma: float) -> pd.DataFrame:
    """Final test loss under Gaussian noise ``sigma`` of the Gaussian-objective learned optimizer and of Adam (its
    learning rate chosen on the validation images at that noise), each inner-trained on clean data (Metz Fig. 1b)."""
    from robopt.plots.metz import learned_optimizers, with_chosen_adam

    rows = with_chosen_adam(evaluation, "gaussian", [sigma])
    final = rows[(rows["split"] == "test") & (rows["noise"] == "gaussian") & ((rows["level"] - sigma).abs() < 1e-9)
                 & (rows["train_data"] == "clean") & (rows["step"] == rows["step"].max())]
    chosen = learned_optimizers(evaluation, "gaussian")[:1] + ["adam_gaussian"]
    final = final[final["optimizer"].isin(chosen)]
    return final[["optimizer", "lr", "loss"]].reset_index(drop=True)


def objective_sigma(evaluation: pd.DataFrame) -> float | None:
    """The noise of the Gaussian objective: the Gaussian level its runs log along inner training (None if absent)."""
    runs = evaluation[(evaluation["objective"] == "gaussian") & (evaluation["noise"] == "gaussian")
                      & (evaluation["split"] == "test") & (evaluation["level"] > 0)]
    along = runs[runs["step"] < runs["step"].max()]
    return float(along["level"].iloc[0]) if len(along) else None


def summarize(results: str | Path) -> str:
    """The summary of a results folder as text (parts whose tables are absent are left out)."""
    results = Path(results)
    lines = []
    metrics_path = results / "tables" / "metrics.csv"
    if metrics_path.exists():
        table = error_summary(pd.read_csv(metrics_path))
        lines.append("Error (%) per model: clean test set, and mean over every corruption and severity 1-5")
        for row in table.itertuples():
            trained = "" if row.train_corruption == "none" else f" (trained with {row.train_corruption})"
            lines.append(f"  {row.dataset:12s} {row.variant:26s} clean {row.clean:5.1f}   corrupted {row.corrupted:5.1f}"
                         f"   {row.seeds} seed{'s' * (row.seeds != 1)}{trained}")
    verdict_path = results / "tables" / "damp_verdict.csv"
    if verdict_path.exists():
        verdict = pd.read_csv(verdict_path)
        lines.append("Versus SGD (paired by seed, 95% interval of the difference in mean corruption error, points)")
        for row in verdict[verdict["corrupted_verdict"] != "baseline"].itertuples():
            lines.append(f"  {row.dataset:12s} {row.variant:26s} {row.corrupted_diff:+5.2f} "
                         f"[{row.corrupted_diff_low:+.2f}, {row.corrupted_diff_high:+.2f}]  {row.corrupted_verdict}")
    selection_path = results / "tables" / "lopt_selection.csv"
    if selection_path.exists():
        selection = pd.read_csv(selection_path)
        for row in selection[selection["selected"]].itertuples():
            lines.append(f"Learned optimizer of {row.experiment}: {row.candidate} ({row.reason})")
    evaluation_path = results / "tables" / "lopt_evaluation.csv"
    if evaluation_path.exists():
        evaluation = pd.read_csv(evaluation_path)
        sigma = objective_sigma(evaluation)
        if sigma is not None:
            lines.append(f"Learned optimizer vs tuned Adam: final test loss at Gaussian noise {sigma:g}, "
                         "inner-trained on clean data")
            for row in learned_vs_adam(evaluation, sigma).itertuples():
                rate = "" if pd.isna(row.lr) else f" (lr {row.lr:g})"
                lines.append(f"  {row.optimizer}{rate}: {row.loss:.3f}")
    report = results / "report.html"
    if report.exists():
        lines.append(f"Report: {report}")
    figures = sorted((results / "figures").glob("*.pdf"))
    if figures:
        lines.append(f"Figures ({len(figures)}, PDF + PNG): {results / 'figures'}/")
        lines += [f"  {path.name}" for path in figures]
    return "\n".join(lines) if lines else f"nothing to summarize under {results} yet"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="?", default="results", type=Path)
    print(summarize(parser.parse_args().results))


if __name__ == "__main__":
    main()
