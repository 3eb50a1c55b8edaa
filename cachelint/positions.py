"""Source positions for reported nodes, computed per top-level statement.

libcst's ``PositionProvider`` regenerates the code of the whole module to count lines and
columns; on a large file that costs more than parsing it (DESIGN.md §7). Reported nodes
always lie inside the top-level statement that holds a cache site, so positions are
computed on a one-statement module instead and shifted by the statement's first line, which
the ``ast`` tree from the syntax pre-check provides. Top-level statements start at column
0, so columns need no shift. When the two trees disagree about the statements (never seen,
but cheap to guard), the whole module is positioned the usual way.

When libcst parsed only the kept lines of a file (``reduce.Reduced``), ``line_map`` gives
the original line of each parsed line, and every reported line goes through it.
"""
from __future__ import annotations

import ast
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

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

    def __init__(self, module: cst.Module, tree: Optional[ast.Module], line_map: Optional[Sequence[int]] = None):
        self.module = module
        self._line_map: Optional[List[int]] = list(line_map) if line_map is not None else None
        self._first_line: Optional[Dict[int, int]] = self._map_lines(module, tree) if tree is not None else None
        self._statement_positions: Dict[int, object] = {}
        self._whole = None

    @staticmethod
    def _map_lines(module: cst.Module, tree: ast.Module) -> Optional[Dict[int, int]]:
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
            index += 1
        return lines if index == len(body) else None

    def of(self, node: cst.CSTNode, top: Optional[cst.CSTNode] = None) -> Range:
        """The range of ``node``; ``top`` is the top-level statement that contains it."""
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

    def _line(self, line: int) -> int:
        """The original line of ``line`` of the parsed text."""
        if self._line_map is None or not 1 <= line <= len(self._line_map):
            return line
        return self._line_map[line - 1]
