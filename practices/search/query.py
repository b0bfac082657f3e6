"""Turning a text query into a filtered, ranked queryset of practices.

Each word of the query becomes a group of alternatives, any of which may match: its surface
form, base forms and stems (query_words() in analysis.py), a prefix of it, and the words of the
vocabulary that contain it ("ilta" → "vanhempainilta"). All groups must match. The groups are
written in the database's own full-text syntax, every alternative quoted, so that nothing a
person types is ever read as an operator.

Two ways to run a search, with the same matches and ranks:

- filter_by_text() joins a queryset of practices to the search index and annotates it with
  search_rank (higher is better). The join keeps the queryset lazy: it can be filtered
  further, counted, sliced and used as a subquery.
- text_ranks() fetches {practice id: rank} of every match in one query, for the list page
  (practices.browse), which filters, counts and orders them in memory.

SQLite ranks with bm25() over the FTS5 table, weighting the name over the short description
over the rest; PostgreSQL with ts_rank() over a tsvector of the name (A), the short
description (B) and the key terms of the sections (C).
"""

from dataclasses import replace

from django.db import connections
from django.db.models import Expression, F, FloatField, Func, Lookup, TextField, Value
from django.utils.translation import get_language

from .analysis import FINNISH, MIN_VOCABULARY_WORD_LENGTH, analyse, fold, query_words

# How many vocabulary words containing a query word join its alternatives, most common first.
MAX_SUBSTRING_MATCHES = 20

# bm25() weights of the FTS5 columns name_terms, summary_terms, body_terms.
SQLITE_COLUMN_WEIGHTS = (10.0, 4.0, 1.0)
# ts_rank() weights of the tsvector's D, C (everything else), B (summary) and A (name).
POSTGRESQL_WEIGHTS = "{0.05, 0.2, 0.4, 1.0}"


def _vendor(using):
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"Practice search supports SQLite and PostgreSQL, not {vendor}.")
    return vendor


# --- Vocabulary words containing a query word -----------------------------------------------


def _substring_candidates(word):
    return word.isalpha() and len(word) >= MIN_VOCABULARY_WORD_LENGTH


def _substring_matches(folded_words, using):
    """{folded query word: [(vocabulary word, its folded form) for the words whose folded form
    contains it, most common first]}."""
    if not folded_words:
        return {}
    vendor = _vendor(using)
    parts, params = [], []
    for index, word in enumerate(folded_words):
        if vendor == "sqlite":
            parts.append(
                "SELECT * FROM (SELECT %s, t.term, t.folded FROM practices_searchterm t"
                " WHERE t.id IN (SELECT rowid FROM practices_search_term_trigram"
                " WHERE practices_search_term_trigram MATCH %s)"
                " ORDER BY t.document_frequency DESC LIMIT %s)"
            )
            params += [index, f'"{word}"', MAX_SUBSTRING_MATCHES]
        else:
            parts.append(
                "(SELECT %s, term, folded FROM practices_searchterm WHERE folded LIKE %s"
                " ORDER BY document_frequency DESC LIMIT %s)"
            )
            params += [index, f"%{word}%", MAX_SUBSTRING_MATCHES]
    matches = {word: [] for word in folded_words}
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for index, term, folded in cursor.fetchall():
            matches[folded_words[index]].append((term, folded))
    return matches


def _covered(term, query_word):
    """Whether the index already finds `term` by the query word: a compound whose analysed
    parts include one of the word's forms ("arkiliikunta" for "liikunta")."""
    forms = set(analyse(term, FINNISH).index_forms) - {term, fold(term)}
    return bool(forms & query_word.terms)


def analyse_query(q, using="default", language=None):
    """The query's words (analysis.QueryWord), each with the vocabulary words containing it
    among its terms. One database query, or none for a blank query."""
    if language is None:
        language = get_language()
    analysed = query_words(q, language)
    folded = list(dict.fromkeys(fold(w.word) for w in analysed if _substring_candidates(w.word)))
    matches = _substring_matches(folded, using)
    result = []
    for word in analysed:
        extra = set()
        for term, match in matches.get(fold(word.word), ()):
            # A word the prefix or the compound analysis already covers adds nothing but
            # work for the index.
            if any(match.startswith(prefix) for prefix in word.prefixes) or _covered(term, word):
                continue
            extra.add(match)
        result.append(replace(word, terms=word.terms | extra) if extra else word)
    return result


