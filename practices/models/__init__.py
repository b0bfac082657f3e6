from .feedback import Feedback
from .imports import PracticeImport
from .lookups import Collection, DevelopmentStage, Funder, TargetGroup, Theme
from .practice import Practice, PracticeQuerySet, newest_published_order
from .proposals import PracticeProposal
from .related import (
    Assessment,
    Attachment,
    PracticeContact,
    PracticeLink,
    PracticeOrganisation,
    Recognition,
)
from .search import PracticeSearchDocument, PracticeSearchMatch, SearchIndexRevision, SearchTerm
from .workflow import PracticeTransition

__all__ = [
    "Assessment",
    "Attachment",
    "Collection",
    "DevelopmentStage",
    "Feedback",
    "Funder",
    "Practice",
    "PracticeContact",
    "PracticeImport",
    "PracticeLink",
    "PracticeOrganisation",
    "PracticeProposal",
    "PracticeQuerySet",
    "newest_published_order",
    "PracticeSearchDocument",
    "PracticeSearchMatch",
    "PracticeTransition",
    "Recognition",
    "SearchIndexRevision",
    "SearchTerm",
    "TargetGroup",
    "Theme",
]
