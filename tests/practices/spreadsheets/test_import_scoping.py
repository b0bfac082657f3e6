"""An importer imports only their own organisations' practices: a row touching another
organisation's practice is a row error and nothing is written, in the plan, through the admin
and through import_practices --user."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from practices.models import Practice, PracticeImport
from practices.spreadsheets.importing import plan_import
from practices.spreadsheets.reading import HEADINGS, read_table
from tests.factories import make_organisation, make_practice
from tests.roles import log_in, make_persona

Status = Practice.Status
OTHERS_PRACTICE = (
    "This practice belongs to another organisation; you can only import your own "
    "organisations' practices."
)
NOT_OWN_ORGANISATION = (
    "The first organisation of a new practice must be one of your own organisations."
)


@pytest.fixture
def world(db):
    a = make_organisation(name_fi="Alfan kaupunki")
    b = make_organisation(name_fi="Beetan hyvinvointialue")
    return {
        "a": a,
        "b": b,
        "practice_a": make_practice(
            slug="alfan-perhekeskus",
            name_fi="Alfan perhekeskus",
            summary_fi="Alfan kuvaus.",
            organisation=a,
            status=Status.DRAFT,
        ),
        "practice_b": make_practice(
            slug="beetan-kotihoito",
            name_fi="Beetan kotihoito",
            summary_fi="Beetan kuvaus.",
            organisation=b,
            status=Status.DRAFT,
        ),
        # An importer of organisation B (the importer persona belongs to A).
        "importer_b": make_persona("importer", b, a),
        "administrator": make_persona("administrator", a, b),
        "publisher": make_persona("publisher", a, b),
    }


def _csv(*rows):
    """A CSV file of `rows` (dicts by field key), with the columns they name."""
    keys = [key for key in HEADINGS if any(key in row for row in rows)]
    file = io.StringIO()
    writer = csv.writer(file, delimiter=";")
    writer.writerow([HEADINGS[key] for key in keys])
    writer.writerows([row.get(key, "") for key in keys] for row in rows)
    return file.getvalue().encode()


def _plan(content, user):
    return plan_import(read_table(io.BytesIO(content), filename="kaytannot.csv"), user=user)


def _messages(plan):
    """The plan's errors, their messages in English (as the msgids of this module read)."""
    with translation.override("en"):
        return [(error.row, error.column, str(error.message)) for error in plan.errors]


def _snapshot():
    return sorted(Practice.objects.values_list("slug", "name_fi", "summary_fi", "status")) + sorted(
        Practice.organisations.through.objects.values_list("practice_id", "organisation_id")
    )


TOUCHING_A = {
    "by-identifier": {
        "identifier": "alfan-perhekeskus",
        "name": "Alfan perhekeskus",
        "summary": "Muutettu kuvaus.",
    },
    "by-name-in-its-organisation": {
        "name": "Alfan perhekeskus",
        "summary": "Muutettu kuvaus.",
        "organisations": "Alfan kaupunki",
    },
}


@pytest.mark.parametrize("row", TOUCHING_A.values(), ids=TOUCHING_A.keys())
def test_a_row_touching_another_organisations_practice_is_a_row_error(world, row):
    plan = _plan(
        _csv(
            {
                "name": "Beetan uusi malli",
                "summary": "Kuvaus.",
                "organisations": "Beetan hyvinvointialue",
            },
            row,
        ),
        world["importer_b"],
    )

    column = "Tunniste" if "identifier" in row else "Nimi"
    assert _messages(plan) == [(3, column, OTHERS_PRACTICE)]
    assert not plan.is_valid
    assert [r.action for r in plan.rows] == ["new", None]


def test_the_same_rows_are_ones_own_for_the_owner_and_for_an_administrator(world):
    content = _csv(TOUCHING_A["by-identifier"])
    a_importer = make_persona("importer", world["a"], world["b"], username="importer_a")

    for user in (a_importer, world["administrator"], None):
        plan = _plan(content, user)
        assert plan.errors == [], user
        assert [row.action for row in plan.updated] == ["updated"]


