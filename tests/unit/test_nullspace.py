"""The null spaces the protection's search keeps (pipeline/nullspace.py) against the
singular value decomposition they replace: the same rank, row, column and null spaces and
pseudo-inverse, whether the pivoted QR factorisation proves the rank or the decomposition
is taken instead."""

from __future__ import annotations

import random

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from pipeline.disclosure import Key, LinearSystem, Relation
from pipeline.nullspace import NullSpaces, row_space


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """Small matrices: one BLAS thread, as the report's build uses (many times faster on a
    shared machine)."""
    with threadpool_limits(limits=1):
        yield


def _relations_matrix(rng: random.Random, cells: int, relations: int) -> np.ndarray:
    """Rows like the report's relations (a total, -1, is the sum of its parts, +1), some
    repeated as the sum of others so that the rank falls short."""
    matrix = np.zeros((relations, cells))
    for row in matrix[: relations * 3 // 4]:
        members = rng.sample(range(cells), rng.randint(2, 6))
        row[members[0]] = -1.0
        row[members[1:]] = 1.0
    for m in range(relations * 3 // 4, relations):
        matrix[m] = matrix[rng.randrange(m)] + matrix[rng.randrange(m)]
    return matrix


def _svd_rank(matrix: np.ndarray, tolerance: float) -> tuple[int, np.ndarray]:
    _, singular, right = np.linalg.svd(matrix)
    rank = int((singular > tolerance * max(1.0, singular.max(initial=0.0))).sum())
    return rank, right


def test_row_space_has_the_rank_of_the_singular_values():
    rng = random.Random(11)
    for _ in range(30):
        cells = rng.randint(20, 120)
        matrix = _relations_matrix(rng, cells, rng.randint(5, cells + 40))
        rank, right = _svd_rank(matrix, 1e-9)
        for full in (True, False):
            space = row_space(matrix.T, 1e-9, full=full)
            assert space is not None and space.rank == rank
            across = space.q[:, :rank]
            assert np.allclose(across @ across.T, right[:rank].T @ right[:rank], atol=1e-12)
            assert np.allclose(matrix.T[:, space.pivots], space.q @ space.r, atol=1e-12)
        null = row_space(matrix.T, 1e-9, full=True).q[:, rank:]
        assert null.shape[1] == cells - rank
        assert np.abs(matrix @ null).max(initial=0.0) < 1e-12


def test_row_space_declines_a_rank_it_cannot_prove():
    """A singular value within a factor of 10 of the cut-off is left to the decomposition;
    one far from it is not."""
    for near in (1.5e-9, 0.5e-9, 1e-8):
        assert row_space(np.diag([1.0, 2.0, near]), 1e-9, full=True) is None
    assert row_space(np.diag([1.0, 2.0, 1e-5]), 1e-9, full=True).rank == 3
    assert row_space(np.diag([1.0, 2.0, 1e-13]), 1e-9, full=True).rank == 2


def _system(rng: random.Random, cells: int) -> LinearSystem:
    keys = [Key("p", (("x", (str(i),)),)) for i in range(cells)]
    relations = []
    for _ in range(cells * 4 // 5):
        members = rng.sample(keys, rng.randint(2, 6))
        relations.append(Relation(members[0], tuple(sorted(members[1:]))))
    return LinearSystem(relations, keys)


def _matrix(system: LinearSystem, cells: list[int], rows: list[int]) -> np.ndarray:
    matrix = np.zeros((len(rows), len(cells)))
    for m, r in enumerate(rows):
        for p, c in enumerate(cells):
            matrix[m, p] = system.rows[r].get(c, 0.0)
    return matrix


def test_a_component_factorised_either_way_has_the_decompositions_spaces():
    """At the search's tolerance the QR factorisation proves the rank; at a coarse one
    (0.05) it cannot, and the decomposition is taken: both give the column space, the null
    space, the pseudo-inverse and the fixed cells the decomposition gives, and growing a
    component finds the cells ``determined_in`` finds."""
    rng = random.Random(5)
    proved = declined = 0
    for _ in range(20):
        system = _system(rng, rng.randint(20, 100))
        unknown = set(rng.sample(range(len(system.keys)), len(system.keys) * 4 // 5))
        for tolerance in (1e-9, 0.05):
            spaces = NullSpaces(system, tolerance)
            for component in system.components(unknown):
                factor = spaces.factor(frozenset(component))
                if not factor.rows:
                    continue
                matrix = _matrix(system, factor.cells, factor.rows)
                if row_space(matrix.T, tolerance, full=True) is None:
                    declined += 1
                else:
                    proved += 1
                rank, right = _svd_rank(matrix, tolerance)
                assert factor.null.shape[1] == len(factor.cells) - rank
                projection = right[rank:].T @ right[rank:]
                assert np.allclose(factor.null @ factor.null.T, projection, atol=1e-12)
                left = np.linalg.svd(matrix)[0][:, :rank]
                assert np.allclose(factor.basis @ factor.basis.T, left @ left.T, atol=1e-12)
                if tolerance < 1e-6:  # the pseudo-inverse of the whole matrix
                    columns = np.array([[rng.random() for _ in range(3)] for _ in factor.rows])
                    expected = np.linalg.pinv(matrix, rcond=1e-12) @ columns
                    assert np.allclose(factor.pseudo_solve(columns), expected, atol=1e-10)
                    assert factor.fixed == system.determined_in(component)
        parts = system.components(unknown)
        known = sorted(set(range(len(system.keys))) - unknown)
        spaces = NullSpaces(system, 1e-9)
        for new in (tuple(rng.sample(known, 2)), tuple(rng.sample(known, 1))):
            grown = frozenset().union(*(frozenset(p) for p in parts), new)
            touched = [frozenset(p) for p in system.components(set(grown))]
            for component in touched:
                inside = [frozenset(p) for p in parts if p <= component]
                added = tuple(c for c in new if c in component)
                found = spaces.determined_grown(inside, added)
                assert found == system.determined_in(set(component))
    assert proved > 15 and declined > 5, (proved, declined)
