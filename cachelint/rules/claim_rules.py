"""CL301–CL303: docstrings and comments that contradict the cache key."""
from __future__ import annotations

from typing import Dict, Iterable, List, Tuple

import libcst as cst

from ..analysis import docstring_node
from ..claims import Claim, TextBlock, extract_claims
from ..models import ERROR, CacheSite, Fix
from ..walk import comments as comments_in
from .base import FileContext, Report, Rule, keyed_params, lib_phrase, sentence


def text_blocks(site: CacheSite, ctx: FileContext) -> List[TextBlock]:
    """The docstring, the comments directly above the decorators, and the comments in the body."""
    func = site.function
    blocks: List[TextBlock] = []
    quick = ctx.text_positions(func) if ctx.text_positions is not None else None

    def where(node: cst.CSTNode) -> Tuple[int, int]:
        if quick is not None and id(node) in quick:
            return quick[id(node)]
        line, col, _, _ = ctx.position(node)
        return line, col

    string = docstring_node(func)
    if string is not None:
        value = string.evaluated_value
        if isinstance(value, str):
            line, col = where(string)
            first = string if isinstance(string, cst.SimpleString) else string.left
            offset = len(first.prefix) + len(first.quote) if isinstance(first, cst.SimpleString) else 0
            blocks.append(TextBlock(value, line, col + offset, "docstring"))
    comments: List[cst.Comment] = []
    for empty in list(func.leading_lines) + [e for d in func.decorators for e in d.leading_lines] + list(func.lines_after_decorators):
        if empty.comment is not None:
            comments.append(empty.comment)

    comments.extend(comments_in(func.body))
    for comment in comments:
        line, col = where(comment)
        blocks.append(TextBlock(comment.value.lstrip("#"), line, col + 1, "comment"))
    blocks.sort(key=lambda b: (b.line, b.column))
    return blocks


def site_claims(site: CacheSite, ctx: FileContext) -> List[Claim]:
    """Claims about the key of ``site``'s function (computed once per function)."""
    key = ("claims", id(site.function))
    if key not in ctx.cache:
        ctx.cache[key] = extract_claims(text_blocks(site, ctx), [p.name for p in site.params])
    return ctx.cache[key]



