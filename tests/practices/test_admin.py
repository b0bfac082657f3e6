"""The practice admin as editors use it: a superuser and a coordinator (staff with a group's
permissions), an outsider without permissions, and a visitor who is not staff."""

import io

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from PIL import Image

from practices.models import Practice, PracticeOrganisation
from tests.admin_forms import browser_post_data
from tests.factories import (
    make_contact,
    make_municipality,
    make_organisation,
    make_practice,
    make_theme,
)
from tests.personas import PASSWORD, make_coordinator
from tests.roles import add_membership


def in_page_language(text):
    """Text as the admin shows it: in the default language, HTML-escaped."""
    with translation.override(settings.LANGUAGE_CODE):
        return escape(str(text))


def management_form(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def add_form_data(**overrides):
    """The smallest valid add form: required fields and an empty form for every inline."""
    data = {
        "status": Practice.Status.DRAFT,
        "name_fi": "Perhekeskuksen kotikäynnit",
        "slug": "perhekeskuksen-kotikaynnit",
        "summary_fi": "Kotikäynnit tukevat vauvaperheitä.",
        "content_language": Practice.Language.FINNISH,
    }
    for prefix in (
        "organisation_roles",
        "contact_roles",
        "links",
        "attachments",
        "recognitions",
        "assessments",
    ):
        data.update(management_form(prefix))
    data.update(overrides)
    return data


def png_upload(name="kansikuva.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# Who gets in


def test_practice_pages_open_for_editors(editor_client):
    organisation = make_organisation()
    add_membership(editor_client.user, organisation)
    practice = make_practice(name_fi="Vauvaperheiden kotikäynnit", organisation=organisation)

    response = editor_client.get(reverse("admin:practices_practice_changelist"))
    assert response.status_code == 200
    assert "Vauvaperheiden kotikäynnit" in response.text

    response = editor_client.get(reverse("admin:practices_practice_add"))
    assert response.status_code == 200
    for heading in (
        _("Basic information"),
        _("Location and organisations"),
        _("Description"),
        _("Classification"),
        _("Funding"),
        _("Cover image"),
        _("Source"),
        _("Maintenance"),
    ):
        assert in_page_language(heading) in response.text

    response = editor_client.get(reverse("admin:practices_practice_change", args=[practice.pk]))
    assert response.status_code == 200
    assert 'value="Vauvaperheiden kotikäynnit"' in response.text


def test_fieldsets_follow_the_order_of_the_card(admin_client):
    response = admin_client.get(reverse("admin:practices_practice_add"))
    headings = [
        in_page_language(heading)
        for heading in (
            _("Basic information"),
            _("Location and organisations"),
            _("Description"),
            _("Classification"),
            _("Funding"),
            _("Cover image"),
            _("Source"),
            _("Maintenance"),
        )
    ]
    # The fieldsets' own headings (the same words may stand elsewhere on the page).
    positions = [
        response.text.index(f'class="fieldset-heading">{heading}<') for heading in headings
    ]
    assert positions == sorted(positions)


def test_every_language_of_a_text_field_is_on_the_form(admin_client):
    response = admin_client.get(reverse("admin:practices_practice_add"))
    form = response.context["adminform"].form
    for field in ("name", "summary", "solution", "cover_image_alt"):
        for language in ("fi", "sv", "en"):
            assert f"{field}_{language}" in form.fields
    assert form.fields["name_fi"].required
    assert not form.fields["name_sv"].required


def test_inlines_for_everything_attached_to_a_practice(admin_client):
    practice = make_practice()
    response = admin_client.get(reverse("admin:practices_practice_change", args=[practice.pk]))
    prefixes = {formset.formset.prefix for formset in response.context["inline_admin_formsets"]}
    assert prefixes == {
        "organisation_roles",
        "contact_roles",
        "links",
        "attachments",
        "recognitions",
        "assessments",
    }
    # Translated inline fields are edited per language as well.
    assert 'name="links-0-title_sv"' in response.text
    assert 'name="recognitions-__prefix__-award_en"' in response.text


def test_other_practice_models_list_for_editors(editor_client):
    for model_name in ("developmentstage", "theme", "targetgroup", "funder", "collection"):
        response = editor_client.get(reverse(f"admin:practices_{model_name}_changelist"))
        assert response.status_code == 200, model_name


def test_coordinator_cannot_change_reference_lists(coordinator_client):
    theme = make_theme(name_fi="Lapset ja perheet")
    url = reverse("admin:practices_theme_change", args=[theme.pk])

    assert coordinator_client.get(url).status_code == 200
    response = coordinator_client.post(url, {"name_fi": "Muutettu", "slug": theme.slug})

    assert response.status_code == 403
    theme.refresh_from_db()
    assert theme.name_fi == "Lapset ja perheet"


def test_non_staff_user_is_sent_to_login(client, db):
    user = get_user_model().objects.create_user("kavija", password=PASSWORD)
    client.force_login(user)
    url = reverse("admin:practices_practice_changelist")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_permissions_is_forbidden(client, db):
    user = get_user_model().objects.create_user("ulkopuolinen", password=PASSWORD, is_staff=True)
    client.force_login(user)

    response = client.get(reverse("admin:practices_practice_changelist"))

    assert response.status_code == 403


# Change list


def test_change_list_shows_owner_organisation(admin_client):
    owner = make_organisation(name_fi="Pirkanmaan hyvinvointialue")
    make_practice(name_fi="Perhekeskus", organisation=owner)
    make_practice(
        name_fi="Koulukuraattori",
        organisation=make_organisation(name_fi="Kumppani ry"),
        role=PracticeOrganisation.Role.PARTNER,
    )

    response = admin_client.get(reverse("admin:practices_practice_changelist"))

    rows = {practice.name: practice for practice in response.context["cl"].result_list}
    assert set(rows) == {"Perhekeskus", "Koulukuraattori"}
    assert "Pirkanmaan hyvinvointialue" in response.text
    # A partner is not shown as an owner.
    assert "Kumppani ry" not in response.text


def make_listed_practices(count):
    theme = make_theme()
    municipality = make_municipality()
    for _n in range(count):
        practice = make_practice(organisation=make_organisation(), stage=None)
        practice.themes.add(theme)
        practice.municipalities.add(municipality)


def count_change_list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:practices_practice_changelist"))
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


def test_change_list_query_count_does_not_grow_with_practices(admin_client):
    make_listed_practices(3)
    few_queries, few_rows = count_change_list_queries(admin_client)
    make_listed_practices(27)
    many_queries, many_rows = count_change_list_queries(admin_client)

    assert (few_rows, many_rows) == (3, 30)
    assert many_queries == few_queries


def test_change_list_query_count_is_pinned(admin_client, django_assert_num_queries):
    make_listed_practices(30)
    # session, user, count, total count, page of practices, their owners, and the choices of
    # the stage, theme, wellbeing county and collection filters.
    with django_assert_num_queries(10):
        admin_client.get(reverse("admin:practices_practice_changelist"))


def test_search_finds_practice_by_organisation_name(coordinator_client):
    wanted = make_organisation(name_fi="Etelä-Savon hyvinvointialue")
    other = make_organisation()
    add_membership(coordinator_client.user, wanted, other)
    make_practice(name_fi="Lapsiperheiden kotipalvelu", organisation=wanted)
    make_practice(name_fi="Ikäihmisten liikuntaryhmä", organisation=other)

    response = coordinator_client.get(
        reverse("admin:practices_practice_changelist"), {"q": "etelä-savon"}
    )

    assert [p.name for p in response.context["cl"].result_list] == ["Lapsiperheiden kotipalvelu"]


def test_search_finds_practice_by_municipality_name(admin_client):
    practice = make_practice(name_fi="Nuorten talo")
    practice.municipalities.add(make_municipality(name_fi="Jyväskylä", name_sv="Jyväskylä"))
    make_practice(name_fi="Muu malli")

    response = admin_client.get(reverse("admin:practices_practice_changelist"), {"q": "jyväs"})

    assert [p.name for p in response.context["cl"].result_list] == ["Nuorten talo"]


def test_change_list_filters_by_theme(admin_client):
    theme = make_theme(name_fi="Mielenterveys")
    practice = make_practice(name_fi="Matalan kynnyksen mielenterveyspalvelu")
    practice.themes.add(theme)
    make_practice(name_fi="Toinen malli")

    response = admin_client.get(
        reverse("admin:practices_practice_changelist"), {"themes__id__exact": theme.pk}
    )

    assert [p.name for p in response.context["cl"].result_list] == [practice.name]


# Adding and changing


def test_coordinator_adds_practice_with_inlines(coordinator_client):
    organisation = make_organisation(name_fi="Oulun kaupunki")
    add_membership(coordinator_client.user, organisation)
    # A contact of the coordinator's own organisation (contacts.access).
    contact = make_contact(name="Maija Meikäläinen", organisation=organisation)
    theme = make_theme()
    data = add_form_data(
        solution_fi="Perhetyöntekijä käy kotona kolme kertaa.",
        themes=[theme.pk],
        **management_form("organisation_roles", total=1),
        **{
            "organisation_roles-0-organisation": organisation.pk,
            "organisation_roles-0-role": PracticeOrganisation.Role.OWNER,
            "organisation_roles-0-order": "0",
        },
        **management_form("contact_roles", total=1),
        **{
            "contact_roles-0-contact": contact.pk,
            "contact_roles-0-role": "contact",
            "contact_roles-0-order": "0",
        },
        **management_form("links", total=1),
        **{
            "links-0-title_fi": "Hankkeen sivut",
            "links-0-url": "https://example.fi/hanke",
            "links-0-kind": "website",
            "links-0-order": "0",
        },
    )

    response = coordinator_client.post(reverse("admin:practices_practice_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    practice = Practice.objects.get(slug="perhekeskuksen-kotikaynnit")
    assert practice.name_fi == "Perhekeskuksen kotikäynnit"
    assert practice.summary_fi == "Kotikäynnit tukevat vauvaperheitä."
    assert practice.solution_fi == "Perhetyöntekijä käy kotona kolme kertaa."
    assert practice.created_by == coordinator_client.user
    assert list(practice.themes.all()) == [theme]
    assert [(r.organisation, r.role) for r in practice.organisation_roles.all()] == [
        (organisation, PracticeOrganisation.Role.OWNER)
    ]
    assert list(practice.contacts.all()) == [contact]
    assert [link.title_fi for link in practice.links.all()] == ["Hankkeen sivut"]


def test_add_form_saves_with_untouched_extra_inline_forms(admin_client):
    url = reverse("admin:practices_practice_add")
    data = browser_post_data(admin_client.get(url))
    assert data["organisation_roles-TOTAL_FORMS"] == 1
    organisation = make_organisation()
    data.update(
        {
            "name_fi": "Liikkuva koulu",
            "slug": "liikkuva-koulu",
            "summary_fi": "Koulupäivään lisää liikettä.",
            "organisation_roles-0-organisation": organisation.pk,
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, [
        inline.formset.errors for inline in response.context["inline_admin_formsets"]
    ]
    practice = Practice.objects.get(slug="liikkuva-koulu")
    assert list(practice.organisations.all()) == [organisation]
    assert not practice.links.exists()
    assert not practice.contact_roles.exists()


def test_add_form_requires_finnish_name(admin_client):
    data = add_form_data(name_fi="", name_en="Home visits")

    response = admin_client.post(reverse("admin:practices_practice_add"), data)

    assert response.status_code == 200
    assert "name_fi" in response.context["adminform"].form.errors
    assert not Practice.objects.exists()


def test_cover_image_without_alt_text_is_refused(admin_client):
    data = add_form_data(cover_image=png_upload())

    response = admin_client.post(reverse("admin:practices_practice_add"), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "cover_image_alt_fi" in errors
    assert in_page_language(_("Describe the cover image for screen-reader users.")) in (
        response.text
    )
    assert not Practice.objects.exists()


def test_cover_image_with_alt_text_is_saved(admin_client):
    data = add_form_data(
        cover_image=png_upload(), cover_image_alt_fi="Perhetyöntekijä ja vauva sohvalla."
    )

    response = admin_client.post(reverse("admin:practices_practice_add"), data)

    assert response.status_code == 302
    practice = Practice.objects.get()
    assert practice.cover_image.name.endswith(".png")
    assert practice.cover_image_alt_fi == "Perhetyöntekijä ja vauva sohvalla."


def test_editing_keeps_the_original_creator(admin_client):
    creator = make_coordinator("laatija")
    practice = make_practice(name_fi="Vanha nimi", created_by=creator)
    data = add_form_data(
        name_fi="Uusi nimi",
        slug=practice.slug,
        summary_fi=practice.summary_fi,
        status=practice.status,
        # The version the form was opened at (see test_locking.py).
        seen_version=practice.version,
    )

    response = admin_client.post(
        reverse("admin:practices_practice_change", args=[practice.pk]), data
    )

    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.name_fi == "Uusi nimi"
    assert practice.created_by == creator


def test_timestamps_are_read_only(admin_client):
    practice = make_practice()
    response = admin_client.get(reverse("admin:practices_practice_change", args=[practice.pk]))
    form = response.context["adminform"].form
    for field in ("created_at", "modified_at", "published_at", "created_by"):
        assert field not in form.fields


# Autocomplete


def test_autocomplete_finds_organisation_by_part_of_name(coordinator_client):
    wanted = make_organisation(name_fi="Keski-Suomen hyvinvointialue")
    other = make_organisation(name_fi="Lapin hyvinvointialue")
    add_membership(coordinator_client.user, wanted, other)

    response = coordinator_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "practices",
            "model_name": "practiceorganisation",
            "field_name": "organisation",
            "term": "suomen",
        },
    )

    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(wanted.pk), "text": wanted.name}]


def test_autocomplete_finds_municipality_for_practice(coordinator_client):
    wanted = make_municipality(name_fi="Kuopio", name_sv="Kuopio")
    make_municipality(name_fi="Oulu", name_sv="Uleåborg")

    response = coordinator_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "practices",
            "model_name": "practice",
            "field_name": "municipalities",
            "term": "kuop",
        },
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(wanted.pk)]
