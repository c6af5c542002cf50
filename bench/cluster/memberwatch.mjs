// For bench/cluster/memberdeath.sh: follows one node's `members` topic over the ops API
// (docs/ops-protocol.md) and prints "UNIX_MS STATE ID" whenever a member's state changes, so the
// bench reads when that node saw a member go down without polling. The npm `ws` client comes
// from tests/sdk (scripts/setup-test-deps.sh installs it).
//   usage: node bench/cluster/memberwatch.mjs ws://127.0.0.1:PORT/ops
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const WebSocket = createRequire(path.join(here, '../../tests/sdk/package.json'))('ws');
const ws = new WebSocket(process.argv[2]);
const states = new Map();
const seen = (member) => {
  if (!member || states.get(member.id) === member.state) return;
  states.set(member.id, member.state);
  process.stdout.write(`${Date.now()} ${member.state} ${member.id}\n`);
};
// A keyless loopback node takes an auth without a key.
ws.on('open', () => ws.send(JSON.stringify({ v: 1, type: 'auth', id: '1', payload: {} })));
ws.on('message', (data) => {
  const m = JSON.parse(data.toString('utf8'));
  if (m.type === 'error') {
    process.stderr.write(`members: ${JSON.stringify(m.payload)}\n`);
    process.exit(1);
  }
  if (m.type === 'result' && m.id === '1')
    ws.send(JSON.stringify({ v: 1, type: 'subscribe', id: '2', topic: 'members' }));
  if (m.type === 'snapshot') for (const member of m.payload.members ?? []) seen(member);
  if (m.type === 'delta') seen(m.payload.member);
});
ws.on('close', () => process.exit(0));
ws.on('error', (e) => {
  process.stderr.write(`members: ${e.message}\n`);
  process.exit(1);
});
