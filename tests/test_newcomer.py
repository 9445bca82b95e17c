"""A newcomer goes from the first /start through every shipped flow, in the terminal player
and on Telegram, answering as each flow's first transcript test does, and reads their own
words back in every reflection. Later flows open only because the earlier ones were finished.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fake_telegram import FakeTelegram

from bot.flows import load_catalog
from bot.flows.journey import shipped_journey
from bot.flows.model import Catalog, Flow, Step, TranscriptTest

ROOT = Path(__file__).resolve().parent.parent
CATALOG: Catalog = load_catalog()
JOURNEY = list(shipped_journey().steps)
ORDER = [f for f in JOURNEY if f in CATALOG] + sorted(set(CATALOG) - set(JOURNEY))
FROM_EARLIER = {
    "raw-spot": [
        "you notice a sharp tone, and you push to talk it out.",
        "On the outside it looked like anger, and you push to talk it out.",
    ],
    "rocky-moment": [
        "you notice a sharp tone, you push to talk it out, and they go quiet",
        "Your raw-spot card says scared",
        "Underneath, you felt scared, as on my card.",
    ],
    "reaching-out": [
        "Underneath: scared",
        "What it seemed to say: I don't matter to you",
        "What you were reaching for: to know I matter to you",
        "What sets it off: a sharp tone",
        "What you tend to do: push to talk it out",
    ],
}
"""What each flow shows from the answers the newcomer gave in earlier flows."""

AS_SHE = {
    "They go quiet": "She goes quiet",
    "calls up theirs": "calls up hers",
    "they then go quiet": "she then goes quiet",
    "and they go quiet": "and she goes quiet",
    "Maybe they felt": "Maybe she felt",
    "notice them leaving": "notice her leaving",
    "they then cry": "she then cries",
    "when you needed them": "when you needed her",
    "when they needed you": "when she needed you",
    "to their feelings": "to her feelings",
}
"""The flows' transcript tests speak of the partner as "they"; the newcomer chose "She / her"
in onboarding, so these parts of what the tests expect read so for them."""


def as_she(fragment: str) -> str:
    """What a transcript test's expected fragment reads as for a partner called "she"."""
    for they, she in AS_SHE.items():
        fragment = fragment.replace(they, she)
    return fragment


def plays() -> list[tuple[str, TranscriptTest, list[str]]]:
    """Each flow's first transcript test in journey order, then every test of the exercises
    that uses /back (getting-started's would change the answers that open them).

    A flow opens only once those before it are finished, so the /back plays come after.
    """
    first = [(f, CATALOG[f].tests[0], FROM_EARLIER.get(f, [])) for f in ORDER]
    with_back = [
        (f, test, [])
        for f in ORDER
        for test in CATALOG[f].tests[1:]
        if "back" in test.inputs and f in JOURNEY[1:]
    ]
    return first + with_back


def first_test(flow_id: str) -> TranscriptTest:
    return CATALOG[flow_id].tests[0]


def flat(text: str) -> str:
    return " ".join(text.split())


def find_step(flow: Flow, step_id: str) -> Step | None:
    """The step `step_id` of this flow or of a flow it calls."""
    if flow.has_step(step_id):
        return flow.step(step_id)
    for step in flow.steps:
        if step.call:
            found = find_step(CATALOG[step.call], step_id)
            if found:
                return found
    return None


# -- the terminal player -----------------------------------------------------------------------
def typed_line(flow: Flow, step_id: str, item: Any) -> str:
    """What a person types in the terminal for one transcript input."""
    if isinstance(item, dict):
        return str(item["text"])
    if item in ("back", "skip"):
        return f"/{item}"
    if isinstance(item, list):
        step = find_step(flow, step_id)
        assert step is not None
        values = [o.value for o in step.options]
        return ",".join(str(values.index(v) + 1) for v in item)
    return str(item)


