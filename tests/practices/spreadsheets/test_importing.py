"""Import of practices: planning, applying, the edit history and import_practices."""

import io
import re
from io import StringIO

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from contacts.models import Contact
from organisations.models import Organisation
from practices.models import Collection, Practice, PracticeOrganisation
from practices.spreadsheets.export import example_row, practice_rows, write_csv, write_xlsx
from practices.spreadsheets.importing import apply_import, plan_import
from practices.spreadsheets.reading import HEADINGS, read_table

KEYS = list(HEADINGS)


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", stdout=StringIO())


@pytest.fixture
def importer(db):
    return get_user_model().objects.create_superuser(
        "tuoja", "tuoja@example.fi", "a-long-password-1"
    )


def _xlsx(rows):
    file = io.BytesIO()
    write_xlsx(rows, file)
    return file.getvalue()


def _table(content, name="practices.xlsx"):
    return read_table(io.BytesIO(content), filename=name)


def _row(**cells):
    row = dict(zip(KEYS, example_row(), strict=True))
    row.update(cells)
    return [row[key] for key in KEYS]


def _import(content, user, name="practices.xlsx"):
    plan = plan_import(_table(content, name))
    return plan, apply_import(plan, user=user)


def test_example_row_creates_one_practice_with_everything(reference_data, importer):
    plan, result = _import(_xlsx([example_row()]), importer)

    assert plan.errors == []
    assert [row.action for row in plan.rows] == ["new"]
    # The reference data has no organisations: the owner is created and reported.
    assert plan.new_organisations == ["Länsi-Uudenmaan hyvinvointialue"]
    assert plan.new_collections == ["Tulevaisuuden sosiaali- ja terveyskeskus Länsi-Uusimaa"]
    assert result.applied and result.created == 1
    practice = Practice.objects.get()
    assert practice.name_fi == "Ikäihmisten asiakasraati"
    assert practice.slug == "ikaihmisten-asiakasraati"
    assert practice.status == Practice.Status.DRAFT
    assert practice.content_language == "fi"
    assert practice.start_year == 2021
    assert practice.source_url == "https://www.lohja.fi/"
    assert practice.stage.name_fi == "Vakiintunut käytäntö"
    assert sorted(practice.themes.values_list("name_fi", flat=True)) == [
        "Ikääntyneet",
        "Osallisuus",
    ]
    assert sorted(practice.municipalities.values_list("name_fi", flat=True)) == ["Lohja", "Vihti"]
    assert list(practice.regions.values_list("name_fi", flat=True)) == ["Uusimaa"]
    assert practice.funders.count() == 2
    assert practice.collection.name_fi == "Tulevaisuuden sosiaali- ja terveyskeskus Länsi-Uusimaa"
    role = practice.organisation_roles.get()
    assert role.organisation.name_fi == "Länsi-Uudenmaan hyvinvointialue"
    assert role.role == PracticeOrganisation.Role.OWNER
    contact = practice.contacts.get()
    assert (contact.name, contact.title_fi, contact.email) == (
        "Taru Rahkama",
        "Asiakkuuspäällikkö",
        "taru.rahkama@lohja.fi",
    )
    # The search finds the imported practice.
    assert practice.search_document.name_terms


def test_reimporting_the_same_file_changes_nothing(reference_data, importer):
    content = _xlsx([example_row(), _row(name="Toinen malli", organisations="Uusi yhdistys ry")])
    _import(content, importer)
    counts = (Practice.objects.count(), Organisation.objects.count(), Contact.objects.count())
    history = LogEntry.objects.count()

    plan, result = _import(content, importer)

    assert [row.action for row in plan.rows] == ["unchanged", "unchanged"]
    assert plan.new_organisations == [] and plan.new_collections == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert counts == (
        Practice.objects.count(),
        Organisation.objects.count(),
        Contact.objects.count(),
    )
    assert LogEntry.objects.count() == history


