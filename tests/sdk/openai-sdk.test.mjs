// Black-box test of lmfront's OpenAI-compatible API with the official `openai` npm SDK:
// a real client none of us wrote, against the real lmfrontd over real sockets on 127.0.0.1.
// The model is trained here with `lmfront train` from a small text, so nothing is faked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';

const bin = process.env.LMFRONT_BIN_DIR;
if (!bin) throw new Error('LMFRONT_BIN_DIR is not set (run through ctest)');

let dir, daemon, client, baseURL;

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

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lmfront-sdk-'));
  // Real English text Debian ships (the `fortunes` package, installed by scripts/setup.sh).
  const fortunes = readFileSync('/usr/share/games/fortunes/fortunes', 'utf8');
  const lines = fortunes.split('\n').filter((l) => l.trim() && l.trim() !== '%').slice(0, 3000);
  writeFileSync(path.join(dir, 'corpus.txt'), lines.join('\n') + '\n');
  execFileSync(path.join(bin, 'lmfront'), ['train', '--order', '3', '--text', path.join(dir, 'corpus.txt'),
    '--tokenizer', 'default', '--lowercase', '--arpa', path.join(dir, 'tiny.arpa')], { stdio: 'pipe' });
  execFileSync(path.join(bin, 'lmfront'), ['compile', path.join(dir, 'tiny.arpa'), path.join(dir, 'tiny.lmb')],
    { stdio: 'pipe' });
  const started = await startDaemon(['--listen', '127.0.0.1:0', '--data-dir', path.join(dir, 'data'),
    '--model', `tiny=${path.join(dir, 'tiny.lmb')}`]);
  daemon = started.child;
  baseURL = `${started.url}/v1`;
  client = new OpenAI({ baseURL, apiKey: 'unused-on-loopback', maxRetries: 0, timeout: 10000 });
});

after(() => {
  if (daemon) daemon.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('models.list shows the served model', async () => {
  const page = await client.models.list();
  const ids = page.data.map((m) => m.id);
  assert.deepEqual(ids, ['tiny']);
  assert.equal(page.data[0].object, 'model');
});

test('completions: seeded output is reproducible and the repeat is a cache hit', async () => {
  const params = { model: 'tiny', prompt: 'the cat', max_tokens: 8, seed: 42 };
  const first = await client.completions.create(params).withResponse();
  assert.equal(first.data.object, 'text_completion');
  assert.equal(first.data.choices.length, 1);
  assert.ok(['stop', 'length'].includes(first.data.choices[0].finish_reason));
  assert.ok(first.data.usage.completion_tokens >= 1);
  assert.equal(first.response.headers.get('x-lmfront-cache'), 'miss');
  assert.equal(first.response.headers.get('x-lmfront-backend'), 'engine:tiny');
  assert.match(first.response.headers.get('x-lmfront-overhead-ms'), /^\d+\.\d{3}$/);

  const second = await client.completions.create(params).withResponse();
  assert.equal(second.data.choices[0].text, first.data.choices[0].text);
  assert.equal(second.response.headers.get('x-lmfront-cache'), 'hit');
});

test('completions: unseeded sampling bypasses the cache', async () => {
  const r = await client.completions.create({ model: 'tiny', prompt: 'a dog', max_tokens: 4 }).withResponse();
  assert.equal(r.response.headers.get('x-lmfront-cache'), 'bypass');
});

test('chat completion answers as the assistant', async () => {
  const r = await client.chat.completions.create({
    model: 'tiny', messages: [{ role: 'user', content: 'the dog' }], max_tokens: 6, seed: 1,
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.ok(r.usage.total_tokens >= r.usage.completion_tokens);
});

test('streaming chat delivers tokens, a finish reason and usage', async () => {
  const stream = await client.chat.completions.create({
    model: 'tiny', messages: [{ role: 'user', content: 'the cat sat' }], max_tokens: 10, seed: 5,
    stream: true, stream_options: { include_usage: true },
  });
  let text = '', finish = null, usage = null, chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      if (c.delta?.content) text += c.delta.content;
      if (c.finish_reason) finish = c.finish_reason;
    }
  }
  assert.ok(chunks >= 3, `only ${chunks} chunks`);
  assert.ok(text.length > 0);
  assert.ok(['stop', 'length'].includes(finish));
  assert.ok(usage && usage.completion_tokens >= 1);

  // The same seeded request without streaming gives the same text.
  const whole = await client.chat.completions.create({
    model: 'tiny', messages: [{ role: 'user', content: 'the cat sat' }], max_tokens: 10, seed: 5,
  });
  assert.equal(whole.choices[0].message.content, text);
});

test('streaming completion', async () => {
  const stream = await client.completions.create({ model: 'tiny', prompt: 'on the', max_tokens: 5, stream: true });
  let pieces = 0;
  for await (const chunk of stream) if (chunk.choices[0]?.text) pieces++;
  assert.ok(pieces >= 1);
});

test('unknown model is a 404 NotFoundError', async () => {
  await assert.rejects(client.completions.create({ model: 'nope', prompt: 'x' }), (e) => {
    assert.equal(e.status, 404);
    assert.equal(e.code, 'model_not_found');
    return true;
  });
});

test('a bad parameter is a 400 naming it', async () => {
  await assert.rejects(client.completions.create({ model: 'tiny', prompt: 'x', temperature: 9 }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.param, 'temperature');
    return true;
  });
});
