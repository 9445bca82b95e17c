"""End to end with two people, a therapist and a client, on the fake Bot API: invite, consent,
assign, a reminder across a SIGKILL and restart (the clock is a file the test moves), the
finished homework, and the report each consent level allows."""

from __future__ import annotations

import re
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

from fake_telegram import FakeTelegram
from test_e2e import onboard, rows
from test_newcomer import CATALOG, answer

THERAPIST, CLIENT, OTHER = 700, 701, 702
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Ireland keeps UTC in winter


def set_clock(path: Path, moment: datetime) -> None:
    path.write_text(moment.isoformat(), encoding="utf-8")


def invite(fake: FakeTelegram, label: str) -> str:
    mark = fake.mark()
    fake.send_text(THERAPIST, f"/invite {label}")
    message = fake.wait_for_text(THERAPIST, "https://t.me/", since=mark)
    found = re.search(r"\?start=([A-Za-z0-9_-]+)", message.text)
    assert found is not None
    return found.group(1)


def report(fake: FakeTelegram) -> str:
    mark = fake.mark()
    fake.send_text(THERAPIST, "/report Sam")
    fake.wait_until(
        lambda: (
            len([m for m in fake.messages(THERAPIST) if m.kind == "document" and m.sent_seq > mark])
            == 2
        ),
        what="the report as Markdown and PDF",
    )
    files = {
        m.file["file_name"].rsplit(".", 1)[-1]: m.data
        for m in fake.messages(THERAPIST)
        if m.kind == "document" and m.sent_seq > mark and m.file and m.data
    }
    assert files["pdf"].startswith(b"%PDF")
    return files["md"].decode()


def test_a_therapist_invites_assigns_and_reads_what_consent_allows(fake, launch, tmp_path):
    clock = tmp_path / "clock"
    set_clock(clock, START)
    env = {
        "THERAPIST_IDS": str(THERAPIST),
        "BOT_CLOCK_FILE": str(clock),
        "REMINDER_TICK_SECONDS": "0.2",
    }
    bot = launch(**env)
    # The client sets up first; then opens the therapist's link.
    fake.send_text(CLIENT, "/start")
    fake.wait_for_text(CLIENT, "Are you 18 or older?")
    onboard(fake, CLIENT, reminders=True)
    fake.send_text(CLIENT, "/assign")
    fake.wait_for_text(CLIENT, "That command is for therapists")
    code = invite(fake, "Sam")
    assert len(code) <= 64
    fake.send_text(CLIENT, f"/start {code}")
    offer = fake.wait_for_text(CLIENT, "invites you to share your progress")
    assert "Status only: which exercises and homework you started and finished" in offer.text
    fake.press_button(CLIENT, "Status only")
    fake.wait_for_text(CLIENT, "You're linked")
    fake.wait_for_text(THERAPIST, "“Sam” accepted your invitation, sharing: Status only")
    # The same link a second time, by someone else: refused.
    fake.send_text(OTHER, f"/start {code}")
    fake.wait_for_text(OTHER, "already been used")

    # /assign: the reach-out flow, due in three days, with a note.
    fake.send_text(THERAPIST, "/assign")
    fake.wait_for_text(THERAPIST, "Which client is this homework for?")
    fake.press_button(THERAPIST, "Sam")
    fake.wait_for_text(THERAPIST, "Which conversation for “Sam”?")
    fake.press_button(THERAPIST, "Reaching out")
    fake.wait_for_text(THERAPIST, "When is it due?")
    fake.press_button(THERAPIST, "In 3 days")
    fake.wait_for_text(THERAPIST, "Add a note for them?")
    fake.send_text(THERAPIST, "Only if it feels safe this week")
    fake.wait_for_text(THERAPIST, "Sent to “Sam”: “Reaching out”, due Thu 26 Nov")
    homework = fake.wait_for_text(CLIENT, "has suggested an exercise for you: “Reaching out”")
    assert "Only if it feels safe this week" in homework.text
    assert rows(bot.db, "select count(*) from reminders where sent_at is null") == [(2,)]

    # The bot is killed before the first reminder is due, and restarted after it.
    assert bot.kill(signal.SIGKILL) == -signal.SIGKILL
    set_clock(clock, datetime(2026, 11, 25, 10, 5, tzinfo=UTC))
    bot.start()
    reminder = fake.wait_for_text(CLIENT, "“Reaching out” is due tomorrow", timeout=15)
    fake.wait_until(lambda: rows(bot.db, "select count(*) from reminders where sent_at is not null")
                    == [(1,)], what="the reminder marked sent")  # fmt: skip
    time.sleep(1.0)  # five more ticks: it must not come again
    sent = [m for m in fake.messages(CLIENT) if "is due tomorrow" in m.content]
    assert len(sent) == 1

    # The client starts it from the reminder and finishes it; the therapist hears.
    fake.press_button(CLIENT, "Start it now", message_id=reminder.message_id)
    fake.wait_for_text(CLIENT, "Here is the raw-spot card you made")
    for item in CATALOG["reaching-out"].tests[0].inputs:
        answer(fake, CLIENT, item)
    fake.wait_for_text(CLIENT, "Letting someone see the tender part takes courage")
    fake.wait_for_text(THERAPIST, "“Sam” finished “Reaching out” (due Thu 26 Nov)")
    assert rows(bot.db, "select status from assignments") == [("done",)]

    # /clients: the level, the day they were last active, the homework, no check-ins yet.
    fake.send_text(THERAPIST, "/clients")
    listing = fake.wait_for_text(THERAPIST, "Your clients:").text
    assert "• Sam (status only)\n   last active: today" in listing
    assert "done: Reaching out on 2026-11-25" in listing and "OVERDUE" not in listing
    assert "no weekly check-ins yet" in listing

    # Status only: the homework and the conversations, nothing they wrote.
    status = report(fake)
    assert "Reaching out: due 2026-11-26, done 2026-11-25" in status
    assert "Reflections" not in status and "tender part" not in status
    assert "Answers" not in status

    # Full: every answer, except private ones.
    fake.send_text(CLIENT, "/therapist")
    fake.wait_for_text(CLIENT, "sees: Status only")
    fake.press_button(CLIENT, "Everything I answer")
    fake.wait_for_text(THERAPIST, "“Sam” now shares: Everything I answer")
    full = report(fake)
    assert "Letting someone see the tender part takes courage" in full
    assert "When you go quiet after work, I catch myself pushing you to talk." in full
    assert "- afraid:" not in full and "- harmed:" not in full  # share: never

    # Withdrawn: no report.
    fake.send_text(CLIENT, "/therapist")
    fake.wait_for_text(CLIENT, "sees: Everything I answer")
    fake.press_button(CLIENT, "Stop sharing")
    fake.wait_for_text(THERAPIST, "“Sam” stopped sharing with you.")
    fake.send_text(THERAPIST, "/report Sam")
    fake.wait_for_text(THERAPIST, "has stopped sharing with you, so there is no report")
    audited = rows(bot.db, "select action from audit where client_id = ?", CLIENT)
    assert audited == [("clients",), ("report:status",), ("report:full",)]

    # An invitation not used within a week expires.
    late = invite(fake, "Alex")
    set_clock(clock, datetime(2026, 12, 3, 11, 0, tzinfo=UTC))
    fake.send_text(OTHER, f"/start {late}")
    fake.wait_for_text(OTHER, "This invitation has expired")
