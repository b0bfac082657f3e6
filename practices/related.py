"""Practices related to a practice, for the "Related practices" part of its page.

Other published practices are ranked by what they share with the practice:

- its themes and target groups: each one shared adds one to the score. The practices sharing
  most of them (LOOKUP_CANDIDATES at most) are the candidates, counted in the list's in-memory
  index of the published practices (practices.browse), so that a catalogue of tens of
  thousands of practices costs about as much as a small one. A practice with neither has no
  related practices.
- the words of its name and short description: how many of them, the name's counting for
  more, the name and short description of a candidate have. The words are analysed as the
  search analyses them (practices.search), so that "vanhempainillat" meets "vanhempainilta"
  and "perheiden" meets "perhe"; words so common in the catalogue that they tell nothing
  ("toiminta", "tavoite") are left out. On PostgreSQL the candidates are ranked by the
  search's own ranking (practices.search.text_ranks, ts_rank() over the name, the short
  description and the key terms); on SQLite, whose full-text index cannot rank a given set of
  practices without matching the whole catalogue, the analysed terms the search index keeps
  for each candidate are compared here. Either way the similarity is the candidate's rank
  divided by the rank of the practice itself: a number between 0 and 1.

A fixed number of queries: the index's revision, the vocabulary, the words of the candidates,
and the card details of the few practices picked, as every list of cards fetches them.
"""

from django.db import connections

from .browse import browse_index, highest_ids
from .models import Practice, PracticeSearchDocument, SearchTerm
from .search import text_ranks
from .search.analysis import LANGUAGES, STOP_WORDS, QueryWord, analyse, words

# How many related practices the page shows.
RELATED_COUNT = 4
# How many of the practices sharing most themes and target groups are ranked.
LOOKUP_CANDIDATES = 300
# The most words of the name and short description compared (the name's first).
MAX_TERMS = 40
# Shorter words are abbreviations and particles, not subjects.
MIN_TERM_LENGTH = 3
# A word in more published practices than this share of them (and more than
# COMMON_WORD_MIN_PRACTICES) says nothing of what a practice is about.
COMMON_WORD_SHARE = 0.1
COMMON_WORD_MIN_PRACTICES = 50
# How much a word of the name and a word of the short description count (as the search
# weighs the name, A, and the short description, B).
NAME_WEIGHT = 1.0
SUMMARY_WEIGHT = 0.4
# The score: one for each shared theme and target group, and the similarity of the words
# (0–1) times TEXT_WEIGHT: a practice with a third of the words counts as much as one more
# shared theme, one with all of them as much as three.
TEXT_WEIGHT = 3.0

_ALL_STOP_WORDS = frozenset().union(*STOP_WORDS.values())
# Many-to-many relations a related practice may share with the practice.
_SHARED_RELATIONS = ("themes", "target_groups")


# --- The words of a practice ------------------------------------------------------------------


def _translations(practice, field_name):
    """(text, language) of a translated field in each language it is filled in, a repeat of
    an earlier language's text left out (as the search index does)."""
    seen = set()
    for language in LANGUAGES:
        text = (getattr(practice, f"{field_name}_{language}", "") or "").strip()
        if text and text not in seen:
            seen.add(text)
            yield text, language


def _word_terms(word, language):
    """What a word is about, as terms of the search index: the base forms of a word the
    analysis knows ("vanhempainillat" → "vanhempainilta"), otherwise the word itself. The
    parts of a compound are left out: "malli" is part of "toimintamalli", in nearly every
    practice, however rarely it is written alone."""
    return list(analyse(word, language).vocabulary)


def text_terms(practice):
    """{term: weight} of the words of the practice's name (NAME_WEIGHT) and short description
    (SUMMARY_WEIGHT) in every language it has them, the name's first, without stop words,
    short terms and numbers."""
    terms = {}
    for field_name, weight in (("name", NAME_WEIGHT), ("summary", SUMMARY_WEIGHT)):
        for text, language in _translations(practice, field_name):
            for word in words(text):
                if word in _ALL_STOP_WORDS:
                    continue
                for term in _word_terms(word, language):
                    if (
                        len(term) >= MIN_TERM_LENGTH
                        and term.isalnum()
                        and not term.isdigit()
                        and term not in _ALL_STOP_WORDS
                    ):
                        terms.setdefault(term, weight)
    return terms


def informative_terms(terms, published_count, using="default"):
    """The `terms` ({term: weight}) that tell what a practice is about, at most MAX_TERMS of
    them: those the search vocabulary counts in at most COMMON_WORD_SHARE of the
    `published_count` published practices (or in COMMON_WORD_MIN_PRACTICES). A term the
    vocabulary does not count, in no published practice's words, cannot make a practice
    related and is left out too. One query."""
    if not terms:
        return {}
    frequencies = dict(
        SearchTerm.objects.using(using)
        .filter(term__in=list(terms))
        .values_list("term", "document_frequency")
    )
    limit = max(COMMON_WORD_MIN_PRACTICES, COMMON_WORD_SHARE * published_count)
    kept = [term for term in terms if 0 < frequencies.get(term, 0) <= limit][:MAX_TERMS]
    return {term: terms[term] for term in kept}


