"""Text analysis for search: words, their base forms, compound parts, stems and folded forms.

The same analysis feeds the index and the queries, so that what a person types meets what an
editor wrote however either of them inflected it:

- Finnish words go through Voikko, which gives base forms ("vanhempainillassa" →
  "vanhempainilta") and the parts of compounds ("vanhempain", "vanhempi", "ilta"), so that
  "ilta" finds "vanhempainilta" and "lapsi" finds "lasten". A noun made from an adjective is
  also indexed with the adjective ("yksinäisyyttä" → "yksinäinen"). Words Voikko does not know
  ("puheeksiotto"), and all words on a machine without Voikko, get Snowball stems instead.
- Swedish and English words get their Snowball stems.
- Every form is also indexed folded (ä → a, ö → o, å → a, é → e, …), so that text typed
  without the Nordic letters still matches.

Only letters and digits ever come out of the analysis: whatever a person types, the terms that
reach the database are plain words, so no query syntax can slip through.
"""

import functools
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass

import snowballstemmer
from django.conf import settings

logger = logging.getLogger(__name__)

# A query is cut to this many characters and this many words; a longer one is not a search
# anyone types, and the cut keeps every query cheap.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8
# Longer "words" are identifiers, addresses or noise: not indexed, not searched.
MAX_WORD_LENGTH = 50
# Voikko is slow on very long strings and knows no such words anyway.
MAX_VOIKKO_WORD_LENGTH = 40
# Compound parts shorter than this ("ys", "n") are suffixes, not words people search for.
MIN_PART_LENGTH = 3
# Words shorter than this are not offered as spelling suggestions or substring matches.
MIN_VOCABULARY_WORD_LENGTH = 3
# How many of Voikko's alternative analyses of one word are used.
MAX_ANALYSES = 4

FINNISH = "fi"
SWEDISH = "sv"
ENGLISH = "en"
LANGUAGES = (FINNISH, SWEDISH, ENGLISH)
_SNOWBALL_NAMES = {FINNISH: "finnish", SWEDISH: "swedish", ENGLISH: "english"}

# Letters and digits; the underscore, punctuation, symbols, emoji and control characters
# separate words.
_WORD_RE = re.compile(r"[^\W_]+")

# Words too common to narrow a search. A query drops them unless nothing else is left.
_STOP_WORDS_TEXT = {
    FINNISH: "ja tai on ei se ne että kun joka jotka mikä myös sekä sen ovat olla ole kuin"
    " mutta vai niin tämä nämä",
    SWEDISH: "och i på att en ett det som för med av till är den de om eller men så från",
    ENGLISH: "the and of in on for to a an with or is are by at from as be this that it",
}
STOP_WORDS = {language: frozenset(text.split()) for language, text in _STOP_WORDS_TEXT.items()}
QUERY_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


def normalise(text):
    """NFKC-normalised, lower-case text."""
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text):
    """The words of `text`, normalised, in order. Over-long words are left out."""
    return [word for word in _WORD_RE.findall(normalise(text)) if len(word) <= MAX_WORD_LENGTH]


def word_spans(text):
    """(start, end, word) for each word of `text`, with offsets into `text` itself."""
    for match in _WORD_RE.finditer(text or ""):
        word = normalise(match.group())
        # NFKC can turn one character into several, and lower() too; re-split to be safe.
        parts = _WORD_RE.findall(word)
        if len(parts) == 1 and len(parts[0]) <= MAX_WORD_LENGTH:
            yield match.start(), match.end(), parts[0]


def fold(word):
    """`word` without diacritics: ä → a, ö → o, å → a, é → e. Other scripts keep their
    letters (only combining marks are dropped)."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", stripped)


# Snowball stemmer objects keep state between calls: one per thread.
_stemmers = threading.local()

# Stems are indexed with this mark in front, so that they meet only other stems: the Finnish
# stem of "vanhempainilta" is "vanhempain", which must not meet the compound part
# "vanhempain" of "vanhempainryhmä". A digit, because a term holds only letters and digits.
STEM_MARK = "0"


# English nouns in -iness are stemmed as the adjective in -y they are made of. Snowball keeps
# the adjective's "li" in "loneliness" (loneli) but takes it off "lonely" (lone); through the
# adjective both stem alike. (For most such pairs, happiness / happy, the stems agree anyway.)
_ENGLISH_INESS_RE = re.compile(r"(?<=[a-z]{2})iness(?:es)?$")


def stem(word, language):
    """The Snowball stem of `word`, marked as a stem."""
    stemmers = getattr(_stemmers, "by_language", None)
    if stemmers is None:
        stemmers = _stemmers.by_language = {}
    stemmer = stemmers.get(language)
    if stemmer is None:
        stemmer = stemmers[language] = snowballstemmer.stemmer(_SNOWBALL_NAMES[language])
    if language == ENGLISH:
        word = _ENGLISH_INESS_RE.sub("y", word)
    return STEM_MARK + stemmer.stemWord(word)


# --- Voikko ---------------------------------------------------------------------------------

_voikko_lock = threading.Lock()
_voikko = None
_voikko_unavailable = False


def _get_voikko():
    """The process's Voikko instance, created on first use; None where Voikko is missing."""
    global _voikko, _voikko_unavailable
    if _voikko is not None or _voikko_unavailable:
        return _voikko
    with _voikko_lock:
        if _voikko is None and not _voikko_unavailable:
            try:
                import libvoikko

                _voikko = libvoikko.Voikko(FINNISH)
            except Exception as exc:  # ImportError, OSError, VoikkoException: all mean "none".
                _voikko_unavailable = True
                logger.warning(
                    "Voikko is not available (%s): Finnish search uses Snowball stems only.", exc
                )
    return _voikko


