"""Inputs that crash libcst's native parser, screened with the ``ast`` tree first.

Some pathological inputs overflow the C stack of libcst's parser and kill the whole
process (LibCST#1000, #619), which no ``try`` can catch. Every libcst parse of a file
cachelint reads (the file being linted, and a module read to learn about its decorators)
is screened here first; a hazard becomes a CL001 for the linted file and a skipped module
for the project index.
"""
from __future__ import annotations

import ast
import re
from typing import Optional, Tuple

#: libcst's native parser overflows the C stack and kills the process on a flat chain of
#: about 8,000 ``and``/``or`` operands, which CPython accepts (LibCST#1000, #619). Its
#: chains nest, so the operands of chains within chains add up. CPython's own limits
#: ("too many nested parentheses", RecursionError) already stop every other deep nesting
#: before libcst sees it.
MAX_BOOL_DEPTH = 4000
_BOOL_WORD = re.compile(r"\b(?:and|or)\b")


def libcst_hazard(tree: ast.Module, text: str) -> Optional[Tuple[int, int, str]]:
    """``(line, column, reason)`` when ``text`` would crash libcst's parser, else None.

    The tree is walked only when the text holds enough ``and``/``or`` words to matter.
    """
    if len(_BOOL_WORD.findall(text)) < MAX_BOOL_DEPTH:
        return None
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BoolOp):
            depth += len(node.values) - 1
            if depth > MAX_BOOL_DEPTH:
                line = text.split("\n", node.lineno)[node.lineno - 1] if node.lineno else ""
                column = len(line.encode("utf-8", "surrogatepass")[:node.col_offset].decode("utf-8", "ignore")) + 1
                return node.lineno or 1, column, (
                    f"an 'and'/'or' chain of {depth + 1} operands (nested chains counted together) is more than "
                    f"libcst's parser survives (its stack overflows at about 8,000; cachelint stops at {MAX_BOOL_DEPTH})"
                )
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))
    return None
