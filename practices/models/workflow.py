"""The steps of a practice through the editorial workflow: who moved it, when, and why."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .practice import Practice


class PracticeTransition(models.Model):
    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("practice"),
    )
    # Empty for the first step of a new practice.
    from_status = models.CharField(
        _("from"), max_length=20, choices=Practice.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Practice.Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.practice}: {self.from_status or '–'} → {self.to_status}"
