from modeltranslation.translator import TranslationOptions, register

from .history import register_history
from .models import (
    Attachment,
    Collection,
    DevelopmentStage,
    Funder,
    Practice,
    PracticeLink,
    Recognition,
    TargetGroup,
    Theme,
)


class NameDescriptionOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("fi",)


for lookup in (DevelopmentStage, Theme, TargetGroup, Funder, Collection):
    register(lookup)(type(f"{lookup.__name__}TranslationOptions", (NameDescriptionOptions,), {}))


@register(Practice)
class PracticeTranslationOptions(TranslationOptions):
    fields = (
        "name",
        "summary",
        "need_and_goals",
        "target_change",
        "target_group_description",
        "solution",
        "results",
        "evaluation",
        "adoption_conditions",
        "tips_for_adopters",
        "resources_and_costs",
        "location_note",
        "cover_image_alt",
        "cover_image_caption",
    )
    required_languages = ("fi",)


@register(PracticeLink)
class PracticeLinkTranslationOptions(TranslationOptions):
    fields = ("title",)
    required_languages = ("fi",)


@register(Attachment)
class AttachmentTranslationOptions(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("fi",)


@register(Recognition)
class RecognitionTranslationOptions(TranslationOptions):
    fields = ("award", "description")
    required_languages = ("fi",)


# Versions of practice cards, registered after the translations above so that the history
# keeps every language's columns.
register_history()
