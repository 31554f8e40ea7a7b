#!/usr/bin/env python3
"""Interoperability test: an independent hashdb.v1 client (Python grpcio, stubs generated from the
same .proto) drives a `zkstate serve` process and checks its answers against roots computed by the
`zkstate smt apply` command.

    hashdb_client.py PATH/TO/zkstate

Exits 0 when every check passes; prints one line per check.
"""
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
P = 2**64 - 2**32 + 1


def generate_stubs(out):
    from grpc_tools import protoc
    import grpc_tools
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    rc = protoc.main(["protoc", f"-I{ROOT}/proto", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}",
                      "hashdb/v1/hashdb.proto"])
    if rc != 0:
        raise SystemExit("protoc failed")
    sys.path.insert(0, out)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def fea(n):
    """A 256-bit key as four 64-bit limbs (each < p), limb 0 least significant."""
    limbs = [(n >> (64 * i)) & (2**64 - 1) for i in range(4)]
    assert all(l < P for l in limbs)
    return limbs


def fea_to_int(f):
    return f.fe0 | f.fe1 << 64 | f.fe2 << 128 | f.fe3 << 192


checks = 0


def check(condition, what):
    global checks
    checks += 1
    if not condition:
        raise SystemExit(f"FAIL: {what}")
    print(f"ok {checks}: {what}")


