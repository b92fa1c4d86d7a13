"""``redarmband users``: officer and admin accounts."""

import click
from flask.cli import with_appcontext

STAFF_ROLES = ("officer", "station_admin", "district_admin", "city_admin")


def add_commands(cli, _pm):
    @cli.group("users")
    def users_group():
        """Officer and admin accounts."""

    @users_group.command("create")
    @click.option("--role", required=True, type=click.Choice(STAFF_ROLES))
    @click.option("--station", "slug", help="station slug (not for a city or district admin)")
    @click.option("--district", help="a district admin's district, as the station configs name it")
    @click.option("--phone", required=True)
    @click.option("--name", required=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @with_appcontext
    def users_create(role, slug, district, phone, name, password):
        """Create an officer, station admin, district admin or city admin."""
        from ..accounts import DuplicatePhone, create_user
        from ..tenancy import current_tenancy

        districts = {station.config.district for station in current_tenancy().stations.values()}
        if district and district not in districts:
            raise click.BadParameter(
                f"no enabled station is in {district!r}; districts: {', '.join(sorted(districts))}",
                param_hint="--district",
            )
        station_id = None
        if slug:
            station = current_tenancy().get(slug)
            if station is None:
                raise click.BadParameter(f"no enabled station {slug!r}", param_hint="--station")
            station_id = station.id
        try:
            user = create_user(
                role=role, phone=phone, name=name, password=password, station_id=station_id, district=district
            )
        except DuplicatePhone as error:
            raise click.BadParameter(f"{phone} is already registered", param_hint="--phone") from error
        except ValueError as error:
            raise click.UsageError(str(error)) from error
        click.echo(
            f"created {role} {user.name} ({user.phone})" + (f" at {slug or district}" if slug or district else "")
        )

    @users_group.command("grant-collect")
    @click.option("--phone", required=True, help="the account that hands out rewards at a designated place")
    @click.option("--revoke", is_flag=True, help="take the permission away instead")
    @with_appcontext
    def grant_collect_command(phone, revoke):
        """Let an account of a station mark its redemptions collected."""
        from ..models import User
        from ..rewards import grant_collect

        user = User.get_or_none(User.phone == phone)
        if user is None or user.station_id is None:
            raise click.BadParameter(f"no station account with phone {phone}", param_hint="--phone")
        grant_collect(user, allowed=not revoke)
        click.echo(f"{user.name} ({phone}) {'may no longer' if revoke else 'may now'} collect redemptions")
