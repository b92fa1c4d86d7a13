"""The plugin manager: core's defaults, installed plugins, per-station subsets.

Core's own defaults are plugins registered under ``core.*`` names and are on
for every station. Other plugins come from the ``redarmband`` entry-point
group (or, in tests, are registered by hand) and are on only for the stations
that list them in their config.

One station team's broken plugin must not take down the city: a plugin that
fails to import, names a hook that does not exist, or raises in a start-up
hook is left out and recorded as a :class:`BrokenPlugin` (its distribution
and the error, in one line). Commands and the app go on without it; only a
station that enables it refuses to load (see ``core.config``).
"""

import importlib
import logging
import traceback
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pluggy

from . import hookspecs
from .hookspecs import PROJECT_NAME
from .version import __version__

logger = logging.getLogger(__name__)

BUILTIN_PLUGINS = (
    "core.defaults.theme",
    "core.defaults.task_types",
    "core.defaults.incident_categories",
    "core.defaults.scoring",
    "core.defaults.menu",
)

# Events are the ``on_*`` hooks: fired after commit, never as wrappers.
EVENT_HOOKS = tuple(sorted(name for name in vars(hookspecs) if name.startswith("on_")))

# Start-up hooks, called once per plugin by PluginRegistry.
STARTUP_HOOKS = (
    "register_themes",
    "register_task_types",
    "register_incident_categories",
    "register_scoring_rules",
    "register_config_schema",
    "register_blueprints",
    "register_models",
    "register_migrations",
)


def is_builtin(name):
    return name in BUILTIN_PLUGINS


def registered(pm):
    """``(name, plugin)`` of the plugins in use: pluggy also lists the names
    of plugins left out (blocked), with ``None`` for the plugin."""
    return [(name, plugin) for name, plugin in pm.list_name_plugin() if plugin is not None]


def is_on(plugin_name, enabled_names):
    """Whether a plugin's hooks and registrations count at a station that
    enables ``enabled_names``: core's always do."""
    return is_builtin(plugin_name) or plugin_name in enabled_names


@dataclass(frozen=True)
class BrokenPlugin:
    """An installed plugin left out, and why."""

    name: str
    distribution: str  # "redarmband-bike-patrol 1.0", or "(registered by hand)"
    error: str  # one line

    def __str__(self):
        return f"plugin {self.name!r} ({self.distribution}) failed to load and is left out: {self.error}"


class PluginManager(pluggy.PluginManager):
    """pluggy's manager, keeping each entry point's distribution and the
    plugins that could not be loaded."""

    def __init__(self):
        super().__init__(PROJECT_NAME)
        self.distributions = {}  # plugin name → importlib.metadata.Distribution
        self.broken = []

    def leave_out(self, name, error, plugin=None):
        if plugin is not None and self.is_registered(plugin):
            self.unregister(plugin)
        self.set_blocked(name)  # a later register() of the same name is refused too
        dist = self.distributions.pop(name, None)
        where = f"{dist.metadata['Name']} {dist.version}" if dist is not None else "registered by hand"
        broken = BrokenPlugin(name, where, error if isinstance(error, str) else describe_error(error))
        self.broken.append(broken)
        logger.warning("%s", broken)


def describe_error(error):
    """An exception as one line: its type, message and the innermost place it
    was raised (file:line), which is usually the plugin's own mistake."""
    message = " ".join(str(error).split()) or "(no message)"
    frames = traceback.extract_tb(error.__traceback__)
    if isinstance(error, SyntaxError) and error.filename:
        return f"{type(error).__name__}: {error.msg} ({Path(error.filename).name}:{error.lineno})"
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {message}{where}"


