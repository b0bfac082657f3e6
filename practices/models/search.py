"""The full-text search index of practices (practices.search keeps it up to date).

Each practice has one search document holding its analysed terms in three weighted parts: the
name, the short description, and everything else. The database indexes the terms with its own
full-text machinery, which the migrations create next to these tables:

- PostgreSQL: a generated, weighted tsvector column on the document table with a GIN index
  (what a search matches), a smaller weighted tsvector of the name, the short description and
  the key terms (what a search ranks by), and a trigram (pg_trgm) index on the vocabulary.
- SQLite: an FTS5 table over the documents, and an FTS5 trigram table over the vocabulary,
  both kept in step with their tables by triggers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .practice import Practice


class PracticeSearchDocument(models.Model):
    practice = models.OneToOneField(
        Practice,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
        verbose_name=_("practice"),
    )
    name_terms = models.TextField(
        _("name terms"), blank=True, help_text=_("Analysed terms of the name, in all languages.")
    )
    summary_terms = models.TextField(
        _("summary terms"),
        blank=True,
        help_text=_("Analysed terms of the short description, in all languages."),
    )
    body_terms = models.TextField(
        _("body terms"),
        blank=True,
        help_text=_("Analysed terms of the sections, places, organisations and classifications."),
    )
    key_terms = models.TextField(
        _("key terms"),
        blank=True,
        help_text=_(
            "The terms the sections repeat most, for ranking: a card that keeps returning to "
            "a word is more about it than one that mentions it once."
        ),
    )
    words = models.TextField(
        _("words"),
        blank=True,
        help_text=_("The distinct words of the practice that the search vocabulary counts."),
    )
    indexed_at = models.DateTimeField(_("indexed"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        ordering = ["practice"]

    def __str__(self):
        return str(self.practice_id)


class SearchTerm(models.Model):
    """A word of the indexed practices, for spelling suggestions and substring matches."""

    term = models.CharField(_("term"), max_length=100, unique=True)
    folded = models.CharField(
        _("folded term"), max_length=100, help_text=_("The term without diacritics: ä → a.")
    )
    document_frequency = models.IntegerField(
        _("document frequency"), default=0, help_text=_("Number of practices with the term.")
    )

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        ordering = ["term"]
        indexes = [
            # Restoring the letters of a query typed without them: "jarjesto" → "järjestö".
            models.Index(fields=["folded"], name="search_term_folded_idx"),
        ]

    def __str__(self):
        return self.term


class SearchIndexRevision(models.Model):
    """One row whose token changes whenever the indexed practices change, so that every
    process can tell whether what it keeps in memory about them (practices.browse) is current.
    A token, not a counter: a change that is rolled back never comes back with the same value."""

    token = models.CharField(_("token"), max_length=32)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("search index revision")
        verbose_name_plural = _("search index revisions")

    def __str__(self):
        return self.token


class PracticeSearchMatch(models.Model):
    """The SQLite FTS5 table over the search documents (the migration creates it; PostgreSQL
    has none). Joining it to practices lets one full-text query filter and rank them."""

    practice = models.OneToOneField(
        Practice,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        related_name="search_match",
        verbose_name=_("practice"),
    )
    # FTS5's hidden column named after the table: the left-hand side of MATCH and the first
    # argument of bm25().
    fts = models.TextField(db_column="practices_search_fts", editable=False)
    name_terms = models.TextField(_("name terms"), editable=False)
    summary_terms = models.TextField(_("summary terms"), editable=False)
    body_terms = models.TextField(_("body terms"), editable=False)

    class Meta:
        managed = False
        db_table = "practices_search_fts"
        verbose_name = _("search match")
        verbose_name_plural = _("search matches")

    def __str__(self):
        return str(self.practice_id)
