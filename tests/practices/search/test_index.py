"""The search index keeps in step with practices and with everything their cards show."""

import importlib
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import translation

from practices.models import (
    Practice,
    PracticeOrganisation,
    PracticeSearchDocument,
    Recognition,
    SearchTerm,
)
from practices.search import filter_by_text, index_practices, suggest_query
from practices.signals import index_unindexed_practices
from tests.factories import (
    make_collection,
    make_municipality,
    make_organisation,
    make_practice,
    make_theme,
)
from tests.practices.test_demo_data import reference_data  # noqa: F401 - a fixture

from .conftest import search

pytestmark = pytest.mark.django_db


def bulk_practices(*names):
    """Practices written the way bulk commands write them: without signals."""
    return Practice.objects.bulk_create(
        Practice(
            name=name,
            name_fi=name,
            slug=f"bulk-{name.lower()}-{number}",
            summary_fi="Lyhyt kuvaus.",
            status=Practice.Status.PUBLISHED,
        )
        for number, name in enumerate(names)
    )


def test_new_practice_is_found_once_committed(committed):
    with committed():
        make_practice(name_fi="Perhekeskus")
    assert search("perhekeskus") == ["Perhekeskus"]


def test_changes_wait_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_practice(name_fi="Perhekeskus")
    assert search("perhekeskus") == []
    for callback in callbacks:
        callback()
    assert search("perhekeskus") == ["Perhekeskus"]


def test_renamed_practice_is_found_by_its_new_name_only(committed):
    with committed():
        practice = make_practice(name_fi="Perhekeskus")
    with committed():
        practice.name_fi = "Nuorisotalo"
        practice.save()
    assert search("perhekeskus") == []
    assert search("nuorisotalo") == ["Nuorisotalo"]


def test_many_changes_in_one_transaction_index_each_practice_once(committed, monkeypatch):
    import practices.search

    calls = []
    real = practices.search.index_practices
    monkeypatch.setattr(
        practices.search, "index_practices", lambda ids, **kw: calls.append(ids) or real(ids, **kw)
    )
    theme = make_theme(name_fi="Mielenterveys")
    with committed():
        practice = make_practice(name_fi="Perhekeskus", organisation=make_organisation())
        practice.themes.add(theme)
        practice.save()
        Recognition.objects.create(practice=practice, award_fi="Palkinto", year=2024)
    assert calls == [[practice.pk]]
    assert search("mielenterveys palkinto") == ["Perhekeskus"]


@pytest.mark.parametrize("side", ["practice", "theme"])
def test_adding_and_removing_a_theme_from_either_side(committed, side):
    theme = make_theme(name_fi="Päihteet")
    with committed():
        practice = make_practice(name_fi="Malli")
    with committed():
        if side == "practice":
            practice.themes.add(theme)
        else:
            theme.practices.add(practice)
    assert search("päihteet") == ["Malli"]
    with committed():
        if side == "practice":
            practice.themes.remove(theme)
        else:
            theme.practices.remove(practice)
    assert search("päihteet") == []
    with committed():
        practice.themes.add(theme)
    with committed():
        if side == "practice":
            practice.themes.clear()
        else:
            theme.practices.clear()
    assert search("päihteet") == []


def test_renamed_theme_is_found_by_its_new_name(committed):
    theme = make_theme(name_fi="Päihteet")
    with committed():
        make_practice(name_fi="Malli").themes.add(theme)
    with committed():
        theme.name_fi = "Riippuvuudet"
        theme.save()
    assert search("päihteet") == []
    assert search("riippuvuudet") == ["Malli"]


def test_deleted_theme_is_no_longer_found(committed):
    theme = make_theme(name_fi="Päihteet")
    with committed():
        make_practice(name_fi="Malli").themes.add(theme)
    with committed():
        theme.delete()
    assert search("päihteet") == []


