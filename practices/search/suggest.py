"""Spelling suggestions ("did you mean") from the vocabulary of published practices.

A query word is left alone when it, or one of its base forms, is a word of some published
practice. Otherwise it is replaced by the vocabulary word that is

1. the same word with its letters restored ("jarjestoyhteistyo" → "järjestöyhteistyö"), or
2. the closest in spelling among the words sharing trigrams with it (pg_trgm on PostgreSQL,
   the FTS5 trigram table on SQLite) and Voikko's suggestions, if close enough.
"""

import difflib

from django.db import DEFAULT_DB_ALIAS, connections

from ..models import SearchTerm
from .analysis import (
    FINNISH,
    MAX_QUERY_LENGTH,
    MAX_QUERY_WORDS,
    MIN_VOCABULARY_WORD_LENGTH,
    analyse,
    fold,
    voikko_enabled,
    voikko_suggestions,
    words,
)

# How alike (difflib's ratio of the folded words, 0–1) a suggestion must be to the typed word.
MIN_SIMILARITY = 0.75
# A candidate this alike is taken without asking Voikko.
GOOD_SIMILARITY = 0.85
MAX_CANDIDATES = 30


def _similarity(word, candidate):
    return difflib.SequenceMatcher(None, fold(word), fold(candidate)).ratio()


def _trigram_candidates(word, using):
    """[(term, document frequency)] of vocabulary words sharing trigrams with `word`."""
    folded = fold(word)
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT term, document_frequency FROM practices_searchterm"
                " WHERE folded %% %s ORDER BY similarity(folded, %s) DESC,"
                " document_frequency DESC LIMIT %s",
                [folded, folded, MAX_CANDIDATES],
            )
        else:
            trigrams = dict.fromkeys(folded[i : i + 3] for i in range(len(folded) - 2))
            cursor.execute(
                "SELECT t.term, t.document_frequency FROM practices_search_term_trigram f"
                " JOIN practices_searchterm t ON t.id = f.rowid"
                " WHERE practices_search_term_trigram MATCH %s ORDER BY f.rank LIMIT %s",
                [" OR ".join(f'"{trigram}"' for trigram in trigrams), MAX_CANDIDATES],
            )
        return cursor.fetchall()


def _voikko_candidates(word, using):
    """Voikko's suggestions for `word` that are, or inflect, words of the vocabulary."""
    if not voikko_enabled():
        return []
    suggestions = [s for s in voikko_suggestions(word) if s.isalpha()]
    forms = {s: {s, *analyse(s, FINNISH).vocabulary} for s in suggestions}
    known = dict(
        SearchTerm.objects.using(using)
        .filter(term__in=set().union(set(), *forms.values()))
        .values_list("term", "document_frequency")
    )
    return [
        (suggestion, max(known.get(form, 0) for form in forms[suggestion]))
        for suggestion in suggestions
        if forms[suggestion] & known.keys()
    ]


def _closest(word, using):
    def best(candidates):
        scored = [
            (_similarity(word, term), frequency, term)
            for term, frequency in candidates
            if term != word
        ]
        return max(scored, default=None)

    found = best(_trigram_candidates(word, using))
    if found is None or found[0] < GOOD_SIMILARITY:
        from_voikko = best(_voikko_candidates(word, using))
        if from_voikko and (found is None or from_voikko[0] > found[0]):
            found = from_voikko
    if found and found[0] >= MIN_SIMILARITY:
        return found[2]
    return None


def suggest_query(q, using=DEFAULT_DB_ALIAS):
    """A corrected version of the query `q` likely to find practices, or None."""
    if not isinstance(q, str):
        return None
    query = words(q[:MAX_QUERY_LENGTH])[:MAX_QUERY_WORDS]
    checked = [
        word
        for word in dict.fromkeys(query)
        if word.isalpha() and len(word) >= MIN_VOCABULARY_WORD_LENGTH
    ]
    if not checked:
        return None
    # A word is known if it, or one of its base forms, is in the vocabulary.
    forms = {word: {word, *analyse(word, FINNISH).vocabulary} for word in checked}
    known = set(
        SearchTerm.objects.using(using)
        .filter(term__in=set().union(*forms.values()))
        .values_list("term", flat=True)
    )
    unknown = [word for word in checked if not forms[word] & known]
    if not unknown:
        return None
    corrections = {}
    # The same word with its letters restored, the most common spelling first.
    restored = (
        SearchTerm.objects.using(using)
        .filter(folded__in={fold(word) for word in unknown})
        .order_by("-document_frequency", "term")
        .values_list("folded", "term")
    )
    for folded, term in restored:
        corrections.setdefault(folded, term)
    corrections = {word: corrections[fold(word)] for word in unknown if fold(word) in corrections}
    for word in unknown:
        if word not in corrections and (closest := _closest(word, using)):
            corrections[word] = closest
    if not corrections:
        return None
    return " ".join(corrections.get(word, word) for word in query)
