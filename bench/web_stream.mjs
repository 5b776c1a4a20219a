// make bench: smoothness where the user sees it. The web client in headless Chromium (the
// test suite's flags: no GPU, WebGL only through SwiftShader, a software GL — as on a
// machine without a GPU — so the app draws with its software renderer on a 2D canvas
// unless told otherwise, below), served by the real server, with a chat of N messages of Markdown history; then a
// reply streamed at 100 chunks/s for 8 s from a local OpenAI-compatible fake (the real
// wire format: chat.completion.chunk events, usage, [DONE]); then 20 screens scrolled up with
// real wheel notches. Measured in the page: requestAnimationFrame intervals (p50, p95, max)
// and frames/s, long tasks and their total, the app's own frames; outside it: CPU-seconds
// of every browser process and the renderers' memory.
// Usage: node bench/web_stream.mjs <imchat-server> <web root> [sizes, default 200,1000,5000]
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { launchChromium } from '../tests/support/browser.mjs';
import { startServer } from '../tests/support/server.mjs';

const [serverBin, webRoot, sizesArg] = process.argv.slice(2);
const sizes = (sizesArg || '200,1000,5000').split(',').map(Number);
// IMCHAT_BENCH_FULL_REDRAW=1: every frame redraws the whole canvas (the renderer before
// damage tracking), for a before/after on the same build.
const fullRedraw = process.env.IMCHAT_BENCH_FULL_REDRAW === '1';
// What the app draws with is its own choice (web/boot.js): here, without a GPU, its software
// renderer on a 2D canvas. IMCHAT_BENCH_RENDERER=webgl makes it WebGL 2 (SwiftShader) for a
// comparison; IMCHAT_BENCH_NO_WEBGL=1 runs a Chromium with WebGL switched off altogether.
const rendererAsked = process.env.IMCHAT_BENCH_RENDERER || '';
const noWebgl = process.env.IMCHAT_BENCH_NO_WEBGL === '1';
// IMCHAT_BENCH_SCALE=2: a device pixel ratio of 2 (four times the pixels to draw).
const scale = Number(process.env.IMCHAT_BENCH_SCALE || 1);
const shotDir = process.env.IMCHAT_BENCH_SHOT;
const STREAM_CHUNKS = 800;  // 8 s at 100 chunks/s
const CHUNK_MS = 10;
const SCROLL_NOTCHES = 160;  // 20 screens of 800 px at 100 px a notch

const row = (name, value, unit, note) =>
  console.log(`| ${name.padEnd(38)} | ${value.toFixed(2).padStart(12)} | ${unit.padEnd(6)} | ${note} |`);
const percentile = (xs, p) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

// A reply of the history: ~1 KB of mixed Markdown, as in bench/ui_frames.
const historyReply = (i) => [
  `Here is **answer ${i}**, with a list and some code:`,
  '',
  '- the first point, with `inline code` and a [link](https://example.com)',
  '- a second point that runs long enough to wrap once or twice in a column of ordinary width',
  '',
  '```cpp',
  `int answer_${i}(int x) {`,
  '  return x * 2 + 1;  // the usual',
  '}',
  '```',
  '',
  '| name | value |',
  '|---|---|',
  `| item ${i} | ${i * 7} |`,
  '',
  '> A quote to finish, and then a closing paragraph of plain prose that says a little more.',
].join('\n');

// The streamed reply, chunk by chunk: words, with now and then a new paragraph, a list or a
// code block, as a model writes.
const streamPiece = (i) => {
  if (i % 120 === 119) return '\n\n```python\nprint("chunk %d")\n```\n\n'.replace('%d', i);
  if (i % 40 === 39) return '\n\n- ';
  if (i % 16 === 15) return ' **bold words** ';
  return ` word${i % 97}`;
};

