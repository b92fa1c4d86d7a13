"""Rewards on a station's pages, the staff's side: managing the catalogue
(adding and changing rewards, station-local times, form errors) and reward
photos (stored without EXIF, thumbnails, size and type limits, removal)."""

import re
from datetime import datetime
from io import BytesIO

import pytest
from PIL import ExifTags, Image

from core.models import Reward
from core.photos import thumbnail_path, uploads_root
from core.testing import csrf_token_from, post_form
from tests.rewards_pages_helpers import (
    REWARD_FORM,
    add_reward,
    app_fixture,  # noqa: F401
    page,
    staff,
    station_of,
    volunteer,
)

# ---------------------------------------------------------------------------
# Staff: the catalogue
# ---------------------------------------------------------------------------


def test_staff_pages_are_403_for_volunteers(app):
    reward = add_reward(app)
    client = volunteer(app)
    for path in ("/s/huguo/manage/", "/s/huguo/manage/rewards", "/s/huguo/manage/rewards/new"):
        assert client.get(path).status_code == 403, path
    for path in (f"/s/huguo/manage/rewards/{reward}",):
        assert client.get(path).status_code == 403, path
    token = csrf_token_from(client.get("/s/huguo/"))
    assert client.post("/s/huguo/manage/rewards/new", data={"csrf_token": token, **REWARD_FORM}).status_code == 403
    elsewhere = staff(app, station="xiaonanmen", phone="13700000009")
    assert elsewhere.get("/s/huguo/manage/rewards").status_code == 403
    assert elsewhere.get(f"/s/xiaonanmen/manage/rewards/{reward}").status_code == 404


def test_an_officer_adds_and_changes_a_reward_with_station_local_times(app):
    officer = staff(app)
    response = post_form(
        officer,
        "/s/huguo/manage/rewards/new",
        {**REWARD_FORM, "visible_from": "2030-01-01T08:00", "limit_count": "2", "limit_period": "month"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/s/huguo/manage/rewards"
    with app.app_context():
        reward = Reward.get(Reward.name == "保温杯")
        assert reward.visible_from == datetime(2030, 1, 1, 0, 0)  # 08:00 in Kunming is 00:00 UTC
        assert (reward.cost, reward.stock, reward.limit_count, reward.limit_period) == (10, 5, 2, "month")
        assert reward.station_id == station_of(app, "huguo").id
    listing = page(officer.get("/s/huguo/manage/rewards"))
    assert "保温杯" in listing and "待上架" in listing
    assert "保温杯" not in page(app.test_client().get("/s/huguo/rewards"))  # not yet shown

    edit = officer.get(f"/s/huguo/manage/rewards/{reward.id}")
    assert 'value="2030-01-01T08:00"' in page(edit)
    changed = post_form(
        officer, f"/s/huguo/manage/rewards/{reward.id}", {**REWARD_FORM, "name": "新保温杯", "stock": "9"}
    )
    assert changed.status_code == 302
    with app.app_context():
        reward = Reward.get_by_id(reward.id)
        assert (reward.name, reward.stock, reward.visible_from, reward.limit_count) == ("新保温杯", 9, None, None)
    assert "新保温杯" in page(app.test_client().get("/s/huguo/rewards"))

    unticked = {key: value for key, value in REWARD_FORM.items() if key != "active"}
    hidden = post_form(officer, f"/s/huguo/manage/rewards/{reward.id}", unticked)
    assert hidden.status_code == 302
    assert "新保温杯" not in page(app.test_client().get("/s/huguo/rewards"))
    assert "已下架" in page(officer.get("/s/huguo/manage/rewards"))


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": "  "}, "name"),
        ({"cost": "abc"}, "cost"),
        ({"cost": "0"}, "cost"),
        ({"stock": "-1"}, "stock"),
        ({"limit_count": "2"}, "limit_period"),
        ({"limit_count": "99999999999999999999", "limit_period": "ever"}, "limit_count"),
        ({"visible_from": "tomorrow"}, "visible_from"),
        ({"visible_from": "0001-01-01T00:00"}, "visible_from"),
        ({"visible_until": "0001-01-01T00:00+14:00"}, "visible_until"),
        ({"visible_from": "2030-01-02T08:00", "visible_until": "2030-01-01T08:00"}, "visible_until"),
        ({"place_address": ""}, "place_address"),
    ],
)
def test_the_reward_form_refuses_bad_input_naming_the_field(app, change, field):
    officer = staff(app)
    response = post_form(officer, "/s/huguo/manage/rewards/new", {**REWARD_FORM, **change})
    assert response.status_code == 400
    assert f'id="{field}-problem"' in page(response)
    assert 'value="护国派出所值班室"' in page(response)  # what was typed is kept
    with app.app_context():
        assert Reward.select().count() == 0


