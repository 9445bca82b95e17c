"""What a therapist sees: /clients, and finding a client's link for /report."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.documents.blocks import Block, to_markdown
from bot.documents.first_page import CHECK_IN, SCORE_SCOPES, score_labels
from bot.documents.report import report_blocks
from bot.documents.trends import by_week, in_brief
from bot.engine import Document, Effect, Say
from bot.storage.practice import DONE, OPEN, Assignment, Link
from bot.usecases.practice.base import PracticeBase
from bot.usecases.practice.consent import SCOPE_LABELS

RECENT_WEEKS = 4
"""/clients tells the trend over this many of the latest weeks with a check-in."""


def ago(moment: datetime, now: datetime, zone: ZoneInfo) -> str:
    """A past moment in words, by the days of the person's zone: "today", "yesterday", "3 days
    ago", "2 weeks ago"."""
    days = (now.astimezone(zone).date() - moment.astimezone(zone).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 61:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"


class Clients(PracticeBase):
    """A therapist's view of their clients."""

    # -- what the therapist sees -------------------------------------------------------------
    def clients(self, therapist_id: int, now: datetime) -> list[Effect]:
        """/clients: each client's label and consent level, when they were last active, their
        open homework with due dates (overdue marked), and how their weekly check-ins moved
        where their consent shares scores; short enough for a phone screen."""
        links = self.rows.links_of_therapist(therapist_id)
        if not links:
            return [Say("No linked clients yet. /invite makes a link for one.")]
        lines = []
        for link in links:
            self.rows.audit(therapist_id, link.client_id, "clients", now)
            lines.append(self._client_lines(link, now))
        return [Say("Your clients:\n\n" + "\n\n".join(lines))]

    def _client_lines(self, link: Link, now: datetime) -> str:
        zone = self.zone(link.client_id)
        homework = self.rows.assignments_of_link(link.id)
        open_ = sorted((a for a in homework if a.status == OPEN), key=lambda a: a.due_at)
        done = [a for a in homework if a.status == DONE]
        last = self.rows.last_activity(link.client_id)
        active = ago(datetime.fromisoformat(last), now, zone) if last else "not yet"
        parts = [
            f"• {link.label} ({SCOPE_LABELS[link.scope].lower()})",
            f"   last active: {active}",
        ]
        for a in open_:
            due = datetime.fromisoformat(a.due_at)
            day = due.astimezone(zone).strftime("%a %-d %b")
            state = f"OVERDUE (was due {day})" if due < now else f"due {day}"
            parts.append(f"   open: {self.title(a.flow_id)}, {state}")
        parts += [
            f"   done: {self.title(a.flow_id)} on {(a.completed_at or '')[:10]}" for a in done[:3]
        ]
        parts.append(f"   {self._check_ins(link, now, zone)}")
        return "\n".join(parts)

    def _check_ins(self, link: Link, now: datetime, zone: ZoneInfo) -> str:
        """One line on the weekly check-ins the link shares: how many and when the last was;
        with summaries or full consent, how the A.R.E. scores moved over the recent weeks."""
        rows = [
            row
            for row in self.store.scores_of(link.client_id, CHECK_IN)
            if link.share_earlier or row[0] >= link.created_at
        ]
        weeks = by_week(rows)[-RECENT_WEEKS:]
        if not weeks:
            return "no weekly check-ins yet"
        count = f"{len(weeks)} check-in{'s' if len(weeks) != 1 else ''}"
        if link.scope not in SCORE_SCOPES:
            when_last = ago(datetime.fromisoformat(rows[-1][0]), now, zone)
            return f"weekly check-ins: {len(weeks)} in recent weeks, the last {when_last}"
        labels = score_labels(self.catalog)
        if len(weeks) == 1:
            return f"A.R.E., 1 check-in so far: {in_brief(weeks, labels)}"
        return f"A.R.E. over {count}: {in_brief(weeks, labels)}"

    def assignments(self, link: Link) -> list[Assignment]:
        """Every assignment under a link."""
        return self.rows.assignments_of_link(link.id)

    def report(self, therapist_id: int, label: str, now: datetime) -> list[Effect]:
        """/report LABEL: what the client's consent allows, as Markdown and as PDF; audited.
        The label may be a part of it ("maya" for "Maya R"); with none, several or no match the
        therapist taps the client instead."""
        picked = self.pick_client(
            therapist_id, label, "rp", "Whose report?", ", so there is no report."
        )
        if isinstance(picked, list):
            return picked
        return self.report_of(therapist_id, picked, now)

    def report_button(self, therapist_id: int, link_id: int | None, now: datetime) -> list[Effect]:
        """A client tapped under /report."""
        link = self.own_link(therapist_id, link_id)
        if link is None:
            return [Say("That client is no longer linked.")]
        return self.report_of(therapist_id, link, now)

    def report_of(self, therapist_id: int, link: Link, now: datetime) -> list[Effect]:
        """The report of one live link, as Markdown and as PDF; audited."""
        self.rows.audit(therapist_id, link.client_id, f"report:{link.scope}", now)
        rows = self.store.personal.everything_about(link.client_id)
        blocks = report_blocks(link, self.assignments(link), rows, self.catalog, now)
        name = f"report-{link.label.replace(' ', '-')}-{now:%Y-%m-%d}"
        caption = f"{link.label}: what their consent ({link.scope}) allows."
        return [
            Document(f"{name}.md", to_markdown(blocks).encode("utf-8"), caption),
            Document(
                f"{name}.pdf",
                _pdf(blocks, f"Report: {link.label}", link),
                "The same, to print.",
            ),
        ]


def _pdf(blocks: list[Block], title: str, link: Link) -> bytes:
    # fpdf2, fontTools and matplotlib's fonts are loaded at the first report, not at start-up:
    # most runs of the bot never make one, and they cost tens of MB of memory.
    from bot.documents.pdf import Furniture, pdf_from_blocks

    furniture = Furniture(link.label, link.consented_on)
    return pdf_from_blocks(blocks, title, furniture)
