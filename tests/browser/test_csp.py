"""The Content-Security-Policy in a real browser: Chromium reports no violation on the public
pages or in the admin (its login, index, change list, change form with inlines, history, the
spreadsheet import and export pages and the authenticator device pages), and the pages'
JavaScript still works under the policy."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from import_export.forms import SelectableFieldsExportForm
from import_export.resources import ModelResource

from practices.models import Practice

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password-1"

# Each page records the violations the browser reports in it.
LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber}) ${event.sample}`
  );
});
"""
# Resolves once the events queued so far have been dispatched.
REPORTED_VIOLATIONS = (
    "() => new Promise((done) => setTimeout(() => done(window.cspViolations), 50))"
)
POLICY_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")


@pytest.fixture
def watched_page(new_page):
    """A page whose `violations` list collects, for each page visited with visit(), what the
    browser reported: securitypolicyviolation events and policy errors on the console."""
    page = new_page()
    page.violations = []
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            page.violations.append(f"{page.url}: {message.text}")
            if message.type in ("error", "warning")
            and any(word in message.text for word in POLICY_WORDS)
            else None
        ),
    )

    def check():
        for violation in page.evaluate(REPORTED_VIOLATIONS):
            page.violations.append(f"{page.url}: {violation}")

    def visit(path):
        response = page.goto(path)
        assert response.status < 400, (path, response.status)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        check()

    page.visit = visit
    page.check_violations = check
    return page


@pytest.fixture
def administrator(live_site):
    with live_site.quiet():
        user = get_user_model().objects.create_superuser("csp-admin", "csp@example.fi", PASSWORD)
        # Not confirmed: the login asks for no code, and the device pages have a device.
        user.device = TOTPDevice.objects.create(user=user, name="Puhelin", confirmed=False)
    return user


def log_in(page):
    page.visit(reverse("admin:login"))
    page.fill("input[name=username]", "csp-admin")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("#login-form [type=submit]")
    assert page.url.endswith(reverse("admin:index")), page.url
    page.check_violations()


def test_public_pages_report_no_violations(watched_page, world):
    page = watched_page
    page.visit(reverse("practices:home"))
    page.visit(reverse("practices:list") + f"?q={world.query}")
    page.visit(world.practice.get_absolute_url())
    page.visit(world.organisation.get_absolute_url())
    page.visit(reverse("directory:statistics"))
    page.visit(reverse("practices:propose"))

    assert page.violations == []


def test_admin_pages_report_no_violations_and_their_scripts_work(
    watched_page, world, administrator
):
    page = watched_page
    log_in(page)
    page.visit(reverse("admin:index"))

    # The change list: the "select all" checkbox of the actions selects every row.
    page.visit(reverse("admin:practices_practice_changelist"))
    rows = page.locator("input.action-select")
    assert rows.count() > 1
    page.check("#action-toggle")
    assert all(rows.nth(i).is_checked() for i in range(rows.count()))
    page.check_violations()

    # The change form: "Add another" adds an attachment form; the autocompletes and the
    # two-box selectors are built.
    page.visit(reverse("admin:practices_practice_change", args=[world.practice.pk]))
    forms = page.locator("#attachments-group .inline-related:not(.empty-form)")
    before = forms.count()
    page.click("#attachments-group .add-row a")
    assert forms.count() == before + 1
    assert page.locator(".select2-container").count() > 0
    assert page.locator(".selector-available").count() > 0
    page.check_violations()

    page.visit(reverse("admin:practices_practice_history", args=[world.practice.pk]))
    page.visit(reverse("admin:practices_practice_import"))

    # The export page submits its form and the browser gets the file.
    page.visit(reverse("admin:practices_practice_export"))
    page.select_option("select[name=format]", index=1)
    with page.expect_download() as download:
        page.click(".submit-row [type=submit]")
    assert download.value.suggested_filename.startswith("kaytannot-")
    page.check_violations()

    page.visit(reverse("admin:two_factor"))
    page.visit(reverse("admin:otp_totp_totpdevice_changelist"))
    page.visit(reverse("admin:otp_totp_totpdevice_change", args=[administrator.device.pk]))

    assert page.violations == []


class PracticeFields(ModelResource):
    class Meta:
        model = Practice
        fields = ("name_fi", "slug", "status")


def test_select_all_on_the_export_page_of_selectable_fields(
    watched_page, world, administrator, monkeypatch
):
    # The library's default export form (this site's export has fixed columns) lists the
    # fields as checkboxes under a "Select all" checkbox.
    model_admin = admin.site.get_model_admin(Practice)
    monkeypatch.setattr(model_admin, "export_form_class", SelectableFieldsExportForm)
    monkeypatch.setattr(model_admin, "resource_classes", [PracticeFields])
    page = watched_page
    log_in(page)

    page.visit(reverse("admin:practices_practice_export"))
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]:not(.select-toggle)')
    assert fields.count() == 3
    assert all(fields.nth(i).is_checked() for i in range(3))
    page.uncheck("input.select-toggle")
    assert not any(fields.nth(i).is_checked() for i in range(3))
    page.click("label[for=select-all-toggle]")
    assert all(fields.nth(i).is_checked() for i in range(3))
    page.check_violations()

    assert page.violations == []
