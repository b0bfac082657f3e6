"""Full-text search of practices: analysis, index, queries, ranking, snippets, suggestions.

The interface the rest of the site uses:

    filter_by_text(queryset, q)   practices matching q, annotated with search_rank
    text_matches(q)               ids of every match, in one query
    text_ranks(q)                 {practice id: rank} of every match (or of given ids)
    suggest_query(q)              a corrected query ("did you mean"), or None
    highlight_page(practices, q)  sets practice.search_snippet for one page of results
    index_practices(practices)    brings the index up to date after writes that bypass signals
"""

from .highlight import highlight_page
from .indexing import index_practices
from .query import filter_by_text, text_matches, text_ranks
from .suggest import suggest_query

__all__ = [
    "filter_by_text",
    "highlight_page",
    "index_practices",
    "suggest_query",
    "text_matches",
    "text_ranks",
]
