"""CL304: an exclusion that names a parameter the function does not have."""
from __future__ import annotations

import difflib
from typing import Iterable

from ..models import ERROR, CacheSite, Fix
from .base import FileContext, Report, Rule


class ExclusionNamesUnknownParameter(Rule):
    """### What it does
Reports an element of an exclusion (`ignore=[...]` for joblib, klepto, perscache and
`cachelint.cacheable`; diskcache `ignore={...}`; Flask-Caching `args_to_ignore=[...]`;
Prefect `INPUTS - "x"` and `Inputs(exclude=[...])`; placeholders of a cashews `key=`
template) that names a parameter the function does not have, or a positional index
past its positional parameters.

### Why it matters
Most libraries check these names late or never: joblib only at the first call, diskcache,
Flask-Caching and Prefect never. A typo leaves the argument in the key, so the cache
silently keeps missing (the parameter's own finding, such as CL101, is reported too).

### Example
```python
@memory.cache(ignore=["jobid"])
def render(job_id, prompt): ...
```

### Use instead
Spell the parameter as it appears in the signature: `ignore=["job_id"]`.
"""

    code = "CL304"
    name = "exclusion-names-unknown-parameter"
    summary = "an exclusion names a parameter the function does not have"
    severity = ERROR
    valid = ("from joblib import Memory\nm = Memory('d')\n@m.cache(ignore=['job_id'])\ndef f(job_id, x): return x\n",)
    invalid = ("from joblib import Memory\nm = Memory('d')\n@m.cache(ignore=['jobid'])\ndef f(job_id, x): return x\n",)

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        names = [p.name for p in site.params]
        positional = [p for p in site.params if p.position is not None]
        has_var = {p.kind for p in site.params}
        for el in site.exclusions:
            if isinstance(el.value, str):
                if el.value in names:
                    continue
                if el.value == "*" and "vararg" in has_var or el.value == "**" and "kwarg" in has_var:
                    continue
                if el.value in ("*", "**") and site.model.library in ("joblib", "klepto"):
                    continue
                close = difflib.get_close_matches(el.value, names, n=1, cutoff=0.6)
                suggestion = f" Did you mean '{close[0]}'?" if close else ""
                yield Report(
                    f"{el.mechanism} names '{el.value}', which is not a parameter of {site.function_name}(); "
                    f"{site.model.display} leaves the argument it was meant for in the key.{suggestion}",
                    node=el.node,
                    parameter=close[0] if close else None,
                    fix=Fix(f"Replace '{el.value}' with '{close[0]}'", repr(close[0])) if close else None,
                )
            elif isinstance(el.value, int) and not (0 <= el.value < len(positional)):
                yield Report(
                    f"{el.mechanism} holds index {el.value}, but {site.function_name}() has "
                    f"{len(positional)} positional parameter{'s' if len(positional) != 1 else ''}; it excludes nothing.",
                    node=el.node,
                )


RULES = (ExclusionNamesUnknownParameter,)