def jpeg_with_gps():
    image = Image.new("RGB", (120, 80), (200, 30, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (25.0, 2.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (102.0, 42.0, 10.0)
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    with Image.open(BytesIO(data)) as check:  # the test photo really carries a location
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def test_a_reward_photo_is_stored_without_exif_and_served(app):
    officer = staff(app)
    form = {**REWARD_FORM, "photo": (BytesIO(jpeg_with_gps()), "cup.jpg", "image/jpeg")}
    response = post_form(officer, "/s/huguo/manage/rewards/new", form, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        reward = Reward.get(Reward.name == "保温杯")
    assert reward.photo.startswith("huguo/")
    stored = uploads_root(app) / reward.photo
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (120, 80)
        assert not image.getexif() and "exif" not in image.info
    assert b"TestCam" not in stored.read_bytes()

    catalogue = page(app.test_client().get("/s/huguo/rewards"))
    thumb_url = re.search(rf'src="(/s/huguo/rewards/{reward.id}/photo/thumb\?v=[^"]+)"', catalogue).group(1)
    thumb = app.test_client().get(thumb_url)
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert thumb.data == thumbnail_path(stored).read_bytes()
    full = app.test_client().get(f"/s/huguo/rewards/{reward.id}/photo")
    assert full.status_code == 200 and full.data == stored.read_bytes()
    assert app.test_client().get(f"/s/xiaonanmen/rewards/{reward.id}/photo").status_code == 404
    assert app.test_client().get(f"/s/huguo/rewards/{reward.id + 1}/photo").status_code == 404


def test_a_reward_without_photo_has_no_photo_route(app):
    reward = add_reward(app)
    assert app.test_client().get(f"/s/huguo/rewards/{reward}/photo").status_code == 404
    assert app.test_client().get(f"/s/huguo/rewards/{reward}/photo/thumb").status_code == 404


def test_a_non_image_upload_is_400_naming_the_photo_field(app):
    officer = staff(app)
    form = {**REWARD_FORM, "photo": (BytesIO(b"%PDF-1.4 not a photo"), "cup.jpg", "image/jpeg")}
    response = post_form(officer, "/s/huguo/manage/rewards/new", form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert 'id="photo-problem"' in page(response) and "照片：" in page(response)
    with app.app_context():
        assert Reward.select().count() == 0
    assert not (uploads_root(app) / "huguo").exists()


def test_a_photo_over_the_size_limit_is_400(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("REDARMBAND_INSTANCE_PATH", str(tmp_path / "small"))
    app = make_app(MAX_PHOTO_BYTES=1024)
    officer = staff(app)
    big = Image.effect_noise((200, 200), 80).convert("RGB")
    buffer = BytesIO()
    big.save(buffer, "JPEG", quality=95)
    assert len(buffer.getvalue()) > 1024
    form = {**REWARD_FORM, "photo": (BytesIO(buffer.getvalue()), "big.jpg", "image/jpeg")}
    response = post_form(officer, "/s/huguo/manage/rewards/new", form, content_type="multipart/form-data")
    assert response.status_code == 400 and "照片：文件超过了 1 KB" in page(response)


def test_an_officer_removes_a_photo(app):
    officer = staff(app)
    form = {**REWARD_FORM, "photo": (BytesIO(jpeg_with_gps()), "cup.jpg", "image/jpeg")}
    post_form(officer, "/s/huguo/manage/rewards/new", form, content_type="multipart/form-data")
    with app.app_context():
        reward = Reward.get(Reward.name == "保温杯")
    assert reward.photo
    removed = post_form(officer, f"/s/huguo/manage/rewards/{reward.id}", {**REWARD_FORM, "remove_photo": "yes"})
    assert removed.status_code == 302
    with app.app_context():
        assert Reward.get_by_id(reward.id).photo is None
