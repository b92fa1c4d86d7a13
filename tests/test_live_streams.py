"""Both live streams (instructions, incidents) and their poll fallbacks read where to resume one way."""

import pytest

from core.testing import post_form

STREAMS = ["/s/huguo/instructions/stream", "/s/huguo/incidents/stream"]
POLLS = ["/s/huguo/instructions.json", "/s/huguo/incidents/changes.json"]


@pytest.fixture
def member(client):
    form = {
        "name": "王芳",
        "phone": "13900002222",
        "password": "abcdefgh1",
        "occupation": "driver",
        "accept_oath": "yes",
        "oath_version": "2024-1",
    }
    assert post_form(client, "/s/huguo/register", form).status_code == 302
    return client


@pytest.mark.parametrize("url", STREAMS)
@pytest.mark.parametrize("header", ["abc", "-1", "1e3", "１２", "9" * 13])
def test_a_last_event_id_that_is_not_a_number_is_a_400_naming_it(member, url, header):
    answer = member.get(url, headers={"Last-Event-ID": header})
    assert answer.status_code == 400
    assert "Last-Event-ID" in answer.get_data(as_text=True)


@pytest.mark.parametrize("url", STREAMS + POLLS)
def test_an_after_that_is_not_a_number_is_a_400_naming_it(member, url):
    answer = member.get(f"{url}?after=x")
    assert answer.status_code == 400
    assert "after" in answer.get_data(as_text=True)


@pytest.mark.parametrize("url", STREAMS)
def test_the_header_of_a_reconnect_wins_over_the_pages_after(member, url):
    # a bad ?after= is not even read when the header names where to resume
    answer = member.get(f"{url}?after=x", headers={"Last-Event-ID": "0"}, buffered=False)
    try:
        assert answer.status_code == 200
        assert answer.mimetype == "text/event-stream"
    finally:
        answer.close()