def voikko_enabled():
    """Whether Finnish analysis uses Voikko: the SEARCH_USE_VOIKKO setting (default on) and a
    working Voikko installation."""
    return getattr(settings, "SEARCH_USE_VOIKKO", True) and _get_voikko() is not None


# WORDBASES is a chain of morphemes "surface(base)", most of them after a "+":
# "+vanhempain(vanhempi)+ilta(ilta)". A base starting with "+" marks a derivational suffix
# ("+ys(+ys)"); a morpheme without a base is a bound element ("+n", "+lli") or the first part
# of a compound Voikko gives no base for ("+lähi", "+yhteis"). Some base forms mark their
# inner boundary with "=": "hyvin=vointi".
_MORPHEME_RE = re.compile(r"\+?([^+()]+)(?:\(([^)]*)\))?")
_BASE_RE = re.compile(r"\(([^)]*)\)")


def _part_morphemes(wordbases):
    """The morphemes [(surface, base)] of `wordbases`, grouped by the word they make up: one
    group for a simple or derived word, one per part for a compound."""
    morphemes = []
    for surface, base in _MORPHEME_RE.findall(wordbases or ""):
        surface = surface.lower().replace("-", "")
        if surface:
            morphemes.append((surface, base.lower().replace("=", "")))
    groups = []
    for index, (surface, base) in enumerate(morphemes):
        following = morphemes[index + 1][1] if index + 1 < len(morphemes) else ""
        starts_part = (
            not groups
            or (base and not base.startswith("+"))
            # A part without a base, followed by one with: "+järjestö+yhteis+työ(työ)".
            or (not base and following and not following.startswith("+"))
        )
        if starts_part:
            groups.append([(surface, base)])
        else:
            groups[-1].append((surface, base))
    return groups


def _compound_parts(wordbases):
    """[(surface, base)] for the words a compound is made of; [] for a simple word."""
    groups = _part_morphemes(wordbases)
    if len(groups) < 2:
        return []
    parts = []
    for group in groups:
        if len(group) == 1:
            parts.append(group[0])
        else:
            # "terve" + "ys" → "terveys": a derived part is its own base.
            merged = "".join(surface for surface, _base in group)
            parts.append((merged, merged))
    return parts


def _segments(wordbases):
    """How many words Voikko's analysis splits a word into: its compound parts and the
    marked boundaries inside base forms ("hyvin=vointi" counts two). None when the analysis
    tells nothing of the word's structure (some proper names)."""
    if not wordbases:
        return None
    boundaries = sum(base.count("=") for base in _BASE_RE.findall(wordbases))
    return max(len(_part_morphemes(wordbases)), 1) + boundaries


# Voikko's word classes of adjectives.
_ADJECTIVE_CLASSES = frozenset({"laatusana", "nimisana_laatusana"})
# The suffixes of nouns of quality: "terve" → "terveys", "avoin" → "avoimuus".
_QUALITY_SUFFIXES = frozenset({"+ys", "+us"})


@functools.lru_cache(maxsize=20_000)
def _word_classes(word):
    """Voikko's word classes of `word` as a base form; empty if it is no word's base form."""
    return frozenset(
        analysis.get("CLASS")
        for analysis in _voikko_analyze(word)
        if (analysis.get("BASEFORM") or "").lower() == word
    )


def _is_adjective(word):
    """Whether `word` is the base form of an adjective Voikko knows."""
    return bool(_word_classes(word) & _ADJECTIVE_CLASSES)


def _join_bound_parts(parts):
    """The compound parts, each part Voikko gives no base for joined to the next part when
    together they make a word: "järjestö" + "yhteis" + "työ" → "järjestö", "yhteistyö",
    "työ". Alone, "yhteis" is no word anyone searches for."""
    joined = []
    for index, (surface, base) in enumerate(parts):
        following = parts[index + 1][1] if index + 1 < len(parts) else ""
        if not base and following and _word_classes(surface + following):
            surface = base = surface + following
        joined.append((surface, base))
    return joined