def _quote(names) -> str:
    names = list(names)
    quoted = [f"'{n}'" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


class _ClaimRule(Rule):
    severity = ERROR

    def applicable(self, site: CacheSite) -> bool:
        return site.spec.known and site.spec.argument_keyed

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        if not self.applicable(site):
            return
        grouped: Dict[Tuple[int, int], List[str]] = {}
        messages: Dict[Tuple[int, int], Claim] = {}
        for claim in site_claims(site, ctx):
            for name in self.contradicted(site, claim):
                loc = (claim.line, claim.column)
                if name not in grouped.setdefault(loc, []):
                    grouped[loc].append(name)
                messages[loc] = claim
        for loc, names in grouped.items():
            yield Report(
                self.message(site, messages[loc], names),
                line=loc[0],
                column=loc[1],
                parameter=names[0] if len(names) == 1 else None,
                fix=self.fix(site, messages[loc], names),
            )

    def contradicted(self, site: CacheSite, claim: Claim) -> List[str]:  # pragma: no cover
        raise NotImplementedError

    def message(self, site, claim, names) -> str:  # pragma: no cover
        raise NotImplementedError

    def fix(self, site, claim, names):
        return None


class ClaimExcludedButKeyed(_ClaimRule):
    """### What it does
Reads the docstring and the comments of a cached function (above the decorator and in
the body) for sentences saying a parameter is not part of the key ("the job ID is not
part of the cache key", "X is ignored by the cache", "X does not affect caching", "the
cache key does not include X"), and reports those whose parameter the decorator keys.

### Why it matters
The claim is what reviewers and callers trust. When the decorator keys the parameter
anyway, every call with a new value misses while the text says it should hit: the
classic "the job ID is not part of the key" bug that made a paid API run on every call.

### Example
```python
@disk_cache
def render(job_id, prompt):
    \"\"\"Render the prompt. The job ID is not part of the cache key.\"\"\"
```

### Use instead
Make the code match the text: exclude the parameter in the library's own way, or split
the function so the cached part does not take it. If the text is wrong, fix the text.
"""

    code = "CL301"
    name = "claim-excluded-but-keyed"
    summary = "a docstring or comment says a parameter is not in the key, yet it is keyed"
    valid = (
        "import streamlit as st\n@st.cache_data\ndef f(_job_id, x):\n    \"\"\"The job ID is not part of the cache key.\"\"\"\n    return x\n",
    )
    invalid = (
        "import functools\n@functools.cache\ndef f(job_id, x):\n    \"\"\"The job ID is not part of the cache key.\"\"\"\n    return x\n",
    )

    def contradicted(self, site, claim):
        if claim.kind != "excluded":
            return []
        return [n for n in claim.params if site.spec.is_keyed(n)]

    def message(self, site, claim, names):
        hints = "; ".join(site.model.exclusion_hint(n, site.use) for n in names[:1])
        verb = "is" if len(names) == 1 else "are"
        return (
            f"This says {_quote(names)} {verb} not part of the cache key, but the {lib_phrase(site)} key "
            f"includes {'it' if len(names) == 1 else 'them'}: every new value is a miss. To match the claim, {hints}."
        )

    def fix(self, site, claim, names):
        return Fix(sentence(site.model.exclusion_hint(names[0], site.use)))


class ClaimKeyedButExcluded(_ClaimRule):
    """### What it does
Reports a docstring or comment that says a parameter is part of the key ("results are
cached per X", "the key includes X") while the decorator leaves it out, and a sentence
that lists the whole key ("keyed on A and B", "cache key: A, B") when the decorator
excludes one of them or keys something else too.

### Why it matters
An excluded parameter that the text says is keyed means calls that differ in it get each
other's results (a stale or wrong hit). A key with more than the text lists splits the
cache where the author expected hits.

### Example
```python
@st.cache_data
def load(_table, day):
    \"\"\"Results are cached per table and day.\"\"\"
```

### Use instead
Key what the text says (rename `_table` to `table`), or correct the text.
"""

    code = "CL302"
    name = "claim-keyed-but-excluded"
    summary = "a docstring or comment says a parameter is keyed (or lists the key), yet the decorator disagrees"
    valid = ("import streamlit as st\n@st.cache_data\ndef f(table, day):\n    \"\"\"Results are cached per table and day.\"\"\"\n    return 1\n",)
    invalid = ("import streamlit as st\n@st.cache_data\ndef f(_table, day):\n    \"\"\"Results are cached per table and day.\"\"\"\n    return 1\n",)

    def contradicted(self, site, claim):
        if claim.kind == "keyed":
            return [n for n in claim.params if n in site.spec.excluded]
        if claim.kind == "keyed_only":
            excluded = [n for n in claim.params if n in site.spec.excluded]
            extra = [p.name for p in keyed_params(site) if p.name not in claim.params]
            return excluded + extra
        return []

    def message(self, site, claim, names):
        excluded = [n for n in names if n in site.spec.excluded]
        extra = [n for n in names if n not in site.spec.excluded]
        parts = []
        if excluded:
            how = ", ".join(f"'{n}' by {site.spec.excluded[n]}" for n in excluded)
            parts.append(f"the {lib_phrase(site)} key leaves out {how}, so calls that differ only there share a result")
        if extra:
            parts.append(f"the {lib_phrase(site)} key also includes {_quote(extra)}, which the text does not list")
        return "This describes the cache key, but " + "; and ".join(parts) + ". Make the key and the text agree."


class ClaimSharedButPerCall(_ClaimRule):
    """### What it does
Reports a docstring or comment saying results are shared across jobs, runs, requests,
sessions, users or tenants while a keyed parameter identifies exactly that scope
(`job_id` for jobs, `run_id` for runs, `user_id` for users...).

### Why it matters
A key that contains the job id can only be shared within one job: the promised sharing
never happens and each job pays again.

### Example
```python
@memory.cache
def embed(job_id, text):
    \"\"\"Embeddings are shared across jobs.\"\"\"
```

### Use instead
Exclude the scope's identifier from the key (`ignore=["job_id"]`), or correct the text.
"""

    code = "CL303"
    name = "claim-shared-but-per-call"
    summary = "a docstring or comment says results are shared across a scope whose id is keyed"
    valid = ("from joblib import Memory\nm = Memory('d')\n@m.cache(ignore=['job_id'])\ndef f(job_id, text):\n    \"\"\"Results are shared across jobs.\"\"\"\n    return text\n",)
    invalid = ("from joblib import Memory\nm = Memory('d')\n@m.cache\ndef f(job_id, text):\n    \"\"\"Results are shared across jobs.\"\"\"\n    return text\n",)

    def contradicted(self, site, claim):
        if claim.kind != "shared":
            return []
        return [n for n in claim.params if site.spec.is_keyed(n)]

    def message(self, site, claim, names):
        hint = site.model.exclusion_hint(names[0], site.use)
        return (
            f"This says results are shared across {claim.scope}s, but {_quote(names)} is part of the "
            f"{lib_phrase(site)} key, so each {claim.scope} gets its own entries. {sentence(hint)}."
        )


RULES = (ClaimExcludedButKeyed, ClaimKeyedButExcluded, ClaimSharedButPerCall)
