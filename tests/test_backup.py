"""``redarmband backup`` and ``redarmband restore``: a consistent copy of the
database (SQLite's online backup API, or pg_dump) with the uploads and the
secret key, put back into an empty instance, after which ``points verify``
passes. Runs on SQLite and, with REDARMBAND_DATABASE_URL=postgresql://…, on
PostgreSQL."""

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from core import db
from core.backup import make_backup
from core.checkins import check_in
from core.cli import app_factory, build_cli
from core.instance import secret_key
from core.models import CheckIn, LedgerEntry, Role, User
from core.plugins import make_plugin_manager
from core.problems import OperatorError
from core.rewards import redeem
from core.tasks.review import decide
from core.testing import empty_postgres
from tests.conftest import BRAND_PLUGINS, REPO
from tests.points_helpers import give_points, make_reward, station
from tests.tasks_helpers import do_work, make_task, officer, person

REDARMBAND = Path(sys.executable).parent / "redarmband"
CONFIGURED_URL = os.environ.get("REDARMBAND_DATABASE_URL", "")  # before any test points it elsewhere
ON_POSTGRES = CONFIGURED_URL.startswith(("postgres://", "postgresql://"))
DAY_ONE = datetime(2026, 3, 2, 2, 0)  # 10:00 in Kunming


# --- running the command ---------------------------------------------------------


def redarmband(*args):
    """``redarmband ARGS`` in this process, with the brand plugins (not the
    installed entry points), reading the environment like the real command."""
    plugins = list(BRAND_PLUGINS)
    cli = build_cli(make_plugin_manager(load_entrypoints=False, extra_plugins=plugins))
    info = ScriptInfo(create_app=app_factory({"LOAD_ENTRYPOINTS": False, "EXTRA_PLUGINS": plugins}))
    return CliRunner().invoke(cli, [str(arg) for arg in args], obj=info)


def refusal(result):
    """The one-line message ``redarmband`` prints as ``Error: …``."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, OperatorError), result.exception
    return str(result.exception)


def use(monkeypatch, instance, database_url):
    """Point the ``redarmband`` environment at an instance folder and a database."""
    monkeypatch.setenv("REDARMBAND_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("REDARMBAND_DATABASE_URL", database_url)
    monkeypatch.setenv("REDARMBAND_STATIONS_DIR", str(REPO / "stations"))
    monkeypatch.delenv("REDARMBAND_SECRET_KEY", raising=False)


def back_up(to):
    result = redarmband("backup", "--to", to)
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("backup written: "), result.output
    return Path(first.removeprefix("backup written: ")), result.output


def manifest_of(folder):
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def row_counts(url):
    """Rows per table, counted through peewee (not through core.backup)."""
    database = db.make_database(url)
    try:
        return {
            table: database.execute_sql(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in database.get_tables()
            if not table.startswith("sqlite_")
        }
    finally:
        database.close_all() if hasattr(database, "close_all") else database.close()


def files_under(folder):
    folder = Path(folder)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --- the world ----------------------------------------------------------------------


@pytest.fixture
def source(app, tmp_path, database_url, monkeypatch):
    """The test app's instance folder and database, as ``redarmband`` sees them."""
    instance = Path(app.instance_path)
    use(monkeypatch, instance, database_url)
    return instance


@pytest.fixture
def target(tmp_path):
    """A new instance folder and a new, empty database: ``(instance, url)``."""
    instance = tmp_path / "restored-instance"
    if ON_POSTGRES:
        # a second database of this test process: postgres_<pid>, made beside the
        # server's own "postgres" database and dropped at the end of the run
        url = empty_postgres(urlunsplit(urlsplit(CONFIGURED_URL)._replace(path="/postgres")))
    else:
        url = f"sqlite:///{instance / 'redarmband.sqlite3'}"
    return instance, url


