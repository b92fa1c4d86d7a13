"""Menu entries that core and plugins add to a station's pages."""

from dataclasses import dataclass

from .i18n import Text


@dataclass(frozen=True)
class MenuItem:
    """What the ``menu_items`` hook returns: a label and where it leads.

    ``order`` sorts the menu, lowest first; core's own items use 10–90.
    """

    label: Text
    href: str
    order: int = 50
