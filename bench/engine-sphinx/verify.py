#!/usr/bin/env python3
"""Checks `lmfront import-sphinx` against sphinxbase itself, n-gram by n-gram.

Imports Debian's en-us.lm.bin to ARPA with lmfront, then asks libsphinxbase (through
sphinxbase_score.c, built here; needs Debian's libsphinxbase-dev) for the score of every exported
n-gram, of one backed-off 2-gram per unigram context (probes the unigram backoffs) and of one
backed-off 3-gram per 2-gram (probes the 2-gram backoffs). sphinxbase returns integer scores in
base 1.0001, so agreement means |difference| <= 1.5 units (6.5e-5 in log10).

usage: bench/engine-sphinx/verify.py BUILD_DIR   (takes about a minute)
"""
import collections, math, os, subprocess, sys, tempfile

MODEL = '/usr/share/pocketsphinx/model/en-us/en-us.lm.bin'
UNIT = math.log10(1.0001)


def main():
    build = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as work:
        scorer = os.path.join(work, 'sphinxbase_score')
        flags = subprocess.run(['pkg-config', '--cflags', '--libs', 'sphinxbase'], check=True,
                               capture_output=True, text=True).stdout.split()
        subprocess.run(['cc', '-O2', os.path.join(here, 'sphinxbase_score.c'), *flags, '-o', scorer], check=True)
        arpa = os.path.join(work, 'en-us.arpa')
        subprocess.run([os.path.join(build, 'bin', 'lmfront'), 'import-sphinx', '--keep-no-unk', MODEL, arpa],
                       check=True, stderr=subprocess.DEVNULL)
        uni, ubo, bi, bbo, tri = {}, {}, {}, {}, {}
        order = 0
        for line in open(arpa, encoding='utf-8'):
            line = line.rstrip('\n')
            if line.startswith('\\'):
                order = int(line[1]) if line.endswith('-grams:') else 0
                continue
            if not line or order == 0:
                continue
            parts = line.split('\t')
            p, words = float(parts[0]), tuple(parts[1].split(' '))
            b = float(parts[2]) if len(parts) > 2 else 0.0
            if order == 1:
                uni[words[0]], ubo[words[0]] = p, b
            elif order == 2:
                bi[words], bbo[words] = p, b
            else:
                tri[words] = p
        follows = collections.defaultdict(set)
        for a, b in bi:
            follows[a].add(b)
        probes = [w for w in ('zora', 'hurston', 'bullinger', 'zebra', 'the', 'of') if w in uni]
        queries = []  # (kind, words, expected log10)
        queries += [('P1', (w,), p) for w, p in uni.items()]
        queries += [('P2', ws, p) for ws, p in bi.items()]
        queries += [('P3', ws, p) for ws, p in tri.items()]
        for h in follows:
            w = next((c for c in probes if c not in follows[h]), None)
            if w:
                queries.append(('B1', (h, w), uni[w] + ubo[h]))
        for (g, h), b in bbo.items():
            w = next((c for c in probes if c not in follows.get(h, ())), None)
            if w:
                queries.append(('B2', (g, h, w), uni[w] + ubo[h] + b))
        text = ''.join(' '.join(ws) + '\n' for _, ws, _ in queries)
        out = subprocess.run([scorer, MODEL], input=text, capture_output=True, text=True, check=True).stdout.split('\n')
    stats = collections.defaultdict(lambda: [0, 0])
    bad = []
    for (kind, words, expected), line in zip(queries, out):
        got = int(line.split()[0]) * UNIT
        stats[kind][0] += 1
        if abs(got - expected) > 1.5 * UNIT:
            stats[kind][1] += 1
            bad.append((kind, ' '.join(words), expected, round(got, 6)))
    names = {'P1': 'unigram probabilities', 'P2': '2-gram probabilities', 'P3': '3-gram probabilities',
             'B1': 'unigram backoffs (via backed-off 2-grams)', 'B2': '2-gram backoffs (via backed-off 3-grams)'}
    for kind in ('P1', 'P2', 'P3', 'B1', 'B2'):
        n, m = stats[kind]
        print(f'{names[kind]:45} {n:>9} checked, {m} disagree')
    for b in bad[:10]:
        print('  disagrees:', *b)


if __name__ == '__main__':
    main()