def test_export_then_import_round_trips_without_changes(reference_data, importer):
    _import(
        _xlsx(
            [
                _row(
                    status="Julkaistu",
                    content_language="sv",
                    contacts="Taru Rahkama (Asiakkuuspäällikkö) <taru.rahkama@lohja.fi>; "
                    "Pekka Puhelin",
                    organisations="Länsi-Uudenmaan hyvinvointialue; Lohjan kaupunki",
                    solution="=1+1 ei ole kaava\nvaan teksti",
                )
            ]
        ),
        importer,
    )
    practice = Practice.objects.get()
    assert practice.solution_fi == "=1+1 ei ole kaava\nvaan teksti"
    exported = list(practice_rows(Practice.objects.all()))
    assert all(cell for cell in exported[0][1:]), "every column is filled"

    for content, name in ((_xlsx(exported), "out.xlsx"), (_csv(exported), "out.csv")):
        plan = plan_import(_table(content, name))
        assert plan.errors == []
        assert [row.action for row in plan.rows] == ["unchanged"], plan.rows[0].changes


def _csv(rows):
    file = io.BytesIO()
    write_csv(rows, file)
    return file.getvalue()


def test_changed_cell_is_a_field_difference_and_is_applied(reference_data, importer):
    _import(_xlsx([example_row()]), importer)
    practice = Practice.objects.get()
    rows = list(practice_rows(Practice.objects.all()))
    rows[0][KEYS.index("summary")] = "Uusi kuvaus."
    rows[0][KEYS.index("municipalities")] = "Lohja"

    plan, result = _import(_xlsx(rows), importer)

    assert [row.action for row in plan.rows] == ["updated"]
    changes = {change.label: (change.old, change.new) for change in plan.rows[0].changes}
    assert changes == {
        "Lyhyt kuvaus": (practice.summary_fi, "Uusi kuvaus."),
        "Kunnat": ("Lohja; Vihti", "Lohja"),
    }
    assert result.updated == 1
    practice.refresh_from_db()
    assert practice.summary_fi == "Uusi kuvaus."
    assert list(practice.municipalities.values_list("name_fi", flat=True)) == ["Lohja"]
    entry = LogEntry.objects.get(action_flag=CHANGE)
    assert entry.user == importer
    assert entry.object_id == str(practice.pk)
    assert "Short description" in entry.get_change_message() or "kuvaus" in (
        entry.get_change_message()
    )


def test_history_records_the_importing_user(reference_data, importer):
    _import(_xlsx([example_row()]), importer)
    entry = LogEntry.objects.get()
    assert entry.user == importer
    assert entry.action_flag == ADDITION
    assert entry.get_edited_object() == Practice.objects.get()


def test_rows_match_by_name_within_the_first_organisation(reference_data, importer):
    _import(_xlsx([example_row()]), importer)
    slug = Practice.objects.get().slug
    content = _xlsx([_row(name="IKÄIHMISTEN ASIAKASRAATI", summary="Päivitetty.")])

    plan, _result = _import(content, importer)

    assert [row.action for row in plan.rows] == ["updated"]
    assert Practice.objects.get().slug == slug
    assert Practice.objects.get().summary_fi == "Päivitetty."


def test_the_same_practice_twice_is_an_error(reference_data):
    plan = plan_import(_table(_xlsx([example_row(), _row(summary="Toinen")])))
    assert [(error.row, error.column) for error in plan.errors] == [(3, "Nimi")]


BAD_ROWS = [
    _row(name="Hyvä rivi"),
    _row(name="Huono rivi", municipalities="Jarvenpaa", contacts="Taru <taru@@lohja>"),
]


def test_a_bad_row_writes_nothing(reference_data, importer):
    before = (Practice.objects.count(), Collection.objects.count(), Contact.objects.count())
    plan, result = _import(_xlsx(BAD_ROWS), importer)

    assert not result.applied
    messages = {(error.row, error.column): str(error.message) for error in plan.errors}
    assert set(messages) == {(3, "Kunnat"), (3, "Yhteyshenkilöt")}
    assert "Järvenpää" in messages[(3, "Kunnat")]
    assert "taru@@lohja" in messages[(3, "Yhteyshenkilöt")]
    after = (Practice.objects.count(), Collection.objects.count(), Contact.objects.count())
    assert after == before
    assert not LogEntry.objects.exists()


