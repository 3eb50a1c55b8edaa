"""Claims about the cache key found in docstrings and comments.

A cached function's docstring or a comment next to it often says something about the
cache key: "the job ID is not part of the key", "keyed on path and mtime only",
"results are shared across runs". When that statement contradicts what the decorator
really hashes, the code or the text is wrong (CL301-CL303). This module finds such
statements and maps the noun phrases in them ("the job ID", "``request_id``", "the
output path") to the function's parameter names. It knows nothing about decorators;
the rules compare its :class:`Claim` objects with a :class:`~cachelint.models.KeySpec`.

The extraction is deliberately conservative: a sentence only becomes a claim when it
matches one of a fixed set of phrasings *and* names at least one parameter (the
``"shared"`` kind excepted, see :class:`Claim`). Everything is plain ``re`` with bounded
repetition, and sentences are capped at :data:`MAX_SENTENCE` characters, so the cost is
linear in the size of the text.

Public API: :class:`TextBlock`, :class:`Claim`, :func:`extract_claims`,
:func:`map_phrase`, :func:`keyed_on_purpose`.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple

__all__ = [
    "CLAIM_KINDS",
    "MAX_SENTENCE",
    "SCOPES",
    "Claim",
    "TextBlock",
    "extract_claims",
    "keyed_on_purpose",
    "map_phrase",
]

#: The values :attr:`Claim.kind` can take.
CLAIM_KINDS = ("excluded", "keyed", "keyed_only", "shared")

#: Scope words recognised in "shared across ..." claims (singular form).
SCOPES = ("job", "run", "request", "session", "user", "tenant")

#: Sentences longer than this many characters are analysed in pieces of at most this size.
MAX_SENTENCE = 500


@dataclass(frozen=True)
class TextBlock:
    """A piece of prose attached to a cached function.

    Attributes:
        text: a docstring's evaluated text, or one comment's text without the leading
            ``#``. Docstrings should keep their line structure (no removal of leading
            blank lines) so that line numbers can be computed.
        line: 1-based source line of the block's first line.
        column: 1-based source column of ``text[0]``.
        kind: ``"docstring"`` or ``"comment"``. Comment blocks on consecutive lines are
            read as one paragraph, so a sentence may wrap from one comment to the next.
    """

    text: str
    line: int
    column: int
    kind: str


@dataclass(frozen=True)
class Claim:
    """One statement about the cache key.

    Attributes:
        kind: ``"excluded"`` (the parameters are said *not* to be in the key),
            ``"keyed"`` (they are said to be in the key), ``"keyed_only"`` (the sentence
            lists the whole key: these parameters and nothing else among the
            parameters) or ``"shared"`` (results are said to be shared across a scope
            such as jobs or requests).
        params: the parameter names the claim is about, in order of mention. For
            ``"shared"`` these are the per-call parameters of the scope (``job_id`` for
            jobs); it may be empty when the function has none.
        scope: for ``"shared"`` the singular scope word (one of :data:`SCOPES`),
            otherwise ``None``.
        line: 1-based source line where the sentence starts.
        column: 1-based source column where the sentence starts (best effort).
        text: the sentence, whitespace collapsed.
    """

    kind: str
    params: Tuple[str, ...]
    scope: Optional[str]
    line: int
    column: int
    text: str


# ---------------------------------------------------------------------------------------
# Parameter names and noun phrases
# ---------------------------------------------------------------------------------------

_CAMEL_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_WORD_SPLIT_RE = re.compile(r"[\s_\-./]+")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: Abbreviations accepted as equivalent (applied to stemmed tokens).
_SYNONYMS = {"out": "output", "dir": "directory", "identifier": "id", "ident": "id"}

#: Words dropped at the start of a noun phrase.
_DETERMINERS = frozenset(
    """the a an its their this that these those our your my his her each every any some
    all both either neither only just also given passed provided supplied current
    incoming respective said same whole entire""".split()
)

#: Generic nouns that may precede or follow the real name ("the parameter x", "x value").
_GENERIC_NOUNS = frozenset(
    """argument arguments arg args parameter parameters param params kwarg kwargs value
    values field fields variable variables object objects instance flag option options
    input inputs keyword""".split()
)

_PRONOUNS = frozenset(
    p.strip()
    for p in (
        "it", "this", "that", "which", "who", "they", "these", "those", "them",
        "this value", "this argument", "this parameter", "this param", "this arg",
        "this one", "this field", "this option", "this flag", "this input",
        "the value", "the argument", "the parameter", "its value",
    )
)


def _stem(token: str) -> str:
    """Crude singular stem shared by singular and plural forms ("caches"/"cache")."""
    if len(token) > 4 and token.endswith("ies"):
        token = token[:-3] + "y"
    elif len(token) > 2 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    if len(token) > 3 and token.endswith("e"):
        token = token[:-1]
    return token


def _tokens(text: str) -> Tuple[str, ...]:
    """Split ``text`` on spaces, ``_``, ``-``, ``.``, ``/`` and camelCase; lowercase."""
    out: List[str] = []
    for word in _WORD_SPLIT_RE.split(text):
        if not word:
            continue
        parts = _CAMEL_RE.findall(word)
        if "".join(parts) != word:  # non-ASCII or punctuation: keep the word whole
            cleaned = word.strip("'\u2019`\"*()[]{}<>,;:!?=")
            parts = [cleaned] if cleaned else []
        out.extend(p.lower() for p in parts)
    return tuple(out)


class _ParamInfo:
    """Precomputed token forms of one parameter name."""

    __slots__ = ("name", "bare", "raw", "stems", "joined", "syn", "synjoined")

    def __init__(self, name: str) -> None:
        self.name = name
        self.bare = name.lstrip("*").lstrip("_")
        self.raw = _tokens(self.bare)
        self.stems = tuple(_stem(t) for t in self.raw)
        self.joined = "".join(self.stems)
        self.syn = tuple(_SYNONYMS.get(t, t) for t in self.stems)
        self.synjoined = "".join(self.syn)


class _ParamIndex:
    """The function's parameters in a form ready for phrase matching."""

    def __init__(self, params: Sequence[str]) -> None:
        seen = set()
        self.infos: List[_ParamInfo] = []
        for p in params or ():
            if not isinstance(p, str) or p in seen:
                continue
            seen.add(p)
            info = _ParamInfo(p)
            if info.raw:
                self.infos.append(info)
        self.by_bare: Dict[str, str] = {}
        for i in self.infos:
            self.by_bare.setdefault(i.bare, i.name)
            self.by_bare.setdefault(i.name, i.name)

    def lookup_identifier(self, ident: str) -> Optional[str]:
        """Exact identifier lookup (leading underscores and stars ignored)."""
        if ident in self.by_bare:
            return self.by_bare[ident]
        return self.by_bare.get(ident.lstrip("*").lstrip("_"))

    def scope_params(self, scope: str) -> Tuple[str, ...]:
        """Parameters that carry a per-call value of ``scope`` (``job`` -> ``job_id``)."""
        wanted = {
            (scope, "id"), (scope + "id",), (scope, "uuid"), (scope + "uuid",), (scope, "ids"),
        }
        out = []
        for info in self.infos:
            if info.raw in wanted or info.bare.lower() == scope:
                out.append(info.name)
        return tuple(out)


_PHRASE_STRIP = "`'\"\u2018\u2019\u201c\u201d*()[]{}<>.,:;!?=-\u2013\u2014 \t\n"
_PAREN_RE = re.compile(r"\([^()]{0,200}\)|\[[^\[\]]{0,200}\]")
_POSSESSIVE_RE = re.compile(r"^(.+?)(?:'s|\u2019s|'|\u2019)$")


def _strip_possessive(word: str) -> Tuple[str, bool]:
    m = _POSSESSIVE_RE.match(word)
    if m and len(m.group(1)) > 0 and word.lower() not in ("its",):
        return m.group(1), True
    return word, False


def _candidates(phrase: str) -> List[List[str]]:
    """Word lists worth comparing with parameter names, most literal first."""
    words = [w.strip(_PHRASE_STRIP) for w in phrase.split()]
    words = [w for w in words if w]
    if not words or len(words) > 10:
        return []

    def drop_lead(ws: List[str]) -> List[str]:
        # "the", "its", "the parameter" ... but never the last word
        i = 0
        while i < len(ws) - 1 and (ws[i].lower() in _DETERMINERS or ws[i].lower() in _GENERIC_NOUNS):
            i += 1
        return ws[i:]

    base = drop_lead(words)
    out: List[List[str]] = []
    stripped = []
    possessive_at = []
    for i, w in enumerate(base):
        w2, was_possessive = _strip_possessive(w)
        stripped.append(w2)
        if was_possessive and i < len(base) - 1:
            possessive_at.append(i)
    out.append(stripped)
    for i in possessive_at:  # "this call's job ID" -> "job ID"
        tail = drop_lead(stripped[i + 1:])
        if tail:
            out.append(tail)
    for ws in list(out):
        trimmed = list(ws)
        while len(trimmed) > 1 and trimmed[-1].lower() in _GENERIC_NOUNS:
            trimmed.pop()
        if trimmed != ws:
            out.append(trimmed)
    return out


