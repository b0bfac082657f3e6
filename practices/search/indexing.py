"""Building the search documents of practices, and the vocabulary of their words.

index_practices() brings the documents of the given practices up to date (signals call it when
a practice or something it shows changes; commands that write in bulk call it themselves).
rebuild_index() starts over from every practice. Both work in batches, a few queries each.
"""

import itertools
from collections import Counter, defaultdict

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, Prefetch, QuerySet

from ..models import Practice, PracticeOrganisation, PracticeSearchDocument, SearchTerm
from .analysis import FINNISH, LANGUAGES, SWEDISH, analyse_text, fold, voikko_enabled

BATCH_SIZE = 500
# A card longer than this many words is indexed from its beginning only: a tsvector must stay
# under 1 MB, and nobody's search depends on the 20,001st word.
MAX_BODY_WORDS = 20_000
# Rows per statement when writing the vocabulary.
_VOCABULARY_CHUNK = 500

# Place names are searched in Finnish and Swedish.
_PLACE_LANGUAGES = (FINNISH, SWEDISH)


def _translations(obj, field, languages=LANGUAGES):
    """(text, language) for each language `obj.field` is filled in, skipping a text that
    repeats an earlier language's word for word."""
    seen = set()
    for language in languages:
        text = (getattr(obj, f"{field}_{language}", None) or "").strip()
        if text and text not in seen:
            seen.add(text)
            yield text, language


def practice_texts(practice):
    """(name, summary, body): lists of (text, language) that a practice is found by."""
    name = list(_translations(practice, "name"))
    summary = list(_translations(practice, "summary"))
    body = []
    for field in (*Practice.SECTION_FIELDS, "location_note"):
        body.extend(_translations(practice, field))
    for role in practice.organisation_roles.all():
        body.extend(_translations(role.organisation, "name"))
        if role.unit:
            body.append((role.unit, FINNISH))
    for place in itertools.chain(
        practice.municipalities.all(), practice.regions.all(), practice.wellbeing_counties.all()
    ):
        body.extend(_translations(place, "name", _PLACE_LANGUAGES))
    lookups = itertools.chain(
        practice.themes.all(),
        practice.target_groups.all(),
        practice.funders.all(),
        filter(None, (practice.stage, practice.collection)),
    )
    for lookup in lookups:
        body.extend(_translations(lookup, "name"))
    for funder in practice.funders.all():
        if funder.abbreviation:
            body.append((funder.abbreviation, FINNISH))
    if practice.funding_programme:
        body.append((practice.funding_programme, FINNISH))
    for recognition in practice.recognitions.all():
        body.extend(_translations(recognition, "award"))
    return name, summary, body


def _analyse_all(texts, use_voikko, max_words=None):
    terms, vocabulary = [], set()
    remaining = max_words
    for text, language in texts:
        text_terms, text_vocabulary, count = analyse_text(text, language, use_voikko, remaining)
        if text_terms:
            terms.append(text_terms)
        vocabulary |= text_vocabulary
        if remaining is not None:
            remaining -= count
            if remaining <= 0:
                break
    return " ".join(terms), vocabulary


def build_document(practice, use_voikko=None):
    """The unsaved PracticeSearchDocument of a practice loaded with `_practices()`."""
    if use_voikko is None:
        use_voikko = voikko_enabled()
    name, summary, body = practice_texts(practice)
    name_terms, name_words = _analyse_all(name, use_voikko)
    summary_terms, summary_words = _analyse_all(summary, use_voikko)
    body_terms, body_words = _analyse_all(body, use_voikko, MAX_BODY_WORDS)
    # Only published practices add to the vocabulary, so that spelling suggestions never
    # reveal, or lead to, words of cards the public cannot see.
    if practice.status == Practice.Status.PUBLISHED:
        words = " ".join(sorted(name_words | summary_words | body_words))
    else:
        words = ""
    return PracticeSearchDocument(
        practice_id=practice.pk,
        name_terms=name_terms,
        summary_terms=summary_terms,
        body_terms=body_terms,
        words=words,
    )


def _practices(ids, using):
    return (
        Practice.objects.using(using)
        .filter(pk__in=ids)
        .select_related("stage", "collection")
        .prefetch_related(
            "themes",
            "target_groups",
            "funders",
            "municipalities",
            "regions",
            "wellbeing_counties",
            "recognitions",
            Prefetch(
                "organisation_roles",
                queryset=PracticeOrganisation.objects.using(using).select_related("organisation"),
            ),
        )
        .order_by()
    )


