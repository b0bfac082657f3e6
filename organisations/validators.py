import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BUSINESS_ID_RE = re.compile(r"^(\d{7})-(\d)$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def validate_business_id(value: str) -> None:
    """Check a Finnish business ID (Y-tunnus), e.g. 0204819-8, including its check digit."""
    match = BUSINESS_ID_RE.match(value or "")
    if not match:
        raise ValidationError(
            _("Enter a business ID in the form 1234567-8."), code="invalid_business_id"
        )
    digits, check = match.group(1), int(match.group(2))
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    expected = 0 if remainder == 0 else 11 - remainder
    if remainder == 1 or expected != check:
        raise ValidationError(
            _("The check digit of business ID %(value)s is not valid."),
            code="invalid_business_id_checksum",
            params={"value": value},
        )