def _match_np(phrase: str, index: _ParamIndex) -> List[str]:
    """Parameters named by one noun phrase (no coordination), best match tier only."""
    if not index.infos:
        return []
    text = phrase.strip(_PHRASE_STRIP)
    if not text:
        return []
    best_tier = 99
    found: Dict[str, int] = {}

    def note(name: str, tier: int) -> None:
        nonlocal best_tier
        if tier < best_tier:
            best_tier = tier
        if tier < found.get(name, 99):
            found[name] = tier

    direct = index.lookup_identifier(text)
    if direct is not None:
        note(direct, 0)
    for words in _candidates(text):
        joined_text = " ".join(words)
        direct = index.lookup_identifier(joined_text)
        if direct is not None:
            note(direct, 0)
        raw = _tokens(joined_text)
        if not raw or len(raw) > 8:
            continue
        stems = tuple(_stem(t) for t in raw)
        joined = "".join(stems)
        syn = tuple(_SYNONYMS.get(t, t) for t in stems)
        synjoined = "".join(syn)
        for info in index.infos:
            if raw == info.raw:
                note(info.name, 1)
            elif stems == info.stems or joined == info.joined:
                note(info.name, 2)
            elif syn == info.syn or synjoined == info.synjoined:
                note(info.name, 3)
    if not found:
        # Last resort: a code-like identifier embedded in a longer phrase
        # ("the job_id passed by the scheduler").
        for m in _IDENT_RE.finditer(text if len(text.split()) <= 6 else ""):
            ident = m.group()
            if "_" in ident.strip("_") or (ident[:1].islower() and any(c.isupper() for c in ident)):
                name = index.lookup_identifier(ident)
                if name is not None:
                    note(name, 4)
    if not found:
        return []
    order = {info.name: i for i, info in enumerate(index.infos)}
    return sorted((n for n, t in found.items() if t == best_tier), key=order.get)


_ITEM_SPLIT_RE = re.compile(
    r"\s*(?:,|:|/|&|\+|\band/or\b|\band\b|\bor\b|\bnor\b|\bas\s+well\s+as\b|\bplus\b"
    r"|\balong\s+with\b|\btogether\s+with\b)\s*",
    re.IGNORECASE,
)
_LEAD_FILLER_RE = re.compile(
    r"^(?:(?:neither|either|both|only|just|also|and|or|nor|but|so|then|however|therefore|"
    r"thus|hence|because|since|note\s+that|note|nb|whereas|while|although|though|even|yet|"
    r"namely|specifically|e\.?g\.?|i\.?e\.?|none\s+of|all\s+of|any\s+of|each\s+of|"
    r"one\s+of|not)\b[\s,.]*)+",
    re.IGNORECASE,
)
_TRAIL_FILLER_RE = re.compile(
    r"(?:[\s,]+(?:only|alone|too|also|as\s+well|itself|themselves|either|then|here|there|"
    r"exclusively|solely|just|entirely|in\s+addition))+$",
    re.IGNORECASE,
)
_ONLY_RE = re.compile(r"\b(?:only|solely|purely|exclusively|alone|just)\b", re.IGNORECASE)
_ALSO_RE = re.compile(
    r"\b(?:also|too|as\s+well|additionally|in\s+addition|including|includes)\b", re.IGNORECASE
)
_NEG_LEAD_RE = re.compile(r"^\W*(?:neither|none\s+of|no)\b", re.IGNORECASE)
_NOR_RE = re.compile(r"\bnor\b", re.IGNORECASE)


def _clean_item(item: str) -> str:
    """Strip punctuation and filler words around one list item."""
    s = item.strip(_PHRASE_STRIP)
    if not s:
        return ""
    s = _LEAD_FILLER_RE.sub("", s)
    s = _TRAIL_FILLER_RE.sub("", s)
    return s.strip(_PHRASE_STRIP)


def _map_item(item: str, index: _ParamIndex) -> List[str]:
    """Map one cleaned list item, also trying it without parentheticals."""
    found = _match_np(item, index)
    if found:
        return found
    if "(" in item or "[" in item:
        without = _PAREN_RE.sub(" ", item)
        without = " ".join(without.split())
        if without and without != item:
            found = _match_np(_clean_item(without), index)
    return found


def _split_items(text: str) -> List[str]:
    return _ITEM_SPLIT_RE.split(text)


def map_phrase(phrase: str, params: Sequence[str]) -> List[str]:
    """Return the parameter names a noun phrase refers to.

    ``phrase`` may be a single noun phrase ("the job ID", "``request_id``", "the output
    path") or a coordination of them ("the logger and the progress callback",
    "neither job_id nor run_id"). Articles, possessives ("this call's"), generic nouns
    ("argument", "value") and backticks or quotes are ignored; the rest is compared
    with each parameter name as a sequence of lowercase, singularised tokens (split on
    ``_``, spaces, hyphens and camelCase; leading underscores ignored). The most exact
    match wins: identical tokens before singular/plural or joined forms ("jobid"),
    before the ``out``/``output``, ``dir``/``directory`` and ``id``/``identifier``
    abbreviations. A phrase that names no parameter gives ``[]``. Never raises.
    """
    try:
        index = _ParamIndex(params)
        out: List[str] = []
        for item in _split_items(str(phrase)[: MAX_SENTENCE * 2]):
            cleaned = _clean_item(item)
            if not cleaned:
                continue
            for name in _map_item(cleaned, index):
                if name not in out:
                    out.append(name)
        return out
    except Exception:  # pragma: no cover - defensive: the linter must not crash on prose
        return []


# ---------------------------------------------------------------------------------------
# Predicates: the phrasings that make a sentence a claim
# ---------------------------------------------------------------------------------------

_I = re.IGNORECASE

_AUXW = (
    r"is|are|was|were|be|been|being|am|do|does|did|will|would|should|must|can|could|may|"
    r"might|shall|has|have|had|not|never|no\s+longer|also|always|still|intentionally|"
    r"deliberately|purposely|purposefully|explicitly|currently|actually|really|simply|"
    r"just|thus|therefore|hence|then|automatically|silently|implicitly|thereby|only|"
    r"solely|purely|exclusively|entirely|completely|fully|in\s+fact|by\s+design|"
    r"on\s+purpose|get|gets|got|stay|stays|remain|remains|considered|treated\s+as|need|"
    r"needs|needed|(?:needs?|needed|has|have|had|ought|going|meant|supposed)\s+to|ever|"
    r"additionally|itself|themselves|"
    r"therefore|consequently|so"
)
_AUX = rf"(?P<aux>(?:(?:{_AUXW})\s+){{0,6}})"
_AUX1 = rf"(?P<aux>(?:(?:{_AUXW})\s+){{1,6}})"
_CACHEW = r"(?:cache|caching|cached|memo|memoi[sz]ation|memoi[sz]ed|lookup|hash)"
_DET = r"(?:the|its|their|this|that|our|a|an|any|every|each|my|your)"
# "key" used as a modifier ("key derivation", "key file") is not the cache key.
_KEY_TAIL = (
    r"(?![\w-])(?!\s*-?\s*(?:derivation|generation|exchange|pairs?|files?|ids?|sizes?|length|"
    r"material|stores?|rings?|words?|boards?|space|names?|type|types|errors?|order|strokes?|"
    r"presses?|bindings?|events?|codes?|chain|frames?|path|paths|vault|server|pressed|"
    r"function|func|fn)\b)"
)
# "the key", "key", "the cache key", "the joblib cache keys" (plural only with a cache word)
_KEYN = (
    rf"(?:{_DET}\s+)?(?:(?:[\w@.'\u2019-]{{1,40}}\s+)?{_CACHEW}[\s-]*keys?|key){_KEY_TAIL}"
)
# the same, but bare "key" needs a determiner ("from key" is too vague)
_KEYN_STRICT = (
    rf"(?:(?:{_DET}\s+)?(?:[\w@.'\u2019-]{{1,40}}\s+)?{_CACHEW}[\s-]*keys?|{_DET}\s+key)"
    rf"{_KEY_TAIL}"
)
# the head of "the key includes ...", "cache key: ..."
_KEY_HEAD = rf"(?:{_CACHEW}[\s-]*keys?|key)"
_NOT_CACHE_THING = (
    r"(?!\s+(?:dir|directory|folder|path|file|files|size|location|root|backend|server|"
    r"results?|values?|outputs?|data|objects?|returns?|copy|copies|version|response)\b)"
)
_CACHE_OBJ = (
    rf"(?:(?:(?:{_DET}\s+)?(?:[\w@.'\u2019-]{{1,40}}\s+)?"
    rf"(?:[@\w.]{{0,30}}?(?:cache|caching|memo)\w{{0,20}}|hashing)"
    rf"(?:\s+(?:lookups?|hits?|entr(?:y|ies)|layer|decorator))?\b{_NOT_CACHE_THING})"
    rf"|{_KEYN}"
    rf"|(?:computing|building|hashing|making|creating|generating|deriving|constructing)"
    rf"\s+{_KEYN})"
)

