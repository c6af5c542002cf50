#!/usr/bin/env python3
"""Independent reference for `lmfront train`: lmplz's interpolated modified Kneser-Ney written
directly from the definitions (sets of left extensions, per-context sums), not from lmfront's
streaming algorithm, then compared entry by entry with an ARPA file.

usage: bench/engine/train_reference.py ORDER TEXT ARPA [--discount-fallback]
Tokenisation is lmfront's `--tokenizer whitespace` (split on space, tab, CR, NUL). Prints the
number of entries and the largest |difference| of log10 probabilities and backoffs; exits 1 when an
n-gram is missing on either side or a difference exceeds 1e-4 (the engine's contract, docs/decisions/engine-train.md).
Slow (pure Python, ~2 min for fortunes at order 5) — a verification tool, not a test.
"""
import math
import re
import sys
from collections import Counter, defaultdict

SPECIALS = ('<s>', '</s>', '<unk>')


def windows(lines, order):
    vocab = ['<unk>', '<s>', '</s>']
    ids = {w: i for i, w in enumerate(vocab)}
    full = Counter()
    for line in lines:
        toks = [t for t in re.split('[ \t\r\0]+', line) if t and t not in SPECIALS]
        for t in toks:
            if t not in ids:
                ids[t] = len(vocab)
                vocab.append(t)
        seq = ['<s>'] * (order - 1) + toks + ['</s>']
        for i in range(order - 1, len(seq)):
            full[tuple(seq[i - order + 1:i + 1])] += 1
    return ids, full


def adjusted_counts(full, order):
    adj = [dict() for _ in range(order)]
    for g, c in full.items():
        if order == 1 or g[1] != '<s>':  # <s> in position 1 is padding, not an n-gram
            adj[order - 1][g] = c
    ext = [defaultdict(set) for _ in range(order)]
    raw = [Counter() for _ in range(order)]
    for g, c in full.items():
        for k in range(1, order):
            s = g[order - k:]
            if len(s) >= 2 and s[0] == '<s>' and s[1] == '<s>':
                break
            raw[k - 1][s] += c
            ext[k - 1][s].add(g[order - k - 1:])
            if s[0] == '<s>':
                break
    for k in range(1, order):
        for s in raw[k - 1]:
            adj[k - 1][s] = raw[k - 1][s] if s[0] == '<s>' else len(ext[k - 1][s])
    adj[0][('<unk>',)] = 0
    adj[0][('<s>',)] = 0
    return adj, raw


def discounts(adj, order, quirk, fallback):
    out = []
    for k in range(order):
        n = [0] * 5
        for a in adj[k].values():
            if a < 5:
                n[a] += 1
        if k in quirk:  # lmplz's final flush counts the last open n-gram with its raw count
            g, rawc = quirk[k]
            if adj[k][g] < 5:
                n[adj[k][g]] -= 1
            if rawc < 5:
                n[rawc] += 1
        d = None
        if all(n[j] > 0 for j in (1, 2, 3)):
            y = n[1] / (n[1] + 2 * n[2])
            d = [0] + [j - (j + 1) * y * n[j + 1] / n[j] for j in (1, 2, 3)]
            if not all(0 <= d[j] <= j for j in (1, 2, 3)):
                d = None
        if d is None:
            if not fallback:
                sys.exit('order %d: discounts cannot be estimated (n=%s)' % (k + 1, n))
            d = [0, 0.5, 1.0, 1.5]
        out.append(d)
    return out


def estimate(adj, order, disc):
    gammas = [dict() for _ in range(order)]
    uninterp = [dict() for _ in range(order)]
    for k in range(order):
        d = disc[k]
        groups = defaultdict(list)
        for g, a in adj[k].items():
            groups[g[:-1]].append((g, a))
        for ctx, items in groups.items():
            den = sum(a for _, a in items)
            n = [0, 0, 0, 0]
            for _, a in items:
                if a > 0:
                    n[min(a, 3)] += 1
            gammas[k][ctx] = (d[1] * n[1] + d[2] * n[2] + d[3] * n[3]) / den
            for g, a in items:
                uninterp[k][g] = (a - d[min(a, 3)]) / den
    uniform = 1.0 / (len(adj[0]) - 1)
    prob = [dict() for _ in range(order)]
    for k in range(order):
        for g in adj[k]:
            if k == 0:
                if g == ('<s>',):
                    prob[0][g] = 1.0
                elif g == ('<unk>',):
                    prob[0][g] = gammas[0][()] * uniform
                else:
                    prob[0][g] = uninterp[0][g] + gammas[0][()] * uniform
            else:
                prob[k][g] = uninterp[k][g] + gammas[k][g[:-1]] * prob[k - 1][g[1:]]
    model = {}
    for k in range(order):
        for g in adj[k]:
            backoff = None
            if k < order - 1:
                backoff = math.log10(gammas[k + 1][g]) if g in gammas[k + 1] else 0.0
            model[g] = (min(0.0, math.log10(prob[k][g])), backoff)
    return model


def read_arpa(path):
    arpa, section = {}, 0
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('\\') and line.endswith('-grams:'):
                section = int(line[1:line.index('-')])
            elif section and line and not line.startswith('\\'):
                cols = line.split('\t')
                arpa[tuple(cols[1].split(' '))] = (float(cols[0]), float(cols[2]) if len(cols) > 2 else None)
    return arpa


def main():
    order, text, arpa_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    fallback = '--discount-fallback' in sys.argv
    with open(text, encoding='utf-8') as f:
        lines = f.read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    ids, full = windows(lines, order)
    adj, raw = adjusted_counts(full, order)
    last = max(full, key=lambda g: tuple(ids[w] for w in reversed(g)))  # last in suffix order
    quirk = {}
    for k in range(1, order):
        s = last[order - k:]
        if len(s) >= 2 and s[0] == '<s>' and s[1] == '<s>':
            break
        quirk[k - 1] = (s, raw[k - 1][s])
        if s[0] == '<s>':
            break
    model = estimate(adj, order, discounts(adj, order, quirk, fallback))
    arpa = read_arpa(arpa_path)
    worst, bad = 0.0, 0
    for g, (p, b) in model.items():
        if g not in arpa:
            bad += 1
            continue
        q, qb = arpa[g]
        worst = max(worst, abs(q - p), abs((qb or 0.0) - (b or 0.0)))
    extra = len(set(arpa) - set(model))
    print('entries %d, arpa %d, missing %d, extra %d, max |diff| %.3g' % (len(model), len(arpa), bad, extra, worst))
    sys.exit(1 if bad or extra or worst > 1e-4 else 0)


if __name__ == '__main__':
    main()
