"""What a therapist sees: /clients, and finding a client's link for /report."""

from __future__ import annotations

from datetime import datetime

from bot.documents.blocks import Block, to_markdown
from bot.documents.report import report_blocks
from bot.engine import Document, Effect, Say
from bot.storage.practice import OPEN, Assignment, Link
from bot.usecases.practice.base import PracticeBase, when
from bot.usecases.practice.consent import SCOPE_LABELS


class Clients(PracticeBase):
    """A therapist's view of their clients."""

    # -- what the therapist sees -------------------------------------------------------------
    def clients(self, therapist_id: int, now: datetime) -> list[Effect]:
        """/clients: each client's label, open homework, due dates, status and last activity."""
        links = self.rows.links_of_therapist(therapist_id)
        if not links:
            return [Say("No linked clients yet. /invite makes a link for one.")]
        lines = []
        for link in links:
            self.rows.audit(therapist_id, link.client_id, "clients", now)
            homework = self.rows.assignments_of_link(link.id)
            open_ = [a for a in homework if a.status == OPEN]
            done = [a for a in homework if a.status == "done"]
            last = self.rows.last_activity(link.client_id)
            parts = [f"• {link.label} ({SCOPE_LABELS[link.scope].lower()})"]
            parts += [f"   open: {self.title(a.flow_id)}, due {when(a.due_at)}" for a in open_]
            parts += [
                f"   done: {self.title(a.flow_id)} on {(a.completed_at or '')[:10]}"
                for a in done[:3]
            ]
            parts.append(f"   last active: {last[:10] if last else 'not yet'}")
            lines.append("\n".join(parts))
        return [Say("Your clients:\n\n" + "\n\n".join(lines))]

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

    # The date the client consented, when the link was made (a later change of level keeps it:
    # the link rows record no date for that).
    furniture = Furniture(link.label, link.created_at[:10])
    return pdf_from_blocks(blocks, title, furniture)
