from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Prefetch, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from .lookups import Collection, DevelopmentStage, Funder, TargetGroup, Theme
from .validators import validate_image_file


def name_ordering(model):
    """Order by the name in the active language, falling back to Finnish, case-insensitive
    (ordering by `name` alone would use the active language's column even where it is
    empty)."""
    localized = build_localized_fieldname("name", get_language() or "fi")
    finnish = build_localized_fieldname("name", "fi")
    if localized == finnish or not hasattr(model, localized):
        return Lower(F(finnish))
    return Lower(Coalesce(NullIf(F(localized), Value("")), F(finnish)))


def _municipalities_by_name():
    from organisations.models import Municipality

    return Prefetch(
        "municipalities",
        queryset=Municipality.objects.order_by(name_ordering(Municipality), "pk"),
    )


class PracticeQuerySet(models.QuerySet):
    def published(self):
        """Practices the public may see."""
        return self.filter(status=Practice.Status.PUBLISHED)

    def for_listing(self):
        """Everything a list row or an API list item shows, in a constant number of queries."""
        from .related import PracticeOrganisation

        return self.select_related("stage").prefetch_related(
            "themes",
            _municipalities_by_name(),
            Prefetch(
                "organisation_roles",
                queryset=PracticeOrganisation.objects.select_related("organisation"),
            ),
        )

    def for_detail(self):
        """Everything the detail page and the detail API show."""
        from contacts.models import Contact

        from .related import PracticeContact, PracticeOrganisation

        return self.select_related("stage", "collection").prefetch_related(
            "themes",
            "target_groups",
            "funders",
            _municipalities_by_name(),
            "regions",
            "wellbeing_counties",
            Prefetch(
                "organisation_roles",
                queryset=PracticeOrganisation.objects.select_related("organisation"),
            ),
            Prefetch(
                "contact_roles",
                queryset=PracticeContact.objects.filter(
                    contact__in=Contact.objects.public()
                ).select_related("contact", "contact__organisation"),
                to_attr="public_contact_roles",
            ),
            "links",
            "attachments",
            "recognitions",
            "assessments",
        )


def newest_published_order():
    """The order of "newest first" (home page, feeds): by the time of publishing, or of
    creation for a practice published without one (as by a bulk update), then the newest
    row. The index practice_status_published_idx has the same expressions."""
    return (Coalesce("published_at", "created_at").desc(), F("id").desc())


