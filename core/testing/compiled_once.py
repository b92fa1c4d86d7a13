"""What the test process compiles once for all the apps its tests build.

Every test builds a fresh app, and building one and rendering its first
pages is mostly compiling: Werkzeug turns each of the app's ~200 URL rules
into a Python function for ``url_for`` (about 110 ms of ``create_app``'s
130 ms, 2026-12), and Jinja compiles each template the app renders. A served
app does both once in its life; a test process would do them once per test.
Both results depend only on their input, so this module shares them between
the apps of one test process:

- **URL builders**: the function depends only on what
  ``Rule._compile_builder`` reads (the rule's text, its parsed trace, its
  defaults and ``append_unknown``) and reaches the rule itself only through
  its ``self`` argument when called. If Werkzeug's private method changes
  shape, the cache steps aside: the suite is slower, never wrong.
- **Templates**: Jinja's own bytecode cache, kept in memory; Jinja checks
  each template's source against the cached code's checksum.
"""

import functools

from jinja2 import BytecodeCache
from werkzeug.routing import rules

_original_compile_builder = rules.Rule._compile_builder
_builders = {}


def _builder_key(rule, append_unknown):
    defaults = rule.defaults or {}
    # a default for a part of the path is baked into the function as text
    baked = tuple(
        (name, rule._converters[name].to_url(defaults[name]))
        for is_dynamic, name in rule._trace
        if is_dynamic and name in defaults
    )
    return (rule.rule, tuple(rule._trace), tuple(defaults), baked, append_unknown)


@functools.wraps(_original_compile_builder)
def _compile_builder_once(self, append_unknown=True):
    try:
        key = _builder_key(self, append_unknown)
    except Exception:  # Werkzeug's internals moved: compile as Werkzeug does
        return _original_compile_builder(self, append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _original_compile_builder(self, append_unknown)
    return builder


def share_url_builders():
    """Share compiled URL builders between the apps of this process."""
    if getattr(rules.Rule, "_compile_builder", None) is _original_compile_builder:
        rules.Rule._compile_builder = _compile_builder_once


class _TemplatesInMemory(BytecodeCache):
    def __init__(self):
        self._code = {}

    def load_bytecode(self, bucket):
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # Jinja drops it if the source's checksum differs

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()


_templates = _TemplatesInMemory()


def share_compiled_templates(app):
    """Let ``app`` reuse the templates other apps of this process compiled."""
    app.jinja_env.bytecode_cache = _templates
