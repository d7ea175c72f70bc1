"""Per-dataset cumulative arrays, so that period sums are two array lookups instead of a scan.

DuckDB builds and de-duplicates the tables; but a DuckDB query costs ~2 ms of fixed overhead, more
than pandas needs on tables this small. The hot path (top, change, partners, rank, series) therefore
runs on numpy: for each country and each supplier x recipient pair, the running total over years, so
the sum over any period [a, b] is cum[b] - cum[a-1]. Built once per dataset, on first use (10-40 ms).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass
class Group:
    """One country's partners for one role: partner indices and their running totals."""

    partners: np.ndarray  # int indices into Cube.names
    cum: np.ndarray  # (len(partners), years + 1)


class Cube:
    def __init__(self, dataset: str, ctotals: pa.Table, flows: pa.Table, kinds: dict[str, str]) -> None:
        ct = ctotals.filter(pc.equal(ctotals["dataset"], dataset))
        fl = flows.filter(pc.equal(flows["dataset"], dataset))
        years = np.concatenate([ct["year"].to_numpy(), fl["year"].to_numpy()]).astype(np.int64)
        self.y0 = int(years.min()) if len(years) else 0
        self.y1 = int(years.max()) if len(years) else 0
        names = set()
        for column in (ct["country"], fl["supplier"], fl["recipient"]):
            names |= set(pc.unique(column).to_pylist())
        self.names = sorted(names - {""})
        self.index = {n: i for i, n in enumerate(self.names)}
        self._name_array = pa.array(self.names, pa.string())
        self.states = np.array([kinds.get(n, "state") == "state" for n in self.names], dtype=bool)
        self.totals = {role: self._totals(ct, role) for role in ("exporter", "importer")}
        self.groups = {"exporter": self._groups(fl, "supplier", "recipient"),
                       "importer": self._groups(fl, "recipient", "supplier")}

    def _positions(self, column: pa.ChunkedArray) -> np.ndarray:
        """Index of each name in `names` (vectorised: no Python loop over rows)."""
        found = pc.index_in(column, value_set=self._name_array)
        return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)

    def _cum(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
        dense = np.zeros((n, self.y1 - self.y0 + 2))
        np.add.at(dense, (rows, cols - self.y0 + 1), values)
        return np.cumsum(dense, axis=1)

    def _totals(self, ct: pa.Table, role: str) -> np.ndarray:
        part = ct.filter(pc.equal(ct["role"], role))
        rows = self._positions(part["country"])
        return self._cum(rows, part["year"].to_numpy().astype(np.int64), part["tiv"].to_numpy(), len(self.names))

    def _groups(self, fl: pa.Table, own_col: str, other_col: str) -> dict[int, Group]:
        if fl.num_rows == 0:
            return {}
        own, other = self._positions(fl[own_col]), self._positions(fl[other_col])
        key = own * len(self.names) + other
        pairs, inverse = np.unique(key, return_inverse=True)
        cum = self._cum(inverse, fl["year"].to_numpy().astype(np.int64), fl["tiv"].to_numpy(), len(pairs))
        owners = pairs // len(self.names)
        out: dict[int, Group] = {}
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        ends = np.r_[starts[1:], len(pairs)]
        for s, e in zip(starts, ends):
            out[int(owners[s])] = Group(pairs[s:e] % len(self.names), cum[s:e])
        return out

    def cols(self, first: int, last: int) -> tuple[int, int]:
        """Columns of the running total to subtract for [first, last], clipped to the data's years."""
        lo = min(max(first, self.y0), self.y1 + 1) - self.y0
        hi = max(min(last, self.y1), self.y0 - 1) - self.y0 + 1
        return lo, max(hi, lo)

    def period_totals(self, role: str, first: int, last: int) -> np.ndarray:
        lo, hi = self.cols(first, last)
        cum = self.totals[role]
        return cum[:, hi] - cum[:, lo]

    def partner_sums(self, role: str, country: str, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        group = self.groups[role].get(self.index.get(country, -1))
        if group is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        lo, hi = self.cols(first, last)
        return group.partners, group.cum[:, hi] - group.cum[:, lo]

    def yearly(self, role: str, country: str, first: int, last: int, partner: str | None = None) -> list[float]:
        """Yearly values for first..last (0 outside the data)."""
        i = self.index.get(country, -1)
        if partner is None:
            cum = self.totals[role][i] if i >= 0 else None
        else:
            group = self.groups[role].get(i)
            hit: np.ndarray = (np.flatnonzero(group.partners == self.index.get(partner, -2)) if group
                               else np.zeros(0, dtype=np.int64))
            cum = group.cum[hit[0]] if group is not None and len(hit) else None
        out = []
        for year in range(first, last + 1):
            if cum is None or year < self.y0 or year > self.y1:
                out.append(0.0)
            else:
                col = year - self.y0 + 1
                out.append(float(cum[col] - cum[col - 1]))
        return out


class Categories:
    """Trade Register TIV by weapon description, grouped per country and role for fast period sums."""

    def __init__(self, table: pa.Table) -> None:
        encoded = pc.dictionary_encode(table["category"]).combine_chunks()
        self.names = encoded.dictionary.to_pylist()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        years = table["year"].to_numpy().astype(np.int64)
        tiv = table["tiv"].to_numpy()
        self.by_role: dict[str, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        for role, col in (("exporter", "supplier"), ("importer", "recipient")):
            owners = pc.dictionary_encode(table[col]).combine_chunks()
            idx = owners.indices.to_numpy(zero_copy_only=False)
            order = np.argsort(idx, kind="stable")
            bounds = np.flatnonzero(np.r_[True, idx[order][1:] != idx[order][:-1], True])
            labels = owners.dictionary.to_pylist()
            groups = {}
            for start, end in pairwise(bounds):
                rows = order[start:end]
                groups[labels[idx[rows[0]]]] = (codes[rows], years[rows], tiv[rows])
            self.by_role[role] = groups

    def sums(self, role: str, country: str, first: int, last: int) -> list[tuple[str, float]]:
        """(category, TIV) with TIV > 0, largest first, then by name."""
        hit = self.by_role[role].get(country)
        if hit is None:
            return []
        codes, years, tiv = hit
        mask = (years >= first) & (years <= last)
        totals = np.bincount(codes[mask], weights=tiv[mask], minlength=len(self.names))
        rows = [(self.names[i], float(totals[i])) for i in np.flatnonzero(totals > 0)]
        return sorted(rows, key=lambda r: (-r[1], r[0]))
