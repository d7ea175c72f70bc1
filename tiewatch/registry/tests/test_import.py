"""`tiewatch import`: every bundle format, every kind of bad input (reported as `file:line: field:
message`, with nothing written), idempotent re-imports and audited updates."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tiewatch.cli import main
from tiewatch.core.errors import ValidationFailed
from tiewatch.core.records import ENTITY_KINDS
from tiewatch.registry.exporters import bundle_dict
from tiewatch.registry.importers import import_bundle
from tiewatch.registry.models import ChangeRecord, Entity, Jurisdiction, Source, Tie, TieCounterpart

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_SEED = Path(__file__).parents[1] / "demo" / "seed.yaml"
FORMATS = {
    "yaml": FIXTURES / "bundle.yaml",
    "json": FIXTURES / "bundle.json",
    "jsonl": FIXTURES / "bundle.jsonl",
    "csv": FIXTURES / "csv",
}
DURHAM = "us-nc-durham-police-department"
EXCHANGE = "us-nc-durham-police-department--il-israel-police--2018"
TRAINING = "us-nc-durham-police-department--program-example-exchange--2009-2011"
DELEGATION = "us-nc-durham-police-department--unknown--2015"


def table_counts() -> dict[str, int]:
    """Rows in every table an import may write."""
    return {
        "entity": Entity.objects.count(), "tie": Tie.objects.count(), "source": Source.objects.count(),
        "jurisdiction": Jurisdiction.objects.count(), "counterpart": TieCounterpart.objects.count(),
        "tie_sources": Tie.sources.through.objects.count(),
        "entity_sources": Entity.sources.through.objects.count(), "changes": ChangeRecord.objects.count(),
    }


def everything() -> dict[str, Any]:
    return bundle_dict(Entity.objects.all(), Tie.objects.all(), Source.objects.all())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def loaded(db: Any) -> dict[str, int]:
    """The fixture bundle imported; returns the table counts after it."""
    import_bundle([FORMATS["yaml"]], actor="tests")
    return table_counts()


def failing(paths: list[Path]) -> list[str]:
    """Import expecting failure; the problems as the CLI prints them."""
    with pytest.raises(ValidationFailed) as caught:
        import_bundle(paths)
    assert caught.value.message.endswith("nothing was written")
    return caught.value.lines()


# --- valid bundles -------------------------------------------------------------------------------

def test_yaml_bundle_is_imported_with_everything_it_says(db: Any) -> None:
    result = import_bundle([FORMATS["yaml"]], actor="tests")
    assert {t: (c.created, c.updated, c.unchanged) for t, c in result.counts.items()} == {
        "sources": (3, 0, 0), "entities": (5, 0, 0), "ties": (3, 0, 0)}
    exchange = Tie.objects.get(pk=EXCHANGE)
    assert (exchange.start_date.isoformat(), exchange.end_date.isoformat()) == ("2018-12-02", "2018-12-11")
    assert exchange.when == "2018-12-02 – 2018-12-11" and exchange.attributes == {"participants": 3}
    assert (exchange.year_from, exchange.year_to, exchange.counterpart_countries) == (2018, 2018, "IL")
    training = Tie.objects.get(pk=TRAINING)
    assert training.years == [2009, 2011] and (training.year_from, training.year_to) == (2009, 2011)
    assert [link.entity_id for link in training.counterpart_links.all()] == ["il-israel-police",
                                                                            "il-israel-defense-forces"]
    assert training.program_id == "program-example-exchange"
    # A source cited by URL only gets a stable id derived from the URL.
    assert list(training.sources.values_list("id", "url")) == [
        ("src-c5484107c5b2", "https://archive.example.org/exchange-2009")]
    delegation = Tie.objects.get(pk=DELEGATION)
    assert delegation.when == "2015-06" and delegation.start_precision == "month"
    assert not delegation.published and delegation.uncertain
    assert delegation.counterpart_countries == "IL" and not delegation.counterpart_links.exists()
    durham = Entity.objects.get(pk=DURHAM)
    assert durham.aliases == ["DPD", "Durham PD"] and durham.search_text == "durham police department | dpd | durham pd"
    program = Entity.objects.get(pk="program-example-exchange")
    assert program.parent_id == "us-example-league"
    assert program.extra == {"sponsor": "us-example-league", "years_active": "2002 to present"}
    # The jurisdiction and its ancestors are created.
    assert list(Jurisdiction.objects.values_list("id", "name")) == [
        ("ocd-division/country:us", "United States"),
        ("ocd-division/country:us/state:nc", "North Carolina"),
        ("ocd-division/country:us/state:nc/place:durham", "Durham")]
    # Every created record is audited.
    assert ChangeRecord.objects.filter(action="import", actor="tests", before__isnull=True).count() == 11
    record = ChangeRecord.objects.get(model="tie", object_id=EXCHANGE)
    assert record.after["sources"] == ["src-herald-2018"] and record.after["start"] == "2018-12-02"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_every_format_imports_the_same_records(db: Any, fmt: str) -> None:
    import_bundle([FORMATS["yaml"]])
    expected, counts = everything(), table_counts()
    for model in (TieCounterpart, Tie.sources.through, Tie, Entity.sources.through, Entity, Source, ChangeRecord):
        model.objects.all().delete()
    result = import_bundle([FORMATS[fmt]])
    assert result.notices == []
    assert everything() == expected
    assert table_counts() == counts


@pytest.mark.parametrize("fmt", ["yaml", "json", "jsonl", "csv"])
def test_reimporting_the_same_bundle_changes_nothing(loaded: dict[str, int], fmt: str) -> None:
    before = everything()
    result = import_bundle([FORMATS[fmt]])
    assert result.changed == 0
    assert {t: c.unchanged for t, c in result.counts.items()} == {"sources": 3, "entities": 5, "ties": 3}
    assert table_counts() == loaded  # no new ChangeRecords either
    assert everything() == before


def test_an_edited_bundle_updates_exactly_the_changed_record(loaded: dict[str, int], tmp_path: Path) -> None:
    text = FORMATS["yaml"].read_text().replace("note: Two groups of officers.", "note: Three groups of officers.")
    text = text.replace("  years: [2009, 2011]", "  years: [2009, 2010, 2011]")
    edited = write(tmp_path, "edited.yaml", text)
    result = import_bundle([edited], actor="editor-bot")
    assert {t: (c.created, c.updated) for t, c in result.counts.items()} == {
        "sources": (0, 0), "entities": (0, 0), "ties": (0, 1)}
    assert table_counts() == {**loaded, "changes": loaded["changes"] + 1}
    record = ChangeRecord.objects.get(action="import", actor="editor-bot")
    assert (record.model, record.object_id) == ("tie", TRAINING)
    assert record.changed_fields() == [
        ("note", "Two groups of officers.", "Three groups of officers."),
        ("years", [2009, 2011], [2009, 2010, 2011]),
    ]
    tie = Tie.objects.get(pk=TRAINING)
    assert tie.note == "Three groups of officers." and tie.years == [2009, 2010, 2011]


def test_changed_links_are_replaced_and_audited(loaded: dict[str, int], tmp_path: Path) -> None:
    text = FORMATS["yaml"].read_text().replace(
        "  counterparts: [il-israel-police, il-israel-defense-forces]", "  counterparts: [il-israel-defense-forces]")
    import_bundle([write(tmp_path, "edited.yaml", text)])
    tie = Tie.objects.get(pk=TRAINING)
    assert [link.entity_id for link in tie.counterpart_links.all()] == ["il-israel-defense-forces"]
    record = ChangeRecord.objects.filter(object_id=TRAINING).first()
    assert record.changed_fields() == [
        ("counterparts", ["il-israel-police", "il-israel-defense-forces"], ["il-israel-defense-forces"])]
    assert table_counts()["counterpart"] == loaded["counterpart"] - 1


def test_a_bundle_may_refer_to_records_already_in_the_database(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "more.yaml", f"""
        ties:
        - id: {DURHAM}--il-israel-police--2019
          subject: {DURHAM}
          counterparts: [il-israel-police]
          kind: conference
          date: 2019
          sources: [src-herald-2018]
        """)
    result = import_bundle([path])
    assert result.counts["ties"].created == 1
    assert Tie.objects.get(pk=f"{DURHAM}--il-israel-police--2019").when == "2019"


def test_dry_run_validates_and_writes_nothing(db: Any) -> None:
    result = import_bundle([FORMATS["yaml"]], dry_run=True)
    assert result.dry_run and result.counts == {}
    assert set(table_counts().values()) == {0}


def test_foreign_sections_of_the_shared_seed_are_skipped_with_a_notice(db: Any) -> None:
    result = import_bundle([DEMO_SEED])
    assert f"{DEMO_SEED}: skipped section 'policies' (not registry data)" in result.notices
    assert Tie.objects.count() > 10 and not import_bundle([DEMO_SEED]).changed


# --- bad input: exact problems, nothing written ---------------------------------------------------

def test_bad_yaml(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", """
        entities:
        - id: a
          name: [unclosed
          kind: sheriff
        """)
    assert failing([path]) == [f"{path}:4: invalid YAML: did not find expected ',' or ']'"]
    assert table_counts() == loaded


def test_bad_json(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", """
        {"entities": [
          {"id": "a", "name": "A", "kind": "sheriff",}
        ]}
        """)
    assert failing([path]) == [f"{path}:2: invalid JSON: Expecting property name enclosed in double quotes"]
    assert table_counts() == loaded


def test_bad_json_lines_name_the_line(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", """
        {"type": "entities", "id": "ok-entity", "name": "OK", "kind": "sheriff"}
        {"type": "entities", "id": "broken"
        {"id": "no-type", "name": "X", "kind": "sheriff"}
        """)
    assert failing([path]) == [
        f"{path}:2: invalid JSON: Expecting ',' delimiter",
        f'{path}:3: type: each line needs "type": one of entities, ties, sources',
    ]
    assert table_counts() == loaded


def test_unknown_kinds(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "kinds.yaml", f"""
        entities:
        - id: new-agency
          name: New Agency
          kind: police_agncy
        ties:
        - id: new-tie
          subject: {DURHAM}
          counterparts: [il-israel-police]
          kind: trainnig
          status: rumoured
          sources: [src-herald-2018]
        """)
    assert failing([path]) == [
        (f"{path}:2: kind: unknown value 'police_agncy' (did you mean 'police_agency'?); "
        f"expected one of: {', '.join(ENTITY_KINDS)}"),
        (f"{path}:6: kind: unknown value 'trainnig' (did you mean 'training'?); expected one of: exchange, training, "
        "delegation, conference, partnership, funding, equipment_transfer, arms_transfer, procurement"),
        (f"{path}:6: status: unknown value 'rumoured'; expected one of: planned, reported, confirmed, disputed, "
        "cancelled"),
    ]
    assert table_counts() == loaded


def test_unknown_fields_suggest_the_right_name(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "fields.yaml", f"""
        ties:
        - id: new-tie
          subject: {DURHAM}
          counterparts: [il-israel-police]
          kind: training
          date: 2020
          soruces: [src-herald-2018]
        entities:
        - id: new-entity
          name: New
          kind: sheriff
          alias: [N]
          colour: blue
        """)
    assert failing([path]) == [
        f"{path}:2: soruces: unknown field (did you mean 'sources'?)",
        f"{path}:2: sources: a tie needs at least one source",
        f"{path}:9: alias: unknown field (did you mean 'aliases'?)",
        f"{path}:9: colour: unknown field (did you mean 'country'?)",
    ]
    assert table_counts() == loaded


def test_a_tie_needs_a_source_and_a_counterpart(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "unsourced.yaml", f"""
        ties:
        - id: unsourced
          subject: {DURHAM}
          kind: training
          date: 2020
          sources: []
        """)
    assert failing([path]) == [
        (f"{path}:2: counterparts: a tie needs at least one counterpart (or a counterpart_country when the "
        "foreign party is not known)"),
        f"{path}:2: sources: a tie needs at least one source",
    ]
    assert table_counts() == loaded


def test_dangling_ids(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "dangling.yaml", """
        entities:
        - id: new-program
          name: New Program
          kind: program
          parent: us-example-leauge
        ties:
        - id: dangling
          subject: us-nc-durham-police-dept
          counterparts: [il-israel-police, xx-nobody]
          program: new-program
          kind: training
          date: 2020
          sources: [src-herald-2018, src-missing]
        """)
    assert failing([path]) == [
        f"{path}:2: parent: unknown entity id 'us-example-leauge'",
        f"{path}:7: subject: unknown entity id 'us-nc-durham-police-dept'",
        f"{path}:7: counterparts: unknown entity id 'xx-nobody'",
        f"{path}:7: sources: unknown source id 'src-missing'",
    ]
    assert table_counts() == loaded


def test_dangling_ids_suggest_ids_in_the_bundle(db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "typo.yaml", """
        entities:
        - id: us-nc-durham-police-department
          name: Durham Police Department
          kind: police_agency
        ties:
        - id: typo
          subject: us-nc-durham-police-departmnt
          counterpart_country: IL
          kind: training
          date: 2020
          sources: [https://example.org/a]
        """)
    assert failing([path]) == [
        (f"{path}:6: subject: unknown entity id 'us-nc-durham-police-departmnt' "
        "(did you mean 'us-nc-durham-police-department'?)")]
    assert set(table_counts().values()) == {0}


def test_bad_dates(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "dates.yaml", f"""
        ties:
        - {{id: d1, subject: {DURHAM}, counterparts: [il-israel-police], kind: training, sources: [src-herald-2018],
            date: 2018-13-01}}
        - {{id: d2, subject: {DURHAM}, counterparts: [il-israel-police], kind: training, sources: [src-herald-2018],
            dates: 2018-12-11/2018-12-02}}
        - {{id: d3, subject: {DURHAM}, counterparts: [il-israel-police], kind: training, sources: [src-herald-2018],
            date: 2018-02-30}}
        - {{id: d4, subject: {DURHAM}, counterparts: [il-israel-police], kind: training, sources: [src-herald-2018],
            years: [2009, soon]}}
        - {{id: d5, subject: {DURHAM}, counterparts: [il-israel-police], kind: training, sources: [src-herald-2018],
            date: 2018, years: [2018]}}
        sources:
        - {{id: s1, url: "https://example.org/s1", published_on: 2018-04}}
        """)
    assert failing([path]) == [
        f"{path}:2: date: month out of range in '2018-13-01'",
        f"{path}:4: dates: range ends before it starts: '2018-12-11/2018-12-02'",
        f"{path}:6: date: no such day: '2018-02-30'",
        f"{path}:8: years: expected a list of years like [2009, 2010], got 'soon'",
        f"{path}:10: years: give only one of date, dates, years (also has date)",
        f"{path}:13: sources.published_on: needs a full date YYYY-MM-DD",
    ]
    assert table_counts() == loaded


def test_duplicate_ids(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "dupes.json", """
        {"entities": [
          {"id": "twin", "name": "Twin", "kind": "sheriff"},
          {"id": "other", "name": "Other", "kind": "sheriff"},
          {"id": "twin", "name": "Twin again", "kind": "sheriff"}
        ]}
        """)
    assert failing([path]) == [f"{path}:4: id: duplicate id 'twin' (first defined at line 2)"]
    assert table_counts() == loaded


def test_duplicate_ids_across_files(loaded: dict[str, int], tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", "entities:\n- {id: twin, name: Twin, kind: sheriff}\n")
    second = write(tmp_path, "b.yaml", "entities:\n- {id: twin, name: Twin, kind: sheriff}\n")
    assert failing([tmp_path]) == [f"{second}:2: id: duplicate id 'twin' (first defined at {first}:2)"]
    assert table_counts() == loaded


def test_invalid_values(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "values.yaml", """
        entities:
        - id: Bad Id
          name: ""
          kind: sheriff
          country: XY
          jurisdiction: durham
          uncertain: maybe
        sources:
        - id: s2
          url: not-a-url
        """)
    assert failing([path]) == [
        f"{path}:2: country: unknown ISO 3166-1 alpha-2 code 'XY'",
        (f"{path}:2: jurisdiction: not an Open Civic Data division id: 'durham' "
        "(expected e.g. ocd-division/country:us/state:nc/place:durham)"),
        f"{path}:2: id: 'Bad Id' is not a valid id: use lower-case letters, digits and - _ .",
        f"{path}:2: name: required",
        f"{path}:2: uncertain: expected true or false, got 'maybe'",
        f"{path}:9: sources.url: not a valid http(s) URL: 'not-a-url'",
    ]
    assert table_counts() == loaded


def test_problems_in_several_files_are_all_reported(loaded: dict[str, int], tmp_path: Path) -> None:
    good = write(tmp_path, "1-good.yaml", "entities:\n- {id: fine, name: Fine, kind: sheriff}\n")
    bad = write(tmp_path, "2-bad.jsonl", '{"type": "entities", "id": "x", "name": "X", "kind": "nope"}\n')
    problems = failing([good, bad, tmp_path / "missing.yaml", FIXTURES / "README.txt"])
    assert problems[:2] == [f"{tmp_path / 'missing.yaml'}: no such file or folder",
                            f"{FIXTURES / 'README.txt'}: no such file or folder"]
    assert problems[2].startswith(f"{bad}:1: kind: unknown value 'nope'; expected one of: police_agency")
    assert not Entity.objects.filter(pk="fine").exists() and table_counts() == loaded


def test_unsupported_file_type(db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "bundle.txt", "hello")
    assert failing([path]) == [f"{path}: unsupported file type .txt; expected one of .yaml, .yml, .json, .jsonl, .csv"]


def test_csv_with_an_unknown_column_is_a_notice_not_an_error(loaded: dict[str, int], tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    shutil.copytree(FORMATS["csv"], folder)
    entities = folder / "entities.csv"
    lines = entities.read_text().splitlines()
    entities.write_text("\n".join([lines[0] + ",colour,aliass"] + [line + ",blue," for line in lines[1:]]) + "\n")
    result = import_bundle([folder])
    assert result.notices == [f"{entities}: unused column 'colour' (did you mean 'country'?)",
                              f"{entities}: unused column 'aliass' (did you mean 'aliases'?)"]
    assert result.changed == 0 and table_counts() == loaded


def test_csv_problems_name_the_row_line(loaded: dict[str, int], tmp_path: Path) -> None:
    path = write(tmp_path, "new-ties.csv", f"""
        id,subject,counterparts,kind,date,sources
        ok-tie,{DURHAM},il-israel-police,training,2020,src-herald-2018
        bad-tie,{DURHAM},il-israel-police,training,2020-1,src-herald-2018
        extra-tie,{DURHAM},il-israel-police,training,2020,src-herald-2018,surplus
        """)
    assert failing([path]) == [
        f"{path}:4: more values than header columns",
        f"{path}:3: date: expected a date like 2018, 2018-04 or 2018-04-16, got '2020-1'",
    ]
    assert table_counts() == loaded


def test_csv_file_name_must_tell_the_record_type(db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "things.csv", "id,name\na,A\n")
    assert failing([path]) == [(f"{path}: cannot tell the record type: a CSV file's name must contain "
                               "'entities', 'ties' or 'sources'")]


def test_a_file_over_the_size_limit_is_refused(loaded: dict[str, int], settings: Any) -> None:
    settings.TIEWATCH_IMPORT_MAX_BYTES = 100
    size = FORMATS["yaml"].stat().st_size
    assert failing([FORMATS["yaml"]]) == [
        (f"{FORMATS['yaml']}: file is {size:,} bytes, over the import limit of 100 (TIEWATCH_IMPORT_MAX_BYTES); "
        "split it or raise the limit")]
    assert table_counts() == loaded


def test_unknown_section(db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "sections.yaml", "entites:\n- {id: a, name: A, kind: sheriff}\n")
    assert failing([path]) == [f"{path}:1: entites: unknown section (did you mean 'entities'?)"]


def test_non_utf8_text(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("entities:\n- id: a\n  name: Caf\xe9\n  kind: sheriff\n".encode("latin-1"))
    assert failing([path]) == [f"{path}:3: not UTF-8 text (invalid continuation byte)"]


def test_attributes_must_be_plain_values(db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "attrs.yaml", """
        entities:
        - {id: a, name: A, kind: sheriff}
        ties:
        - id: t
          subject: a
          counterpart_country: IL
          kind: training
          date: 2020
          attributes: {signed_on: 2020-01-02, seats: 3}
          sources: [https://example.org/t]
        """)
    import_bundle([path])
    assert Tie.objects.get(pk="t").attributes == {"signed_on": "2020-01-02", "seats": 3, "counterpart_country": "IL"}
    assert not import_bundle([path]).changed


# --- the command line -------------------------------------------------------------------------------

def test_cli_import_prints_counts_and_exits_0(db: Any, capsys: Any) -> None:
    assert main(["import", str(FORMATS["yaml"]), "--quiet", "--actor", "cli-test"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["sources: 3 created, 0 updated, 0 unchanged",
                                "entities: 5 created, 0 updated, 0 unchanged",
                                "ties: 3 created, 0 updated, 0 unchanged"]
    assert set(ChangeRecord.objects.values_list("actor", flat=True)) == {"cli-test"}
    assert main(["import", str(FORMATS["jsonl"]), "--quiet"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "ties: 0 created, 0 updated, 3 unchanged"


def test_cli_import_problems_exit_1(loaded: dict[str, int], tmp_path: Path, capsys: Any) -> None:
    path = write(tmp_path, "bad.yaml", f"""
        ties:
        - id: cli-bad
          subject: {DURHAM}
          counterparts: [il-israel-police]
          kind: training
          date: 2020
        """)
    assert main(["import", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [f"{path}:2: sources: a tie needs at least one source",
                                         "error: 1 problem found; nothing was written"]
    assert table_counts() == loaded


def test_cli_import_dry_run_and_notices(db: Any, tmp_path: Path, capsys: Any) -> None:
    path = write(tmp_path, "sources.csv", "id,url,colour\ns1,https://example.org/1,red\n")
    assert main(["import", str(path), "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "valid: 1 file(s); nothing written (--dry-run)\n"
    assert captured.err == f"note: {path}: unused column 'colour'\n"
    assert not Source.objects.exists()


def test_cli_usage_errors_exit_2(db: Any, capsys: Any) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["import"])
    assert caught.value.code == 2
    assert "the following arguments are required: PATH" in capsys.readouterr().err


def test_cli_missing_file_exits_1(db: Any, tmp_path: Path, capsys: Any) -> None:
    assert main(["import", str(tmp_path / "nope.yaml")]) == 1
    assert capsys.readouterr().err.splitlines() == [f"{tmp_path / 'nope.yaml'}: no such file or folder",
                                                    "error: 1 problem found; nothing was written"]


def test_json_records_are_located_by_their_own_line(db: Any, tmp_path: Path) -> None:
    """Records are located by position, not by id: the same id in two sections is told apart."""
    path = write(tmp_path, "lines.json", json.dumps({
        "entities": [{"id": "same", "name": "Same", "kind": "sheriff"}],
        "sources": [{"id": "same", "url": "nope"}],
    }, indent=1))
    assert failing([path]) == [f"{path}:10: sources.url: not a valid http(s) URL: 'nope'"]


def test_a_changed_country_updates_the_ties_that_name_the_entity(loaded: dict[str, int], tmp_path: Path) -> None:
    """Ties keep their counterparts' countries denormalised for the country filter."""
    assert Tie.objects.get(pk=EXCHANGE).counterpart_countries == "IL"
    text = FORMATS["yaml"].read_text().replace(
        "  name: Israel Police\n  kind: foreign_police\n  country: IL", "  name: Israel Police\n  kind: foreign_police\n  country: PS")
    result = import_bundle([write(tmp_path, "moved.yaml", text)])
    assert (result.counts["entities"].updated, result.counts["ties"].updated) == (1, 0)
    assert Tie.objects.get(pk=EXCHANGE).counterpart_countries == "PS"
    # Its other counterpart, the Israel Defense Forces (IL), is a draft: the filter leaves it out.
    assert Tie.objects.get(pk=TRAINING).counterpart_countries == "PS"
    assert Tie.objects.get(pk=DELEGATION).counterpart_countries == "IL"


# --- counterpart_country --------------------------------------------------------------------------

@pytest.mark.parametrize("value, problem", [
    ("{a: 1}", "expected a two-letter ISO 3166-1 country code, got dict"),
    ("'<script>'", "unknown ISO 3166-1 alpha-2 code '<script>'"),
    ("[IL, 5]", "expected a two-letter ISO 3166-1 country code, got list"),
    ("ZZ", "unknown ISO 3166-1 alpha-2 code 'ZZ'"),
])
def test_counterpart_country_must_be_a_country_code(db: Any, tmp_path: Path, value: str, problem: str) -> None:
    path = write(tmp_path, "country.yaml", f"""
        entities:
        - {{id: a, name: A, kind: sheriff}}
        ties:
        - id: t
          subject: a
          counterpart_country: {value}
          kind: training
          date: 2020
          sources: [https://example.org/t]
        - id: u
          subject: a
          kind: training
          date: 2021
          attributes: {{counterpart_country: {value}}}
          sources: [https://example.org/u]
        """)
    assert failing([path]) == [f"{path}:4: counterpart_country: {problem}",
                               f"{path}:10: attributes.counterpart_country: {problem}"]
    assert not Tie.objects.exists()


def test_counterpart_country_in_a_csv_column_is_checked(db: Any, tmp_path: Path) -> None:
    entities = write(tmp_path, "entities.csv", "id,name,kind\na,A,sheriff\n")
    ties = write(tmp_path, "ties.csv", "id,subject,kind,date,sources,attr.counterpart_country\n"
                                       "t,a,training,2020,https://example.org/t,<script>\n")
    assert failing([entities, ties]) == [
        f"{ties}:2: attributes.counterpart_country: unknown ISO 3166-1 alpha-2 code '<script>'"]


def test_counterpart_country_is_stored_upper_case(db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "lower.yaml", """
        entities:
        - {id: a, name: A, kind: sheriff}
        ties:
        - {id: t, subject: a, counterpart_country: il, kind: training, date: 2020, sources: [https://example.org/t]}
        """)
    import_bundle([path])
    tie = Tie.objects.get(pk="t")
    assert tie.attributes == {"counterpart_country": "IL"} and tie.counterpart_countries == "IL"


def test_entity_country_is_two_letters(db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "region.yaml", """
        entities:
        - {id: a, name: A, kind: sheriff, country: GB-SCT}
        - {id: b, name: B, kind: sheriff, country: zz}
        """)
    assert failing([path]) == [f"{path}:2: country: unknown ISO 3166-1 alpha-2 code 'GB-SCT'",
                               f"{path}:3: country: unknown ISO 3166-1 alpha-2 code 'ZZ'"]