def test_renamed_organisation_is_found_by_its_new_name(committed):
    organisation = make_organisation(name_fi="Sininauhaliitto")
    with committed():
        make_practice(name_fi="Malli", organisation=organisation)
    assert search("sininauhaliitto") == ["Malli"]
    with committed():
        organisation.name_fi = "Sininauha ry"
        organisation.save()
    assert search("sininauhaliitto") == []
    assert search("sininauha") == ["Malli"]


def test_saving_an_organisation_unchanged_reindexes_nothing(committed, monkeypatch):
    import practices.search

    organisation = make_organisation(name_fi="Sininauhaliitto")
    with committed():
        make_practice(name_fi="Malli", organisation=organisation)
    monkeypatch.setattr(practices.search, "index_practices", pytest.fail)
    with committed():
        organisation.website = "https://example.fi"
        organisation.save()


def test_organisation_role_added_and_removed(committed):
    organisation = make_organisation(name_fi="Sininauhaliitto")
    with committed():
        practice = make_practice(name_fi="Malli")
    with committed():
        role = PracticeOrganisation.objects.create(
            practice=practice, organisation=organisation, unit="Nuorisopalvelut"
        )
    assert search("sininauhaliitto nuorisopalvelut") == ["Malli"]
    with committed():
        role.delete()
    assert search("sininauhaliitto") == []


def test_recognition_award_is_found(committed):
    with committed():
        practice = make_practice(name_fi="Malli")
        Recognition.objects.create(practice=practice, award_fi="Vuoden teko", year=2024)
    assert search("vuoden teko") == ["Malli"]


def test_renamed_municipality_is_found_in_finnish_and_swedish(committed):
    municipality = make_municipality(name_fi="Kunta", name_sv="Kommun")
    with committed():
        make_practice(name_fi="Malli").municipalities.add(municipality)
    with committed():
        municipality.name_fi = "Raasepori"
        municipality.name_sv = "Raseborg"
        municipality.save()
    assert search("raasepori") == ["Malli"]
    with translation.override("sv"):
        assert search("raseborg") == ["Malli"]


def test_deleted_collection_leaves_the_index(committed):
    collection = make_collection(name_fi="Tulevaisuuden sosiaali- ja terveyskeskus")
    with committed():
        make_practice(name_fi="Malli", collection=collection)
    assert search("tulevaisuuden") == ["Malli"]
    with committed():
        collection.delete()
    assert search("tulevaisuuden") == []


def test_deleted_practice_leaves_the_index_and_the_vocabulary(committed):
    with committed():
        practice = make_practice(name_fi="Vanhempainilta")
        make_practice(name_fi="Perhekahvila")
    assert suggest_query("vanhempainlita") == "vanhempainilta"
    with committed():
        practice.delete()
    assert not PracticeSearchDocument.objects.filter(pk=practice.pk).exists()
    assert not SearchTerm.objects.filter(term="vanhempainilta").exists()
    assert suggest_query("vanhempainlita") is None
    assert search("perhekahvila") == ["Perhekahvila"]


def test_vocabulary_counts_the_published_practices_with_each_word(committed):
    with committed():
        first = make_practice(name_fi="Perhekahvila")
        make_practice(name_fi="Perhekahvila kirjastossa")
        make_practice(name_fi="Perhekahvila luonnos", status=Practice.Status.DRAFT)
    assert SearchTerm.objects.get(term="perhekahvila").document_frequency == 2
    assert not SearchTerm.objects.filter(term="luonnos").exists()
    with committed():
        first.status = Practice.Status.ARCHIVED
        first.save()
    assert SearchTerm.objects.get(term="perhekahvila").document_frequency == 1


def test_unpublishing_is_the_querysets_concern(committed):
    with committed():
        practice = make_practice(name_fi="Perhekeskus")
    with committed():
        practice.status = Practice.Status.DRAFT
        practice.save()
    assert search("perhekeskus") == []
    assert search("perhekeskus", Practice.objects.all()) == ["Perhekeskus"]


