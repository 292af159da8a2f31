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
    # serde_json's compact form, as the tool hashes an audit entry.
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def field(value):
    # As `audit::key_text`: length in UTF-8 bytes, text, `;`; `~;` for NULL.
    if value is None:
        return "~;"
    text = str(value)
    return f"{len(text.encode())}:{text};"


def main():
    db, key_id = sys.argv[1], sys.argv[2]
    conn = sqlite3.connect(db)
    row = conn.execute(
        "SELECT id, name, roles, secret_hash, created_at, issued, freezes_at,"
        " retires_at, replaced_by FROM api_key WHERE id = ?",
        (key_id,),
    ).fetchone()
    row = list(row)
    if row[7] is None:
        row[8] = None  # an unfinished rotation's claim is not sealed
    subject = f"key {key_id}"
    # As `Seal::key`: SHA-256 of the canonical text.
    text = "".join(field(value) for value in ["key"] + row)
    seal = hashlib.sha256(text.encode()).hexdigest()
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
