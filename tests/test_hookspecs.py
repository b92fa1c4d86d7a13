"""Every hook is documented and tested (Datasette's test_plugin_hooks_have_tests).

For each hookspec in ``core.hookspecs``: ``docs/plugins.md`` has a heading
``### `<name>` `` and some module in ``tests/`` defines ``test_hook_<name>``.
"""

import ast
import functools
import re
from pathlib import Path

import pluggy
import pytest

import core.hookspecs

TESTS = Path(__file__).resolve().parent
GUIDE = TESTS.parent / "docs" / "plugins.md"
HOOK_HEADING = re.compile(r"^### `([A-Za-z_][A-Za-z0-9_]*)`[ \t]*$", re.M)


def _hook_names():
    pm = pluggy.PluginManager(core.hookspecs.PROJECT_NAME)
    pm.add_hookspecs(core.hookspecs)
    return sorted(
        name
        for name, caller in vars(pm.hook).items()
        if isinstance(caller, pluggy.HookCaller) and caller.spec is not None
    )


HOOKS = _hook_names()


def _documented_hooks():
    return HOOK_HEADING.findall(GUIDE.read_text(encoding="utf-8"))


@functools.cache  # every test module parsed once, not once per hook
def _test_functions():
    names = set()
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names.update(node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return frozenset(names)


def test_hookspecs_are_found():
    marked = sorted(
        name for name, value in vars(core.hookspecs).items() if hasattr(value, f"{core.hookspecs.PROJECT_NAME}_spec")
    )
    assert HOOKS, "no hookspecs found in core.hookspecs"
    assert HOOKS == marked


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_in_the_plugin_guide(hook):
    assert hook in _documented_hooks(), f"docs/plugins.md has no '### `{hook}`' heading"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test(hook):
    assert f"test_hook_{hook}" in _test_functions(), f"no test module in tests/ defines test_hook_{hook}"


def test_plugin_guide_documents_only_real_hooks():
    documented = _documented_hooks()
    assert sorted(set(documented) - set(HOOKS)) == [], "docs/plugins.md documents hooks core.hookspecs lacks"
    assert len(documented) == len(set(documented)), "a hook is documented twice"
