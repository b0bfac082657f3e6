"""Spreadsheet imports started in the admin.

An upload is kept here while staff look at its preview, so that confirming it imports exactly
the file that was checked, and so that a large file can be checked and written by a background
task while the page shows how far it has got.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PracticeImport(models.Model):
    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Ready to import")
        INVALID = "invalid", _("Has errors")
        APPLYING = "applying", _("Importing")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.CHECKING, Status.APPLYING)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_imports",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    filename = models.CharField(_("file name"), max_length=255)
    sheet = models.CharField(_("worksheet"), max_length=100, blank=True)
    # The uploaded file, kept until it has been imported; never served.
    content = models.BinaryField(_("content"), editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    # The uploader's language: the preview and the errors are written in it.
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CHECKING
    )
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    # What the import would do (or did): counts, rows with their changes, errors.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    # Fingerprint of the checked plan: confirming imports only if the plan is still the same.
    digest = models.CharField(max_length=64, blank=True, editable=False)
    message = models.TextField(_("message"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("practice import")
        verbose_name_plural = _("practice imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.filename

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def is_stalled(self):
        """A background task that has not reported for a long time has stopped (its
        worker was restarted, say). Writing happens in one transaction, so a stopped
        import has written nothing."""
        minutes = getattr(settings, "PRACTICE_IMPORT_STALL_MINUTES", 15)
        return self.is_running and self.updated_at < timezone.now() - timedelta(minutes=minutes)

    @property
    def percent(self):
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))
