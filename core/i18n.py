"""Languages: Chinese first, English by a switch (Flask-Babel).

The chosen language is kept in the session; ``?lang=en`` or ``?lang=zh``
on any page switches it.
"""

from dataclasses import dataclass
from pathlib import Path

from flask import has_request_context, request, session
from flask_babel import Babel, get_locale

# Babel locale names; the first is the default.
LANGUAGES = {"zh": "zh_Hans_CN", "en": "en"}
DEFAULT_LANGUAGE = "zh"


def select_locale():
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    return LANGUAGES[session.get("lang", DEFAULT_LANGUAGE)]


def current_language():
    """``"zh"`` or ``"en"``; Chinese outside a request."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return "en" if get_locale().language == "en" else "zh"


def translation_directories(app, pm):
    """Each plugin module's ``translations/`` folder, then core's.

    All share the ``messages`` domain and later catalogues win, so core's
    goes last: a plugin cannot change how core's own messages read.
    """
    folders = []
    for plugin in pm.get_plugins():
        module_file = getattr(plugin, "__file__", None)
        if module_file and (Path(module_file).parent / "translations").is_dir():
            folders.append(Path(module_file).parent / "translations")
    return [*sorted(folders), Path(app.root_path) / "translations"]


def init_app(app, pm):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LANGUAGES[DEFAULT_LANGUAGE])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(f) for f in translation_directories(app, pm))
    # One Babel per app: it caches loaded catalogues, and apps with other
    # plugins (tests build many) have other catalogue folders.
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_language"] = current_language


@dataclass(frozen=True)
class Text:
    """A label a plugin gives in both languages; shows in the reader's one."""

    zh: str
    en: str

    def __str__(self):
        return self.en if current_language() == "en" else self.zh

    def __html__(self):
        # Jinja escapes str(); this keeps Text safe to print in templates.
        from markupsafe import escape

        return str(escape(str(self)))


def text_json(text):
    """A :class:`Text` as JSON shows it, both languages: ``{"zh": …, "en": …}``; ``None`` stays ``None``."""
    return {"zh": text.zh, "en": text.en} if text is not None else None
