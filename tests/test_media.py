"""Uploaded files: attachments and cover images are checked by their content when uploaded,
and served (practices/media.py) only to those who may see their practice, with headers that
keep a browser from running anything in them."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from PIL import Image

from practices.models import Attachment, Practice
from practices.models import validators as validators_module
from practices.models.validators import validate_attachment_file, validate_image_file
from tests.admin_forms import browser_post_data
from tests.factories import make_organisation, make_practice
from tests.roles import PERSONAS, make_persona

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1"/></svg>'
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def image_bytes(image_format, size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format=image_format)
    return buffer.getvalue()


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ooxml(folder):
    return zip_bytes({"[Content_Types].xml": "<Types/>", f"{folder}/document.xml": "<x/>"})


def opendocument(kind):
    return zip_bytes(
        {"mimetype": f"application/vnd.oasis.opendocument.{kind}", "content.xml": "<x/>"}
    )


def refusal(validator, name, content):
    """The message (in English) with which `validator` refuses the upload, or None."""
    with translation.override("en"):
        try:
            validator(SimpleUploadedFile(name, content))
        except ValidationError as error:
            return " ".join(error.messages)
    return None


# Checking the content of uploads


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("kansi.png", image_bytes("PNG")),
        ("kansi.jpg", image_bytes("JPEG")),
        ("kansi.JPEG", image_bytes("JPEG")),
        ("kansi.webp", image_bytes("WEBP")),
    ],
)
def test_real_images_are_accepted(name, content):
    assert refusal(validate_image_file, name, content) is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("kansi.png", SVG),
        ("kansi.png", HTML),
        ("kansi.jpg", EXE),
        ("kansi.png", image_bytes("GIF")),
        ("kansi.png", image_bytes("PNG")[:40]),
        ("kansi.webp", b""),
    ],
    ids=["svg", "html", "exe", "gif", "truncated", "empty"],
)
def test_what_is_not_a_jpeg_png_or_webp_image_is_refused(name, content):
    assert refusal(validate_image_file, name, content) == (
        f"“{name}” is not a JPEG, PNG or WebP image, or the image is damaged."
    )


def test_svg_is_not_an_allowed_image_type():
    message = refusal(validate_image_file, "logo.svg", SVG)
    assert message == "Files of type “svg” are not allowed. Allowed types: jpg, jpeg, png, webp."


def test_an_image_whose_name_says_another_format_is_refused():
    assert refusal(validate_image_file, "kansi.jpg", image_bytes("PNG")) == (
        "“kansi.jpg” is a PNG image, but its name ends in .jpg. Rename it to end in .png and "
        "upload it again."
    )


def test_an_image_with_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(validators_module, "MAX_IMAGE_PIXELS", 1_000_000)
    assert refusal(validate_image_file, "kansi.png", image_bytes("PNG", (1000, 1000))) is None
    assert refusal(validate_image_file, "kansi.png", image_bytes("PNG", (1000, 1001))) == (
        "The image has more than 1 million pixels, the most allowed. Make it smaller and "
        "upload it again."
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ohje.pdf", PDF),
        ("ohje.docx", ooxml("word")),
        ("esitys.pptx", ooxml("ppt")),
        ("taulukko.xlsx", ooxml("xl")),
        ("ohje.odt", opendocument("text")),
        ("esitys.odp", opendocument("presentation")),
        ("taulukko.ods", opendocument("spreadsheet")),
        ("ohje.doc", OLE2),
        ("taulukko.xls", OLE2),
        ("esitys.ppt", OLE2),
        ("tilastot.csv", "Kunta;Käyntejä\nÄänekoski;12\n".encode()),
        ("tilastot.csv", "Kunta;Käyntejä\n".encode("cp1252")),
        ("lue.txt", "\ufeffLue minut.".encode("utf-16")),
        ("lue.txt", b"Vertaistuki < ammattilaisen tuki? Ei aina."),
        ("kuva.png", image_bytes("PNG")),
    ],
)
def test_real_attachments_are_accepted(name, content):
    assert refusal(validate_attachment_file, name, content) is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ohje.pdf", HTML),
        ("ohje.pdf", EXE),
        ("ohje.pdf", image_bytes("PNG")),
        ("ohje.pdf", b"<html>" + PDF),
        ("ohje.docx", PDF),
        ("ohje.docx", ooxml("xl")),
        ("ohje.docx", zip_bytes({"readme.txt": "not a document"})),
        ("ohje.docx", HTML + ooxml("word")),
        ("taulukko.xlsx", ooxml("word")),
        ("ohje.odt", opendocument("spreadsheet")),
        ("ohje.odt", ooxml("word")),
        ("ohje.doc", HTML),
        ("ohje.doc", ooxml("word")),
        ("lue.txt", HTML),
        ("lue.txt", b"  \n<svg onload='alert(1)'/>"),
        ("lue.txt", EXE),
        ("tilastot.csv", b"<?xml version='1.0'?><x/>"),
    ],
)
def test_an_attachment_whose_content_is_not_what_its_name_says_is_refused(name, content):
    extension = name.rsplit(".", 1)[1]
    assert refusal(validate_attachment_file, name, content) == (
        f"“{name}” is not really a .{extension} file: its content is of another type, or the "
        "file is damaged. Save the file again in the format its name says, and upload it."
    )


def test_an_image_attachment_is_checked_as_an_image():
    assert refusal(validate_attachment_file, "kuva.png", image_bytes("JPEG")) == (
        "“kuva.png” is a JPEG image, but its name ends in .png. Rename it to end in .jpg and "
        "upload it again."
    )


@pytest.mark.parametrize("name", ["ohje.exe", "sivu.html", "kuva.svg", "ohje"])
def test_other_types_are_refused_by_name(name):
    assert refusal(validate_attachment_file, name, PDF).startswith("Files of type ")


def test_the_file_is_read_from_its_start_after_the_check():
    upload = SimpleUploadedFile("ohje.docx", ooxml("word"))
    validate_attachment_file(upload)
    assert upload.read() == ooxml("word")


def test_the_admin_shows_why_an_attachment_was_refused(admin_client):
    practice = make_practice(name_fi="Perhekahvila")
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    form_page = admin_client.get(url)
    data = browser_post_data(form_page)
    (prefix,) = (
        inline.formset.prefix
        for inline in form_page.context["inline_admin_formsets"]
        if inline.formset.model is Attachment
    )
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-title_fi": "Ohje",
            f"{prefix}-0-file": SimpleUploadedFile("ohje.pdf", HTML, "application/pdf"),
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    with translation.override("fi"):
        message = translation.gettext(
            "“%(name)s” is not really a .%(extension)s file: its content is of another type, "
            "or the file is damaged. Save the file again in the format its name says, and "
            "upload it."
        ) % {"name": "ohje.pdf", "extension": "pdf"}
    assert escape(message) in response.text
    assert not Attachment.objects.exists()
    assert not default_storage.exists("attachments")


# Serving uploaded files


def attach(practice, name, content):
    return Attachment.objects.create(
        practice=practice, title_fi="Liite", file=ContentFile(content, name=name)
    )


def test_an_attachment_of_a_published_practice_is_a_download_for_everyone(client):
    attachment = attach(make_practice(), "ohje.pdf", PDF)

    response = client.get(attachment.file.url)

    assert attachment.file.url.startswith("/media/attachments/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "ohje" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["Content-Length"] == str(len(PDF))

    again = client.get(attachment.file.url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304


def test_a_cover_image_is_shown_inline(client):
    practice = make_practice()
    practice.cover_image = ContentFile(image_bytes("PNG"), name="kansi.png")
    practice.save()

    response = client.get(practice.cover_image.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert not response.get("Content-Disposition", "").startswith("attachment")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("sivu.txt", "text/plain"),
        ("sivu.html", "application/octet-stream"),
        ("kuva.svg", "application/octet-stream"),
        ("tilastot.csv", "text/csv"),
    ],
)
def test_a_stored_web_page_is_never_served_as_one(client, name, content_type):
    # Stored without the upload checks, as an older or imported file might have been.
    attachment = attach(make_practice(), name, HTML)

    response = client.get(attachment.file.url)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


DRAFT_FILE = {
    "anonymous": 404,
    "coordinator_a": 200,
    "coordinator_b": 404,
    "publisher": 200,
    "importer": 200,
    "administrator": 200,
}


@pytest.mark.parametrize("status", [Practice.Status.DRAFT, Practice.Status.ARCHIVED])
@pytest.mark.parametrize("persona", PERSONAS)
def test_files_of_an_unpublished_practice_only_for_its_editors(persona, status):
    a, b = make_organisation(), make_organisation()
    practice = make_practice(organisation=a, status=status)
    attachment = attach(practice, "luonnos.pdf", PDF)
    practice.cover_image = ContentFile(image_bytes("PNG"), name="luonnos.png")
    practice.save()
    client = Client()
    user = make_persona(persona, a, b)
    if user is not None:
        client.force_login(user)

    for url in (attachment.file.url, practice.cover_image.url):
        response = client.get(url)
        assert response.status_code == DRAFT_FILE[persona], url
        # Neither answer may be kept by a shared cache and given to somebody else.
        if response.status_code == 200:
            assert response["Cache-Control"] == "private, no-store"
            assert response["X-Content-Type-Options"] == "nosniff"
        else:
            assert "no-store" in response["Cache-Control"]
            assert "private" in response["Cache-Control"]


def test_a_file_stops_being_served_when_its_practice_is_unpublished(client):
    practice = make_practice()
    attachment = attach(practice, "ohje.pdf", PDF)
    assert client.get(attachment.file.url).status_code == 200

    practice.status = Practice.Status.DRAFT
    practice.save()

    assert client.get(attachment.file.url).status_code == 404


def test_a_file_of_no_practice_is_not_served_even_to_an_administrator(admin_client):
    name = default_storage.save("attachments/2026/irrallinen.pdf", ContentFile(PDF))

    assert admin_client.get(f"/media/{name}").status_code == 404


def test_a_missing_file_is_not_found(client):
    attachment = attach(make_practice(), "ohje.pdf", PDF)
    default_storage.delete(attachment.file.name)

    assert client.get(attachment.file.url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/../config/settings.py",
        "/media/attachments/%2e%2e/%2e%2e/config/settings.py",
        "/media/attachments/..%2f..%2fconfig/settings.py",
        "/media//etc/passwd",
        "/media/attachments\\..\\secret.pdf",
        "/media/attachments/%00.pdf",
        "/media/attachments/./ohje.pdf",
    ],
)
def test_paths_that_leave_the_media_folder_are_not_found(admin_client, path):
    assert admin_client.get(path).status_code == 404


def test_a_record_naming_a_file_outside_the_media_folder_is_not_served(admin_client, settings):
    outside = settings.MEDIA_ROOT.parent / "salainen.pdf"
    outside.write_bytes(PDF)
    attachment = attach(make_practice(), "ohje.pdf", PDF)
    Attachment.objects.filter(pk=attachment.pk).update(file="../salainen.pdf")

    assert admin_client.get("/media/../salainen.pdf").status_code == 404
    assert admin_client.get("/media/attachments/../../salainen.pdf").status_code == 404


def test_only_reading_is_allowed(client):
    attachment = attach(make_practice(), "ohje.pdf", PDF)

    assert client.head(attachment.file.url).status_code == 200
    assert client.post(attachment.file.url).status_code == 405
