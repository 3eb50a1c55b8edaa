"""Source positions for reported nodes, computed per top-level statement.

libcst's ``PositionProvider`` regenerates the code of the whole module to count lines and
columns; on a large file that costs more than parsing it (DESIGN.md §7). Reported nodes
always lie inside the top-level statement that holds a cache site, so positions are
computed on a one-statement module instead and shifted by the statement's first line, which
the ``ast`` tree of the parsed text provides. Top-level statements start at column 0, so
columns need no shift. A cached function inside a big class is positioned on its own (see
:meth:`Positions.of`). When the two trees disagree about the statements (never seen, but
cheap to guard), the whole module is positioned the usual way.

When libcst parsed only the kept lines of a file (``reduce.Reduced``), ``line_map`` gives
the original line of each parsed line, and every reported line goes through it.
"""
from __future__ import annotations

import ast
import io
import tokenize
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .analysis import docstring_node
from .reduce import inner_statements
from .walk import comments

Range = Tuple[int, int, int, int]

_COMPOUND = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
    cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor),
    cst.While: (ast.While,),
    cst.With: (ast.With, ast.AsyncWith),
    cst.Try: (ast.Try,),
}


class Positions:
    """Maps libcst nodes to 1-based ``(line, column, end_line, end_column)`` ranges."""

    def __init__(self, module: cst.Module, tree: Optional[ast.Module], line_map: Optional[Sequence[int]] = None,
                 text: Optional[str] = None):
        self.module = module
        self._line_map: Optional[List[int]] = list(line_map) if line_map is not None else None
        #: the parsed text's lines (what ``module`` was parsed from), for anchored positions
        self._text_lines: Optional[List[str]] = text.split("\n") if text is not None else None
        self._bare_cr = text is not None and "\r" in text.replace("\r\n", "")
        self._ast_top: Dict[int, ast.stmt] = {}
        self._first_line: Optional[Dict[int, int]] = self._map_lines(module, tree) if tree is not None else None
        self._statement_positions: Dict[int, object] = {}
        self._anchors: Dict[int, Optional[Tuple[int, object, List[str]]]] = {}
        #: per top-level statement: its definitions in the libcst and in the ast tree
        self._definitions: Dict[int, Tuple[List[cst.CSTNode], List[ast.stmt]]] = {}
        self._whole = None

    def _map_lines(self, module: cst.Module, tree: ast.Module) -> Optional[Dict[int, int]]:
        lines: Dict[int, int] = {}
        index = 0
        body = tree.body
        for stmt in module.body:
            if index >= len(body):
                return None
            if isinstance(stmt, cst.SimpleStatementLine):
                lines[id(stmt)] = body[index].lineno
                index += len(stmt.body)
                continue
            expected = _COMPOUND.get(type(stmt))
            if expected is not None and not isinstance(body[index], expected):
                return None
            lines[id(stmt)] = body[index].lineno
            self._ast_top[id(stmt)] = body[index]
            index += 1
        return lines if index == len(body) else None

    def of(self, node: cst.CSTNode, top: Optional[cst.CSTNode] = None, anchor: Optional[cst.CSTNode] = None) -> Range:
        """The range of ``node``; ``top`` is the top-level statement that contains it.

        ``anchor`` is a function or class inside ``top`` that likely contains ``node`` (the
        cached function of a site): positions are then computed on it alone, which on a
        big class costs a fraction of the whole statement. Nodes outside it, or any
        doubt about where it lies, fall back to the statement.
        """
        if anchor is not None and top is not None and anchor is not top:
            anchored = self._in_anchor(node, top, anchor)
            if anchored is not None:
                return anchored
        if top is not None and self._first_line is not None and id(top) in self._first_line:
            positions = self._statement_positions.get(id(top))
            if positions is None:
                positions = MetadataWrapper(cst.Module(body=[top]), unsafe_skip_copy=True).resolve(PositionProvider)
                self._statement_positions[id(top)] = positions
            if node in positions:
                shift = self._first_line[id(top)] - positions[top].start.line
                rng = positions[node]
                return self._line(rng.start.line + shift), rng.start.column + 1, self._line(rng.end.line + shift), rng.end.column + 1
        if self._whole is None:
            self._whole = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        rng = self._whole[node]
        return self._line(rng.start.line), rng.start.column + 1, self._line(rng.end.line), rng.end.column + 1

    def _in_anchor(self, node: cst.CSTNode, top: cst.CSTNode, anchor: cst.CSTNode) -> Optional[Range]:
        entry = self._anchor_entry(top, anchor)
        if entry is None:
            return None
        start_line, positions, rendered = entry
        if node not in positions:
            return None
        base = positions[anchor].start.line
        rng = positions[node]
        ends = []
        for line, column in ((rng.start.line, rng.start.column), (rng.end.line, rng.end.column)):
            parsed_line = start_line + line - base
            if not (1 <= parsed_line <= len(self._text_lines) and 1 <= line <= len(rendered)):
                return None
            # the anchor rendered alone loses the indentation of its enclosing blocks on the
            # lines libcst indents itself; lines kept verbatim (inside brackets, strings) do not
            original, alone = self._text_lines[parsed_line - 1], rendered[line - 1]
            if not original.endswith(alone):
                return None
            ends.append((self._line(parsed_line), column + len(original) - len(alone) + 1))
        return ends[0][0], ends[0][1], ends[1][0], ends[1][1]

    def _anchor_entry(self, top: cst.CSTNode, anchor: cst.CSTNode) -> Optional[Tuple[int, object, List[str]]]:
        """(parsed line of ``anchor``'s keyword, its positions alone, its code alone), or None."""
        key = id(anchor)
        if key in self._anchors:
            return self._anchors[key]
        entry = None
        twin = self._twin(top, anchor)
        if twin is not None:
            alone = cst.Module(body=[anchor])
            positions = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
            entry = (twin.lineno, positions, alone.code.split("\n"))
        self._anchors[key] = entry
        return entry

    def _twin(self, top: cst.CSTNode, definition: cst.CSTNode) -> Optional[ast.stmt]:
        """The ``ast`` node of the function or class ``definition`` inside ``top``, or None."""
        tree = self._ast_top.get(id(top))
        if tree is None or self._text_lines is None:
            return None
        pair = self._definitions.get(id(top))
        if pair is None:
            pair = self._definitions[id(top)] = (_definitions(top), _ast_definitions(tree))
        in_cst, in_ast = pair
        if len(in_cst) == len(in_ast):  # both in source order: the k-th definitions are the same
            for candidate, twin in zip(in_cst, in_ast):
                if candidate is definition:
                    return twin if getattr(twin, "name", None) == definition.name.value else None
        return None

    def text_positions(self, function: cst.FunctionDef, top: cst.CSTNode) -> Optional[Dict[int, Tuple[int, int]]]:
        """``id(node) -> (line, column)`` of ``function``'s comments and docstring, or None.

        What the claim rules read costs no libcst positions (which render the whole
        function): comments come from Python's tokenizer over the function's lines, the
        docstring from the ``ast`` tree. The answer is given only when it is certain: the
        tokenizer must find exactly the comments libcst holds, each text once; otherwise
        None, and callers use :meth:`of`.
        """
        twin = self._twin(top, function)
        if not isinstance(twin, (ast.FunctionDef, ast.AsyncFunctionDef)) or twin.end_lineno is None:
            return None
        lines = self._text_lines
        assert lines is not None
        first = (twin.decorator_list[0].lineno if twin.decorator_list else twin.lineno) - len(function.leading_lines)
        last = twin.end_lineno
        if self._bare_cr or first < 1 or last > len(lines):
            return None  # lines split at "\n" only would not be ast's lines
        indent = len(lines[twin.lineno - 1]) - len(lines[twin.lineno - 1].lstrip(" \t"))
        while last < len(lines):  # comment lines indented into the body belong to it (libcst's footer)
            following = lines[last]
            stripped = following.lstrip(" \t")
            if stripped and not (stripped.startswith("#") and len(following) - len(stripped) > indent):
                break
            last += 1
        found: Dict[str, Tuple[int, int]] = {}
        try:
            for token in tokenize.generate_tokens(io.StringIO("\n".join(lines[first - 1:last]) + "\n").readline):
                if token.type == tokenize.COMMENT:
                    if token.string in found or "\t" in token.line[:token.start[1]]:
                        return None  # the same text twice (which is which?), or tabs (libcst widens them)
                    found[token.string] = (first + token.start[0] - 1, token.start[1])
        except (tokenize.TokenError, SyntaxError, ValueError):
            return None
        held = comments(function)
        if sorted(c.value for c in held) != sorted(found):
            return None
        out = {id(c): (self._line(found[c.value][0]), found[c.value][1] + 1) for c in held}
        docstring = docstring_node(function)
        body = twin.body
        if docstring is not None:
            if docstring.lpar or not (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)):
                return None
            node = body[0].value
            if lines[node.lineno - 1][:node.col_offset].strip(" "):
                return None  # col_offset counts bytes (only trusted after spaces alone); libcst widens tabs
            out[id(docstring)] = (self._line(node.lineno), node.col_offset + 1)
        return out

    def _line(self, line: int) -> int:
        """The original line of ``line`` of the parsed text."""
        if self._line_map is None or not 1 <= line <= len(self._line_map):
            return line
        return self._line_map[line - 1]


