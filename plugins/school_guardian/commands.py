"""``redarmband school-guardian post-roster``: post the duty roster from cron
or by hand, the same as the officers' page does."""

import click

from core import TaskError, User, get_station

from . import roster
from .task_types import NAME


def add_to(cli):
    @cli.group("school-guardian")
    def group():
        """护小侠: the school guardians' duty roster."""

    @group.command("post-roster")
    @click.option("--station", "slug", required=True, help="the station's slug, e.g. huguo")
    @click.option("--officer", "phone", required=True, help="the mobile number of the officer posting")
    @click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]), help="first day, YYYY-MM-DD")
    @click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]), help="last day, YYYY-MM-DD")
    def post_roster(slug, phone, first, last):
        """Post 护学岗 tasks for every school, gate and window on the school days
        from --from to --to (holidays skipped; slots posted before are left alone)."""
        station = get_station(slug)
        if station is None or NAME not in station.enabled_plugins:
            raise click.BadParameter(
                f"no enabled station {slug!r} with the school_guardian plugin", param_hint="--station"
            )
        officer = User.get_or_none(User.phone == phone, User.station == station.id)
        if officer is None or not officer.is_staff:
            raise click.BadParameter(f"no officer of {slug} with mobile number {phone}", param_hint="--officer")
        try:
            posted = roster.post_roster(station, officer, first.date(), last.date())
        except TaskError as error:
            raise click.ClickException(
                f"{error.message} ({', '.join(sorted(error.fields or {})) or error.code})"
            ) from error
        for school, count in posted.by_school.items():
            click.echo(f"{school}: {count} new")
        click.echo(f"posted {posted.tasks}; posted before {posted.already}; holiday weekdays {posted.holidays}")