# --- Similarity of the words --------------------------------------------------------------------


def _similarities_postgresql(practice, terms, candidate_ids, using):
    """The search's ranks of the candidates for the words, one query."""
    query = QueryWord(word="", terms=frozenset(terms), prefixes=frozenset())
    ranks = text_ranks("", using=using, analysed=[query], within=[practice.pk, *candidate_ids])
    own = (ranks or {}).get(practice.pk) or 0.0
    if own <= 0:
        # The practice has no search document yet (it was saved a moment ago).
        return {}
    return {pk: min(rank / own, 1.0) for pk, rank in ranks.items() if pk != practice.pk}


def _similarities_compared(terms, candidate_ids, using):
    """The candidates' share of the words, weighted where they are and where the candidate
    has them (name or short description), from the terms the search index keeps; one query."""
    own = sum(weight * weight for weight in terms.values())
    documents = (
        PracticeSearchDocument.objects.using(using)
        .filter(practice_id__in=candidate_ids)
        .values_list("practice_id", "name_terms", "summary_terms")
    )
    similarities = {}
    for pk, name_terms, summary_terms in documents:
        in_name, in_summary = set(name_terms.split()), set(summary_terms.split())
        score = 0.0
        for term, weight in terms.items():
            if term in in_name:
                score += weight * NAME_WEIGHT
            elif term in in_summary:
                score += weight * SUMMARY_WEIGHT
        if score:
            similarities[pk] = min(score / own, 1.0)
    return similarities


def text_similarities(practice, candidate_ids, published_count, using="default"):
    """{candidate id: similarity (0–1)} of the words of the practice's name and short
    description in the candidates' names and short descriptions; candidates without any
    left out. Two queries, or none when there is nothing to compare."""
    if not candidate_ids:
        return {}
    terms = informative_terms(text_terms(practice), published_count, using)
    if not terms:
        return {}
    if connections[using].vendor == "postgresql":
        return _similarities_postgresql(practice, terms, candidate_ids, using)
    return _similarities_compared(terms, candidate_ids, using)


# --- Candidates and ranking -------------------------------------------------------------------


def sharing_candidates(practice, index):
    """[(id, number shared)] of the published practices, LOOKUP_CANDIDATES at most, sharing
    most of the practice's themes and target groups (read from what it has prefetched), most
    first, then the newest (highest id). Counted in the list's in-memory index
    (practices.browse): for each number n, the bit set of the practices with at least n of
    them is made from the practices' bit sets of each theme and target group, so that a theme
    with thousands of practices costs no more than one with a few (`index`, a
    practices.browse.BrowseIndex). No query."""
    slugs = {
        relation: [item.slug for item in getattr(practice, relation).all()]
        for relation in _SHARED_RELATIONS
    }
    if not any(slugs.values()):
        return []
    sets = [
        index.values[facet].get(slug, 0)
        for facet, relation in (("theme", "themes"), ("target_group", "target_groups"))
        for slug in slugs[relation]
    ]
    # at_least[n]: the published practices with at least n of the themes and target groups.
    at_least = [index.all] + [0] * len(sets)
    for bits in sets:
        for shared in range(len(sets), 0, -1):
            at_least[shared] |= at_least[shared - 1] & bits
    at_least.append(0)
    others = index.all & ~(1 << practice.pk)
    candidates = []
    for shared in range(len(sets), 0, -1):
        exactly = at_least[shared] & ~at_least[shared + 1] & others
        for pk in highest_ids(exactly, LOOKUP_CANDIDATES - len(candidates)):
            candidates.append((pk, shared))
        if len(candidates) >= LOOKUP_CANDIDATES:
            break
    return candidates


def related_practices(practice, count=RELATED_COUNT):
    """Up to `count` other published practices most like `practice`, best first, ready for
    the practice card (Practice.objects.for_listing()); each has `shared` (themes and target
    groups), `text_similarity` and `related_score`. The practice's themes and target groups
    are read from what it has prefetched (Practice.objects.for_detail()). Works the same for
    a practice that is not published (the editors' preview)."""
    using = practice._state.db or "default"
    if not any(getattr(practice, relation).all() for relation in _SHARED_RELATIONS):
        return []
    # The list's in-memory index of the published practices: one query when it is current.
    index = browse_index(using)
    candidates = sharing_candidates(practice, index)
    if not candidates:
        return []
    similarities = text_similarities(
        practice, [pk for pk, _shared in candidates], index.size, using
    )
    scored = sorted(
        (
            (shared + TEXT_WEIGHT * similarities.get(pk, 0.0), pk, shared)
            for pk, shared in candidates
        ),
        # Best score first; of equal ones, the newest.
        key=lambda item: (-item[0], -item[1]),
    )[:count]
    found = (
        Practice.objects.using(using)
        .published()
        .for_listing()
        .in_bulk([pk for _s, pk, _n in scored])
    )
    result = []
    for score, pk, shared in scored:
        related = found.get(pk)
        if related is not None:
            related.shared = shared
            related.text_similarity = similarities.get(pk, 0.0)
            related.related_score = score
            result.append(related)
    return result
