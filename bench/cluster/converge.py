#!/usr/bin/env python3
"""Deploy-to-convergence on every node of a cluster (bench/cluster/deploy.sh drives it).

Usage: converge.py MODEL NEW OLD REPS PORT...

Each repetition sends `deploy MODEL NEW` to one node (the nodes take turns), then `rollback MODEL`
to the next one, and times each command from its sending until every node answers a completion
of MODEL with the version asked (x-lmfront-backend: engine:MODEL@V, or engine:MODEL for OLD, the
model file's version), polling each node on its own
keep-alive connection. Prints one line per measure: "deploy converged X ms", "rollback converged
X ms", "deploy command X ms" (the command's own round trip), then exits 1 when a node never
converged (30 s).
"""
import http.client
import json
import sys
import time


def main():
    model, new, old, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    ports = [int(p) for p in sys.argv[5:]]
    conns = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=10) for p in ports}
    body = json.dumps({"model": model, "prompt": "the", "max_tokens": 1})

    def served(port):
        c = conns[port]
        try:
            c.request("POST", "/v1/completions", body, {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            return r.getheader("x-lmfront-backend", "") if r.status == 200 else ""
        except (OSError, http.client.HTTPException):
            c.close()
            return ""

    def command(port, action, payload):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", f"/admin/catalog/{model}/{action}", json.dumps(payload),
                  {"Content-Type": "application/json"})
        r = c.getresponse()
        text = r.read()
        c.close()
        if r.status != 200:
            sys.exit(f"{action} on {port}: {r.status} {text[:300]!r}")

    def converge(action, port, payload, version):
        # The model file serves as "engine:MODEL" until a deploy names its version (OLD is the file's).
        want = {f"engine:{model}@{version}"} | ({f"engine:{model}"} if version == old else set())
        start = time.monotonic()
        command(port, action, payload)
        sent = time.monotonic()
        pending = set(ports)
        while pending:
            if time.monotonic() - start > 30:
                sys.exit(f"{action} {version}: nodes {sorted(pending)} never served it")
            pending = {p for p in pending if served(p) not in want}
        done = time.monotonic()
        print(f"{action} converged {(done - start) * 1000:.2f} ms", flush=True)
        print(f"{action} command {(sent - start) * 1000:.2f} ms", flush=True)

    for i in range(reps):
        converge("deploy", ports[i % len(ports)], {"version": new}, new)
        converge("rollback", ports[(i + 1) % len(ports)], {}, old)


if __name__ == "__main__":
    main()
