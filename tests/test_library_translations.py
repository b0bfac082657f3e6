"""Finnish and Swedish for the third-party apps whose own catalogues lack them.

locale_libraries/ (see its README) translates django-axes, django-otp, django-simple-history,
django-modeltranslation, django-import-export and django-filter. Without it a Finnish
administrator reads English in the admin's login records, and a Swedish one reads English or
the Finnish of the apps that have only Finnish (Finnish is the fallback language).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import make_organisation, make_practice
from tests.roles import log_in, make_persona

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale_libraries"
LANGUAGES = ("fi", "sv")
# The installed apps whose texts locale_libraries/ translates (their package names).
APPS = (
    "axes",
    "django_otp",
    "simple_history",
    "modeltranslation",
    "import_export",
    "django_filters",
)


def _po_file(language):
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def _gettext_tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} (Debian package gettext) is needed to check the translations")
    return path


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_entry(language):
    po_file = _po_file(language)
    assert po_file.exists(), f"{po_file} is missing"
    result = subprocess.run(
        [_gettext_tool("msgfmt"), "--check", "--statistics", "-o", "/dev/null", str(po_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip()
    assert "untranslated" not in statistics, f"{language}: {statistics}"
    assert "fuzzy" not in statistics, f"{language}: {statistics}"
    assert int(re.match(r"(\d+) translated", statistics).group(1)) > 100, statistics


@pytest.fixture(scope="module")
def extracted_catalogues(tmp_path_factory):
    """The texts of the installed APPS as makemessages finds them today: a .po file per
    language, extracted from copies of the apps (the README's refresh command)."""
    work = tmp_path_factory.mktemp("library_texts")
    (work / "locale").mkdir()
    skip = shutil.ignore_patterns("locale", "tests", "migrations", "__pycache__")
    for app in APPS:
        package = Path(__import__(app).__file__).parent
        shutil.copytree(package, work / app, ignore=skip)
    _gettext_tool("xgettext")
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-v", "0", "--add-location=file"]
        + [f"--locale={language}" for language in LANGUAGES],
        cwd=work,
        # Without the project's settings, makemessages writes only into work/locale.
        env={key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {
        language: work / "locale" / language / "LC_MESSAGES" / "django.po" for language in LANGUAGES
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_translates_every_text_of_the_installed_apps(language, extracted_catalogues):
    """Fails after an upgrade that brings new texts: refresh as locale_libraries/README.md says."""
    result = subprocess.run(
        [
            _gettext_tool("msgcmp"),
            "--no-fuzzy-matching",
            str(_po_file(language)),
            str(extracted_catalogues[language]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{language}: texts missing or untranslated:\n{result.stderr}"


def test_project_catalogue_comes_first():
    """Where the project's own catalogue and locale_libraries/ translate the same text, the
    project's translation is shown (the first of LOCALE_PATHS wins)."""
    paths = [Path(path).resolve() for path in settings.LOCALE_PATHS]
    project = LOCALE_DIR.parent / "locale"
    assert LOCALE_DIR in paths, "locale_libraries/ is not in LOCALE_PATHS"
    assert paths.index(project) < paths.index(LOCALE_DIR)


@pytest.mark.parametrize(
    ("model", "fi", "sv"),
    [
        (AccessAttempt, "kirjautumisyritykset", "inloggningsförsök"),
        (AccessFailureLog, "epäonnistuneet kirjautumiset", "misslyckade inloggningar"),
        (AccessLog, "kirjautumiset", "inloggningar"),
    ],
)
def test_login_record_models_are_named_in_finnish_and_swedish(model, fi, sv):
    with translation.override("fi"):
        assert str(model._meta.verbose_name_plural) == fi
    with translation.override("sv"):
        assert str(model._meta.verbose_name_plural) == sv


@pytest.mark.parametrize(
    ("text", "fi", "sv"),
    [
        # django-axes: a failed-login count's status in the admin's list ("3 försök kvar").
        ("Attempt Remaining", "yritystä jäljellä", "försök kvar"),
        # django-otp
        (
            "Invalid token. Please make sure you have entered it correctly.",
            "Virheellinen tunnistuskoodi. Varmista, että kirjoitit sen oikein.",
            "Ogiltig autentiseringskod. Kontrollera att du har skrivit den rätt.",
        ),
        # django-simple-history: the title of the history page of a user who may only view.
        ("View history: %s", "Muokkaushistoria: %s", "Historik: %s"),
        # django-import-export: the export page.
        (
            "This exporter will export the following fields: ",
            "Vienti sisältää seuraavat kentät: ",
            "Följande fält exporteras: ",
        ),
        # django-filter: its Finnish .po comes without a compiled catalogue.
        (
            "Multiple values may be separated by commas.",
            "Useita arvoja voi erottaa pilkuilla.",
            "Flera värden kan separeras med kommatecken.",
        ),
    ],
)
def test_library_texts_are_translated(text, fi, sv):
    with translation.override("fi"):
        assert translation.gettext(text) == fi
    with translation.override("sv"):
        assert translation.gettext(text) == sv


def test_otp_messages_have_plural_forms():
    text = (
        "Verification temporarily disabled because of %(failure_count)d failed attempt, "
        "please try again soon."
    )
    plural = text.replace("attempt,", "attempts,")
    with translation.override("sv"):
        assert "1 misslyckat försök" in translation.ngettext(text, plural, 1) % {"failure_count": 1}
        assert "3 misslyckade försök" in translation.ngettext(text, plural, 3) % {
            "failure_count": 3
        }
    with translation.override("fi"):
        assert "3 epäonnistuneen yrityksen vuoksi" in translation.ngettext(text, plural, 3) % {
            "failure_count": 3
        }


# --- What an administrator reads in the admin


@pytest.fixture
def administrator_client(client, db):
    a = make_organisation(name_fi="Alfan kaupunki")
    b = make_organisation(name_fi="Beetan hyvinvointialue")
    return log_in(client, make_persona("administrator", a, b))


def _get(client, language, name, *args):
    """The page at the admin URL `name` in `language` (the i18n URL prefix, /sv/admin/...,
    selects the language; Finnish, the default, has none)."""
    with translation.override(language):
        url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Language"] == language
    return response.text


def _model_names(html, app_label):
    return set(
        re.findall(rf'<th scope="row" id="{app_label}-\w+">\s*<a href="[^"]*">([^<]*)</a>', html)
    )


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("fi", {"Kirjautumisyritykset", "Epäonnistuneet kirjautumiset", "Kirjautumiset"}),
        ("sv", {"Inloggningsförsök", "Misslyckade inloggningar", "Inloggningar"}),
    ],
)
def test_admin_index_names_the_login_records_in_the_language(administrator_client, language, names):
    html = _get(administrator_client, language, "admin:index")
    assert _model_names(html, "axes") == names


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fi", ["Kirjautumisaika", "IP-osoite", "Selaintunniste", "3 yritystä jäljellä"]),
        ("sv", ["Inloggningstid", "IP-adress", "Användaragent", "3 försök kvar"]),
    ],
)
def test_failed_login_counts_list_is_in_the_language(administrator_client, language, expected):
    AccessAttempt.objects.create(
        username="coordinator_a",
        ip_address="192.0.2.1",
        user_agent="Firefox",
        get_data="",
        post_data="",
        failures_since_start=settings.AXES_FAILURE_LIMIT - 3,
    )
    html = _get(administrator_client, language, "admin:axes_accessattempt_changelist")
    for text in expected:
        assert text in html
    assert "Attempt Remaining" not in html


@pytest.mark.parametrize(
    ("language", "export_link", "export_action", "finnish_fallback"),
    [
        ("fi", ">Vie</a>", ">Vie valitut käytännöt</option>", None),
        ("sv", ">Exportera</a>", ">Exportera markerade praxis</option>", ">Vie</a>"),
    ],
)
def test_practice_list_offers_export_in_the_language(
    administrator_client, language, export_link, export_action, finnish_fallback
):
    make_practice()
    html = _get(administrator_client, language, "admin:practices_practice_changelist")
    assert export_link in html
    assert export_action in html
    if finnish_fallback:
        assert finnish_fallback not in html


def test_export_page_is_in_swedish(administrator_client):
    html = _get(administrator_client, "sv", "admin:practices_practice_export")
    assert "Följande fält exporteras:" in html
    assert 'value="Skicka"' in html
    assert "Lähetä" not in html


@pytest.mark.parametrize(
    ("language", "changed", "revert_title", "revert_button", "close"),
    [
        ("fi", "Muokattu", "Palauta Alfan perhekeskus", 'value="Palauta"', ">Sulje</a>"),
        ("sv", "Ändrad", "Återställ Alfan perhekeskus", 'value="Återställ"', ">Stäng</a>"),
    ],
)
def test_practice_history_is_in_the_language(
    administrator_client, language, changed, revert_title, revert_button, close
):
    practice = make_practice(name_fi="Alfan perhekeskus", organisation=make_organisation())
    practice.summary_fi = "Uusi kuvaus."
    practice.save()
    history = _get(administrator_client, language, "admin:practices_practice_history", practice.pk)
    # The kind of each version: the newest was a change.
    assert re.search(rf"<td>\s*{changed}\s*</td>", history)

    version = practice.history.earliest()
    page = _get(
        administrator_client,
        language,
        "admin:practices_practice_simple_history",
        practice.pk,
        version.history_id,
    )
    assert f"<h1>{revert_title}</h1>" in page
    assert revert_button in page
    assert close in page
