"""Work groups on the station's pages: my instructions, acknowledging them, the live stream, their photos."""

import json
import re
from io import BytesIO

import pytest

from core.models import Instruction, InstructionRecipient
from core.testing import csrf_token_from
from core.web import instruction_stream

from .groups_pages_helpers import OFFICER, ack, admin, group_id, send, sse_events
from .tasks_helpers import photo_bytes
from .tasks_pages_helpers import menu_of, officer, page, volunteer

# ---------------------------------------------------------------------------
# My instructions
# ---------------------------------------------------------------------------


def test_my_instructions_newest_first_urgent_marked_acknowledged_once_and_counted_in_the_menu(app):
    officer(app)
    vol = volunteer(app)
    first = send(app, OFFICER, "今晚八点集合巡逻", place="护国路口")
    second = send(app, OFFICER, "立即疏散长春小学门口人群", priority="urgent")

    text = page(vol.get("/s/huguo/instructions"))
    assert text.index("立即疏散长春小学门口人群") < text.index("今晚八点集合巡逻")
    urgent = re.search(
        rf'<li class="([^"]*)" id="instruction-{second}">\s*<p><span class="badge urgent">紧急</span>', text
    )
    assert urgent and "urgent" in urgent.group(1).split()
    assert f'class="instruction unread" id="instruction-{first}"' in text  # a normal one has no mark
    assert "地点：护国路口" in text and "护国派出所" in text
    assert "指令 (2)" in menu_of(text)
    assert 'id="instructions-live"' in text and "/s/huguo/instructions/stream" in text

    done = ack(vol, first)
    assert done.status_code == 302 and done.headers["Location"].startswith("/s/huguo/instructions")
    after = page(vol.get("/s/huguo/instructions"))
    assert "指令 (1)" in menu_of(after) and "已确认" in after
    assert "指令 (1)" in menu_of(page(vol.get("/s/huguo/")))

    twice = ack(vol, first)
    assert twice.status_code == 409 and "你已确认过这条指令" in page(twice)
    with app.app_context():
        assert InstructionRecipient.select().where(InstructionRecipient.acknowledged_at.is_null(False)).count() == 1


def test_an_instruction_that_did_not_reach_you_cannot_be_acknowledged(app):
    officer(app, "donghua", phone="13700000002")
    vol = volunteer(app)
    elsewhere = send(app, "13700000002", "东华今晚夜巡", key="station:donghua")
    assert ack(vol, elsewhere).status_code == 404
    assert "东华今晚夜巡" not in page(vol.get("/s/huguo/instructions"))


def test_my_instructions_need_a_member_of_the_station(app):
    assert volunteer(app, "donghua", phone="13800000002").get("/s/huguo/instructions").status_code == 404
    anonymous = app.test_client().get("/s/huguo/instructions")
    assert anonymous.status_code == 302 and "/s/huguo/login" in anonymous.headers["Location"]


def test_the_json_poll_gives_the_newer_instructions_and_the_unread_count(app):
    officer(app)
    vol = volunteer(app)
    old = send(app, OFFICER, "旧指令")
    new = send(app, OFFICER, "新指令", priority="urgent")
    body = vol.get(f"/s/huguo/instructions.json?after={old}").get_json()
    assert [item["id"] for item in body["instructions"]] == [new]
    assert body["instructions"][0]["urgent"] and body["unread"] == 2
    assert vol.get("/s/huguo/instructions.json?after=x").status_code == 400


def test_english_with_lang_en(app):
    officer(app)
    vol = volunteer(app)
    send(app, OFFICER, "Patrol at eight", priority="urgent")
    text = page(vol.get("/s/huguo/instructions?lang=en"))
    assert "My instructions" in text and "Acknowledge" in text and "Urgent" in text
    assert "Instructions (1)" in menu_of(text)
    boss = admin(app)
    assert "Work groups" in page(boss.get("/s/huguo/manage/groups?lang=en"))
    assert "Liaison overview" in page(boss.get("/s/huguo/manage/liaison?lang=en"))


# ---------------------------------------------------------------------------
# The live stream (Server-Sent Events)
# ---------------------------------------------------------------------------


