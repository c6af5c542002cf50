// Black-box test of the ops API (docs/ops-protocol.md) with the npm `ws` client: a WebSocket
// implementation none of us wrote, talking to the real lmfrontd over 127.0.0.1 and following
// only what the protocol page says — auth, the metrics topic while traffic flows, a command and
// a command's error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

const bin = process.env.LMFRONT_BIN_DIR;
if (!bin) throw new Error('LMFRONT_BIN_DIR is not set (run through ctest)');

let dir, daemon, baseUrl, opsUrl;

function startDaemon(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(bin, 'lmfrontd'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error(`lmfrontd did not start: ${out} ${err}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve({ child, url: m[1] }); }
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`lmfrontd exited ${code}: ${err}`)); });
  });
}

// One connection: messages are JSON text frames; answers are matched by `id`, pushed messages
// (snapshot without id, delta) are queued per topic.
class Ops {
  static async open(url, options = {}) {
    const ops = new Ops(new WebSocket(url, options));
    await new Promise((resolve, reject) => {
      ops.ws.once('open', resolve);
      ops.ws.once('error', reject);
      ops.ws.once('unexpected-response', (req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
    });
    return ops;
  }
  constructor(ws) {
    this.ws = ws;
    this.next = 0;
    this.waiting = new Map();
    this.pushed = [];
    this.pushWaiters = [];
    ws.on('message', (data, isBinary) => {
      assert.equal(isBinary, false, 'the node sends text frames only');
      const m = JSON.parse(data.toString('utf8'));
      assert.equal(m.v, 1);
      if (m.id !== undefined && this.waiting.has(m.id)) {
        this.waiting.get(m.id)(m);
        this.waiting.delete(m.id);
        return;
      }
      this.pushed.push(m);
      for (const w of this.pushWaiters.splice(0)) w();
    });
  }
  request(message, timeoutMs = 5000) {
    const id = String(++this.next);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(message)}`)), timeoutMs);
      this.waiting.set(id, (m) => { clearTimeout(timer); resolve(m); });
      this.ws.send(JSON.stringify({ v: 1, id, ...message }));
    });
  }
  // The next pushed message that satisfies `pred`, or a rejection after timeoutMs.
  async pushedMessage(pred, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.pushed.findIndex(pred);
      if (i >= 0) return this.pushed.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no such message in time');
      await new Promise((resolve) => {
        const t = setTimeout(resolve, left);
        this.pushWaiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }
  close() { this.ws.close(1000); }
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lmfront-ops-'));
  const fortunes = readFileSync('/usr/share/games/fortunes/fortunes', 'utf8');
  const lines = fortunes.split('\n').filter((l) => l.trim() && l.trim() !== '%').slice(0, 2000);
  writeFileSync(path.join(dir, 'corpus.txt'), lines.join('\n') + '\n');
  execFileSync(path.join(bin, 'lmfront'), ['train', '--order', '3', '--text', path.join(dir, 'corpus.txt'),
    '--tokenizer', 'default', '--lowercase', '--arpa', path.join(dir, 'tiny.arpa')], { stdio: 'pipe' });
  execFileSync(path.join(bin, 'lmfront'), ['compile', path.join(dir, 'tiny.arpa'), path.join(dir, 'tiny.lmb')],
    { stdio: 'pipe' });
  const started = await startDaemon(['--listen', '127.0.0.1:0', '--data-dir', path.join(dir, 'data'),
    '--model', `tiny=${path.join(dir, 'tiny.lmb')}`]);
  daemon = started.child;
  baseUrl = started.url;
  opsUrl = `${baseUrl.replace('http://', 'ws://')}/ops`;
});

