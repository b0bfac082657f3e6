import pytest
from django.db import transaction

from .corpus import load_catalogue


@pytest.fixture(scope="module")
def search_catalogue(django_db_setup, django_db_blocker):
    """The catalogue the cases expect, written once for a module of read-only tests and rolled
    back after it, so that other tests never see it. Tests that use it still need the django_db
    mark; their own transactions nest inside this one."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_catalogue()
        yield
        transaction.set_rollback(True)
