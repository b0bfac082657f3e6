"""Backups (`manage.py backup_site`) and restores (`manage.py restore_site`), run for real on
the database of the test run (SQLite, or PostgreSQL through pg_dump, pg_restore and psql)."""

import json
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command as django_call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import translation

from practices.models import Attachment, Practice, SearchIndexRevision
from tests.factories import make_organisation, make_practice, make_theme

pytestmark = pytest.mark.django_db(transaction=True)

# A small valid PDF, and bytes of every value, so that any change of a byte shows.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BINARY = bytes(range(256)) * 40

# What a backup must bring back exactly. The search index revision is left out: a restore
# renews it, so that every process rebuilds its in-memory index.
SNAPSHOT_APPS = ("practices", "organisations", "contacts", "auth")
NOT_SNAPSHOT = {SearchIndexRevision}


def call_command(*args, **kwargs):
    """Run a command with its messages in English, the language of the msgids."""
    out = StringIO()
    with translation.override("en"):
        django_call_command(*args, stdout=out, stderr=out, **kwargs)
    return out.getvalue()


def backup(tmp_path):
    call_command("backup_site", output_dir=str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("kaytantopankki-*.tar")
    return archive


def restore(archive):
    return call_command("restore_site", str(archive), yes=True)


def media_root():
    return Path(settings.MEDIA_ROOT)


def media_files():
    """{relative path: bytes} of every file under MEDIA_ROOT."""
    root = media_root()
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def database_rows():
    """Every row of the site's own tables (practices in every language, their versions,
    attachments, organisations, contacts, users), by model."""
    rows = {}
    for app_label in SNAPSHOT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model in NOT_SNAPSHOT or not model._meta.managed or model._meta.proxy:
                continue
            rows[model._meta.label] = list(model._base_manager.order_by("pk").values())
    return rows


def make_site():
    """Two practices with translations, versions, a theme and attachments with files."""
    organisation = make_organisation(name_fi="Esimerkkilän kaupunki")
    theme = make_theme(name_fi="Mielenterveys", name_sv="Mental hälsa")
    practice = make_practice(
        organisation=organisation,
        name_fi="Perhekeskuksen ilta",
        name_sv="Familjecentrets kväll",
        name_en="Family centre evening",
        summary_fi="Vanhempainilta perhekeskuksessa.",
    )
    practice.themes.add(theme)
    practice.solution_fi = "Ilta pidetään kerran kuussa."
    practice.save()  # a second version
    Attachment.objects.create(
        practice=practice, title_fi="Ohje", file=ContentFile(PDF, name="ohje.pdf")
    )
    Attachment.objects.create(
        practice=practice, title_fi="Liite", file=ContentFile(BINARY, name="liite-ä.bin")
    )
    other = make_practice(name_fi="Kotikäynnit ikäihmisille", organisation=organisation)
    return practice, other


def change_everything(practice, other):
    """Edits after the backup: changed and new texts, a deleted practice, changed and removed
    and new files."""
    practice.name_sv = "Ändrat namn"
    practice.save()
    other.delete()
    make_practice(name_fi="Uusi käytäntö varmuuskopion jälkeen")
    attachment = practice.attachments.get(title_fi="Ohje")
    Path(attachment.file.path).write_bytes(b"overwritten")
    Path(practice.attachments.get(title_fi="Liite").file.path).unlink()
    (media_root() / "stray.txt").write_text("not in the backup")


def test_restore_brings_back_practices_translations_history_and_files(tmp_path, client):
    practice, other = make_site()
    rows, files = database_rows(), media_files()
    assert len(files) == 2
    assert Practice.history.filter(id=practice.pk).count() >= 2

    archive = backup(tmp_path)
    change_everything(practice, other)
    assert database_rows() != rows
    assert client.get(reverse("practices:list")).status_code == 200  # builds the list's index

    output = restore(archive)

    assert "Restore complete. Practices: 2, organisations: 1." in output
    assert database_rows() == rows
    assert media_files() == files
    restored = Practice.objects.get(pk=practice.pk)
    assert (restored.name_fi, restored.name_sv, restored.name_en) == (
        "Perhekeskuksen ilta",
        "Familjecentrets kväll",
        "Family centre evening",
    )
    assert [version.name_sv for version in restored.history.order_by("history_id")][-1] == (
        "Familjecentrets kväll"
    )
    # The public list shows the practices of the archive, not those of before the restore.
    page = client.get(reverse("practices:list")).content.decode()
    assert "Kotikäynnit ikäihmisille" in page
    assert "Uusi käytäntö varmuuskopion jälkeen" not in page
    # The restore's work folders are gone.
    assert sorted(path.name for path in media_root().iterdir()) == ["attachments"]


def test_archive_holds_the_database_the_files_and_a_manifest_with_checksums(tmp_path):
    make_site()

    archive = backup(tmp_path)

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format_version"] == 1
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["counts"]["practices"] == 2
    assert manifest["counts"]["organisations"] == 1
    assert manifest["latest_migrations"]["practices"] == max(
        name
        for app, name in MigrationRecorder(connection).applied_migrations()
        if app == "practices"
    )
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(names) == set(listed) | {"manifest.json"}
    assert sorted(name for name in names if name.startswith("media/")) == sorted(
        f"media/{path}" for path in media_files()
    )
    assert all(len(entry["sha256"]) == 64 and entry["size"] > 0 for entry in listed.values())
    # The archive may hold personal data: only its owner may read it.
    assert archive.stat().st_mode & 0o077 == 0


def _damage_member(archive, name):
    """Flip one byte in the middle of a member's data."""
    with tarfile.open(archive) as tar:
        member = tar.getmember(name)
        offset = member.offset_data + member.size // 2
    with open(archive, "r+b") as file:
        file.seek(offset)
        byte = file.read(1)
        file.seek(offset)
        file.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("damage", ["database", "file", "truncated"])
def test_damaged_archive_is_refused_and_changes_nothing(tmp_path, damage):
    practice, other = make_site()
    archive = backup(tmp_path)
    change_everything(practice, other)
    rows, files = database_rows(), media_files()
    if damage == "database":
        _damage_member(
            archive, "database.pgdump" if connection.vendor == "postgresql" else "database.sqlite3"
        )
    elif damage == "file":
        (attachment,) = Attachment.objects.filter(title_fi="Ohje")
        _damage_member(archive, f"media/{attachment.file.name}")
    else:
        with open(archive, "r+b") as file:
            file.truncate(archive.stat().st_size // 2)

    with pytest.raises(CommandError, match="damaged.*Nothing was changed"):
        restore(archive)

    assert database_rows() == rows
    assert media_files() == files
    assert not [path for path in media_root().iterdir() if path.name.startswith(".restore-")]


def test_archive_of_newer_migrations_is_refused(tmp_path):
    """An archive made by a newer version of the site (its database has a migration this code
    lacks) is refused: the code could not read that database."""
    practice, other = make_site()
    recorder = MigrationRecorder(connection)
    recorder.record_applied("practices", "9999_from_a_newer_version")
    try:
        archive = backup(tmp_path)
    finally:
        recorder.record_unapplied("practices", "9999_from_a_newer_version")
    change_everything(practice, other)
    rows, files = database_rows(), media_files()

    with pytest.raises(CommandError, match=r"practices\.9999_from_a_newer_version"):
        restore(archive)

    assert database_rows() == rows
    assert media_files() == files


def test_archive_older_than_the_code_is_restored_and_migrated(tmp_path):
    """After an upgrade, the backup taken before it restores, and is migrated: also when the
    database has tables of the newer migrations, which the restore must remove first."""
    call_command("migrate", "practices", "0009_practice_version", verbosity=0)
    try:
        practice = make_practice(name_fi="Ennen päivitystä")
        archive = backup(tmp_path)
    finally:
        call_command("migrate", verbosity=0)
    Feedback = apps.get_model("practices", "Feedback")
    Feedback.objects.create(message="Palaute päivityksen jälkeen")
    make_practice(name_fi="Päivityksen jälkeen")

    output = restore(archive)

    assert "will be migrated" in output
    assert list(Practice.objects.values_list("name_fi", flat=True)) == [practice.name_fi]
    assert not Feedback.objects.exists()
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("practices", "0010_feedback") in applied


def test_restore_without_confirmation_changes_nothing(tmp_path):
    practice, other = make_site()
    archive = backup(tmp_path)
    change_everything(practice, other)
    rows, files = database_rows(), media_files()

    with pytest.raises(CommandError, match="Pass --yes to confirm"):
        call_command("restore_site", str(archive))

    assert database_rows() == rows
    assert media_files() == files


def test_file_that_is_not_an_archive_is_refused(tmp_path):
    make_practice()
    rows = database_rows()
    not_an_archive = tmp_path / "kaytantopankki.tar"
    not_an_archive.write_bytes(b"this is not a tar archive" * 100)

    with pytest.raises(CommandError, match="damaged or is not a backup"):
        restore(not_an_archive)

    assert database_rows() == rows
