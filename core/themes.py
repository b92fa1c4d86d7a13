"""Station themes: a brand's colours, logo and template overrides.

A page is rendered by name: ``themes/<theme>/<page>`` when the station's theme
overrides it, otherwise the base ``<page>`` (FixMyStreet's cobrand → base
fallback). Theme templates are mounted under ``themes/<name>/`` by one
PrefixLoader built at start-up; loaders are never swapped per request, so
Jinja's cache by template name stays correct.
"""

from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from flask import abort, g, render_template, send_from_directory

from .i18n import Text

THEME_COLOUR_KEYS = ("primary", "on_primary", "accent", "background", "text")
# Optional: "surface" (cards, default white), "highlight" (figures such as
# the points balance, default primary) and "link" (default primary); a dark
# theme sets all three.


@dataclass(frozen=True)
class Theme:
    """What a plugin registers with the ``register_themes`` hook.

    ``template_folder`` holds page overrides (``home.html`` …), ``static_folder``
    the logo and any other files, served at ``/-/themes/<name>/<file>``.
    """

    name: str
    label: Text
    colours: dict = field(default_factory=dict)
    logo: str | None = None
    template_folder: Path | None = None
    static_folder: Path | None = None

    def __post_init__(self):
        missing = [key for key in THEME_COLOUR_KEYS if key not in self.colours]
        if missing:
            raise ValueError(f"theme {self.name!r} lacks colours: {', '.join(missing)}")


def theme_template_loader(themes):
    """A loader answering ``themes/<name>/<page>`` from each theme's folder."""
    by_name = {
        theme.name: jinja2.FileSystemLoader(str(theme.template_folder))
        for theme in themes.values()
        if theme.template_folder
    }
    return jinja2.PrefixLoader({"themes": jinja2.PrefixLoader(by_name)})


def render_station_template(page, **context):
    """Render ``page`` for the current station, preferring its theme's copy."""
    theme = g.station.theme
    return render_template([f"themes/{theme.name}/{page}", page], **context)


def serve_theme_file(themes, name, filename):
    theme = themes.get(name)
    if theme is None or theme.static_folder is None:
        abort(404)
    return send_from_directory(theme.static_folder, filename, max_age=3600)
