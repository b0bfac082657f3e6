"""Building the search documents of practices, and the vocabulary of their words.

index_practices() brings the documents of the given practices up to date (signals call it when
a practice or something it shows changes; commands that write in bulk call it themselves).
rebuild_index() starts over from every practice. Both work in batches, a few queries each.
"""

import itertools
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet

from organisations.models import Organisation

from ..models import (
    Collection,
    DevelopmentStage,
    Funder,
    Practice,
    PracticeOrganisation,
    PracticeSearchDocument,
    Recognition,
    SearchIndexRevision,
    SearchTerm,
)
from .analysis import FINNISH, LANGUAGES, SWEDISH, analyse_text, fold, voikko_enabled

BATCH_SIZE = 500
# Indexing this many practices at once changes the tables enough to refresh the statistics.
ANALYZE_AFTER = 1000
# A card longer than this many words is indexed from its beginning only: a tsvector must stay
# under 1 MB, and nobody's search depends on the 20,001st word.
MAX_BODY_WORDS = 20_000
_FTS = "practices_search_fts"
# Key terms (ranking): the sections' terms that occur at least KEY_TERM_MIN_COUNT times, the
# MAX_KEY_TERMS most frequent of them, each repeated as often as it occurs up to
# KEY_TERM_MAX_REPEAT times.
KEY_TERM_MIN_COUNT = 2
MAX_KEY_TERMS = 50
KEY_TERM_MAX_REPEAT = 2
# Rows per statement when writing the vocabulary.
_VOCABULARY_CHUNK = 500

# Place names are searched in Finnish and Swedish.
_PLACE_LANGUAGES = (FINNISH, SWEDISH)
_TRANSLATED_PRACTICE_FIELDS = ("name", "summary", *Practice.SECTION_FIELDS, "location_note")
_BODY_FIELDS = (*Practice.SECTION_FIELDS, "location_note")


def _translations(values, languages=LANGUAGES):
    """(text, language) for each language a translated value is filled in, skipping a text
    that repeats an earlier language's word for word. `values` maps language → text."""
    seen = set()
    for language in languages:
        text = (values.get(language) or "").strip()
        if text and text not in seen:
            seen.add(text)
            yield text, language


@dataclass
class Card:
    """What a practice is found by: lists of (text, language) for the three weighted parts."""

    pk: int
    status: str
    name: list = field(default_factory=list)
    summary: list = field(default_factory=list)
    body: list = field(default_factory=list)


# The practice's many-to-many relations to named objects: (relation, languages of names).
_LINKED = (
    ("themes", LANGUAGES),
    ("target_groups", LANGUAGES),
    ("funders", LANGUAGES),
    ("municipalities", _PLACE_LANGUAGES),
    ("regions", _PLACE_LANGUAGES),
    ("wellbeing_counties", _PLACE_LANGUAGES),
)


class _Names:
    """Names of linked objects by model and id, fetched once per indexing run as needed."""

    def __init__(self, using):
        self.using = using
        self.cache = defaultdict(dict)

    def get(self, model, ids):
        cache = self.cache[model]
        missing = {pk for pk in ids if pk not in cache}
        if missing:
            extra = ["abbreviation"] if model is Funder else []
            fields = [f"name_{language}" for language in LANGUAGES] + extra
            rows = model._base_manager.using(self.using).filter(pk__in=missing)
            for row in rows.values("pk", *fields):
                names = {language: row[f"name_{language}"] for language in LANGUAGES}
                cache[row["pk"]] = (names, row.get("abbreviation") or "")
        return cache