def test_every_flow_in_the_terminal_player(tmp_path):
    db = tmp_path / "chat.db"
    for flow_id, test, earlier in plays():
        flow = CATALOG[flow_id]
        assert test.path is not None and len(test.path) == len(test.inputs), flow_id
        lines = [typed_line(flow, s, i) for s, i in zip(test.path, test.inputs, strict=True)]
        run = subprocess.run(
            [sys.executable, "-m", "bot", "chat", "--flow", flow_id, "--db", str(db)],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        shown = flat(run.stdout)
        assert run.returncode == 0, run.stderr
        assert "locked" not in shown.lower() or flow_id == "tour", shown[:400]
        for fragment in [*test.expect, *earlier]:
            fragment = as_she(fragment)
            assert flat(fragment) in shown, f"{flow_id}: {fragment!r} not shown\n{run.stdout}"


# -- Telegram ----------------------------------------------------------------------------------
def settle(fake: FakeTelegram, user: int, since: int) -> None:
    """Wait until the bot has answered (something new) and then gone quiet for a moment."""
    fake.wait_until(lambda: any(m.changed_seq > since for m in fake.messages(user)), what="a reply")
    last, quiet_since = fake.mark(), time.monotonic()
    while time.monotonic() - quiet_since < 0.3:
        time.sleep(0.05)
        if fake.mark() != last:
            last, quiet_since = fake.mark(), time.monotonic()


def press_value(fake: FakeTelegram, user: int, kind: str, value: str | None) -> bool:
    """Press the button of the newest message with this kind (and value, unless None)."""
    message = fake.last_message(user)
    for row in message.buttons:
        for button in row:
            parts = button.get("callback_data", "").split("|")
            if parts[0] == kind and value in (None, parts[-1]):
                fake.press(user, message.message_id, button["callback_data"])
                return True
    return False


def answer(fake: FakeTelegram, user: int, item: Any) -> None:
    """Give one transcript input the way a person does on a phone."""
    mark = fake.mark()
    if isinstance(item, dict):
        fake.send_text(user, str(item["text"]))
    elif item in ("back", "skip"):
        fake.send_text(user, f"/{item}")
    elif isinstance(item, list):
        for value in item:
            before = fake.mark()
            assert press_value(fake, user, "t", str(value)), f"no toggle {value}"
            settle(fake, user, before)
        assert press_value(fake, user, "d", None)
    elif not press_value(fake, user, "c", str(item)):
        fake.send_text(user, str(item))
    settle(fake, user, mark)


def test_every_flow_on_telegram(fake, bot):
    user = 4242
    for flow_id, test, earlier in plays():
        mark = fake.mark()
        fake.send_text(user, "/start" if flow_id == "getting-started" else f"/start {flow_id}")
        settle(fake, user, mark)
        for item in test.inputs:
            answer(fake, user, item)
        shown = flat(
            " ".join(m.text or m.caption or "" for m in fake.messages(user) if m.changed_seq > mark)
        )
        assert "locked" not in shown.lower(), f"{flow_id}: {shown[:300]}"
        for fragment in [*test.expect, *earlier]:
            fragment = as_she(fragment)
            assert flat(fragment) in shown, f"{flow_id}: {fragment!r} not shown\n" + fake.dump(user)
        assert "Your reflection" in shown, flow_id
    mark = fake.mark()
    fake.send_text(user, "/journal")
    settle(fake, user, mark)
    journal = flat(" ".join(m.text or "" for m in fake.messages(user) if m.changed_seq > mark))
    # The /back plays came last, so the journal holds what they chose.
    for line in (
        "Your name for the loop: the merry-go-round",
        "What sets it off: her leaving the room",
        "What you tend to do: rush to fix it",
        "The softer feeling underneath: hurt",
        "What it seems to say: you'll leave",
        "What you need: to hear that we're OK",
    ):
        assert line in journal, journal


# -- the journey, by its "next" buttons ----------------------------------------------------------
COUNTER = re.compile(r"Question (\d+) of (\d+)")


def counters(fake: FakeTelegram, user: int, since: int) -> list[tuple[int, int]]:
    """Every "Question k of n" shown since `since`, in order."""
    shown = [m for m in fake.messages(user) if m.changed_seq > since]
    return [(int(k), int(n)) for m in shown for k, n in COUNTER.findall(m.text or "")]


def said(fake: FakeTelegram, user: int, since: int) -> str:
    """Everything the bot wrote since `since`, as one line."""
    return flat(" ".join(m.text or "" for m in fake.messages(user) if m.changed_seq > since))


def test_a_newcomer_follows_each_next_button_through_the_journey(fake, bot):
    user = 4343
    mark = fake.mark()
    fake.send_text(user, "/start")
    settle(fake, user, mark)
    assert "a secure base is someone close you can turn to" in said(fake, user, mark)
    for item in first_test("getting-started").inputs:
        answer(fake, user, item)
    walked = []
    for _ in JOURNEY[1:]:
        offer = fake.last_message(user)
        go = [b for row in offer.buttons for b in row if "|go:" in b.get("callback_data", "")]
        assert go and "That's enough for today" in offer.button_labels, fake.dump(user)
        flow_id = go[0]["callback_data"].split("|go:")[1]
        walked.append(flow_id)
        mark = fake.mark()
        fake.press(user, offer.message_id, go[0]["callback_data"])
        settle(fake, user, mark)
        for index, item in enumerate(first_test(flow_id).inputs):
            if index == 1:  # halfway through the first question or so: a sticker, then /resume
                before = fake.mark()
                fake.send_sticker(user)
                settle(fake, user, before)
                assert "all I can take in is typed words" in said(fake, user, before)
                before = fake.mark()
                fake.send_text(user, "/resume")
                settle(fake, user, before)
                title = CATALOG[flow_id].title
                assert f"You were in “{title}”, on the question" in said(fake, user, before)
            answer(fake, user, item)
        shown = counters(fake, user, mark)
        for (k0, n0), (k1, n1) in itertools.pairwise(shown):
            assert n1 <= n0 and k1 >= k0, (flow_id, shown)
        if flow_id == "name-the-cycle":  # onboarding chose "She / her"
            assert "what does she tend to do?" in said(fake, user, mark)
            loop = said(fake, user, mark).split("The more you do your part")[0]
            assert " they " not in loop[-80:]
    assert walked == [f for f in JOURNEY[1:] if f in CATALOG]
    # A low moment: grounding, and "Worse" at its end.
    mark = fake.mark()
    fake.send_text(user, "/start grounding")
    settle(fake, user, mark)
    for item in CATALOG["grounding"].tests[1].inputs:
        answer(fake, user, item)
    care = fake.last_message(user)
    assert "Grounding again" in care.button_labels and "My safety plan" in care.button_labels
    assert "That counts" not in said(fake, user, mark)
