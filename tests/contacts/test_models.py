import pytest

from contacts.models import Contact
from tests.factories import make_contact, make_organisation


@pytest.mark.django_db
def test_only_public_contacts_are_public():
    shown = make_contact(name="Taru Rahkama", is_public=True)
    make_contact(name="Piilotettu Henkilö", is_public=False)
    assert list(Contact.objects.public()) == [shown]


@pytest.mark.django_db
def test_contacts_are_private_unless_ticked():
    contact = Contact.objects.create(name="Uusi Henkilö")
    assert contact.is_public is False


@pytest.mark.django_db
def test_contact_str_names_the_organisation():
    organisation = make_organisation(name_fi="Lohjan kaupunki")
    contact = make_contact(name="Taru Rahkama", organisation=organisation)
    assert str(contact) == "Taru Rahkama (Lohjan kaupunki)"