# kinds: "keyed", "excluded", "keyed_only", "contrast" or None (no claim)
_K, _E, _O, _C = "keyed", "excluded", "keyed_only", "contrast"


class _Pred:
    """One phrasing: a regex, where its parameters are, and the kind it implies."""

    __slots__ = ("name", "pattern", "_regex", "where", "kind", "neg_kind", "verb_kinds", "needs_context",
                 "requires")

    def __init__(self, name, pattern, where, kind, neg_kind, verb_kinds=None, needs_context=False):
        self.name = name
        # Cheap prefilter: every group needs one of its substrings in the lowercased clause.
        self.requires = tuple(
            re.compile("|".join(re.escape(w) for w in group))
            for group in _REQUIRES.get(name, ())
        )
        self.pattern = pattern
        self._regex: Optional["re.Pattern[str]"] = None
        self.where = where  # "subj" (before), "obj" (after) or "mid" (group "obj")
        self.kind = kind
        self.neg_kind = neg_kind
        self.verb_kinds = verb_kinds  # list of (regex, kind, neg_kind) deciding by verb
        self.needs_context = needs_context

    @property
    def regex(self) -> "re.Pattern[str]":
        """The compiled phrasing, compiled on first use: most clauses fail the cheap
        ``requires`` screen of most phrasings, and compiling all of them at import cost
        more than a typical file's whole claim search."""
        if self._regex is None:
            self._regex = re.compile(self.pattern, _I)
        return self._regex


_KEYISH = ("cach", "memo", "hash", "key")
_REQUIRES: Dict[str, Tuple[Tuple[str, ...], ...]] = {
    "part_of": (("part", "component", "piece", "input", "ingredient", "element"), ("key",)),
    "in_key": (("key",), ("includ", "used", "hash", "incorporat", "mixed", "folded", "factored",
                          "encoded", "baked", "taken", "accounted", "reflected", "represented",
                          "serializ", "serialis", "fed", "put", "present", "stored", "recorded",
                          "captured", "consider", "counted")),
    "in_key_bare": (("key",), ("in", "among")),
    "go_into": (("key",), ("go", "went", "enter", "fe", "flow", "make", "end", "get", "got",
                           "find", "factor", "figure", "reach")),
    "affect_key": (("key",), ("affect", "chang", "influenc", "alter", "impact", "modif",
                              "participat", "contribut", "appear", "show", "reflect", "count")),
    "affect_cache": (_KEYISH, ("affect", "chang", "influenc", "alter", "impact", "matter",
                               "invalidat", "bust", "split", "fragment", "participat",
                               "contribut", "entry")),
    "excluded_from": (_KEYISH, ("exclu", "omit", "drop", "left", "kept", "remov", "strip",
                                "filter", "skip", "ignor", "discard", "elid", "exempt", "mask",
                                "disregard", "invisib", "transparent", "relevant", "unseen")),
    "keyed_bare": (("keyed", "hashed"),),
    "no_effect": (_KEYISH, (" no ",)),
    "by_cache": (_KEYISH, ("by",)),
    "ignored_bare": (("ignor", "exclu", "omit", "skip", "left", "drop", "disregard"),),
    "coord_verb": (("but", "and", "yet"),),
    "passthrough": (("pass", "forward", "hand", "thread", "pip"), ("not", "never")),
    "key_verb": (("key",),),
    "cache_verb": (("cach", "memo", "decorator"),),
    "keyed_on": (("key", "cach", "memo"),),
    "per": (("per", "each", "every"), ("key", "cach", "memo", "comput", "entr")),
    "key_is": (("key",), (" is ", " are ", " was ", " were ", "becomes")),
    "key_colon": (("key",), (":", "=")),
    "without": (("without",),),
    "verb_from": (_KEYISH, ("exclu", "omit", "leav", "left", "drop", "strip", "remov", "filter",
                            "ignor", "skip")),
    "contrast": (("not", "except", "other than", "apart", "save for", "minus", "rather",
                  "instead"),),
    "is_not": (("not",),),
}

_EXCL_VERBS = re.compile(
    r"^(?:exclud|omit|ignor|skip|drop|leav|disregard)", _I
)
_ONLY_VERBS = re.compile(
    r"^(?:consist|compris|made|built|derived|computed|calculated|formed|composed|generated|"
    r"constructed|created|based|determined|defined)",
    _I,
)

