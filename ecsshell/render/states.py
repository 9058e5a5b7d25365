"""One mapping from a state word (of a task, service, deployment, rollout, target, check) to its colour.

Red for what went wrong (FAILED, ROLLBACK*, UNHEALTHY, STOPPED), yellow for what is on its way
(IN_PROGRESS, PENDING, DRAINING, ACTIVATING, DEACTIVATING, STOPPING...), green for what is done and
well (COMPLETED, SUCCESSFUL, HEALTHY, RUNNING, ACTIVE), cyan for the deployment ECS is moving to
(PRIMARY), grey for what is retired (INACTIVE), and WARNING in bold yellow wherever it stands. Every
view that shows a state draws it through here, also inside a cell of several words
(`PRIMARY web:2 0/2 FAILED; ACTIVE web:1 2/2 COMPLETED`); whether colour reaches the screen is the
console's business (none on a pipe, with NO_COLOR or --no-color).
"""

from __future__ import annotations

import re

from rich.text import Text

from ecsshell.render.widgets import OK_STYLE, WARNING_STYLE, cell

BAD_STYLE = "red"
BUSY_STYLE = "yellow"
GOOD_STYLE = "green"
CURRENT_STYLE = "cyan"
RETIRED_STYLE = "bright_black"

BAD = frozenset({"FAILED", "UNHEALTHY", "STOPPED", "OUTOFSERVICE", "DEPROVISIONING_FAILED", "TIMED_OUT",
                 "ERROR"})
BUSY = frozenset({"IN_PROGRESS", "PENDING", "DRAINING", "ACTIVATING", "DEACTIVATING", "STOPPING", "PROVISIONING",
                  "DEPROVISIONING", "INITIAL", "STOP_REQUESTED", "AWAITING", "PENDING_CALLBACK",
                  "DELETE_IN_PROGRESS"})
GOOD = frozenset({"COMPLETED", "SUCCESSFUL", "HEALTHY", "RUNNING", "INSERVICE", "ACTIVE", "OK", "SUCCEEDED"})
CURRENT = frozenset({"PRIMARY"})
RETIRED = frozenset({"INACTIVE", "DEREGISTERED"})
WARNING = frozenset({"WARNING"})
# Words of a composite cell (`web RUNNING exit 0 healthy`) taken as states: ECS's capitals (with any
# punctuation around them: `FAILED;`, `(STOPPED)`), and the lower-case health a container line shows.
_WORD = re.compile(r"[A-Za-z_]+")
_LOWER_STATES = frozenset({"healthy", "unhealthy"})


def state_style(state: str | None) -> str:
    """Return the style of STATE (any case), or "" for one that says nothing."""
    if not state:
        return ""
    key = state.strip().upper().replace("-", "_")
    if key in WARNING:
        return WARNING_STYLE
    if key in BAD or key.startswith("ROLLBACK"):
        return BAD_STYLE
    if key in BUSY:
        return BUSY_STYLE
    if key in GOOD:
        return OK_STYLE if key == "OK" else GOOD_STYLE
    if key in CURRENT:
        return CURRENT_STYLE
    if key in RETIRED:
        return RETIRED_STYLE
    return ""


def state_cell(state: str | None) -> Text:
    """Return a table cell holding STATE in its colour (`-` when missing)."""
    return cell(state, state_style(state))


def colour_states(text: Text) -> Text:
    """Colour, in place, each word of TEXT that is a state; return TEXT."""
    plain = text.plain
    for match in _WORD.finditer(plain):
        word = match.group()
        if word.isupper() or word in _LOWER_STATES:
            colour = state_style(word)
            if colour:
                text.stylize(colour, match.start(), match.end())
    return text


def states_text(text: str, style: str = "") -> Text:
    """Return TEXT with each word that is a state (`RUNNING`, `COMPLETED;`, `healthy`) in its colour."""
    return colour_states(cell(text, style))
