"""What the Telegram adapter says in its own words (flow texts come from the flows)."""

from __future__ import annotations

DONE = "Done ✓"
BACK = "↩ Back"
REFLECTION = "Your reflection"
NAME = (
    "The name comes from attachment research: a secure base is someone close you can turn to"
    " when things are hard, and set out from again when they settle."
)
WELCOME = (
    "Hello, and welcome. This is a private space for short, guided exercises about the loops "
    "couples get caught in, the feelings underneath them, and how to reach each other again.\n\n"
    f"{NAME}\n\n"
    "It is self-help inspired by Emotionally Focused Therapy. It is not therapy, not a crisis "
    "service, and not a person: the replies are written in advance.\n\n"
    "Everything you write is saved as you go, so you can stop at any moment and carry on later."
)
CHOOSE = "Which conversation would you like?"
NOTHING_OPEN = "There is no conversation open right now. Choose one to begin:"
IN_PROGRESS = "You are in the middle of “{title}”. Send /resume to carry on where you left off."
HELP = (
    "Here is what you can do:\n"
    "/flows – the conversations, and how far you are in each\n"
    "/resume – carry on where you left off\n"
    "/back – go back one question and change your answer\n"
    "/skip – skip a question that can be skipped\n"
    "/pause – take a break (everything is saved)\n"
    "/cancel – close the conversation you are in\n"
    "/journal – your finished reflections\n"
    "/sos – help right now, at any moment\n"
    "/safety – your safety plan\n"
    "/privacy – what is kept, and who can see it\n"
    "/export – everything stored about you, as a file\n"
    "/delete – erase everything about you\n"
    "/therapist – what you share with a therapist, and how to change it\n"
    "/help – this list\n\n"
    "Answer with the buttons, or type when a question asks for your own words."
)
PAUSED = "Saved. Take all the time you need; send /resume whenever you want to carry on."
CANCEL_CONFIRM = "Close “{title}”? What you have written so far stays in your journal."
CANCEL_YES = "Yes, close it"
CANCEL_NO = "No, carry on"
NOT_TEXT = (
    "Thank you for sending that. I'm only a program, and all I can take in is typed words and"
    " button presses, so stickers, photos and voice notes don't reach me. If you'd like to say"
    " it in a few words, I'm listening. Here is where we were:"
)
NOT_TEXT_IDLE = (
    "Thank you for sending that. I'm only a program, and all I can take in is typed words and"
    " button presses, so stickers, photos and voice notes don't reach me. If something is"
    " hard right now, /sos shows people you can talk to, at any hour."
)
EDITED = (
    "I noticed you edited a message. Your saved answer stays as it was. To change an answer, "
    "send /back to return to the question."
)
SORRY = (
    "Something went wrong on my side. Everything you had answered is saved; "
    "send /resume to carry on."
)
UNKNOWN_COMMAND = "I don't know that command. Send /help to see what I can do."
OLD_BUTTON = "That button no longer works. Here is where we are now:"
JOURNAL_EMPTY = (
    "Your journal is empty for now. Reflections appear here when you finish a conversation."
)
JOURNAL_HEAD = "Your reflections, newest first:"
KEPT_HEAD = "What you have found so far:"
KEPT = {
    "cycle_name": "Your name for the loop",
    "cycle_topic": "What the fights tend to be about",
    "cycle_cue": "What sets it off",
    "cycle_my_move": "What you tend to do",
    "cycle_their_move": "What your partner tends to do, as you see it",
    "cycle_shape": "Its shape",
    "card_surface": "What shows on the outside",
    "card_feeling": "The softer feeling underneath",
    "card_meaning": "What it seems to say",
    "card_need": "What you need",
    "attach_reach": "Your first pull under stress",
    "attach_worry": "The worry underneath that pull",
    "attach_longing": "What would help you most",
    "are_action": "This week's small step",
}
READINESS_AGAIN = (
    "It's been two weeks since the questions about how things are at home. Things change, so "
    "would you go through them again? It takes about a minute, and it keeps what I offer "
    "right for you."
)
READINESS_BUTTON = "Go through them now"
TOO_MANY = "You can choose up to {limit}. Untick one first."
TOO_FEW = "Please choose at least {low}."
STATE_WORDS = {
    "new": "not started",
    "open": "in progress",
    "paused": "paused",
    "done": "done",
    "locked": "locked",
}
COMMANDS = [
    ("sos", "Help right now"),
    ("flows", "The conversations and your progress"),
    ("resume", "Carry on where you left off"),
    ("back", "Go back one question"),
    ("skip", "Skip a question that can be skipped"),
    ("pause", "Take a break; everything is saved"),
    ("cancel", "Close the conversation you are in"),
    ("journal", "Your finished reflections"),
    ("safety", "Your safety plan"),
    ("privacy", "What is kept, and who can see it"),
    ("export", "Everything stored about you"),
    ("delete", "Erase everything about you"),
    ("therapist", "What you share with a therapist"),
    ("help", "What this bot can do"),
]


def progress(number: int, total: int) -> str:
    """The progress marker on a question."""
    return f"Question {number} of {total}"


EXPORTING = "Here is everything stored about you: one file for computers, one to read."
DELETE_CONFIRM = (
    "This erases everything about you here: your answers, reflections, choices and history. It"
    " cannot be undone. Delete everything?"
)
DELETE_YES = "Yes, delete everything"
DELETE_NO = "No, keep it"
DELETE_KEPT = "Nothing was deleted."
DELETED = (
    "Everything about you has been deleted from this bot. Telegram still shows this chat until"
    " you delete it there. If you write again, you start afresh."
)

# -- therapists ---------------------------------------------------------------------------------
THERAPIST_COMMANDS = [
    ("clients", "Your clients, their homework and last activity"),
    ("invite", "A link for a new client: /invite NAME"),
    ("assign", "Give a client an exercise as homework"),
    ("report", "What a client shares with you: /report NAME"),
]
"""The therapists' own commands, first in their menu (the client ones follow)."""
THERAPIST_MENU = [*THERAPIST_COMMANDS, *COMMANDS]
"""The command menu of a therapist's chat (set for that chat only)."""
THERAPIST_START = (
    "Welcome. You are set up here as a therapist. What you can do:\n"
    "/clients – your clients, their open homework and when they were last active\n"
    "/invite NAME – a single-use link for a client you will know as NAME\n"
    "/assign – give a linked client an exercise as homework, with a due date and a note\n"
    "/report NAME – a file with what that client has chosen to share with you\n\n"
    "To try the exercises yourself, as a client would, send /flows. /help lists everything."
)
ASSIGN_BUTTON = "Assign homework"
THERAPIST_HELP = (
    "As a therapist, you can use:\n"
    "/clients – your clients, their open homework and when they were last active\n"
    "/invite NAME – a single-use link for a client you will know as NAME (valid 7 days)\n"
    "/assign – give a linked client an exercise as homework, with a due date and a note\n"
    "/report NAME – a file with what that client has chosen to share with you\n\n"
    "To try the exercises yourself, the client commands work for you too:\n"
    + HELP.split("\n", 1)[1]
)
