"""A full disk: an upload that does not fit is refused with a clear message (507), nothing is
saved, no partial file is left behind, and the failure is logged as an error.

The disk is real: a 1 MB tmpfs, filled up to FREE_BYTES, mounted as MEDIA_ROOT (attachments,
cover images) or as FILE_UPLOAD_TEMP_DIR (where Django receives large uploads). Mounting
needs root; without it the tests are skipped, and fail under CI=true.
"""

import io
import logging
import os
import shutil
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from practices.models import Attachment, Feedback, PracticeImport
from tests.admin_forms import browser_post_data
from tests.factories import make_organisation, make_practice
from tests.roles import make_persona

# What is left free on the filled disk: less than any upload below.
FREE_BYTES = 64 * 1024
UPLOAD_BYTES = 300 * 1024
MESSAGE = (
    "The server's storage is full; nothing was saved. Try again later or tell the administrators."
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _free_bytes(path):
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


@pytest.fixture
def full_disk(tmp_path):
    """A mounted 1 MB tmpfs with FREE_BYTES left free (the rest taken by the file "filler")."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mount = shutil.which("mount")
    result = (
        subprocess.run(
            [mount, "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
            capture_output=True,
            text=True,
        )
        if mount
        else None
    )
    if result is None or result.returncode != 0:
        reason = "Cannot mount a tmpfs to fill up (needs root or CAP_SYS_ADMIN): " + (
            result.stderr.strip() if result else "no mount command"
        )
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        (mount_point / "filler").write_bytes(bytes(_free_bytes(mount_point) - FREE_BYTES))
        assert _free_bytes(mount_point) == FREE_BYTES
        yield mount_point
    finally:
        unmounted = subprocess.run(["umount", str(mount_point)], capture_output=True, text=True)
        if unmounted.returncode != 0:
            # Busy: a file on it is still open. Detach it all the same, and say so.
            subprocess.run(["umount", "--lazy", str(mount_point)], check=True)
            pytest.fail(f"The full disk was still in use: {unmounted.stderr.strip()}")


def _files(folder, *, besides=()):
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and path.name not in besides
    )


@pytest.fixture
def full_media_root(full_disk, settings):
    media = full_disk / "media"
    media.mkdir()
    # The default storage follows the setting (it clears its cached location when told).
    settings.MEDIA_ROOT = media
    assert default_storage.location == str(media)
    return media


@pytest.fixture
def full_temp_dir(full_disk, settings):
    """The temporary folder of large uploads on the full disk; uploads over 64 KB go there."""
    settings.FILE_UPLOAD_TEMP_DIR = str(full_disk)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    return full_disk


@pytest.fixture
def organisation(db):
    return make_organisation(name_fi="Organisaatio A")


@pytest.fixture
def coordinator_client(client, organisation):
    client.force_login(make_persona("coordinator_a", organisation, make_organisation()))
    return client


def _admin_url(name, *args):
    with translation.override("en"):
        return reverse(f"admin:{name}", args=args)


def _pdf(size=UPLOAD_BYTES, name="raportti.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n%" + os.urandom(size), content_type="application/pdf"
    )


def _png(name="kansikuva.png"):
    # Noise does not compress: about 300 KB.
    buffer = io.BytesIO()
    Image.frombytes("RGB", (320, 320), os.urandom(320 * 320 * 3)).save(buffer, format="PNG")
    assert buffer.tell() > 2 * FREE_BYTES
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _change_form_data(client, practice, **changes):
    """The practice's change form as a browser submits it, with `changes`."""
    url = _admin_url("practices_practice_change", practice.pk)
    data = browser_post_data(client.get(url))
    data.update(changes)
    return url, data


def _attachment(upload, title="Loppuraportti"):
    """An attachment added with the inline's "Add another" button (it has no empty form)."""
    return {
        "attachments-TOTAL_FORMS": "1",
        "attachments-0-title_fi": title,
        "attachments-0-file": upload,
        "attachments-0-order": "0",
    }


def _assert_storage_full_in_admin(response, caplog):
    assert response.status_code == 507
    page = response.text
    assert MESSAGE in page
    # The admin's look: its header and breadcrumbs, and the way back to the form.
    assert 'id="site-name"' in page and 'class="breadcrumbs"' in page
    assert "Use your browser's Back button to return to the form." in page
    assert page.count("<h1") == 1
    assert response.headers["Cache-Control"].startswith("max-age=0")
    errors = [r for r in caplog.records if r.name == "config.storage"]
    assert [r.levelno for r in errors] == [logging.ERROR]
    assert "No space left on device" in errors[0].getMessage()


# --- MEDIA_ROOT is full ---------------------------------------------------------------------


def test_an_attachment_that_does_not_fit_saves_nothing(
    coordinator_client, organisation, full_media_root, caplog
):
    practice = make_practice(name_fi="Perhekeskus", organisation=organisation)
    url, data = _change_form_data(
        coordinator_client,
        practice,
        name_fi="Perhekeskus, muutettu",
        **_attachment(_pdf()),
    )

    with caplog.at_level(logging.ERROR):
        response = coordinator_client.post(url, data)

    _assert_storage_full_in_admin(response, caplog)
    assert not Attachment.objects.exists()
    # The whole form was rolled back, the practice's own fields included.
    practice.refresh_from_db()
    assert practice.name_fi == "Perhekeskus"
    assert _files(full_media_root) == []
    assert _free_bytes(full_media_root) == FREE_BYTES


def test_a_cover_image_that_does_not_fit_saves_nothing(
    coordinator_client, organisation, full_media_root, caplog
):
    practice = make_practice(name_fi="Perhekeskus", organisation=organisation)
    url, data = _change_form_data(
        coordinator_client,
        practice,
        name_fi="Perhekeskus, muutettu",
        cover_image=_png(),
        cover_image_alt_fi="Perhe keittiössä.",
    )

    with caplog.at_level(logging.ERROR):
        response = coordinator_client.post(url, data)

    _assert_storage_full_in_admin(response, caplog)
    practice.refresh_from_db()
    assert (practice.name_fi, practice.cover_image.name) == ("Perhekeskus", "")
    assert _files(full_media_root) == []
    assert _free_bytes(full_media_root) == FREE_BYTES


def test_an_upload_that_fits_is_saved_whole_under_its_own_name(
    coordinator_client, organisation, full_media_root
):
    practice = make_practice(name_fi="Perhekeskus", organisation=organisation)
    small = b"%PDF-1.4\n" + os.urandom(20 * 1024)
    url, data = _change_form_data(
        coordinator_client,
        practice,
        **_attachment(SimpleUploadedFile("esite.pdf", small), title="Esite"),
    )

    response = coordinator_client.post(url, data)

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.file.name.startswith("attachments/") and attachment.file.name.endswith(".pdf")
    assert _files(full_media_root) == [attachment.file.name]
    assert (full_media_root / attachment.file.name).read_bytes() == small


def test_the_storage_gives_a_taken_name_a_new_one_and_leaves_no_temporary_file(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    first = default_storage.save("attachments/esite.pdf", ContentFile(b"first"))
    second = default_storage._save("attachments/esite.pdf", ContentFile(b"second"))

    assert first == "attachments/esite.pdf"
    assert second != first and second.startswith("attachments/esite_")
    assert (tmp_path / first).read_bytes() == b"first"
    assert (tmp_path / second).read_bytes() == b"second"
    assert _files(tmp_path) == sorted([first, second])


# --- FILE_UPLOAD_TEMP_DIR is full -----------------------------------------------------------


def test_a_spreadsheet_that_does_not_fit_to_be_received_is_not_imported(
    client, organisation, full_temp_dir, caplog
):
    client.force_login(make_persona("importer", organisation, make_organisation()))
    upload = SimpleUploadedFile("kaytannot.xlsx", os.urandom(UPLOAD_BYTES), XLSX_TYPE)

    with caplog.at_level(logging.ERROR):
        response = client.post(_admin_url("practices_practice_import"), {"import_file": upload})

    _assert_storage_full_in_admin(response, caplog)
    assert not PracticeImport.objects.exists()
    assert _files(full_temp_dir, besides={"filler"}) == []
    assert _free_bytes(full_temp_dir) == FREE_BYTES


def test_a_large_attachment_that_does_not_fit_to_be_received_saves_nothing(
    coordinator_client, organisation, full_temp_dir, settings, tmp_path, caplog
):
    practice = make_practice(name_fi="Perhekeskus", organisation=organisation)
    url, data = _change_form_data(
        coordinator_client,
        practice,
        name_fi="Perhekeskus, muutettu",
        **_attachment(_pdf()),
    )

    with caplog.at_level(logging.ERROR):
        response = coordinator_client.post(url, data)

    _assert_storage_full_in_admin(response, caplog)
    assert not Attachment.objects.exists()
    practice.refresh_from_db()
    assert practice.name_fi == "Perhekeskus"
    assert _files(full_temp_dir, besides={"filler"}) == []
    assert _free_bytes(full_temp_dir) == FREE_BYTES


def test_a_public_page_says_so_in_the_sites_look(client, db, full_temp_dir, caplog):
    # No public form takes files, but a request may send one all the same.
    data = {"message": "Hyvä palvelu.", "liite": _pdf()}

    with caplog.at_level(logging.ERROR):
        with translation.override("en"):
            url = reverse("practices:feedback")
        response = client.post(url, data)

    assert response.status_code == 507
    page = response.text
    assert 'class="site-header"' in page and 'id="main-content"' in page
    assert page.count("<h1") == 1
    assert not Feedback.objects.exists()
    assert _files(full_temp_dir, besides={"filler"}) == []
    assert [r.levelno for r in caplog.records if r.name == "config.storage"] == [logging.ERROR]