def test_command_lists_errors_and_exits_non_zero(reference_data, importer, tmp_path):
    path = tmp_path / "huono.xlsx"
    path.write_bytes(_xlsx(BAD_ROWS))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_practices", str(path), "--user", "tuoja", stdout=out)
    output = out.getvalue()
    # The messages are in English until the Finnish translation has them.
    assert re.search(r"(Row|Rivi) 3, (column|sarake) [“”]Kunnat”: .*Järvenpää", output)
    assert re.search(r"(Row|Rivi) 3, (column|sarake) [“”]Yhteyshenkilöt”: .*taru@@lohja", output)
    assert not Practice.objects.exists()


def test_command_imports_with_user(reference_data, importer, tmp_path):
    path = tmp_path / "hyva.xlsx"
    path.write_bytes(_xlsx([example_row()]))
    out = StringIO()
    call_command("import_practices", str(path), "--user", "tuoja", stdout=out)
    assert Practice.objects.count() == 1
    assert LogEntry.objects.get().user == importer
    assert "Uusia: 1" in out.getvalue() or "New: 1" in out.getvalue()


def test_command_dry_run_writes_nothing(reference_data, tmp_path):
    path = tmp_path / "hyva.xlsx"
    path.write_bytes(_xlsx([example_row()]))
    out = StringIO()
    call_command("import_practices", str(path), "--dry-run", stdout=out)
    assert not Practice.objects.exists()
    assert not Collection.objects.exists()


