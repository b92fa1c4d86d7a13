"""Every hook a Red Armband plugin can implement.

Hooks are always called with keyword arguments, so an implementation may take
only the arguments it uses. ``docs/plugins.md`` documents each one for plugin
authors, and ``tests/test_hookspecs.py`` fails when a hook here has no entry
there or no ``test_hook_<name>`` test.
"""

import pluggy

PROJECT_NAME = "redarmband"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# ---------------------------------------------------------------------------
# Start-up hooks: called once, for every installed plugin, whether or not a
# station has enabled it. What they register is used only by the stations
# that enable the plugin.
# ---------------------------------------------------------------------------


@hookspec
def register_themes():
    """Return a list of :class:`core.Theme` this plugin provides.

    A station picks one by name with ``theme = "<name>"`` in its config.
    """


@hookspec
def register_task_types():
    """Return a list of :class:`core.TaskType`.

    A station sees the task types of core and of the plugins it enabled.
    """


@hookspec
def register_incident_categories():
    """Return a list of :class:`core.IncidentCategory`.

    A station's volunteers report incidents of core's categories and of the
    plugins it enabled, less those its ``[incidents] disabled`` switches off;
    each is also one Open311 service of the station.
    """


@hookspec
def register_scoring_rules():
    """Return a list of :class:`core.ScoringRule`.

    A station applies core's rules and those of the plugins it enabled, in
    that order; each adds a line to the breakdown of what an event earns.
    """


@hookspec
def register_config_schema():
    """Return a marshmallow ``Schema`` (class or instance) for this plugin's
    ``[plugin_settings.<name>]`` table in a station config.

    The loaded value is available as ``station.plugin_config("<name>")``.
    """


@hookspec
def register_blueprints():
    """Return a list of Flask blueprints.

    Each is mounted below ``/s/<station>/`` and answers 404 at stations that
    have not enabled the plugin.
    """


@hookspec
def register_models():
    """Return a list of peewee models whose tables ``redarmband init-db``
    creates. Bind them to ``core.database``; name each table
    ``<plugin name>_…``. A plugin with models also implements
    :func:`register_migrations`."""


@hookspec
def register_migrations():
    """Return the dotted name of this plugin's migrations package, e.g.
    ``"plugins.night_patrol.migrations"``.

    Its modules ``m0001_<words>.py`` … each have ``upgrade(migration)``;
    ``redarmband db upgrade`` applies the pending ones after core's, and
    records them under the plugin's name.
    """


@hookspec
def register_commands(cli):
    """Add click commands to the ``redarmband`` command group ``cli``."""


# ---------------------------------------------------------------------------
# Per-request hooks: station-scoped, so only core and the plugins the current
# station enabled are called.
# ---------------------------------------------------------------------------


@hookspec
def menu_items(station, user):
    """Return a list of :class:`core.MenuItem` for the station's menu.

    ``user`` is the signed-in user or ``None``.
    """


@hookspec
def extra_template_vars(station, template, request):
    """Return a dict of extra variables for rendering ``template``."""


@hookspec
def validate_submission(station, volunteer, task_type, task, data):
    """Check a submission before it is stored; return ``{field: [message]}``
    for what is wrong (or nothing). ``data`` holds the loaded fields (text,
    ``fields`` with the type's extra fields, latitude, longitude …) and
    ``photo_count``, the number of photos sent; ``task``
    is ``None`` for self-started work. Problems from every plugin are
    reported together as one 400, and nothing is stored.
    """


# ---------------------------------------------------------------------------
# Events: called after the change is committed; results are ignored, and an
# implementation that raises is logged without stopping the others (the
# change it reports has already happened).
# ---------------------------------------------------------------------------


@hookspec
def on_volunteer_registered(station, volunteer):
    """A volunteer has registered at ``station`` (already committed)."""


@hookspec
def on_points_booked(station, entry):
    """A ledger entry (a :class:`core.models.LedgerEntry`) was committed."""


@hookspec
def on_checkin(station, volunteer, checkin, entry):
    """A volunteer checked in for the day (already committed)."""


@hookspec
def on_redemption(station, redemption, event):
    """A redemption changed: ``event`` is "reserved", "collected",
    "cancelled" or "expired" (already committed)."""


@hookspec
def on_incident_changed(station, incident, event):
    """An incident was reported or changed (already committed): ``event`` is
    its new :class:`core.IncidentEvent` timeline line; ``event.kind`` is
    "reported", "state", "comment", "assigned" or "useful"."""


@hookspec
def on_submission_reviewed(station, submission, review):
    """An officer decided on a submission (already committed, points
    included): ``review.decision`` is "approved", "rejected" or "returned"."""