def _chunks(items, size):
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _practice_ids(practices):
    if isinstance(practices, QuerySet):
        return list(practices.order_by().values_list("pk", flat=True).distinct())
    if isinstance(practices, (Practice, int)):
        practices = [practices]
    return list(dict.fromkeys(p.pk if isinstance(p, Practice) else int(p) for p in practices))


_DOCUMENT_FIELDS = ["name_terms", "summary_terms", "body_terms", "words", "indexed_at"]


def _index_batch(ids, using, use_voikko):
    """Bring the documents of practices `ids` up to date; return the vocabulary changes."""
    old_words = dict(
        PracticeSearchDocument.objects.using(using)
        .filter(pk__in=ids)
        .order_by()
        .values_list("pk", "words")
    )
    documents = [build_document(practice, use_voikko) for practice in _practices(ids, using)]
    changes = Counter()
    for document in documents:
        new = set(document.words.split())
        old = set(old_words.pop(document.practice_id, "").split())
        changes.update(new - old)
        changes.subtract(old - new)
    PracticeSearchDocument.objects.using(using).bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["practice"],
        update_fields=_DOCUMENT_FIELDS,
    )
    if old_words:
        # The practices are gone; deleting their documents takes their words off the
        # vocabulary (signals.py).
        PracticeSearchDocument.objects.using(using).filter(pk__in=list(old_words)).delete()
    return changes


def update_vocabulary(changes, using=DEFAULT_DB_ALIAS):
    """Add each word's count in `changes` (word → +n / -n) to its document frequency."""
    changes = {word: change for word, change in changes.items() if change}
    if not changes:
        return
    terms = SearchTerm.objects.using(using)
    added = [word for word, change in changes.items() if change > 0]
    terms.bulk_create(
        [SearchTerm(term=word, folded=fold(word), document_frequency=0) for word in added],
        ignore_conflicts=True,
        batch_size=_VOCABULARY_CHUNK,
    )
    by_change = defaultdict(list)
    for word, change in changes.items():
        by_change[change].append(word)
    for change, words in by_change.items():
        for chunk in _chunks(words, _VOCABULARY_CHUNK):
            terms.filter(term__in=chunk).update(document_frequency=F("document_frequency") + change)
    removed = [word for word, change in changes.items() if change < 0]
    for chunk in _chunks(removed, _VOCABULARY_CHUNK):
        terms.filter(term__in=chunk, document_frequency__lte=0).delete()


def index_practices(practices, *, batch_size=BATCH_SIZE, progress=None, using=None):
    """Bring the search documents of `practices` up to date; return how many were indexed.

    `practices` is a queryset of practices, or an iterable of practices or their ids. An id
    whose practice no longer exists has its document removed. `progress(done, total)` is
    called after each batch.
    """
    if using is None:
        using = practices.db if isinstance(practices, QuerySet) else DEFAULT_DB_ALIAS
    ids = _practice_ids(practices)
    use_voikko = voikko_enabled()
    done = 0
    for batch in _chunks(ids, batch_size):
        with transaction.atomic(using=using):
            update_vocabulary(_index_batch(batch, using, use_voikko), using)
        done += len(batch)
        if progress:
            progress(done, len(ids))
    return len(ids)


def rebuild_index(*, batch_size=BATCH_SIZE, progress=None, using=DEFAULT_DB_ALIAS):
    """Index every practice from scratch, in one transaction; return (practices, terms)."""
    connection = connections[using]
    use_voikko = voikko_enabled()
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("TRUNCATE practices_practicesearchdocument, practices_searchterm")
            else:
                # On SQLite the triggers take the rows off the FTS5 tables too.
                cursor.execute("DELETE FROM practices_practicesearchdocument")
                cursor.execute("DELETE FROM practices_searchterm")
        ids = list(Practice.objects.using(using).order_by("pk").values_list("pk", flat=True))
        frequencies = Counter()
        for done, batch in enumerate(_chunks(ids, batch_size)):
            documents = [
                build_document(practice, use_voikko) for practice in _practices(batch, using)
            ]
            PracticeSearchDocument.objects.using(using).bulk_create(documents)
            for document in documents:
                frequencies.update(document.words.split())
            if progress:
                progress(min((done + 1) * batch_size, len(ids)), len(ids))
        SearchTerm.objects.using(using).bulk_create(
            [
                SearchTerm(term=word, folded=fold(word), document_frequency=count)
                for word, count in frequencies.items()
            ],
            batch_size=_VOCABULARY_CHUNK,
        )
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for table in ("practices_search_fts", "practices_search_term_trigram"):
                    cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
            elif connection.vendor == "postgresql":
                cursor.execute("ANALYZE practices_practicesearchdocument, practices_searchterm")
    return len(ids), len(frequencies)