def test_command_requires_a_known_user(reference_data, importer, tmp_path):
    path = tmp_path / "hyva.xlsx"
    path.write_bytes(_xlsx([example_row()]))
    with pytest.raises(CommandError, match="--user"):
        call_command("import_practices", str(path), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("import_practices", str(path), "--user", "tuntematon", stdout=StringIO())
    assert not Practice.objects.exists()


def test_organisations_that_stay_keep_their_other_roles(reference_data, importer):
    _import(_xlsx([example_row()]), importer)
    practice = Practice.objects.get()
    owner = practice.organisation_roles.get().organisation
    adopter = Organisation.objects.create(name_fi="Vihdin kunta", slug="vihdin-kunta")
    PracticeOrganisation.objects.create(
        practice=practice, organisation=adopter, role=PracticeOrganisation.Role.ADOPTER, order=1
    )

    def roles():
        return sorted(
            (role.organisation.name_fi, role.role, role.order)
            for role in PracticeOrganisation.objects.filter(practice=practice)
        )

    # The same organisations in the same order: nothing changes, the adopter stays an adopter.
    plan, _result = _import(_xlsx([_row(organisations=f"{owner.name_fi}; Vihdin kunta")]), importer)
    assert [row.action for row in plan.rows] == ["unchanged"]
    assert ("Vihdin kunta", "adopter", 1) in roles()

    # A new organisation joins as a partner; the adopter keeps its role, in its new place.
    _import(
        _xlsx([_row(organisations=f"{owner.name_fi}; Lohjan kaupunki; Vihdin kunta")]), importer
    )
    assert roles() == sorted(
        [
            (owner.name_fi, "owner", 0),
            ("Lohjan kaupunki", "partner", 1),
            ("Vihdin kunta", "adopter", 2),
        ]
    )

    # An organisation left out loses its roles.
    _import(_xlsx([_row(organisations=owner.name_fi)]), importer)
    assert roles() == [(owner.name_fi, "owner", 0)]


def _many_rows(count, prefix):
    """`count` rows with every column filled: new organisations, contacts and a collection,
    half of them without an identifier."""
    return [
        _row(
            identifier=f"{prefix}-tunniste-{number}" if number % 2 else "",
            name=f"{prefix} malli {number}",
            organisations=f"{prefix} yhdistys {number} ry; Lohjan kaupunki",
            contacts=f"{prefix.title()} Henkilö{number} (Koordinaattori) "
            f"<{prefix}.{number}@example.fi>; Taru Rahkama (Asiakkuuspäällikkö) "
            "<taru.rahkama@lohja.fi>",
            collection=f"{prefix} kokonaisuus {number % 3}",
            status="Julkaistu" if number % 3 else "Luonnos",
        )
        for number in range(count)
    ]


def _queries(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = function()
    return len(captured.captured_queries), result


def test_query_count_does_not_grow_with_the_rows(reference_data, importer):
    # The first import of a process also fills caches (content types, the search index's
    # revision row): import one practice before counting.
    apply_import(plan_import(_table(_xlsx(_many_rows(1, "ensin")))), user=importer)
    counts = {}
    for size, prefix in ((3, "pieni"), (30, "suuri")):
        table = _table(_xlsx(_many_rows(size, prefix)))
        planned, plan = _queries(lambda table=table: plan_import(table))
        assert plan.errors == [] and len(plan.new) == size
        applied, result = _queries(lambda plan=plan: apply_import(plan, user=importer))
        assert result.created == size
        counts[size] = (planned, applied)
    assert Practice.objects.count() == 34
    assert counts[3] == counts[30]

    # Updating every row of the file costs the same whatever the number of rows.
    for size, prefix in ((3, "pieni"), (30, "suuri")):
        rows = [
            [*row[:2], "Uusi kuvaus.", *row[3:]]
            for row in practice_rows(Practice.objects.filter(name_fi__startswith=prefix))
        ]
        rows = [_with(row, municipalities="Vihti", organisations="Lohjan kaupunki") for row in rows]
        table = _table(_xlsx(rows))
        planned, plan = _queries(lambda table=table: plan_import(table))
        assert len(plan.updated) == size
        applied, result = _queries(lambda plan=plan: apply_import(plan, user=importer))
        assert result.updated == size
        counts[size] = (planned, applied)
    assert counts[3] == counts[30]
    updated = Practice.objects.exclude(name_fi__startswith="ensin")
    assert set(updated.values_list("summary_fi", flat=True)) == {"Uusi kuvaus."}


def _with(row, **cells):
    row = list(row)
    for key, value in cells.items():
        row[KEYS.index(key)] = value
    return row


def test_apply_reports_progress(reference_data, importer):
    plan = plan_import(_table(_xlsx(_many_rows(3, "edistys"))))
    calls = []

    apply_import(plan, user=importer, progress=lambda done, total: calls.append((done, total)))

    # Each row counts three times: written, its relations and history, indexed.
    assert calls == [(3, 9), (6, 9), (9, 9)]
    assert Practice.objects.count() == 3


def test_progress_is_reported_in_steps_of_many_rows(reference_data, importer):
    plan = plan_import(_table(_xlsx(_many_rows(250, "iso"))))
    calls = []

    apply_import(plan, user=importer, progress=lambda done, total: calls.append((done, total)))

    done = [call[0] for call in calls]
    assert done == sorted(done) and calls[-1] == (750, 750)
    # A progress bar is updated at least once per step, not once per row.
    assert 3 <= len(calls) <= 750 // 100
    assert Practice.objects.count() == 250


def test_imported_practices_are_listed_from_the_commit_before_the_search_index_is_updated(
    reference_data, importer, client, monkeypatch
):
    client.get("/kaytannot/")  # the browse index of the catalogue before the import
    indexed = []
    monkeypatch.setattr(
        "practices.search.index_practices", lambda ids, **kwargs: indexed.append(list(ids))
    )

    _import(_xlsx([_row(name="Heti näkyvä malli", status="Julkaistu")]), importer)

    assert len(indexed) == 1  # the index update comes after the commit, separately
    assert "Heti näkyvä malli" in client.get("/kaytannot/").content.decode()


def test_an_import_records_its_workflow_steps(reference_data, importer):
    _import(_xlsx([_row(name="Tuotu luonnos", status="Luonnos")]), importer)
    practice = Practice.objects.get(name_fi="Tuotu luonnos")
    rows = [list(row) for row in practice_rows(Practice.objects.filter(pk=practice.pk))]
    rows[0][KEYS.index("status")] = "Julkaistu"

    _import(_xlsx(rows), importer)

    steps = [
        (step.from_status, step.to_status, step.user)
        for step in practice.transitions.order_by("pk")
    ]
    assert steps == [("", "draft", importer), ("draft", "published", importer)]
