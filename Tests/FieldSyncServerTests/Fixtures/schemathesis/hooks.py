"""Schemathesis hooks of APIFuzzTests.swift: reach the server's deeper code, and check what the spec cannot say.

The test sets FIELDSYNC_DB (the server's SQLite file, read here only), FIELDSYNC_TOKEN (the fuzzing rep's token, whose
replica the server has on record) and FIELDSYNC_SCHEMAS (protocol/schemas). The records are those the test made: the
rep's own and others the rep may not see.

- Pinning: most generated pushes are moved onto the rep's replica and its next seqs (some in reverse order), and some
  writes onto real record ids, so they get past `replica_mismatch` and `seq_gap` into validation, authorization and the merge; half the
  history requests name a real record. The choice follows the generated case, so a seed replays the run.
- Checks: a refused request (4xx, 5xx) changes nothing stored; a push none of whose mutations is applied changes no
  record; a mutation that breaks the mutation schema is never applied (answered `rejected` under its seq); a push is
  refused whole (400) only for a documented cause.
"""

import hashlib
import json
import os
import random
import re
import sqlite3
import zlib
from contextlib import closing

import jsonschema_rs
import schemathesis

DATABASE = os.environ["FIELDSYNC_DB"]
SCHEMAS = os.environ["FIELDSYNC_SCHEMAS"]
LARGEST_SEQ = 2**64 - 1
IDENTIFIER = re.compile(r"[A-Za-z0-9_-]{1,64}")

# Every stored table, as a query whose rows must not change when a request is refused. A replica's observed clock
# offset is a measurement of the request itself, taken even when it is refused, so it is left out.
EVERYTHING = {
    "users": "SELECT * FROM users ORDER BY id",
    "replicas": "SELECT id, user_id, last_seq FROM replicas ORDER BY id",
    "tokens": "SELECT * FROM tokens ORDER BY hash",
    "rejections": "SELECT * FROM rejections ORDER BY replica, seq",
    "digests": "SELECT * FROM digests ORDER BY replica, seq",
}
RECORDS_ONLY = {
    "records": "SELECT * FROM records ORDER BY id",
    "history": "SELECT * FROM history ORDER BY write_id",
    "moves": "SELECT * FROM moves ORDER BY id",
    "counters": "SELECT * FROM counters ORDER BY name",
}


def query(sql, arguments=()):
    with closing(sqlite3.connect(f"file:{DATABASE}?mode=ro", uri=True, timeout=10)) as database:
        return database.execute(sql, arguments).fetchall()


def fingerprint(tables):
    digest = hashlib.sha256()
    for name, sql in tables.items():
        digest.update(name.encode())
        digest.update(repr(query(sql)).encode())
    return digest.hexdigest()


def snapshot():
    return {"records": fingerprint(RECORDS_ONLY), "rest": fingerprint(EVERYTHING)}


def retrieve(uri):
    with open(os.path.join(SCHEMAS, uri.rsplit("/", 1)[-1]), encoding="utf-8") as schema:
        return json.load(schema)


TOKEN_HASH = hashlib.sha256(bytes.fromhex(os.environ["FIELDSYNC_TOKEN"])).hexdigest()
REPLICA = query("SELECT replica FROM tokens WHERE hash = ?", (TOKEN_HASH,))[0][0]
RECORDS = [row[0] for row in query("SELECT id FROM records ORDER BY id")]
MUTATION = jsonschema_rs.validator_for({"$ref": "common.json#/$defs/mutation"}, retriever=retrieve)
BEFORE = {}


def chooser(case):
    seed = zlib.crc32(json.dumps([case.path_parameters, case.body], sort_keys=True, default=str).encode())
    return random.Random(seed)


