"""Which cells a candidate withholding would leave fixed, without a fresh factorisation
per trial: a speed-up of :func:`pipeline.disclosure.protect`'s search, same answers.

The search tries, for each exposed cell, up to a few dozen counts to withhold, and for each
asks which cells of the grown component the relations then fix
(:meth:`pipeline.disclosure.LinearSystem.determined_in`). The grown component is the union
of existing components (their matrices unchanged) and one or two new unknown cells, so its
null space is the components' null spaces plus at most one vector per new cell: it comes
from each component's factorisation (:func:`row_space`), computed once and kept, and a solve.

A cell is fixed when the projection onto the null space is zero in its column (every
solution agrees on it), tested as :meth:`LinearSystem._freedom` does: largest absolute
entry below ``1e-7``.

A component the search grows by withholding a count is not factorised at once: it is kept
as the factorised components it was made of plus the cells added to them (up to
:data:`DEFERRED` cells), and a later trial grows from those, as from any parts. A large
component (hundreds of cells) is thus factorised once every few withholdings rather than
after each one: the same null space, far fewer singular value decompositions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.linalg import lapack, qr, solve_triangular

if TYPE_CHECKING:
    from pipeline.disclosure import LinearSystem

FIXED = 1e-7
"""A projection column whose largest entry is below this is zero (as in determined_in)."""
DEFERRED = 12
"""At most this many added cells are kept beside a grown component's factorised parts
before the component is factorised itself."""
CERTAIN = 10.0
""":func:`row_space` takes its rank from the QR factorisation only when the bounds it proves
clear the singular value decomposition's cut-off by this factor both ways."""


@dataclass(frozen=True)
class RowSpace:
    """``matrix[:, pivots]`` is ``q @ r`` (``matrix`` is the transpose of a system's matrix,
    a column a relation); the first ``rank`` columns of ``q`` are an orthonormal basis of
    the system's row space, the others (when ``q`` is square) of its null space."""

    q: np.ndarray
    r: np.ndarray
    pivots: np.ndarray
    rank: int


def row_space(matrix: np.ndarray, tolerance: float, full: bool) -> RowSpace | None:
    """The column-pivoted QR factorisation of ``matrix`` (``q`` square when ``full``), with
    the rank a singular value decomposition gives it (singular values above ``tolerance``
    times the largest, or times 1 if that is smaller); None when the factorisation cannot
    prove that rank, so that the caller takes the decomposition itself.

    Speed: on the components of about a thousand cells the search factorises, the row space
    alone takes about 0.1 s against 0.25 s, and with the column space too (second QR)
    about 0.2 s against 0.3 s, single-threaded. The rank
    is proved, not estimated: for any k, the (k+1)th singular value is at most the
    Frobenius norm of ``r``'s trailing block and the kth at least the smallest singular
    value of its leading k x k block, itself at least one over the Frobenius norm of that
    block's inverse; the largest singular value lies between ``r``'s first diagonal entry
    and its Frobenius norm. Both bounds must clear the cut-off by :data:`CERTAIN`. The
    relations' matrices (coefficients of 1 and -1) have a wide gap: the smallest nonzero
    singular values are near 0.3, the zero ones near 1e-15."""
    q, r, pivots = qr(matrix, mode="full" if full else "economic", pivoting=True,
                      check_finite=False)  # fmt: skip
    diagonal = np.abs(np.diagonal(r))
    low = tolerance * max(1.0, float(diagonal[0]) if diagonal.size else 0.0)
    high = tolerance * max(1.0, float(np.linalg.norm(r)))
    rank = int((diagonal > low).sum())
    if np.linalg.norm(r[rank:, rank:]) * CERTAIN > low:
        return None
    if rank:
        inverse, info = lapack.dtrtri(r[:rank, :rank], lower=0)
        if info != 0 or np.linalg.norm(np.triu(inverse)) * CERTAIN * high > 1.0:
            return None
    return RowSpace(q, r, pivots, rank)


@dataclass(frozen=True)
class _Factor:
    cells: list[int]
    position: dict[int, int]
    rows: list[int]
    row_position: dict[int, int]
    basis: np.ndarray  # the column space of the component's matrix (rows x rank)
    # the matrix is basis @ scale @ across.T: across the row space (cells x rank), scale
    # upper triangular (rank x rank), so across @ inverse(scale) @ basis.T its pseudo-inverse
    across: np.ndarray
    scale: np.ndarray
    null: np.ndarray  # an orthonormal basis of the null space (cells x nullity)
    norms2: np.ndarray  # the squared norm of each cell's row of ``null``
    fixed: set[int]  # the cells the component's relations fix (:func:`_fixed` of ``null``)

    def pseudo_solve(self, columns: np.ndarray) -> np.ndarray:
        """The pseudo-inverse of the component's matrix times ``columns`` (rows x k): the
        least-squares solutions in the row space (cells x k)."""
        if not self.scale.size:
            return np.zeros((len(self.cells), columns.shape[1]))
        return self.across @ solve_triangular(self.scale, self.basis.T @ columns,
                                              check_finite=False)  # fmt: skip


