// Black-box test of lmfront's OpenAI-compatible API with the official `openai` npm SDK:
// a real client none of us wrote, against the real lmfrontd over real sockets on 127.0.0.1.
// The model is trained here with `lmfront train` from a small text, so nothing is faked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import OpenAI from 'openai';

const bin = process.env.LMFRONT_BIN_DIR;
if (!bin) throw new Error('LMFRONT_BIN_DIR is not set (run through ctest)');

let dir, daemon, client, baseURL, upstream;
// What the fake embeddings upstream saw: one entry per request.
const upstreamSeen = [];

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
  // A fake OpenAI-compatible upstream (a real HTTP server on 127.0.0.1) serving /v1/embeddings.
  upstream = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const request = JSON.parse(body);
      upstreamSeen.push({ path: req.url, auth: req.headers.authorization, request });
      if (req.url === '/v1/responses') {  // a Responses API upstream: typed events
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        let seq = 0;
        const send = (type, fields) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`);
        send('response.created', { response: { id: 'resp_up', status: 'in_progress' } });
        for (const delta of ['up', 'stream']) send('response.output_text.delta', { delta });
        send('response.completed', { response: { id: 'resp_up', status: 'completed',
          usage: { input_tokens: 2, output_tokens: 2, total_tokens: 4 } } });
        res.end();
        return;
      }
      if (req.url !== '/v1/embeddings') { res.writeHead(404); res.end('{"error":{"message":"no"}}'); return; }
      const inputs = Array.isArray(request.input) ? request.input : [request.input];
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({
        object: 'list', model: request.model,
        data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: [text.length, index, 0.5] })),
        usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
      }));
    });
  });
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
    pools: { embed: { backends: [{ url: `http://127.0.0.1:${upstream.address().port}`, model: 'up-embed',
      api_key: 'sk-upstream' }] } },
  }));
  const started = await startDaemon(['--listen', '127.0.0.1:0', '--data-dir', path.join(dir, 'data'),
    '--model', `tiny=${path.join(dir, 'tiny.lmb')}`, '--config', path.join(dir, 'config.json')]);
  daemon = started.child;
  baseURL = `${started.url}/v1`;
  client = new OpenAI({ baseURL, apiKey: 'unused-on-loopback', maxRetries: 0, timeout: 10000 });
});

after(() => {
  if (daemon) daemon.kill('SIGTERM');
  if (upstream) upstream.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('models.list shows the served model', async () => {
  const page = await client.models.list();
  const ids = page.data.map((m) => m.id).sort();
  assert.deepEqual(ids, ['embed', 'tiny']);
  for (const m of page.data) assert.equal(m.object, 'model');
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

// ---- Log-probabilities, choices, sampling controls and the Responses API ----

const ln10 = Math.log(10);

async function score(text) {
  const r = await fetch(`${baseURL}/score`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'tiny', text }),
  });
  assert.equal(r.status, 200);
  return r.json();
}

function vocabId(word) {
  const out = execFileSync(path.join(bin, 'lmfront'), ['info', '--model', path.join(dir, 'tiny.lmb'), '--vocab'],
    { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const [id, w] = line.split('\t');
    if (w === word) return Number(id);
  }
  throw new Error(`no word ${word}`);
}

function checkCompletionLogprobs(choice, top) {
  const lp = choice.logprobs;
  assert.ok(lp, 'logprobs missing');
  const n = lp.tokens.length;
  assert.equal(lp.token_logprobs.length, n);
  assert.equal(lp.top_logprobs.length, n);
  assert.equal(lp.text_offset.length, n);
  assert.equal(lp.tokens.join(''), choice.text);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    assert.equal(lp.text_offset[i], offset);
    offset += [...lp.tokens[i]].length;
    assert.ok(lp.token_logprobs[i] <= 1e-12);
    const alts = Object.values(lp.top_logprobs[i]);
    assert.ok(alts.length <= top);
    if (alts.length) assert.ok(Math.max(...alts) >= lp.token_logprobs[i] - 1e-6 || alts.length < top);
  }
}

test('completions logprobs: OpenAI shape, natural log, alternatives', async () => {
  const r = await client.completions.create({ model: 'tiny', prompt: 'the cat', max_tokens: 8, seed: 3, logprobs: 3 });
  assert.equal(r.choices.length, 1);
  checkCompletionLogprobs(r.choices[0], 3);
  assert.ok(r.choices[0].logprobs.tokens.length >= 1);
  for (const alts of r.choices[0].logprobs.top_logprobs) assert.equal(Object.keys(alts).length, 3);
  await assert.rejects(client.completions.create({ model: 'tiny', prompt: 'x', logprobs: 6 }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.param, 'logprobs');
    return true;
  });
});

