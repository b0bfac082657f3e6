from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)


class Contact(models.Model):
    """A person to contact about one or more practices."""

    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("Job title, e.g. Asiakkuuspäällikkö."),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    unit = models.CharField(
        _("unit"),
        max_length=200,
        blank=True,
        help_text=_("Department or service area within the organisation."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_public = models.BooleanField(
        _("shown publicly"),
        default=False,
        help_text=_(
            "Show this person's name and contact details on public pages. "
            "Tick only with the person's consent."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]

    def __str__(self):
        if self.organisation_id:
            return f"{self.name} ({self.organisation})"
        return self.name
