"""End to end on the fake Bot API: a therapist finds a client by a part of their label, taps a
client when no name is given, and types due dates ("friday", "in 5 days") that are read back and
kept as the right day in the client's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from fake_telegram import FakeTelegram
from test_e2e import rows
from test_e2e_practice import THERAPIST, invite, set_clock

MAYA, KIRI = 711, 712
# Thursday 26 November 2026, 20:00 in Dublin; already Friday 27 November, 09:00, in Auckland.
THURSDAY_EVENING = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


def set_up(fake: FakeTelegram, user: int, country: str, label: str) -> None:
    """getting-started with `country`, then the therapist's link accepted at status level."""
    fake.send_text(user, "/start")
    fake.wait_for_text(user, "Are you 18 or older?")
    for button, next_question in [
        ("Yes, I'm 18 or older", "Which country are you in?"),
        (country, "which words should I use?"),
        ("They / them", "Do you ever feel afraid of your partner?"),
        ("No", "has your partner hurt you"),
        ("No", "Is there an affair"),
        ("No", "Is drinking, drug use or gambling"),
        ("No", "Are you seeing a therapist"),
        ("No", "May I send you the odd gentle reminder"),
        ("Yes, gentle reminders are fine", "how much may they see?"),
    ]:
        fake.press_button(user, button)
        fake.wait_for_text(user, next_question)
    fake.press_button(user, "Status only")
    fake.wait_for_text(user, "You're set up.")
    fake.send_text(user, f"/start {invite(fake, label)}")
    fake.wait_for_text(user, "invites you to share your progress")
    fake.press_button(user, "Status only")
    fake.wait_for_text(user, "You're linked")
    fake.wait_for_text(THERAPIST, f"“{label}” accepted your invitation")


def report_files(fake: FakeTelegram, mark: int) -> list[str]:
    """The names of the report files sent to the therapist after `mark` (waits for both)."""
    fake.wait_until(lambda: len(documents(fake, mark)) == 2, what="the report as Markdown and PDF")
    return documents(fake, mark)


def documents(fake: FakeTelegram, mark: int) -> list[str]:
    return [
        m.file["file_name"]
        for m in fake.messages(THERAPIST)
        if m.kind == "document" and m.sent_seq > mark and m.file
    ]


def assign_typed(fake: FakeTelegram, command: str, label: str, typed: str, read_back: str) -> None:
    """/assign by a part of the label, "Reaching out", a typed due date read back, Yes."""
    fake.send_text(THERAPIST, command)
    fake.wait_for_text(THERAPIST, f"Which conversation for “{label}”?")
    fake.press_button(THERAPIST, "Reaching out")
    fake.wait_for_text(THERAPIST, "When is it due?")
    mark = fake.mark()
    fake.send_text(THERAPIST, typed)
    asked = fake.wait_for_text(THERAPIST, "Is that right?", since=mark)
    assert f"Due {read_back}" in asked.text
    assert asked.button_labels == ["Yes", "Change"]
    fake.press_button(THERAPIST, "Yes", message_id=asked.message_id)
    fake.wait_for_text(THERAPIST, f"Due {read_back}. Add a note for them?", since=mark)
    fake.press_button(THERAPIST, "No note")
    fake.wait_for_text(THERAPIST, f"Sent to “{label}”: “Reaching out”", since=mark)


def due_day(db, client: int, zone: str) -> date:
    """The stored due date of the client's homework, as a day in their zone."""
    [(due_at,)] = rows(
        db,
        "select a.due_at from assignments a join therapist_links l on l.id = a.link_id"
        " where l.client_id = ?",
        client,
    )
    return datetime.fromisoformat(due_at).astimezone(ZoneInfo(zone)).date()


def test_a_therapist_types_what_they_mean_and_the_bot_understands(fake, launch, tmp_path):
    clock = tmp_path / "clock"
    set_clock(clock, THURSDAY_EVENING)
    bot = launch(THERAPIST_IDS=str(THERAPIST), BOT_CLOCK_FILE=str(clock))
    set_up(fake, MAYA, "Ireland", "Maya R")
    set_up(fake, KIRI, "New Zealand", "Kiri")

    # "/report maya" finds "Maya R".
    mark = fake.mark()
    fake.send_text(THERAPIST, "/report maya")
    files = report_files(fake, mark)
    assert sorted(files) == ["report-Maya-R-2026-11-26.md", "report-Maya-R-2026-11-26.pdf"]

    # "/report" alone: the clients as buttons; a tap sends that one's report.
    mark = fake.mark()
    fake.send_text(THERAPIST, "/report")
    whose = fake.wait_for_text(THERAPIST, "Whose report?", since=mark)
    assert whose.button_labels == ["Kiri", "Maya R"]
    fake.press_button(THERAPIST, "Kiri", message_id=whose.message_id)
    assert all(name.startswith("report-Kiri-") for name in report_files(fake, mark))

    # A name that matches nobody: said so, with every client to tap.
    mark = fake.mark()
    fake.send_text(THERAPIST, "/report zoe")
    none = fake.wait_for_text(THERAPIST, "You have no client labelled “zoe”", since=mark)
    assert none.button_labels == ["Kiri", "Maya R"]

    # "friday" for Kiri, for whom it is already Friday: the Friday a week on, in Auckland.
    assign_typed(fake, "/assign KIRI", "Kiri", "friday", "Friday 4 December 2026")
    assert due_day(bot.db, KIRI, "Pacific/Auckland") == date(2026, 12, 4)

    # "in 5 days" for Maya, for whom it is still Thursday: Tuesday 1 December, in Dublin; a
    # typed muddle first gets a kind word with examples, and the wait goes on.
    fake.send_text(THERAPIST, "/assign  maya ")
    fake.wait_for_text(THERAPIST, "Which conversation for “Maya R”?")
    fake.press_button(THERAPIST, "Reaching out")
    fake.wait_for_text(THERAPIST, "When is it due?")
    mark = fake.mark()
    fake.send_text(THERAPIST, "sometime soonish")
    kind = fake.wait_for_text(THERAPIST, "couldn't read that as a day", since=mark)
    assert "friday, next monday, tomorrow, in 5 days" in kind.text
    mark = fake.mark()
    fake.send_text(THERAPIST, "in 5 days")
    asked = fake.wait_for_text(THERAPIST, "Due Tuesday 1 December 2026", since=mark)
    fake.press_button(THERAPIST, "Change", message_id=asked.message_id)
    fake.wait_for_text(THERAPIST, "When is it due?", since=mark)
    assert rows(bot.db, "select count(*) from assignments") == [(1,)]  # nothing kept yet
    mark = fake.mark()
    fake.send_text(THERAPIST, "in 5 days")
    asked = fake.wait_for_text(THERAPIST, "Due Tuesday 1 December 2026", since=mark)
    fake.press_button(THERAPIST, "Yes", message_id=asked.message_id)
    fake.wait_for_text(THERAPIST, "Add a note for them?", since=mark)
    fake.send_text(THERAPIST, "No rush")
    fake.wait_for_text(THERAPIST, "Sent to “Maya R”: “Reaching out”, due Tue 1 Dec", since=mark)
    assert due_day(bot.db, MAYA, "Europe/Dublin") == date(2026, 12, 1)
    homework = fake.wait_for_text(MAYA, "has suggested an exercise for you")
    assert "by Tue 1 Dec" in homework.text

    # What the therapist typed is never in the log.
    logs = bot.logs()
    for typed in ("sometime soonish", "No rush"):
        assert typed not in logs
