"""Scored check-ins: scores kept per run, a trend in words from week two, a chart from three."""

from __future__ import annotations

from datetime import timedelta

from bot.documents.trends import Week, by_week, in_words
from bot.engine import Choice, Finished, Picture, Say, Start
from bot.usecases.service import TREND_HEAD, Service

CHECKIN = """
flow: checkin
version: 1
scores:
  reach: {label: "Reaching each other", items: [theirs, mine]}
  mine: {label: "My side", items: [mine]}
steps:
  - id: theirs
    ask: scale
    say: "How reachable was your partner?"
    scale: {min: 1, max: 5}
  - id: mine
    ask: scale
    say: "How reachable were you?"
    scale: {min: 1, max: 5}
    optional: "Not sure"
  - id: bye
    end: "Thanks: {theirs} and {mine|not sure}."
"""


def check_in(service, now, theirs, mine):
    service.handle(3, Start("checkin"), now)
    service.handle(3, Choice(str(theirs)), now)
    return service.handle(3, Choice(str(mine)), now).effects


def test_scores_are_means_of_the_items(make_catalog, store, now):
    service = Service(store, make_catalog(checkin=CHECKIN))
    effects = check_in(service, now, 2, 5)
    finished = next(e for e in effects if isinstance(e, Finished))
    assert dict(finished.scores) == {"reach": 3.5, "mine": 5.0}
    assert [name for _at, name, _v in store.scores_of(3, "checkin")] == ["reach", "mine"]
    assert not any(
        isinstance(e, Say | Picture) and TREND_HEAD in getattr(e, "text", "") for e in effects
    )


def test_week_two_in_words_and_week_three_as_a_chart(make_catalog, store, now):
    service = Service(store, make_catalog(checkin=CHECKIN))
    check_in(service, now, 2, 2)
    second = check_in(service, now + timedelta(days=7), 4, 4)
    trend = [e for e in second if isinstance(e, Say) and e.text.startswith(TREND_HEAD)]
    assert trend and "Reaching each other: 4.0 of 5, higher than in the weeks before (2.0)" in (
        trend[0].text
    )
    third = check_in(service, now + timedelta(days=14), 3, 3)
    picture = next(e for e in third if isinstance(e, Picture))
    assert picture.png.startswith(b"\x89PNG")
    assert "Reaching each other: 3.0 of 5, about the same as in the weeks before (3.0)" in (
        picture.caption
    )


def test_a_later_check_in_replaces_the_earlier_one_in_its_week():
    rows = [
        ("2026-11-16T09:00:00+00:00", "reach", 2.0),
        ("2026-11-19T09:00:00+00:00", "reach", 4.0),
        ("2026-11-23T09:00:00+00:00", "reach", 1.0),
    ]
    assert by_week(rows) == [Week("2026-W47", {"reach": 4.0}), Week("2026-W48", {"reach": 1.0})]
    assert in_words(by_week(rows), {"reach": "Reaching"}) == (
        "Reaching: 1.0 of 5, lower than in the weeks before (4.0)."
    )