def test_index_practices_indexes_bulk_written_practices():
    practices = bulk_practices("Perhekeskus", "Kerho")
    assert search("perhekeskus") == []
    assert index_practices(Practice.objects.filter(search_document__isnull=True)) == 2
    assert search("perhekeskus") == ["Perhekeskus"]
    assert index_practices([practices[1].pk]) == 1
    assert PracticeSearchDocument.objects.count() == 2


def test_index_practices_drops_documents_of_practices_that_are_gone():
    practice, _other = bulk_practices("Perhekeskus", "Kerho")
    index_practices(Practice.objects.all())
    Practice.objects.filter(pk=practice.pk)._raw_delete("default")
    index_practices([practice.pk])
    assert list(PracticeSearchDocument.objects.values_list("practice__name", flat=True)) == [
        "Kerho"
    ]
    assert not SearchTerm.objects.filter(term="perhekeskus").exists()


def test_missing_documents_are_indexed_after_migrate():
    bulk_practices("Perhekeskus")
    out = StringIO()
    with translation.override("en"):
        index_unindexed_practices(sender=None, using="default", stdout=out)
    assert search("perhekeskus") == ["Perhekeskus"]
    assert "Indexed 1 practice for search." in out.getvalue()


def test_rebuild_command_indexes_everything_from_scratch():
    bulk_practices("Perhekeskus", "Kerho", "Vanhempainilta")
    PracticeSearchDocument.objects.create(practice_id=bulk_practices("Vanha")[0].pk, words="x")
    SearchTerm.objects.create(term="vanhentunut", folded="vanhentunut", document_frequency=9)
    out = StringIO()
    with translation.override("en"):
        call_command("rebuild_search_index", batch_size=2, stdout=out, stderr=StringIO())
    output = out.getvalue()
    assert "Indexed 2 of 4 practices" in output
    assert "Indexed 4 of 4 practices" in output
    assert "Search index rebuilt: 4 practices" in output
    assert search("perhekeskus") == ["Perhekeskus"]
    assert search("vanha") == ["Vanha"]
    assert not SearchTerm.objects.filter(term="vanhentunut").exists()
    assert SearchTerm.objects.get(term="kerho").document_frequency == 1


def test_rebuild_command_can_run_without_voikko(no_voikko):
    bulk_practices("Perhekeskuksessa")
    err = StringIO()
    with translation.override("en"):
        call_command("rebuild_search_index", stdout=StringIO(), stderr=err)
    assert "Voikko is not available" in err.getvalue()
    assert search("perhekeskuksessa") == ["Perhekeskuksessa"]


@pytest.mark.usefixtures("reference_data")
def test_generated_practices_are_indexed():
    with translation.override("en"):
        call_command("generate_practices", 5, seed=3, stdout=StringIO())
    assert PracticeSearchDocument.objects.count() == 5
    practice = Practice.objects.order_by("pk").first()
    assert practice.pk in filter_by_text(Practice.objects.all(), practice.name_fi).values_list(
        "pk", flat=True
    )


@pytest.mark.usefixtures("reference_data")
def test_demo_practices_are_indexed_when_the_load_commits(committed):
    with committed(), translation.override("en"):
        call_command("load_demo_data", stdout=StringIO())
    assert PracticeSearchDocument.objects.count() == Practice.objects.count() > 0
    assert "seudulliset-vanhempainillat" in filter_by_text(
        Practice.objects.published(), "vanhempainillat"
    ).values_list("slug", flat=True)


def test_migration_refuses_an_sqlite_without_trigram_support(monkeypatch):
    migration = importlib.import_module("practices.migrations.0002_search_index")
    monkeypatch.setattr(migration.sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(migration.sqlite3, "sqlite_version", "3.31.1")
    with pytest.raises(ImproperlyConfigured, match=r"SQLite 3\.34 or newer.*3\.31\.1"):
        migration.check_sqlite(schema_editor=None)
