"""``redarmband stations check``."""

import click


def add_commands(cli, pm):
    @cli.group("stations")
    def stations_group():
        """Station configs."""

    @stations_group.command("check", with_appcontext=False)
    @click.argument("directory", required=False, type=click.Path(file_okay=False))
    def stations_check(directory):
        """Check every station file in DIRECTORY (default: the configured one)."""
        from ..config import StationConfigError, load_stations, settings_from_environment
        from ..plugins import PluginRegistry

        directory = directory or settings_from_environment(".")["STATIONS_DIR"]
        try:
            stations = load_stations(directory, PluginRegistry(pm))
        except StationConfigError as error:
            raise click.ClickException(str(error)) from error
        for warning in stations.warnings:
            click.echo(f"warning: {warning}", err=True)
        for station in stations.by_slug.values():
            state = "enabled" if station.enabled else "disabled"
            click.echo(f"{station.source}: {station.slug} ({station.brand}, {state}) ok")
