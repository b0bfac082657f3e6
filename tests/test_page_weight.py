"""The browse page stays within its weight budget: HTML, stylesheets and scripts together at
most 60 KB compressed, measured as benchmarks/page_weight.py measures it (which prints the
figures per resource)."""

import pytest

from benchmarks.page_weight import (
    BUDGET_BYTES,
    browse_pages,
    load_catalogue,
    measure_page,
)

pytestmark = pytest.mark.django_db

# Enough practices for every facet to list most of its values (the page's largest part); the
# page hardly grows beyond this (benchmarks/README.md).
PRACTICES = 500


def test_browse_page_is_within_its_budget(client):
    load_catalogue(PRACTICES)
    for label, path in browse_pages():
        weight = measure_page(client, path)
        kinds = {resource.kind for resource in weight.resources}
        assert kinds == {"HTML", "CSS", "JS"}, f"{label}: {weight.resources}"
        assert weight.resources[0].raw > 50_000, f"{label}: not a full page of results"
        assert weight.total <= BUDGET_BYTES, (
            f"The {label} page weighs {weight.total:,} bytes compressed, over the budget of "
            f"{BUDGET_BYTES:,}: " + ", ".join(f"{r.url} {r.compressed:,}" for r in weight.resources)
        )