def make_plugin_manager(load_entrypoints=True, extra_plugins=()):
    """A checked PluginManager.

    ``extra_plugins`` is a sequence of ``(name, plugin)`` pairs registered after
    the entry points. Each plugin is checked on its own: one that cannot be
    imported, implements a hook that does not exist (a typo) or breaks a rule
    below is left out and listed in ``pm.broken``.
    """
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    for module_name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    pm.check_pending()  # core's own: a mistake here is a bug, not a plugin to leave out
    if load_entrypoints:
        for entry_point in metadata.entry_points(group=PROJECT_NAME):
            if pm.get_plugin(entry_point.name) is not None or pm.is_blocked(entry_point.name):
                continue
            pm.distributions[entry_point.name] = entry_point.dist
            try:
                plugin = entry_point.load()
            except Exception as error:  # noqa: BLE001 - any import failure of one plugin
                pm.leave_out(entry_point.name, error)
                continue
            _register_checked(pm, entry_point.name, plugin)
    for name, plugin in extra_plugins:
        _register_checked(pm, name, plugin)
    return pm


def _register_checked(pm, name, plugin):
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as error:  # a wrong argument name; a name taken
        pm.leave_out(name, error.args[-1] if error.args else error)
        return
    problem = _misfit(pm, name, plugin)
    if problem:
        pm.leave_out(name, problem, plugin)


def _misfit(pm, name, plugin):
    """Why ``plugin`` cannot stay registered, or ``None``."""
    if name.startswith("core."):
        return f"plugin name {name!r}: 'core.' names are reserved for core"
    for caller in pm.get_hookcallers(plugin):
        impls = [impl for impl in caller.get_hookimpls() if impl.plugin is plugin]
        if not caller.has_spec() and any(not impl.optionalhook for impl in impls):
            return f"unknown hook {caller.name!r} (a typo? the hooks are listed in docs/plugins.md)"
        if caller.name in EVENT_HOOKS and any(impl.hookwrapper or impl.wrapper for impl in impls):
            return f"event hook {caller.name} cannot be a wrapper"
    return None


class StationHooks:
    """``pm.hook`` as one station sees it: core plus its enabled plugins.

    Built like pytest's ``FSHookProxy``: each hook caller is a
    ``subset_hook_caller`` without the plugins the station did not enable.
    """

    def __init__(self, pm, enabled_names):
        self._pm = pm
        self._left_out = [plugin for name, plugin in registered(pm) if not is_on(name, enabled_names)]

    def fire(self, event_name, **kwargs):
        """Call an event hook's implementations one by one, after a commit.

        One that raises is logged and the rest still run: the change has
        happened, and a plugin's failure must not turn it into an error.
        """
        for impl in reversed(getattr(self, event_name).get_hookimpls()):  # pluggy's call order
            try:
                impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
            except Exception:  # noqa: BLE001 - see the docstring
                logger.exception("plugin %s failed in %s", impl.plugin_name, event_name)

    def __getattr__(self, hook_name):
        caller = self._pm.subset_hook_caller(hook_name, self._left_out)
        setattr(self, hook_name, caller)  # cache: later lookups skip __getattr__
        return caller


