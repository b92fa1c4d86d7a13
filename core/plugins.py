"""The plugin manager: core's defaults, installed plugins, per-station subsets.

Core's own defaults are plugins registered under ``core.*`` names and are on
for every station. Other plugins come from the ``redarmband`` entry-point
group (or, in tests, are registered by hand) and are on only for the stations
that list them in their config.
"""
import importlib
import logging
from importlib import metadata

import pluggy

from . import hookspecs
from .hookspecs import PROJECT_NAME

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


def is_builtin(name):
    return name in BUILTIN_PLUGINS


def is_on(plugin_name, enabled_names):
    """Whether a plugin's hooks and registrations count at a station that
    enables ``enabled_names``: core's always do."""
    return is_builtin(plugin_name) or plugin_name in enabled_names


def make_plugin_manager(load_entrypoints=True, extra_plugins=()):
    """A checked PluginManager.

    ``extra_plugins`` is a sequence of ``(name, plugin)`` pairs registered after
    the entry points. A hook implementation that matches no hookspec (a typo)
    raises pluggy's ``PluginValidationError`` here, so it stops start-up.
    """
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for module_name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    if load_entrypoints:
        pm.load_setuptools_entrypoints(PROJECT_NAME)
    for name, plugin in extra_plugins:
        pm.register(plugin, name=name)
    pm.check_pending()
    _refuse_misfits(pm)
    return pm


def _refuse_misfits(pm):
    """Names and hook kinds that would slip past per-station enabling."""
    for name, _plugin in pm.list_name_plugin():
        if name.startswith("core.") and not is_builtin(name):
            raise pluggy.PluginValidationError(_plugin, f"plugin name {name!r}: 'core.' names are reserved for core")
    for hook_name in EVENT_HOOKS:
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            if impl.hookwrapper or impl.wrapper:
                raise pluggy.PluginValidationError(
                    impl.plugin, f"plugin {impl.plugin_name!r}: event hook {hook_name} cannot be a wrapper"
                )


class StationHooks:
    """``pm.hook`` as one station sees it: core plus its enabled plugins.

    Built like pytest's ``FSHookProxy``: each hook caller is a
    ``subset_hook_caller`` without the plugins the station did not enable.
    """

    def __init__(self, pm, enabled_names):
        self._pm = pm
        self._left_out = [
            plugin
            for name, plugin in pm.list_name_plugin()
            if not is_on(name, enabled_names)
        ]

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
    """What the installed plugins registered at start-up, by owning plugin."""

    def __init__(self, pm):
        self.pm = pm
        self.themes = {}
        self.theme_owner = {}
        for owner, themes in self._results_by_plugin("register_themes"):
            for theme in themes:
                self.themes[theme.name] = theme
                self.theme_owner[theme.name] = owner
        self.task_types = [
            (owner, task_type)
            for owner, types in self._results_by_plugin("register_task_types")
            for task_type in types
        ]
        self.incident_categories = [
            (owner, category)
            for owner, categories in self._results_by_plugin("register_incident_categories")
            for category in categories
        ]
        self.scoring_rules = [
            (owner, rule)
            for owner, rules in self._results_by_plugin("register_scoring_rules")
            for rule in rules
        ]
        self.config_schemas = dict(self._results_by_plugin("register_config_schema"))
        self.blueprints = [
            (owner, blueprint)
            for owner, blueprints in self._results_by_plugin("register_blueprints")
            for blueprint in blueprints
        ]
        self.models = [
            model
            for _owner, models in self._results_by_plugin("register_models")
            for model in models
        ]

    def _results_by_plugin(self, hook_name, **kwargs):
        """Call a start-up hook once per plugin, keeping who answered what."""
        caller = getattr(self.pm.hook, hook_name)
        for impl in caller.get_hookimpls():
            result = impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
            if result is not None:
                yield impl.plugin_name, result

    def station_plugin_names(self):
        """Installed plugins a station can enable (core's are always on)."""
        return sorted(name for name, _ in self.pm.list_name_plugin() if not is_builtin(name))

    def hooks_for(self, enabled_names):
        return StationHooks(self.pm, frozenset(enabled_names))

    def describe(self, enabled_names=()):
        """Installed plugins, as ``/-/plugins.json`` lists them."""
        distributions = {
            self.pm.get_name(plugin): dist for plugin, dist in self.pm.list_plugin_distinfo()
        }
        described = []
        for name, plugin in sorted(self.pm.list_name_plugin()):
            dist = distributions.get(name)
            described.append(
                {
                    "name": name,
                    "version": _version_of(name, plugin, dist),
                    "hooks": sorted(caller.name for caller in self.pm.get_hookcallers(plugin)),
                    "builtin": is_builtin(name),
                    "enabled": is_builtin(name) or name in enabled_names,
                }
            )
        return described


def _version_of(name, plugin, dist):
    if dist is not None:
        return dist.version
    if is_builtin(name):
        return metadata.version("redarmband")
    return getattr(plugin, "__version__", None)