def _adjective_bases(wordbases):
    """The adjectives the nouns of quality among the words of `wordbases` are made of:
    "yksinäisyys" → "yksinäinen", "turvallisuus" → "turvallinen", "terveys" → "terve". Only
    adjectives: a noun or verb a word derives from ("työ" → "työllisyys", "ohjata" →
    "ohjaus") is too loose a relation to find it by."""
    bases = []
    for group in _part_morphemes(wordbases):
        if len(group) < 2 or group[-1][1] not in _QUALITY_SUFFIXES:
            continue
        candidates = []
        # An adjective in -inen makes a noun in -isuus / -isyys; Voikko's base is often the
        # word the adjective is made of ("+turva(turva)+llisu(+nen)+us(+us)").
        stem_surface = "".join(surface for surface, _base in group[:-1])
        if stem_surface.endswith(("isu", "isy")):
            candidates.append(stem_surface[:-3] + "inen")
        root = group[0][1]
        if root and not root.startswith("+"):
            candidates.append(root)
        for candidate in candidates:
            if len(candidate) >= MIN_PART_LENGTH and _is_adjective(candidate):
                bases.append(candidate)
                break
    return bases


def _voikko_analyze(word):
    """Voikko's analyses of `word` (a list of dicts); [] without Voikko or on an error."""
    voikko = _get_voikko()
    if voikko is None or len(word) > MAX_VOIKKO_WORD_LENGTH or not word.isalpha():
        return []
    with _voikko_lock:
        try:
            return voikko.analyze(word)
        except Exception:  # A broken analysis of one word must not break indexing.
            logger.exception("Voikko could not analyse %r", word)
            return []


@functools.lru_cache(maxsize=200_000)
def voikko_analyses(word):
    """((base form, ((part surface, part base), …), (adjective base, …)), …) for `word`; ()
    if Voikko does not know the word or is not available.

    Of Voikko's alternative analyses, only those that split the word into the fewest parts
    are used: "toisiltaan" is "toinen" (other), not "tois" + "ilta" (evening); "kanavilla" is
    "kanava", not "kana" + "villa".
    """
    analyses = _voikko_analyze(word)[:MAX_ANALYSES]
    segments = [_segments(analysis.get("WORDBASES")) for analysis in analyses]
    fewest = min((count for count in segments if count is not None), default=None)
    result = []
    for analysis, count in zip(analyses, segments, strict=True):
        base = (analysis.get("BASEFORM") or "").lower()
        if not base or (count is not None and count > fewest):
            continue
        wordbases = analysis.get("WORDBASES")
        parts = _join_bound_parts(_compound_parts(wordbases))
        item = (base, tuple(parts), tuple(_adjective_bases(wordbases)))
        if item not in result:
            result.append(item)
    return tuple(result)


def voikko_suggestions(word):
    """Voikko's spelling suggestions for `word`, best first; [] without Voikko."""
    voikko = _get_voikko()
    if voikko is None or len(word) > MAX_VOIKKO_WORD_LENGTH:
        return []
    with _voikko_lock:
        try:
            return [suggestion.lower() for suggestion in voikko.suggest(word)]
        except Exception:
            logger.exception("Voikko could not suggest for %r", word)
            return []


# --- Analysis of one word -------------------------------------------------------------------


@dataclass(frozen=True)
class WordAnalysis:
    """What one word of a text stands for in the index."""

    # All forms to index, the word itself first: surface, base forms, compound parts,
    # adjective bases, stems, and folded variants of each.
    index_forms: tuple
    # The forms a query with this word looks for: the same without the compound parts and
    # adjective bases.
    query_forms: frozenset
    # Real words for the vocabulary (spelling suggestions, substring matches): the base forms
    # of a word Voikko knows, the word itself otherwise. Inflected forms stay out: they
    # would add "sektorilta" (from a sector) to the words containing "ilta" (evening).
    vocabulary: tuple


def _with_folded(forms):
    result = []
    for form in forms:
        if form and form not in result:
            result.append(form)
    for form in list(result):
        folded = fold(form)
        if folded not in result:
            result.append(folded)
    return result


def _vocabulary_words(candidates):
    return tuple(
        dict.fromkeys(
            word
            for word in candidates
            if len(word) >= MIN_VOCABULARY_WORD_LENGTH and word.isalpha()
        )
    )


