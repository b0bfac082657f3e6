"""The editorial workflow's steps: who may take which, and the record of each."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from organisations.models import Membership
from organisations.roles import COORDINATOR, PUBLISHER
from practices import workflow
from practices.models import Practice, PracticeTransition
from tests.factories import make_organisation, make_practice

pytestmark = pytest.mark.django_db

Status = Practice.Status


def _member(username, group, organisation):
    user = get_user_model().objects.create_user(username, password="a-long-password-1")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=group))
    Membership.objects.create(user=user, organisation=organisation)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def world():
    own, other = make_organisation(name_fi="Lohjan kaupunki"), make_organisation(name_fi="Muu")
    return {
        "practice": make_practice(organisation=own, status=Status.DRAFT),
        "coordinator": _member("koordinaattori-a", COORDINATOR, own),
        "outsider": _member("koordinaattori-b", COORDINATOR, other),
        "publisher": _member("julkaisija", PUBLISHER, own),
    }


def test_a_coordinator_submits_for_review_and_may_withdraw(world):
    practice, coordinator = world["practice"], world["coordinator"]

    assert workflow.steps_for(coordinator, practice) == [Status.IN_REVIEW]
    step = workflow.move(practice, Status.IN_REVIEW, coordinator)

    assert (step.from_status, step.to_status, step.user) == ("draft", "in_review", coordinator)
    assert workflow.steps_for(coordinator, practice) == [Status.DRAFT]


def test_a_coordinator_cannot_publish(world):
    practice, coordinator = world["practice"], world["coordinator"]
    workflow.move(practice, Status.IN_REVIEW, coordinator)

    with pytest.raises(PermissionDenied):
        workflow.move(practice, Status.PUBLISHED, coordinator)

    practice.refresh_from_db()
    assert practice.status == Status.IN_REVIEW
    assert not Practice.objects.published().exists()


def test_another_organisations_coordinator_can_take_no_step(world):
    practice, outsider = world["practice"], world["outsider"]

    assert workflow.steps_for(outsider, practice) == []
    with pytest.raises(PermissionDenied):
        workflow.move(practice, Status.IN_REVIEW, outsider)
    assert not PracticeTransition.objects.exists()


def test_a_publisher_publishes_returns_with_a_message_and_archives(world):
    practice, coordinator, publisher = world["practice"], world["coordinator"], world["publisher"]
    workflow.move(practice, Status.IN_REVIEW, coordinator)

    workflow.move(practice, Status.DRAFT, publisher, message="Lisää tulokset, kiitos.")
    workflow.move(practice, Status.IN_REVIEW, coordinator)
    workflow.move(practice, Status.PUBLISHED, publisher)

    practice.refresh_from_db()
    assert practice.status == Status.PUBLISHED and practice.published_at is not None
    assert Practice.objects.published().get() == practice
    workflow.move(practice, Status.ARCHIVED, publisher)
    steps = list(practice.transitions.order_by("pk"))
    assert [(step.to_status, step.user.username) for step in steps] == [
        ("in_review", "koordinaattori-a"),
        ("draft", "julkaisija"),
        ("in_review", "koordinaattori-a"),
        ("published", "julkaisija"),
        ("archived", "julkaisija"),
    ]
    assert steps[1].message == "Lisää tulokset, kiitos."
    assert not Practice.objects.published().exists()


def test_editors_preview_a_draft_as_the_public_page_the_public_cannot_open(world, client):
    practice = world["practice"]
    url = f"/esikatselu/{practice.pk}/"
    assert client.get(f"/kaytannot/{practice.slug}/").status_code == 404
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    client.force_login(world["coordinator"])
    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert practice.name in page
    assert "Esikatselu" in page
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404


# --- In the admin -----------------------------------------------------------------------------


def _change(client, practice, **fields):
    from tests.admin_forms import browser_post_data as _form_data

    url = f"/admin/practices/practice/{practice.pk}/change/"
    data = _form_data(client.get(url))
    data.update(fields)
    return client.post(url, data)


def test_a_status_change_in_the_admin_is_recorded_with_its_message(world, client):
    practice = world["practice"]
    client.force_login(world["publisher"])
    Practice.objects.filter(pk=practice.pk).update(status=Status.IN_REVIEW)

    response = _change(client, practice, status="draft", workflow_message="Lisää tulokset.")

    assert response.status_code == 302
    step = practice.transitions.get()
    assert (step.from_status, step.to_status, step.user, step.message) == (
        "in_review",
        "draft",
        world["publisher"],
        "Lisää tulokset.",
    )
    page = client.get(f"/admin/practices/practice/{practice.pk}/change/").content.decode()
    assert "Lisää tulokset." in page  # the workflow history on the form
    # ... with the time of the step in Finnish time, as the editor's clock shows it.
    shown = date_format(timezone.localtime(step.at), "SHORT_DATETIME_FORMAT")
    assert timezone.localtime(step.at).utcoffset() and shown in page


def test_a_coordinators_edit_of_a_published_card_waits_for_review(world, client):
    practice = world["practice"]
    Practice.objects.filter(pk=practice.pk).update(
        status=Status.PUBLISHED, summary_fi="Hyväksytty teksti."
    )
    client.force_login(world["coordinator"])

    response = _change(client, practice, summary_fi="Hyväksymätön teksti.")

    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.status == Status.IN_REVIEW
    assert not Practice.objects.published().exists()  # the public never sees unapproved text
    assert "Hyväksymätön teksti." not in Client().get("/kaytannot/").content.decode()
    step = practice.transitions.get()
    assert (step.from_status, step.to_status, step.user) == (
        "published",
        "in_review",
        world["coordinator"],
    )


def test_a_draft_is_viewed_on_site_through_the_preview(world, client):
    practice = world["practice"]
    client.force_login(world["coordinator"])

    page = client.get(f"/admin/practices/practice/{practice.pk}/change/").content.decode()

    assert f'href="/esikatselu/{practice.pk}/"' in page


def test_view_on_site_does_not_reveal_another_organisations_draft(world, client):
    from django.contrib.contenttypes.models import ContentType

    practice = world["practice"]
    url = f"/admin/r/{ContentType.objects.get_for_model(Practice).pk}/{practice.pk}/"

    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(world["coordinator"])
    assert client.get(url).status_code == 302


def test_another_organisations_contact_cannot_be_linked_by_its_id(world, client):
    from practices.models import PracticeContact
    from tests.factories import make_contact

    own = world["coordinator"].organisation_memberships.get().organisation
    secret = make_contact(name="Salainen Yhteyshenkilö", organisation=own)
    PracticeContact.objects.create(practice=world["practice"], contact=secret)
    other = world["outsider"].organisation_memberships.get().organisation
    theirs = make_practice(organisation=other, status=Status.DRAFT)
    client.force_login(world["outsider"])

    response = _change(
        client,
        theirs,
        **{
            "contact_roles-TOTAL_FORMS": "1",
            "contact_roles-0-contact": str(secret.pk),
            "contact_roles-0-role": "contact",
            "contact_roles-0-order": "0",
        },
    )

    assert response.status_code == 200  # the form again, with an error
    assert not theirs.contact_roles.exists()


def test_a_publisher_publishes_a_selection_from_the_change_list(world, client):
    own = world["practice"].organisation_roles.get().organisation
    waiting = [
        make_practice(name_fi=f"Odottava {n}", organisation=own, status=Status.IN_REVIEW)
        for n in (1, 2)
    ]
    archived = make_practice(name_fi="Arkistoitu", organisation=own, status=Status.ARCHIVED)
    published = make_practice(name_fi="Julkaistu", organisation=own, status=Status.PUBLISHED)
    client.force_login(world["publisher"])

    response = client.post(
        "/admin/practices/practice/",
        {
            "action": "publish",
            "_selected_action": [p.pk for p in (*waiting, archived, published)],
        },
        follow=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        "3 käytäntöä on nyt tilassa ”julkaistu”.",
        "1 käytäntöä ei voitu siirtää nykyisestä tilastaan tilaan ”julkaistu”.",
    ]
    assert set(Practice.objects.published().values_list("name_fi", flat=True)) == {
        "Odottava 1",
        "Odottava 2",
        "Arkistoitu",
        "Julkaistu",
    }
    steps = PracticeTransition.objects.filter(user=world["publisher"], to_status=Status.PUBLISHED)
    assert steps.count() == 3
    # One version for the step, by the publisher, like a save of the card's form.
    versions = waiting[0].history.order_by("history_date")
    assert versions.count() == 2
    assert (versions.last().history_user, versions.last().status) == (
        world["publisher"],
        Status.PUBLISHED,
    )
    history = client.get(f"/admin/practices/practice/{waiting[0].pk}/history/").content.decode()
    assert "julkaisija" in history


def test_a_coordinator_is_not_offered_publishing_from_the_change_list(world, client):
    Practice.objects.filter(pk=world["practice"].pk).update(status=Status.IN_REVIEW)
    client.force_login(world["coordinator"])

    page = client.get("/admin/practices/practice/")
    client.post(
        "/admin/practices/practice/",
        {"action": "publish", "_selected_action": [world["practice"].pk]},
    )

    offered = [name for name, _label in page.context["action_form"].fields["action"].choices]
    assert "submit_for_review" in offered and "publish" not in offered
    assert not Practice.objects.published().exists()