def load_cards(ids, using=DEFAULT_DB_ALIAS, names=None):
    """The Cards of the practices `ids` (those that exist), in a few queries."""
    if names is None:
        names = _Names(using)
    columns = [
        f"{name}_{language}" for name in _TRANSLATED_PRACTICE_FIELDS for language in LANGUAGES
    ]
    rows = (
        Practice.objects.using(using)
        .filter(pk__in=ids)
        .order_by()
        .values("pk", "status", "stage_id", "collection_id", "funding_programme", *columns)
    )
    cards, refs = {}, {}
    for row in rows:
        card = cards[row["pk"]] = Card(row["pk"], row["status"])

        def translated(name, row=row):
            return {language: row[f"{name}_{language}"] for language in LANGUAGES}

        card.name.extend(_translations(translated("name")))
        card.summary.extend(_translations(translated("summary")))
        for name in _BODY_FIELDS:
            card.body.extend(_translations(translated(name)))
        if row["funding_programme"]:
            card.body.append((row["funding_programme"], FINNISH))
        refs[row["pk"]] = row
    if not cards:
        return []

    def add_names(card, model, pk, languages=LANGUAGES):
        entry = names.get(model, [pk]).get(pk)
        if entry:
            card.body.extend(_translations(entry[0], languages))
            if entry[1]:
                card.body.append((entry[1], FINNISH))

    for relation, languages in _LINKED:
        field = Practice._meta.get_field(relation)
        through = field.remote_field.through
        column = through._meta.get_field(field.m2m_reverse_field_name()).attname
        links = list(
            through._base_manager.using(using)
            .filter(practice_id__in=cards)
            .order_by("pk")
            .values_list("practice_id", column)
        )
        names.get(field.related_model, {pk for _practice, pk in links})
        for practice_id, pk in links:
            add_names(cards[practice_id], field.related_model, pk, languages)
    for model, column in ((DevelopmentStage, "stage_id"), (Collection, "collection_id")):
        names.get(model, {row[column] for row in refs.values() if row[column]})
        for pk, row in refs.items():
            if row[column]:
                add_names(cards[pk], model, row[column])
    roles = list(
        PracticeOrganisation.objects.using(using)
        .filter(practice_id__in=cards)
        .order_by("order", "pk")
        .values_list("practice_id", "organisation_id", "unit")
    )
    names.get(Organisation, {organisation for _practice, organisation, _unit in roles})
    for practice_id, organisation_id, unit in roles:
        add_names(cards[practice_id], Organisation, organisation_id)
        if unit:
            cards[practice_id].body.append((unit, FINNISH))
    awards = (
        Recognition.objects.using(using)
        .filter(practice_id__in=cards)
        .order_by("pk")
        .values_list("practice_id", *(f"award_{language}" for language in LANGUAGES))
    )
    for practice_id, *texts in awards:
        cards[practice_id].body.extend(_translations(dict(zip(LANGUAGES, texts, strict=True))))
    return list(cards.values())


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


def key_terms(body_terms):
    """The key terms of a card's sections (their analysed terms, space-separated)."""
    counts = Counter(body_terms.split())
    frequent = [
        (term, count)
        for term, count in counts.most_common(MAX_KEY_TERMS)
        if count >= KEY_TERM_MIN_COUNT
    ]
    return " ".join(" ".join([term] * min(count, KEY_TERM_MAX_REPEAT)) for term, count in frequent)


def bump_revision(using=DEFAULT_DB_ALIAS):
    """Mark the indexed practices as changed (see SearchIndexRevision)."""
    token = uuid.uuid4().hex
    revisions = SearchIndexRevision.objects.using(using)
    if not revisions.filter(pk=1).update(token=token):
        revisions.update_or_create(pk=1, defaults={"token": token})


def current_revision(using=None):
    """The token of the indexed practices as they are now, or "" before any indexing; from
    the database `using`, or the one the request reads (a read replica, config/replica.py)."""
    revisions = SearchIndexRevision.objects
    if using is not None:
        revisions = revisions.using(using)
    return revisions.filter(pk=1).values_list("token", flat=True).first() or ""