// The fake vendor: OpenAI's /chat/completions, streamed. A question starting "Stream" gets
// the long reply; any other gets one history reply at once.
function startFakeOpenAi() {
  // The end of the next long stream; taken before asking, so it cannot be an earlier one.
  let ended;
  let nextEnd = new Promise((resolve) => { ended = resolve; });
  const streamEnded = () => {
    ended();
    nextEnd = new Promise((resolve) => { ended = resolve; });
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'no such route', type: 'invalid_request_error' } }));
        return;
      }
      const request = JSON.parse(body);
      const last = request.messages.at(-1).content;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const created = Math.floor(Date.now() / 1000);
      const send = (choices, usage) => res.write(`data: ${JSON.stringify({
        id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model: request.model, choices,
        ...(usage ? { usage } : {}),
      })}\n\n`);
      const finish = (completion) => {
        send([{ index: 0, delta: {}, finish_reason: 'stop' }]);
        send([], { prompt_tokens: 20, completion_tokens: completion, total_tokens: 20 + completion });
        res.end('data: [DONE]\n\n');
      };
      if (!last.startsWith('Stream')) {
        send([{ index: 0, delta: { role: 'assistant', content: historyReply(request.messages.length) }, finish_reason: null }]);
        finish(250);
        return;
      }
      let i = 0;
      let over = false;
      const done = () => {
        if (over) return;
        over = true;
        streamEnded();
      };
      const timer = setInterval(() => {
        if (i >= STREAM_CHUNKS) {
          clearInterval(timer);
          finish(STREAM_CHUNKS);
          done();
          return;
        }
        send([{ index: 0, delta: { content: streamPiece(i++) }, finish_reason: null }]);
      }, CHUNK_MS);
      res.on('close', () => { clearInterval(timer); done(); });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/v1`,
    nextStreamEnd: () => nextEnd,
    close: () => server.close(),
  })));
}

// CPU-seconds (user + system) of a process and all its descendants, from /proc.
function treeCpuSeconds(rootPid) {
  const parents = new Map();
  const ticks = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(+name, +fields[1]);
      ticks.set(+name, +fields[11] + +fields[12]);
    } catch { /* gone */ }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    for (let p = pid; p > 1; p = parents.get(p) ?? 0) {
      if (p === rootPid) { total += t; break; }
    }
  }
  return total / 100;  // USER_HZ
}

// The renderers' resident memory (MiB): the page's process, and any other.
function rendererMiB() {
  let kb = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (!cmdline.includes('chromium') || !cmdline.includes('--type=renderer')) continue;
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      kb += +(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return kb / 1024;
}

async function api(server, method, path, body, token) {
  const response = await fetch(server.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// A conversation with `size` messages: size / 2 questions, each answered by the fake.
async function seed(server, token, size) {
  const conversation = (await api(server, 'POST', '/api/conversations',
    { title: `History of ${size}`, type: 'AI', model: 'gpt-4o-mini' }, token)).data;
  for (let i = 0; i < size / 2; i++) {
    await api(server, 'POST', `/api/chat/${conversation.id}/message`, { content: `Question ${i}: tell me about item ${i}` }, token);
  }
  return conversation.id;
}

// Starts recording in the page: every animation frame's interval, long tasks, app frames.
const startRecording = (page) => page.evaluate(() => {
  const rec = { intervals: [], longTasks: [], damage: [], on: true, frames: window.imchat.state().frames, t0: performance.now() };
  window.__rec = rec;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (rec.on) rec.longTasks.push(e.duration);
  }).observe({ type: 'longtask' });
  let last = null;
  const step = (t) => {
    if (!rec.on) return;
    if (last !== null) rec.intervals.push(t - last);
    last = t;
    // What the app's last drawn frame redrew, as a share of the canvas (sampled per frame
    // it drew: a full-pane redraw when the list moves costs far more than a row's).
    const frames = window.imchat.state().frames;
    if (frames !== rec.lastFrames) {
      rec.lastFrames = frames;
      rec.damage.push(window.imchat.lastDamage());
    }
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
});
const stopRecording = (page) => page.evaluate(() => {
  const rec = window.__rec;
  rec.on = false;
  return { intervals: rec.intervals, longTasks: rec.longTasks, damage: rec.damage, frames: window.imchat.state().frames - rec.frames, seconds: (performance.now() - rec.t0) / 1000 };
});

function report(label, size, r, cpu, memory, renderer) {
  const fps = r.intervals.length / r.seconds;
  const longTotal = r.longTasks.reduce((a, b) => a + b, 0);
  const drawnBy = renderer === 'canvas' ? (noWebgl ? ' 2D, no WebGL' : ' 2D') : ' WebGL';
  const name = `web${drawnBy} ${label}${fullRedraw ? ' (full redraw)' : ''}${scale !== 1 ? ` @${scale}x` : ''}, ${size}`;
  row(`${name}: frames/s`, fps, 'fps', `rAF; app drew ${(r.frames / r.seconds).toFixed(1)}/s; goal ≥ 55`);
  row(`${name}: rAF p50`, percentile(r.intervals, 0.5), 'ms', `p95 ${percentile(r.intervals, 0.95).toFixed(1)} ms (goal ≤ 20), max ${Math.max(0, ...r.intervals).toFixed(1)} ms`);
  const damageMean = r.damage.length ? r.damage.reduce((a, b) => a + b, 0) / r.damage.length : 0;
  row(`${name}: redrawn per frame`, 100 * damageMean, '%', `mean share of the canvas a drawn frame redrew; ${r.damage.filter((d) => d > 0.5).length} of ${r.damage.length} sampled over half`);
  row(`${name}: long tasks`, longTotal, 'ms', `${r.longTasks.length} tasks over 50 ms in ${r.seconds.toFixed(1)} s`);
  row(`${name}: browser CPU`, cpu, 's', `all Chromium processes${label === 'stream' ? '; goal ≤ 5 per 8 s stream' : ''}`);
  row(`${name}: renderer memory`, memory, 'MiB', 'RSS of the renderer processes');
}

const fake = await startFakeOpenAi();
process.env.IMCHAT_SERVER_BIN = serverBin;
process.env.OPENAI_API_KEY = 'bench-key';
process.env.OPENAI_BASE_URL = fake.url;
const server = await startServer({
  webRoot,
  args: ['--write-burst', '100000', '--writes-per-second', '100000', '--max-replies-per-user', '100'],
});
const browser = await launchChromium({ extraArgs: noWebgl ? ['--disable-webgl'] : [] });
try {
  const account = await api(server, 'POST', '/api/auth/register',
    { email: 'bench@example.com', name: 'Bench', password: 'a long bench password' });
  const token = account.data?.token ?? account.token;
  const chats = await Promise.all(sizes.map((size) => seed(server, token, size)));
  // The browser: the Chromium process this script started (playwright spawns it).
  const rootPid = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).find((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = +stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chromium');
    } catch {
      return false;
    }
  });
  if (!rootPid) throw new Error('cannot find the browser process');
  for (let k = 0; k < sizes.length; k++) {
    const size = sizes[k];
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: scale });
    await context.addInitScript((t) => localStorage.setItem('imchat.token', t), token);
    const page = await context.newPage();
    await page.goto(`${server.url}/${rendererAsked ? `?renderer=${rendererAsked}` : ''}#/c/${chats[k]}`);
    await page.waitForFunction((id) => {
      const s = window.imchat?.state();
      return s && s.realtime === 'open' && s.open === id && s.messages.length > 0 && s.scroll[1] > 0 &&
        Math.abs(s.scroll[0] - s.scroll[1]) < 1 && !s.messages.some((m) => m.status === 'streaming');
    }, chats[k], { timeout: 60000, polling: 200 });
    if (fullRedraw) await page.evaluate(() => window.imchat.setPartialRedraw(false));
    const renderer = await page.evaluate(() => window.imchat.renderer);
    const composer = await page.evaluate(() => window.imchat.state().landmarks.composer);
    await page.mouse.click(composer[0] + composer[2] / 2, composer[1] + composer[3] / 2);
    await page.waitForFunction(() => window.imchat.state().composerFocused, null, { polling: 100 });
    await page.keyboard.type('Stream a long answer, please');

    // The stream: from Enter to the fake's last chunk.
    const streamEnd = fake.nextStreamEnd();
    await startRecording(page);
    let cpu = treeCpuSeconds(rootPid);
    await page.keyboard.press('Enter');
    // IMCHAT_BENCH_SHOT=<dir>: a screenshot half-way through the stream, to look at what the
    // figures are of (it costs the stream's figures, so only on request).
    if (shotDir) {
      await new Promise((resolve) => setTimeout(resolve, STREAM_CHUNKS * CHUNK_MS / 2));
      await page.screenshot({ path: `${shotDir}/web_stream_${size}.png` });
    }
    await streamEnd;
    let r = await stopRecording(page);
    report('stream', size, r, treeCpuSeconds(rootPid) - cpu, rendererMiB(), renderer);
    await page.waitForFunction(() => !window.imchat.state().messages.some((m) => m.status === 'streaming'), null, { polling: 200, timeout: 30000 });

    // Scrolling: 20 screens up the history, a notch every 16 ms, with the mouse over the list.
    await page.mouse.move(composer[0] + composer[2] / 2, composer[1] - 200);
    await startRecording(page);
    cpu = treeCpuSeconds(rootPid);
    const cdp = await context.newCDPSession(page);
    for (let i = 0; i < SCROLL_NOTCHES; i++) {
      const t = Date.now();
      await cdp.send('Input.dispatchMouseEvent', {
        type: 'mouseWheel', x: composer[0] + composer[2] / 2, y: composer[1] - 200, deltaX: 0, deltaY: -100,
      });
      const wait = 16 - (Date.now() - t);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    r = await stopRecording(page);
    report('scroll', size, r, treeCpuSeconds(rootPid) - cpu, rendererMiB(), renderer);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
  fake.close();
}
