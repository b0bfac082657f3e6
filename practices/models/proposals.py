"""Practices proposed by the public through the "propose a practice" form."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .practice import Practice


class PracticeProposal(models.Model):
    """Who proposed a practice, and how to reach them. The proposal itself is a practice
    waiting for review: it is never published without an editor."""

    practice = models.OneToOneField(
        Practice,
        on_delete=models.CASCADE,
        related_name="proposal",
        verbose_name=_("practice"),
    )
    name = models.CharField(_("proposer's name"), max_length=200)
    email = models.EmailField(_("proposer's e-mail address"))
    organisation = models.CharField(_("proposer's organisation"), max_length=200, blank=True)
    message = models.TextField(_("message to the editors"), blank=True)
    language = models.CharField(_("language of the form"), max_length=10)
    # A keyed hash of the sender's address: enough to limit how often one sender can
    # propose, without keeping the address.
    client = models.CharField(max_length=64, editable=False, db_index=True)
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("practice proposal")
        verbose_name_plural = _("practice proposals")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.practice} ({self.name})"
