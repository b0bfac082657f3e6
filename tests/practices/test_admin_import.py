"""Spreadsheet import and export in the practice admin: the upload, the preview with its
differences and errors, confirming, background imports, the export of a change-list selection,
and who may do each of them."""

import csv
import io
import re
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from practices.models import Practice, PracticeImport
from practices.spreadsheets.export import example_row, practice_rows, write_csv, write_xlsx
from practices.spreadsheets.reading import HEADINGS
from tests.factories import make_organisation, make_practice
from tests.personas import make_coordinator

KEYS = list(HEADINGS)
Status = PracticeImport.Status


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", stdout=StringIO())


def _importer(username="tuoja"):
    # Imports for every organisation; tests/practices/spreadsheets/test_import_scoping.py
    # holds an importer to their own organisations.
    user = make_coordinator(username)
    user.user_permissions.add(
        Permission.objects.get(codename="import_practice"),
        Permission.objects.get(codename="edit_all_organisations"),
    )
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def importer_client(client, db):
    client.user = _importer()
    client.force_login(client.user)
    return client


def _url(name, *args, language="fi"):
    with translation.override(language):
        return reverse(f"admin:practices_practice_{name}", args=args)


def _row(**cells):
    row = dict(zip(KEYS, example_row(), strict=True))
    row.update(cells)
    return [row[key] for key in KEYS]


