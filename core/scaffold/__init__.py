"""``redarmband plugins new``: a station team's own plugin package, ready to install.

The files come from the ``.tmpl`` files under ``plugin/`` (shipped in the wheel),
rendered with :class:`string.Template`: ``${name}`` and the like are filled in,
``$$`` is a dollar sign, and ``__package__`` in a path is the package's name.
Jinja's ``{{ }}`` in the generated page template is left alone that way.
"""

import builtins
import importlib.util
import json
import keyword
import re
import string
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

TEMPLATES = Path(__file__).parent / "plugin"
NAME_PATTERN = re.compile(r"\A[a-z][a-z0-9_]{1,39}\Z")
# Top-level names a plugin package must not take: Red Armband's own packages and
# what a generated project holds beside its package.
RESERVED = frozenset({"core", "plugins", "redarmband", "tests", "test", "conftest", "setup", "site"})
MAX_TITLE = 60


class ScaffoldError(ValueError):
    """A refused name, title or directory; ``param`` names the argument."""

    def __init__(self, param, message):
        super().__init__(message)
        self.param = param


def check_name(name, installed=()):
    """Refuse a name that cannot be a plugin's name and package; returns it."""
    if not NAME_PATTERN.match(name):
        raise ScaffoldError(
            "name",
            f"{name!r} is not a plugin name: expected 2–40 lower-case letters, digits or '_', "
            "starting with a letter, e.g. bike_patrol",
        )
    if name.startswith("core") and (name == "core" or name[4:5] in ("_", "")):
        raise ScaffoldError("name", f"{name!r}: names starting with 'core' are reserved for Red Armband's core")
    if name in RESERVED or keyword.iskeyword(name) or keyword.issoftkeyword(name) or hasattr(builtins, name):
        raise ScaffoldError("name", f"{name!r} is reserved; choose another name, e.g. {name}_plugin")
    if name in installed:
        raise ScaffoldError("name", f"{name!r} is already an installed plugin; choose another name")
    if name in sys.stdlib_module_names or importlib.util.find_spec(name) is not None:
        raise ScaffoldError(
            "name", f"{name!r} is already the name of a Python module here; choose another name, e.g. {name}_plugin"
        )
    return name


def check_title(title):
    title = title.strip()
    if not title:
        raise ScaffoldError("--title", "give a title, e.g. --title 单车巡逻")
    if len(title) > MAX_TITLE:
        raise ScaffoldError("--title", f"at most {MAX_TITLE} characters; got {len(title)}")
    if any(ord(character) < 32 or ord(character) == 127 for character in title):
        raise ScaffoldError("--title", "a title is one line of text, without control characters")
    return title


def check_directory(directory):
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ScaffoldError("--directory", f"{directory} is a file, not a directory")
    if directory.is_dir() and any(directory.iterdir()):
        raise ScaffoldError("--directory", f"{directory} is not empty; choose a new or empty directory")
    return directory


def default_title(name):
    return name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Plugin:
    """What the templates are filled with."""

    name: str
    title: str

    @property
    def values(self):
        try:
            requirement = f"redarmband>={metadata.version('redarmband')}"
        except metadata.PackageNotFoundError:  # core run from a checkout that is not installed
            requirement = "redarmband"
        return {
            "name": self.name,
            "distribution": "redarmband-" + self.name.replace("_", "-"),
            "url_prefix": "/" + self.name.replace("_", "-"),
            "title": self.title,
            # json.dumps gives a string literal that is valid Python and valid TOML alike
            "title_literal": json.dumps(self.title, ensure_ascii=False),
            "description_literal": json.dumps(f"{self.title}: a Red Armband station plugin", ensure_ascii=False),
            "requirement": requirement,
        }


def template_files():
    """``(template path, relative output path)`` for every file of a new plugin."""
    for path in sorted(TEMPLATES.rglob("*.tmpl")):
        relative = path.relative_to(TEMPLATES).as_posix()[: -len(".tmpl")]
        yield path, relative.replace("dot-", ".", 1) if relative.startswith("dot-") else relative


def create(name, directory, title=None, installed=()):
    """Write a new plugin named ``name`` into ``directory``; returns the written paths.

    Raises :class:`ScaffoldError` before writing anything if the name, title
    or directory is refused.
    """
    check_name(name, installed)
    plugin = Plugin(name, check_title(default_title(name) if title is None else title))
    directory = check_directory(directory)
    values = plugin.values
    rendered = sorted(
        (relative.replace("__package__", name), string.Template(path.read_text(encoding="utf-8")).substitute(values))
        for path, relative in template_files()
    )
    written = []
    for relative, text in rendered:
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