def _definitions(stmt: cst.CSTNode) -> List[cst.CSTNode]:
    """The functions and classes in ``stmt`` (itself included), in source order.

    Definitions are statements, so a walk over statement bodies finds them all; blocks
    are visited in the order they appear (``try``: body, handlers, ``else``, ``finally``).
    """
    out: List[cst.CSTNode] = []

    def walk(node: cst.CSTNode) -> None:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            out.append(node)
        for block in _blocks(node):
            for child in block:
                walk(child)

    walk(stmt)
    return out


def _ast_definitions(stmt: ast.stmt) -> List[ast.stmt]:
    """The functions and classes in ``stmt`` (itself included), sorted by position.

    Like :func:`_definitions`, only statement lists are walked: definitions never sit
    inside expressions.
    """
    out: List[ast.stmt] = []
    stack: List[ast.stmt] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append(node)
        stack.extend(inner_statements(node))
    out.sort(key=lambda n: (n.lineno, n.col_offset))
    return out


def _blocks(node: cst.CSTNode) -> List[Sequence[cst.CSTNode]]:
    """The statement lists directly inside ``node``, in source order."""
    parts: List[cst.CSTNode] = []
    body = getattr(node, "body", None)
    if isinstance(body, cst.BaseSuite):
        parts.append(body)
    parts.extend(h.body for h in getattr(node, "handlers", ()) or ())
    parts.extend(c.body for c in getattr(node, "cases", ()) or ())
    orelse = getattr(node, "orelse", None)
    if isinstance(orelse, cst.If):
        return [_statements(p) for p in parts] + [[orelse]]  # elif: walked as a statement
    if orelse is not None:
        parts.append(orelse.body)
    finalbody = getattr(node, "finalbody", None)
    if finalbody is not None:
        parts.append(finalbody.body)
    return [_statements(p) for p in parts]


def _statements(suite: cst.CSTNode) -> Sequence[cst.CSTNode]:
    return suite.body if isinstance(suite, cst.IndentedBlock) else ()
