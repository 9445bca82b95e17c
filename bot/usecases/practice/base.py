"""What every part of the therapist side shares: who is who, time zones, flow titles.

A therapist sees a client only through a live link, by the label the therapist gave, and only
as much as the client's consent scope allows (`consent.SCOPE_WORDS` says it as the client reads
it). Replies to other people go out as `Notice`s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, time
from zoneinfo import ZoneInfo

from bot.engine import Button, Effect, Offer, Say
from bot.flows.model import Catalog, Lock
from bot.storage import Store
from bot.storage.practice import THERAPIST, Link

WAKING = (time(9, 0), time(21, 0))
REMIND_AT = time(10, 0)
ZONES = {
    "us": "America/New_York", "gb": "Europe/London", "ie": "Europe/Dublin",
    "ca": "America/Toronto", "au": "Australia/Sydney", "nz": "Pacific/Auckland",
    "in": "Asia/Kolkata", "za": "Africa/Johannesburg", "de": "Europe/Berlin",
    "fr": "Europe/Paris", "es": "Europe/Madrid", "it": "Europe/Rome", "nl": "Europe/Amsterdam",
    "be": "Europe/Brussels", "at": "Europe/Vienna", "ch": "Europe/Zurich",
    "se": "Europe/Stockholm", "no": "Europe/Oslo", "dk": "Europe/Copenhagen",
    "fi": "Europe/Helsinki", "pt": "Europe/Lisbon", "pl": "Europe/Warsaw",
    "br": "America/Sao_Paulo", "mx": "America/Mexico_City", "jp": "Asia/Tokyo",
    "sg": "Asia/Singapore",
}  # fmt: skip
"""The time zone reminders keep to, from the country chosen at the start (UTC otherwise)."""
NOT_A_THERAPIST = (
    "That command is for therapists who work with this bot. If you are one, the person who runs"
    " it can add you. If you were given a link by your therapist, just open it."
)


def plain(label: str) -> str:
    """A label as it is compared: case-blind, extra spaces dropped ("  maya  r" -> "maya r")."""
    return " ".join(label.split()).casefold()


def matching(links: Sequence[Link], typed: str) -> list[Link]:
    """The links a typed label means, best first: the same label (case-blind, spaces ignored);
    else the labels it begins ("maya" finds "Maya R"); else those with a word it begins ("r"
    finds "Maya R"). Nothing typed, or nothing found: an empty list."""
    wanted = plain(typed)
    if not wanted:
        return []
    for fits in (
        lambda label: label == wanted,
        lambda label: label.startswith(wanted),
        lambda label: any(word.startswith(wanted) for word in label.split()),
    ):
        found = [link for link in links if fits(plain(link.label))]
        if found:
            return found
    return []


def when(day: str) -> str:
    """A stored date as people read it: "Tue 24 Nov"."""
    return date.fromisoformat(day[:10]).strftime("%a %-d %b")


class PracticeBase:
    """The state every part of the therapist side works over."""

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        lock: Callable[[int, str], Lock | None],
        therapist_ids: Iterable[int] = (),
    ) -> None:
        self.store = store
        self.rows = store.practice
        self.catalog = catalog
        self.lock = lock
        self.configured = frozenset(therapist_ids)

    # -- who is who --------------------------------------------------------------------------
    def is_therapist(self, user_id: int) -> bool:
        """True for people the operator made therapists (setting or CLI); never self-made."""
        return user_id in self.configured or self.rows.role(user_id)[0] == THERAPIST

    def therapist_ids(self) -> set[int]:
        """Everyone who is a therapist now: by the setting and by `therapists add`."""
        return set(self.configured) | {user_id for user_id, _ in self.rows.therapists()}

    def menu_changes(self, everyone: bool = False) -> tuple[list[int], list[int]]:
        """(chats to give the therapists' menu, chats to take it from): therapists whose chat
        lacks it (`everyone`: all therapists), and chats that have it of people no longer
        therapists."""
        therapists, shown = self.therapist_ids(), self.rows.with_menu()
        give = therapists if everyone else therapists - shown
        return sorted(give), sorted(shown - therapists)

    def name_of(self, therapist_id: int) -> str:
        """How a therapist is named to clients."""
        return self.rows.role(therapist_id)[1] or "Your therapist"

    def zone(self, user_id: int) -> ZoneInfo:
        """The person's time zone: the one they chose, else their country's, else UTC."""
        chosen = self.rows.timezone(user_id)
        if chosen:
            return ZoneInfo(chosen)
        kept = self.store.memory_of(user_id).get("country")
        return ZoneInfo(ZONES.get(str(kept["value"]) if kept else "", "UTC"))

    def ask_zone(self, user_id: int) -> Offer:
        """The one question about time: is the zone we guessed right?"""
        zone = self.zone(user_id).key
        return Offer(
            f"Reminders about homework come at 10:00 your time. I have {zone} for you: is that"
            " right?",
            (Button("That's right", f"tz:set:{zone}"), Button("Choose another", "tz:list:")),
        )

    def choose_zone(self, user_id: int, action: str) -> list[Effect]:
        """The list of zones, or the chosen one kept."""
        _, _, rest = action.partition(":")
        what, _, zone = rest.partition(":")
        if what == "set" and zone in set(ZONES.values()) | {"UTC"}:
            self.rows.set_timezone(user_id, zone)
            return [Say(f"Thank you: reminders keep to {zone} time.")]
        zones = [*sorted(set(ZONES.values())), "UTC"]
        return [Offer("Which is closest to you?", tuple(Button(z, f"tz:set:{z}") for z in zones))]

    def pick_client(
        self, therapist_id: int, typed: str, verb: str, question: str, withdrawn: str
    ) -> Link | list[Effect]:
        """The one live link a typed label means; else what to show: buttons of the clients it
        could mean (several matched), or of all of them (none typed, or none matched, said so).
        Each button's action is `verb:<link id>`; `withdrawn` ends the sentence said when the
        label is one that stopped sharing (", so there is no report.")."""
        links = self.rows.links_of_therapist(therapist_id)
        shown = " ".join(typed.split())
        if not links:
            if shown and self.rows.has_withdrawn(therapist_id, plain(shown)):
                return [Say(f"“{shown}” has stopped sharing with you{withdrawn}")]
            return [Say("You have no linked clients yet. /invite makes a link for one.")]
        found = matching(links, shown)
        if len(found) == 1:
            return found[0]
        if found:
            return [
                Offer(f"More than one client matches “{shown}”. Which one?", _buttons(found, verb))
            ]
        if not shown:
            return [Offer(question, _buttons(links, verb))]
        if self.rows.has_withdrawn(therapist_id, plain(shown)):
            head = f"“{shown}” has stopped sharing with you{withdrawn}"
        else:
            head = f"You have no client labelled “{shown}”."
        return [Offer(f"{head} Your clients are below: tap one.", _buttons(links, verb))]

    def own_link(self, therapist_id: int, link_id: int | None) -> Link | None:
        """A live link of this therapist's, by id (from a button); None for anything else."""
        link = self.rows.link(link_id) if link_id is not None else None
        if link is None or link.therapist_id != therapist_id or link.revoked_at:
            return None
        return link

    def title(self, flow_id: str) -> str:
        """A flow's title, or its id when it no longer ships."""
        flow = self.catalog.get(flow_id)  # type: ignore[call-overload]
        return flow.title if flow else flow_id


def _buttons(links: Sequence[Link], verb: str) -> tuple[Button, ...]:
    return tuple(Button(link.label, f"{verb}:{link.id}") for link in links)
