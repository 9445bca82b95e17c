"""Scored check-ins: a finished run's scores kept, and from the second week how they moved."""

from __future__ import annotations

from datetime import datetime

from bot.documents.charts import trend_chart
from bot.documents.trends import by_week, in_words
from bot.engine import Effect, Finished, Picture, Say
from bot.flows.model import Catalog
from bot.storage import RunRecord, Store

MIN_WEEKS_FOR_CHART = 3
TREND_HEAD = "How this week compares with your earlier check-ins:"


def trend(
    store: Store, catalog: Catalog, user_id: int, run: RunRecord, effects: list[Effect],
    now: datetime,
) -> list[Effect]:  # fmt: skip
    """Keep a finished run's scores; from the second week on, say how they moved (and from
    the third, show it as a chart too)."""
    finished = next((e for e in effects if isinstance(e, Finished) and e.scores), None)
    if finished is None:
        return []
    flow = catalog[run.flow_id]  # type: ignore[index]
    store.add_scores(user_id, run.id, run.flow_id, dict(finished.scores), now)
    weeks = by_week(store.scores_of(user_id, run.flow_id))
    if len(weeks) < 2:
        return []
    labels = {name: score.label for name, score in flow.scores.items()}
    words = in_words(weeks, labels)
    if len(weeks) < MIN_WEEKS_FOR_CHART:
        return [Say(f"{TREND_HEAD}\n{words}")]
    return [Picture(trend_chart(weeks, labels), f"{TREND_HEAD}\n{words}")]
