"""Search in the site's languages on both databases: accents folded, Arabic with or without
its vowel marks, Chinese and Japanese found by a word inside a sentence, German and Spanish
stemmed on PostgreSQL, and no crash or empty answer on any script."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from broadsheet.search.query import parse_query
from broadsheet.search.selectors import search_results
from broadsheet.search.text import indexed, joined, query_words
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)


def titles(text: str) -> list[str]:
    return [hit.heading for hit in search_results(text=text, page=1).hits]


def test_arabic_is_found_with_or_without_vowel_marks() -> None:
    PostFactory(title="المكتبة", body="كَتَبَ الشاعرُ قصيدةً عن البحر.", language="ar")
    PostFactory(title="Other", body="Nothing Arabic here.")
    assert titles("كتب") == ["المكتبة"]
    assert titles("كَتَبَ") == ["المكتبة"]
    assert titles("البحر") == ["المكتبة"]
    assert titles("ـالبحـر") == ["المكتبة"]  # tatweel, as some keyboards stretch words


def test_chinese_and_japanese_are_found_by_a_word_inside_a_sentence() -> None:
    PostFactory(title="东京大学的历史", body="我们在东京大学图书馆读书。", language="zh-Hans")
    PostFactory(title="灯台", body="日本の灯台守は毎晩記録をつけた。", language="ja")
    assert titles("东京") == ["东京大学的历史"]
    assert titles("图书馆") == ["东京大学的历史"]
    assert titles("灯台守") == ["灯台"]
    assert titles("記録") == ["灯台"]
    assert titles("京东") == []  # a phrase: the characters in their order


def test_cjk_results_are_shown_as_written_with_marks() -> None:
    PostFactory(title="东京大学的历史", body="我们在东京大学图书馆读书。")
    hit = search_results(text="东京", page=1).hits[0]
    assert (
        "<mark>东</mark><mark>京</mark>" in hit.title_html or "<mark>东京</mark>" in hit.title_html
    )
    assert " " not in str(hit.title_html).replace("<mark>", "").replace("</mark>", "")
    snippet = str(hit.snippet_html).replace("<mark>", "").replace("</mark>", "")
    assert "东京" in snippet and " " not in snippet


def test_korean_and_mixed_scripts() -> None:
    PostFactory(
        title="등대", body="서울 등대지기의 기록. Lighthouse keepers kept logs.", language="ko"
    )
    assert titles("등대지기") == ["등대"]
    assert titles("lighthouse") == ["등대"]


def test_german_and_spanish_accents_are_folded() -> None:
    PostFactory(title="Über Häfen", body="Die Leuchttürme der Küste.", language="de")
    PostFactory(title="Canción", body="La niña cantó en el puerto.", language="es")
    assert titles("kuste") == ["Über Häfen"]
    assert titles("uber") == ["Über Häfen"]
    assert titles("nina") == ["Canción"]
    assert titles("cancion") == ["Canción"]


@pytest.mark.parametrize(
    "text",
    ["ـــ", "ً", "中", "。", "、、", "한", "٣", "🙂", '"东京', "东京*", "-东京", "東" * 400, "ｱｲｳ"],
)
def test_any_script_is_a_valid_search(client: Client, text: str) -> None:
    PostFactory(title="東京", body="東京の港。٣ رجال.")
    response = client.get("/", {"s": text})
    assert response.status_code == 200


def test_the_folding_functions() -> None:
    assert indexed("كَتَبَ") == "كتب"
    assert indexed("东京大学 in Tokyo") == "东 京 大 学 in Tokyo"
    assert joined("东 \x02京\x03 大 学 in Tokyo") == "东\x02京\x03大学 in Tokyo"
    assert query_words("东京") == ("东", "京")
    assert query_words("tokyo") == ("tokyo",)
    assert parse_query("东京*").terms[0].words == ("东", "京")
    assert not parse_query("东京*").terms[0].prefix  # a phrase now, not a prefix


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's dictionaries")
def test_postgresql_stems_each_post_in_its_own_language() -> None:
    PostFactory(title="Häfen", body="Die Leuchttürme standen an den Küsten.", language="de")
    PostFactory(title="Puertos", body="Las canciones de los marineros.", language="es")
    assert titles("Küste") == ["Häfen"]  # german_stem: Küsten → küst
    assert titles("cancion") == ["Puertos"]  # spanish_stem: canciones → cancion


def test_a_post_in_an_unknown_language_is_still_found(settings: Any) -> None:
    PostFactory(title="Hafn", body="Vitar stóðu við ströndina.", language="non")
    assert titles("vitar") == ["Hafn"]


def test_the_migration_made_the_configurations_the_code_names() -> None:
    from importlib import import_module

    from broadsheet.search.dictionaries import SNOWBALL, configuration

    migration = import_module("broadsheet.search.migrations.0002_document_language")
    assert migration.SNOWBALL == SNOWBALL
    assert configuration("de-AT") == "broadsheet_german"
    assert configuration("en-GB") == configuration("") == "broadsheet_search"
    assert configuration("zh-Hans") == configuration("non") == "broadsheet_simple"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's configurations")
def test_every_configuration_exists_on_postgresql() -> None:
    from broadsheet.search.dictionaries import SNOWBALL, configuration

    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname LIKE 'broadsheet_%%'")
        found = {row[0] for row in cursor.fetchall()}
    assert {configuration(code) for code in [*SNOWBALL, "", "zh"]} <= found