def main():
    zkstate = sys.argv[1]
    work = tempfile.mkdtemp(prefix="zkstate-interop-")
    generate_stubs(work)
    import grpc
    from google.protobuf import empty_pb2
    from hashdb.v1 import hashdb_pb2 as pb
    from hashdb.v1 import hashdb_pb2_grpc as rpc

    rng = random.Random(2024)
    ops = []
    keys = [rng.getrandbits(62) | rng.getrandbits(62) << 64 | rng.getrandbits(62) << 128 | rng.getrandbits(62) << 192 for _ in range(40)]
    for k in keys:
        ops.append({"key": str(k), "value": str(rng.getrandbits(200) + 1)})
    for k in keys[:10]:
        ops.append({"key": str(k), "value": "0"})
    for k in keys[10:15]:
        ops.append({"key": hex(k), "value": hex(rng.getrandbits(256))})
    ops_path = os.path.join(work, "ops.json")
    with open(ops_path, "w") as f:
        json.dump(ops, f)
    expected = subprocess.run([zkstate, "smt", "apply", ops_path], check=True, capture_output=True, text=True).stdout.split("\n")
    expected = [line.split(" ") for line in expected if line]
    check(len(expected) == len(ops), "zkstate smt apply printed one root per operation")

    port = free_port()
    metrics_port = free_port()
    db = os.path.join(work, "hashdb.sqlite")
    server = subprocess.Popen([zkstate, "serve", "--port", str(port), "--db", db, "--metrics-port", str(metrics_port)],
                              stderr=subprocess.PIPE, text=True)
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = rpc.HashDBServiceStub(channel)

        # Set, one by one, with details: roots and modes as the CLI computes them.
        root = [0, 0, 0, 0]
        state = {}
        for op, (exp_root, exp_mode) in zip(ops, expected):
            k = int(op["key"], 0)
            v = int(op["value"], 0)
            r = stub.Set(pb.SetRequest(old_root=pb.Fea(fe0=root[0], fe1=root[1], fe2=root[2], fe3=root[3]),
                                       key=pb.Fea(**dict(zip(["fe0", "fe1", "fe2", "fe3"], fea(k)))),
                                       value=format(v, "x"), persistence=pb.PERSISTENCE_DATABASE, details=True))
            if r.result.code != pb.ResultCode.CODE_SUCCESS or "0x%064x" % fea_to_int(r.new_root) != exp_root or r.mode != exp_mode:
                raise SystemExit(f"FAIL: Set {op}: {r.result.code} {fea_to_int(r.new_root):064x} {r.mode}, expected {exp_root} {exp_mode}")
            root = [r.new_root.fe0, r.new_root.fe1, r.new_root.fe2, r.new_root.fe3]
            state[k] = v
        check(True, f"{len(ops)} Sets reach the roots and modes `zkstate smt apply` prints")
        root_fea = pb.Fea(fe0=root[0], fe1=root[1], fe2=root[2], fe3=root[3])

        # Get: 64 zero-padded lowercase hex digits.
        bad = [k for k, v in state.items()
               if stub.Get(pb.GetRequest(root=root_fea, key=pb.Fea(**dict(zip(["fe0", "fe1", "fe2", "fe3"], fea(k)))))).value != "%064x" % v]
        check(not bad, f"Get returns every value ({len(state)} keys), padded to 64 hex digits")

        # Flush and the flush status.
        f = stub.Flush(pb.FlushRequest(batch_uuid="", persistence=pb.PERSISTENCE_DATABASE))
        check(f.result.code == pb.ResultCode.CODE_SUCCESS and f.flush_id >= 1, f"Flush answers flush id {f.flush_id}")
        deadline = time.time() + 30
        while True:
            s = stub.GetFlushStatus(empty_pb2.Empty())
            if s.stored_flush_id >= f.flush_id or time.time() > deadline:
                break
        check(s.stored_flush_id >= f.flush_id and len(s.prover_id) > 0, "GetFlushStatus reaches the flush id; prover_id set")

        # ReadTree: values in request order ("0" when absent) and nodes that hash-check.
        asked = keys[:5] + [12345]
        rt = stub.ReadTree(pb.ReadTreeRequest(state_root=root_fea, keys=[pb.Fea(**dict(zip(["fe0", "fe1", "fe2", "fe3"], fea(k)))) for k in asked]))
        want = [format(state.get(k, 0), "x") for k in asked]
        check(rt.result.code == pb.ResultCode.CODE_SUCCESS and [kv.value for kv in rt.key_value] == want,
              "ReadTree returns the values in request order")
        check(len(rt.hash_value) > 0, f"ReadTree returns the {len(rt.hash_value)} nodes it read")

        # A batch: invisible until flushed; CancelBatch forgets it.
        k_new = keys[20] ^ 1
        stub.StartBlock(pb.StartBlockRequest(batch_uuid="py-batch", old_state_root="%064x" % fea_to_int(root_fea),
                                             persistence=pb.PERSISTENCE_DATABASE))
        r = stub.Set(pb.SetRequest(old_root=root_fea, key=pb.Fea(**dict(zip(["fe0", "fe1", "fe2", "fe3"], fea(k_new)))),
                                   value="beef", persistence=pb.PERSISTENCE_DATABASE, batch_uuid="py-batch"))
        inside = stub.Get(pb.GetRequest(root=r.new_root, key=pb.Fea(**dict(zip(["fe0", "fe1", "fe2", "fe3"], fea(k_new)))), batch_uuid="py-batch"))
        check(inside.value == "%064x" % 0xbeef, "a batch reads its own unflushed write")
        c = stub.CancelBatch(pb.CancelBatchRequest(batch_uuid="py-batch"))
        check(c.result.code == pb.ResultCode.CODE_SUCCESS, "CancelBatch answers SUCCESS")
        gone = stub.Get(pb.GetRequest(root=r.new_root, key=pb.Fea(**dict(zip(["fe0", "fe1", "fe2", "fe3"], fea(k_new))))))
        check(gone.result.code == pb.ResultCode.CODE_DB_KEY_NOT_FOUND and gone.value == "",
              "after CancelBatch its root is unknown: DB_KEY_NOT_FOUND and an empty value (never a zero)")

        # The same batch again, flushed this time.
        stub.StartBlock(pb.StartBlockRequest(batch_uuid="py-batch-2", old_state_root="%064x" % fea_to_int(root_fea)))
        r2 = stub.Set(pb.SetRequest(old_root=root_fea, key=pb.Fea(**dict(zip(["fe0", "fe1", "fe2", "fe3"], fea(k_new)))),
                                    value="0xBEEF", persistence=pb.PERSISTENCE_DATABASE, batch_uuid="py-batch-2"))
        check(r2.new_root == r.new_root, "the same Set in a new batch reaches the same root")
        f2 = stub.Flush(pb.FlushRequest(batch_uuid="py-batch-2", new_state_root="0x%064x" % fea_to_int(r2.new_root),
                                        persistence=pb.PERSISTENCE_DATABASE))
        check(f2.flush_id == f.flush_id + 1, "flush ids increase by one")
        after = stub.Get(pb.GetRequest(root=r2.new_root, key=pb.Fea(**dict(zip(["fe0", "fe1", "fe2", "fe3"], fea(k_new))))))
        check(after.value == "%064x" % 0xbeef, "after Flush the batch's root is readable by anyone")

        # Persistence 3, which is not in the proto's enum.
        r3 = stub.Set(pb.SetRequest(old_root=pb.Fea(), key=pb.Fea(fe0=7), value="1", persistence=3, batch_uuid="py-tmp"))
        check(r3.result.code == pb.ResultCode.CODE_SUCCESS, "persistence 3 (TEMPORARY_HASH) is accepted")

        # Malformed input: a limb >= p.
        try:
            stub.Set(pb.SetRequest(old_root=pb.Fea(), key=pb.Fea(fe1=P), value="1"))
            check(False, "a key limb >= p is rejected")
        except grpc.RpcError as e:
            check(e.code() == grpc.StatusCode.INVALID_ARGUMENT and "key.fe1" in e.details(),
                  f"a key limb >= p is INVALID_ARGUMENT naming the field ({e.details()})")
        latest = stub.GetLatestStateRoot(empty_pb2.Empty())
        check(latest.result.code == pb.ResultCode.CODE_SUCCESS and latest.latest_root == r2.new_root,
              "GetLatestStateRoot names the last DATABASE root")

        # Metrics: the Prometheus text counts exactly the requests this client sent.
        text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read().decode()
        samples = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                samples[name] = float(value)
        sets_sent = len(ops) + 4  # the ops, two batch Sets, persistence 3, the rejected limb
        gets_sent = len(state) + 3
        want = {'hashdb_requests_total{method="Set"}': sets_sent, 'hashdb_request_errors_total{method="Set"}': 1,
                'hashdb_requests_total{method="Get"}': gets_sent, 'hashdb_request_duration_seconds_count{method="Set"}': sets_sent,
                'hashdb_requests_total{method="CancelBatch"}': 1, 'hashdb_requests_total{method="Flush"}': 2}
        wrong = {k: (samples.get(k), v) for k, v in want.items() if samples.get(k) != v}
        check(not wrong, f"the metrics count every request and error per method (wrong: {wrong})")
        gauges = ["hashdb_node_cache_hits", "hashdb_node_cache_misses", "hashdb_pending_flush_nodes", "hashdb_stored_flush_id",
                  "hashdb_failed_commits", "hashdb_batches"]
        check(all(g in samples for g in gauges) and samples["hashdb_node_cache_hits"] + samples["hashdb_node_cache_misses"] > 0
              and samples["hashdb_stored_flush_id"] >= f.flush_id, "the metrics show the cache, flush and batch gauges")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    check(server.returncode == 0, "zkstate serve stops cleanly on SIGTERM")
    # The store written by the server checks out with the CLI.
    out = subprocess.run([zkstate, "db", "check", "--db", db, "--root", "0x%064x" % fea_to_int(root_fea)], capture_output=True, text=True)
    check(out.returncode == 0, "zkstate db check passes on the store the server wrote")
    print(f"interop: {checks} checks passed")


if __name__ == "__main__":
    main()
