"""Version history of practices: admin edits, the history page's differences, reverting, imports
and who may see a practice's history."""

import io
import re
from io import StringIO

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import capfirst

from organisations.models import Membership
from practices.models import Practice
from practices.spreadsheets.export import example_row, practice_rows, write_xlsx
from practices.spreadsheets.importing import apply_import, plan_import
from practices.spreadsheets.reading import HEADINGS, read_table
from tests.factories import make_organisation, make_practice, make_theme
from tests.personas import make_coordinator

OLD_SUMMARY = "Kotikäynnit tukevat vauvaperheitä arjessa."
NEW_SUMMARY = "Kotikäynnit tukevat vauvaperheitä ja isovanhempia arjessa."


def _values(form):
    """What a browser sends for `form` as it is shown."""
    data = {}
    for bound in form:
        if isinstance(bound.field, forms.FileField):
            continue
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(getattr(item, "pk", item)) for item in value]
        else:
            data[bound.html_name] = str(getattr(value, "pk", value))
    return data


def _change_form_data(response, **changes):
    data = _values(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        data.update(_values(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_values(form))
    data.update(changes)
    return data


def _edit(client, practice, **changes):
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    response = client.post(url, _change_form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def _history_url(practice):
    return reverse("admin:practices_practice_history", args=[practice.pk])


def _version_url(practice, version):
    return reverse(
        "admin:practices_practice_simple_history", args=[practice.pk, version.history_id]
    )


def _changes_shown(page, field):
    """(before, after) as the history page shows them for the field `field`."""
    label = re.escape(str(capfirst(Practice._meta.get_field(field).verbose_name)))
    found = re.findall(
        rf'<th scope="row">{label}</th>\s*<td class="history-old">(.*?)</td>\s*'
        rf'<td class="history-new">(.*?)</td>',
        page,
        re.DOTALL,
    )
    return [(strip_tags(old).strip(), strip_tags(new).strip()) for old, new in found]


@pytest.fixture
def practice(db):
    practice = make_practice(summary_fi=OLD_SUMMARY, organisation=make_organisation())
    practice.themes.add(make_theme(name_fi="Lapsiperheet"))
    return practice


def test_an_admin_edit_is_one_version_with_the_user_and_the_changed_fields(
    admin_client, superuser, practice
):
    versions = practice.history.count()
    other_theme = make_theme(name_fi="Ikääntyneet")

    _edit(admin_client, practice, summary_fi=NEW_SUMMARY, themes=[str(other_theme.pk)])

    assert practice.history.count() == versions + 1
    latest = practice.history.latest()
    assert latest.history_user == superuser
    assert latest.history_type == "~"
    assert latest.summary_fi == NEW_SUMMARY
    # Every language's columns are kept, and the relations as they were saved.
    assert latest.name_fi == practice.name_fi
    assert [row.theme_id for row in latest.themes.all()] == [other_theme.pk]
    delta = latest.diff_against(latest.prev_record)
    assert {"summary_fi", "themes"} <= set(delta.changed_fields)


def test_the_history_page_shows_who_changed_what_from_what_to_what(
    admin_client, superuser, practice
):
    _edit(admin_client, practice, summary_fi=NEW_SUMMARY)

    response = admin_client.get(_history_url(practice))

    assert response.status_code == 200
    page = response.text
    assert _changes_shown(page, "summary_fi") == [(OLD_SUMMARY, NEW_SUMMARY)]
    # The words added are marked.
    assert "<ins>isovanhempia </ins>" in page or "<ins>ja isovanhempia </ins>" in page
    assert superuser.get_username() in strip_tags(page)
    # Fields nobody changed are not listed.
    assert _changes_shown(page, "name_fi") == []


def test_the_history_page_shows_changed_themes_by_name(admin_client, practice):
    other_theme = make_theme(name_fi="Ikääntyneet")

    _edit(admin_client, practice, themes=[str(other_theme.pk)])

    shown = _changes_shown(admin_client.get(_history_url(practice)).text, "themes")
    # Newest first: the edit, then the theme added when the practice was made.
    assert shown[0] == ("Lapsiperheet", "Ikääntyneet")
    assert shown[1][1] == "Lapsiperheet"


def test_reverting_restores_the_old_version_as_a_new_version_by_the_reverting_user(
    admin_client, superuser, practice
):
    old_version = practice.history.latest()
    other_theme = make_theme(name_fi="Ikääntyneet")
    _edit(admin_client, practice, summary_fi=NEW_SUMMARY, themes=[str(other_theme.pk)])
    versions = practice.history.count()

    url = _version_url(practice, old_version)
    form_page = admin_client.get(url)
    assert form_page.status_code == 200
    response = admin_client.post(url, _change_form_data(form_page, _save="1"))

    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.summary_fi == OLD_SUMMARY
    assert [theme.name_fi for theme in practice.themes.all()] == ["Lapsiperheet"]
    assert practice.history.count() == versions + 1
    revert = practice.history.latest()
    assert revert.history_user == superuser
    assert revert.summary_fi == OLD_SUMMARY
    page = admin_client.get(_history_url(practice)).text
    assert _changes_shown(page, "summary_fi")[0] == (NEW_SUMMARY, OLD_SUMMARY)
    assert "Palautettu" in page or "Reverted" in page


def test_reverting_keeps_the_current_status(admin_client, practice):
    draft_version = practice.history.latest()
    Practice.objects.filter(pk=practice.pk).update(status=Practice.Status.ARCHIVED)

    url = _version_url(practice, draft_version)
    form_page = admin_client.get(url)
    admin_client.post(url, _change_form_data(form_page, _save="1"))

    practice.refresh_from_db()
    assert practice.status == Practice.Status.ARCHIVED


# Imports


@pytest.fixture
def importer(db):
    call_command("load_reference_data", stdout=StringIO())
    return get_user_model().objects.create_user("tuoja", "tuoja@example.fi", "a-long-password-1")


def _table(rows):
    content = io.BytesIO()
    write_xlsx(rows, content)
    return read_table(io.BytesIO(content.getvalue()), filename="malli.xlsx")


def _rows(count, prefix):
    keys = list(HEADINGS)
    rows = []
    for number in range(count):
        row = dict(zip(keys, example_row(), strict=True))
        row.update(identifier=f"{prefix}-{number}", name=f"{prefix} malli {number}")
        rows.append([row[key] for key in keys])
    return rows


def _counted_import(rows, user):
    plan = plan_import(_table(rows))
    assert plan.errors == []
    with CaptureQueriesContext(connection) as queries:
        apply_import(plan, user=user)
    return len(queries.captured_queries)


def test_an_import_records_versions_by_the_importing_user_in_constant_queries(importer):
    # The first import of a process fills caches: import one practice before counting.
    _counted_import(_rows(1, "ensin"), importer)
    counts = {size: _counted_import(_rows(size, f"uusi{size}"), importer) for size in (3, 30)}
    assert counts[3] == counts[30]

    created = Practice.objects.filter(name_fi__startswith="uusi")
    assert created.count() == 33
    for practice in created:
        (version,) = practice.history.all()
        assert version.history_user == importer
        assert version.history_type == "+"
        assert version.organisations.exists()

    updates = {}
    for size in (3, 30):
        rows = practice_rows(Practice.objects.filter(name_fi__startswith=f"uusi{size} "))
        keys = list(HEADINGS)
        rows = [
            [*row[: keys.index("summary")], "Tuotu uusi kuvaus.", *row[keys.index("summary") + 1 :]]
            for row in rows
        ]
        updates[size] = _counted_import(rows, importer)
    assert updates[3] == updates[30]

    for practice in created:
        latest = practice.history.latest()
        assert latest.history_user == importer
        assert latest.history_type == "~"
        assert latest.summary_fi == "Tuotu uusi kuvaus."
        assert latest.prev_record.summary_fi != "Tuotu uusi kuvaus."


def test_the_history_page_names_an_import(admin_client, importer):
    _counted_import(_rows(1, "tuotu"), importer)
    practice = Practice.objects.get(name_fi__startswith="tuotu")

    page = strip_tags(admin_client.get(_history_url(practice)).text)

    assert importer.get_username() in page
    assert "Taulukkotuonti" in page or "Spreadsheet import" in page


# Who may see a practice's history


def test_a_coordinator_sees_only_the_history_of_their_own_organisations_practices(client, db):
    own_organisation, other_organisation = make_organisation(), make_organisation()
    own = make_practice(organisation=own_organisation)
    other = make_practice(organisation=other_organisation)
    coordinator = make_coordinator()
    Membership.objects.create(user=coordinator, organisation=own_organisation)
    client.force_login(coordinator)

    assert client.get(_history_url(own)).status_code == 200
    assert client.get(_version_url(own, own.history.latest())).status_code == 200
    assert client.get(_history_url(other)).status_code == 404
    assert client.get(_version_url(other, other.history.latest())).status_code == 404
    response = client.post(_version_url(other, other.history.latest()), {"_save": "1"})
    assert response.status_code == 404


def test_the_history_of_a_deleted_practice_is_for_those_who_edit_every_organisation(
    client, superuser
):
    organisation = make_organisation()
    practice = make_practice(organisation=organisation)
    coordinator = make_coordinator()
    Membership.objects.create(user=coordinator, organisation=organisation)
    url = _history_url(practice)
    practice.delete()

    client.force_login(superuser)
    assert client.get(url).status_code == 200
    client.force_login(coordinator)
    assert client.get(url).status_code == 404
