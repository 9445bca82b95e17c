"""Documents: what the bot writes for people to read or keep, built from rows, never sent here.

Reports for therapists and exports for the person (Markdown and PDF, from one list of blocks),
and the weekly trend in words and as a chart. Nothing here touches Telegram or the database.
"""