def test_a_new_practice_must_be_of_ones_own_organisation(world):
    content = _csv(
        {"name": "Alfan uusi malli", "summary": "Kuvaus.", "organisations": "Alfan kaupunki"},
        {"name": "Kenen malli", "summary": "Kuvaus.", "organisations": "Uusi yhdistys ry"},
        {"name": "Ilman organisaatiota", "summary": "Kuvaus."},
        {
            "name": "Beetan ja Alfan malli",
            "summary": "Kuvaus.",
            "organisations": "Beetan hyvinvointialue; Alfan kaupunki",
        },
    )

    plan = _plan(content, world["importer_b"])

    assert _messages(plan) == [
        (2, "Organisaatiot", NOT_OWN_ORGANISATION),
        (3, "Organisaatiot", NOT_OWN_ORGANISATION),
        (4, "Organisaatiot", NOT_OWN_ORGANISATION),
    ]
    assert [row.name for row in plan.new] == ["Beetan ja Alfan malli"]


def test_an_importer_cannot_give_their_practice_away(world):
    content = _csv(
        {
            "identifier": "beetan-kotihoito",
            "name": "Beetan kotihoito",
            "organisations": "Alfan kaupunki",
        }
    )

    plan = _plan(content, world["importer_b"])

    assert [message for _row, _column, message in _messages(plan)] == [
        "Keep at least one of your own organisations in the practice; otherwise you could "
        "no longer edit it."
    ]


@pytest.mark.parametrize("status", ["Julkaistu", "Arkistoitu"])
def test_only_a_publisher_publishes_or_archives_by_import(world, status):
    row = {"identifier": "alfan-perhekeskus", "name": "Alfan perhekeskus", "status": status}
    importer_a = make_persona("importer", world["a"], world["b"], username="importer_a")

    refused = _plan(_csv(row), importer_a)
    allowed = _plan(_csv(row), world["publisher"])

    assert [(column, message) for _row, column, message in _messages(refused)] == [
        (
            "Tila",
            "You cannot publish or archive practices. Write the status as draft or in "
            "review; a publisher approves the practice.",
        )
    ]
    assert allowed.errors == []
    # A status that stays as it is is no step at all.
    Practice.objects.filter(pk=world["practice_a"].pk).update(status=Status.PUBLISHED)
    assert _plan(_csv({**row, "status": "Julkaistu"}), importer_a).errors == []


def test_the_command_refuses_and_writes_nothing(world, tmp_path):
    path = tmp_path / "kaytannot.csv"
    path.write_bytes(
        _csv(
            {"identifier": "beetan-kotihoito", "name": "Beetan kotihoito", "summary": "Uusi."},
            TOUCHING_A["by-identifier"],
        )
    )
    before = _snapshot()
    out = io.StringIO()

    with translation.override("en"), pytest.raises(CommandError, match="1 error"):
        call_command("import_practices", str(path), "--user", "importer", stdout=out)

    assert "Row 3, column “Tunniste”: " + OTHERS_PRACTICE in out.getvalue()
    assert _snapshot() == before


def test_the_admin_import_refuses_and_writes_nothing(client, world):
    log_in(client, world["importer_b"])
    before = _snapshot()
    upload = SimpleUploadedFile(
        "kaytannot.csv",
        _csv(
            {"identifier": "beetan-kotihoito", "name": "Beetan kotihoito", "summary": "Uusi."},
            TOUCHING_A["by-identifier"],
        ),
    )

    with translation.override("en"):
        url = reverse("admin:practices_practice_import")
    response = client.post(url, {"import_file": upload})

    job = PracticeImport.objects.get()
    assert response.status_code == 302
    assert job.status == PracticeImport.Status.INVALID
    assert job.preview["errors"] == [{"row": 3, "column": "Tunniste", "message": OTHERS_PRACTICE}]
    page = client.get(reverse("admin:practices_practice_import_job", args=[job.pk]))
    assert escape(OTHERS_PRACTICE) in page.text
    # Confirming is refused: the job is not waiting for confirmation.
    client.post(reverse("admin:practices_practice_import_apply", args=[job.pk]))
    assert _snapshot() == before