_PREDICATES: List[_Pred] = [
    # X is (not) part of the key / X forms part of the key / X is an input to the key
    _Pred(
        "part_of",
        rf"\b{_AUX}(?:(?:forms?|formed|becomes?|became|makes?\s+up|constitutes?)\s+)?"
        rf"(?:(?:a|an|any|one)\s+)?(?:part|component|piece|input|ingredient|element)s?\s+"
        rf"(?:of|to|in)\s+{_KEYN}",
        "subj", _K, _E,
    ),
    # X is (not) included in / used in / hashed into the key
    _Pred(
        "in_key",
        rf"\b{_AUX}(?:included|used|hashed|incorporated|mixed|folded|factored|encoded|baked|"
        rf"taken\s+into\s+account|accounted\s+for|reflected|represented|serialized|serialised|"
        rf"fed|put|present|stored|recorded|captured|considered|counted)\s+"
        rf"(?:in|into|inside|within|for|when\s+computing|when\s+building)\s+{_KEYN}",
        "subj", _K, _E,
    ),
    # X is (not) in the key
    _Pred(
        "in_key_bare",
        rf"\b{_AUX1}(?:in|inside|within|among)\s+{_KEYN}",
        "subj", _K, _E,
    ),
    # X goes into / enters the key
    _Pred(
        "go_into",
        rf"\b{_AUX}(?:(?:goes|go|going|gone|went|feeds?|fed|flows?|makes?\s+it|ends?\s+up|"
        rf"gets?|got|finds?\s+its\s+way|factors?|factored|figures?)\s+(?:in|into|inside)"
        rf"|enters?|entering|entered|reach(?:es)?|reached)\s+{_KEYN}",
        "subj", _K, _E,
    ),
    # X does (not) affect the key
    _Pred(
        "affect_key",
        rf"\b{_AUX}(?:affects?|affected|affecting|changes?|changed|influences?|influenced|"
        rf"alters?|altered|impacts?|impacted|modif(?:y|ies)|participates?\s+in|"
        rf"contributes?\s+to|appears?\s+in|shows?\s+up\s+in|reflected\s+in|"
        rf"counts?\s+towards?)\s+{_KEYN}",
        "subj", _K, _E,
    ),
    # X does not affect caching / the cache (only the negative is a key claim)
    _Pred(
        "affect_cache",
        rf"\b{_AUX}(?:affects?|affected|changes?|changed|influences?|alters?|impacts?|"
        rf"matters?\s+(?:for|to)|invalidates?|busts?|splits?|fragments?|participates?\s+in|"
        rf"contributes?\s+to)\s+(?:{_CACHE_OBJ}|whether\s+the\s+cache\s+hits|"
        rf"which\s+(?:cache\s+)?entry\s+is\s+used)",
        "subj", None, _E,
    ),
    # X has no effect on caching / plays no role in the key
    _Pred(
        "no_effect",
        rf"\b{_AUX}(?:(?:has|have|had)\s+no\s+(?:effect|influence|impact|bearing|say)\s+(?:on|in|over)|"
        rf"plays?\s+no\s+(?:role|part)\s+in)\s+{_CACHE_OBJ}",
        "subj", _E, _E,
    ),
    # X is not used / seen / considered by the cache (only the negative is a claim)
    _Pred(
        "by_cache",
        rf"\b{_AUX}(?:considered|seen|used|looked\s+at|read|hashed|inspected)\s+by\s+{_CACHE_OBJ}",
        "subj", None, _E,
    ),
    # X is excluded from / ignored by / left out of the key or the cache
    _Pred(
        "excluded_from",
        rf"\b{_AUX}(?:excluded|omitted|dropped|left\s+out|kept\s+out|removed|stripped(?:\s+out)?|"
        rf"filtered(?:\s+out)?|skipped|ignored|discarded|elided|exempt(?:ed)?|masked|"
        rf"disregarded|invisible|transparent|irrelevant|not\s+relevant|unseen)\s+"
        rf"(?:from|of|out\s+of|in|by|for|to|when|while|during|on)\s+{_CACHE_OBJ}",
        "subj", _E, _K,
    ),
    # X is (not) keyed / hashed (no object)
    _Pred(
        "keyed_bare",
        rf"\b{_AUX1}(?P<verb>keyed|hashed)\b"
        rf"(?!\s+(?:on|by|per|in|into|using|with|only|solely|for|off|over)\b)",
        "subj", _K, _E, needs_context=True,
    ),
    # X is ignored / deliberately excluded (no object; only in a sentence about the cache)
    _Pred(
        "ignored_bare",
        rf"\b{_AUX1}(?:ignored|excluded|omitted|skipped|left\s+out|dropped|disregarded)\b"
        rf"(?!\s+(?:from|of|in|by|for|to|when|while|during|on|out|if|unless|because)\b)",
        "subj", _E, _K, needs_context=True,
    ),
    # "... and deliberately skips X" after "the key covers A": the verb's subject is the key
    _Pred(
        "coord_verb",
        rf"\b(?:but|and|yet)\s+{_AUX}(?P<verb>excludes?|omits?|ignores?|skips?|drops?|"
        rf"leaves\s+out|disregards?|includes?|covers?|hashes|uses)\b",
        "obj", "coord", "coord",
        verb_kinds=[(_EXCL_VERBS, _E, _K)],
    ),
    # X is passed through but not hashed
    _Pred(
        "passthrough",
        rf"\b(?:(?:is|are|was|were|gets?|only|just|simply|merely)\s+){{0,3}}"
        rf"(?:passed|forwarded|handed|threaded|piped)"
        rf"(?:\s+(?:straight\s+|directly\s+)?(?:through|along|on|down|in))?"
        rf"(?:\s+to\s+(?:(?:the|a|an|its)\s+)?[\w.()]{{1,60}})?\s*,?\s+(?:but|and)\s+(?:is\s+|are\s+)?(?:not|never)\s+"
        rf"(?:hashed|keyed|cached|included|used\s+(?:in|for)\s+{_KEYN}|part\s+of\s+{_KEYN})",
        "subj", _E, _E,
    ),
    # the key includes / does not include / excludes / consists of X
    _Pred(
        "key_verb",
        rf"\b{_KEY_HEAD}\s+{_AUX}(?P<verb>includes?|included|including|"
        rf"contains?|covers?|hashes|uses?|incorporates?|considers?|reflects?|"
        rf"takes\s+into\s+account|accounts\s+for|depends\s+on|sees|looks\s+at|"
        rf"excludes?|excluding|omits?|ignores?|skips?|drops?|leaves\s+out|disregards?|"
        rf"consists\s+of|comprises?|made\s+(?:up\s+)?(?:of|from)|built\s+(?:out\s+of|from|of)|"
        rf"derived\s+from|computed\s+from|calculated\s+from|formed\s+(?:from|of)|composed\s+of|"
        rf"generated\s+from|constructed\s+from|created\s+from|based\s+on|determined\s+by|"
        rf"defined\s+by)\b(?P<post>\s+(?:only|solely|purely|exclusively|just)\b)?",
        "obj", _K, _E,
        verb_kinds=[(_EXCL_VERBS, _E, _K), (_ONLY_VERBS, _O, _E)],
    ),
    # the cache ignores X / the cache does not hash X
    _Pred(
        "cache_verb",
        rf"\b(?:(?:the|this|our|a)\s+)?(?:[@\w.]{{0,30}}?(?:cache|caching|memo)\w{{0,20}}|"
        rf"decorator|memoi[sz]er)\s+{_AUX}(?P<verb>ignores?|excludes?|skips?|omits?|disregards?|"
        rf"drops?|leaves\s+out|hashes|hash|uses|use|sees|see|considers|consider|looks\s+at|"
        rf"look\s+at|takes\s+into\s+account|take\s+into\s+account)\b",
        "obj", None, _E,
        verb_kinds=[(_EXCL_VERBS, _E, _K)],
    ),
    # keyed on A and B (only) / cached by A / not keyed on X
    _Pred(
        "keyed_on",
        rf"\b{_AUX}(?P<verb>keyed|keys|key|keying|cached|memoi[sz]ed|caches)\s+"
        rf"(?P<q>(?:only|solely|purely|exclusively|just|entirely|simply|strictly)\s+)?"
        rf"(?:on|by|using|off)\b"
        rf"(?!\s+(?:disk|default|demand|first|the\s+first|each|every|per)\b)",
        "obj", _O, _E,
    ),
    # results are cached per X / one cache entry per X
    _Pred(
        "per",
        rf"\b{_AUX}(?:keyed|cached|memoi[sz]ed|computed\s+once|cache\s+entr(?:y|ies)|"
        rf"(?:one|a|an|separate|distinct|its\s+own)\s+entr(?:y|ies))\s+"
        rf"(?:(?:separately|independently|once)\s+)?"
        rf"(?:per|for\s+each|for\s+every|by\s+each)\s+"
        rf"(?:(?:distinct|unique|different|individual|given|separate)\s+)?",
        "obj", _K, _E,
    ),
    # the key is (A, B) / the key is the hash of A and B
    _Pred(
        "key_is",
        rf"\b{_KEY_HEAD}\s+"
        rf"(?P<aux>(?:is|are|was|were|becomes)\s+(?:(?:not|never|just|only|simply|exactly|"
        rf"always|then)\s+){{0,3}})"
        rf"(?:(?:the|a|an)\s+)?(?:(?:tuple|pair|triple|list|combination|concatenation|hash|"
        rf"digest|sha-?\d*|md5|fingerprint)\s+(?:of\s+)?)?",
        "obj", _O, None,
    ),
    # cache key: A, B
    _Pred(
        "key_colon",
        rf"(?:\b{_CACHEW}[\s-]*keys?|^\W*(?:(?:the|its)\s+)?keys?|\bkeyed\s+(?:on|by)|"
        rf"\bkey\s+(?:parts?|components?|fields?))\s*[:=]\s*",
        "obj", _O, _O,
    ),
    # the key is computed without X
    _Pred(
        "without",
        r"\b(?:keys?|keyed|cached|hashed|computed|built|derived|made|memoi[sz]ed|caches?)\s+"
        r"(?:[\w,]{1,30}\s+){0,3}?without\s+"
        r"(?:(?:regard\s+to|considering|looking\s+at|hashing|including|"
        r"taking\s+into\s+account|using)\s+)?",
        "obj", _E, _E,
    ),
    # we exclude X from the key / ignore X when computing the key
    _Pred(
        "verb_from",
        rf"\b{_AUX}(?:exclud(?:e|es|ed|ing)|omit(?:s|ted|ting)?|leav(?:e|es|ing)\s+out|"
        rf"left\s+out|drop(?:s|ped|ping)?|strip(?:s|ped|ping)?|remov(?:e|es|ed|ing)|"
        rf"filter(?:s|ed|ing)?\s+out|ignor(?:e|es|ed|ing)|skip(?:s|ped|ping)?)\s+"
        rf"(?P<obj>[^;]{{1,120}}?)\s+"
        rf"(?:from|out\s+of|in|when\s+(?:computing|building|hashing|creating|making))\s+"
        rf"(?:{_KEYN_STRICT}|hashing|the\s+hash)",
        "mid", _E, _K,
    ),
    # contrast: "..., not X" / "but not X" / "except X" / "rather than X"
    _Pred(
        "contrast",
        r"(?:,\s*not|\bbut\s+not|\band\s+not|\bexcept(?:\s+for)?|\bother\s+than|"
        r"\bapart\s+from|\bsave\s+for|\bminus|\brather\s+than|\binstead\s+of)\s+",
        "obj", _C, _C,
    ),
    # elliptic: "A is keyed, B is not."
    _Pred(
        "is_not",
        r"\b(?:is|are|was|were|does|do|did)\s+not\b(?=\s*(?:[.,!)]|$))",
        "subj", _C, _C,
    ),
]

_NEG_RE = re.compile(r"\b(?:not|never|no\s+longer)\b", _I)
_CONTEXT_RE = re.compile(
    r"\b(?:cache\w*|caching|memo\w*|keyed|(?:the|its|cache|caching)[\s-]+key)\b", _I
)
_TRIGGER_WORDS = ("key", "cach", "memo", "hash", "shar", "reus", "re-us", "same",
                  "identical", "across", "between", "among", "common", "global", "single",
                  "one ", "valid")