test('echo with logprobs: the prompt scored exactly as /v1/score does', async () => {
  const prompt = 'the cat sat on the mat';
  const r = await client.completions.create({ model: 'tiny', prompt, max_tokens: 0, echo: true, logprobs: 1 });
  const c = r.choices[0];
  assert.equal(c.text, prompt);
  checkCompletionLogprobs(c, 1);
  const s = await score(prompt);
  const words = s.tokens.filter((t) => t.token !== '</s>');
  assert.equal(c.logprobs.tokens.length, words.length);
  const sum = c.logprobs.token_logprobs.reduce((a, b) => a + b, 0);
  const expected = words.reduce((a, t) => a + t.log10_prob, 0) * ln10;
  assert.ok(Math.abs(sum - expected) < 1e-6, `${sum} vs ${expected}`);
});

test('generated logprobs agree with the model: at most the <unk> exclusion apart', async () => {
  const prompt = 'the dog';
  const r = await client.completions.create({ model: 'tiny', prompt, max_tokens: 6, seed: 8, echo: true, logprobs: 0 });
  const c = r.choices[0];
  const rescored = await client.completions.create({ model: 'tiny', prompt: c.text, max_tokens: 0, echo: true,
    logprobs: 0 });
  const a = c.logprobs, b = rescored.choices[0].logprobs;
  assert.deepEqual(b.tokens, a.tokens);
  const promptTokens = b.tokens.length - (r.usage.completion_tokens);
  for (let i = 0; i < a.tokens.length; i++) {
    if (i < promptTokens) assert.ok(Math.abs(a.token_logprobs[i] - b.token_logprobs[i]) < 1e-9);
    else {
      // Sampling draws from the model conditioned on "not <unk>": never less likely, barely more.
      assert.ok(a.token_logprobs[i] >= b.token_logprobs[i] - 1e-9);
      assert.ok(a.token_logprobs[i] - b.token_logprobs[i] < 0.7);
    }
  }
});

test('n and batch prompts: choices indexed prompt*n + j, seeded choices repeat', async () => {
  const params = { model: 'tiny', prompt: ['the cat', 'a dog'], n: 3, max_tokens: 8, seed: 11 };
  const r = await client.completions.create(params);
  assert.equal(r.choices.length, 6);
  r.choices.forEach((c, i) => assert.equal(c.index, i));
  const again = await client.completions.create(params);
  assert.deepEqual(again.choices.map((c) => c.text), r.choices.map((c) => c.text));
  assert.ok(new Set(r.choices.map((c) => c.text)).size > 1, 'n choices should differ');
  const single = await client.completions.create({ ...params, prompt: 'the cat' });
  assert.deepEqual(single.choices.map((c) => c.text), r.choices.slice(0, 3).map((c) => c.text));
  assert.ok(r.usage.completion_tokens >= 6);
  await assert.rejects(client.completions.create({ ...params, n: 17 }), (e) => e.status === 400 && e.param === 'n');
});

test('best_of answers the most likely of its candidates', async () => {
  const base = { model: 'tiny', prompt: 'the', max_tokens: 6, seed: 21, logprobs: 0 };
  const all = await client.completions.create({ ...base, n: 4 });
  const sums = all.choices.map((c) => c.logprobs.token_logprobs.reduce((a, b) => a + b, 0));
  const best = await client.completions.create({ ...base, best_of: 4 });
  assert.equal(best.choices.length, 1);
  assert.equal(best.choices[0].text, all.choices[sums.indexOf(Math.max(...sums))].text);
});

test('suffix and uninterpreted fields are refused by engine models, naming them', async () => {
  await assert.rejects(client.completions.create({ model: 'tiny', prompt: 'x', suffix: 'y' }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.param, 'suffix');
    assert.match(e.message, /suffix/);
    return true;
  });
  await assert.rejects(client.chat.completions.create({
    model: 'tiny', messages: [{ role: 'user', content: 'hi' }],
    tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
  }), (e) => e.status === 400 && e.param === 'tools');
});

