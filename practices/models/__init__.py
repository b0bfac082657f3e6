from .lookups import Collection, DevelopmentStage, Funder, TargetGroup, Theme
from .practice import Practice, PracticeQuerySet
from .related import (
    Assessment,
    Attachment,
    PracticeContact,
    PracticeLink,
    PracticeOrganisation,
    Recognition,
)

__all__ = [
    "Assessment",
    "Attachment",
    "Collection",
    "DevelopmentStage",
    "Funder",
    "Practice",
    "PracticeContact",
    "PracticeLink",
    "PracticeOrganisation",
    "PracticeQuerySet",
    "Recognition",
    "TargetGroup",
    "Theme",
]