_RELATIVE_CLAUSE_RE = re.compile(
    r",\s*(?:which|who|whose|that|since|because|as|though|although|when|if)\b[^,]{0,200},", _I
)
_VP_CONJ_END_RE = re.compile(r"(?:\band|\bbut|\bso|\byet|,)\s*$", _I)
_FIRST_VERB_RE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|does|do|did|will|would|should|must|can|could|may|"
    r"might|shall|gets?|only|just)\b",
    _I,
)
_OBJ_CUT_RE = re.compile(
    r"(?:,\s*)?\b(?:because|since|so\s+that|so|which|whose|that\s+is|when|whenever|if|unless|"
    r"while|whereas|as\s+long\s+as|but|although|though|in\s+order|"
    r"to\s+(?:avoid|keep|make|ensure|allow|let|prevent|speed|save|reduce|share|force)|"
    r"for\s+(?:speed|performance|efficiency|reuse|correctness))\b"
    r"|\s[-\u2014\u2013]+\s|[.!?](?=\s|$)",
    _I,
)
_ONLY_PAREN_RE = re.compile(
    r"\(\s*(?:only|alone|exclusively|and\s+nothing\s+else|nothing\s+else|just\s+these|"
    r"only\s+these)\s*\)|\band\s+nothing\s+else\b",
    _I,
)

# "results are shared across jobs" and friends
_SCOPE_GROUP = r"(?P<scope>jobs?|runs?|requests?|sessions?|users?|tenants?)(?![\w-])"
_SCOPE_MODS = (
    r"(?P<mod>(?:(?:all|every|each|any|different|multiple|many|separate|distinct|the|other|"
    r"concurrent|parallel|individual|subsequent|later|future|repeated|several|of)\s+){0,3})"
)
_SHARED_RE = re.compile(
    r"\b(?P<verb>shared|reused|re-used|reusable|re-usable|common|same|identical|global|"
    r"valid|cached|memoi[sz]ed|kept|persisted|stored|single|one)\b"
    r"(?P<mid>(?:\s+[\w'\u2019-]{1,30}){0,4}?)\s+"
    r"(?P<prep>across|between|among|amongst|by|for|over|in|to)\s+"
    + _SCOPE_MODS + _SCOPE_GROUP,
    _I,
)
_ACROSS_ALL_RE = re.compile(
    r"\b(?P<verb>across)\s+(?P<mod>(?:all|every|any)\s+(?:(?:the|of\s+the|different|"
    r"concurrent|parallel)\s+)?)" + _SCOPE_GROUP,
    _I,
)
_SCOPE_SHARE_RE = re.compile(
    r"\b(?:across|between|among|amongst|from|for|by|of)\s+(?P<mod>(?:all|every|different|"
    r"multiple|separate|other|many|several|any)\s+(?:(?:the|of\s+the)\s+)?)" + _SCOPE_GROUP
    + r"\s+(?:(?:can|will|may|all|then|simply|still)\s+)?(?P<verb>share|reuse|re-use|hit|see|get|"
    r"use|receive|return)\b",
    _I,
)
_SHARED_CONTEXT_RE = re.compile(
    r"\b(?:results?|outputs?|values?|return\s+values?|cache\w*|caching|memo\w*|entry|"
    r"entries|computations?|answers?|data)\b",
    _I,
)
_TOOL_SUBJECT_RE = re.compile(
    r"\b(?:clients?|sessions?|connections?|conn|pools?|locks?|loggers?|executors?|engines?|cursors?|"
    r"threads?|workers?|sockets?|handles?|instances?|objects?|singletons?|config\w*|settings|dicts?|lists?|"
    r"mappings?|sets?|tuples?|buffers?|queues?)\b",
    _I,
)
_SHARED_NEG_RE = re.compile(r"\b(?:not|never|no|nothing|cannot|rather)\b", _I)
_SAMEISH = frozenset(("same", "identical", "shared", "reused", "re-used", "common", "global",
                      "reusable", "re-usable", "valid", "single", "one"))


_EMPHASIS_RE = re.compile(r"(?<![\w*])\*{1,2}([A-Za-z][\w' -]{0,40}?)\*{1,2}(?![\w*])")


def _normalise_clause(clause: str) -> str:
    s = clause.replace("`", "")
    s = _EMPHASIS_RE.sub(r"\1", s)
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    s = re.sub(
        r"\b(is|are|was|were|does|do|did|has|have|had|should|would|could|must|need)n't\b",
        r"\1 not", s, flags=_I,
    )
    s = re.sub(r"\bwon't\b", "will not", s, flags=_I)
    s = re.sub(r"\bcan't\b|\bcannot\b", "can not", s, flags=_I)
    s = re.sub(r"\bshan't\b", "shall not", s, flags=_I)
    return " ".join(s.split())


class _Hit:
    __slots__ = ("pred", "m", "start", "end")

    def __init__(self, pred: _Pred, m: "re.Match[str]") -> None:
        self.pred = pred
        self.m = m
        self.start = m.start()
        self.end = m.end()


_KEY_HEAD_PREDS = frozenset(("key_verb", "key_is", "key_colon"))
_KEY_HEAD_WORDS = frozenset(
    """the its this our their that whose a an cache caching cached memo memoization
    memoisation lookup hash and or but so which where""".split()
)
_PREV_WORD_RE = re.compile(r"([\w'-]+)\W*$")


def _key_head_ok(clause: str, start: int) -> bool:
    """True unless "key" is modified by an unrelated word ("primary key", "dict keys")."""
    if clause[start:start + 3].lower() != "key":
        return True  # the head starts with a cache word ("cache key")
    m = _PREV_WORD_RE.search(clause, max(0, start - 40), start)
    if m is None or clause[m.end(1):start].strip(" "):
        return True  # start of the clause, or punctuation before "key"
    return m.group(1).lower() in _KEY_HEAD_WORDS


def _find_hits(clause: str) -> List[_Hit]:
    """Non-overlapping phrasing matches in ``clause``, in text order."""
    hits: List[_Hit] = []
    low = clause.lower()
    for pred in _PREDICATES:
        if not all(rx.search(low) for rx in pred.requires):
            continue
        for m in pred.regex.finditer(clause):
            if m.end() <= m.start():
                continue
            if pred.name in _KEY_HEAD_PREDS and not _key_head_ok(clause, m.start()):
                continue
            hits.append(_Hit(pred, m))
    # Longest (most specific) phrasings first, then contrast markers ("..., not X") only
    # where no real phrasing claims the text ("..., not part of the key").
    hits.sort(key=lambda h: (h.pred.kind == _C, -(h.end - h.start), h.start))
    chosen: List[_Hit] = []
    starts: List[int] = []
    for h in hits:
        i = bisect.bisect_left(starts, h.start)
        if i > 0 and chosen[i - 1].end > h.start:
            continue
        if i < len(chosen) and chosen[i].start < h.end:
            continue
        chosen.insert(i, h)
        starts.insert(i, h.start)
    return chosen


def _base_kind(hit: _Hit) -> Tuple[Optional[str], bool]:
    """(kind, negated) of a predicate hit before subject/object adjustments."""
    pred = hit.pred
    groups = hit.m.groupdict()
    aux = groups.get("aux") or ""
    negated = bool(_NEG_RE.search(aux))
    kind, neg_kind = pred.kind, pred.neg_kind
    verb = groups.get("verb")
    if pred.verb_kinds and verb:
        for rx, k, nk in pred.verb_kinds:
            if rx.match(verb):
                kind, neg_kind = k, nk
                break
    if pred.name == "key_verb" and kind == _K:
        if _ONLY_RE.search(aux) or groups.get("post"):
            kind = _O
    if pred.name == "keyed_on" and (_ALSO_RE.search(aux)):
        kind = _K
    return (neg_kind if negated else kind), negated


_CONTAINER_RE = re.compile(
    r"\b(?:dict|dicts|dictionary|dictionaries|mapping|mappings|map|maps|table|tables|index|"
    r"dataframe|frame|series|list|lists|array|arrays|json|object|objects|record|records|"
    r"registry|lookup|store|counter|defaultdict|ordereddict|namedtuple|tuple|tuples|rows?|"
    r"columns?|groups?|buckets?)\b",
    _I,
)
_CACHE_SUBJECT_RE = re.compile(
    r"\b(?:cache\w*|caching|memo\w*|results?|outputs?|entries|entry|calls?|function|"
    r"decorator|it|this|they|these|everything|value\s+is\s+cached)\b",
    _I,
)