test('chat logprobs and top_logprobs in the chat shape; n choices', async () => {
  const r = await client.chat.completions.create({
    model: 'tiny', messages: [{ role: 'user', content: 'the cat' }], max_tokens: 6, seed: 4, n: 2,
    logprobs: true, top_logprobs: 2,
  });
  assert.equal(r.choices.length, 2);
  for (const [i, c] of r.choices.entries()) {
    assert.equal(c.index, i);
    const content = c.logprobs.content;
    assert.equal(content.map((t) => t.token).join(''), c.message.content);
    for (const t of content) {
      assert.ok(t.logprob <= 1e-12);
      assert.deepEqual(t.bytes, [...Buffer.from(t.token, 'utf8')]);
      assert.equal(t.top_logprobs.length, 2);
      assert.ok(t.top_logprobs[0].logprob >= t.top_logprobs[1].logprob);
    }
  }
  await assert.rejects(client.chat.completions.create({
    model: 'tiny', messages: [{ role: 'user', content: 'x' }], logprobs: true, top_logprobs: 21,
  }), (e) => e.status === 400 && e.param === 'top_logprobs');
});

test('streaming chat with n and logprobs matches the whole answer', async () => {
  const params = {
    model: 'tiny', messages: [{ role: 'user', content: 'a dog' }], max_tokens: 7, seed: 12, n: 2,
    logprobs: true, top_logprobs: 1,
  };
  const whole = await client.chat.completions.create(params);
  const stream = await client.chat.completions.create({ ...params, stream: true });
  const text = ['', ''], tokens = [[], []], finish = [null, null];
  for await (const chunk of stream) {
    for (const c of chunk.choices) {
      if (c.delta?.content) text[c.index] += c.delta.content;
      if (c.logprobs?.content) tokens[c.index].push(...c.logprobs.content);
      if (c.finish_reason) finish[c.index] = c.finish_reason;
    }
  }
  for (const i of [0, 1]) {
    assert.equal(text[i], whole.choices[i].message.content);
    assert.deepEqual(tokens[i], whole.choices[i].logprobs.content);
    assert.equal(finish[i], whole.choices[i].finish_reason);
  }
});

test('temperature 0 is greedy: the seed does not matter', async () => {
  const texts = new Set();
  for (const seed of [1, 2, 3]) {
    const r = await client.completions.create({ model: 'tiny', prompt: 'the', max_tokens: 6, temperature: 0, seed });
    texts.add(r.choices[0].text);
  }
  assert.equal(texts.size, 1);
});

test('chat answers are never empty unless max_tokens forbids words', async () => {
  for (let seed = 0; seed < 20; seed++) {
    const r = await client.chat.completions.create({
      model: 'tiny', messages: [{ role: 'user', content: 'hello.' }], max_tokens: 3, seed,
    });
    assert.ok(r.choices[0].message.content.length > 0, `seed ${seed} answered ""`);
  }
});

test('ignore_eos and min_tokens hold the end of text', async () => {
  const r = await client.completions.create({ model: 'tiny', prompt: 'the', max_tokens: 25, seed: 2, ignore_eos: true });
  assert.equal(r.usage.completion_tokens, 25);
  assert.equal(r.choices[0].finish_reason, 'length');
  for (let seed = 0; seed < 10; seed++) {
    const m = await client.completions.create({ model: 'tiny', prompt: 'the', max_tokens: 20, seed, min_tokens: 5 });
    assert.ok(m.usage.completion_tokens >= 5);
  }
});

// Distinct words per word generated, over 16 seeded choices of 30 words.
async function distinctRatio(extra) {
  const r = await client.completions.create({
    model: 'tiny', prompt: 'the', max_tokens: 30, n: 16, seed: 5, ignore_eos: true, ...extra,
  });
  let distinct = 0, total = 0;
  for (const c of r.choices) {
    const words = c.text.trim().split(/\s+/);
    distinct += new Set(words).size;
    total += words.length;
  }
  return distinct / total;
}

test('penalties move the distribution in their documented direction', async () => {
  const plain = await distinctRatio({});
  const freqUp = await distinctRatio({ frequency_penalty: 2 });
  const freqDown = await distinctRatio({ frequency_penalty: -2 });
  assert.ok(freqUp > plain && plain > freqDown, `frequency ${freqDown} < ${plain} < ${freqUp}`);
  const presUp = await distinctRatio({ presence_penalty: 2 });
  assert.ok(presUp > plain, `presence ${plain} < ${presUp}`);
  const repUp = await distinctRatio({ repetition_penalty: 1.8 });
  const repDown = await distinctRatio({ repetition_penalty: 0.5 });
  assert.ok(repUp > repDown, `repetition ${repDown} < ${repUp}`);
  await assert.rejects(client.completions.create({ model: 'tiny', prompt: 'x', presence_penalty: 3 }),
    (e) => e.status === 400 && e.param === 'presence_penalty');
});

