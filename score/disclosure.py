"""Disclosure control that holds across queries (README "Small numbers"; issues 10 and 20).

For viewers without detail rights (the public; other countries for country staff) score.db reads:

- magnitudes (workers, classroom groups and so people trained and participations, visits, indicator values,
  satisfaction) from schema `noisy` of the version database, where each enterprise's values are moved by a fixed
  share: a size between NOISE_MIN and NOISE_MAX (`noise_sizes`, from the installation's secret) and a direction shared
  by every enterprise alike in GROUP (`group_signs`: balanced per country, kept from version to version). Figures are
  sums of these noisy contributions (the US Census Bureau's County Business Patterns method): differences and
  averages of figures only ever give back noisy values, parts add up to totals;
- counts (enterprises, module deliveries) with the cell key method (ABS TableBuilder, UK ONS): every enterprise has a
  fixed secret record key (0-255, HMAC-SHA256(secret, enterprise_id)); a cell's key is the sum of its enterprises'
  keys mod 256 (column `ckey`, computed in SQL), and a count gets ptable[count, ckey] added
  (data/reference/ptable_counts.csv, made by scripts/make_ptable.py: at most +-2, a count of 5 or more never 1-4);
- medians with noise scaled by their own size and the cell key (`perturb_magnitudes`).

The secret (`secret.key`, mode 0600) lives beside the data, never in the repo. Cells of fewer than 5 enterprises, none
included, are hidden alike (score.access).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from score import config

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
    """Adjustment by [count, cell key] for counts 0..PTABLE_MAX (row 0: zero stays zero)."""
    table = np.zeros((PTABLE_MAX + 1, KEY_RANGE), dtype=np.int64)
    seen = np.zeros_like(table, dtype=bool)
    with open(PTABLE_FILE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            pcv, ckey = int(row["pcv"]), int(row["ckey"])
            table[pcv, ckey] = int(row["pvalue"])
            seen[pcv, ckey] = True
    if not seen[1:].all():
        raise ValueError(f"{PTABLE_FILE.name} must list every count 1..{PTABLE_MAX} and cell key 0..255")
    return table


def _ptable_rows(counts: np.ndarray) -> np.ndarray:
    return np.where(counts > PTABLE_MAX, (counts - 1) % 250 + 501, counts)


def perturb_counts(counts: pd.Series, ckeys: pd.Series) -> pd.Series:
    """Counts after the cell key adjustment; missing counts stay missing."""
    values = pd.to_numeric(counts, errors="coerce")
    keys = pd.to_numeric(ckeys, errors="coerce").fillna(0).astype(np.int64).to_numpy() % KEY_RANGE
    known = values.notna().to_numpy()
    n = values.fillna(0).astype(np.int64).to_numpy()
    adjusted = n + count_ptable()[_ptable_rows(n), keys]
    return pd.Series(np.where(known, adjusted, np.nan), index=counts.index).astype("Int64")


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
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    top = pd.to_numeric(largest, errors="coerce").astype(float).abs().fillna(0.0)
    keys = pd.to_numeric(ckeys, errors="coerce").fillna(0).astype(np.int64).to_numpy() % KEY_RANGE
    noisy = numbers + MAGNITUDE_SHARE * top * magnitude_factors()[keys]
    if pd.api.types.is_integer_dtype(values.dtype) or _whole(numbers):
        return noisy.round().astype("Int64")
    return noisy


def _whole(numbers: pd.Series) -> bool:
    known = numbers.dropna()
    return bool(len(known)) and bool((known == known.round()).all())
