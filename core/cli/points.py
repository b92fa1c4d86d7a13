"""``redarmband points``: checking the ledger, expiring uncollected rewards."""

import click
from flask.cli import with_appcontext


def add_commands(cli, _pm):
    @cli.group("points")
    def points_group():
        """The points ledger."""

    @points_group.command("verify")
    @with_appcontext
    def points_verify():
        """Recompute every balance from the ledger; exit 1 on any difference."""
        from ..models import User
        from ..points import verify_balances

        problems = verify_balances()
        for problem in problems:
            click.echo(
                f"volunteer {problem.volunteer_id} {problem.phone}: {problem.field} kept {problem.kept}, "
                f"entries say {problem.from_entries}",
                err=True,
            )
        if problems:
            raise click.ClickException(f"{len(problems)} difference(s) between kept figures and the ledger")
        click.echo(f"ledger ok: {User.select().count()} accounts match their entries")

    @points_group.command("expire")
    @with_appcontext
    def points_expire():
        """Expire redemptions not collected in time, refunding their points (run it from cron)."""
        from ..rewards import expire_due
        from ..tenancy import current_tenancy

        total = 0
        for station in current_tenancy().stations.values():
            expired = expire_due(station)
            total += expired
            if expired:
                click.echo(f"{station.slug}: {expired} expired")
        click.echo(f"{total} redemption(s) expired")