class Practice(models.Model):
    """A practice card (toimintamalli, kehittämisteko, hyvä käytäntö)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    class Language(models.TextChoices):
        FINNISH = "fi", _("Finnish")
        SWEDISH = "sv", _("Swedish")
        ENGLISH = "en", _("English")

    # The card's sections, in the order an editor fills them in and the public page shows them.
    SECTION_FIELDS = (
        "need_and_goals",
        "target_change",
        "target_group_description",
        "solution",
        "results",
        "evaluation",
        "adoption_conditions",
        "tips_for_adopters",
        "resources_and_costs",
    )

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status,
        default=Status.DRAFT,
        help_text=_("Only published practices are shown to the public."),
    )
    name = models.CharField(
        _("name"), max_length=255, help_text=_("The practice's name as people know it.")
    )
    slug = models.SlugField(
        _("slug"),
        max_length=255,
        unique=True,
        help_text=_("Part of the web address. Filled in from the name; change with care."),
    )
    summary = models.TextField(
        _("short description"),
        help_text=_("One or two sentences: what the practice is and whom it helps."),
    )
    need_and_goals = models.TextField(
        _("need and goals"),
        blank=True,
        help_text=_("Why the practice was developed (toimintaympäristö) and what it aims at."),
    )
    target_change = models.TextField(
        _("target change"),
        blank=True,
        help_text=_("The change the practice seeks in people's lives or in services."),
    )
    target_group_description = models.TextField(
        _("target group and customer understanding"),
        blank=True,
        help_text=_("Whom the practice is for and how their views were heard."),
    )
    solution = models.TextField(
        _("solution"),
        blank=True,
        help_text=_("How the practice works in practice: the core idea and its steps."),
    )
    results = models.TextField(
        _("results"), blank=True, help_text=_("What has been achieved so far.")
    )
    evaluation = models.TextField(
        _("evaluation and measurement"),
        blank=True,
        help_text=_("How the effects are evaluated and which indicators are used."),
    )
    adoption_conditions = models.TextField(
        _("conditions for adoption"),
        blank=True,
        help_text=_("What an organisation needs for the practice to work and take root."),
    )
    tips_for_adopters = models.TextField(
        _("tips for adopters"),
        blank=True,
        help_text=_("Advice for an organisation that wants to take the practice into use."),
    )
    resources_and_costs = models.TextField(
        _("resources and costs"),
        blank=True,
        help_text=_("Staff time, money and tools the practice takes."),
    )
    location_note = models.CharField(
        _("location"),
        max_length=255,
        blank=True,
        help_text=_("Where the practice is carried out (toteutuspaikka), as free text."),
    )
    start_year = models.PositiveSmallIntegerField(
        _("start year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("Year the development work began."),
    )
    content_language = models.CharField(
        _("content language"),
        max_length=2,
        choices=Language,
        default=Language.FINNISH,
        help_text=_("The language the card was originally written in."),
    )

    stage = models.ForeignKey(
        DevelopmentStage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("development stage"),
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="practices", verbose_name=_("themes")
    )
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="practices", verbose_name=_("target groups")
    )
    funders = models.ManyToManyField(
        Funder, blank=True, related_name="practices", verbose_name=_("funders")
    )
    funding_programme = models.CharField(
        _("funding programme"),
        max_length=200,
        blank=True,
        help_text=_("Programme and measure the funding came from, e.g. RRP, P4, I1."),
    )
    organisations = models.ManyToManyField(
        "organisations.Organisation",
        through="PracticeOrganisation",
        related_name="practices",
        verbose_name=_("organisations"),
    )
    contacts = models.ManyToManyField(
        "contacts.Contact",
        through="PracticeContact",
        related_name="practices",
        verbose_name=_("contacts"),
    )
    is_national = models.BooleanField(
        _("national"),
        default=False,
        help_text=_("The practice is in use or meant for the whole country."),
    )
    municipalities = models.ManyToManyField(
        "organisations.Municipality",
        blank=True,
        related_name="practices",
        verbose_name=_("municipalities"),
    )
    regions = models.ManyToManyField(
        "organisations.Region", blank=True, related_name="practices", verbose_name=_("regions")
    )
    wellbeing_counties = models.ManyToManyField(
        "organisations.WellbeingServicesCounty",
        blank=True,
        related_name="practices",
        verbose_name=_("wellbeing services counties"),
    )
    collection = models.ForeignKey(
        Collection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("collection"),
        help_text=_("The project, programme or network (kokonaisuus) the practice belongs to."),
    )

    cover_image = models.ImageField(
        _("cover image"),
        upload_to="covers/%Y/",
        blank=True,
        validators=[validate_image_file],
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
    )
    cover_image_alt = models.CharField(
        _("cover image alternative text"),
        max_length=255,
        blank=True,
        help_text=_("Describe the image for people who cannot see it. Required with an image."),
    )
    cover_image_caption = models.CharField(_("cover image caption"), max_length=500, blank=True)

    source_name = models.CharField(
        _("source"),
        max_length=255,
        blank=True,
        help_text=_("Where the information comes from, e.g. a database or news item."),
    )
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    source_author = models.CharField(
        _("author in source"),
        max_length=200,
        blank=True,
        help_text=_("Who wrote the original card (tekijä)."),
    )
    source_created = models.DateField(
        _("created in source"),
        null=True,
        blank=True,
        help_text=_("Date the original card or article was created."),
    )
    source_modified = models.DateField(
        _("modified in source"),
        null=True,
        blank=True,
        help_text=_("Date the original card or article was last modified."),
    )

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    # Raised by every save: the admin refuses a save made from an older version (no lost
    # updates when two editors edit the same card).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_("Date someone last checked that the card is up to date."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = PracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        ordering = ["name"]
        permissions = [
            # Importing a spreadsheet is its own permission: it can create and change many
            # practices at once.
            ("import_practice", _("Can import practices from a spreadsheet")),
            # Only those responsible for the catalogue make a practice public or retire it.
            ("publish_practice", _("Can publish and archive practices")),
            # Others edit only the practices their own organisations have a part in.
            ("edit_all_organisations", _("Can edit the practices of every organisation")),
        ]
        indexes = [
            # The public list filters on status and sorts newest first.
            models.Index(fields=["status", "-created_at"], name="practice_status_created_idx"),
            # "Recently updated" sort of the public list.
            models.Index(fields=["status", "-modified_at"], name="practice_status_modified_idx"),
            # The newest published practices (home page, feeds), in the order they are read,
            # so that the feed reads its first rows off the index.
            models.Index(
                F("status"), *newest_published_order(), name="practice_status_published_idx"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("practices:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        # The Finnish alternative text is the one that must exist; the other languages fall
        # back to it. Forms show the field once per language, so the error names cover_image_alt_fi.
        if self.cover_image and not (getattr(self, "cover_image_alt_fi", "") or "").strip():
            raise ValidationError(
                {"cover_image_alt_fi": _("Describe the cover image for screen-reader users.")}
            )

    def sections(self):
        """(field name, heading, text) for every non-empty card section, in display order."""
        result = []
        for field_name in self.SECTION_FIELDS:
            text = getattr(self, field_name)
            if text and text.strip():
                result.append((field_name, self._meta.get_field(field_name).verbose_name, text))
        return result
