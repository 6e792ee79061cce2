"""Disclosure control that holds across queries (README "Small numbers"; issues 10 and 20).

For viewers without detail rights (the public; other countries for country staff) score.db reads:

- magnitudes (workers, classroom groups and so people trained and participations, visits, indicator values,
  satisfaction) from schema `noisy` of the version database, where each enterprise's values are moved by a fixed
  share: a size between NOISE_MIN and NOISE_MAX (`noise_sizes`, from the installation's secret) and a direction shared
  by every enterprise alike in GROUP (`group_signs`: balanced per country, kept from version to version). Figures are
  sums of these noisy contributions (the US Census Bureau's County Business Patterns method): differences and
  averages of figures only ever give back noisy values, parts add up to totals;
- counts (enterprises, module deliveries, enterprises answering yes ...) with a fixed weight per enterprise and then
  the cell key method. Each enterprise counts as a fixed weight (`count_offsets`): every enterprise of a group alike
  in GROUP that has fewer than MIN_CELL enterprises shares a secret value V drawn for the group, uniform in
  HIDDEN_VALUE whatever the group's size (its weight is V x its secret share of the group), and the larger groups of
  its country and sector (of its country, where the sector has none) give the difference back (each country's count
  stays exact). A count is the sum
  of its units' weights (rounded, at least MIN_CELL when the true count is), then the cell key adjustment: every
  enterprise has a fixed secret record key (0-255, HMAC-SHA256(secret, enterprise_id)); a cell's key is the sum of
  its enterprises' keys mod 256, and a count gets ptable[count, cell key] added (ABS TableBuilder, UK ONS;
  data/reference/ptable_counts.csv, made by scripts/make_ptable.py: at most +-2, a count of 5 or more never 1-4).
  The cell key noise is redrawn for every different cell, so averaging (S + C) - S over many sets S removes it;
  what it leaves is C's fixed weight, which for a hidden group is V: drawn without looking at the group's count, so
  it tells nothing about it (the persistent-noise idea of the US Census Bureau's County Business Patterns above,
  applied to counts; on averaging attacks against perturbed frequency tables see Rinott, O'Keefe, Shlomo and Skinner,
  "Confidentiality and differential privacy in the dissemination of frequency tables", Statistical Science 33(3),
  2018). In schema noisy an enterprise's `record_key` carries its weight too: key + KEY_SHIFT x (weight - 1) in
  1/COUNT_UNIT, so every sum of record keys that the queries already compute (column `ckey`, never reduced in SQL)
  holds both the cell key (its low bits) and the cell's fixed count offset (its high bits; `split_keys`);
- medians with noise scaled by their own size and the cell key (`perturb_magnitudes`).

The secret (`secret.key`, mode 0600) lives beside the data, never in the repo. Cells of fewer than 5 enterprises, none
included, are hidden alike (score.access).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from score import config
from score.frames import joined

MIN_CELL = 5  # cells describing fewer enterprises than this, none included, are hidden for public views (score.access)
KEY_RANGE = 256  # record and cell keys are 0..255 (the ONS convention)
PTABLE_FILE = config.REFERENCE_DIR / "ptable_counts.csv"
PTABLE_MAX = 750  # rows 1..750; larger counts reuse rows 501..750 (ONS: pcv = (count - 1) % 250 + 501)
MAGNITUDE_SHARE = 0.25  # medians: noise is m x factor x the median's own size (one enterprise's value)
FACTOR_MIN, FACTOR_MAX = 0.6, 1.4  # |factor|: never near 0, so one cell alone never shows a value exactly
# Per-contributor noise (magnitudes): each enterprise's values are moved by a fixed share between NOISE_MIN and
# NOISE_MAX, up or down (never less: the hole around 1 is wider than the 5% an attacker would call "close"); the
# direction is its group's (group_signs). The US Census Bureau's County Business Patterns method: figures are sums of
# the same noisy contributions (score.build NOISY_BASE), so differences and averages only ever give noisy values.
NOISE_MIN, NOISE_MAX = 0.06, 0.12
# Per-contributor weights (counts): a group of 1-4 enterprises counts as a secret value in HIDDEN_VALUE, whatever
# its size (so its averaged difference says nothing about the size); each enterprise's share of it is its secret
# SHARE_RANGE draw over its group's. Weights are stored in 1/COUNT_UNIT of an enterprise, in the high bits of the
# noisy record key (KEY_SHIFT: sums of the low parts, at most 255 per enterprise, stay below it up to 16 million
# enterprises; key sums reach pandas as float64, exact below 2**53, so up to 2**21 / COUNT_UNIT = 8,192 counts of
# offset per cell).
HIDDEN_VALUE = (0.5, 4.5)
# Small people figures (sums of headcounts, trainees, visits): a share of 6-12% moves 1-4 people by less than half a
# person, so rounding gave a lone contributor's exact value back (a public cell of 7 enterprises showed "1 woman
# trained"). Public sums below PEOPLE_MIN, 0 included, are hidden ("fewer than 10, possibly none"): the smallest one
# shown is a rounded noisy 9.5, from at least 9.5 / (1 + NOISE_MAX) people, which one contributor's share moves by more
# than half a person (checked below), so no shown figure is a lone contributor's exact value. PEOPLE_PARTS: parts shown
# beside their total (women and men, managers and workers) are hidden together, or the total minus the shown part
# would give the hidden one back.
PEOPLE_MIN = 10
# The column of a protected result that marks the rows with a number of people hidden as too small, so that an export
# says why the cell is empty (score.exports), as it does for a cell of fewer than 5 enterprises.
PEOPLE_HIDDEN = "people_hidden"
PEOPLE_PARTS = (
    ("workers_female", "workers_male"),
    ("people_trained_female", "people_trained_male"),
    ("managers_trained", "workers_trained"),
)
if (PEOPLE_MIN - 0.5) / (1 + NOISE_MAX) * NOISE_MIN <= 0.5:
    raise RuntimeError("PEOPLE_MIN is too small: a lone contributor's shown figure could round to its exact value")
SHARE_RANGE = (0.5, 1.5)
COUNT_UNIT = 256
KEY_SHIFT_BITS = 32
KEY_SHIFT = 1 << KEY_SHIFT_BITS


def secret_path() -> Path:
    return config.data_dir() / "secret.key"


def load_secret(create: bool = False) -> bytes:
    """The installation's secret behind the record keys; made once (mode 0600) when `create` is set.

    It must stay the same across versions (figures change only when their enterprises change) and never
    leave the data directory: with it, anyone could compute every record key.
    """
    path = secret_path()
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"{path.name} is missing: `python -m score build` makes it")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
    text = path.read_text(encoding="ascii").strip()
    if len(text) < 32:
        raise ValueError(f"{path.name} is too short to be a secret")
    return bytes.fromhex(text) if all(c in "0123456789abcdef" for c in text.lower()) else text.encode()


def keyed_digest(secret: bytes, text: str) -> bytes:
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).digest()


def record_keys(secret: bytes, enterprise_ids: pd.Series) -> pd.Series:
    """Record key 0..255 of each enterprise: the first byte of HMAC-SHA256(secret, enterprise_id)."""
    keyed = hmac.new(secret, digestmod=hashlib.sha256)  # the key's padding hashed once; each id continues a copy

    def key(enterprise_id: str) -> int:
        digest = keyed.copy()
        digest.update(enterprise_id.encode("utf-8"))
        return digest.digest()[0]

    keys = [key(e) for e in enterprise_ids.astype(str).tolist()]
    return pd.Series(keys, index=enterprise_ids.index, dtype="int16")


GROUP = ("country", "sector", "phase")  # enterprises sharing these share the direction of their noise


def noise_sizes(secret: bytes, enterprise_ids: pd.Series) -> pd.Series:
    """Each enterprise's fixed noise size, uniform in [NOISE_MIN, NOISE_MAX]: HMAC-SHA256(secret, "magnitude noise"
    + id), so it is the same in every version and unrelated to the record key."""
    keyed = hmac.new(secret, b"magnitude noise\0", digestmod=hashlib.sha256)

    def size(enterprise_id: str) -> float:
        digest = keyed.copy()
        digest.update(enterprise_id.encode("utf-8"))
        fraction = int.from_bytes(digest.digest()[:8], "big") / float(1 << 64)  # uniform in [0, 1)
        return NOISE_MIN + (NOISE_MAX - NOISE_MIN) * fraction

    return pd.Series([size(e) for e in enterprise_ids.astype(str).tolist()], index=enterprise_ids.index, dtype=float)


def _uniforms(secret: bytes, purpose: bytes, names: list[str]) -> np.ndarray:
    """A fixed draw in [0, 1) per name: HMAC-SHA256(secret, purpose + name), unrelated to any other purpose's."""
    keyed = hmac.new(secret, purpose + b"\0", digestmod=hashlib.sha256)
    out = np.empty(len(names))
    for i, name in enumerate(names):
        digest = keyed.copy()
        digest.update(name.encode("utf-8"))
        out[i] = int.from_bytes(digest.digest()[:8], "big") / float(1 << 64)
    return out


