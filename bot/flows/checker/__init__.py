"""The flow checker, one room per concern: raw YAML data in, a `Flow` or every problem out.

Building a flow (`bot.flows.validate` is the public face of these):

- `vocabulary`   the words a flow may use (keys, kinds, share levels) and the limits on texts
- `base`         reporting a problem where it is, and reading numbers, conditions and keys
- `texts`        texts, button labels and the placeholders in them; a question's options
- `kinds`        what only some kinds of step have: picks, scales, text rules, calls, answers
- `steps`        one step: its id, its kind, and where it goes next
- `transcripts`  the author's transcript tests
- `flow`         the top level of a flow, its memory, locks and scores; `FlowBuilder`

Checks that need the whole built flow (`bot.flows.checks` is their public face):

- `edges`        every way out of a step, shared with the diagrams and the progress bar
- `graph`        targets, dead ends, reachability, silent loops, lock names, score items
- `variables`    each name set on every path before it is used

Checks across flows (sub-flow calls) live in `bot.flows.catalog`.
"""
