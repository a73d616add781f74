"""Which cells a candidate withholding would leave fixed, without a fresh factorisation
per trial: a speed-up of :func:`pipeline.disclosure.protect`'s search, same answers.

The search tries, for each exposed cell, up to a few dozen counts to withhold, and for each
asks which cells of the grown component the relations then fix
(:meth:`pipeline.disclosure.LinearSystem.determined_in`). The grown component is the union
of existing components (their matrices unchanged) and one or two new unknown cells, so its
null space is the components' null spaces plus at most one vector per new cell: it comes
from each component's singular value decomposition, computed once and kept, and a solve.

A cell is fixed when the projection onto the null space is zero in its column (every
solution agrees on it), tested as :meth:`LinearSystem._freedom` does: largest absolute
entry below ``1e-7``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pipeline.disclosure import LinearSystem

FIXED = 1e-7
"""A projection column whose largest entry is below this is zero (as in determined_in)."""


@dataclass(frozen=True)
class _Factor:
    cells: list[int]
    position: dict[int, int]
    rows: list[int]
    row_position: dict[int, int]
    basis: np.ndarray  # the column space of the component's matrix (rows x rank)
    inverse: np.ndarray  # the pseudo-inverse (cells x rows)
    null: np.ndarray  # an orthonormal basis of the null space (cells x nullity)


class NullSpaces:
    """Null spaces of components of unknown cells of ``system``, kept by component."""

    def __init__(self, system: LinearSystem, tolerance: float) -> None:
        self.system = system
        self.tolerance = tolerance
        self.factors: dict[frozenset[int], _Factor] = {}

    def factor(self, component: frozenset[int]) -> _Factor:
        found = self.factors.get(component)
        if found is not None:
            return found
        system = self.system
        cells = sorted(component)
        position = {c: p for p, c in enumerate(cells)}
        rows = sorted({r for c in cells for r in system.rows_of[c]})
        matrix = np.zeros((len(rows), len(cells)))
        for m, r in enumerate(rows):
            for i, coefficient in system.rows[r].items():
                p = position.get(i)
                if p is not None:
                    matrix[m, p] = coefficient
        if rows:
            # Full right vectors (the null space) need full matrices only when wide.
            wide = matrix.shape[0] < matrix.shape[1]
            left, singular, right = np.linalg.svd(matrix, full_matrices=wide)
            largest = singular.max(initial=0.0)
            rank = int((singular > self.tolerance * max(1.0, largest)).sum())
            basis = left[:, :rank]
            inverse = right[:rank].T / singular[:rank] @ basis.T
            null = right[rank:].T
        else:
            basis = np.zeros((0, 0))
            inverse = np.zeros((len(cells), 0))
            null = np.eye(len(cells))
        found = _Factor(
            cells, position, rows, {r: m for m, r in enumerate(rows)}, basis, inverse, null
        )
        if len(self.factors) > 5_000:
            self.factors.clear()
        self.factors[component] = found
        return found

    def determined(self, component: frozenset[int]) -> set[int]:
        """The cells of a component the relations fix (as ``determined_in``)."""
        factor = self.factor(component)
        return _fixed(factor.cells, factor.null)

    def determined_grown(self, parts: list[frozenset[int]], new: tuple[int, ...]) -> set[int]:
        """The cells fixed in the component made of ``parts`` (components of unknown cells)
        and the known cells ``new`` made unknown (``determined_in`` of their union)."""
        system = self.system
        new = tuple(dict.fromkeys(c for c in new if not any(c in p for p in parts)))
        factors = [self.factor(p) for p in parts]
        new_position = {c: p for p, c in enumerate(new)}
        # Each part's rows, restricted to the new cells (C), projected off the part's
        # column space; rows touching only new cells (D) constrain them directly.
        conditions, lifts = [], []
        in_parts = set()
        for factor in factors:
            columns = np.zeros((len(factor.rows), len(new)))
            for c in new:
                for r in system.rows_of[c]:
                    m = factor.row_position.get(r)
                    if m is not None:
                        columns[m, new_position[c]] = system.rows[r][c]
            in_parts.update(factor.rows)
            conditions.append(columns - factor.basis @ (factor.basis.T @ columns))
            lifts.append(-factor.inverse @ columns)
        direct = sorted({r for c in new for r in system.rows_of[c]} - in_parts)
        only = np.zeros((len(direct), len(new)))
        for m, r in enumerate(direct):
            for c in new:
                coefficient = system.rows[r].get(c)
                if coefficient:
                    only[m, new_position[c]] = coefficient
        conditions.append(only)
        stacked = np.vstack(conditions) if new else np.zeros((0, 0))
        if new and stacked.size:
            wide = stacked.shape[0] < stacked.shape[1]
            _, singular, right = np.linalg.svd(stacked, full_matrices=wide)
            largest = singular.max(initial=0.0)
            rank = int((singular > self.tolerance * max(1.0, largest)).sum())
            free_new = right[rank:].T  # new cells' values among solutions (new x extra)
        else:
            free_new = np.eye(len(new))
        cells = [c for f in factors for c in f.cells] + list(new)
        nullity = sum(f.null.shape[1] for f in factors)
        extra = free_new.shape[1]
        vectors = np.zeros((len(cells), nullity + extra))
        row = column = 0
        for factor, lift in zip(factors, lifts, strict=True):
            size, width = len(factor.cells), factor.null.shape[1]
            vectors[row : row + size, column : column + width] = factor.null
            if extra:
                vectors[row : row + size, nullity:] = lift @ free_new
            row, column = row + size, column + width
        if extra:
            vectors[row:, nullity:] = free_new
            # The added vectors lie in the parts' row spaces, so they are orthogonal to the
            # parts' null spaces already: orthonormalise them among themselves.
            added, _ = np.linalg.qr(vectors[:, nullity:])
            vectors[:, nullity:] = added
        return _fixed(cells, vectors)


def _fixed(cells: list[int], null: np.ndarray) -> set[int]:
    """Cells whose column of the projection onto span(``null``) (orthonormal) is zero."""
    if not cells:
        return set()
    if null.shape[1] == 0:
        return set(cells)
    # A column's largest entry lies between its diagonal entry (the squared row norm) and
    # the row norm (Cauchy-Schwarz): only rows between the two bounds need the column.
    norms = np.sqrt(np.einsum("ij,ij->i", null, null))
    out = set()
    for p in np.flatnonzero(norms * norms < FIXED):
        if norms[p] < FIXED or np.abs(null @ null[p]).max() < FIXED:
            out.add(cells[p])
    return out
