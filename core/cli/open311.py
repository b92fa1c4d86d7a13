"""``redarmband open311 keys``: a station's Open311 API keys.

A key is made by a station admin of the station (they answer for what is
posted with it) and printed once: only its digest is stored.
"""

import click

STAMP = "%Y-%m-%d %H:%M UTC"


def _station(slug):
    from ..tenancy import current_tenancy

    station = current_tenancy().get(slug)
    if station is None:
        known = ", ".join(sorted(current_tenancy().stations))
        raise click.BadParameter(f"no enabled station {slug!r}; stations: {known}", param_hint="--station")
    return station


def add_commands(cli, _pm):
    @cli.group("open311")
    def open311_group():
        """Open311 GeoReport v2 (/open311/v2/)."""

    @open311_group.group("keys")
    def keys_group():
        """API keys other systems post requests with, one station each."""

    @keys_group.command("create")
    @click.option("--station", "slug", required=True, help="the station (its jurisdiction_id)")
    @click.option("--admin", "phone", required=True, help="the phone of a station admin of it, who answers for the key")
    @click.option("--label", default="", help="who uses the key, e.g. 12345 热线")
    def keys_create(slug, phone, label):
        """Make a key; it is printed once."""
        from ..incidents.errors import IncidentError
        from ..incidents.keys import create_key
        from ..models import User

        station = _station(slug)
        admin = User.get_or_none(User.phone == phone)
        try:
            if admin is None:
                raise IncidentError("no account with this phone", code="not_found", status=404)
            row, key = create_key(station, admin, label)
        except IncidentError:
            raise click.BadParameter(
                f"{phone} is not an active station admin of {slug}", param_hint="--admin"
            ) from None
        click.echo(f"created Open311 key {row.prefix}… for {slug}" + (f" ({row.label})" if row.label else ""))
        click.echo(key)
        click.echo("Keep it now: it is shown only this once and cannot be shown again.", err=True)

    @keys_group.command("list")
    @click.option("--station", "slug", required=True)
    def keys_list(slug):
        """The station's keys, revoked ones too."""
        from ..incidents.keys import keys_of

        rows = keys_of(_station(slug))
        if not rows:
            click.echo(f"{slug}: no Open311 keys")
        for row in rows:
            state = f"revoked {row.revoked_at.strftime(STAMP)}" if row.revoked_at else "live"
            click.echo(
                f"{row.prefix}  {row.label or '-'}  issued by {row.issuer}  created {row.created_at.strftime(STAMP)}  {state}"
            )

    @keys_group.command("revoke")
    @click.option("--station", "slug", required=True)
    @click.option("--prefix", required=True, help="the key's first characters, as list shows them")
    def keys_revoke(slug, prefix):
        """Revoke a key: requests posted with it are refused from now on."""
        from ..incidents.keys import revoke

        count = revoke(_station(slug), prefix)
        if not count:
            raise click.BadParameter(f"no live key of {slug} starts with {prefix!r}", param_hint="--prefix")
        click.echo(f"revoked {count} key(s) of {slug} starting with {prefix}")
