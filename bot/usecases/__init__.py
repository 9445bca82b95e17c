"""Use cases: what a person or a therapist can do, each concern in its own module.

`Service` is the one entry point the shells (Telegram, the terminal) call: it opens the
transaction and hands the event to the use case it belongs to.
"""