_STORED_ON_RE = re.compile(
    r"(?:[\w.'-]+\s+){0,3}?(?:instances?|objects?|attributes?|class|classes|modules?|self|cls|"
    r"disk|memory|the\s+heap)\b",
    _I,
)


def _keyed_on_subject_ok(clause: str, hit: _Hit) -> bool:
    """Is "keyed on X" about the cache ("results are keyed on X", "keyed on X")?

    "Returns a dict keyed by path" describes a data structure, not the cache key.
    """
    before = clause[: hit.start]
    recent = " ".join(before.split()[-4:])
    if _CONTAINER_RE.search(recent):
        return False
    verb = (hit.m.group("verb") or "").lower()
    if verb.startswith(("cach", "memo")):
        # "cached on the loader instance" says where the value lives, not what keys it
        after = clause[hit.end:hit.end + 60].lstrip()
        return not _STORED_ON_RE.match(after)
    subject = before.strip(_PHRASE_STRIP + " ")
    if not subject or _CACHE_SUBJECT_RE.search(subject):
        return True
    # A bare label ("NB:", "Note -") before the phrase is fine too.
    return bool(re.fullmatch(r"(?:\w+\s*[:\-]\s*)+", before.strip() + " ")) or bool(
        re.search(r"[:;(]\s*$", before)
    )


def _base_kind_for_coord(hit: _Hit) -> Optional[str]:
    verb = hit.m.group("verb") or ""
    negated = bool(_NEG_RE.search(hit.m.group("aux") or ""))
    if _EXCL_VERBS.match(verb):
        return _K if negated else _E
    return _E if negated else _K


class _Span:
    """Result of reading parameters out of a subject or object span."""

    __slots__ = ("params", "neg", "only", "also")

    def __init__(self) -> None:
        self.params: List[str] = []
        self.neg = False
        self.only = False
        self.also = False


def _subject(span: str, index: _ParamIndex, entry: Optional[str]) -> _Span:
    """Parameters named right before a predicate ("the job ID and the logger are ...")."""
    out = _Span()
    text = _RELATIVE_CLAUSE_RE.sub(" ", span)
    if _VP_CONJ_END_RE.search(text):
        # "X is only used for logging and is not part of the key": subject is the start.
        text = _VP_CONJ_END_RE.sub("", text)
        m = _FIRST_VERB_RE.search(text)
        if m:
            text = text[: m.start()]
    items = _split_items(text)
    used_raw: List[str] = []
    pronoun = False
    walked_unmapped = False
    for raw in reversed(items):
        cleaned = _clean_item(raw)
        if not cleaned:
            if raw.strip() and _NEG_LEAD_RE.match(raw):
                used_raw.append(raw)
            continue
        found = _map_item(cleaned, index)
        if not found and cleaned.lower() in _PRONOUNS:
            if not out.params:
                pronoun = True
                continue
            break
        if not found:
            if out.params:
                break
            if pronoun:
                continue  # "Because job_id changes, it is ...": look for the antecedent
            walked_unmapped = True
            break
        for name in reversed(found):
            if name not in out.params:
                out.params.insert(0, name)
        used_raw.append(raw)
        if pronoun:
            break
    if not out.params and entry is not None:
        # Inside a parameter's description, a claim without a subject of its own ("not
        # part of the key", "it is ignored") or right after the entry's name is about it.
        first = _clean_item(items[0]) if items else ""
        heads_entry = bool(first) and index.lookup_identifier(first.strip("*")) == entry
        if not walked_unmapped or heads_entry:
            out.params = [entry]
    out.neg = any(_NEG_LEAD_RE.match(r) for r in used_raw) or bool(_NOR_RE.search(text))
    out.only = any(_ONLY_RE.search(r) for r in used_raw)
    return out


def _object(
    span: str, index: _ParamIndex, entry: Optional[str], cut: bool = True, strict: bool = False
) -> _Span:
    """Parameters named right after a predicate ("the key includes A, B and C").

    List items that name no parameter are skipped ("the function name, the path and the
    mtime"), but an item that reads like a clause (more than five words) ends the list,
    and with ``strict`` so does any unmapped item ("the key is not provided, ...").
    """
    out = _Span()
    text = span
    if cut:
        m = _OBJ_CUT_RE.search(text)
        if m:
            text = text[: m.start()]
    out.only = bool(_ONLY_RE.search(text))
    out.also = bool(_ALSO_RE.search(text))
    out.neg = bool(_NEG_LEAD_RE.match(text))
    if _ONLY_PAREN_RE.search(text):
        out.only = True
        text = _ONLY_PAREN_RE.sub(" ", text)
    pronoun = False
    for n, raw in enumerate(_split_items(text)):
        if n > 12:
            break
        cleaned = _clean_item(raw)
        if not cleaned:
            continue
        found = _map_item(cleaned, index)
        if not found and cleaned.lower() in _PRONOUNS:
            if not out.params:
                pronoun = True
            continue
        if not found and (strict or len(cleaned.split()) > 5):
            break
        for name in found:
            if name not in out.params:
                out.params.append(name)
    if not out.params and pronoun and entry is not None:
        out.params = [entry]
    return out


def _spans(clause: str, hits: List[_Hit]) -> Tuple[List[Tuple[int, int]], List[Tuple[int, int]]]:
    """Where each hit's subject (text before) and object (text after) may lie.

    Text between an object-taking hit and a subject-taking hit is shared out: up to the
    first cut word ("so", "because", "but") it is the object, after the last one the
    subject; without a cut word the subject gets the last list item ("the key includes
    A and B is not part of it" is read as B being the subject).
    """
    n = len(hits)
    subj = [(hits[i - 1].end if i else 0, hits[i].start) for i in range(n)]
    obj = [(hits[i].end, hits[i + 1].start if i + 1 < n else len(clause)) for i in range(n)]
    for i in range(n - 1):
        left, right = hits[i], hits[i + 1]
        if left.pred.where != "obj" or right.pred.where != "subj":
            continue
        if left.pred.kind == _C:
            # "all arguments except X are hashed": X belongs to "except"; the subject of
            # "are hashed" is what precedes "except".
            subj[i + 1] = (hits[i - 1].end if i else 0, left.start)
            continue
        a, b = left.end, right.start
        seg = clause[a:b]
        cuts = list(_OBJ_CUT_RE.finditer(seg))
        if cuts:
            obj[i] = (a, a + cuts[0].start())
            subj[i + 1] = (a + cuts[-1].end(), b)
            continue
        seps = list(_ITEM_SPLIT_RE.finditer(seg))
        if seps:
            obj[i] = (a, a + seps[-1].start())
            subj[i + 1] = (a + seps[-1].end(), b)
        else:
            obj[i] = (a, a)
    return subj, obj


def _flip(kind: Optional[str]) -> Optional[str]:
    if kind in (_K, _O):
        return _E
    if kind == _E:
        return _K
    return kind


def _clause_claims(
    clause: str, index: _ParamIndex, entry: Optional[str], sentence_ctx: bool
) -> List[Tuple[str, Tuple[str, ...], Optional[str]]]:
    """All (kind, params, scope) found in one normalised clause."""
    results: List[Tuple[str, Tuple[str, ...], Optional[str]]] = []
    hits = _find_hits(clause) if index.infos else []
    resolved: List[Tuple[_Hit, Optional[str], List[str]]] = []
    subj_spans, obj_spans = _spans(clause, hits)
    for i, hit in enumerate(hits):
        pred = hit.pred
        if pred.needs_context and not sentence_ctx:
            continue
        if pred.name == "keyed_on" and not _keyed_on_subject_ok(clause, hit):
            continue
        if pred.name == "key_colon" and hit.m.group().lstrip(" \t*-`'\"").lower().startswith(
            ("key", "the key", "its key")
        ) and (index.lookup_identifier("key") or index.lookup_identifier("keys")):
            continue  # "key: the lookup key" is the entry of a parameter called key
        kind, _negated = _base_kind(hit)
        if pred.where == "subj":
            a, b = subj_spans[i]
            sp = _subject(clause[a:b], index, entry)
        elif pred.where == "mid":
            sp = _object(hit.m.group("obj"), index, entry, cut=False)
        else:
            a, b = obj_spans[i]
            sp = _object(clause[a:b], index, entry, strict=pred.name in ("key_is", "key_colon"))
        if kind != _C:
            if sp.neg:
                kind = _flip(kind)
            if kind == _K and sp.only and pred.where == "subj":
                kind = _O
            if kind == _K and sp.only and pred.where == "obj" and pred.name in ("key_verb",):
                kind = _O
            if kind == _O and sp.also:
                kind = _K
        resolved.append((hit, kind, sp.params))
    # A coordinated verb ("... but skips X") counts only right after a key/cache verb.
    for n, (hit, kind, params) in enumerate(resolved):
        if hit.pred.name == "coord_verb":
            prev = resolved[n - 1][0].pred.name if n > 0 else None
            ok = prev in ("key_verb", "cache_verb", "keyed_on", "key_is", "coord_verb")
            resolved[n] = (hit, _base_kind_for_coord(hit) if ok else None, params)
    # Contrast markers take the opposite of the nearest real claim in the clause.
    for n, (hit, kind, params) in enumerate(resolved):
        if kind == _C:
            other = None
            for j in list(range(n - 1, -1, -1)) + list(range(n + 1, len(resolved))):
                k = resolved[j][1]
                if k in (_K, _E, _O):
                    other = k
                    break
            kind = _flip(other) if other else None
        if kind in (_K, _E, _O) and params:
            results.append((kind, tuple(params), None))
    results.extend(_shared_claims(clause, index))
    return results


