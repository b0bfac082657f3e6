"""What hangs off a practice card: organisations and their roles, contacts, links, attachments,
recognitions and assessments."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .practice import Practice
from .validators import validate_attachment_file

YEAR_VALIDATORS = [MinValueValidator(1900), MaxValueValidator(2100)]


class PracticeOrganisation(models.Model):
    """An organisation's part in a practice."""

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        DEVELOPER = "developer", _("developer")
        IMPLEMENTER = "implementer", _("implementer")
        PARTNER = "partner", _("partner")
        ADOPTER = "adopter", _("adopter")

    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        related_name="organisation_roles",
        verbose_name=_("practice"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="practice_roles",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.OWNER)
    unit = models.CharField(
        _("unit"),
        max_length=255,
        blank=True,
        help_text=_("Department or service area, e.g. Lasten, nuorten ja perheiden palvelut."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text=_("For an adopter: the year it took the practice into use."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("organisation role")
        verbose_name_plural = _("organisations and roles")
        ordering = ["order", "id"]
        constraints = [
            # One organisation has a given role in a practice once.
            models.UniqueConstraint(
                fields=["practice", "organisation", "role"],
                name="practice_organisation_role_unique",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} – {self.get_role_display()}"


class PracticeContact(models.Model):
    class Role(models.TextChoices):
        CONTACT = "contact", _("contact person")
        EXPERT = "expert", _("expert")
        AUTHOR = "author", _("author")
        MEDIA = "media", _("media enquiries")

    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        related_name="contact_roles",
        verbose_name=_("practice"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.PROTECT,
        related_name="practice_roles",
        verbose_name=_("contact"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.CONTACT)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("practice contact")
        verbose_name_plural = _("contacts")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "contact", "role"], name="practice_contact_role_unique"
            ),
        ]

    def __str__(self):
        return f"{self.contact.name} – {self.get_role_display()}"


class PracticeLink(models.Model):
    class Kind(models.TextChoices):
        WEBSITE = "website", _("website")
        MATERIAL = "material", _("material")
        VIDEO = "video", _("video")
        NEWS = "news", _("news or article")
        OTHER = "other", _("other")

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="links", verbose_name=_("practice")
    )
    title = models.CharField(_("title"), max_length=255)
    url = models.URLField(_("address"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.WEBSITE)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["order", "id"]

    def __str__(self):
        return self.title


class Attachment(models.Model):
    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("practice"),
    )
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(
        _("file"),
        upload_to="attachments/%Y/",
        blank=True,
        validators=[validate_attachment_file],
        help_text=_("PDF, office document or image, at most 20 MB."),
    )
    description = models.TextField(_("description"), blank=True)
    original_filename = models.CharField(
        _("original file name"),
        max_length=255,
        blank=True,
        help_text=_("File name in the source. Kept when the file itself is not available."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["order", "id"]

    def __str__(self):
        return self.title


class Recognition(models.Model):
    """An award or other recognition a practice has received."""

    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        related_name="recognitions",
        verbose_name=_("practice"),
    )
    award = models.CharField(
        _("award"), max_length=255, help_text=_("E.g. Tärkeissä töissä -kilpailun palkinto.")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    awarding_body = models.CharField(
        _("awarding body"),
        max_length=255,
        blank=True,
        help_text=_("Who granted the award."),
    )
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["-year", "award"]

    def __str__(self):
        return f"{self.award} {self.year}"


class Assessment(models.Model):
    """An outside assessment of a practice, e.g. by Kasvun tuki. Kept apart from the stage."""

    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("practice"),
    )
    assessor = models.CharField(
        _("assessor"), max_length=255, help_text=_("Who assessed, e.g. Kasvun tuki.")
    )
    scale = models.CharField(
        _("scale"),
        max_length=255,
        blank=True,
        help_text=_("The scale used, e.g. evidence level 1–5."),
    )
    rating = models.CharField(_("rating"), max_length=255, blank=True)
    assessed_on = models.DateField(_("date"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_on", "assessor"]

    def __str__(self):
        return f"{self.assessor}: {self.rating}" if self.rating else self.assessor

    def clean(self):
        super().clean()
        if self.rating and not self.scale:
            raise ValidationError({"scale": _("Name the scale the rating is given on.")})
