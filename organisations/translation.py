from modeltranslation.translator import TranslationOptions, register

from .models import Municipality, Organisation, Region, WellbeingServicesCounty


@register(Region)
class RegionTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("fi",)


@register(WellbeingServicesCounty)
class WellbeingServicesCountyTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("fi",)


@register(Municipality)
class MunicipalityTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("fi",)


@register(Organisation)
class OrganisationTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("fi",)
