"""``redarmband plugins new``: a station team's own plugin project."""

from importlib import metadata
from pathlib import Path

import click

from ..hookspecs import PROJECT_NAME


def _installed_plugin_names(pm):
    """Plugin names taken already: those registered and those installed as entry points."""
    from ..plugins import is_builtin

    names = {name for name, _plugin in pm.list_name_plugin() if not is_builtin(name)}  # left-out names too
    names.update(entry_point.name for entry_point in metadata.entry_points(group=PROJECT_NAME))
    return names


def add_commands(cli, pm):
    @cli.group("plugins")
    def plugins_group():
        """Station plugins."""

    @plugins_group.command("new", with_appcontext=False)
    @click.argument("name")
    @click.option(
        "--directory",
        type=click.Path(path_type=Path),
        help="where to write the plugin's project  [default: ./redarmband-NAME]",
    )
    @click.option("--title", help="the plugin's name as people read it, e.g. 单车巡逻  [default: from NAME]")
    def plugins_new(name, directory, title):
        """Write a new plugin project NAME, ready to install with pip.

        NAME is the plugin's name and Python package, e.g. bike_patrol: stations
        enable it with plugins = ["bike_patrol"].
        """
        from .. import scaffold

        directory = directory or Path(f"redarmband-{name}")
        try:
            written = scaffold.create(name, directory, title=title, installed=_installed_plugin_names(pm))
        except scaffold.ScaffoldError as error:
            hint = "NAME" if error.param == "name" else error.param
            raise click.BadParameter(str(error), param_hint=hint) from error
        shown = str(directory) if directory.is_absolute() or str(directory).startswith(".") else f"./{directory}"
        click.echo(f"created plugin {name!r} in {shown}:")
        for path in written:
            click.echo(f"  {path.relative_to(directory).as_posix()}")
        click.echo("next, where redarmband is installed:")
        click.echo(f"  pip install -e {shown}")
        click.echo(f'  add plugins = ["{name}"] to a station file, then: redarmband stations check')
        click.echo(f'  cd {shown} && pip install -e ".[test]" && pytest')
