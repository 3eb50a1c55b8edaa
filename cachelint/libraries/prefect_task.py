"""Prefect ``@task(cache_policy=..., cache_key_fn=...)`` (prefect 3.9 and 2.20).

Calls are bound to the signature with defaults. ``INPUTS`` hashes the bound arguments;
``INPUTS - "x"`` and ``Inputs(exclude=[...])`` drop parameters (never checked against
the signature); a policy without ``INPUTS`` does not key the arguments at all;
``cache_key_fn=task_input_hash`` hashes every argument; another ``cache_key_fn`` is
opaque. A task without a policy or key function is treated as uncached here.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from ..models import ExclusionElement
from .base import DecoratorUse, Library, ModelResult, argument, exclusions_from, names_excluded, string_value

_POLICIES = "prefect.cache_policies."


class Task(Library):
    library = "prefect"
    names = ("prefect.task", "prefect.tasks.task")
    display = "prefect task"
    forms = "both"
    async_aware = True
    persistent = True
    serializer = "pickle"
    call_shape = "bound"

    def is_cached(self, use: DecoratorUse) -> bool:
        policy = argument(use.call, "cache_policy")
        if policy is not None:
            names = self._policy_names(policy, use)
            return not names or not names <= {"NO_CACHE", "NONE"}
        return argument(use.call, "cache_key_fn") is not None

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        serializer = "json" if "json" in (string_value(argument(use.call, "result_serializer")) or "") else "pickle"
        key_fn = argument(use.call, "cache_key_fn")
        if key_fn is not None:
            if (use.resolve(key_fn) or "").endswith("task_input_hash"):
                return ModelResult(self.spec(use, {}, serializer=serializer))
            return ModelResult(self.spec(use, {}, known=False, serializer=serializer))
        policy = argument(use.call, "cache_policy")
        if policy is None:
            return ModelResult(self.spec(use, {}, serializer=serializer))
        elements: List[ExclusionElement] = []
        has_inputs = self._walk(policy, use, elements)
        if has_inputs is None:
            return ModelResult(self.spec(use, {}, known=False, serializer=serializer))
        if not has_inputs:
            return ModelResult(self.spec(use, {}, argument_keyed=False, serializer=serializer), tuple(elements))
        return ModelResult(self.spec(use, names_excluded(elements, use, by_index=False), serializer=serializer), tuple(elements))

    def _policy_names(self, expr: cst.BaseExpression, use: DecoratorUse) -> set:
        found = set()
        for node in _leaves(expr):
            qual = use.resolve(node) or ""
            if qual.startswith(_POLICIES):
                found.add(qual[len(_POLICIES):])
        return found

    def _walk(self, expr: cst.BaseExpression, use: DecoratorUse, elements: List[ExclusionElement]) -> Optional[bool]:
        """Collect ``- "x"`` exclusions; return whether INPUTS is part of the policy (None: unreadable)."""
        if isinstance(expr, cst.BinaryOperation):
            if isinstance(expr.operator, cst.Subtract):
                left = self._walk(expr.left, use, elements)
                name = string_value(expr.right)
                if name is not None:
                    elements.append(ExclusionElement(name, 'INPUTS - "..."', expr.right))
                    return left
                return None
            if isinstance(expr.operator, cst.Add):
                left = self._walk(expr.left, use, elements)
                right = self._walk(expr.right, use, elements)
                if left is None or right is None:
                    return None
                return left or right
            return None
        qual = use.resolve(expr.func if isinstance(expr, cst.Call) else expr) or ""
        if isinstance(expr, cst.Call) and qual == _POLICIES + "Inputs":
            elements.extend(exclusions_from(argument(expr, "exclude", 0), "Inputs(exclude=...)"))
            return True
        if qual.startswith(_POLICIES):
            return qual[len(_POLICIES):] in ("INPUTS", "DEFAULT")
        return None

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        return f'exclude it with cache_policy=INPUTS - "{param}"'


def _leaves(expr: cst.BaseExpression) -> Tuple[cst.BaseExpression, ...]:
    if isinstance(expr, cst.BinaryOperation):
        return _leaves(expr.left) + _leaves(expr.right)
    if isinstance(expr, cst.Call):
        return (expr.func,)
    return (expr,)


MODELS = (Task(),)