def _shared_claims(clause: str, index: _ParamIndex) -> List[Tuple[str, Tuple[str, ...], Optional[str]]]:
    out: List[Tuple[str, Tuple[str, ...], Optional[str]]] = []
    for rx in (_SHARED_RE, _ACROSS_ALL_RE, _SCOPE_SHARE_RE):
        for m in rx.finditer(clause):
            verb = m.group("verb").lower()
            prep = m.groupdict().get("prep")
            prep = prep.lower() if prep else "across"
            mod = (m.group("mod") or "").lower()
            mid = m.groupdict().get("mid") or ""
            if prep not in ("across", "between", "among", "amongst"):
                if verb in _SAMEISH:
                    if not re.search(r"\b(?:all|every|each|any|different|multiple|many|several)\b", mod):
                        continue
                elif not re.search(r"\b(?:all|any|different|multiple|many|several)\b", mod):
                    continue
            before = clause[: m.start()]
            window = " ".join(before.split()[-4:])
            if _SHARED_NEG_RE.search(window) or _SHARED_NEG_RE.search(mid):
                continue
            subject = _clean_item(_split_items(before)[-1]) if before.strip() else ""
            if subject and _match_np(subject, index) and not _SHARED_CONTEXT_RE.search(subject):
                continue  # "the client is reused across requests": about a parameter
            if rx is not _SHARED_RE or verb not in ("cached", "memoized", "memoised"):
                # "Shared across runs." / "It is reused across jobs." are about the
                # function's results; "common to all users" on its own is not.
                # A plain noun subject ("Embeddings are shared across jobs") speaks of
                # the cached values too, unless it names a tool that is shared.
                bare_ok = verb in ("shared", "reused", "re-used") and (
                    not subject or subject.lower() in _PRONOUNS or not _TOOL_SUBJECT_RE.search(subject)
                )
                if not (bare_ok or _SHARED_CONTEXT_RE.search(clause)):
                    continue
            scope = m.group("scope").lower()
            if scope.endswith("s"):
                scope = scope[:-1]
            out.append(("shared", index.scope_params(scope), scope))
    return out


# ---------------------------------------------------------------------------------------
# Blocks -> units -> segments -> sentences
# ---------------------------------------------------------------------------------------


class _Unit:
    """Text to read as one flow, with a map from offsets to source positions."""

    __slots__ = ("text", "starts", "lines", "cols", "kind")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.text = ""
        self.starts: List[int] = []
        self.lines: List[int] = []
        self.cols: List[int] = []

    def position(self, offset: int) -> Tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        if i < 0:
            i = 0
        return self.lines[i], self.cols[i] + (offset - self.starts[i])


def _as_int(value, default: int = 1) -> int:
    try:
        return int(value)
    except Exception:
        return default


def _clean_text(text: str) -> str:
    # Same length, so offsets stay valid: CRLF / CR become one line break each.
    return text.replace("\r\n", " \n").replace("\r", "\n")


def _build_units(blocks: Sequence[TextBlock]) -> List[_Unit]:
    units: List[_Unit] = []
    comments = []
    for b in blocks or ():
        text = getattr(b, "text", None)
        if not isinstance(text, str) or not text.strip():
            continue
        line = max(1, _as_int(getattr(b, "line", 1)))
        col = max(1, _as_int(getattr(b, "column", 1)))
        if getattr(b, "kind", "docstring") == "comment":
            comments.append((line, col, _clean_text(text)))
            continue
        unit = _Unit("docstring")
        unit.text = _clean_text(text)
        off = 0
        for k, part in enumerate(unit.text.split("\n")):
            unit.starts.append(off)
            unit.lines.append(line + k)
            unit.cols.append(col if k == 0 else 1)
            off += len(part) + 1
        units.append(unit)
    comments.sort(key=lambda c: (c[0], c[1]))
    unit = None
    last_line = None
    pieces: List[str] = []
    off = 0  # offset of the next piece in the joined text
    for line, col, text in comments:
        if unit is None or last_line is None or line != last_line + 1:
            if unit is not None:
                unit.text = "\n".join(pieces)
                units.append(unit)
            unit = _Unit("comment")
            pieces = []
            off = 0
        for k, part in enumerate(text.split("\n")):
            unit.starts.append(off)
            unit.lines.append(line + k)
            unit.cols.append(col if k == 0 else 1)
            off += len(part) + 1
        pieces.append(text)
        last_line = line + text.count("\n")
    if unit is not None:
        unit.text = "\n".join(pieces)
        units.append(unit)
    return units


_SECTION_NAMES = (
    r"args|arguments|parameters|params|keyword\s+args|keyword\s+arguments|kwargs|"
    r"other\s+parameters|attributes|returns?|yields?|raises|exceptions|notes?|examples?|"
    r"warnings?|see\s+also|todo|references|methods"
)
_PARAM_SECTIONS = re.compile(
    r"^(?:args|arguments|parameters|params|keyword\s+args|keyword\s+arguments|kwargs|"
    r"other\s+parameters|attributes)$",
    _I,
)
_HEADER_COLON_RE = re.compile(rf"^\s*(?P<name>{_SECTION_NAMES})\s*:\s*$", _I)
_HEADER_BARE_RE = re.compile(rf"^\s*(?P<name>{_SECTION_NAMES})\s*$", _I)
_UNDERLINE_RE = re.compile(r"^\s*([-=~^\"'`#*+])\1{2,}\s*$")
_DOCTEST_RE = re.compile(r"^\s*(?:>>>|\.\.\.)(?:\s|$)")
_DIRECTIVE_RE = re.compile(r"^\s*\.\.\s+[\w:-]+::")
_FENCE_RE = re.compile(r"^\s*(?:```|~~~)")
_BULLET_RE = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+")
_FIELD_RE = re.compile(r"^\s*:(?P<tag>[A-Za-z]+)(?:\s+(?P<arg>[^:\n]{0,100}))?:(?=\s|$)")
_FIELD_PARAM_TAGS = frozenset(("param", "parameter", "arg", "argument", "key", "keyword",
                               "kwarg", "kwparam"))
_ENTRY_RE = re.compile(
    r"^\s*(?:[-*+\u2022]\s+)?[`*'\"]{0,2}(?P<name>\*{0,2}[A-Za-z_]\w{0,100})[`*'\"]{0,2}\s*"
    r"(?:\([^()\n]{0,100}\)\s*)?:(?!:)(?=\s|$)"
)


