"""The check-in trend as a small PNG chart (matplotlib, drawn off-screen)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from bot.documents.trends import Week


def trend_chart(weeks: Sequence[Week], labels: Mapping[str, str]) -> bytes:
    """A line per score over the weeks, 1 to 5, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3.4), dpi=110)
    try:
        x = range(len(weeks))
        for name, label in labels.items():
            points = [w.scores.get(name) for w in weeks]
            axes.plot(
                x, [p if p is not None else float("nan") for p in points], marker="o", label=label
            )
        axes.set_xticks(list(x), [w.label[5:] for w in weeks])
        axes.set_ylim(1, 5)
        axes.set_ylabel("1 to 5")
        axes.grid(alpha=0.3)
        axes.legend(loc="lower left", fontsize="small", frameon=False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
