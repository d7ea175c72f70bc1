"""Per-dataset cumulative arrays, so that period sums are two array lookups instead of a scan.

DuckDB builds and de-duplicates the tables; but a DuckDB query costs ~2 ms of fixed overhead, more
than pandas needs on tables this small. The hot path (top, change, partners, rank, series) therefore
runs on numpy: for each country and each supplier x recipient pair, the running total over years, so
the sum over any period [a, b] is cum[b] - cum[a-1]. Built once per dataset on first use (10-40 ms) and
saved beside the snapshot as plain numpy arrays (`save` / `load`), so that a new process (a CLI query)
reads it back without importing pyarrow at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pyarrow only to build a cube (or the categories), not to load a saved one
    import pyarrow as pa

ROLES = ("exporter", "importer")


@dataclass
class Group:
    """One country's partners for one role: partner indices and their running totals."""

    partners: np.ndarray  # int indices into Cube.names
    cum: np.ndarray  # (len(partners), years + 1)


class Cube:
    def __init__(self, names: list[str], kinds: list[str], y0: int, y1: int, totals: dict[str, np.ndarray],
                 groups: dict[str, dict[int, Group]]) -> None:
        self.names, self.kinds, self.y0, self.y1 = names, kinds, y0, y1
        self.index = {n: i for i, n in enumerate(names)}
        self.states = np.array([k == "state" for k in kinds], dtype=bool)
        self.totals, self.groups = totals, groups

    @classmethod
    def from_tables(cls, dataset: str, ctotals: pa.Table, flows: pa.Table, kinds: dict[str, str]) -> Cube:
        import pyarrow as pa
        import pyarrow.compute as pc

        ct = ctotals.filter(pc.equal(ctotals["dataset"], dataset))
        fl = flows.filter(pc.equal(flows["dataset"], dataset))
        years = np.concatenate([ct["year"].to_numpy(), fl["year"].to_numpy()]).astype(np.int64)
        names: set[str] = set()
        for column in (ct["country"], fl["supplier"], fl["recipient"]):
            names |= set(pc.unique(column).to_pylist())
        ordered = sorted(names - {""})
        cube = cls(ordered, [kinds.get(n, "state") for n in ordered], int(years.min()) if len(years) else 0,
                   int(years.max()) if len(years) else 0, {}, {})
        name_array = pa.array(ordered, pa.string())

        def positions(column: pa.ChunkedArray) -> np.ndarray:  # index of each name (no Python loop over rows)
            found = pc.index_in(column, value_set=name_array)
            return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)

        for role in ROLES:
            part = ct.filter(pc.equal(ct["role"], role))
            cube.totals[role] = cube._cum(positions(part["country"]), part["year"].to_numpy().astype(np.int64),
                                          part["tiv"].to_numpy(), len(ordered))
        for role, own, other in (("exporter", "supplier", "recipient"), ("importer", "recipient", "supplier")):
            cube.groups[role] = cube._groups(positions(fl[own]) if fl.num_rows else np.zeros(0, np.int64),
                                             positions(fl[other]) if fl.num_rows else np.zeros(0, np.int64),
                                             fl["year"].to_numpy().astype(np.int64), fl["tiv"].to_numpy())
        return cube

    def save(self, folder: Path) -> None:
        """Write the arrays, one .npy file each (np.load of a .npz would import zipfile); into a temporary
        folder renamed into place, so concurrent processes never read half a cube."""
        arrays = {"names": np.array(self.names, dtype=str), "kinds": np.array(self.kinds, dtype=str),
                  "span": np.array([self.y0, self.y1], dtype=np.int64)}
        width = self.y1 - self.y0 + 2
        for role in ROLES:
            owners = sorted(self.groups[role])
            groups = [self.groups[role][o] for o in owners]
            arrays[f"totals_{role}"] = self.totals[role]
            arrays[f"owners_{role}"] = np.array(owners, dtype=np.int64)
            arrays[f"sizes_{role}"] = np.array([len(g.partners) for g in groups], dtype=np.int64)
            arrays[f"partners_{role}"] = (np.concatenate([g.partners for g in groups]) if groups
                                          else np.zeros(0, np.int64))
            arrays[f"cum_{role}"] = np.concatenate([g.cum for g in groups]) if groups else np.zeros((0, width))
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
        try:
            for name, array in arrays.items():
                np.save(tmp / f"{name}.npy", array, allow_pickle=False)
            os.replace(tmp, folder)
        except OSError:  # another process saved it first (or the cache is read-only): it is only a cache
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> Cube:
        def read(name: str) -> np.ndarray:
            return np.load(folder / f"{name}.npy", allow_pickle=False)

        groups: dict[str, dict[int, Group]] = {}
        for role in ROLES:
            bounds = np.r_[0, np.cumsum(read(f"sizes_{role}"))]
            partners, cum = read(f"partners_{role}"), read(f"cum_{role}")
            groups[role] = {int(o): Group(partners[a:b], cum[a:b])
                            for o, a, b in zip(read(f"owners_{role}"), bounds[:-1], bounds[1:])}
        y0, y1 = (int(v) for v in read("span"))
        return cls(read("names").tolist(), read("kinds").tolist(), y0, y1,
                   {role: read(f"totals_{role}") for role in ROLES}, groups)

    def _cum(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
        dense = np.zeros((n, self.y1 - self.y0 + 2))
        np.add.at(dense, (rows, cols - self.y0 + 1), values)
        return np.cumsum(dense, axis=1)

    def _groups(self, own: np.ndarray, other: np.ndarray, years: np.ndarray, tiv: np.ndarray) -> dict[int, Group]:
        if len(own) == 0:
            return {}
        key = own * len(self.names) + other
        pairs, inverse = np.unique(key, return_inverse=True)
        cum = self._cum(inverse, years, tiv, len(pairs))
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
        import pyarrow.compute as pc

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
