"""A flag's wording for the render layer: each rule words its own flags beside it (its ``message`` and ``brief``,
`rules.registry.rule`); `rules.wording` holds what they share. These are its names, and the wording by rule id."""

from ..rules import RULES
from ..rules.wording import Words, brief, message, raised_note, worded

#: Each rule's sentence for a flag, by rule id.
MESSAGES = {r.id: r.message for r in RULES.values()}
#: Each rule's clause in an episode led by another finding, by rule id (rules without one are named with their day).
BRIEFS = {r.id: r.brief for r in RULES.values() if r.brief is not None}

__all__ = ["BRIEFS", "MESSAGES", "Words", "brief", "message", "raised_note", "worded"]