@pytest.fixture
def filled(app, source):
    """Volunteers who checked in, earned, redeemed and had work with photos
    approved; the instance's own secret key. Returns a photo's relative path."""
    with app.test_request_context():
        huguo = station(app)
        boss = officer(app)
        volunteers = [person(app, role=Role.VOLUNTEER) for _ in range(3)]
        for day in range(3):
            for volunteer in volunteers:
                check_in(huguo, volunteer, DAY_ONE + timedelta(days=day))
        give_points(app, volunteers[0].id, 10)
        redeem(huguo, User.get_by_id(volunteers[0].id), make_reward(app, officer=boss).id)
        submission = do_work(app, "huguo", volunteers[1], make_task(app, by=boss), photos=1)
        decide(huguo, boss, submission.id, "approve")
        photo = submission.photos[0].path
        donghua_volunteer = person(app, "donghua", Role.VOLUNTEER)
        check_in(station(app, "donghua"), donghua_volunteer, DAY_ONE)
    secret_key(source)  # made once in the instance folder, as the app does without REDARMBAND_SECRET_KEY
    assert (source / "uploads" / photo).is_file()
    return photo


# --- backup and restore ----------------------------------------------------------


def test_a_backup_restored_into_an_empty_instance_holds_everything_and_verifies(
    source, filled, target, database_url, tmp_path, monkeypatch
):
    before = row_counts(database_url)
    folder, output = back_up(tmp_path / "backups")

    assert folder.parent == tmp_path / "backups" and folder.name.startswith("redarmband-backup-")
    assert folder.name.endswith("Z") and len(folder.name) == len("redarmband-backup-20260302T020000Z")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "secret_key").stat().st_mode) == 0o600
    manifest = manifest_of(folder)
    assert manifest["tables"] == before and manifest["rows"] == sum(before.values())
    assert manifest["database"]["kind"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert manifest["upload_files"] == len(files_under(source / "uploads")) >= 2  # the photo and its thumbnail
    assert {(m["owner"], m["name"]) for m in manifest["migrations"]} >= {("core", "0001_initial")}
    assert manifest["secret_key"] is True and "huguo.toml" in manifest["stations"]
    assert (folder / "stations" / "huguo.toml").is_file()
    assert f"{len(before)} tables, {sum(before.values())} rows" in output
    assert before[LedgerEntry._meta.table_name] >= 12 and before[CheckIn._meta.table_name] == 10

    instance, url = target
    use(monkeypatch, instance, url)
    result = redarmband("restore", folder)
    assert result.exit_code == 0, result.output
    assert f"restored {folder}" in result.output
    assert f"{len(before)} tables, {sum(before.values())} rows" in result.output
    assert f"uploads: {manifest['upload_files']} files into {instance / 'uploads'}" in result.output
    assert f"secret key: restored into {instance}" in result.output
    assert "redarmband points verify" in result.output

    assert row_counts(url) == before
    assert (instance / "uploads" / filled).read_bytes() == (source / "uploads" / filled).read_bytes()
    assert files_under(instance / "uploads") == files_under(source / "uploads")
    assert (instance / "secret_key").read_text() == (source / "secret_key").read_text()
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
    assert sorted(p.name for p in instance.iterdir() if p.name.startswith(".")) == []  # no staging left

    db.close_all()  # the source's connections; the command below opens the restored database
    verified = redarmband("points", "verify")
    assert verified.exit_code == 0, verified.output
    assert "ledger ok" in verified.output
    assert redarmband("db", "status").exit_code == 0


def test_a_backup_taken_while_check_ins_keep_coming_is_consistent(app, source, target, tmp_path, monkeypatch):
    with app.test_request_context():
        huguo = station(app)
        volunteers = [person(app, role=Role.VOLUNTEER) for _ in range(2)]
    written = threading.Semaphore(0)
    stop = threading.Event()
    failures = []

    def keep_writing():
        try:
            with app.test_request_context():
                day = 0
                while not stop.is_set():
                    check_in(huguo, volunteers[0], DAY_ONE + timedelta(days=day))
                    give_points(app, volunteers[1].id, 1 + day % 3, key=f"bonus:{day}")
                    day += 1
                    written.release()
        except Exception as error:  # noqa: BLE001 - reported by the test
            failures.append(error)
            written.release()
        finally:
            db.database.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        for _ in range(20):
            assert written.acquire(timeout=30), "the writer is stuck"
        # a process of its own, as from cron, while this one keeps writing
        done = subprocess.run(
            [str(REDARMBAND), "backup", "--to", str(tmp_path / "backups")],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        folder = Path(done.stdout.splitlines()[0].removeprefix("backup written: "))
        for _ in range(20):  # it went on writing after the backup
            assert written.acquire(timeout=30), "the writer is stuck"
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not failures, failures
    ledger = LedgerEntry._meta.table_name

    taken = manifest_of(folder)["tables"]
    assert 40 <= taken[ledger] < LedgerEntry.select().count()
    check_ins = taken[CheckIn._meta.table_name]
    assert taken[ledger] in (2 * check_ins, 2 * check_ins - 1)  # each check-in is followed by a bonus

    instance, url = target
    use(monkeypatch, instance, url)
    result = redarmband("restore", folder)
    assert result.exit_code == 0, result.output
    assert row_counts(url) == taken
    db.close_all()
    verified = redarmband("points", "verify")
    assert verified.exit_code == 0, verified.output
    assert "ledger ok" in verified.output


def test_a_database_made_before_migrations_is_backed_up_and_restored(
    app, source, target, database_url, tmp_path, monkeypatch
):
    with app.test_request_context():
        give_points(app, person(app, role=Role.VOLUNTEER).id, 5)
    db.database.execute_sql("DROP TABLE schema_migration")  # as 0.1.0 left it
    db.close_all()
    before = row_counts(database_url)
    assert "schema_migration" not in before

    folder, output = back_up(tmp_path / "backups")
    manifest = manifest_of(folder)
    assert manifest["migrations"] is None and manifest["tables"] == before
    assert "no migration history" in output

    instance, url = target
    use(monkeypatch, instance, url)
    result = redarmband("restore", folder)
    assert result.exit_code == 0, result.output
    assert "run `redarmband db upgrade` next" in result.output
    assert row_counts(url) == before


# --- refusals -----------------------------------------------------------------------


@pytest.fixture
def backup_folder(app, source, tmp_path):
    """A backup of the test app's database with one uploaded file."""
    with app.test_request_context():
        give_points(app, person(app, role=Role.VOLUNTEER).id, 3)
    photo = source / "uploads" / "huguo" / "submissions" / "photo.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 a photo")
    secret_key(source)
    folder, _output = back_up(tmp_path / "backups")
    return folder


def assert_untouched(instance, url, tables=None):
    """The target as it was: its tables (none by default), no uploads, no secret key."""
    assert row_counts(url) == (tables or {})
    assert files_under(instance / "uploads") == []
    assert not (instance / "secret_key").exists()
    if instance.exists():  # a SQLite target's folder, and the empty file row_counts opened
        assert [p.name for p in instance.iterdir() if p.name != "uploads"] in ([], ["redarmband.sqlite3"])


def test_restore_refuses_a_database_that_has_tables(backup_folder, database_url, tmp_path, monkeypatch):
    before = row_counts(database_url)
    instance = tmp_path / "other-instance"
    use(monkeypatch, instance, database_url)  # the source's own database: it has tables
    message = refusal(redarmband("restore", backup_folder))
    assert message.startswith("will not restore over existing data: the database ")
    assert f"has {len(before)} tables" in message
    assert (database_url if ON_POSTGRES else database_url.removeprefix("sqlite:///")) in message
    assert_untouched(instance, database_url, before)


def test_restore_refuses_an_instance_that_has_uploads(backup_folder, target, monkeypatch):
    instance, url = target
    (instance / "uploads" / "huguo").mkdir(parents=True)
    (instance / "uploads" / "huguo" / "kept.jpg").write_bytes(b"someone's photo")
    use(monkeypatch, instance, url)
    message = refusal(redarmband("restore", backup_folder))
    assert f"the instance folder {instance} has uploads (1 files in {instance / 'uploads'})" in message
    assert row_counts(url) == {}
    assert files_under(instance / "uploads") == ["huguo/kept.jpg"]
    assert not (instance / "secret_key").exists()


def test_restore_refuses_a_folder_that_is_not_a_backup(target, tmp_path, monkeypatch):
    folder = tmp_path / "holiday-photos"
    folder.mkdir()
    (folder / "beach.jpg").write_bytes(b"sand")
    instance, url = target
    use(monkeypatch, instance, url)
    message = refusal(redarmband("restore", folder))
    assert message.startswith(f"{folder} is not a Red Armband backup: it has no manifest.json")
    assert_untouched(instance, url)

    # the real command: one line, no traceback
    done = subprocess.run(
        [str(REDARMBAND), "restore", str(folder)], capture_output=True, text=True, encoding="utf-8", timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"Error: {message}"
    assert "Traceback" not in done.stderr + done.stdout
    assert_untouched(instance, url)


def test_restore_refuses_a_backup_of_the_other_kind_of_database(backup_folder, target, monkeypatch):
    manifest = manifest_of(backup_folder)
    other = "sqlite" if ON_POSTGRES else "postgresql"
    manifest["database"]["kind"] = other
    (backup_folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    instance, url = target
    use(monkeypatch, instance, url)
    message = refusal(redarmband("restore", backup_folder))
    assert message.startswith(f"{backup_folder} holds a {other} database, but the target ")
    assert_untouched(instance, url)


@pytest.mark.parametrize("damage", ["database file", "row counts"])
def test_a_failed_restore_leaves_the_target_as_it_was(backup_folder, target, monkeypatch, damage):
    manifest = manifest_of(backup_folder)
    if damage == "database file":
        dump = backup_folder / manifest["database"]["file"]
        dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    else:  # the database restores, then does not match: what was restored is taken back
        table = LedgerEntry._meta.table_name
        manifest["tables"][table] += 1
        (backup_folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    instance, url = target
    use(monkeypatch, instance, url)
    message = refusal(redarmband("restore", backup_folder))
    assert message.endswith("nothing was left in place"), message
    if damage == "row counts":
        table = LedgerEntry._meta.table_name
        expected = manifest["tables"][table]
        said = f"does not hold what its manifest says ({table}: {expected} in the manifest, {expected - 1} restored)"
        assert said in message
    assert_untouched(instance, url)


def test_a_backup_never_overwrites_one_made_in_the_same_second(source, database_url, tmp_path):
    now = datetime(2026, 3, 2, 2, 0, 0)
    first = make_backup(database_url, source, tmp_path, now=now)
    assert first.name == "redarmband-backup-20260302T020000Z"
    with pytest.raises(OperatorError, match="already exists: not overwriting it"):
        make_backup(database_url, source, tmp_path, now=now)
    assert (first / "manifest.json").is_file()


def test_without_pg_dump_the_backup_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on it
    url = "postgresql://keeper:s3cret@127.0.0.1:5432/city"
    with pytest.raises(OperatorError) as refused:
        make_backup(url, tmp_path / "instance", tmp_path / "backups")
    message = str(refused.value)
    assert message.startswith("pg_dump was not found on the PATH: install the PostgreSQL client tools")
    assert "pg_dump --format=custom --no-owner --no-privileges" in message
    assert "postgresql://keeper@127.0.0.1:5432/city" in message and "s3cret" not in message
    assert not (tmp_path / "backups").exists()


def test_a_missing_sqlite_database_is_not_backed_up(tmp_path):
    with pytest.raises(OperatorError, match="there is no database file .*nothing to back up"):
        make_backup(f"sqlite:///{tmp_path / 'nowhere.sqlite3'}", tmp_path, tmp_path / "backups")
    assert not (tmp_path / "backups").exists() and not (tmp_path / "nowhere.sqlite3").exists()


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump is for PostgreSQL")
def test_pg_dump_gets_the_password_through_its_environment_never_its_command_line(
    source, database_url, tmp_path, monkeypatch
):
    real = shutil.which("pg_dump")
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    spy = bin_folder / "pg_dump"
    spy.write_text(
        "#!/bin/sh\n"
        f"printf '%s\\n' \"$@\" > '{tmp_path}/argv'\n"
        f"printf '%s' \"$PGPASSWORD\" > '{tmp_path}/pgpassword'\n"
        f"exec '{real}' \"$@\"\n"
    )
    spy.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    parts = urlsplit(database_url)
    with_password = urlunsplit(parts._replace(netloc=f"{parts.username}:s3cr%40t@{parts.hostname}:{parts.port}"))
    monkeypatch.setenv("REDARMBAND_DATABASE_URL", with_password)  # the test server trusts: any password will do

    folder, output = back_up(tmp_path / "backups")
    argv = (tmp_path / "argv").read_text()
    assert "s3cr" not in argv and "--no-owner" in argv and "--no-privileges" in argv and "--format=custom" in argv
    assert (tmp_path / "pgpassword").read_text() == "s3cr@t"
    assert "s3cr" not in output and f"{parts.username}:***@" in output
    assert "s3cr" not in (folder / "manifest.json").read_text()