@pytest.fixture
def quick_stream(monkeypatch):
    monkeypatch.setattr(instruction_stream, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(instruction_stream, "MAX_SECONDS", 0.2)


def test_the_stream_sends_instructions_as_events_with_ids_and_resumes_after_the_last_event_id(app, quick_stream):
    officer(app)
    vol = volunteer(app)
    first = send(app, OFFICER, "第一条")
    second = send(app, OFFICER, "第二条：紧急集合", priority="urgent")

    response = vol.get("/s/huguo/instructions/stream")
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    text = page(response)
    assert text.startswith("retry: ")
    assert f"id: {first}\n" in text and f"id: {second}\n" in text
    events = [e for e in sse_events(text) if "id" in e]
    assert [int(e["id"]) for e in events] == [first, second]  # oldest first
    body = json.loads(events[1]["data"])
    assert body["text"] == "第二条：紧急集合" and body["urgent"] and body["unread"] == 2
    assert body["acknowledge_url"] == f"/s/huguo/instructions/{second}/acknowledge"

    resumed = page(vol.get("/s/huguo/instructions/stream", headers={"Last-Event-ID": str(first)}))
    assert [int(e["id"]) for e in sse_events(resumed) if "id" in e] == [second]
    # the header of a reconnect wins over the page's ?after=
    again = page(vol.get("/s/huguo/instructions/stream?after=0", headers={"Last-Event-ID": str(second)}))
    assert not [e for e in sse_events(again) if "id" in e]
    assert [
        int(e["id"]) for e in sse_events(page(vol.get(f"/s/huguo/instructions/stream?after={first}"))) if "id" in e
    ] == [second]


def test_the_stream_sends_an_instruction_posted_while_it_is_read(app, monkeypatch):
    monkeypatch.setattr(instruction_stream, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(instruction_stream, "MAX_SECONDS", 5)
    officer(app)
    vol = volunteer(app)
    response = vol.get("/s/huguo/instructions/stream?after=0", buffered=False)
    chunks = iter(response.response)
    assert next(chunks).decode().startswith("retry: ")
    assert next(chunks).decode().startswith(":")  # nothing yet
    posted = send(app, OFFICER, "刚刚发布的指令", priority="urgent")
    for chunk in chunks:
        if f"id: {posted}" in chunk.decode():
            assert "刚刚发布的指令" in chunk.decode()
            break
    else:
        pytest.fail("the instruction never came")
    response.close()


def test_the_stream_ends_by_itself(app, quick_stream):
    vol = volunteer(app)
    text = page(vol.get("/s/huguo/instructions/stream"))
    assert text.startswith("retry: ") and ": waiting" in text


def test_the_stream_is_for_members_of_the_station_only(app, quick_stream):
    assert app.test_client().get("/s/huguo/instructions/stream").status_code == 401
    assert volunteer(app, "donghua", phone="13800000002").get("/s/huguo/instructions/stream").status_code == 404
    assert volunteer(app).get("/s/huguo/instructions/stream", headers={"Last-Event-ID": "abc"}).status_code == 400


# ---------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------


def test_an_instruction_posted_with_a_photo_shows_it_to_those_it_reached(app):
    cop = officer(app)
    li = volunteer(app)
    station_group = group_id(app)
    form_url = f"/s/huguo/manage/instructions/new?group={station_group}"
    data = {
        "csrf_token": csrf_token_from(cop.get(form_url)),
        "group": str(station_group),
        "text": "注意这辆车",
        "priority": "normal",
    }
    not_a_photo = cop.post(
        "/s/huguo/manage/instructions/new",
        data={**data, "photos": (BytesIO(b"<?php echo 1;"), "car.jpg")},
        content_type="multipart/form-data",
    )
    assert not_a_photo.status_code == 400 and 'id="photos-problem"' in page(not_a_photo)
    with app.app_context():
        assert Instruction.select().count() == 0
    sent = cop.post(
        "/s/huguo/manage/instructions/new",
        data={**data, "photos": (BytesIO(photo_bytes()), "car.jpg")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302, page(sent)
    with app.app_context():
        instruction = Instruction.get(Instruction.text == "注意这辆车")
    mine = page(li.get("/s/huguo/instructions"))
    photo_url = f"/s/huguo/instructions/{instruction.id}/photos/1"
    assert photo_url in mine
    fetched = li.get(photo_url)
    assert (
        fetched.status_code == 200
        and fetched.mimetype == "image/jpeg"
        and "private" in fetched.headers["Cache-Control"]
    )
    assert li.get(photo_url + "?thumb=1").status_code == 200
    stranger = volunteer(app, "donghua", phone="13800000009")
    assert stranger.get(f"/s/donghua/instructions/{instruction.id}/photos/1").status_code == 404