def pin_push(case, choose):
    mutations = case.body.get("mutations") if isinstance(case.body, dict) else None
    if not isinstance(mutations, list) or choose.random() < 0.1:
        return
    rows = query("SELECT last_seq FROM replicas WHERE id = ?", (REPLICA,))
    following = rows[0][0] + 1 if rows else 1
    seqs = [following + index for index in range(len(mutations))]
    if len(seqs) > 1 and choose.random() < 0.2:
        seqs.reverse()  # out of seq order: the whole push is refused (400) and nothing of it is kept
    for seq, mutation in zip(seqs, mutations):
        if not isinstance(mutation, dict):
            continue
        mutation["replica"] = REPLICA
        if seq <= LARGEST_SEQ:
            mutation["seq"] = seq
        writes = mutation.get("writes")
        # A negative case may give writes any JSON type; only a list has writes to pin.
        for write in writes if isinstance(writes, list) else []:
            if isinstance(write, dict) and choose.random() < 0.3:
                write["record"] = choose.choice(RECORDS)


@schemathesis.hook
def before_call(context, case, kwargs):
    choose = chooser(case)
    if case.operation.path == "/v1/push":
        pin_push(case, choose)
    elif case.operation.path == "/v1/records/{id}/history" and choose.random() < 0.5:
        case.path_parameters["id"] = choose.choice(RECORDS)
    BEFORE.clear()
    BEFORE.update(snapshot())


@schemathesis.check
def refusals_change_nothing(ctx, response, case):
    """A refused request, or a push that applied nothing, leaves what is stored as it was."""
    if not BEFORE:
        return None
    after = snapshot()
    if response.status_code >= 400 and after != BEFORE:
        raise AssertionError(f"{response.status_code} answered, yet the store changed")
    if case.operation.path == "/v1/push" and response.status_code == 200:
        results = json.loads(response.text)["results"]
        applied = any(result["status"] == "applied" for result in results)
        if not applied and after["records"] != BEFORE["records"]:
            raise AssertionError("no mutation was applied, yet records, history or the change number changed")
    return None


@schemathesis.check
def malformed_mutations_are_refused(ctx, response, case):
    """Every mutation that breaks the mutation schema is answered apart, and never applied."""
    if case.operation.path != "/v1/push" or response.status_code != 200:
        return None
    mutations = case.body["mutations"]
    results = json.loads(response.text)["results"]
    if len(results) != len(mutations):
        raise AssertionError(f"{len(mutations)} mutations pushed, {len(results)} results")
    for mutation, result in zip(mutations, results):
        if not MUTATION.is_valid(mutation) and result["status"] == "applied":
            raise AssertionError(f"a mutation breaking the schema was applied: seq {mutation.get('seq')}")
    return None


def whole_push_is_readable(body):
    """Whether nothing refuses the push as a whole: mutations with a replica and a seq in range, in seq order."""
    if not isinstance(body, dict) or set(body) != {"mutations"} or not isinstance(body["mutations"], list):
        return False
    mutations = body["mutations"]
    seqs = []
    for mutation in mutations:
        seq = mutation.get("seq") if isinstance(mutation, dict) else None
        replica = mutation.get("replica") if isinstance(mutation, dict) else None
        if not isinstance(replica, str) or not IDENTIFIER.fullmatch(replica):
            return False
        if isinstance(seq, bool) or not isinstance(seq, (int, float)) or seq != int(seq) or not 1 <= seq <= LARGEST_SEQ:
            return False
        seqs.append(seq)
    return seqs == sorted(seqs)


SCHEMA_VERSIONS = {"1", "2"}


def speaks_a_served_version(case):
    """Whether the request names no schema version (version 1) or one the server serves."""
    headers = {name.lower(): value for name, value in (case.headers or {}).items()}
    return headers.get("fieldsync-schema", "1") in SCHEMA_VERSIONS


@schemathesis.check
def push_refusals_are_documented(ctx, response, case):
    """A push is refused whole (400) only for its shape, a mutation's replica or seq, seqs out of order, or a schema
    version the server does not serve."""
    if (
        case.operation.path == "/v1/push"
        and response.status_code == 400
        and whole_push_is_readable(case.body)
        and speaks_a_served_version(case)
    ):
        raise AssertionError(f"a push without a documented cause for 400 was refused whole: {response.text[:300]}")
    return None
