"""generate_practices outside a transaction: on PostgreSQL the new practices are indexed by
two threads at once, each with its own connection."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from practices.models import Practice, PracticeSearchDocument, SearchTerm


@pytest.mark.django_db(transaction=True)
def test_every_generated_practice_is_indexed_and_counted_once():
    call_command("load_reference_data", stdout=StringIO())

    call_command("generate_practices", 1200, seed=3, batch_size=300, stdout=StringIO())

    ids = set(Practice.objects.values_list("pk", flat=True))
    assert len(ids) == 1200
    assert set(PracticeSearchDocument.objects.values_list("practice_id", flat=True)) == ids
    # The vocabulary counts each word once for every practice that has it, however the two
    # threads' batches met.
    expected = Counter(
        word
        for words in PracticeSearchDocument.objects.values_list("words", flat=True)
        for word in set(words.split())
    )
    assert dict(SearchTerm.objects.values_list("term", "document_frequency")) == expected
