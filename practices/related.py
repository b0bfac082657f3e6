"""Practices related to a practice, for the "Related practices" part of its page.

Other published practices are ranked by what they share with the practice:

- its themes and target groups: each one shared adds one to the score. The practices sharing
  most of them (LOOKUP_CANDIDATES at most) are the candidates, found in one pass over the
  links of the shared themes and target groups, so that a catalogue of tens of thousands of
  practices costs about as much as a small one. A practice with neither has no related
  practices.
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

A fixed number of queries: the candidates, the vocabulary, the words of the candidates, and
the card details of the few practices picked, as every list of cards fetches them.
"""

from django.db import connections
from django.db.models import Count, IntegerField, Subquery

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


def informative_terms(terms, using="default"):
    """The `terms` ({term: weight}) that tell what a practice is about, at most MAX_TERMS of
    them: those the search vocabulary counts in at most COMMON_WORD_SHARE of the published
    practices (or in COMMON_WORD_MIN_PRACTICES). A term the vocabulary does not count, in no
    published practice's words, cannot make a practice related and is left out too. One
    query."""
    if not terms:
        return {}
    published = (
        Practice.objects.using(using)
        .published()
        .order_by()
        .values("status")
        # COUNT(*), not COUNT(id): PostgreSQL counts from the (status, …) index alone.
        .annotate(count=Count("*"))
        .values("count")
    )
    rows = (
        SearchTerm.objects.using(using)
        .filter(term__in=list(terms))
        .annotate(published=Subquery(published, output_field=IntegerField()))
        .values_list("term", "document_frequency", "published")
    )
    frequencies, published_count = {}, 0
    for term, frequency, count in rows:
        frequencies[term] = frequency
        published_count = count or 0
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


def text_similarities(practice, candidate_ids, using="default"):
    """{candidate id: similarity (0–1)} of the words of the practice's name and short
    description in the candidates' names and short descriptions; candidates without any
    left out. Two queries, or none when there is nothing to compare."""
    if not candidate_ids:
        return {}
    terms = informative_terms(text_terms(practice), using)
    if not terms:
        return {}
    if connections[using].vendor == "postgresql":
        return _similarities_postgresql(practice, terms, candidate_ids, using)
    return _similarities_compared(terms, candidate_ids, using)


# --- Candidates and ranking -------------------------------------------------------------------


def _link_table(relation):
    """(table, practice column, other column) of a many-to-many relation of Practice."""
    field = Practice._meta.get_field(relation)
    through = field.remote_field.through
    practice_column = through._meta.get_field(field.m2m_field_name()).column
    other_column = through._meta.get_field(field.m2m_reverse_field_name()).column
    return through._meta.db_table, practice_column, other_column


def sharing_candidates(practice, using="default"):
    """[(id, number shared)] of the published practices, about LOOKUP_CANDIDATES of them,
    sharing most of the practice's themes and target groups (read from what it has
    prefetched), most first, then the newest. The links of the shared themes and target
    groups are counted in one pass, which stays fast when a theme has thousands of
    practices. One query, or none for a practice with no themes and target groups."""
    connection = connections[using]
    quote = connection.ops.quote_name
    parts, params = [], []
    for relation in _SHARED_RELATIONS:
        ids = [item.pk for item in getattr(practice, relation).all()]
        if ids:
            table, practice_column, other_column = _link_table(relation)
            parts.append(
                f"SELECT {quote(practice_column)} AS practice_id FROM {quote(table)}"
                f" WHERE {quote(other_column)} IN ({', '.join(['%s'] * len(ids))})"
            )
            params += ids
    if not parts:
        return []
    # Counted without looking at the practices first, which is what makes it fast; the few
    # unpublished ones among the most sharing are then dropped.
    sql = (
        "SELECT s.practice_id, s.shared FROM ("
        f"SELECT practice_id, COUNT(*) AS shared FROM ({' UNION ALL '.join(parts)}) links"
        " GROUP BY practice_id ORDER BY shared DESC, practice_id DESC LIMIT %s) s"
        f" JOIN {quote(Practice._meta.db_table)} p ON p.id = s.practice_id"
        " WHERE p.status = %s AND p.id <> %s"
        " ORDER BY s.shared DESC, s.practice_id DESC"
    )
    params += [LOOKUP_CANDIDATES + 1, Practice.Status.PUBLISHED, practice.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, count) for pk, count in cursor.fetchall()]


def related_practices(practice, count=RELATED_COUNT):
    """Up to `count` other published practices most like `practice`, best first, ready for
    the practice card (Practice.objects.for_listing()); each has `shared` (themes and target
    groups), `text_similarity` and `related_score`. The practice's themes and target groups
    are read from what it has prefetched (Practice.objects.for_detail()). Works the same for
    a practice that is not published (the editors' preview)."""
    using = practice._state.db or "default"
    candidates = sharing_candidates(practice, using)
    if not candidates:
        return []
    similarities = text_similarities(practice, [pk for pk, _shared in candidates], using)
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