after(() => {
  if (daemon) daemon.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('auth: a keyless loopback node admits the local user; requests before it are refused', async () => {
  const ops = await Ops.open(opsUrl);
  try {
    const early = await ops.request({ type: 'subscribe', topic: 'node' });
    assert.equal(early.type, 'error');
    assert.equal(early.payload.code, 'unauthenticated');
    const pong = await ops.request({ type: 'ping', payload: { sent_ms: 1 } });
    assert.equal(pong.type, 'pong');
    assert.deepEqual(pong.payload, { sent_ms: 1 });

    const auth = await ops.request({ type: 'auth' });
    assert.equal(auth.type, 'result');
    assert.equal(auth.payload.principal, 'local');
    assert.equal(auth.payload.role, 'admin');
    assert.deepEqual(auth.payload.versions, [1]);
    assert.equal(auth.payload.max_frame_bytes, 1048576);
    const again = await ops.request({ type: 'auth' });
    assert.equal(again.payload.code, 'bad_request');
  } finally {
    ops.close();
  }
});

test('a browser page of a foreign origin gets no connection', async () => {
  await assert.rejects(Ops.open(opsUrl, { origin: 'http://evil.example' }), /handshake answered 403/);
});

test('metrics: a delta shows the traffic of the second it covers', async () => {
  const ops = await Ops.open(opsUrl);
  try {
    assert.equal((await ops.request({ type: 'auth' })).type, 'result');
    const snapshot = await ops.request({ type: 'subscribe', topic: 'metrics', payload: { history_s: 10 } });
    assert.equal(snapshot.type, 'snapshot');
    assert.equal(snapshot.topic, 'metrics');
    assert.equal(snapshot.payload.interval_ms, 1000);
    assert.ok(snapshot.payload.samples.length <= 10);
    let seq = snapshot.seq;

    let stop = false;
    const load = (async () => {
      for (let i = 0; i < 3000 && !stop; ++i) {
        const r = await fetch(`${baseUrl}/v1/completions`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'tiny', prompt: 'the cat', max_tokens: 4, seed: i }),
        });
        assert.equal(r.status, 200);
        await r.arrayBuffer();
      }
    })();
    let busy;
    try {
      const deadline = Date.now() + 10000;
      while (!busy && Date.now() < deadline) {
        const delta = await ops.pushedMessage((m) => m.type === 'delta' && m.topic === 'metrics', deadline - Date.now());
        assert.equal(delta.seq, seq + 1, 'deltas follow the snapshot in order');
        seq = delta.seq;
        if (delta.payload.models.tiny && delta.payload.models.tiny.requests_per_s > 0) busy = delta.payload;
      }
    } finally {
      stop = true;
      await load;
    }
    assert.ok(busy, 'a delta with requests/s > 0 arrived within 10 s');
    assert.equal(typeof busy.t, 'number');
    assert.ok(busy.node.rss_bytes > 0);
    const tiny = busy.models.tiny;
    assert.deepEqual(Object.keys(tiny.errors_per_s).sort(), ['client', 'server', 'throttled', 'timeout', 'unavailable']);
    assert.ok(tiny.latency_ms.p50 > 0 && tiny.latency_ms.p99 >= tiny.latency_ms.p50);
    assert.ok(busy.backends['engine:tiny'].requests_per_s > 0);
    assert.equal(busy.backends['engine:tiny'].pool, 'tiny');
  } finally {
    ops.close();
  }
});

test('a command, and a command refused with its error', async () => {
  const ops = await Ops.open(opsUrl);
  try {
    assert.equal((await ops.request({ type: 'auth' })).type, 'result');
    const drained = await ops.request({ type: 'command', name: 'drain' });
    assert.equal(drained.type, 'result');
    assert.deepEqual(drained.payload, { draining: true });
    const refused = await fetch(`${baseUrl}/v1/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', prompt: 'the cat', max_tokens: 4 }),
    });
    assert.equal(refused.status, 503);
    assert.equal((await refused.json()).error.code, 'draining');
    const undrained = await ops.request({ type: 'command', name: 'undrain' });
    assert.deepEqual(undrained.payload, { draining: false });

    const typo = await ops.request({ type: 'command', name: 'set_pools',
      payload: { pools: { english: { backends: [{ wieght: 2 }] } } } });
    assert.equal(typo.type, 'error');
    assert.equal(typo.payload.code, 'bad_request');
    assert.match(typo.payload.message, /^pools\.english\.backends\[0\]/);
    const unknown = await ops.request({ type: 'command', name: 'reboot' });
    assert.equal(unknown.payload.code, 'unknown_command');
  } finally {
    ops.close();
  }
});
