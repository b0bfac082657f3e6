"""Filtering, counting and ordering the published practices for the list page and the API.

Every request to the list filters up to fourteen ways, counts eleven facets over the results
(each facet ignoring its own selection) and orders one page. Asking the database for each of
those is a dozen aggregate queries over tens of thousands of practices. Instead, each process
keeps a BrowseIndex in memory: for every facet value, for every start year and funding
programme, and for "has a recognition", the set of published practices with it, as a bit set
(a Python int whose bit n stands for the practice with id n); and the practices in each sort
order. A filter is then
an OR of bit sets, the filters together an AND, and a count a population count.

The index is rebuilt when the practices change: whatever changes what a practice is found by
re-indexes it for search (practices.signals), and indexing writes a new token to
SearchIndexRevision. Each request reads that token (one small query) and rebuilds the index
when it differs from the one the index was built at. A text search asks the database for the
matches and their ranks (practices.search.text_ranks) and intersects them with the filters.

A bit set is as long as the highest id it holds: ids are assigned in sequence, so at 50,000
practices each is ~6 KB and the whole index ~25 MB a process. (Were ids ever to run far ahead
of the number of practices, the index would need positions of its own.)

practices.filters.PracticeFilterSet.results() is the way in: it hands its validated values to
BrowseIndex.select(). The FilterSet's queryset (.qs) filters the same way in SQL, for the
exports and anything else that needs a queryset; the tests hold the two to the same results.
"""

import gc
import heapq
import threading
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.utils import translation
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

from organisations.models import Municipality, Organisation, Region, WellbeingServicesCounty

from .models import (
    Collection,
    DevelopmentStage,
    Funder,
    Practice,
    Recognition,
    TargetGroup,
    Theme,
)
from .search import text_matches, text_ranks
from .search.indexing import current_revision
from .search.query import analyse_query

FINNISH = "fi"
# From this many practices on, a new index is moved out of the garbage collector's sight.
FREEZE_AFTER = 5000


@dataclass(frozen=True)
class ValueFacet:
    """A facet over a lookup model: query parameter, model, and how a practice links to it
    (a many-to-many relation of Practice, or a foreign key column)."""

    name: str
    model: type
    relation: str = ""
    column: str = ""
    # Fields __str__ or the facet's order need besides the slug and the translated names.
    extra_fields: tuple = ()


VALUE_FACETS = (
    ValueFacet("theme", Theme, relation="themes", extra_fields=("order",)),
    ValueFacet("target_group", TargetGroup, relation="target_groups", extra_fields=("order",)),
    ValueFacet("stage", DevelopmentStage, column="stage_id", extra_fields=("order",)),
    ValueFacet("county", WellbeingServicesCounty, relation="wellbeing_counties"),
    ValueFacet("region", Region, relation="regions"),
    ValueFacet("municipality", Municipality, relation="municipalities"),
    ValueFacet("organisation", Organisation, relation="organisations"),
    ValueFacet("funder", Funder, relation="funders", extra_fields=("order", "abbreviation")),
    ValueFacet("collection", Collection, column="collection_id"),
)
VALUE_FACET_NAMES = tuple(spec.name for spec in VALUE_FACETS)


