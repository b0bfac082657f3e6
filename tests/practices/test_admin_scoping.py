"""Who may do what in the practice admin: every URL of it for each persona (tests/roles.py),
and the confinement of editors to their own organisations' practices: the change list and
its search, the forms, the organisations a practice may name, publishing and the export."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from practices.models import Practice, PracticeImport, PracticeOrganisation
from tests.admin_forms import browser_post_data
from tests.factories import make_organisation, make_practice
from tests.personas import make_coordinator
from tests.roles import PERSONAS, log_in, make_persona

Status = Practice.Status
LOGIN = "login page"  # an anonymous visitor is sent to log in


@pytest.fixture
def world(db):
    """Organisations A and B, a draft practice of each, the personas, and an upload of the
    importer's."""
    a = make_organisation(name_fi="Alfan kaupunki")
    b = make_organisation(name_fi="Beetan hyvinvointialue")
    practice_a = make_practice(name_fi="Alfan perhekeskus", organisation=a, status=Status.DRAFT)
    practice_b = make_practice(name_fi="Beetan kotihoito", organisation=b, status=Status.DRAFT)
    users = {persona: make_persona(persona, a, b) for persona in PERSONAS}
    job = PracticeImport.objects.create(
        created_by=users["importer"],
        filename="kaytannot.csv",
        content=b"",
        size=0,
        language="fi",
        status=PracticeImport.Status.INVALID,
        preview={
            "counts": {"new": 0, "updated": 0, "unchanged": 0, "errors": 1},
            "errors": [{"row": 2, "column": "Nimi", "message": "Nimi puuttuu."}],
        },
    )
    return {
        "a": a,
        "b": b,
        "practice_a": practice_a,
        "practice_b": practice_b,
        "users": users,
        "job": job,
    }


def _admin_url(name, *args):
    return reverse(f"admin:practices_practice_{name}", args=args)


def _version(world):
    history = getattr(world["practice_a"], "history", None)
    version = history.order_by("-history_id").first() if history is not None else None
    return version.history_id if version is not None else 0


# name -> (method, URL of the world, expected response by persona). A 200 row that differs
# by persona in what it shows (change list, autocomplete, export) is tested further down.
ALL_STAFF = dict.fromkeys(PERSONAS[1:], 200)
OWNERS_OF_A = {
    "coordinator_a": 200,
    "coordinator_b": 404,
    "publisher": 200,
    "importer": 200,
    "administrator": 200,
}
IMPORTER_ONLY = {
    "coordinator_a": 403,
    "coordinator_b": 403,
    "publisher": 403,
    "importer": 200,
    "administrator": 200,
}
# Uploads are their uploader's own: the administrator, not a superuser, does not find one.
UPLOADER_ONLY = {
    "coordinator_a": 403,
    "coordinator_b": 403,
    "publisher": 403,
    "importer": 200,
    "administrator": 404,
}
MATRIX = {
    "changelist": ("get", lambda w: _admin_url("changelist"), ALL_STAFF),
    "add": ("get", lambda w: _admin_url("add"), ALL_STAFF),
    "change": ("get", lambda w: _admin_url("change", w["practice_a"].pk), OWNERS_OF_A),
    "history": ("get", lambda w: _admin_url("history", w["practice_a"].pk), OWNERS_OF_A),
    "simple_history": (
        "get",
        lambda w: _admin_url("simple_history", w["practice_a"].pk, _version(w)),
        OWNERS_OF_A,
    ),
    "delete": (
        "get",
        lambda w: _admin_url("delete", w["practice_a"].pk),
        {
            "coordinator_a": 403,
            "coordinator_b": 404,
            "publisher": 403,
            "importer": 403,
            "administrator": 200,
        },
    ),
    # The bare object URL redirects to the change form, which answers as above.
    "object": (
        "get",
        lambda w: reverse("admin:index") + f"practices/practice/{w['practice_a'].pk}/",
        dict.fromkeys(PERSONAS[1:], 302),
    ),
    "autocomplete": (
        "get",
        lambda w: (
            reverse("admin:autocomplete")
            + "?app_label=practices&model_name=practiceorganisation&field_name=organisation"
        ),
        ALL_STAFF,
    ),
    "export": ("get", lambda w: _admin_url("export"), ALL_STAFF),
    "import": ("get", lambda w: _admin_url("import"), IMPORTER_ONLY),
    "import_template": ("get", lambda w: _admin_url("import_template"), ALL_STAFF),
    "import_job": ("get", lambda w: _admin_url("import_job", w["job"].pk), UPLOADER_ONLY),
    "import_apply": (
        "post",
        lambda w: _admin_url("import_apply", w["job"].pk),
        {**UPLOADER_ONLY, "importer": 302},
    ),
    "import_discard": (
        "post",
        lambda w: _admin_url("import_discard", w["job"].pk),
        {**UPLOADER_ONLY, "importer": 302},
    ),
    # The library's own confirmation step is closed to everyone.
    "process_import": (
        "post",
        lambda w: _admin_url("process_import"),
        dict.fromkeys(PERSONAS[1:], 404),
    ),
}