def _xlsx(rows, name="kaytannot.xlsx"):
    buffer = io.BytesIO()
    write_xlsx(rows, buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _upload(client, upload, language="fi", **data):
    return client.post(_url("import", language=language), {"import_file": upload, **data})


def _job():
    return PracticeImport.objects.get()


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


# --- Upload, preview, confirm ---------------------------------------------------------------


def test_import_page_offers_the_template_and_lists_the_columns(importer_client):
    response = importer_client.get(_url("import"))

    assert response.status_code == 200
    page = _text(response)
    assert _url("import_template") in page
    assert "Tunniste, Nimi, Lyhyt kuvaus" in page
    assert 'type="file"' in page


def test_template_download_is_the_import_template(importer_client):
    response = importer_client.get(_url("import_template"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Käytännöt", "Ohjeet"]
    sheet = workbook["Käytännöt"]
    assert [cell.value for cell in sheet[1]] == list(HEADINGS.values())
    assert sheet.cell(2, 2).value == example_row()[1]


def test_upload_shows_a_preview_and_writes_nothing_until_confirmed(importer_client, reference_data):
    response = _upload(importer_client, _xlsx([_row(name="Uusi perhetyön malli")]))

    job = _job()
    assert response.status_code == 302
    assert response["Location"] == _url("import_job", job.pk)
    assert job.status == Status.CHECKED
    assert Practice.objects.count() == 0

    page = _text(importer_client.get(response["Location"]))
    assert "1 uusi käytäntö" in page
    assert "Uusi perhetyön malli" in page
    assert "Vahvista tuonti" in page  # the confirm button

    response = importer_client.post(_url("import_apply", job.pk))

    assert response.status_code == 302
    practice = Practice.objects.get()
    assert practice.name == "Uusi perhetyön malli"
    assert practice.created_by == importer_client.user
    entry = LogEntry.objects.get(object_id=str(practice.pk))
    assert entry.user == importer_client.user
    job.refresh_from_db()
    assert job.status == Status.APPLIED
    assert job.content == b""  # the upload is not kept after importing
    page = _text(importer_client.get(response["Location"]))
    assert "Tuotu: 1 uutta, 0 päivitettyä ja 0 ennallaan olevaa käytäntöä." in page


def test_preview_shows_each_changed_field_with_old_and_new_value(importer_client, reference_data):
    organisation = make_organisation(name_fi="Lohjan kaupunki")
    practice = make_practice(
        organisation=organisation, name_fi="Kotikäynnit", summary_fi="Vanha kuvaus."
    )
    rows = [list(row) for row in practice_rows(Practice.objects.filter(pk=practice.pk))]
    rows[0][KEYS.index("summary")] = "Uusi kuvaus kotikäynneistä."

    _upload(importer_client, _xlsx(rows))

    job = _job()
    page = _text(importer_client.get(_url("import_job", job.pk)))
    assert "1 päivitetty käytäntö" in page
    changes = re.search(r'<table class="import-changes">(.*?)</table>', page).group(1)
    assert "Kotikäynnit" in changes
    assert "Lyhyt kuvaus" in changes
    assert "<del>Vanha kuvaus.</del>" in changes
    assert "<ins>Uusi kuvaus kotikäynneistä.</ins>" in changes
    # Columns that stay the same are not listed as changes.
    assert "Nimi</th>" not in changes

    importer_client.post(_url("import_apply", job.pk))

    practice.refresh_from_db()
    assert practice.summary == "Uusi kuvaus kotikäynneistä."


def test_reimporting_an_export_changes_nothing(importer_client, reference_data):
    organisation = make_organisation(name_fi="Lohjan kaupunki")
    make_practice(organisation=organisation, name_fi="Kotikäynnit")
    make_practice(organisation=organisation, name_fi="Perhekahvila")
    rows = practice_rows(Practice.objects.all())

    _upload(importer_client, _xlsx(rows))

    page = _text(importer_client.get(_url("import_job", _job().pk)))
    assert "0 uutta käytäntöä" in page
    assert "0 päivitettyä käytäntöä" in page
    assert "2 ennallaan olevaa käytäntöä" in page


def test_errors_are_listed_by_row_and_column_and_nothing_can_be_confirmed(
    importer_client, reference_data
):
    rows = [_row(name="Hyvä rivi"), _row(name="Huono rivi", municipalities="Järvenpä")]

    _upload(importer_client, _xlsx(rows))

    job = _job()
    assert job.status == Status.INVALID
    page = _text(importer_client.get(_url("import_job", job.pk)))
    assert "Tiedostossa on 1 virhe. Mitään ei tuotu" in page
    errors = re.search(r'<table id="import-errors">(.*?)</table>', page).group(1)
    assert "<td>3</td> <td>Kunnat</td>" in errors
    assert "Järvenpää" in errors  # the closest known name is suggested
    assert "Vahvista tuonti" not in page
    assert importer_client.post(_url("import_apply", job.pk)).status_code == 302
    assert Practice.objects.count() == 0


def test_errors_are_in_the_uploaders_language(importer_client, reference_data):
    _upload(
        importer_client,
        _xlsx([_row(name="Rad", municipalities="Järvenpä")]),
        language="sv",
    )

    job = _job()
    assert job.language == "sv"
    page = _text(importer_client.get(_url("import_job", job.pk, language="sv")))
    errors = re.search(r'<table id="import-errors">(.*?)</table>', page).group(1)
    assert "Menade du" in errors
    assert "Tarkoititko" not in errors


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kaytannot.xls", b"\xd0\xcf\x11\xe0 old excel", "ei ole Excel-työkirja"),
        ("kaytannot.pdf", b"%PDF-1.4", "ei ole Excel-työkirja"),
        ("kaytannot.csv", b"", "tiedosto on tyhjä."),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused_on_the_form(importer_client, name, content, message):
    response = _upload(importer_client, SimpleUploadedFile(name, content))

    assert response.status_code == 200
    assert message.lower() in _text(response).lower()
    assert not PracticeImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused_on_the_form(importer_client, settings):
    settings.PRACTICE_IMPORT_MAX_BYTES = 1000

    response = _upload(importer_client, SimpleUploadedFile("iso.csv", b"Nimi\n" + b"x" * 2000))

    assert response.status_code == 200
    assert "enintään 0 MB" not in _text(response)  # the limit is shown readably
    assert re.search(r"Tiedosto on [\d,.]+ Mt|Tiedoston koko", _text(response)) or (
        "MB" in _text(response)
    )
    assert not PracticeImport.objects.exists()


def test_a_bad_file_gets_its_message_and_writes_nothing(importer_client, reference_data):
    # An XLSX name on something that is not a workbook: found when the file is read.
    _upload(importer_client, SimpleUploadedFile("kaytannot.xlsx", b"Nimi;Lyhyt kuvaus\nA;B\n"))

    job = _job()
    assert job.status == Status.INVALID
    page = _text(importer_client.get(_url("import_job", job.pk)))
    assert "Mitään ei tuotu" in page
    assert Practice.objects.count() == 0


def test_confirming_refuses_when_the_practices_changed_after_the_check(
    importer_client, reference_data
):
    organisation = make_organisation(name_fi="Lohjan kaupunki")
    practice = make_practice(organisation=organisation, summary_fi="Alkuperäinen.")
    rows = [list(row) for row in practice_rows(Practice.objects.all())]
    rows[0][KEYS.index("summary")] = "Tuonnin teksti."
    _upload(importer_client, _xlsx(rows))
    job = _job()
    # Somebody else edits the same practice before the import is confirmed.
    Practice.objects.filter(pk=practice.pk).update(summary_fi="Toisen muokkaus.")

    importer_client.post(_url("import_apply", job.pk))

    practice.refresh_from_db()
    assert practice.summary == "Toisen muokkaus."
    job.refresh_from_db()
    assert job.status == Status.CHECKED
    page = _text(importer_client.get(_url("import_job", job.pk)))
    assert "muuttuivat tiedoston tarkistamisen jälkeen" in page
    assert "<del>Toisen muokkaus.</del>" in page  # the fresh preview

    importer_client.post(_url("import_apply", job.pk))

    practice.refresh_from_db()
    assert practice.summary == "Tuonnin teksti."


def test_confirming_twice_imports_once(importer_client, reference_data):
    _upload(importer_client, _xlsx([_row(name="Kerran vain")]))
    job = _job()

    importer_client.post(_url("import_apply", job.pk))
    response = importer_client.post(_url("import_apply", job.pk), follow=True)

    assert Practice.objects.filter(name_fi="Kerran vain").count() == 1
    assert "ei odota vahvistusta" in _text(response)


def test_a_checked_import_can_be_discarded(importer_client, reference_data):
    _upload(importer_client, _xlsx([_row(name="Hylätään")]))

    response = importer_client.post(_url("import_discard", _job().pk))

    assert response.status_code == 302
    assert not PracticeImport.objects.exists()
    assert Practice.objects.count() == 0


# --- Large files in the background ----------------------------------------------------------


def _run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_imported_by_a_background_task(client, settings):
    call_command("load_reference_data", stdout=StringIO())
    settings.PRACTICE_IMPORT_INLINE_BYTES = 0
    client.user = _importer()
    client.force_login(client.user)
    rows = [_row(name=f"Taustatuonti {number}", identifier="") for number in range(1, 6)]

    _upload(client, _xlsx(rows))

    job = _job()
    assert job.status == Status.CHECKING
    page = _text(client.get(_url("import_job", job.pk)))
    assert '<meta http-equiv="refresh"' in page
    assert "<progress" in page

    _run_worker()

    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (Status.CHECKED, 5, 5)
    page = _text(client.get(_url("import_job", job.pk)))
    assert '<meta http-equiv="refresh"' not in page
    assert "5 uutta käytäntöä" in page
    assert Practice.objects.count() == 0

    client.post(_url("import_apply", job.pk))

    job.refresh_from_db()
    assert job.status == Status.APPLYING
    assert "Käytäntöjä kirjoitetaan" in _text(client.get(_url("import_job", job.pk)))
    assert Practice.objects.count() == 0

    _run_worker()

    job.refresh_from_db()
    assert job.status == Status.APPLIED
    assert Practice.objects.filter(name_fi__startswith="Taustatuonti").count() == 5


def test_an_import_that_stopped_reporting_is_shown_as_stopped(importer_client, settings):
    job = PracticeImport.objects.create(
        created_by=importer_client.user, filename="jumissa.xlsx", content=b"x", language="fi"
    )
    PracticeImport.objects.filter(pk=job.pk).update(
        updated_at=job.updated_at.replace(year=job.updated_at.year - 1)
    )

    page = _text(importer_client.get(_url("import_job", job.pk)))

    assert "lakannut vastaamasta" in page
    assert '<meta http-equiv="refresh"' not in page


# --- Who may import -------------------------------------------------------------------------


def _someone_elses_job():
    other = _importer("toinen-tuoja")
    return PracticeImport.objects.create(
        created_by=other, filename="toisen.xlsx", content=b"x", language="fi"
    )


def test_staff_without_the_import_permission_get_403_everywhere(coordinator_client):
    job = _someone_elses_job()
    upload = _xlsx([_row()])

    assert coordinator_client.get(_url("import")).status_code == 403
    assert _upload(coordinator_client, upload).status_code == 403
    assert coordinator_client.get(_url("import_job", job.pk)).status_code == 403
    assert coordinator_client.post(_url("import_apply", job.pk)).status_code == 403
    assert coordinator_client.post(_url("import_discard", job.pk)).status_code == 403
    assert PracticeImport.objects.count() == 1
    # The change list offers no import button to them.
    page = coordinator_client.get(_url("changelist")).content.decode()
    assert _url("import") + '"' not in page and _url("import") + "'" not in page


def test_an_importer_cannot_see_or_confirm_another_importers_upload(importer_client):
    job = _someone_elses_job()

    assert importer_client.get(_url("import_job", job.pk)).status_code == 404
    assert importer_client.post(_url("import_apply", job.pk)).status_code == 404
    assert importer_client.post(_url("import_discard", job.pk)).status_code == 404
    assert "toisen.xlsx" not in importer_client.get(_url("import")).content.decode()


@pytest.mark.parametrize("name", ["import", "import_template", "export"])
def test_visitors_who_are_not_staff_are_sent_to_log_in(client, db, name):
    user = get_user_model().objects.create_user("vierailija", password="a-long-password-1")
    client.force_login(user)

    response = client.get(_url(name))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_librarys_own_confirm_step_is_closed(importer_client):
    assert importer_client.post(_url("process_import")).status_code == 404


# --- Export from the change list ------------------------------------------------------------


def test_export_of_the_change_list_selection(admin_client):
    chosen = make_practice(name_fi="Valittu", status=Practice.Status.DRAFT)
    make_practice(name_fi="Ei valittu")

    response = admin_client.post(
        _url("changelist"),
        {"action": "export_admin_action", "_selected_action": [chosen.pk]},
    )
    assert response.status_code == 200
    page = _text(response)
    assert "Vie 1 valittu" in page or "1 selected" in page or "1 valittu" in page

    response = admin_client.post(
        _url("export"), {"format": "0", "resource": "0", "export_items": [chosen.pk]}
    )

    assert response.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="kaytannot-\d{4}-\d\d-\d\d\.xlsx"', response["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[KEYS.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Valittu"]


def test_export_as_csv_keeps_the_change_list_filter_and_neutralises_formulas(admin_client):
    make_practice(name_fi='=HYPERLINK("http://example.com","Avaa")', status="draft")
    make_practice(name_fi="Julkaistu")

    response = admin_client.post(
        _url("export") + "?status__exact=draft", {"format": "1", "resource": "0"}
    )

    assert response.status_code == 200
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(HEADINGS.values())
    assert [row[KEYS.index("name")] for row in rows[1:]] == [
        '\'=HYPERLINK("http://example.com","Avaa")'
    ]


def test_staff_without_view_permission_cannot_export(client, db):
    user = get_user_model().objects.create_user(
        "ulkopuolinen", password="x-long-pw-1", is_staff=True
    )
    client.force_login(user)
    make_practice(name_fi="Salainen luonnos", status="draft")

    assert client.get(_url("export")).status_code == 403
    assert client.post(_url("export"), {"format": "0", "resource": "0"}).status_code == 403
    assert client.get(_url("import_template")).status_code == 403


def test_export_then_import_through_the_admin_round_trips(importer_client, reference_data):
    organisation = make_organisation(name_fi="Lohjan kaupunki")
    make_practice(organisation=organisation, name_fi="Kotikäynnit")
    exported = importer_client.post(_url("export"), {"format": "1", "resource": "0"})
    buffer = io.BytesIO(exported.content)

    _upload(importer_client, SimpleUploadedFile("vienti.csv", buffer.getvalue()))

    assert _job().preview["counts"] == {"new": 0, "updated": 0, "unchanged": 1, "errors": 0}


def test_written_csv_uploads_as_finnish_excel_writes_it(importer_client, reference_data):
    buffer = io.BytesIO()
    write_csv([_row(name="Puolipisteillä")], buffer)
    content = buffer.getvalue().decode("utf-8-sig").encode("cp1252", errors="replace")

    _upload(importer_client, SimpleUploadedFile("excel.csv", content))

    assert _job().status == Status.CHECKED