def count_offsets(secret: bytes, enterprises: pd.DataFrame) -> pd.Series:
    """Each enterprise's fixed count offset (its weight minus 1) in 1/COUNT_UNIT of an enterprise, for `enterprises`
    (enterprise_id and GROUP columns; every enterprise of each of their countries).

    A group of 1-4 enterprises weighs V, uniform in HIDDEN_VALUE from HMAC-SHA256(secret, "hidden count" + group),
    shared among its enterprises by their secret shares (so a part of the group is not a clean fraction of it).
    The difference, V minus the group's count, is given back by the enterprises of the larger groups of the same
    country and sector (of the country, where the sector has none) in proportion to their shares, so each country's
    count, and each country x sector's with a group of 5 or more, stays exact. Weights stay >= 0 while the larger
    groups outweigh the small groups' differences (always on the demo set), so a part never weighs more than its
    whole. Only the group's name and size are read: an unchanged group keeps its
    weights from version to version, and a small group's V does not change when it gains or loses an enterprise."""
    frame = enterprises.reset_index(drop=True)
    ids = frame["enterprise_id"].astype(str).tolist()
    low, high = SHARE_RANGE
    share = pd.Series(low + (high - low) * _uniforms(secret, b"count share", ids))
    names = joined([frame[column].astype(str) for column in GROUP], "\0")
    size = names.map(names.value_counts())
    group_share = share.groupby(names).transform("sum")
    small = size < MIN_CELL
    if not small.any():  # every group of 5 or more: every weight is 1
        return pd.Series(0, index=enterprises.index, dtype="int64")
    low, high = HIDDEN_VALUE
    distinct = sorted(set(names[small]))
    value = dict(zip(distinct, low + (high - low) * _uniforms(secret, b"hidden count", distinct), strict=True))
    offset = pd.Series(0.0, index=frame.index)
    offset[small] = names[small].map(value) * share[small] / group_share[small] - 1.0
    # The small groups' differences (V - count) go back to the larger groups of the same country and sector, and
    # to those of the country where its sector has none: counts by country and by country x sector stay exact.
    country = frame["country"].astype(str)
    sector = country + "\0" + frame["sector"].astype(str)
    given = offset[small].groupby(sector[small]).sum()
    unplaced = given[~given.index.isin(set(sector[~small]))]
    to_country = unplaced.groupby(unplaced.index.str.split("\0").str[0]).sum()
    big = ~small
    in_sector = share[big] / share[big].groupby(sector[big]).transform("sum")
    in_country = share[big] / share[big].groupby(country[big]).transform("sum")
    from_sector = pd.to_numeric(sector[big].map(given), errors="coerce").fillna(0.0)  # float even when a map
    from_country = pd.to_numeric(country[big].map(to_country), errors="coerce").fillna(0.0)  # finds nothing
    offset[big] = -from_sector * in_sector - from_country * in_country
    units = np.rint(offset * COUNT_UNIT).astype(np.int64)
    return pd.Series(units.to_numpy(), index=enterprises.index, dtype="int64")