class NullSpaces:
    """Null spaces of components of unknown cells of ``system``, kept by component."""

    def __init__(self, system: LinearSystem, tolerance: float) -> None:
        self.system = system
        self.tolerance = tolerance
        self.factors: dict[frozenset[int], _Factor] = {}
        # a grown component not factorised yet: its factorised parts and the cells added
        self.grown: dict[frozenset[int], tuple[tuple[frozenset[int], ...], tuple[int, ...]]] = {}

    def _expanded(
        self, components: list[frozenset[int]], new: tuple[int, ...]
    ) -> tuple[list[frozenset[int]], tuple[int, ...]]:
        """``components`` with ``new`` added, as factorised parts and added cells: a grown
        component is replaced by its parts and cells while they are few enough."""
        parts: list[frozenset[int]] = []
        added: list[int] = []
        for component in components:
            deferred = self.grown.get(component) if component not in self.factors else None
            if deferred is not None and len(added) + len(deferred[1]) + len(new) <= DEFERRED:
                parts.extend(deferred[0])
                added.extend(deferred[1])
            else:
                parts.append(component)
        return parts, (*added, *new)

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
        space = row_space(matrix.T, self.tolerance, full=True) if rows else None
        if space is not None:
            # matrix[pivots] = r1.T @ q1.T (r1, q1: the first ``rank`` rows of r, columns of
            # q) = q2 @ r2 @ q1.T with q2 @ r2 the QR factorisation of r1.T: q2 (rows put
            # back in place) is the column space.
            rank = space.rank
            q2, scale = np.linalg.qr(space.r[:rank].T)
            basis = np.empty((len(rows), rank))
            basis[space.pivots] = q2
            across = space.q[:, :rank]
            null = space.q[:, rank:]
        elif rows:
            # Full right vectors (the null space) need full matrices only when wide.
            wide = matrix.shape[0] < matrix.shape[1]
            left, singular, right = np.linalg.svd(matrix, full_matrices=wide)
            largest = singular.max(initial=0.0)
            rank = int((singular > self.tolerance * max(1.0, largest)).sum())
            basis = left[:, :rank]
            across, scale = right[:rank].T, np.diag(singular[:rank])
            null = right[rank:].T
        else:
            basis, across, scale = np.zeros((0, 0)), np.zeros((len(cells), 0)), np.zeros((0, 0))
            null = np.eye(len(cells))
        found = _Factor(
            cells, position, rows, {r: m for m, r in enumerate(rows)}, basis, across, scale, null,
            np.einsum("ij,ij->i", null, null), _fixed(cells, null),
        )  # fmt: skip
        if len(self.factors) > 5_000:
            self.factors.clear()
        self.factors[component] = found
        return found

    def determined(self, component: frozenset[int]) -> set[int]:
        """The cells of a component the relations fix (as ``determined_in``)."""
        parts, new = self._expanded([component], ())
        if new:
            return self._determined_grown(parts, new)
        return set(self.factor(component).fixed)

    def determined_grown(self, parts: list[frozenset[int]], new: tuple[int, ...]) -> set[int]:
        """The cells fixed in the component made of ``parts`` (components of unknown cells)
        and the known cells ``new`` made unknown (``determined_in`` of their union)."""
        new = tuple(dict.fromkeys(c for c in new if not any(c in p for p in parts)))
        grown = frozenset().union(*parts, new)
        parts, new = self._expanded(parts, new)
        if len(self.grown) > 20_000:  # trial components are rarely grown from
            self.grown.clear()
        self.grown[grown] = (tuple(parts), new)
        return self._determined_grown(parts, new)

    def _determined_grown(self, parts: list[frozenset[int]], new: tuple[int, ...]) -> set[int]:
        system = self.system
        factors = [self.factor(p) for p in parts]
        new_position = {c: p for p, c in enumerate(new)}
        # Each part's rows, restricted to the new cells (C), projected off the part's
        # column space; rows touching only new cells (D) constrain them directly.
        conditions, parts_columns = [], []
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
            parts_columns.append(columns)
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
        extra = free_new.shape[1]
        if not extra:  # the null space is the parts' own
            return {c for f in factors for c in f.fixed} | set(new)
        # The added vectors, the new cells' free values lifted into each part, lie in the
        # parts' row spaces, so they are orthogonal to the parts' null spaces already:
        # orthonormalise them among themselves (the other vectors are the parts' own).
        lifted = [
            -f.pseudo_solve(c @ free_new) for f, c in zip(factors, parts_columns, strict=True)
        ]
        added, _ = np.linalg.qr(np.vstack([*lifted, free_new]))
        return _fixed_grown(cells, factors, added)


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


def _fixed_grown(cells: list[int], factors: list[_Factor], added: np.ndarray) -> set[int]:
    """:func:`_fixed` of the null space made of each factor's null space (on its own cells,
    the first ones of ``cells`` in order) and the orthonormal columns ``added`` (on every
    cell), without assembling it: a cell's squared row norm is its part's plus its row of
    ``added``'s, and its projection column is its part's on the part's cells plus
    ``added``'s."""
    starts = np.cumsum([0] + [len(f.cells) for f in factors])
    norms = np.sqrt(
        np.concatenate([*(f.norms2 for f in factors), np.zeros(len(cells) - starts[-1])])
        + np.einsum("ij,ij->i", added, added)
    )
    out = set()
    for p in np.flatnonzero(norms * norms < FIXED):
        if norms[p] >= FIXED:
            column = added @ added[p]
            part = int(np.searchsorted(starts, p, side="right")) - 1
            if part < len(factors):
                null, start = factors[part].null, starts[part]
                column[start : start + len(null)] += null @ null[p - start]
            if np.abs(column).max() >= FIXED:
                continue
        out.add(cells[p])
    return out