# --- Query expressions ----------------------------------------------------------------------


def fts5_expression(analysed):
    """An FTS5 MATCH expression: every alternative a quoted string of letters and digits."""
    groups = []
    for word in analysed:
        alternatives = [f'"{term}"' for term in sorted(word.terms)]
        alternatives += [f'"{prefix}"*' for prefix in sorted(word.prefixes)]
        groups.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(groups)


def tsquery_expression(analysed):
    """A to_tsquery() expression: every alternative a quoted lexeme of letters and digits."""
    groups = []
    for word in analysed:
        alternatives = [f"'{term}'" for term in sorted(word.terms)]
        alternatives += [f"'{prefix}':*" for prefix in sorted(word.prefixes)]
        groups.append("(" + " | ".join(alternatives) + ")")
    return " & ".join(groups)


class _JoinedColumn(Expression):
    """A column of the table joined through `relation` that the Django model does not
    describe (PostgreSQL's generated search_vector). `anchor` names a field of that model,
    used to make and find the join."""

    def __init__(self, relation, anchor, column, output_field):
        super().__init__(output_field=output_field)
        self.relation, self.anchor, self.column = relation, anchor, column
        self.source = None

    def get_source_expressions(self):
        return [self.source] if self.source is not None else []

    def set_source_expressions(self, expressions):
        if expressions:
            (self.source,) = expressions

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        clone = self.copy()
        # Once resolved, the column stays on its join, also when the query it belongs to
        # is resolved again as a subquery of another.
        source = self.source or F(f"{self.relation}__{self.anchor}")
        clone.source = source.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return clone

    def as_sql(self, compiler, connection):
        table = compiler.quote_name(self.source.alias)
        return f"{table}.{connection.ops.quote_name(self.column)}", []


class _Matches(Lookup):
    """SQLite FTS5: `fts MATCH expression`."""

    lookup_name = "fts5_matches"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", (*lhs_params, *rhs_params)


class _TsMatches(Lookup):
    """PostgreSQL: `vector @@ tsquery`."""

    lookup_name = "ts_matches"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ {rhs}", (*lhs_params, *rhs_params)


class _ToTsQuery(Func):
    template = "to_tsquery('simple'::regconfig, %(expressions)s)"
    output_field = TextField()


class _Bm25Rank(Func):
    function = "bm25"
    template = "(-%(function)s(%(expressions)s))"
    output_field = FloatField()


class _TsRank(Func):
    template = f"ts_rank('{POSTGRESQL_WEIGHTS}'::float4[], %(expressions)s)"
    output_field = FloatField()


def _sqlite_search(queryset, analysed):
    expression = fts5_expression(analysed)
    fts = F("search_match__fts")
    return (
        queryset.filter(search_match__isnull=False)
        .filter(_Matches(fts, Value(expression, output_field=TextField())))
        .annotate(search_rank=_Bm25Rank(fts, *map(Value, SQLITE_COLUMN_WEIGHTS)))
    )


def _postgresql_search(queryset, analysed):
    tsquery = _ToTsQuery(Value(tsquery_expression(analysed), output_field=TextField()))
    vector = _JoinedColumn("search_document", "indexed_at", "search_vector", TextField())
    rank_vector = _JoinedColumn("search_document", "indexed_at", "rank_vector", TextField())
    # The join is a LEFT JOIN, which PostgreSQL turns into an inner one because of the strict
    # @@ condition. (A search_document__isnull=False filter would make the join inner for
    # Django, but lead the planner to scan every document instead of the GIN index.)
    return queryset.filter(_TsMatches(vector, tsquery)).annotate(
        search_rank=_TsRank(rank_vector, tsquery)
    )