def _segments(unit: _Unit, index: _ParamIndex) -> List[Tuple[int, int, Optional[str]]]:
    """Split a unit into runs of prose lines that no sentence crosses.

    Returns ``(start, end, entry)`` offsets into ``unit.text``; ``entry`` is the
    parameter whose description (``Args:`` entry, ``:param x:`` field) the run is.
    """
    text = unit.text
    lines: List[Tuple[int, int]] = []
    off = 0
    for part in text.split("\n"):
        lines.append((off, off + len(part)))
        off += len(part) + 1
    segs: List[Tuple[int, int, Optional[str]]] = []
    cur: List = [None, None, None]  # start, end, entry

    def flush() -> None:
        if cur[0] is not None and cur[1] is not None and cur[1] > cur[0]:
            segs.append((cur[0], cur[1], cur[2]))
        cur[0] = cur[1] = cur[2] = None

    section: Optional[str] = None
    section_ind = 0
    section_google = True
    entry: Optional[str] = None
    entry_ind = 0
    literal_ind: Optional[int] = None
    in_fence = False
    is_doc = unit.kind == "docstring"
    n_lines = len(lines)
    for i in range(n_lines):
        ls, le = lines[i]
        line = text[ls:le]
        stripped = line.strip()
        ind = len(line) - len(line.lstrip())
        if in_fence:
            if _FENCE_RE.match(line):
                in_fence = False
            continue
        if _FENCE_RE.match(line):
            flush()
            in_fence = True
            continue
        if literal_ind is not None:
            if not stripped:
                flush()
                continue
            if ind > literal_ind:
                continue
            literal_ind = None
        if not stripped:
            flush()
            if not (section and _PARAM_SECTIONS.match(section)):
                entry = None
            continue
        if _UNDERLINE_RE.match(line) or _DOCTEST_RE.match(line):
            flush()
            continue
        header = _HEADER_COLON_RE.match(line)
        google = True
        if header is None and i + 1 < n_lines:
            nxt = text[lines[i + 1][0]:lines[i + 1][1]]
            if _UNDERLINE_RE.match(nxt) and _HEADER_BARE_RE.match(line):
                header = _HEADER_BARE_RE.match(line)
                google = False
        if header is not None:
            flush()
            section = " ".join(header.group("name").lower().split())
            section_ind = ind
            section_google = google
            entry = None
            continue
        if section is not None and section_google and ind <= section_ind:
            section = None
            entry = None
        in_params = bool(section and _PARAM_SECTIONS.match(section))
        boundary = False
        fm = _FIELD_RE.match(line)
        em = None if fm else _ENTRY_RE.match(line)
        if fm:
            boundary = True
            entry = None
            if fm.group("tag").lower() in _FIELD_PARAM_TAGS and fm.group("arg"):
                entry = index.lookup_identifier(fm.group("arg").split()[-1].strip("*`"))
            entry_ind = ind
        elif em and (in_params or index.lookup_identifier(em.group("name")) is not None):
            boundary = True
            entry = index.lookup_identifier(em.group("name"))
            entry_ind = ind
        elif _BULLET_RE.match(line) or _DIRECTIVE_RE.match(line):
            boundary = True
            entry = None
        elif entry is not None and is_doc and in_params and ind <= entry_ind:
            boundary = True
            entry = None
        if boundary or cur[0] is None:
            flush()
            cur[0] = ls + ind
            cur[2] = entry
        cur[1] = le
        if stripped.endswith("::") and not fm:
            literal_ind = ind
    flush()
    return segs


_SENT_END_RE = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)")
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs cf approx incl resp viz no fig eq al esp ca".split()
)


def _sentences(text: str, start: int, end: int) -> List[Tuple[int, int]]:
    """Sentence spans inside ``text[start:end]``, each at most MAX_SENTENCE long."""
    spans: List[Tuple[int, int]] = []
    pos = start
    for m in _SENT_END_RE.finditer(text, start, end):
        if m.group().startswith(".") and not m.group().startswith(".."):
            j = m.start()
            k = j
            while k > pos and k > j - 12 and not text[k - 1].isspace():
                k -= 1
            word = text[k:j].lower().lstrip("(\"'")
            if word in _ABBREVIATIONS:
                continue
        spans.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    out: List[Tuple[int, int]] = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b - a > MAX_SENTENCE:
            cut = -1
            for ws in (" ", "\n", "\t"):
                cut = max(cut, text.rfind(ws, a + MAX_SENTENCE // 2, a + MAX_SENTENCE))
            if cut <= a:
                cut = a + MAX_SENTENCE
            out.append((a, cut))
            a = cut
            while a < b and text[a].isspace():
                a += 1
        if b > a:
            out.append((a, b))
    return out


_CLAUSE_SPLIT_RE = re.compile(r";")


def _sentence_claims(
    sentence: str, index: _ParamIndex, entry: Optional[str]
) -> List[Tuple[str, Tuple[str, ...], Optional[str]]]:
    """Merged (kind, params, scope) triples for one sentence, in order of first mention."""
    low = sentence.lower()
    if not any(w in low for w in _TRIGGER_WORDS):
        return []
    ctx = bool(_CONTEXT_RE.search(sentence))
    merged: Dict[Tuple[str, Optional[str]], List[str]] = {}
    for clause in _CLAUSE_SPLIT_RE.split(sentence):
        norm = _normalise_clause(clause)
        if not norm:
            continue
        for kind, params, scope in _clause_claims(norm, index, entry, ctx):
            bucket = merged.setdefault((kind, scope), [])
            for p in params:
                if p not in bucket:
                    bucket.append(p)
    return [(kind, tuple(params), scope) for (kind, scope), params in merged.items()]


def _unit_claims(unit: _Unit, index: _ParamIndex) -> List[Claim]:
    claims: List[Claim] = []
    text = unit.text
    for start, end, entry in _segments(unit, index):
        for a, b in _sentences(text, start, end):
            raw = text[a:b]
            found = _sentence_claims(raw, index, entry)
            if not found:
                continue
            line, col = unit.position(a)
            collapsed = " ".join(raw.split())
            for kind, params, scope in found:
                claims.append(Claim(kind, params, scope, line, col, collapsed))
    return claims


_KEY_PURPOSE_RE = re.compile(
    r"\b(?:(?:cache|lru|memo\w*)[ \t\n-]+(?:key|lookup)s?|keying|keyed|(?:in|into|part\s+of)\s+the\s+(?:\w+\s+)?key)\b",
    _I,
)
_KEY_NEGATION_RE = re.compile(r"\b(?:not|never|no|without|ignor\w*|exclud\w*)\b|n't\b", _I)
_PRONOUN_RE = re.compile(r"\bit\b", _I)


def keyed_on_purpose(blocks: Sequence[TextBlock], params: Sequence[str]) -> Set[str]:
    """Parameters the text says are part of the cache key, without negation.

    "``dim`` ... is used as a proxy for the non-hashable index to define the LRU cache
    key", "use fill_value_type as (unused) argument ... in the cache lookup", or a
    sentence naming the parameter followed by "Keying on it ...". A parameter counts when
    a sentence (or its own ``Args:``/numpy entry) names it and speaks of the cache key,
    cache lookup or keying, with no "not"/"never"/"ignored"/"excluded" in that sentence;
    an "it" refers to the one parameter named in the sentence before. Looser than :func:`extract_claims`: it only serves to recognise a
    parameter kept in the key on purpose (CL107). Never raises.
    """
    found: Set[str] = set()
    try:
        index = _ParamIndex(params)
        patterns = [(p, re.compile(r"(?<![\w.])" + re.escape(p) + r"(?!\w)")) for p in params if p]
        for unit in _build_units(blocks):
            text = unit.text
            for start, end, entry in _segments(unit, index):
                previous: List[str] = []
                for a, b in _sentences(text, start, end):
                    sentence = text[a:b]
                    named = [p for p, pattern in patterns if pattern.search(sentence)]
                    if entry and entry not in named:
                        named.append(entry)
                    if _KEY_PURPOSE_RE.search(sentence) and not _KEY_NEGATION_RE.search(sentence):
                        found.update(named)
                        if len(previous) == 1 and _PRONOUN_RE.search(sentence):
                            found.update(previous)
                    previous = named
    except Exception:  # pragma: no cover - defensive: prose must never crash a lint run
        return found
    return found


def compile_phrasings() -> None:
    """Compile every phrasing now (a worker process does it while it waits for its first file)."""
    for pred in _PREDICATES:
        pred.regex


def extract_claims(blocks: Sequence[TextBlock], params: Sequence[str]) -> List[Claim]:
    """Find claims about the cache key in ``blocks`` and map them to ``params``.

    Docstrings are read one at a time; comments on consecutive lines are joined so a
    sentence may wrap across them. Sentences end at ``.``/``!``/``?`` (common
    abbreviations such as "e.g." excepted), at blank lines, bullets, section headers
    (``Args:``, numpy underlines) and at each parameter entry (``job_id: ...``,
    ``:param job_id: ...``); a claim inside an entry with no subject of its own ("not
    part of the cache key") is about that entry's parameter. Code (doctest lines, RST
    literal blocks, markdown fences) is skipped.

    Returns the claims sorted by position; one sentence gives at most one claim per
    kind (and scope). Only claims naming at least one of ``params`` are returned,
    except ``"shared"`` claims, which are returned even when the function has no
    parameter of that scope. Never raises.
    """
    try:
        index = _ParamIndex(params)
        units = _build_units(blocks)
    except Exception:  # pragma: no cover - defensive
        return []
    claims: List[Claim] = []
    for unit in units:
        try:
            claims.extend(_unit_claims(unit, index))
        except Exception:  # pragma: no cover - defensive: prose must never crash a lint run
            continue
    claims.sort(key=lambda c: (c.line, c.column))
    unique: List[Claim] = []
    seen = set()
    for c in claims:
        key = (c.kind, c.params, c.scope, c.line, c.column)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique
