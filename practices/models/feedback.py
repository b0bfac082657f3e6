"""Messages sent through the public feedback form: on accessibility, errors in the content, or
anything else about the service."""

from django.db import models
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _


class Feedback(models.Model):
    """One message from a visitor. Name and e-mail address are optional: without an address
    the editors cannot reply."""

    class Topic(models.TextChoices):
        ACCESSIBILITY = "accessibility", _("Accessibility")
        CONTENT_ERROR = "content_error", _("An error in the content")
        OTHER = "other", _("Something else")

    MESSAGE_MAX_LENGTH = 5000

    topic = models.CharField(_("topic"), max_length=20, choices=Topic, default=Topic.OTHER)
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    page_url = models.URLField(
        _("page"),
        max_length=500,
        blank=True,
        help_text=_("The web page the message is about, if the sender named one."),
    )
    name = models.CharField(_("sender's name"), max_length=200, blank=True)
    email = models.EmailField(
        _("sender's e-mail address"),
        blank=True,
        help_text=_("Given when the sender wants a reply."),
    )
    language = models.CharField(_("language of the form"), max_length=10)
    # A keyed hash of the sender's address: enough to limit how often one sender can send
    # feedback, without keeping the address.
    client = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]
        indexes = [
            # The hourly limit counts one sender's recent messages.
            models.Index(fields=["client", "created_at"], name="feedback_client_created_idx"),
            # The admin lists the newest first.
            models.Index(fields=["-created_at"], name="feedback_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_topic_display()}: {Truncator(self.message).chars(60)}"
