"""CL000: a ``# noqa: CLxxx`` comment that suppresses nothing.

The noqa filter (:mod:`cachelint.noqa`) emits it after the other rules ran, because only
then is it known which directives were needed; the class is here so the code is listed,
selectable and documented like every rule.
"""
from __future__ import annotations

from ..models import WARNING
from .base import Rule


class UnusedNoqa(Rule):
    """### What it does
Reports a `# noqa: CL...` comment naming a cachelint code (or prefix) for which nothing is
reported on that line. Only cachelint's own codes are judged: `E501` or `B019` in the same
comment belong to other tools and are left alone. Bare `# noqa` comments are not reported.

It runs only when selected, e.g. `cachelint --extend-select CL000`, and never together
with `--ignore-noqa`.

### Why it matters
A stale suppression is a hole waiting for a bug: when the code on that line changes and a
real problem appears, the old comment hides it. Directives outlive the findings they were
written for after renames, refactors and fixes in cachelint itself.

### Example
```python
import functools


@functools.cache
def load(region):  # noqa: CL101
    return region
```

### Use instead
```python
import functools


@functools.cache
def load(region):
    return region
```

### Options
Select it with `--extend-select CL000` or `extend-select = ["CL000"]` in
`[tool.cachelint]`. A comment that lists `CL000` itself is never reported.
"""

    code = "CL000"
    name = "unused-noqa"
    summary = "a noqa comment names a cachelint code that nothing on its line reports"
    severity = WARNING
    default_on = False


RULES = (UnusedNoqa,)