@functools.lru_cache(maxsize=300_000)
def analyse_word(word, language, use_voikko):
    """The analysis of one normalised word in `language` ("fi", "sv" or "en")."""
    analyses = voikko_analyses(word) if language == FINNISH and use_voikko else ()
    if analyses:
        bases = [base for base, _parts, _adjectives in analyses]
        parts = []
        for _base, compound, adjectives in analyses:
            for surface, base in compound:
                parts.extend(p for p in (surface, base) if len(p) >= MIN_PART_LENGTH)
            # Like a compound part, the adjective is indexed but not searched for: the
            # adjective finds the noun, the noun does not find every use of the adjective.
            parts.extend(adjectives)
        # Voikko knows the word: its base forms are exact, so the index needs no stems. The
        # query side still adds them, to meet the stems of words Voikko does not know (and
        # of an index built without Voikko).
        index_forms = _with_folded([word, *bases, *parts])
        query_forms = _with_folded(
            [word, *bases, stem(word, language), *(stem(b, language) for b in bases)]
        )
        vocabulary = _vocabulary_words(bases)
    else:
        index_forms = _with_folded([word] if word.isdigit() else [word, stem(word, language)])
        query_forms = index_forms
        vocabulary = _vocabulary_words([word])
    return WordAnalysis(tuple(index_forms), frozenset(query_forms), vocabulary)


def analyse(word, language, use_voikko=None):
    if use_voikko is None:
        use_voikko = voikko_enabled()
    return analyse_word(word, language, bool(use_voikko))


# --- Analysis of a text (indexing) ----------------------------------------------------------


def analyse_text(text, language, use_voikko=None, max_words=None):
    """(index terms, vocabulary words, number of words) of `text`, at most `max_words` of
    them: the terms as one space-separated string, each word's forms together and in text
    order; the vocabulary as a set."""
    if use_voikko is None:
        use_voikko = voikko_enabled()
    use_voikko = bool(use_voikko)
    if max_words is None and len(text) <= _SHORT_TEXT:
        terms, vocabulary, count = _analyse_short_text(text, language, use_voikko)
        return terms, set(vocabulary), count
    return _analyse_text(text, language, use_voikko, max_words)


def _analyse_text(text, language, use_voikko, max_words=None):
    text_words = words(text)
    if max_words is not None:
        text_words = text_words[:max_words]
    terms = []
    extend = terms.extend
    for word in text_words:
        extend(analyse_word(word, language, use_voikko).index_forms)
    vocabulary = set()
    for word in set(text_words):
        vocabulary.update(analyse_word(word, language, use_voikko).vocabulary)
    return " ".join(terms), vocabulary, len(text_words)


# Names of places, organisations and themes recur on card after card: their analyses are kept.
_SHORT_TEXT = 200


@functools.lru_cache(maxsize=20_000)
def _analyse_short_text(text, language, use_voikko):
    terms, vocabulary, count = _analyse_text(text, language, use_voikko)
    return terms, frozenset(vocabulary), count


# --- Analysis of a query --------------------------------------------------------------------


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: a practice matches it if its index holds any of `terms`, or a
    term starting with any of `prefixes`."""

    word: str
    terms: frozenset
    prefixes: frozenset

    def matches(self, forms):
        """Whether a text word with these index forms meets this query word."""
        if self.terms & forms:
            return True
        return any(form.startswith(prefix) for prefix in self.prefixes for form in forms)


# A prefix of one or two letters matches too much to be of use.
MIN_PREFIX_LENGTH = 3
# Words from this length on also match as prefixes wherever they are in the query.
PREFIX_WORD_LENGTH = 4


def query_words(q, language=None, use_voikko=None):
    """The words of the query `q`, analysed in Finnish and in `language` (the active UI
    language), with stop words left out unless the query has nothing else."""
    if use_voikko is None:
        use_voikko = voikko_enabled()
    text = (q or "")[:MAX_QUERY_LENGTH]
    # Operators people know from other search engines, in capitals, are not words to find:
    # every word must match anyway, and no word is excluded.
    operators = {word.lower() for word in _WORD_RE.findall(text) if word in QUERY_OPERATORS}
    found = list(dict.fromkeys(words(text)))
    languages = [FINNISH]
    if language in LANGUAGES and language != FINNISH:
        languages.append(language)
    stop_words = operators.union(*(STOP_WORDS[lang] for lang in languages))
    meaningful = [word for word in found if word not in stop_words]
    found = (meaningful or found)[:MAX_QUERY_WORDS]
    result = []
    for position, word in enumerate(found):
        terms = set()
        for lang in languages:
            terms |= analyse(word, lang, use_voikko).query_forms
        prefixes = set()
        is_last = position == len(found) - 1
        if len(word) >= PREFIX_WORD_LENGTH or (is_last and len(word) >= MIN_PREFIX_LENGTH):
            prefixes = {word, fold(word)}
        result.append(QueryWord(word, frozenset(terms), frozenset(prefixes)))
    return result
