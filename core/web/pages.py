"""All of core's page blueprints, and what every page's template gets."""

import uuid

from flask import g
from flask_login import current_user

from ..accounts import ROLE_LABELS
from ..tenancy import current_tenancy
from . import (  # noqa: F401 - registers routes
    account,
    admin_group_pages,
    city,
    group_pages,
    incident_pages,
    incident_stream,
    instruction_stream,
    points_pages,
    reward_admin_pages,
    rewards_pages,
    station,
    task_feed_pages,
    task_pages,
    task_review_pages,
)
from .station_times import local_time


def register(app):
    for blueprint in (
        city.bp,
        station.bp,
        account.bp,
        points_pages.bp,
        rewards_pages.bp,
        task_pages.bp,
        task_review_pages.bp,
        task_feed_pages.bp,
        group_pages.bp,
        instruction_stream.bp,
        admin_group_pages.bp,
        incident_pages.bp,
        incident_stream.bp,
    ):
        app.register_blueprint(blueprint)

    app.jinja_env.globals["role_labels"] = ROLE_LABELS
    app.jinja_env.globals["local_time"] = local_time
    # a one-time key for a form whose double submission must act once
    app.jinja_env.globals["new_request_key"] = lambda: uuid.uuid4().hex

    @app.context_processor
    def _station_page_vars():
        station = g.get("station")
        if station is None:
            return {"station": None, "theme": current_tenancy().registry.themes["default"], "menu": []}
        # the real user object, not the request-bound proxy a plugin might keep
        user = current_user._get_current_object() if current_user.is_authenticated else None
        items = [item for items in station.hooks.menu_items(station=station, user=user) for item in items or ()]
        return {"station": station, "theme": station.theme, "menu": sorted(items, key=lambda item: item.order)}
