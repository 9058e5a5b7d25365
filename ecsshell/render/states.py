"""One mapping from a state (of a task, service, deployment, rollout, target) to its colour.

Red for what went wrong (FAILED, ROLLBACK*, UNHEALTHY, STOPPED), yellow for what is on its way
(IN_PROGRESS, PENDING, DRAINING, ACTIVATING, DEACTIVATING, STOPPING...), green for what is done and
well (COMPLETED, SUCCESSFUL, HEALTHY, RUNNING). Every view that shows a state draws it through here;
whether colour reaches the screen is the console's business (none on a pipe, with NO_COLOR or
--no-color).
"""

from __future__ import annotations

import re

from rich.text import Text

from ecsshell.render.widgets import cell

BAD_STYLE = "red"
BUSY_STYLE = "yellow"
GOOD_STYLE = "green"

BAD = frozenset({"FAILED", "UNHEALTHY", "STOPPED", "OUTOFSERVICE", "DEPROVISIONING_FAILED"})
BUSY = frozenset({"IN_PROGRESS", "PENDING", "DRAINING", "ACTIVATING", "DEACTIVATING", "STOPPING", "PROVISIONING",
                  "DEPROVISIONING", "INITIAL"})
GOOD = frozenset({"COMPLETED", "SUCCESSFUL", "HEALTHY", "RUNNING", "INSERVICE"})
# Words of a composite cell (`web RUNNING exit 0 healthy`) taken as states: ECS's capitals, and the
# lower-case health a container line shows.
_WORD = re.compile(r"\S+")
_LOWER_STATES = frozenset({"healthy", "unhealthy"})


def state_style(state: str | None) -> str:
    """Return the style of STATE (any case): red, yellow, green, or "" for one that says nothing."""
    if not state:
        return ""
    key = state.strip().upper().replace("-", "_")
    if key in BAD or key.startswith("ROLLBACK"):
        return BAD_STYLE
    if key in BUSY:
        return BUSY_STYLE
    if key in GOOD:
        return GOOD_STYLE
    return ""


def state_cell(state: str | None) -> Text:
    """Return a table cell holding STATE in its colour (`-` when missing)."""
    return cell(state, state_style(state))


def states_text(text: str, style: str = "") -> Text:
    """Return TEXT with each word that is a state (`RUNNING`, `COMPLETED`, `healthy`) in its colour."""
    out = cell(text, style)
    for match in _WORD.finditer(out.plain):
        word = match.group()
        if word.isupper() or word in _LOWER_STATES:
            colour = state_style(word)
            if colour:
                out.stylize(colour, match.start(), match.end())
    return out
