import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import translation

from practices.models import (
    Assessment,
    Attachment,
    Collection,
    Practice,
    PracticeOrganisation,
)
from tests.factories import make_organisation, make_practice


@pytest.mark.django_db
def test_published_queryset_hides_every_other_status():
    published = make_practice(status=Practice.Status.PUBLISHED)
    for status in (Practice.Status.DRAFT, Practice.Status.IN_REVIEW, Practice.Status.ARCHIVED):
        make_practice(status=status)
    assert list(Practice.objects.published()) == [published]


@pytest.mark.django_db
def test_new_practice_is_a_draft():
    practice = Practice.objects.create(name_fi="Uusi malli", slug="uusi-malli", summary_fi="x")
    assert practice.status == Practice.Status.DRAFT
    assert practice.published_at is None


@pytest.mark.django_db
def test_publishing_stamps_the_publication_time_once():
    practice = make_practice(status=Practice.Status.DRAFT)
    practice.status = Practice.Status.PUBLISHED
    practice.save()
    first = practice.published_at
    assert first is not None
    practice.save()
    assert practice.published_at == first


@pytest.mark.django_db
def test_sections_lists_only_filled_sections_in_card_order():
    practice = make_practice(
        solution_fi="Ratkaisun kuvaus.",
        need_and_goals_fi="Tarve on suuri.",
        results_fi="   ",
    )
    names = [name for name, _heading, _text in practice.sections()]
    assert names == ["need_and_goals", "solution"]


@pytest.mark.django_db
def test_translated_text_falls_back_to_finnish():
    practice = make_practice(name_fi="Järjestöinfot", name_sv="Organisationsinfo")
    other = make_practice(name_fi="Vanhempainillat")
    with translation.override("sv"):
        assert Practice.objects.get(pk=practice.pk).name == "Organisationsinfo"
        assert Practice.objects.get(pk=other.pk).name == "Vanhempainillat"


@pytest.mark.django_db
def test_slug_is_unique():
    make_practice(slug="sama")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_practice(slug="sama")


@pytest.mark.django_db
def test_cover_image_needs_alternative_text():
    practice = make_practice()
    practice.cover_image = "covers/2024/kuva.jpg"
    practice.cover_image_alt_fi = ""
    with pytest.raises(ValidationError) as excinfo:
        practice.clean()
    assert "cover_image_alt_fi" in excinfo.value.message_dict


@pytest.mark.django_db
def test_organisation_has_a_role_once_per_practice():
    organisation = make_organisation()
    practice = make_practice(organisation=organisation)
    PracticeOrganisation.objects.create(
        practice=practice,
        organisation=organisation,
        role=PracticeOrganisation.Role.ADOPTER,
        year=2024,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeOrganisation.objects.create(
            practice=practice, organisation=organisation, role=PracticeOrganisation.Role.OWNER
        )


@pytest.mark.django_db
def test_collection_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Collection.objects.create(
            name_fi="Hanke",
            slug="hanke",
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2023, 1, 1),
        )


@pytest.mark.django_db
def test_attachment_refuses_executables_and_oversized_files(settings):
    practice = make_practice()
    attachment = Attachment(
        practice=practice,
        title_fi="Ohje",
        file=SimpleUploadedFile("ohje.exe", b"MZ"),
    )
    with pytest.raises(ValidationError) as excinfo:
        attachment.full_clean()
    assert "file" in excinfo.value.message_dict

    settings.MAX_ATTACHMENT_SIZE = 10
    attachment.file = SimpleUploadedFile("ohje.pdf", b"%PDF-1.4 too large for the limit")
    with pytest.raises(ValidationError) as excinfo:
        attachment.full_clean()
    assert "10\xa0tavua" in " ".join(excinfo.value.message_dict["file"])

    settings.MAX_ATTACHMENT_SIZE = 1000
    attachment.file = SimpleUploadedFile("ohje.pdf", b"%PDF-1.4 small")
    attachment.full_clean()


@pytest.mark.django_db
def test_assessment_rating_needs_a_scale():
    assessment = Assessment(practice=make_practice(), assessor="Kasvun tuki", rating="4")
    with pytest.raises(ValidationError) as excinfo:
        assessment.full_clean()
    assert "scale" in excinfo.value.message_dict
    assessment.scale = "Näytön aste 1–5"
    assessment.full_clean()
    assert str(assessment) == "Kasvun tuki: 4"