def build_document(card, use_voikko=None):
    """The unsaved PracticeSearchDocument of a Card."""
    if use_voikko is None:
        use_voikko = voikko_enabled()
    name_terms, name_words = _analyse_all(card.name, use_voikko)
    summary_terms, summary_words = _analyse_all(card.summary, use_voikko)
    body_terms, body_words = _analyse_all(card.body, use_voikko, MAX_BODY_WORDS)
    # Only published practices add to the vocabulary, so that spelling suggestions never
    # reveal, or lead to, words of cards the public cannot see.
    if card.status == Practice.Status.PUBLISHED:
        words = " ".join(sorted(name_words | summary_words | body_words))
    else:
        words = ""
    return PracticeSearchDocument(
        practice_id=card.pk,
        name_terms=name_terms,
        summary_terms=summary_terms,
        body_terms=body_terms,
        key_terms=key_terms(body_terms),
        words=words,
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


_DOCUMENT_FIELDS = [
    "name_terms",
    "summary_terms",
    "body_terms",
    "key_terms",
    "words",
    "indexed_at",
]


def _index_batch(ids, using, use_voikko, names):
    """Bring the documents of practices `ids` up to date; return the vocabulary changes."""
    old_words = dict(
        PracticeSearchDocument.objects.using(using)
        .filter(pk__in=ids)
        .order_by()
        .values_list("pk", "words")
    )
    documents = [build_document(card, use_voikko) for card in load_cards(ids, using, names)]
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
    """Add each word's count in `changes` (word → +n / -n) to its document frequency; words
    no practice has any more leave the vocabulary. Two statements per 500 words."""
    changes = sorted((word, change) for word, change in changes.items() if change)
    table = SearchTerm._meta.db_table
    with connections[using].cursor() as cursor:
        for chunk in _chunks(changes, _VOCABULARY_CHUNK):
            rows = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (term, folded, document_frequency) VALUES {rows}"
                f" ON CONFLICT (term) DO UPDATE SET document_frequency ="
                f" {table}.document_frequency + excluded.document_frequency",
                [value for word, change in chunk for value in (word, fold(word), change)],
            )
            if any(change < 0 for _word, change in chunk):
                words = [word for word, change in chunk if change < 0]
                cursor.execute(
                    f"DELETE FROM {table} WHERE document_frequency <= 0 AND term IN"
                    f" ({', '.join(['%s'] * len(words))})",
                    words,
                )


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
    names = _Names(using)
    done = 0
    for batch in _chunks(ids, batch_size):
        with transaction.atomic(using=using):
            update_vocabulary(_index_batch(batch, using, use_voikko, names), using)
            bump_revision(using)
        done += len(batch)
        if progress:
            progress(done, len(ids))
    if len(ids) >= ANALYZE_AFTER:
        _analyze(using)
    return len(ids)


def _analyze(using):
    """Refresh the planner's statistics. SQLite needs them to run a search from the FTS5
    table outwards rather than probing it once per practice."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE practices_practicesearchdocument, practices_searchterm")


def rebuild_index(*, batch_size=BATCH_SIZE, progress=None, using=DEFAULT_DB_ALIAS):
    """Index every practice from scratch, in one transaction; return (practices, terms)."""
    connection = connections[using]
    use_voikko = voikko_enabled()
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            # On SQLite the triggers take the rows off the FTS5 tables too. (PostgreSQL's
            # TRUNCATE would refuse to run after writes in the same transaction.)
            cursor.execute("DELETE FROM practices_practicesearchdocument")
            cursor.execute("DELETE FROM practices_searchterm")
            bump_revision(using)
            if connection.vendor == "sqlite":
                # Merging the FTS5 segments once at the end is quicker than as they grow.
                cursor.execute(f"INSERT INTO {_FTS} ({_FTS}, rank) VALUES ('automerge', 0)")
        ids = list(Practice.objects.using(using).order_by("pk").values_list("pk", flat=True))
        names = _Names(using)
        frequencies = Counter()
        for done, batch in enumerate(_chunks(ids, batch_size)):
            cards = load_cards(batch, using, names)
            documents = [build_document(card, use_voikko) for card in cards]
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
                cursor.execute(f"INSERT INTO {_FTS} ({_FTS}, rank) VALUES ('automerge', 4)")
                for table in (_FTS, "practices_search_term_trigram"):
                    cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
        _analyze(using)
    return len(ids), len(frequencies)
