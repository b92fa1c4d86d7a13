"""Chinese first, English by a switch; every catalogue complete and compiled."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[1]
CATALOGUE_DIRS = [REPO / "core", REPO / "plugins" / "night_patrol", REPO / "plugins" / "school_guardian"]
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _po(source_dir):
    with open(source_dir / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po", "rb") as po_file:
        return read_po(po_file)


@pytest.mark.parametrize("source_dir", CATALOGUE_DIRS, ids=lambda d: d.name)
def test_every_message_in_the_source_has_a_chinese_translation(source_dir):
    catalogue = _po(source_dir)
    extracted = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(source_dir), METHODS, keywords=KEYWORDS)
    }
    untranslated = sorted(m for m in extracted if not (catalogue.get(m) and catalogue.get(m).string))
    assert extracted, "no messages were extracted at all"
    assert untranslated == []


@pytest.mark.parametrize("source_dir", CATALOGUE_DIRS, ids=lambda d: d.name)
def test_compiled_catalogue_matches_its_po_file(source_dir):
    with open(source_dir / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.mo", "rb") as mo_file:
        compiled = {m.id: m.string for m in read_mo(mo_file) if m.id}
    assert compiled == {m.id: m.string for m in _po(source_dir) if m.id}


def test_pages_are_chinese_by_default_and_english_on_request(client):
    chinese = client.get("/s/huguo/login").get_data(as_text=True)
    assert "手机号码" in chinese and 'lang="zh-CN"' in chinese
    english = client.get("/s/huguo/login?lang=en").get_data(as_text=True)
    assert "Mobile number" in english and 'lang="en"' in english


def test_language_choice_sticks_for_the_session(client):
    client.get("/?lang=en")
    assert "Stations" in client.get("/").get_data(as_text=True)
    client.get("/?lang=zh")
    assert "派出所" in client.get("/").get_data(as_text=True)


def test_plugin_pages_and_labels_follow_the_language(client):
    assert "今晚夜巡" in client.get("/s/donghua/night-patrol/").get_data(as_text=True)
    english = client.get("/s/donghua/night-patrol/?lang=en").get_data(as_text=True)
    assert "Tonight&#39;s patrol" in english and "Bar alliance commitments" in english
    assert "Night patrol" in client.get("/s/donghua/").get_data(as_text=True)
