"""Snippets for a page of search results: the best-matching sentence, with matches marked.

A word is marked when its analysed forms meet a query word's, exactly as the search matched it,
so that the query "vanhempainilta" marks "vanhempainilloissa" and "ilta" marks
"vanhempainillassa". Everything else in the snippet is HTML-escaped.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ..models import Practice
from .analysis import FINNISH, LANGUAGES, analyse, word_spans, words
from .query import analyse_query

# A snippet shows about this many words.
SNIPPET_WORDS = 30
# Words of context before the first match.
CONTEXT_BEFORE = 6
ELLIPSIS = "…"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*")

# Where a matching sentence is best taken from, when several match as many query words:
# the summary first, then the sections in card order, and the name (the card's heading
# already shows it) last.
_FIELDS = ("summary", *Practice.SECTION_FIELDS, "name")


def _localised(practice, field, language):
    """(text, language of the text): the active language's, or the Finnish one."""
    text = getattr(practice, f"{field}_{language}", None)
    if text and text.strip():
        return text, language
    return getattr(practice, f"{field}_{FINNISH}", None) or "", FINNISH


def _sentences(text):
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            yield text[start : match.start()]
        start = match.end()
    if start < len(text):
        yield text[start:]


def _render(sentence, spans, marked, first, last):
    """HTML of words first..last of `sentence`, the `marked` ones in <mark>."""
    pieces = [ELLIPSIS + " "] if first > 0 else []
    # From the start of the sentence, or of the first word shown.
    position = spans[first][0] if first > 0 else 0
    for index in range(first, last + 1):
        start, end, _word = spans[index]
        pieces.append(escape(sentence[position:start]))
        if index in marked:
            pieces.append(f"<mark>{escape(sentence[start:end])}</mark>")
        else:
            pieces.append(escape(sentence[start:end]))
        position = end
    if last < len(spans) - 1:
        pieces.append(" " + ELLIPSIS)
    else:
        pieces.append(escape(sentence[position:]))
    return mark_safe("".join(pieces).strip())


def _plain(text):
    """The start of `text`, escaped, without marks."""
    spans = list(word_spans(text))
    if not spans:
        return mark_safe(escape(text.strip()))
    return _render(text, spans, set(), 0, min(len(spans), SNIPPET_WORDS) - 1)


class _Matcher:
    """Which query words each text word meets, remembered for the page: the same words recur
    from card to card."""

    def __init__(self, analysed):
        self.analysed = analysed
        self.known = {}

    def __call__(self, word, language):
        key = (word, language)
        found = self.known.get(key)
        if found is None:
            forms = frozenset(analyse(word, language).index_forms)
            found = self.known[key] = frozenset(
                number
                for number, query_word in enumerate(self.analysed)
                if query_word.matches(forms)
            )
        return found


def _best_sentence(practice, matcher, language):
    """(score, sentence, spans, marked word indexes) of the best-matching sentence."""
    best = None
    for priority, field in enumerate(reversed(_FIELDS)):
        text, text_language = _localised(practice, field, language)
        # Most sections hold none of the query's words: one pass over the text tells.
        if not any(matcher(word, text_language) for word in set(words(text))):
            continue
        for sentence in _sentences(text):
            spans = list(word_spans(sentence))
            marked, met = set(), set()
            for index, (_start, _end, word) in enumerate(spans):
                numbers = matcher(word, text_language)
                if numbers:
                    marked.add(index)
                    met.update(numbers)
            if not met:
                continue
            score = (len(met), priority, len(marked))
            if best is None or score > best[0]:
                best = (score, sentence, spans, marked)
    return best


def snippet(practice, analysed, language, matcher=None):
    if analysed:
        best = _best_sentence(practice, matcher or _Matcher(analysed), language)
        if best is not None:
            _score, sentence, spans, marked = best
            first = max(0, min(marked) - CONTEXT_BEFORE)
            if len(spans) - first < SNIPPET_WORDS:
                first = max(0, len(spans) - SNIPPET_WORDS)
            last = min(len(spans), first + SNIPPET_WORDS) - 1
            return _render(sentence, spans, marked, first, last)
    text, _language = _localised(practice, "summary", language)
    return _plain(text)


def highlight_page(practices, q, analysed=None):
    """Set `search_snippet` on each of `practices` (one page of results): an HTML-escaped
    excerpt of the text that best matches `q`, matches in <mark>, or the short description
    when nothing matches or `q` is empty. `analysed` is analyse_query(q) when the caller has
    it already."""
    practices = list(practices)
    if not practices:
        return
    language = (get_language() or FINNISH)[:2]
    if language not in LANGUAGES:
        language = FINNISH
    using = practices[0]._state.db or "default"
    if analysed is None:
        analysed = analyse_query(q, using, language) if isinstance(q, str) else []
    matcher = _Matcher(analysed)
    for practice in practices:
        practice.search_snippet = snippet(practice, analysed, language, matcher)
