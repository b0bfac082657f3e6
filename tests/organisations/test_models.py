import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from organisations.models import Organisation
from organisations.validators import validate_business_id
from tests.factories import make_organisation


@pytest.mark.parametrize("value", ["0204819-8", "0201256-6", "2403929-2"])
def test_valid_business_ids_pass(value):
    validate_business_id(value)


@pytest.mark.parametrize(
    "value",
    ["0204819-7", "204819-8", "02048198", "0204819-", "abcdefg-h", "", "0204819-8 "],
)
def test_invalid_business_ids_are_refused_with_a_message(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_business_id(value)
    assert excinfo.value.messages


@pytest.mark.django_db
def test_business_id_is_unique_but_optional():
    make_organisation(business_id=None)
    make_organisation(business_id=None)
    make_organisation(business_id="0204819-8")
    with pytest.raises(IntegrityError):
        make_organisation(business_id="0204819-8")


@pytest.mark.django_db
def test_organisation_full_clean_rejects_a_bad_business_id():
    organisation = Organisation(
        name_fi="Lohjan kaupunki", slug="lohjan-kaupunki", business_id="1234567-0"
    )
    with pytest.raises(ValidationError) as excinfo:
        organisation.full_clean()
    assert "business_id" in excinfo.value.message_dict


@pytest.mark.django_db
def test_organisation_link_leads_to_its_page():
    organisation = make_organisation(name_fi="Lohjan kaupunki", slug="lohjan-kaupunki")
    assert str(organisation) == "Lohjan kaupunki"
    assert organisation.get_absolute_url() == "/organisaatiot/lohjan-kaupunki/"