test('logit_bias by token id (lmfront info --vocab) forces and bans words', async () => {
  const id = vocabId('the');
  const forced = await client.completions.create({
    model: 'tiny', prompt: 'a', max_tokens: 4, seed: 1, logit_bias: { [id]: 100 },
  });
  assert.deepEqual(forced.choices[0].text.trim().split(/\s+/), ['the', 'the', 'the', 'the']);
  const greedy = await client.completions.create({ model: 'tiny', prompt: 'the cat', max_tokens: 1, temperature: 0,
    logprobs: 0 });
  const first = greedy.choices[0].logprobs.tokens[0].trim();
  const banned = await client.completions.create({
    model: 'tiny', prompt: 'the cat', max_tokens: 1, temperature: 0, logit_bias: { [vocabId(first)]: -100 },
  });
  assert.notEqual(banned.choices[0].text.trim(), first);
});

test('responses API: text input and instructions, and its typed stream events in order', async () => {
  const r = await client.responses.create({
    model: 'tiny', instructions: 'answer briefly', input: 'the cat', max_output_tokens: 8, seed: 3,
  });
  assert.equal(r.object, 'response');
  assert.ok(['completed', 'incomplete'].includes(r.status));
  assert.equal(typeof r.output_text, 'string');
  assert.ok(r.usage.output_tokens >= 1 && r.usage.output_tokens <= 8);

  const stream = await client.responses.create({
    model: 'tiny', input: [{ role: 'user', content: 'a dog' }], max_output_tokens: 8, seed: 3, stream: true,
  });
  const types = [];
  let text = '', done = null, final = null, last = -1;
  for await (const event of stream) {
    types.push(event.type);
    assert.equal(event.sequence_number, last + 1);
    last = event.sequence_number;
    if (event.type === 'response.output_text.delta') text += event.delta;
    if (event.type === 'response.output_text.done') done = event.text;
    if (event.type === 'response.completed' || event.type === 'response.incomplete') final = event.response;
  }
  const deltas = types.filter((t) => t === 'response.output_text.delta').length;
  assert.ok(deltas >= 1);
  assert.deepEqual(types, ['response.created', 'response.in_progress', 'response.output_item.added',
    'response.content_part.added', ...Array(deltas).fill('response.output_text.delta'), 'response.output_text.done',
    'response.content_part.done', 'response.output_item.done', final.status === 'completed' ? 'response.completed'
      : 'response.incomplete']);
  assert.equal(done, text);
  assert.equal(final.output[0].content[0].text, text);
});

test('embeddings go to the URL backends of the named pool, with its key; deterministic ones are cached', async () => {
  const first = await client.embeddings.create({ model: 'embed', input: ['hello', 'big world'], encoding_format: 'float' }).withResponse();
  assert.equal(first.data.data.length, 2);
  assert.deepEqual(first.data.data[1].embedding, [9, 1, 0.5]);
  assert.equal(first.response.headers.get('x-lmfront-backend'), `http://127.0.0.1:${upstream.address().port}`);
  const seen = upstreamSeen.at(-1);
  assert.equal(seen.path, '/v1/embeddings');
  assert.equal(seen.auth, 'Bearer sk-upstream');
  assert.equal(seen.request.model, 'up-embed');
  assert.deepEqual(seen.request.input, ['hello', 'big world']);
  const count = upstreamSeen.length;
  const again = await client.embeddings.create({ model: 'embed', input: ['hello', 'big world'], encoding_format: 'float' }).withResponse();
  assert.equal(again.response.headers.get('x-lmfront-cache'), 'hit');
  assert.deepEqual(again.data.data, first.data.data);
  assert.equal(upstreamSeen.length, count);
  // An engine model has no embeddings: a clear 400 naming the model.
  await assert.rejects(client.embeddings.create({ model: 'tiny', input: 'x' }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.param, 'model');
    assert.match(e.message, /embeddings/);
    return true;
  });
  // An upstream's refusal reaches the client as an error, not as a success.
  await assert.rejects(client.moderations.create({ model: 'embed', input: 'x' }), (e) => e.status === 404);
});

test('responses API through a URL backend: its /v1/responses events become this node\'s', async () => {
  const r = await client.responses.create({ model: 'embed', instructions: 'be brief', input: 'hello',
    max_output_tokens: 9 });
  assert.equal(r.output_text, 'upstream');
  assert.equal(r.usage.output_tokens, 2);
  const seen = upstreamSeen.at(-1);
  assert.equal(seen.path, '/v1/responses');
  assert.equal(seen.request.model, 'up-embed');
  assert.equal(seen.request.instructions, 'be brief');
  assert.equal(seen.request.max_output_tokens, 9);
  assert.deepEqual(seen.request.input, [{ role: 'user', content: 'hello' }]);
});
