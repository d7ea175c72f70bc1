"""Screening reasons as the pages show them: the engine's one-line readings ("subject within
ocd-division/...", "['tracked_armored_vehicle']") worded for people by the `reason_words` filter."""

from __future__ import annotations

import re

from django.template import Context, Template

from tiewatch.registry.templatetags.plain_words import reason_words

SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


def test_places_read_by_name() -> None:
    assert reason_words("subject within ocd-division/country:us/state:nc") == "subject within North Carolina"
    assert reason_words("counterpart within ocd-division/country:us/state:nc/place:durham; kind is exchange") == (
        "counterpart within Durham; kind is exchange")


def test_vocabulary_and_lists_as_words() -> None:
    worded = reason_words("attribute category contains one of ['tracked_armored_vehicle', 'grenade_launcher']")
    assert worded == "attribute category contains one of tracked armored vehicle, grenade launcher"
    assert not SNAKE.search(reason_words("counterpart il-idf is a foreign_military (one of ['foreign_military'])"))


def test_plain_reasons_unchanged_and_escaped_in_templates() -> None:
    assert reason_words("kind is exchange") == "kind is exchange"
    html = Template("{% load plain_words %}{{ r|reason_words }}").render(Context({"r": "<b>x_y</b>"}))
    assert html == "&lt;b&gt;x y&lt;/b&gt;"


def test_dates_and_periods_in_reasons_as_words() -> None:
    reason = "dated 2016-10-31..…, beginning within the rule's time in force 2015-10-01..2017-08-27"
    assert reason_words(reason) == ("dated from 31 October 2016 on, beginning within the rule's time in force "
                                    "from 1 October 2015 to 27 August 2017")
    assert reason_words("adopted 2018-04-16") == "adopted 16 April 2018"


def test_attribute_values_as_words() -> None:
    from tiewatch.registry.templatetags.plain_words import value_words

    assert value_words(["wheeled_armored_vehicle", "mrap"]) == "wheeled armored vehicle, mrap"
    assert value_words("2021-03-31") == "31 March 2021"
    # Names, codes and amounts keep their recorded form.
    assert value_words("2355-01-553-4634") == "2355-01-553-4634"
    assert value_words("AllStatesAndTerritories_03312021.xlsx") == "AllStatesAndTerritories_03312021.xlsx"
    assert value_words(658000.0) == "658000.0"