def bits_of(ids, size=0):
    """A bit set (int) with bit `id` set for each of `ids`, which are below `size` (or any
    non-negative ints, when size is 0)."""
    ids = ids if isinstance(ids, (list, tuple, set, dict)) else list(ids)
    if not size:
        size = max(ids, default=-1) + 1
    buffer = bytearray((size + 7) // 8)
    for bit in ids:
        buffer[bit >> 3] |= 1 << (bit & 7)
    return int.from_bytes(buffer, "little")


def ids_of(bits):
    """The bits set in a bit set, ascending."""
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    result = []
    for index, byte in enumerate(data):
        if byte:
            base = index << 3
            result.extend(base + bit for bit in range(8) if byte >> bit & 1)
    return result


def highest_ids(bits, limit):
    """Up to `limit` ids of a bit set, highest first."""
    found = []
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for index in range(len(data) - 1, -1, -1):
        byte = data[index]
        if byte:
            base = index << 3
            for bit in range(7, -1, -1):
                if byte >> bit & 1:
                    found.append(base + bit)
                    if len(found) == limit:
                        return found
    return found


class BrowseIndex:
    """The published practices as bit sets (bit n for the practice with id n), for one
    database at one revision."""

    def __init__(self, revision, using=DEFAULT_DB_ALIAS):
        self.revision = revision
        self.using = using
        # Orders and labels, made when first asked for.
        self._cache = {}
        self._lock = threading.RLock()
        self._load()

    def _load(self):
        using = self.using
        name_fields = [build_localized_fieldname("name", lang) for lang in AVAILABLE_LANGUAGES]
        rows = list(
            Practice.objects.using(using)
            .published()
            .order_by("-created_at", "-pk")
            .values_list(
                "pk",
                "modified_at",
                "stage_id",
                "collection_id",
                "start_year",
                "funding_programme",
                *name_fields,
            )
        )
        self.size = len(rows)
        # Newest first, as the list shows them by default.
        self.newest = [row[0] for row in rows]
        self.published = frozenset(self.newest)
        self.all = bits_of(self.newest)
        self._modified = {row[0]: row[1] for row in rows}
        self._names = {
            lang: {row[0]: row[6 + index] or "" for row in rows}
            for index, lang in enumerate(AVAILABLE_LANGUAGES)
        }

        # Facet values: name → {slug: bit set}, and the objects for their labels.
        self.values = {}
        self.objects = {}
        columns = {"stage_id": 2, "collection_id": 3}
        links = {}
        for spec in VALUE_FACETS:
            objects = self._objects(spec)
            if spec.column:
                pairs = ((row[0], row[columns[spec.column]]) for row in rows)
            else:
                pairs = links[spec.name] = self._links(spec)
            by_value = {}
            for pk, value_id in pairs:
                if value_id is not None:
                    by_value.setdefault(value_id, []).append(pk)
            self.values[spec.name] = {
                objects[value_id].slug: bits_of(found)
                for value_id, found in by_value.items()
                if value_id in objects
            }
            self.objects[spec.name] = {obj.slug: obj for obj in objects.values()}

        types = dict(Organisation.objects.using(using).order_by().values_list("pk", "type"))
        by_type = {}
        for pk, organisation_id in links["organisation"]:
            by_type.setdefault(types.get(organisation_id), []).append(pk)
        self.values["organisation_type"] = {
            kind: bits_of(found) for kind, found in by_type.items() if kind
        }

        recognised = (
            Recognition.objects.using(using).order_by().values_list("practice_id", flat=True)
        )
        self.recognised = bits_of({pk for pk in recognised if pk in self.published})

        by_year, by_programme = {}, {}
        for row in rows:
            if row[4] is not None:
                by_year.setdefault(row[4], []).append(row[0])
            if row[5]:
                by_programme.setdefault(row[5].upper(), []).append(row[0])
        self.years = {year: bits_of(found) for year, found in by_year.items()}
        self.programmes = {key: bits_of(found) for key, found in by_programme.items()}

    def _links(self, spec):
        """(practice id, related id) of each link of a published practice through a
        relation."""
        field = Practice._meta.get_field(spec.relation)
        through = field.remote_field.through
        column = through._meta.get_field(field.m2m_reverse_field_name()).attname
        published = self.published
        links = (
            through._base_manager.using(self.using).order_by().values_list("practice_id", column)
        )
        return [(pk, value) for pk, value in links.iterator(2000) if pk in published]

    def _objects(self, spec):
        """{id: unsaved instance holding what its label and order need}."""
        fields = ["id", "slug"]
        fields += [build_localized_fieldname("name", lang) for lang in AVAILABLE_LANGUAGES]
        fields.extend(spec.extra_fields)
        rows = spec.model._base_manager.using(self.using).order_by().values(*fields)
        return {row["id"]: spec.model(**row) for row in rows}

    # Labels

    def labels(self, name, language):
        """{slug: label} of a facet's values in `language` (as str(value) gives it)."""

        def build():
            with translation.override(language):
                return {slug: str(obj) for slug, obj in self.objects[name].items()}

        return self._cached(f"labels-{name}-{language}", build)

    # Orders

    def updated_order(self):
        """Practice ids, most recently updated first (then by id, descending)."""
        modified = self._modified
        return self._cached(
            "updated",
            lambda: sorted(modified, key=lambda pk: (modified[pk], pk), reverse=True),
        )

    def name_order(self, language):
        """Practice ids by name in `language` (falling back to Finnish), case-insensitive,
        then by id."""
        if language not in self._names:
            language = FINNISH

        def build():
            localized, finnish = self._names[language], self._names[FINNISH]
            keys = {pk: (localized[pk] or finnish[pk]).lower() for pk in localized}
            return sorted(keys, key=lambda pk: (keys[pk], pk))

        return self._cached(f"name-{language}", build)

    def name_rank(self, language):
        """{practice id: its place in name_order(language)}."""
        return self._cached(
            f"name-rank-{language}",
            lambda: {pk: place for place, pk in enumerate(self.name_order(language))},
        )

    def _cached(self, key, build):
        value = self._cache.get(key)
        if value is None:
            with self._lock:
                value = self._cache.get(key)
                if value is None:
                    value = self._cache[key] = build()
        return value

    # Selecting

    def select(
        self,
        *,
        facets,
        funding_programme="",
        year_min=None,
        year_max=None,
        recognised=False,
        q="",
        sort="newest",
        language=FINNISH,
    ):
        """The practices matching the given values (see PracticeFilterSet.results())."""
        masks = {}
        for name, selected in facets.items():
            if selected:
                values = self.values.get(name, {})
                mask = 0
                for key in selected:
                    mask |= values.get(key, 0)
                masks[name] = mask
        if funding_programme:
            masks["funding_programme"] = self.programmes.get(funding_programme.upper(), 0)
        for name, bound in (("start_year_min", year_min), ("start_year_max", year_max)):
            if bound is not None:
                mask = 0
                for year, bits in self.years.items():
                    if (year >= bound) if name == "start_year_min" else (year <= bound):
                        mask |= bits
                masks[name] = mask
        if recognised:
            masks["recognised"] = self.recognised
        ranks, analysed = None, []
        if q:
            analysed = analyse_query(q, self.using, language)
        if analysed:
            if sort == "relevance" and not masks:
                # Every match is a result: rank them all in the same query.
                ranks = text_ranks(q, self.using, language, analysed=analysed) or {}
                masks["q"] = bits_of(ranks) & self.all
            else:
                # Ranked later, if the order needs it, only those the other filters leave.
                found = text_matches(q, self.using, language, analysed=analysed) or ()
                masks["q"] = bits_of(found) & self.all
        text = (q, analysed) if analysed else None
        return BrowseResults(self, masks, ranks, sort, language, text)


class BrowseResults:
    """The practices a selection gives: their number, any slice of them in order (as Practice
    objects ready for a list), and the facet counts. Works as a Paginator's object_list.
    `text` is (q, its analysed words), or None without a text search; `ranks`, {practice id:
    rank}, is fetched when first needed unless given."""

    def __init__(self, index, masks, ranks, sort, language, text=None):
        self.index = index
        self.text = text
        self.analysed = text[1] if text else []
        self.masks = masks
        self.ranks = ranks
        self.sort = sort
        self.language = language
        self.bits = self._without(None)
        self._count = None

    def _without(self, name):
        bits = self.index.all
        for key, mask in self.masks.items():
            if key != name:
                bits &= mask
        return bits

    def count(self):
        if self._count is None:
            self._count = self.bits.bit_count()
        return self._count

    def __len__(self):
        return self.count()

    # Facet counts

    def value_counts(self, name):
        """{value: number of practices} for a facet, over the practices matching every
        selection but the facet's own. Values with no practices are left out."""
        bits = self._without(name)
        counts = {}
        for key, value_bits in self.index.values.get(name, {}).items():
            count = (value_bits & bits).bit_count()
            if count:
                counts[key] = count
        return counts

    def recognised_count(self):
        return (self.index.recognised & self._without("recognised")).bit_count()

    # Order and pages

    def pks(self, start, stop):
        """Ids of the practices start..stop-1 in the requested order."""
        if stop <= start or start >= self.count():
            return []
        index = self.index
        if self.sort == "relevance" and self.text is not None:
            return self._by_relevance(stop)[start:stop]
        if self.sort == "updated":
            order = index.updated_order()
        elif self.sort == "name":
            order = index.name_order(self.language)
        else:
            order = index.newest
        data = self._bytes()
        size = len(data) << 3
        result, seen = [], 0
        for pk in order:
            if pk < size and data[pk >> 3] >> (pk & 7) & 1:
                if seen >= start:
                    result.append(pk)
                    if len(result) == stop - start:
                        break
                seen += 1
        return result

    def _by_relevance(self, stop):
        """The first `stop` practices by rank, then name."""
        ranks = self._ranks()
        if len(ranks) != self.count():
            data = self._bytes()
            size = len(data) << 3
            ranks = {
                pk: r for pk, r in ranks.items() if pk < size and data[pk >> 3] >> (pk & 7) & 1
            }
        name_rank = self.index.name_rank(self.language)
        if len(ranks) > stop:
            # Those ranked above the stop-th best rank, and of those tied with it (often many),
            # the first by name.
            threshold = heapq.nlargest(stop, ranks.values())[-1]
            above = [pk for pk, r in ranks.items() if r > threshold]
            tied = [pk for pk, r in ranks.items() if r == threshold]
            tied = heapq.nsmallest(stop - len(above), tied, key=name_rank.__getitem__)
            ranks = {pk: ranks[pk] for pk in above + tied}
        return sorted(ranks, key=lambda pk: (-ranks[pk], name_rank[pk]))

    def _ranks(self):
        if self.ranks is None:
            q, analysed = self.text
            found = text_ranks(
                q, self.index.using, self.language, analysed=analysed, within=ids_of(self.bits)
            )
            self.ranks = found or {}
        return self.ranks

    def _bytes(self):
        return self.bits.to_bytes((self.bits.bit_length() + 7) // 8, "little")

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("BrowseResults can only be sliced.")
        start, stop, _step = item.indices(self.count())
        return self.fetch(self.pks(start, stop))

    def fetch(self, pks):
        """The practices `pks`, in that order, ready for a list, with search_rank set. A
        practice unpublished since the index was built is left out."""
        rows = Practice.objects.using(self.index.using).published().for_listing().filter(pk__in=pks)
        by_pk = {practice.pk: practice for practice in rows}
        ranks = self.ranks or {}
        result = []
        for pk in pks:
            practice = by_pk.get(pk)
            if practice is not None:
                practice.search_rank = ranks.get(pk, 0.0)
                result.append(practice)
        return result


# One index per database in each process, replaced when the revision changes.
_indexes = {}
_indexes_lock = threading.Lock()


def browse_index(using=DEFAULT_DB_ALIAS):
    """The BrowseIndex of the published practices as they are now (one query when it is
    current, a rebuild when not).

    While one thread rebuilds, the process's other threads go on with the index they have
    rather than wait: for that second their counts may miss the latest change, but a practice
    no longer published is never shown (BrowseResults.fetch() asks the database)."""
    revision = current_revision(using)
    index = _indexes.get(using)
    if index is not None and index.revision == revision:
        return index
    if index is not None and not _indexes_lock.acquire(blocking=False):
        return index
    if index is None:
        _indexes_lock.acquire()
    try:
        index = _indexes.get(using)
        if index is None or index.revision != revision:
            index = _indexes[using] = BrowseIndex(revision, using)
            if index.size >= FREEZE_AFTER:
                # The index's long-lived objects would otherwise be traversed by every full
                # garbage collection: pauses of tens of milliseconds in the middle of later
                # requests. What is garbage now is collected first; the frozen objects are
                # still freed when the next index replaces this one (no cycles).
                gc.collect()
                gc.freeze()
    finally:
        _indexes_lock.release()
    return index


def forget_indexes():
    """Drop every process-local index (the next request rebuilds it)."""
    with _indexes_lock:
        _indexes.clear()
