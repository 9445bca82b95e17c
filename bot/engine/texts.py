"""The engine's own words: gentle re-prompts and notices. Flow authors can override `invalid:`."""

from __future__ import annotations

STALE = "That question has moved on. Here is where we are now:"
NOT_SKIPPABLE = "This one matters for what comes next, so it can't be skipped. Take your time."
NOTHING_BEFORE = "This is the first question, so there is nothing to go back to."
CANNOT_GO_BACK = "That earlier answer is settled now, so we can't go back to it from here."
FINISHED_ALREADY = "This conversation is finished. You can start another one whenever you like."
TYPE_IT = "This one is best answered in your own words. A few typed words are plenty."
TOO_SHORT = "Could you say a little more? Even a few words help."
PICK_ONE = "I didn't catch which one you mean. Please tap one of the buttons, or type its number."


def too_long(limit: int) -> str:
    """Re-prompt for a text longer than the step allows."""
    return (
        f"That is more than I can keep for one answer ({limit} characters). Could you shorten it?"
    )


def scale(low: int, high: int) -> str:
    """Re-prompt for a scale answer out of range."""
    return f"Please choose a number from {low} to {high}."


def pick_many(low: int, high: int) -> str:
    """Re-prompt for a multi-select answer with too few or too many picks."""
    if low == high:
        return f"Please choose {low} of these."
    if low <= 1:
        return f"Please choose up to {high} of these, separated by commas if you type them."
    return f"Please choose between {low} and {high} of these."


def pause(button: str) -> str:
    """Re-prompt at a pause step."""
    return f"Take your time. Tap “{button}” when you're ready."


NONE_OF_THESE = "None of these"
DID_YOU_MEAN = "Did you mean one of these?"
TICKED = "I've ticked what I think you meant. Change anything you like, then tap Done."
UNSURE = (
    "That's all right, there is no wrong answer. If you had to pick the closest, which would it be?"
)
SEVERAL = "If you had to pick just one, which is closest?"
UNCLEAR = "I didn't catch which one you mean."
NONE_FITS = "Then tap the closest one, or put it another way."
LEFT_OPEN = "That's all right. We can leave that one open."
SCALE_UNSURE = "No need to be exact. Pick the number that feels closest, from {low} to {high}."


def took(shown: str) -> str:
    """How typed words were read, so a wrong reading can be put right."""
    return f"I took that as “{shown}”. /back changes it."


def kept_words(label: str) -> str:
    """Typed words kept as the catch-all option's answer."""
    return f"I kept that in your words, as “{label}”. /back changes it."


def numbered(lead: str, labels: list[str]) -> str:
    """A re-prompt that lists the options as numbered text, for a typed reply."""
    lines = "\n".join(f"{i}. {label}" for i, label in enumerate(labels, 1))
    return f"{lead}\n{lines}\nTap one, or type its number."
