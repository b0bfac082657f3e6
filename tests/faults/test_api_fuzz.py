"""The API against its own OpenAPI description (/api/schema/, drf-spectacular), with
schemathesis: generated requests to every operation, valid and invalid, never get a server
error, and every answer is one the description allows (status, content type, body).

The app is called in-process (WSGI) against a database of published and draft practices.
Generated slugs are mostly nonsense, so half of the time a generated filter or slug is
replaced by a real one (a draft's too), so that filters find practices and a draft's slug is
tried. A request whose slug has characters no slug has is not to an address of the API (the
site answers it with its HTML 404 page): it is only checked for a server error. Hypothesis
runs derandomized: the same requests every run.
"""

import re
from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls.converters import SlugConverter
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from organisations.models import Municipality, Organisation, Region, WellbeingServicesCounty
from practices.models import Collection, DevelopmentStage, Funder, Practice, TargetGroup, Theme
from tests.factories import make_collection

# Examples per operation (and per kind of generated data).
MAX_EXAMPLES = 150

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _is_api_address(case):
    """Whether the request is to an address of the API. A slug with other characters than
    the schema allows (a generated invalid case) is not: the site answers it with its own
    404 page."""
    slug = (case.path_parameters or {}).get("slug")
    return slug is None or re.fullmatch(SlugConverter.regex, str(slug)) is not None


def _slugs(model, **filters):
    return sorted(model.objects.filter(**filters).values_list("slug", flat=True).distinct())


def _known_values():
    """Real values of the list's filters and of the detail's slug."""
    return {
        "theme": _slugs(Theme),
        "target_group": _slugs(TargetGroup),
        "stage": _slugs(DevelopmentStage),
        "county": _slugs(WellbeingServicesCounty),
        "region": _slugs(Region),
        "municipality": _slugs(Municipality, practices__status=Practice.Status.PUBLISHED),
        "organisation": _slugs(
            Organisation, practice_roles__practice__status=Practice.Status.PUBLISHED
        ),
        "funder": _slugs(Funder),
        "collection": _slugs(Collection),
        "slug": _slugs(Practice),
    }


def _maybe_known(value, known):
    """`value` as generated, or a real value (a list of them for a repeated parameter)."""
    if not known:
        return st.just(value)
    real = st.sampled_from(known)
    if isinstance(value, list):
        real = st.lists(real, min_size=1, max_size=3)
    return st.one_of(st.just(value), real)


schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# Real values of the database of the running test (api_data).
KNOWN = {}


@schema.hook
def flatmap_query(context, query):
    if not isinstance(query, dict):
        return st.just(query)
    return st.fixed_dictionaries(
        {name: _maybe_known(value, KNOWN.get(name)) for name, value in query.items()}
    )


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {name: _maybe_known(value, KNOWN.get(name)) for name, value in path_parameters.items()}
    )


@pytest.fixture
def in_process_requests():
    """Requests go to the WSGI app directly, not through Django's test client: as the client
    does, keep the database connection open at the start and end of each request (it holds
    the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(db, in_process_requests):
    """Published and draft practices, with every kind of filter value in use."""
    call_command("load_reference_data", stdout=StringIO())
    call_command("generate_practices", "40", "--seed", "11", stdout=StringIO())
    call_command("generate_practices", "15", "--seed", "12", "--status", "draft", stdout=StringIO())
    # Every third practice belongs to a collection (kokonaisuus).
    collections = [make_collection(), make_collection()]
    for number, practice in enumerate(Practice.objects.order_by("pk")[::3]):
        practice.collection = collections[number % 2]
        practice.save(update_fields=["collection"])
    KNOWN.update(_known_values())
    assert all(KNOWN.values()), {name: len(values) for name, values in KNOWN.items()}
    yield
    KNOWN.clear()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_description(case, api_data):
    case.call_and_validate(checks=CHECKS if _is_api_address(case) else [not_a_server_error])
