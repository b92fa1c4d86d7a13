"""``redarmband open311 keys``: create, list, revoke — and a key made there
opens POST requests at its own station only."""

from core.models import Open311Key, Role

from .open311_helpers import count, post
from .tasks_helpers import person


def admin_of(app, slug="huguo", role=Role.STATION_ADMIN):
    with app.test_request_context():
        return person(app, slug, role)


def create(runner, admin, slug="huguo", *extra):
    return runner.invoke(["open311", "keys", "create", "--station", slug, "--admin", admin.phone, *extra])


def test_create_prints_the_key_once_and_it_works(app, client, runner):
    admin = admin_of(app)
    result = create(runner, admin, "huguo", "--label", "12345 热线")
    assert result.exit_code == 0, result.output
    key = next(line for line in result.output.splitlines() if line.startswith("ra_"))
    assert "shown only this once" in result.output
    row = Open311Key.get()
    assert row.label == "12345 热线" and row.issued_by_id == admin.id and key not in row.digest
    assert post(client, key).status_code == 200
    assert post(client, key, jurisdiction_id="xiaonanmen").status_code == 403


def test_list_shows_prefix_label_issuer_and_revocation(app, runner):
    admin = admin_of(app)
    key = next(
        line
        for line in create(runner, admin, "huguo", "--label", "地图 App").output.splitlines()
        if line.startswith("ra_")
    )
    result = runner.invoke(["open311", "keys", "list", "--station", "huguo"])
    assert result.exit_code == 0, result.output
    assert key[:10] in result.output and "地图 App" in result.output and admin.name in result.output
    assert "live" in result.output
    assert key not in result.output  # the key itself is never shown again
    empty = runner.invoke(["open311", "keys", "list", "--station", "xiaonanmen"])
    assert "no Open311 keys" in empty.output


def test_revoke_stops_the_key(app, client, runner):
    admin = admin_of(app)
    key = next(line for line in create(runner, admin).output.splitlines() if line.startswith("ra_"))
    result = runner.invoke(["open311", "keys", "revoke", "--station", "huguo", "--prefix", key[:10]])
    assert result.exit_code == 0, result.output
    before = count()
    assert post(client, key).status_code == 403
    assert count() == before
    assert "revoked" in runner.invoke(["open311", "keys", "list", "--station", "huguo"]).output
    again = runner.invoke(["open311", "keys", "revoke", "--station", "huguo", "--prefix", key[:10]])
    assert again.exit_code != 0 and "--prefix" in again.output


def test_a_bad_station_or_someone_not_its_admin_is_refused_naming_the_option(app, runner):
    admin = admin_of(app)
    bad_station = create(runner, admin, "atlantis")
    assert bad_station.exit_code != 0 and "--station" in bad_station.output
    elsewhere = create(runner, admin, "xiaonanmen")
    assert elsewhere.exit_code != 0 and "--admin" in elsewhere.output
    officer = create(runner, admin_of(app, role=Role.OFFICER))
    assert officer.exit_code != 0 and "--admin" in officer.output
    nobody = runner.invoke(["open311", "keys", "create", "--station", "huguo", "--admin", "10000000000"])
    assert nobody.exit_code != 0 and "--admin" in nobody.output
    assert Open311Key.select().count() == 0
    assert runner.invoke(["open311", "keys", "list", "--station", "atlantis"]).exit_code != 0
