"""``redarmband backup`` and ``redarmband restore``.

Neither builds the app: a backup is taken of a database in any state (also
one made by 0.1.0, before ``db upgrade``), and a restore goes into an empty
database the app would refuse to start on.
"""

import os
from pathlib import Path

import click

BACKUPS_FOLDER = "backups"  # inside the instance folder, by default


def add_commands(cli, _pm):
    @cli.command("backup", with_appcontext=False)
    @click.option(
        "--to",
        "to_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help=f"the folder to put the backup in  [default: the instance folder's {BACKUPS_FOLDER}/]",
    )
    def backup_command(to_dir):
        """Back up the database, uploaded photos and secret key.

        Writes a new folder redarmband-backup-<UTC time> with a consistent copy
        of the database (SQLite's online backup, or pg_dump), the instance's
        uploads/ and secret key, the station files and manifest.json. The app
        may keep running. Keep the folder private: it holds every account.
        """
        from ..backup import describe_backup, make_backup, read_manifest
        from ..config import settings_from_environment
        from ..instance import instance_path

        instance = instance_path()
        settings = settings_from_environment(instance)
        folder = make_backup(
            settings["DATABASE_URL"],
            instance,
            to_dir or instance / BACKUPS_FOLDER,
            stations_dir=settings["STATIONS_DIR"],
        )
        manifest = read_manifest(folder)
        click.echo(f"backup written: {folder}")
        click.echo(describe_backup(manifest))

    @cli.command("restore", with_appcontext=False)
    @click.argument("backup_dir", type=click.Path(path_type=Path))
    def restore_command(backup_dir):
        """Restore a backup into an empty database and instance folder.

        The database named by REDARMBAND_DATABASE_URL (default: the instance
        folder's SQLite file) must have no tables: for PostgreSQL, create an
        empty database first. The instance folder must have no uploads. Its
        own secret key, if it has one, is kept. The station files of the
        backup are not copied (they are there for reference).
        """
        from ..backup import STATIONS, restore_backup
        from ..config import settings_from_environment
        from ..instance import instance_path
        from ..version import __version__

        instance = instance_path()
        settings = settings_from_environment(instance)
        restored = restore_backup(backup_dir, settings["DATABASE_URL"], instance)
        manifest = restored.manifest
        click.echo(
            f"restored {backup_dir.absolute()} "
            f"(made {manifest.get('created_at', '?')} by Red Armband {manifest.get('redarmband_version', '?')})"
        )
        click.echo(f"database: {restored.database}: {restored.tables} tables, {restored.rows} rows")
        if restored.uploads:
            click.echo(f"uploads: {restored.upload_files} files into {restored.uploads}")
        else:
            click.echo("uploads: none in the backup")
        key_lines = {
            "restored": f"secret key: restored into {instance}",
            "kept": f"secret key: kept the instance's own (the backup's is in {backup_dir}); "
            "signed-in sessions and calendar feed links of the old key no longer work",
            "none": "secret key: none in the backup (REDARMBAND_SECRET_KEY was set, or a new one will be made)",
        }
        if os.environ.get("REDARMBAND_SECRET_KEY"):
            click.echo("secret key: REDARMBAND_SECRET_KEY is set; the app signs with it, not with a key file")
        else:
            click.echo(key_lines[restored.secret_key])
        if manifest.get("stations"):
            click.echo(f"station files: not copied; the backup's are in {backup_dir.absolute() / STATIONS}")
        if manifest.get("redarmband_version") != __version__:
            click.echo(f"this is Red Armband {__version__}: see `redarmband db status` before starting it")
        if manifest.get("migrations") is None:
            click.echo("this database was made before migrations: run `redarmband db upgrade` next")
        click.echo("next: run `redarmband points verify` to check the ledger")
