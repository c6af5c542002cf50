// One node streaming its `metrics` topic (1 Hz) to many ops clients (the npm `ws` client, as an
// outside dashboard would): the node's CPU per subscribed client, from /proc/PID/stat, against the
// same node with no client over the same window. Every client must receive its deltas (counted),
// so a node that silently stops sending cannot look cheap.
//
// Usage: node bench/ops/fanout.mjs BIN_DIR [CLIENTS=100] [SECONDS=30] [ROUNDS=3]
// Needs `npm ci` in tests/sdk (scripts/setup-test-deps.sh) for `ws`.
import { createRequire } from 'node:module';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';

const require = createRequire(new URL('../../tests/sdk/package.json', import.meta.url));
const WebSocket = require('ws');

const [binDir, clientsArg, secondsArg, roundsArg] = process.argv.slice(2);
if (!binDir) throw new Error('usage: node bench/ops/fanout.mjs BIN_DIR [CLIENTS] [SECONDS] [ROUNDS]');
const CLIENTS = Number(clientsArg ?? 100);
const SECONDS = Number(secondsArg ?? 30);
const ROUNDS = Number(roundsArg ?? 3);
const HZ = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

const cpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);  // utime + stime (fields 14 and 15)
};
const rssKiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function startDaemon(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, 'lmfrontd'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`lmfrontd did not start: ${out}`)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/(127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve({ child, address: m[1] }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`lmfrontd exited ${code}`)); });
  });
}

// A client: auth, subscribe to metrics, count deltas and bytes.
function openClient(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const client = { ws, deltas: 0, bytes: 0 };
    ws.once('error', reject);
    ws.on('open', () => {
      ws.send(JSON.stringify({ v: 1, type: 'auth', id: 'a' }));
      ws.send(JSON.stringify({ v: 1, type: 'subscribe', id: 's', topic: 'metrics' }));
    });
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString('utf8'));
      if (m.type === 'error') reject(new Error(JSON.stringify(m.payload)));
      if (m.id === 's') resolve(client);
      if (m.type === 'delta' && m.topic === 'metrics') { client.deltas += 1; client.bytes += data.length; }
    });
  });
}

async function cpuOver(pid, seconds) {
  const before = cpuTicks(pid);
  await sleep(seconds * 1000);
  return (cpuTicks(pid) - before) / HZ;  // CPU seconds
}

const dir = mkdtempSync(path.join(tmpdir(), 'lmfront-bench-ops-'));
let daemon;
try {
  const fortunes = readFileSync('/usr/share/games/fortunes/fortunes', 'utf8');
  const lines = fortunes.split('\n').filter((l) => l.trim() && l.trim() !== '%').slice(0, 2000);
  writeFileSync(path.join(dir, 'corpus.txt'), lines.join('\n') + '\n');
  execFileSync(path.join(binDir, 'lmfront'), ['train', '--order', '3', '--text', path.join(dir, 'corpus.txt'),
    '--tokenizer', 'default', '--lowercase', '--arpa', path.join(dir, 'tiny.arpa')], { stdio: 'pipe' });
  const started = await startDaemon(['--listen', '127.0.0.1:0', '--data-dir', path.join(dir, 'data'),
    '--model', `tiny=${path.join(dir, 'tiny.arpa')}`, '--workers', '2']);
  daemon = started.child;
  const url = `ws://${started.address}/ops`;
  await sleep(2000);
  console.log(`# ${new Date().toISOString()}, ${cpus().length} cores, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; ` +
    `${CLIENTS} clients, ${SECONDS} s windows, ${ROUNDS} rounds`);
  const rows = [];
  for (let r = 1; r <= ROUNDS; ++r) {
    const idle = await cpuOver(daemon.pid, SECONDS);
    const rssIdle = rssKiB(daemon.pid);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => openClient(url)));
    await sleep(1500);  // past the snapshots
    for (const c of clients) { c.deltas = 0; c.bytes = 0; }
    const busy = await cpuOver(daemon.pid, SECONDS);
    const rssBusy = rssKiB(daemon.pid);
    const deltas = clients.map((c) => c.deltas);
    const bytes = clients.reduce((a, c) => a + c.bytes, 0) / Math.max(1, deltas.reduce((a, b) => a + b, 0));
    for (const c of clients) c.ws.close(1000);
    const perClientUs = ((busy - idle) / SECONDS / CLIENTS) * 1e6;  // CPU µs per client per second
    rows.push({ perClientUs, minDeltas: Math.min(...deltas), bytes, rssDelta: rssBusy - rssIdle, idle, busy });
    console.log(`round ${r}: node CPU ${(idle / SECONDS * 100).toFixed(2)} % idle, ${(busy / SECONDS * 100).toFixed(2)} % with clients; ` +
      `${perClientUs.toFixed(1)} µs CPU per client-second; deltas per client ${Math.min(...deltas)}..${Math.max(...deltas)} ` +
      `(${SECONDS} s); ${bytes.toFixed(0)} B per delta; RSS +${rssBusy - rssIdle} KiB`);
    await sleep(1000);
  }
  const m = median(rows.map((x) => x.perClientUs));
  console.log(`median: ${m.toFixed(1)} µs node CPU per client per second (${(m / 1e4).toFixed(4)} % of a core per client); ` +
    `fewest deltas any client got in a ${SECONDS} s window: ${Math.min(...rows.map((x) => x.minDeltas))}`);
  if (Math.min(...rows.map((x) => x.minDeltas)) < SECONDS - 2) { console.error('a client missed deltas'); process.exitCode = 1; }
} finally {
  if (daemon) daemon.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