def test_every_url_of_the_practice_admin_is_in_the_matrix():
    names = {
        pattern.name.removeprefix("practices_practice_")
        for pattern in admin.site._registry[Practice].get_urls()
        if pattern.name
    }
    assert names <= set(MATRIX), f"Add {sorted(names - set(MATRIX))} to MATRIX"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(MATRIX))
def test_each_persona_gets_exactly_its_response(client, world, name, persona):
    method, url_of, expected = MATRIX[name]
    log_in(client, world["users"][persona])
    url = url_of(world)

    response = getattr(client, method)(url)

    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == expected[persona], response.get("Location")
    if name == "object" and persona != "anonymous":
        assert response["Location"] == _admin_url("change", world["practice_a"].pk)


# --- What each editor sees ------------------------------------------------------------------


def _listed(response):
    return [practice.name for practice in response.context["cl"].result_list]


@pytest.mark.parametrize(
    ("persona", "listed"),
    [
        ("coordinator_a", ["Alfan perhekeskus"]),
        ("coordinator_b", ["Beetan kotihoito"]),
        ("publisher", ["Alfan perhekeskus"]),
        ("importer", ["Alfan perhekeskus"]),
        ("administrator", ["Alfan perhekeskus", "Beetan kotihoito"]),
    ],
)
def test_the_change_list_shows_the_practices_of_ones_own_organisations(
    client, world, persona, listed
):
    log_in(client, world["users"][persona])

    response = client.get(_admin_url("changelist"))

    assert _listed(response) == listed
    assert ("Alfan perhekeskus" in response.text) == ("Alfan perhekeskus" in listed)


def test_searching_does_not_find_another_organisations_practice(client, world):
    log_in(client, world["users"]["coordinator_b"])

    for term in ("Alfan", "perhekeskus", "Alfan kaupunki"):
        response = client.get(_admin_url("changelist"), {"q": term})
        assert _listed(response) == [], term


def test_a_practice_shared_with_another_organisation_is_seen_by_both(client, world):
    PracticeOrganisation.objects.create(
        practice=world["practice_a"],
        organisation=world["b"],
        role=PracticeOrganisation.Role.PARTNER,
    )
    log_in(client, world["users"]["coordinator_b"])

    response = client.get(_admin_url("changelist"))

    assert _listed(response) == ["Alfan perhekeskus", "Beetan kotihoito"]
    assert client.get(_admin_url("change", world["practice_a"].pk)).status_code == 200


def test_staff_who_belong_to_no_organisation_see_no_practices(client, world):
    log_in(client, make_coordinator())

    response = client.get(_admin_url("changelist"))

    assert response.status_code == 200
    assert _listed(response) == []
    assert client.get(_admin_url("change", world["practice_a"].pk)).status_code == 404


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("coordinator_a", ["Alfan kaupunki"]),
        ("coordinator_b", ["Beetan hyvinvointialue"]),
        ("publisher", ["Alfan kaupunki"]),
        ("importer", ["Alfan kaupunki"]),
        ("administrator", ["Alfan kaupunki", "Beetan hyvinvointialue"]),
    ],
)
def test_the_practice_forms_organisation_autocomplete_offers_ones_own(
    client, world, persona, offered
):
    log_in(client, world["users"][persona])
    params = {
        "app_label": "practices",
        "model_name": "practiceorganisation",
        "field_name": "organisation",
    }

    response = client.get(reverse("admin:autocomplete"), params)

    assert [result["text"] for result in response.json()["results"]] == offered
    # A term does not reach further.
    response = client.get(reverse("admin:autocomplete"), {**params, "term": "alfan"})
    expected = ["Alfan kaupunki"] if "Alfan kaupunki" in offered else []
    assert [result["text"] for result in response.json()["results"]] == expected