class PluginRegistry:
    """What the installed plugins registered at start-up, by owning plugin.

    Every plugin's start-up hooks are called first, one plugin at a time; a
    plugin whose hook raises, or whose tables would collide with another
    owner's, is left out before anything of it is used.
    """

    def __init__(self, pm):
        self.pm = pm
        answers = self._startup_answers()
        self._refuse_colliding_tables(answers)
        answers = {owner: found for owner, found in answers.items() if pm.get_plugin(owner) is not None}

        def each(hook_name):
            return [(owner, found[hook_name]) for owner, found in answers.items() if hook_name in found]

        self.themes = {}
        self.theme_owner = {}
        for owner, themes in each("register_themes"):
            for theme in themes:
                self.themes[theme.name] = theme
                self.theme_owner[theme.name] = owner
        self.task_types = [(owner, task_type) for owner, types in each("register_task_types") for task_type in types]
        self.incident_categories = [
            (owner, category) for owner, categories in each("register_incident_categories") for category in categories
        ]
        self.scoring_rules = [(owner, rule) for owner, rules in each("register_scoring_rules") for rule in rules]
        self.config_schemas = dict(each("register_config_schema"))
        self.blueprints = [
            (owner, blueprint) for owner, blueprints in each("register_blueprints") for blueprint in blueprints
        ]
        self.models = [model for _owner, models in each("register_models") for model in models]
        self.migration_packages = sorted(each("register_migrations"))  # (owner, dotted package name)

    @property
    def broken(self):
        return list(self.pm.broken)

    @property
    def migration_sources(self):
        from .schema import MigrationSource  # the schema module needs the models; plugins.py must not

        return [MigrationSource(owner, package) for owner, package in self.migration_packages]

    def _startup_answers(self):
        """``{plugin name: {hook name: answer}}``, in registration order."""
        answers = {}
        for name, plugin in registered(self.pm):
            found = {}
            try:
                for hook_name in STARTUP_HOOKS:
                    for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                        if impl.plugin is plugin:
                            result = impl.function()
                            if result is not None:
                                found[hook_name] = result
                problem = _model_problem(name, found)
            except Exception as error:  # noqa: BLE001 - one plugin's mistake
                if is_builtin(name):
                    raise
                self.pm.leave_out(name, f"{describe_error(error)} in a start-up hook", plugin)
                continue
            if problem:
                self.pm.leave_out(name, problem, plugin)
                continue
            answers[name] = found
        return answers

    def _refuse_colliding_tables(self, answers):
        """Table and index names are one namespace per database: a plugin
        whose names another owner (core first) already uses is left out."""
        from .models import CORE_MODELS  # core's tables claim their names first

        claimed = {name: "core" for name in _schema_names(CORE_MODELS)}
        for owner, found in answers.items():
            names = _schema_names(found.get("register_models", ()))
            clashes = sorted(name for name in names if name in claimed)
            if clashes:
                holders = sorted({claimed[name] for name in clashes})
                self.pm.leave_out(
                    owner,
                    f"its table or index names {', '.join(clashes)} are already used by {', '.join(holders)}",
                    self.pm.get_plugin(owner),
                )
                continue
            claimed.update(dict.fromkeys(names, owner))

    def station_plugin_names(self):
        """Installed plugins a station can enable (core's are always on)."""
        return sorted(name for name, _ in registered(self.pm) if not is_builtin(name))

    def broken_named(self, name):
        return next((broken for broken in self.pm.broken if broken.name == name), None)

    def hooks_for(self, enabled_names):
        return StationHooks(self.pm, frozenset(enabled_names))

    def describe(self, enabled_names=()):
        """Installed plugins, as ``/-/plugins.json`` lists them."""
        described = []
        for name, plugin in sorted(registered(self.pm), key=lambda pair: pair[0]):
            described.append(
                {
                    "name": name,
                    "version": _version_of(name, plugin, self.pm.distributions.get(name)),
                    "hooks": sorted(caller.name for caller in self.pm.get_hookcallers(plugin)),
                    "builtin": is_builtin(name),
                    "enabled": is_builtin(name) or name in enabled_names,
                }
            )
        return described


def _model_problem(name, found):
    """A plugin's models must live in tables named after it, and come with
    migrations (so a later change of them can ship one)."""
    models = found.get("register_models") or ()
    if is_builtin(name) or not models:
        return None
    unprefixed = [model._meta.table_name for model in models if not model._meta.table_name.startswith(f"{name}_")]
    if unprefixed:
        return f"its tables must be named {name}_…: {', '.join(unprefixed)}"
    if not found.get("register_migrations"):
        return "it registers models but no migrations (register_migrations; see docs/plugins.md)"
    return None


def _schema_names(models):
    names = set()
    for model in models:
        names.add(model._meta.table_name)
        names.update(index._name for index in model._meta.fields_to_index())
    return names


def _version_of(name, plugin, dist):
    if dist is not None:
        return dist.version
    if is_builtin(name):
        return __version__
    return getattr(plugin, "__version__", None)
