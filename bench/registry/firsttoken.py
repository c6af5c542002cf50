#!/usr/bin/env python3
"""Time to first token after a deploy, for bench/registry/firsttoken.sh.

usage: firsttoken.py PORT KEY MODEL REPS VERSION:ARTIFACT...

Deploys the versions in turn (replace), each REPS times in rotation. Before each deploy the
version's artifact is evicted from the page cache (posix_fadvise DONTNEED) and `fincore` must
report none of its pages resident: a node keeps the current and the previous version mapped,
so with three or more versions the one deployed next is mapped by nobody. Right after the deploy
answers, one streamed completion asks the model for a token. Prints per deploy:
  deploy ms         the deploy request (opening the artifact: read, checksummed, mapped)
  first-token ms    the completion request sent -> its first event (token or end) received
"""
import http.client
import json
import os
import subprocess
import sys
import time


def resident_pages(path):
    out = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", path],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else 0


def evict(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    left = resident_pages(path)
    if left:
        sys.exit(f"{path}: {left} bytes still in the page cache after DONTNEED (is it mapped?)")


def request(conn, method, path, key, body):
    # no-cache: the answer must come from the model just deployed, never from the response cache
    conn.request(method, path, body=json.dumps(body),
                 headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                          "Cache-Control": "no-cache"})
    return conn.getresponse()


def first_token_ms(port, key, model, seed):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.connect()  # connected before the clock starts: the figure is the node's, not the handshake's
    start = time.perf_counter()
    resp = request(conn, "POST", "/v1/completions", key,
                   {"model": model, "prompt": "", "max_tokens": 4, "stream": True, "seed": seed})
    if resp.status != 200:
        sys.exit(f"completion: HTTP {resp.status}: {resp.read()[:300]!r}")
    while True:
        line = resp.fp.readline()
        if not line or line.startswith(b"data: [DONE]"):
            sys.exit("completion: the stream ended before its first event")
        if line.startswith(b"data: {"):  # the first generation step (a token, or the end)
            ms = (time.perf_counter() - start) * 1000
            chunk = json.loads(line[6:])
            if "error" in chunk:
                sys.exit(f"completion: {chunk['error']}")
            conn.close()
            return ms


def main():
    port, key, model, reps = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    versions = [(int(v), path) for v, path in (arg.split(":", 1) for arg in sys.argv[5:])]
    if len(versions) < 3:
        sys.exit("firsttoken.py: at least three versions (the node keeps two mapped)")
    admin = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for rep in range(reps * len(versions)):
        version, artifact = versions[rep % len(versions)]
        evict(artifact)
        start = time.perf_counter()
        resp = request(admin, "POST", f"/admin/catalog/{model}/deploy", key,
                       {"version": version, "strategy": "replace", "comment": "first-token bench"})
        body = resp.read()
        if resp.status != 200:
            sys.exit(f"deploy v{version}: HTTP {resp.status}: {body[:300]!r}")
        deploy_ms = (time.perf_counter() - start) * 1000
        print(f"deploy {deploy_ms:.3f} ms")
        print(f"first-token {first_token_ms(port, key, model, rep):.3f} ms", flush=True)


if __name__ == "__main__":
    main()