def test_the_organisation_admins_own_search_is_not_narrowed(client, world):
    log_in(client, world["users"]["coordinator_b"])

    response = client.get(reverse("admin:organisations_organisation_changelist"), {"q": "alfan"})

    assert [organisation.name for organisation in response.context["cl"].result_list] == [
        "Alfan kaupunki"
    ]


# --- Changing another organisation's practice ------------------------------------------------


def test_another_organisations_practice_cannot_be_changed_or_deleted(client, world):
    practice = world["practice_a"]
    log_in(client, world["users"]["coordinator_b"])

    response = client.post(
        _admin_url("change", practice.pk), {"name_fi": "Kaapattu", "slug": practice.slug}
    )

    assert response.status_code == 404
    assert client.post(_admin_url("delete", practice.pk), {"post": "yes"}).status_code == 404
    practice.refresh_from_db()
    assert practice.name_fi == "Alfan perhekeskus"
    assert not LogEntry.objects.exists()


def test_a_bulk_action_skips_another_organisations_practice(client, world):
    log_in(client, world["users"]["coordinator_b"])

    response = client.post(
        _admin_url("changelist"),
        {"action": "export_admin_action", "_selected_action": [world["practice_a"].pk]},
    )

    # The export form that follows holds nothing: the selection is of what the user sees.
    assert response.status_code == 200
    assert response.context["form"].initial["export_items"] == []
    assert "Alfan perhekeskus" not in response.text


def test_a_missing_practice_is_not_found_either(client, world):
    log_in(client, world["users"]["administrator"])

    assert client.get(_admin_url("change", 999_999)).status_code == 404


# --- Adding a practice -------------------------------------------------------------------------


def _add(client, organisations=(), **fields):
    """Post the add form with `organisations` as (organisation, role) rows."""
    url = _admin_url("add")
    data = browser_post_data(client.get(url))
    data.update(
        {
            "status": Status.DRAFT,
            "name_fi": "Uusi malli",
            "slug": "uusi-malli",
            "summary_fi": "Lyhyt kuvaus.",
            "organisation_roles-TOTAL_FORMS": str(max(1, len(organisations))),
        }
    )
    for number, (organisation, role) in enumerate(organisations):
        data[f"organisation_roles-{number}-organisation"] = organisation.pk
        data[f"organisation_roles-{number}-role"] = role
        data[f"organisation_roles-{number}-order"] = str(number)
    data.update(fields)
    return client.post(url, data)


def _organisation_errors(response):
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "organisation_roles"
    )
    return formset


OWNER = PracticeOrganisation.Role.OWNER


def test_a_coordinator_adds_a_practice_of_their_own_organisation(client, world):
    log_in(client, world["users"]["coordinator_a"])

    response = _add(client, [(world["a"], OWNER)])

    assert response.status_code == 302
    practice = Practice.objects.get(slug="uusi-malli")
    assert list(practice.organisations.all()) == [world["a"]]


def test_a_coordinator_cannot_name_another_organisation(client, world):
    log_in(client, world["users"]["coordinator_b"])

    response = _add(client, [(world["b"], OWNER), (world["a"], PracticeOrganisation.Role.PARTNER)])

    assert response.status_code == 200
    assert "organisation" in _organisation_errors(response).errors[1]
    assert not Practice.objects.filter(slug="uusi-malli").exists()


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(lambda w: [], id="no-organisation"),
        pytest.param(lambda w: [(w["a"], PracticeOrganisation.Role.DEVELOPER)], id="not-owner"),
    ],
)
def test_a_coordinator_must_make_their_organisation_the_owner(client, world, rows):
    log_in(client, world["users"]["coordinator_a"])

    response = _add(client, rows(world))

    assert response.status_code == 200
    errors = _organisation_errors(response).non_form_errors()
    assert [error.code for error in errors.as_data()] == ["no_own_owner"]
    assert str(errors[0]) in response.content.decode()
    assert not Practice.objects.filter(slug="uusi-malli").exists()


