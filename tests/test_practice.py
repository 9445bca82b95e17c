"""Therapists and clients through the real service and an SQLite file, with an injected clock."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_onboarding import CHOICES, CLEAR, play, play_first_test

from bot.engine import Ask, Choice, Document, Finished, Offer, Say, Skip, Start, Text
from bot.engine.transcript import event_for, last_ask
from bot.usecases.practice import NOT_A_THERAPIST
from bot.usecases.service import Service

ROOT = Path(__file__).resolve().parents[1]
THERAPIST, CLIENT, STRANGER = 900, 901, 902


@pytest.fixture
def practice(file_store, shipped) -> Service:
    service = Service(file_store, shipped, therapist_ids=[THERAPIST])
    return service


def said(effects) -> str:
    return "\n".join(getattr(e, "text", "") for e in effects)


def offer(effects) -> Offer:
    return next(e for e in effects if isinstance(e, Offer))


def invite_code(service: Service, now, label: str = "Sam") -> str:
    out = service.therapist_command(THERAPIST, "invite", label, now, "SecureBaseBot")
    link = re.search(r"https://t\.me/SecureBaseBot\?start=(\S+)", said(out.effects))
    assert link is not None
    return link.group(1)


def linked(service: Service, now, scope: str = "status", clear: bool = True) -> None:
    answers = CLEAR if clear else ["adult_yes", "gb", "he", "sometimes", "never", "none",
                                   "none", "not_in_therapy"]  # fmt: skip
    play(service, CLIENT, "getting-started", answers + CHOICES, now)
    code = invite_code(service, now)
    service.open_invite(CLIENT, code, now, "e1")
    outcome = service.action(CLIENT, f"acc:{scope}:{code}", now)
    assert "You're linked" in said(outcome.effects)


def assign(
    service: Service, now, flow: str = "reaching-out", days: int = 3, note: str = "Go gently"
):
    first = service.therapist_command(THERAPIST, "assign", "", now)
    link_button = offer(first.effects).actions[0].value
    service.action(THERAPIST, link_button, now)
    service.action(THERAPIST, f"as:f:{flow}", now)
    service.action(THERAPIST, f"as:d:{days}", now)
    return service.handle(THERAPIST, Text(note), now)


def test_only_the_operator_makes_therapists(tmp_path):
    db = tmp_path / "bot.db"

    def cli(*args: str) -> str:
        run = subprocess.run(
            [sys.executable, "-m", "bot", "therapists", *args, "--db", str(db)],
            capture_output=True, text=True, cwd=ROOT, timeout=60,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        return run.stdout

    assert "is a therapist (Dr Ana Silva)" in cli("add", "555", "--name", "Dr Ana Silva")
    assert "555\tDr Ana Silva" in cli("list")
    cli("remove", "555")
    assert "555" not in cli("list")


def test_everyone_else_is_refused_politely(practice, now):
    for command in ("invite", "assign", "clients", "report"):
        outcome = practice.therapist_command(STRANGER, command, "Sam", now)
        assert outcome.effects == [Say(NOT_A_THERAPIST)], command
    refused = practice.action(STRANGER, "as:c:1", now)
    assert said(refused.effects) == NOT_A_THERAPIST


def test_an_invite_is_a_short_unguessable_single_use_link(practice, now):
    code = invite_code(practice, now)
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,64}", code)
    assert code != invite_code(practice, now)
    shown = said(practice.open_invite(CLIENT, code, now, "e1"))
    assert "Your therapist invites you" in shown
    assert "Status only: which exercises and homework you started and finished, and when" in shown
    assert "never the words you typed yourself" in shown  # summaries say it plainly
    assert "including the words you typed yourself" in shown  # and so does full
    assert "Never shared at any level: the safety questions" in shown
    accepted = practice.action(CLIENT, f"acc:summaries:{code}", now)
    assert [n.user_id for n in accepted.notices] == [THERAPIST]
    assert "“Sam” accepted your invitation" in said(accepted.notices[0].effects)
    again = practice.open_invite(STRANGER, code, now, "e2")
    assert "already been used" in said(again)
    assert "already been used" in said(practice.action(STRANGER, f"acc:full:{code}", now).effects)


def test_an_invite_expires_after_a_week(practice, now):
    code = invite_code(practice, now)
    assert "expired" in said(practice.open_invite(CLIENT, code, now + timedelta(days=8), "e1"))


def test_assigning_walks_through_client_flow_date_and_note(practice, now):
    linked(practice, now)
    sent = assign(practice, now, days=3, note="Go gently, and only if it feels right")
    assert "Sent to “Sam”: “Reaching out”" in said(sent.effects)
    [notice] = sent.notices
    assert notice.user_id == CLIENT
    message = offer(notice.effects)
    assert "“Reaching out”, by" in message.text and "Go gently, and only if" in message.text
    assert [b.value for b in message.actions] == ["go:reaching-out"]
    # The reach opens although the loop and the raw spot are not done: the therapist asked.
    assert practice.lock_of(CLIENT, "reaching-out") is not None
    started = practice.action(CLIENT, "go:reaching-out", now)
    assert "Here is the raw-spot card you made" in said(started.effects)


def test_a_safety_lock_holds_against_an_assignment(practice, now):
    linked(practice, now, scope="status", clear=False)  # "sometimes" afraid
    sent = assign(practice, now)
    assert "could not be opened for “Sam”." in said(sent.effects)
    assert "because of what you shared" not in said(sent.effects)  # no reason at this level
    assert sent.notices == ()
    refused = practice.handle(CLIENT, Start("reaching-out"), now)
    assert "Your safety comes first" in said(refused.effects)


def test_the_reason_is_told_only_with_full_consent(practice, now):
    linked(practice, now, scope="full", clear=False)
    assert "because of what you shared" in said(assign(practice, now).effects)


def test_reminders_come_the_day_before_and_on_the_day_then_stop_when_done(practice, now):
    linked(practice, now)
    assign(practice, now, days=3)
    zone_day = now.date() + timedelta(days=3)  # Europe/London: the same day as UTC here
    before = practice.due_reminders(now + timedelta(days=1))
    assert before == []
    day_before = practice.due_reminders(now.replace(hour=10, minute=1) + timedelta(days=2))
    assert len(day_before) == 1 and day_before[0].user_id == CLIENT
    text = offer(day_before[0].effects)
    assert "is due tomorrow" in text.text
    assert [b.label for b in text.actions] == ["Start it now", "Later"]
    assert practice.due_reminders(now.replace(hour=10, minute=2) + timedelta(days=2)) == []
    # Done before the day: no second reminder, and the therapist hears of it.
    play_first_test(practice, CLIENT, "reaching-out", now + timedelta(days=2, hours=1))
    on_day = practice.due_reminders(now.replace(hour=10, minute=1) + timedelta(days=3))
    assert on_day == [], zone_day


def test_the_therapist_is_told_when_homework_is_finished(practice, now):
    linked(practice, now)
    assign(practice, now, flow="tour")
    outcome = practice.handle(CLIENT, Start("tour"), now)
    for item in practice.catalog["tour"].tests[0].inputs:  # type: ignore[index]
        ask = last_ask(list(outcome.effects))
        assert ask is not None
        outcome = practice.handle(CLIENT, event_for(ask, item), now)
    assert outcome is not None
    assert [n.user_id for n in outcome.notices] == [THERAPIST]
    assert "“Sam” finished “A first look around”" in said(outcome.notices[0].effects)


def test_no_reminders_after_consent_is_withdrawn_or_reminders_refused(practice, now):
    linked(practice, now)
    assign(practice, now, days=3)
    link = practice.store.practice.links_of_client(CLIENT)[0]
    withdrawn = practice.action(CLIENT, f"scope:{link.id}:none", now)
    assert "stopped sharing" in said(withdrawn.notices[0].effects)
    assert practice.due_reminders(now + timedelta(days=3)) == []


def test_snooze_reminds_again_within_waking_hours(practice, now):
    linked(practice, now)
    assign(practice, now, days=3)
    assignment = practice.store.practice.open_assignments(CLIENT)[0]
    evening = now.replace(hour=20, minute=0)  # 20:00 in London: three hours on is too late
    reply = practice.action(CLIENT, f"snooze:{assignment.id}", evening)
    assert "again at 10:00" in said(reply.effects)


def test_clients_lists_labels_open_homework_and_is_audited(practice, now):
    linked(practice, now)
    assign(practice, now, days=3)
    listing = said(practice.therapist_command(THERAPIST, "clients", "", now).effects)
    assert "• Sam (status only)" in listing and "open: Reaching out, due" in listing
    assert [a[1] for a in practice.store.practice.audit_of(CLIENT)] == ["clients"]


def check_in(service: Service, now, reach: int, respond: int, close: int) -> None:
    """The client does the weekly check-in: both ratings of each A.R.E. part the same."""
    outcome = service.handle(CLIENT, Start("weekly-check-in"), now)
    ask = [e for e in outcome.effects if isinstance(e, Ask)][-1]
    if ask.key == "last_step":  # from the second week: how last week's small step went
        outcome = service.handle(CLIENT, Choice("helped", ask.seq), now)
    for value in [reach, respond, close, reach, respond, close]:
        ask = [e for e in outcome.effects if isinstance(e, Ask)][-1]
        outcome = service.handle(CLIENT, Choice(str(value), ask.seq), now)
    ask = [e for e in outcome.effects if isinstance(e, Ask)][-1]
    outcome = service.handle(CLIENT, Skip(ask.seq), now)  # the moment: their own words
    for value in ["few", "phones"]:
        ask = [e for e in outcome.effects if isinstance(e, Ask)][-1]
        outcome = service.handle(CLIENT, Choice(value, ask.seq), now)
    assert any(isinstance(e, Finished) and e.scores for e in outcome.effects)


def three_weeks_of_check_ins(practice: Service, now, scope: str) -> datetime:
    """Linked on Monday 23 Nov with homework due Thu 26 Nov; check-ins on three Tuesdays;
    more homework due a week after the last; the Thursday after it, the moment of /clients."""
    linked(practice, now, scope=scope)
    assign(practice, now, flow="reaching-out", days=3)
    for week, (reach, respond, close) in enumerate([(2, 3, 3), (3, 3, 4), (4, 3, 2)]):
        check_in(practice, now + timedelta(days=1 + 7 * week), reach, respond, close)
    assign(practice, now + timedelta(days=16), flow="responding", days=7)
    return now + timedelta(days=17)


@pytest.mark.parametrize("scope", ["status", "summaries", "full"])
def test_clients_shows_progress_over_weeks_as_far_as_consent_allows(practice, now, scope):
    later = three_weeks_of_check_ins(practice, now, scope)
    listing = said(practice.therapist_command(THERAPIST, "clients", "", later).effects)
    level = {"status": "status only", "summaries": "status and summaries",
             "full": "everything i answer"}[scope]  # fmt: skip
    assert f"• Sam ({level})" in listing
    assert "last active: 2 days ago" in listing  # the third check-in, Tue 8 Dec
    assert "open: Reaching out, OVERDUE (was due Thu 26 Nov)" in listing
    assert "reaches out, due Wed 16 Dec" in listing and "reaches out, OVERDUE" not in listing
    trend = (
        "A.R.E. over 3 check-ins: reachable higher (2.5 → 4.0); responsive about the same"
        " (3.0 → 3.0); close and present lower (3.5 → 2.0)"
    )
    if scope == "status":  # that they checked in and when, never how they rated
        assert "weekly check-ins: 3 in recent weeks, the last 2 days ago" in listing
        assert "A.R.E." not in listing and "→" not in listing and "4.0" not in listing
    else:
        assert trend in listing
    assert max(len(line) for line in listing.splitlines()) <= 140  # wraps to a few phone lines
    assert len(listing) < 600


def test_clients_says_when_there_are_no_check_ins_yet(practice, now):
    linked(practice, now, scope="full")
    listing = said(practice.therapist_command(THERAPIST, "clients", "", now).effects)
    assert "last active: today" in listing and "no weekly check-ins yet" in listing
    assert "A.R.E." not in listing


def test_clients_shows_only_check_ins_since_the_link(practice, now):
    play(practice, CLIENT, "getting-started", CLEAR + CHOICES, now)
    check_in(practice, now, 1, 1, 1)  # a week before the link: not shared by default
    linked_at = now + timedelta(days=7)
    code = invite_code(practice, linked_at)
    practice.open_invite(CLIENT, code, linked_at, "e1")
    practice.action(CLIENT, f"acc:full:{code}", linked_at)
    check_in(practice, linked_at + timedelta(hours=1), 4, 4, 4)
    listing = said(practice.therapist_command(THERAPIST, "clients", "", linked_at).effects)
    assert "A.R.E., 1 check-in so far: reachable 4.0; responsive 4.0" in listing
    assert "1.0" not in listing


def report_of(practice: Service, now) -> str:
    outcome = practice.therapist_command(THERAPIST, "report", "Sam", now)
    markdown, printable = (e for e in outcome.effects if isinstance(e, Document))
    assert markdown.filename.endswith(".md") and printable.filename.endswith(".pdf")
    assert printable.data.startswith(b"%PDF") and len(printable.data) > 1000
    return markdown.data.decode()


@pytest.mark.parametrize("scope", ["status", "summaries", "full"])
def test_the_report_holds_exactly_what_the_consent_allows(practice, now, scope):
    linked(practice, now, scope=scope)
    play_first_test(practice, CLIENT, "name-the-cycle", now)
    shown = report_of(practice, now)
    assert "Naming the loop: started" in shown  # status and up
    reflection = "you tend to push to talk it out"
    answer = "Their words: “the tornado”"  # under its question, not by step id
    assert (reflection in shown) == (scope != "status")
    assert (answer in shown) == (scope == "full")
    assert "afraid" not in shown and "harmed" not in shown  # private steps, never shared
    assert practice.store.practice.audit_of(CLIENT)[-1][1] == f"report:{scope}"


def test_a_withdrawn_consent_means_no_report(practice, now):
    linked(practice, now, scope="full")
    link = practice.store.practice.links_of_client(CLIENT)[0]
    practice.action(CLIENT, f"scope:{link.id}:none", now)
    refused = practice.therapist_command(THERAPIST, "report", "Sam", now)
    assert "has stopped sharing with you, so there is no report" in said(refused.effects)


def test_a_crisis_card_alerts_a_therapist_only_with_consent(practice, now):
    linked(practice, now, scope="summaries")
    practice.handle(CLIENT, Text("i want to die"), now)
    card = practice.action(CLIENT, "ans:suicide:y", now)
    [alert] = card.notices
    assert alert.user_id == THERAPIST and "A safety card was shown to “Sam”" in said(alert.effects)
    assert "want to die" not in said(alert.effects)


def test_a_conversation_left_for_three_days_gets_one_nudge(practice, now):
    play(practice, CLIENT, "getting-started", CLEAR + CHOICES, now)
    practice.handle(CLIENT, Start("tour"), now)
    assert practice.due_reminders(now + timedelta(days=2)) == []
    [nudge] = practice.due_reminders(now + timedelta(days=3, minutes=1))
    assert "You left “A first look around” part-way" in offer(nudge.effects).text
    assert practice.due_reminders(now + timedelta(days=5)) == []


def test_the_time_zone_is_asked_once_with_the_countrys_as_the_guess(practice, now):
    play(practice, CLIENT, "getting-started", CLEAR + CHOICES, now)
    code = invite_code(practice, now)
    accepted = practice.action(CLIENT, f"acc:status:{code}", now)
    question = offer(accepted.effects)
    assert "I have Europe/London for you" in question.text
    listing = offer(practice.action(CLIENT, "tz:list:", now).effects)
    assert "tz:set:Asia/Tokyo" in [b.value for b in listing.actions]
    assert "Tokyo" in said(practice.action(CLIENT, "tz:set:Asia/Tokyo", now).effects)
    assert practice.practice.zone(CLIENT).key == "Asia/Tokyo"
    second = practice.action(CLIENT, f"acc:status:{invite_code(practice, now)}", now)
    assert not any(isinstance(e, Offer) for e in second.effects)  # asked once


def test_an_assign_left_half_way_does_not_swallow_later_typing(practice, now):
    linked(practice, now)
    first = practice.therapist_command(THERAPIST, "assign", "", now)
    practice.action(THERAPIST, offer(first.effects).actions[0].value, now)
    practice.action(THERAPIST, "as:f:tour", now)
    typed = practice.handle(THERAPIST, Text("tomorrow-ish"), now)
    assert "couldn't read that as a day" in said(typed.effects)  # still waiting, a moment later
    later = practice.handle(THERAPIST, Text("hello"), now + timedelta(hours=2))
    assert "couldn't read that as a day" not in said(later.effects)
    assert practice.store.practice.draft(THERAPIST) is None


def test_an_assignment_never_skips_the_first_safety_questions(practice, now):
    code = invite_code(practice, now)  # the client opens the link before /start
    practice.action(CLIENT, f"acc:status:{code}", now)
    assign(practice, now)
    refused = practice.action(CLIENT, "go:reaching-out", now)
    assert "Please begin with /start" in said(refused.effects)
    play(practice, CLIENT, "getting-started", CLEAR + CHOICES, now)
    opened = practice.action(CLIENT, "go:reaching-out", now)
    assert "Here is the raw-spot card you made" in said(opened.effects)


def test_no_homework_reminder_once_safety_answers_close_the_flow(practice, now):
    linked(practice, now)
    assign(practice, now, days=3)
    practice.handle(CLIENT, Text("he hit me again last night"), now)
    assert practice.lock_of(CLIENT, "reaching-out").safety  # type: ignore[union-attr]
    assert practice.due_reminders(now.replace(hour=10, minute=1) + timedelta(days=2)) == []


def test_no_nudge_back_to_a_flow_the_safety_answers_closed(practice, now):
    play(practice, CLIENT, "getting-started", CLEAR + CHOICES, now)
    play_first_test(practice, CLIENT, "name-the-cycle", now)
    play_first_test(practice, CLIENT, "raw-spot", now)
    practice.handle(CLIENT, Start("reaching-out"), now)
    practice.handle(CLIENT, Text("he choked me"), now)  # pauses the reach, closes it
    assert practice.due_reminders(now + timedelta(days=4)) == []


# -- forgiving input: labels by a part of them, buttons, due dates read back ------------------
def linked_as(service: Service, now, client: int, label: str, country: str = "gb") -> None:
    answers = ["adult_yes", country, *CLEAR[2:]]
    play(service, client, "getting-started", answers + CHOICES, now)
    code = invite_code(service, now, label)
    service.open_invite(client, code, now, f"e{client}")
    assert "You're linked" in said(service.action(client, f"acc:status:{code}", now).effects)


def labels_of(effects) -> list[str]:
    return [button.label for button in offer(effects).actions]


def test_a_client_is_found_by_any_case_and_by_the_start_of_their_label(practice, now):
    linked_as(practice, now, CLIENT, "Maya R")
    linked_as(practice, now, STRANGER, "Mark")
    for typed in ("maya", "MAYA R", "  maya   r ", "may", "r"):
        out = practice.therapist_command(THERAPIST, "report", typed, now)
        documents = [e for e in out.effects if isinstance(e, Document)]
        assert [d.filename.rsplit(".")[-1] for d in documents] == ["md", "pdf"], typed
        assert documents[0].filename.startswith("report-Maya-R-"), typed


def test_report_with_no_name_several_or_none_offers_the_clients_as_buttons(practice, now):
    linked_as(practice, now, CLIENT, "Maya R")
    linked_as(practice, now, STRANGER, "Mark")
    alone = practice.therapist_command(THERAPIST, "report", "", now)
    assert offer(alone.effects).text == "Whose report?"
    assert labels_of(alone.effects) == ["Mark", "Maya R"]
    several = practice.therapist_command(THERAPIST, "report", "ma", now)
    assert "More than one client matches “ma”" in said(several.effects)
    assert labels_of(several.effects) == ["Mark", "Maya R"]
    none = practice.therapist_command(THERAPIST, "report", "zoe", now)
    assert "You have no client labelled “zoe”" in said(none.effects)
    assert labels_of(none.effects) == ["Mark", "Maya R"]
    tapped = practice.action(THERAPIST, offer(several.effects).actions[0].value, now)
    assert [e.filename[:12] for e in tapped.effects if isinstance(e, Document)] == [
        "report-Mark-"
    ] * 2
    assert practice.store.practice.audit_of(STRANGER)[-1][1] == "report:status"
    # A forged or someone else's link id: no report.
    for forged in ("rp:abc", "rp:99999", "rp:"):
        assert said(practice.action(THERAPIST, forged, now).effects) == (
            "That client is no longer linked."
        )
    assert said(practice.action(CLIENT, "rp:1", now).effects) == NOT_A_THERAPIST


def test_assign_takes_a_part_of_the_label_and_reads_a_typed_day_back(practice, now):
    linked_as(practice, now, CLIENT, "Maya R")
    first = practice.therapist_command(THERAPIST, "assign", "maya", now)
    assert offer(first.effects).text == "Which conversation for “Maya R”?"
    practice.action(THERAPIST, "as:f:reaching-out", now)
    nonsense = practice.handle(THERAPIST, Text("whenever suits"), now)
    assert "couldn't read that as a day" in said(nonsense.effects)
    assert "in 5 days" in said(nonsense.effects)
    past = practice.handle(THERAPIST, Text("2020-01-01"), now)
    assert "That day has already passed" in said(past.effects)
    asked = practice.handle(THERAPIST, Text("in 5 days"), now)
    due = now.date() + timedelta(days=5)
    assert f"{due:%A} {due.day} {due:%B %Y}" in said(asked.effects)
    assert labels_of(asked.effects) == ["Yes", "Change"]
    assert practice.store.practice.open_assignments(CLIENT) == []  # nothing kept before Yes
    changed = practice.action(THERAPIST, "as:x:", now)
    assert "When is it due?" in said(changed.effects)
    again = practice.handle(THERAPIST, Text("Fri"), now)
    practice.action(THERAPIST, offer(asked.effects).actions[0].value, now)  # the older Yes
    assert practice.store.practice.draft(THERAPIST).get("due") is None  # type: ignore[union-attr]
    note = practice.action(THERAPIST, offer(again.effects).actions[0].value, now)
    assert "Add a note for them?" in said(note.effects)
    sent = practice.action(THERAPIST, "as:n:-", now)
    assert "Sent to “Maya R”" in said(sent.effects)
    [homework] = practice.store.practice.open_assignments(CLIENT)
    assert date_of(homework.due_at, "Europe/London").weekday() == 4


def date_of(stored: str, zone: str) -> date:
    """The day a stored moment falls on in a zone."""
    return datetime.fromisoformat(stored).astimezone(ZoneInfo(zone)).date()


def test_tomorrow_is_the_clients_tomorrow(practice, now):
    # Late in the evening in London is already the next morning in Auckland.
    evening = now.replace(hour=22, minute=0)
    linked_as(practice, evening, CLIENT, "Kiri", country="nz")
    practice.action(CLIENT, "tz:set:Pacific/Auckland", evening)
    practice.therapist_command(THERAPIST, "assign", "kiri", evening)
    practice.action(THERAPIST, "as:f:reaching-out", evening)
    asked = practice.handle(THERAPIST, Text("tomorrow"), evening)
    auckland_tomorrow = date_of(evening.isoformat(), "Pacific/Auckland") + timedelta(days=1)
    assert auckland_tomorrow == evening.date() + timedelta(days=2)
    assert f"{auckland_tomorrow.day} {auckland_tomorrow:%B}" in said(asked.effects)
    typed_yes = practice.handle(THERAPIST, Text("yes"), evening)
    assert "Add a note for them?" in said(typed_yes.effects)
    practice.action(THERAPIST, "as:n:-", evening)
    [homework] = practice.store.practice.open_assignments(CLIENT)
    assert date_of(homework.due_at, "Pacific/Auckland") == auckland_tomorrow
