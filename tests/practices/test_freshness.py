"""Keeping cards fresh: review due dates, the overdue filter, the editors' dashboard and the
completeness indicator."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practices.freshness import missing_sections, overdue_q, review_due
from practices.models import Practice
from tests.factories import make_practice, make_theme

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _published(days_since_review=None, days_since_publishing=30, **kwargs):
    practice = make_practice(**kwargs)
    published = timezone.now() - timedelta(days=days_since_publishing)
    last_reviewed = None if days_since_review is None else TODAY - timedelta(days_since_review)
    Practice.objects.filter(pk=practice.pk).update(
        published_at=published, last_reviewed=last_reviewed
    )
    practice.refresh_from_db()
    return practice


def test_a_published_card_is_due_a_year_after_its_review(settings):
    settings.PRACTICE_REVIEW_INTERVAL_DAYS = 365
    practice = _published(days_since_review=10)

    assert review_due(practice) == TODAY - timedelta(10) + timedelta(365)
    assert review_due(make_practice(status=Practice.Status.DRAFT)) is None


def test_overdue_cards_are_published_and_not_reviewed_within_the_interval(settings):
    settings.PRACTICE_REVIEW_INTERVAL_DAYS = 365
    overdue = _published(days_since_review=400, name_fi="Vanha tarkistus")
    never_reviewed = _published(days_since_publishing=400, name_fi="Ei koskaan tarkistettu")
    _published(days_since_review=10, name_fi="Tuore")
    _published(days_since_publishing=10, name_fi="Uusi")
    old_draft = make_practice(status=Practice.Status.DRAFT, name_fi="Vanha luonnos")
    Practice.objects.filter(pk=old_draft.pk).update(created_at=timezone.now() - timedelta(days=800))

    found = set(Practice.objects.filter(overdue_q()).values_list("name_fi", flat=True))

    assert found == {overdue.name_fi, never_reviewed.name_fi}


def test_completeness_names_the_empty_sections_in_card_order():
    practice = make_practice(solution_fi="Ratkaisun kuvaus.")
    practice.themes.add(make_theme())
    field = Practice._meta.get_field

    missing = missing_sections(practice)

    assert str(field("solution").verbose_name) not in missing
    assert str(field("themes").verbose_name) not in missing
    assert missing[0] == str(field("need_and_goals").verbose_name)
    assert str(field("results").verbose_name) in missing
    assert str(field("target_groups").verbose_name) in missing


def test_the_admin_index_shows_the_editors_dashboard(admin_client, settings):
    settings.PRACTICE_REVIEW_INTERVAL_DAYS = 365
    make_practice(status=Practice.Status.DRAFT, name_fi="Keskeneräinen kortti")
    make_practice(status=Practice.Status.IN_REVIEW, name_fi="Odottaa tarkistusta")
    _published(days_since_review=500, name_fi="Vanhentunut kortti")

    page = admin_client.get("/admin/").content.decode()

    assert "Keskeneräinen kortti" in page
    assert "Odottaa tarkistusta" in page
    assert "Vanhentunut kortti" in page
    assert "/admin/practices/practice/?review=overdue" in page


def test_the_overdue_filter_of_the_practice_list(admin_client, settings):
    settings.PRACTICE_REVIEW_INTERVAL_DAYS = 365
    _published(days_since_review=500, name_fi="Vanhentunut kortti")
    _published(days_since_review=5, name_fi="Tuore kortti")

    page = admin_client.get("/admin/practices/practice/?review=overdue").content.decode()

    assert "Vanhentunut kortti" in page
    assert "Tuore kortti" not in page


def test_the_change_form_shows_completeness_and_review_due(admin_client):
    practice = _published(days_since_review=5, solution_fi="Ratkaisu.")

    page = admin_client.get(f"/admin/practices/practice/{practice.pk}/change/").content.decode()

    assert "Still empty" in page or "Vielä tyhjänä" in page
    assert (TODAY - timedelta(5) + timedelta(365)).isoformat() in page
