#!/usr/bin/env python3
"""Seals a key row as it now is, with a chained audit entry: what anyone who
can write the database file can do (README, "What this protects against, and
what not"). verify_scaling.sh uses it after giving a key a cheap hash.

    benches/reseal.py DB KEY_ID
"""
import hashlib
import json
import sqlite3
import sys


def digest(value):
    # serde_json's compact form, as the tool hashes it.
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def main():
    db, key_id = sys.argv[1], sys.argv[2]
    conn = sqlite3.connect(db)
    name, roles, secret_hash, freezes_at, retires_at, replaced_by = conn.execute(
        "SELECT name, roles, secret_hash, freezes_at, retires_at, replaced_by"
        " FROM api_key WHERE id = ?",
        (key_id,),
    ).fetchone()
    if retires_at is None:
        replaced_by = None  # an unfinished rotation's claim is not sealed
    subject = f"key {key_id}"
    # As `Seal::key` (schema v7 on).
    seal = digest(
        ["named key", key_id, name, roles, secret_hash, freezes_at, retires_at, replaced_by]
    )
    seq, prev_hash, at = conn.execute(
        "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    seq += 1
    detail = "resealed by benches/reseal.py"
    record = [prev_hash, seq, at, "bench", "renew", key_id, "ok", detail]
    entry_hash = digest(record + [subject, seal])
    conn.execute(
        "INSERT INTO audit (seq, at, operator, action, key_id, outcome, detail,"
        " prev_hash, hash, subject, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, "bench", "renew", key_id, "ok", detail, prev_hash, entry_hash, subject, seal),
    )
    conn.commit()


if __name__ == "__main__":
    main()