def numeric(values: pd.Series) -> pd.Series:
    """`pd.to_numeric(values, errors="coerce")`, skipped where the column is numeric already (it is the identity there,
    and cost ~50 us a column: a public query converts 5-15 columns; BENCHMARKS.md, "A new session ...")."""
    return values if pd.api.types.is_numeric_dtype(values.dtype) else pd.to_numeric(values, errors="coerce")


def split_keys(ckeys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(cell key 0..255, fixed count offset in enterprises) of each cell from its sum of record keys (`ckey`)."""
    total = numeric(ckeys).fillna(0).to_numpy(dtype=float)
    if len(total) and np.abs(total).max() >= 2.0**53:
        raise ValueError("a cell's sum of record keys is too large to be read exactly")
    whole = np.rint(total).astype(np.int64)
    units = whole >> KEY_SHIFT_BITS  # floor: the low part, a sum of keys 0..255, is never negative
    return (whole - units * KEY_SHIFT) % KEY_RANGE, units / COUNT_UNIT


def group_signs(secret: bytes, groups: pd.DataFrame, kept: pd.DataFrame | None = None) -> pd.DataFrame:
    """The direction (+1 or -1) of the noise of every group of enterprises alike in GROUP.

    `groups`: GROUP columns and `amount`, the group's noise in workers (sum of size x headcount). `kept`: GROUP
    columns and `sign` of groups that had one in the version before: they keep it, so that a group's direction never
    changes between versions (two versions with opposite directions would average out). Every other group, largest
    first, takes the direction that brings its country's total noise back towards 0, or a secret coin
    (HMAC-SHA256(secret, "group sign" + group)) when its country's total is within its own amount: a country's noise
    then stays within one group's, so headline totals stay close, while every enterprise of a small cell moves the
    same way (opposite directions inside one cell would cancel out)."""
    out = groups.assign(sign=0).reset_index(drop=True)
    if kept is not None and len(kept):
        signs = out[list(GROUP)].merge(kept, on=list(GROUP), how="left")["sign"]
        out["sign"] = pd.to_numeric(signs, errors="coerce").fillna(0).astype(int).to_numpy()
    keyed = hmac.new(secret, b"group sign\0", digestmod=hashlib.sha256)
    for _country, rows in out.groupby("country", sort=True):
        balance = float((rows["sign"] * rows["amount"]).sum())
        for index in rows[rows["sign"] == 0].sort_values("amount", ascending=False, kind="stable").index:
            amount = float(out.at[index, "amount"])
            if abs(balance) >= amount:
                sign = -1 if balance > 0 else 1
            else:
                digest = keyed.copy()
                digest.update("\0".join(str(out.at[index, c]) for c in GROUP).encode("utf-8"))
                sign = 1 if digest.digest()[0] & 1 else -1
            out.at[index, "sign"] = sign
            balance += sign * amount
    return out[[*GROUP, "sign"]]


@cache
def count_ptable() -> np.ndarray:
    """Adjustment by [count, cell key] for counts 0..PTABLE_MAX (row 0: zero stays zero). Read by pandas' parser:
    the csv module's 192,000 rows cost ~0.7 s of CPU, the first public query of every process (a server's too)."""
    table = np.zeros((PTABLE_MAX + 1, KEY_RANGE), dtype=np.int64)
    seen = np.zeros_like(table, dtype=bool)
    rows = pd.read_csv(PTABLE_FILE, usecols=["pcv", "ckey", "pvalue"], dtype="int64", encoding="utf-8")
    pcv, ckey = rows["pcv"].to_numpy(), rows["ckey"].to_numpy()
    table[pcv, ckey] = rows["pvalue"].to_numpy()
    seen[pcv, ckey] = True
    if not seen[1:].all():
        raise ValueError(f"{PTABLE_FILE.name} must list every count 1..{PTABLE_MAX} and cell key 0..255")
    return table


def _ptable_rows(counts: np.ndarray) -> np.ndarray:
    return np.where(counts > PTABLE_MAX, (counts - 1) % 250 + 501, counts)


def perturb_counts(counts: pd.Series, ckeys: pd.Series) -> pd.Series:
    """Counts as the sum of their units' fixed weights (a count of MIN_CELL or more stays at least MIN_CELL; 0-4
    stay as they are, hidden anyway), then the cell key adjustment; missing counts stay missing."""
    values = numeric(counts).to_numpy(dtype=float, na_value=np.nan)
    keys, offsets = split_keys(ckeys)
    known = ~np.isnan(values)
    n = np.where(known, values, 0).astype(np.int64)
    weighed = np.where(n >= MIN_CELL, np.maximum(MIN_CELL, np.rint(n + offsets)), n).astype(np.int64)
    adjusted = weighed + count_ptable()[_ptable_rows(weighed), keys]
    # in numpy, the missing ones masked once at the end (a public query perturbs 1-6 counts: 2.5x faster)
    return pd.Series(pd.arrays.IntegerArray(adjusted, ~known), index=counts.index)


@cache
def magnitude_factors() -> np.ndarray:
    """factor by cell key: 256 quantiles of a symmetric law with |factor| uniform in [FACTOR_MIN, FACTOR_MAX],
    in an order unrelated to the count table (key * 167 mod 256; 167 is odd, so every key gets its own)."""
    position = (np.arange(KEY_RANGE) * 167) % KEY_RANGE
    half = KEY_RANGE // 2
    magnitude = FACTOR_MIN + (FACTOR_MAX - FACTOR_MIN) * ((position % half) + 0.5) / half
    return np.where(position < half, -magnitude, magnitude)


def perturb_magnitudes(values: pd.Series, largest: pd.Series, ckeys: pd.Series) -> pd.Series:
    """value + m x largest single contribution x factor(cell key); integers stay integers, sums stay >= 0
    when every contribution is (the noise is at most 0.35 of the largest contribution, itself <= the sum)."""
    numbers = numeric(values).astype(float)
    top = numeric(largest).astype(float).abs().fillna(0.0)
    keys = split_keys(ckeys)[0]
    noisy = numbers + MAGNITUDE_SHARE * top * magnitude_factors()[keys]
    if pd.api.types.is_integer_dtype(values.dtype) or _whole(numbers):
        return noisy.round().astype("Int64")
    return noisy


def check_people_parts(sums: Iterable[str], where: str) -> None:
    """Raise unless each PEOPLE_PARTS pair is summed whole or not at all: `small_people` hides a part with its
    sibling only where both are in one result, so a result with one part beside its total would give the other."""
    summed = set(sums)
    for parts in PEOPLE_PARTS:
        if summed & set(parts) and not set(parts) <= summed:
            raise ValueError(f"{where}: sum {' and '.join(parts)} together (a part alone gives the other away)")


def small_people(sums: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Which rows of each people sum (whole numbers as floats, NaN for missing) the public may not see: below
    PEOPLE_MIN or missing, and the other part of each PEOPLE_PARTS pair beside a hidden part, row by row. In numpy
    over the result's arrays (a public query sums 1-10 such columns)."""
    hidden = {column: ~(values >= PEOPLE_MIN) for column, values in sums.items()}  # NaN compares False: hidden
    for parts in PEOPLE_PARTS:
        if all(column in hidden for column in parts):
            together = hidden[parts[0]] | hidden[parts[1]]
            for column in parts:
                hidden[column] = together
    return hidden


def _whole(numbers: pd.Series) -> bool:
    known = numbers.dropna()
    return bool(len(known)) and bool((known == known.round()).all())