def test_an_administrator_adds_a_practice_of_any_organisation(client, world):
    log_in(client, world["users"]["administrator"])

    response = _add(client, [(world["b"], OWNER)])

    assert response.status_code == 302
    assert list(Practice.objects.get(slug="uusi-malli").organisations.all()) == [world["b"]]


def test_a_coordinator_cannot_remove_their_organisations_from_a_practice(client, world):
    practice = world["practice_a"]
    log_in(client, world["users"]["coordinator_a"])
    url = _admin_url("change", practice.pk)
    data = browser_post_data(client.get(url))
    data["organisation_roles-0-DELETE"] = "on"

    response = client.post(url, data)

    assert response.status_code == 200
    errors = _organisation_errors(response).non_form_errors()
    assert [error.code for error in errors.as_data()] == ["no_own_organisation"]
    assert list(practice.organisations.all()) == [world["a"]]


def test_another_organisation_already_in_the_practice_stays_on_the_form(client, world):
    practice = world["practice_a"]
    PracticeOrganisation.objects.create(
        practice=practice, organisation=world["b"], role=PracticeOrganisation.Role.PARTNER
    )
    log_in(client, world["users"]["coordinator_a"])
    url = _admin_url("change", practice.pk)
    data = browser_post_data(client.get(url))
    data["name_fi"] = "Alfan perhekeskus ja kumppanit"

    response = client.post(url, data)

    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.name_fi == "Alfan perhekeskus ja kumppanit"
    assert set(practice.organisations.all()) == {world["a"], world["b"]}


# --- Publishing ------------------------------------------------------------------------------


def _status_choices(response):
    return [value for value, _label in response.context["adminform"].form.fields["status"].choices]


@pytest.mark.parametrize(
    ("persona", "choices"),
    [
        ("coordinator_a", [Status.DRAFT, Status.IN_REVIEW]),
        ("importer", [Status.DRAFT, Status.IN_REVIEW]),
        ("publisher", list(Status.values)),
        ("administrator", list(Status.values)),
    ],
)
def test_only_publishers_are_offered_published_and_archived(client, world, persona, choices):
    log_in(client, world["users"][persona])

    assert _status_choices(client.get(_admin_url("add"))) == choices


def test_a_coordinator_cannot_publish(client, world):
    log_in(client, world["users"]["coordinator_a"])

    response = _add(client, [(world["a"], OWNER)], status=Status.PUBLISHED)

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert not Practice.objects.filter(slug="uusi-malli").exists()
    assert not Practice.objects.published().exists()


def test_a_publisher_publishes(client, world):
    log_in(client, world["users"]["publisher"])

    response = _add(client, [(world["a"], OWNER)], status=Status.PUBLISHED)

    assert response.status_code == 302
    assert Practice.objects.get(slug="uusi-malli").status == Status.PUBLISHED


# --- Export ------------------------------------------------------------------------------------


CSV = "1"  # the export form's choice for CSV (after XLSX)


def _exported_names(response):
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index("Nimi")
    return sorted(row[column] for row in rows[1:])


@pytest.mark.parametrize(
    ("persona", "exported"),
    [
        ("coordinator_b", ["Beetan kotihoito"]),
        ("coordinator_a", ["Alfan perhekeskus"]),
        ("administrator", ["Alfan perhekeskus", "Beetan kotihoito"]),
    ],
)
def test_the_export_holds_only_ones_own_organisations_practices(client, world, persona, exported):
    log_in(client, world["users"][persona])

    response = client.post(_admin_url("export"), {"format": CSV, "resource": "0"})

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert _exported_names(response) == exported


def test_a_selection_naming_another_organisations_practice_exports_nothing(client, world):
    log_in(client, world["users"]["coordinator_b"])

    response = client.post(
        _admin_url("export"),
        {
            "format": CSV,
            "resource": "0",
            "export_items": [world["practice_a"].pk],
        },
    )

    assert "Content-Disposition" not in response
    assert "Alfan perhekeskus" not in response.content.decode()
