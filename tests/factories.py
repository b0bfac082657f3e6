"""Small factory helpers for tests: each makes one valid object with sensible defaults."""

import itertools

from contacts.models import Contact
from organisations.models import Municipality, Organisation, Region, WellbeingServicesCounty
from practices.models import (
    Collection,
    DevelopmentStage,
    Funder,
    Practice,
    PracticeContact,
    PracticeOrganisation,
    TargetGroup,
    Theme,
)

_seq = itertools.count(1)


def _n():
    return next(_seq)


def make_region(**kwargs):
    n = _n()
    defaults = {"code": f"{n % 100:02d}", "name_fi": f"Maakunta {n}", "slug": f"maakunta-{n}"}
    defaults.update(kwargs)
    return Region.objects.create(**defaults)


def make_county(**kwargs):
    n = _n()
    if "region" not in kwargs:
        kwargs["region"] = make_region()
    defaults = {"name_fi": f"Hyvinvointialue {n}", "slug": f"hyvinvointialue-{n}"}
    defaults.update(kwargs)
    return WellbeingServicesCounty.objects.create(**defaults)


def make_municipality(**kwargs):
    n = _n()
    if "region" not in kwargs:
        kwargs["region"] = make_region()
    defaults = {"code": f"{n % 1000:03d}", "name_fi": f"Kunta {n}", "slug": f"kunta-{n}"}
    defaults.update(kwargs)
    return Municipality.objects.create(**defaults)


def make_organisation(**kwargs):
    n = _n()
    defaults = {
        "name_fi": f"Organisaatio {n}",
        "slug": f"organisaatio-{n}",
        "type": Organisation.Type.MUNICIPALITY,
    }
    defaults.update(kwargs)
    return Organisation.objects.create(**defaults)


def make_lookup(model, **kwargs):
    n = _n()
    defaults = {"name_fi": f"{model.__name__} {n}", "slug": f"{model.__name__.lower()}-{n}"}
    defaults.update(kwargs)
    return model.objects.create(**defaults)


def make_stage(**kwargs):
    return make_lookup(DevelopmentStage, **kwargs)


def make_theme(**kwargs):
    return make_lookup(Theme, **kwargs)


def make_target_group(**kwargs):
    return make_lookup(TargetGroup, **kwargs)


def make_funder(**kwargs):
    return make_lookup(Funder, **kwargs)


def make_collection(**kwargs):
    return make_lookup(Collection, **kwargs)


def make_contact(**kwargs):
    n = _n()
    defaults = {"name": f"Yhteyshenkilö {n}", "email": f"henkilo{n}@example.fi", "is_public": True}
    defaults.update(kwargs)
    return Contact.objects.create(**defaults)


def make_practice(
    *, organisation=None, role=PracticeOrganisation.Role.OWNER, contacts=(), **kwargs
):
    """A published practice unless status is given. Pass organisation= to add an owner."""
    n = _n()
    defaults = {
        "name_fi": f"Toimintamalli {n}",
        "slug": f"toimintamalli-{n}",
        "summary_fi": f"Lyhyt kuvaus toimintamallista {n}.",
        "status": Practice.Status.PUBLISHED,
    }
    defaults.update(kwargs)
    practice = Practice.objects.create(**defaults)
    if organisation is not None:
        PracticeOrganisation.objects.create(practice=practice, organisation=organisation, role=role)
    for order, contact in enumerate(contacts):
        PracticeContact.objects.create(practice=practice, contact=contact, order=order)
    return practice