def _analysed(q, using, language, analysed):
    if analysed is None:
        analysed = analyse_query(q, using, language) if isinstance(q, str) else []
    return analysed


def _postgresql_arrays(using, sql, params):
    """The one row of `sql` (aggregated arrays) in PostgreSQL's binary format: tens of
    thousands of ids arrive several times faster as one binary array than as rows of text.
    Django's cursors are text only, so a psycopg cursor is made here and wrapped as Django
    wraps its own (which keeps the query in the debug log and in assertNumQueries)."""
    import psycopg

    connection = connections[using]
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    raw.format = psycopg.pq.Format.BINARY
    with connection._prepare_cursor(raw) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def text_matches(q, using="default", language=None, analysed=None):
    """The ids of every practice, published or not, whose search document matches the text
    query `q`, unranked; None for a query without words. One database query (and the
    vocabulary look-up, unless the caller gives `analysed`, the result of analyse_query)."""
    analysed = _analysed(q, using, language, analysed)
    if not analysed:
        return None
    if _vendor(using) == "postgresql":
        (ids,) = _postgresql_arrays(
            using,
            "SELECT array_agg(practice_id) FROM practice_search_matches("
            "to_tsquery('simple'::regconfig, %s))",
            [tsquery_expression(analysed)],
        )
        return set(ids or ())
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM practices_search_fts WHERE practices_search_fts MATCH %s",
            [fts5_expression(analysed)],
        )
        return {pk for (pk,) in cursor.fetchall()}


def text_ranks(q, using="default", language=None, analysed=None, within=None):
    """{practice id: rank} of every practice, published or not, whose search document matches
    the text query `q` (higher ranks are better); None for a query without words. `within`
    narrows it to these ids, which must be matches (from text_matches()). One database query
    (and the vocabulary look-up, unless the caller gives `analysed`)."""
    analysed = _analysed(q, using, language, analysed)
    if not analysed:
        return None
    if _vendor(using) == "postgresql":
        if within is None:
            sql = (
                "SELECT array_agg(practice_id), array_agg(rank) FROM practice_search_ranks("
                "to_tsquery('simple'::regconfig, %s), %s::float4[])"
            )
            params = [tsquery_expression(analysed), POSTGRESQL_WEIGHTS]
        else:
            # By id, without matching again: the caller passes practices known to match (the
            # full vectors are large to read; the rank vectors are in the rows).
            sql = (
                "SELECT array_agg(practice_id), array_agg(ts_rank(%s::float4[], rank_vector,"
                " to_tsquery('simple'::regconfig, %s))) FROM practices_practicesearchdocument"
                " WHERE practice_id = ANY(%s::bigint[])"
            )
            params = [POSTGRESQL_WEIGHTS, tsquery_expression(analysed), list(within)]
        ids, ranks = _postgresql_arrays(using, sql, params)
        return dict(zip(ids or (), ranks or (), strict=True))
    # SQLite: always every match, as FTS5 would run the whole query again for each id of a
    # `rowid IN (…)` condition; the ids are picked out afterwards.
    weights = ", ".join(str(weight) for weight in SQLITE_COLUMN_WEIGHTS)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, -bm25(practices_search_fts, {weights}) FROM practices_search_fts"
            " WHERE practices_search_fts MATCH %s",
            [fts5_expression(analysed)],
        )
        ranks = dict(cursor.fetchall())
    if within is not None:
        ranks = {pk: ranks[pk] for pk in within if pk in ranks}
    return ranks


def filter_by_text(queryset, q):
    """The practices of `queryset` matching the text query `q`, annotated with search_rank
    (higher is better). A query without words gives the queryset back with search_rank 0.

    The result joins the search index with an INNER JOIN: combine it with further filters
    (AND), not with `|`, which SQLite's MATCH cannot take part in.
    """
    analysed = analyse_query(q, queryset.db) if isinstance(q, str) else []
    if not analysed:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    if _vendor(queryset.db) == "sqlite":
        return _sqlite_search(queryset, analysed)
    return _postgresql_search(queryset, analysed)
