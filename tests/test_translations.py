"""The Finnish and Swedish catalogues are complete and well-formed.

The code's own texts are English msgids; a Finnish or Swedish reader must never meet one.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_catalogue_is_complete_and_well_formed(language):
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt (Debian package gettext) is needed to check the translations")
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    assert po_file.exists(), f"{po_file} is missing"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    stats = result.stderr
    assert "untranslated" not in stats, f"{language}: {stats.strip()}"
    assert "fuzzy" not in stats, f"{language}: {stats.strip()}"
    assert int(re.match(r"(\d+) translated", stats).group(1)) > 100


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fi", "käytäntö"), ("sv", "praxis"), ("en", "practice")],
)
def test_model_names_are_translated(language, expected):
    from practices.models import Practice

    with translation.override(language):
        assert str(Practice._meta.verbose_name).lower() == expected


@pytest.mark.django_db
def test_commands_speak_finnish_by_default():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_reference_data", "--lookups-only", stdout=out)
    assert "Teemat: luotu 17, jo olemassa ja jätetty ennalleen 0." in out.getvalue()
