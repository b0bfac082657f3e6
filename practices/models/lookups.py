"""Reference lists that editors extend in the admin: stages, themes, target groups, funders,
and the collections (kokonaisuudet) practices belong to."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class LookupBase(models.Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(
        _("slug"),
        max_length=150,
        unique=True,
        help_text=_("Identifier used in web addresses and filters. Lowercase, no spaces."),
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Lists are sorted by this number, then by name.")
    )

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class DevelopmentStage(LookupBase):
    """How far a practice has come: Kehitteillä, Valmis, …"""

    class Meta(LookupBase.Meta):
        verbose_name = _("development stage")
        verbose_name_plural = _("development stages")


class Theme(LookupBase):
    class Meta(LookupBase.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class TargetGroup(LookupBase):
    class Meta(LookupBase.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class Funder(LookupBase):
    abbreviation = models.CharField(
        _("abbreviation"), max_length=30, blank=True, help_text=_("E.g. STM.")
    )
    website = models.URLField(_("website"), blank=True)

    class Meta(LookupBase.Meta):
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self):
        if self.abbreviation and self.abbreviation not in self.name:
            return f"{self.name} ({self.abbreviation})"
        return self.name


class Collection(models.Model):
    """A kokonaisuus: the project, programme, network or competition a practice belongs to."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("project")
        PROGRAMME = "programme", _("programme")
        NETWORK = "network", _("network")
        COMPETITION = "competition", _("competition")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.PROJECT)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What the project, programme or network is and what it aims at."),
    )
    coordinator = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_collections",
        verbose_name=_("coordinating organisation"),
    )
    website = models.URLField(_("website"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["name"]
        constraints = [
            # A project cannot end before it starts.
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="collection_end_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:collection-detail", kwargs={"slug": self.slug})
