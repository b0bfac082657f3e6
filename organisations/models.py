from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .validators import validate_business_id


class Region(models.Model):
    """A region (maakunta), as classified by Statistics Finland."""

    code = models.CharField(
        _("code"),
        max_length=2,
        unique=True,
        help_text=_("Two-digit region code of Statistics Finland, e.g. 01 for Uusimaa."),
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:region-detail", kwargs={"slug": self.slug})


class WellbeingServicesCounty(models.Model):
    """A wellbeing services county (hyvinvointialue), or one of the two special organisers."""

    class Kind(models.TextChoices):
        COUNTY = "county", _("wellbeing services county")
        CITY = "city", _("city organising its own services (Helsinki)")
        JOINT_AUTHORITY = "joint_authority", _("joint authority (HUS)")

    code = models.CharField(
        _("code"),
        max_length=4,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Wellbeing services county code in Statistics Finland's classification."),
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind,
        default=Kind.COUNTY,
        help_text=_("Helsinki and HUS organise services differently from the 21 counties."),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="wellbeing_counties",
        verbose_name=_("region"),
        help_text=_("The region the area lies in."),
    )

    class Meta:
        verbose_name = _("wellbeing services county")
        verbose_name_plural = _("wellbeing services counties")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:county-detail", kwargs={"slug": self.slug})


class Municipality(models.Model):
    """A municipality (kunta) with its official code."""

    code = models.CharField(
        _("code"),
        max_length=3,
        unique=True,
        help_text=_("Three-digit municipality code of Statistics Finland, e.g. 091 for Helsinki."),
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("region"),
    )
    wellbeing_county = models.ForeignKey(
        WellbeingServicesCounty,
        on_delete=models.PROTECT,
        related_name="municipalities",
        null=True,
        blank=True,
        verbose_name=_("wellbeing services county"),
        help_text=_("Empty for the municipalities of Åland, which belong to no county."),
    )
    population = models.PositiveIntegerField(
        _("population"),
        null=True,
        blank=True,
        help_text=_("Population at the date given in the reference data."),
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    """An organisation that owns, develops, implements or adopts practices."""

    class Type(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        WELLBEING_COUNTY = "wellbeing_county", _("wellbeing services county")
        JOINT_AUTHORITY = "joint_authority", _("joint municipal authority")
        PUBLIC_COMPANY = "public_company", _("company owned by municipalities or counties")
        NGO = "ngo", _("NGO or association")
        STATE_AGENCY = "state_agency", _("state agency")
        EDUCATION = "education", _("educational institution")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200, help_text=_("Official name."))
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=Type, default=Type.OTHER)
    business_id = models.CharField(
        _("business ID"),
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_business_id],
        help_text=_("Finnish business ID (Y-tunnus), e.g. 0204819-8. Optional."),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("municipality"),
        help_text=_("Home municipality of the organisation."),
    )
    wellbeing_county = models.ForeignKey(
        WellbeingServicesCounty,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("wellbeing services county"),
        help_text=_("For a wellbeing services county organisation: the county it is."),
    )
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:organisation-detail", kwargs={"slug": self.slug})


class Membership(models.Model):
    """A user's membership of an organisation: editors who are not allowed to edit every
    organisation's practices edit those in which one of their organisations has a role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
        help_text=_("The user edits the practices this organisation has a part in."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        ordering = ["organisation__name_fi", "user__username"]
        constraints = [
            # A user is a member of an organisation once.
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_user_organisation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation}"
