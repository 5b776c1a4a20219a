// The web client as a web page (issue 6): static hosting on another origin than the API,
// the loading screen, deep links and history, what survives a reload, text input through
// the hidden textarea (IME composition, keyboards without key events), the system
// clipboard, the page's own inputs, the title and the screen-reader live region.
// Real server, real Chromium, Python's http.server as the plain static host. One server and
// one Chromium are started for all of them (the slow part): hence one long file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { launchChromium } from '../support/browser.mjs';
import { startServer, requireEnv } from '../support/server.mjs';
import { startStaticSite } from '../support/static_site.mjs';
import { openApp as openPage, state, waitFor, clickLandmark as click } from '../support/app_page.mjs';

const outDir = join(requireEnv('IMCHAT_TEST_OUTPUT'), 'browser');
mkdirSync(outDir, { recursive: true });
const webRoot = requireEnv('IMCHAT_WEB_ROOT');

let server, browser;
before(async () => {
  server = await startServer({ webRoot });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  const exit = await server?.stop();
  assert.equal(exit?.code, 0, `server did not stop cleanly: ${JSON.stringify(exit)}`);
});

const open = (options) => openPage(browser, server, { strictHttp: true, ...options });

async function newChat(page) {
  const before = (await state(page)).open;
  await click(page, 'new_chat');
  const handle = await waitFor(page, (b) => {
    const s = window.imchat.state();
    return s.route === 'chat' && s.open !== b && s.open;
  }, before);
  return handle.jsonValue();
}

async function focusComposer(page) {
  await click(page, 'composer');
  await waitFor(page, () => window.imchat.state().composerFocused &&
    document.activeElement && document.activeElement.id === 'imchat-input');
}

test('served by a plain static server on another origin, with config.json naming the API', async () => {
  const site = await startStaticSite(webRoot);
  const api = await startServer({ args: ['--cors-origin', site.url] });
  try {
    writeFileSync(join(site.dir, 'config.json'), JSON.stringify({ server: api.url, theme: 'light' }));
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    const apiRequests = [];
    page.on('request', (r) => { if (r.url().startsWith(api.url)) apiRequests.push(r.url()); });
    await page.goto(site.url + '/');
    await waitFor(page, () => {
      const s = window.imchat.state();
      return s.connection === 'connected' && s.realtime === 'open' && s.user;
    });
    const s = await state(page);
    assert.equal(s.theme, 'light', 'the configured default theme');
    // What this load cost, for the record (make bench has the gzipped, cold-cache figures).
    const load = await page.evaluate(() => ({
      timing: window.imchat.timing,
      resources: performance.getEntriesByType('resource').map((r) => ({ name: r.name, bytes: r.transferSize })),
    }));
    assert.ok(load.timing.firstFrame > 0 && load.resources.some((r) => r.name.endsWith('imchat.wasm')));
    writeFileSync(join(outDir, 'static_site_load.json'), JSON.stringify(load, null, 2));
    assert.ok(apiRequests.some((u) => u.includes('/api/')), 'the API was called on its own origin');
    assert.ok(!site.url.startsWith(api.url));
    await page.screenshot({ path: join(outDir, 'static_site_light.png') });
    assert.deepEqual(problems, []);

    // ?server= wins over config.json when config.json lists that server: a config pointing
    // nowhere still works with it.
    writeFileSync(join(site.dir, 'config.json'),
      JSON.stringify({ server: 'http://127.0.0.1:9', servers: [api.url] }));
    await page.goto(`${site.url}/?server=${encodeURIComponent(api.url)}`);
    await waitFor(page, () => window.imchat.state().realtime === 'open');
    assert.equal((await state(page)).theme, 'dark');
    await context.close();
  } finally {
    await api.stop();
    await site.stop();
  }
});

test('a link cannot point the app, or the session it keeps, at another server', async () => {
  // The site's own server, one more it lists in config.json "servers", and an attacker's
  // that it does not list, which records whatever reaches it.
  const site = await startStaticSite(webRoot);
  const home = await startServer({ args: ['--cors-origin', site.url] });
  const listed = await startServer({ args: ['--cors-origin', site.url] });
  const reached = [];
  const attacker = createServer((req, res) => {
    reached.push(`${req.method} ${req.url} ${req.headers.authorization || ''}`);
    res.writeHead(404);
    res.end();
  });
  attacker.on('upgrade', (req, socket) => { reached.push(`upgrade ${req.url}`); socket.destroy(); });
  await new Promise((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  const attackerUrl = `http://127.0.0.1:${attacker.address().port}`;
  try {
    writeFileSync(join(site.dir, 'config.json'), JSON.stringify({ server: home.url, servers: [listed.url] }));
    const context = await browser.newContext({ viewport: { width: 900, height: 600 } });
    const page = await context.newPage();
    const sent = [];  // every request and socket the page opened, with its credentials
    page.on('request', (r) => sent.push({ url: r.url(), auth: r.headers().authorization || '' }));
    page.on('websocket', (ws) => sent.push({ url: ws.url(), auth: '' }));
    const signedIn = () => {
      const s = window.imchat.state();
      return s.realtime === 'open' && s.user;
    };
    await page.goto(site.url + '/');
    await waitFor(page, signedIn);
    const homeUser = (await state(page)).user;
    const homeToken = await page.evaluate(() => localStorage.getItem('imchat.token'));
    assert.ok(homeToken, 'the home session is kept');

    // The attacker's link: refused with a clear reason before anything leaves the page.
    await page.goto(`${site.url}/?server=${encodeURIComponent(attackerUrl)}`);
    await page.waitForSelector('#boot.error');
    const message = await page.textContent('#boot .text');
    assert.match(message, /would connect to http:\/\/127\.0\.0\.1:\d+, a server this site does not use/);
    await page.screenshot({ path: join(outDir, 'server_not_allowed.png') });
    assert.deepEqual(reached, [], 'nothing reached the unlisted server');
    assert.ok(!sent.some((r) => r.url.startsWith(attackerUrl)));

    // A listed server: a session of its own, and the home token never goes there.
    await page.goto(`${site.url}/?server=${encodeURIComponent(listed.url)}`);
    await waitFor(page, signedIn);
    const listedUser = (await state(page)).user;
    assert.notEqual(listedUser, homeUser, 'a fresh session on the other server');
    const toListed = sent.filter((r) => r.url.startsWith(listed.url) || r.url.startsWith(listed.url.replace('http', 'ws')));
    assert.ok(toListed.length > 0);
    for (const r of toListed) {
      assert.ok(!r.auth.includes(homeToken) && !r.url.includes(homeToken), `the home token went to ${r.url}`);
    }
    const kept = await page.evaluate((o) => [localStorage.getItem('imchat.token'), localStorage.getItem(`imchat.token@${o}`)], listed.url);
    assert.equal(kept[0], homeToken, 'the home session is untouched');
    assert.ok(kept[1] && kept[1] !== homeToken, 'the other server\'s session is kept apart');

    // Back home: the first session, as it was.
    await page.goto(site.url + '/');
    await waitFor(page, signedIn);
    assert.equal((await state(page)).user, homeUser);
    await context.close();
  } finally {
    await new Promise((resolve) => attacker.close(resolve));
    await home.stop();
    await listed.stop();
    await site.stop();
  }
});

test('the loading screen shows real progress, and says clearly what is missing', async () => {
  // Progress: the bar's values as the (throttled) downloads arrive.
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  await context.addInitScript(() => {
    window.__progress = [];
    window.__uncovered = [];
    new MutationObserver(() => {
      const boot = document.getElementById('boot');
      const bar = document.querySelector('#boot .bar');
      if (!bar) return;
      window.__progress.push(Number(bar.getAttribute('aria-valuenow')));
      // The canvas is on the page from the start, under the loading screen, which must hide
      // it completely until the first frame (no black or half-drawn canvas shows through).
      const style = getComputedStyle(boot);
      const covers = style.display !== 'none' && /^rgb\(/.test(style.backgroundColor) &&
        Number(style.zIndex) > (parseInt(getComputedStyle(document.getElementById('canvas')).zIndex, 10) || 0);
      if (!covers) window.__uncovered.push(style.display + ' ' + style.backgroundColor);
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 20, downloadThroughput: 2 * 1024 * 1024, uploadThroughput: -1,
  });
  await page.goto(server.url + '/');
  await waitFor(page, () => window.imchat.shown);
  const progress = await page.evaluate(() => window.__progress);
  assert.ok(progress.some((p) => p > 0 && p < 100), `intermediate progress: ${progress}`);
  assert.equal(progress.at(-1), 100);
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress never goes back');
  assert.deepEqual(await page.evaluate(() => window.__uncovered), [], 'the loading screen covers the canvas');
  await context.close();

  const failures = [
    // Without WebGL 2 the app draws on a 2D canvas (chat_flow tests that); with neither,
    // nothing can draw.
    ['nothing to draw on', () => {
      const original = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
        return type === 'webgl2' || type === '2d' ? null : original.call(this, type, ...rest);
      };
    }, /cannot draw in this browser.*neither WebGL 2 nor a 2D canvas/],
    ['no WebAssembly', () => { delete window.WebAssembly; }, /needs WebAssembly/],
  ];
  for (const [name, script, expected] of failures) {
    const ctx = await browser.newContext({ viewport: { width: 800, height: 600 } });
    await ctx.addInitScript(script);
    const p = await ctx.newPage();
    await p.goto(server.url + '/');
    const text = await (await p.waitForFunction(() => {
      const boot = document.getElementById('boot');
      return boot.className === 'error' && boot.textContent.trim();
    })).jsonValue();
    assert.match(text, expected, name);
    if (name === 'nothing to draw on') await p.screenshot({ path: join(outDir, 'boot_no_canvas.png') });
    await ctx.close();
  }

  // A broken config.json is named, not a blank page.
  const site = await startStaticSite(webRoot, '{"server": ');
  try {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(site.url + '/');
    const text = await (await p.waitForFunction(() => document.getElementById('boot').className === 'error' &&
      document.getElementById('boot').textContent.trim())).jsonValue();
    assert.match(text, /config\.json/);
    await ctx.close();
  } finally {
    await site.stop();
  }
});

test('the open chat is in the address: back, forward and reload return to it; drafts stay', async () => {
  const { context, page, problems } = await open();
  const first = await newChat(page);
  assert.equal(await page.evaluate(() => location.hash), `#/c/${first}`);
  const second = await newChat(page);
  assert.equal(await page.evaluate(() => location.hash), `#/c/${second}`);

  await page.goBack();
  await waitFor(page, (id) => window.imchat.state().open === id, first);
  await page.goForward();
  await waitFor(page, (id) => window.imchat.state().open === id, second);

  // A draft typed but not sent, then a reload: same chat, same draft.
  await focusComposer(page);
  await page.keyboard.type('Half a thought');
  await waitFor(page, () => window.imchat.state().composer === 'Half a thought');
  await page.reload();
  await waitFor(page, (id) => {
    const s = window.imchat.state();
    return s.open === id && s.composer === 'Half a thought';
  }, second);

  // Without a hash the last chat reopens; a hash names another.
  await page.goto(server.url + '/');
  await waitFor(page, (id) => window.imchat.state().open === id, second);
  await page.goto(`${server.url}/#/c/${first}`);
  await waitFor(page, (id) => window.imchat.state().open === id && window.imchat.state().composer === '', first);
  assert.deepEqual(problems, []);
  await context.close();
});

test('input methods: a CJK composition shows while composing and lands in the message', async () => {
  const { context, page, problems } = await open();
  await newChat(page);
  await focusComposer(page);
  const cdp = await context.newCDPSession(page);
  await page.keyboard.type('Say ');
  await cdp.send('Input.imeSetComposition', { text: 'にほんご', selectionStart: 4, selectionEnd: 4 });
  const composing = await page.evaluate(() => {
    const input = document.getElementById('imchat-input');
    return { value: input.value, composing: input.classList.contains('composing') };
  });
  assert.deepEqual(composing, { value: 'にほんご', composing: true });
  await page.screenshot({ path: join(outDir, 'ime_composing.png') });
  await cdp.send('Input.insertText', { text: '日本語' });
  await waitFor(page, () => window.imchat.state().composer === 'Say 日本語');
  // Text with no key events at all, as Android keyboards (keyCode 229) and dead keys give.
  await cdp.send('Input.insertText', { text: ' café' });
  await waitFor(page, () => window.imchat.state().composer === 'Say 日本語 café');
  assert.equal(await page.evaluate(() => document.getElementById('imchat-input').classList.contains('composing')), false);
  await page.keyboard.press('Backspace');
  await waitFor(page, () => window.imchat.state().composer === 'Say 日本語 caf');
  await page.keyboard.press('Enter');
  await waitFor(page, () => window.imchat.state().messages.some((m) => m.role === 'USER' && m.content === 'Say 日本語 caf' && m.delivery === 'sent'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('the system clipboard: paste, copy and cut in the composer, and a reply\'s Copy button', async () => {
  const { context, page, problems } = await open();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await newChat(page);
  await focusComposer(page);
  const text = 'First line\nВторая строка — ελληνικά ✓';
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press('Control+V');
  await waitFor(page, (t) => window.imchat.state().composer === t, text);

  await page.evaluate(() => navigator.clipboard.writeText('something else'));
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+C');
  await waitFor(page, async (t) => (await navigator.clipboard.readText()) === t, text);
  await page.keyboard.press('Control+X');
  await waitFor(page, () => window.imchat.state().composer === '');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);

  await page.keyboard.type('Tell me something');
  await page.keyboard.press('Enter');
  const reply = await (await waitFor(page, () => {
    const m = window.imchat.state().messages.find((x) => x.role === 'ASSISTANT' && x.status === 'complete');
    return m && m.content;
  })).jsonValue();
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await click(page, 'message.copy');
  await waitFor(page, async (t) => (await navigator.clipboard.readText()) === t, reply);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the page\'s own inputs keep Backspace and Tab while the app runs, and the composer steps aside', async () => {
  const { context, page, problems } = await open();
  await newChat(page);
  await focusComposer(page);
  await page.evaluate(() => {
    for (const id of ['host-a', 'host-b']) {
      const input = document.createElement('input');
      input.id = id;
      input.style.cssText = 'position:fixed;z-index:5;top:4px;left:' + (id === 'host-a' ? 4 : 200) + 'px';
      document.body.appendChild(input);
    }
  });
  await page.keyboard.type('Hello');
  await page.click('#host-a');
  // The composer lets go as a page's own field would: no caret beside the input's.
  await waitFor(page, () => !window.imchat.state().composerFocused);
  await page.keyboard.type('abc');
  await page.keyboard.press('Backspace');
  assert.equal(await page.inputValue('#host-a'), 'ab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'host-b');
  // And none of it reached the chat.
  assert.equal((await state(page)).composer, 'Hello');
  // The keyboard comes back without a click (focus moved to the app, as Alt+Tab or Tab
  // would): the composer takes it again, caret where it was.
  await page.focus('#canvas');
  await waitFor(page, () => window.imchat.state().composerFocused &&
    document.activeElement.id === 'imchat-input');
  await page.keyboard.type(' there');
  await waitFor(page, () => window.imchat.state().composer === 'Hello there');
  assert.deepEqual(problems, []);
  await context.close();
});

// Emscripten's GLFW shows no mouse cursors: the canvas's CSS cursor carries ImGui's.
test('the mouse cursor says what is under it: a hand on controls, a text bar on text', async () => {
  const { context, page, problems } = await open();
  await newChat(page);
  await focusComposer(page);
  await page.keyboard.type('Where is the pointer?');
  await page.keyboard.press('Enter');
  await waitFor(page, () => window.imchat.state().messages.some((m) => m.role === 'ASSISTANT' && m.status === 'complete'));
  const s = await state(page);
  const reply = s.landmarks[`message.${s.messages.find((m) => m.role === 'ASSISTANT').id}`];
  const middle = (r) => [r[0] + r[2] / 2, r[1] + r[3] / 2];
  const places = [
    ['pointer', middle(s.landmarks.new_chat)],
    ['text', middle(s.landmarks.composer)],
    ['text', [reply[0] + 62, reply[1] + 28]],  // the reply's first line
    ['default', [reply[0] + reply[2] / 2, reply[1] + reply[3] + 60]],  // empty space below it
    ['pointer', middle(s.landmarks.settings)],
    ['default', middle(s.landmarks.send)],  // nothing to send: disabled, so no hand
  ];
  for (const [cursor, [x, y]] of places) {
    await page.mouse.move(x, y);
    await page.mouse.move(x + 1, y);
    await waitFor(page, (c) => document.getElementById('canvas').style.cursor === c, cursor)
      .catch(async () => assert.fail(`at ${x},${y}: "${await page.evaluate(() => document.getElementById('canvas').style.cursor)}", not "${cursor}"`));
  }
  assert.deepEqual(problems, []);
  await context.close();
});

// ImGui 1.86 reports that a text field wants text only from the frame after it took the
// focus, and an idle app may not draw that frame for a while: a key typed in between went to
// the canvas and was lost (a chat's first character). After every frame in which the
// composer is focused, the keyboard must already be in the textarea.
test('the keyboard is in the textarea from the very frame a text field takes the focus', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  await context.addInitScript(() => {
    window.__frames = { focused: 0, misses: [] };
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (callback) => raf((time) => {
      callback(time);
      const s = window.imchat && window.imchat.ready && window.imchat.state();
      if (!s || !s.composerFocused) return;
      window.__frames.focused++;
      const where = document.activeElement && document.activeElement.id;
      if (where !== 'imchat-input') window.__frames.misses.push(`frame ${s.frames}: ${where}`);
    });
  });
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await waitFor(page, () => window.imchat.ready && window.imchat.state().realtime === 'open' &&
    window.imchat.state().landmarks.new_chat);
  for (let i = 0; i < 3; i++) {
    await newChat(page);  // the click takes the focus from the composer; the new chat gives it back
    await waitFor(page, () => window.imchat.state().composerFocused);
  }
  const frames = await page.evaluate(() => window.__frames);
  assert.ok(frames.focused > 0, 'frames with the composer focused were seen');
  assert.deepEqual(frames.misses, []);
  await context.close();
});

test('screen readers hear new messages and finished replies; the title counts unread', async () => {
  const register = async (name) => {
    const res = await fetch(server.url + '/api/auth/register', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${name.toLowerCase()}-${Date.now()}@example.com`, password: 'correct horse battery', name }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()).data;
  };
  const ada = await register('Ada');
  const bob = await register('Bob');
  const asAda = (path, body) => fetch(server.url + path, {
    method: 'POST', headers: { authorization: `Bearer ${ada.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const group = (await (await asAda('/api/conversations', { title: 'Plans', type: 'GROUP', participantIds: [bob.user.id] })).json()).data;

  const { context, page, problems } = await open({ token: bob.token });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await waitFor(page, () => document.title === 'imchat');
  const spoken = () => page.evaluate(() => [...document.querySelectorAll('#imchat-live p')].map((p) => p.textContent));
  // Waits for the document title; on a timeout says what it was and what the list held.
  const waitTitle = (title) => waitFor(page, (t) => document.title === t, title).catch(async () => {
    const s = await state(page);
    assert.fail(`title "${await page.evaluate(() => document.title)}", not "${title}"; open ${s.open}; ` +
      JSON.stringify(s.conversations.map((c) => [c.id, c.title, c.unread])));
  });

  // A message from someone else in the open chat is read out, without Markdown marks.
  await click(page, `row.${group.id}`);
  await waitFor(page, (id) => window.imchat.state().open === id && window.imchat.state().live, group.id);
  await waitFor(page, () => document.title === 'Plans · imchat');
  assert.equal((await asAda('/api/messages', { conversationId: group.id, content: 'Lunch at **noon**?' })).status, 201);
  await waitFor(page, () => [...document.querySelectorAll('#imchat-live p')].some((p) => p.textContent === 'Ada: Lunch at noon?'));

  // An AI reply is read paragraph by paragraph as each is finished, never token by token.
  const before = (await spoken()).length;
  await newChat(page);
  await focusComposer(page);
  await page.keyboard.type('Hello there');
  await page.keyboard.press('Enter');
  await waitFor(page, () => [...document.querySelectorAll('#imchat-live p')].some((p) => /Reply finished$/.test(p.textContent)));
  const reply = (await state(page)).messages.find((m) => m.role === 'ASSISTANT').content;
  const paragraphs = reply.split('\n\n').filter((p) => p.trim());
  const lines = (await spoken()).slice(before);
  assert.equal(lines.length, paragraphs.length, `one announcement per paragraph: ${JSON.stringify(lines)} for ${JSON.stringify(reply)}`);
  assert.match(lines[0], /^Assistant: /);
  assert.ok(lines.every((l) => !l.includes('**') && !l.includes('`')), JSON.stringify(lines));
  await waitTitle('Hello there · imchat');

  // Ada writes in the other chat: the title counts it until Bob opens that chat.
  assert.equal((await asAda('/api/messages', { conversationId: group.id, content: 'Bring a coat' })).status, 201);
  await waitTitle('(1) Hello there · imchat');
  await click(page, `row.${group.id}`);
  // Opening it reads it: nothing is unread any more. (The AI chat's reply, read as it came,
  // stays read even when a list the server built before that read arrives later.)
  await waitTitle('Plans · imchat');
  await waitFor(page, () => window.imchat.state().conversations.every((c) => c.unread === 0))
    .catch(async () => assert.fail(`unread: ${JSON.stringify((await state(page)).conversations.map((c) => [c.title, c.unread]))}`));
  assert.deepEqual(problems, []);
  await context.close();
});

test('a phone (touch, DPR 3, 390×844): the drawer, fingertip controls, the keyboard, flick scrolling', async () => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true,
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(server.url + '/');
  await waitFor(page, () => {
    const s = window.imchat.state();
    return s.realtime === 'open' && s.route === 'list' && s.landmarks.new_chat;
  });
  assert.equal((await state(page)).touch, true);
  await page.screenshot({ path: join(outDir, 'phone_list.png') });
  const tap = async (name) => {
    const rect = (await state(page)).landmarks[name];
    assert.ok(rect, `${name} on screen`);
    await page.touchscreen.tap(rect[0] + rect[2] / 2, rect[1] + rect[3] / 2);
  };
  await tap('new_chat');
  await waitFor(page, () => window.imchat.state().route === 'chat' && window.imchat.state().landmarks.composer);
  // Tapping the composer gives the keyboard to the textarea (a phone shows its keyboard).
  await tap('composer');
  await waitFor(page, () => window.imchat.state().composerFocused && document.activeElement.id === 'imchat-input');
  for (let i = 1; i <= 3; i++) {
    await page.keyboard.type(`Question ${i}`);
    await page.keyboard.press('Enter');
    await waitFor(page, (n) => window.imchat.state().messages.filter((m) => m.role === 'ASSISTANT' && m.status === 'complete').length === n, i);
  }
  // The state can say a reply is complete before a frame has drawn its footer: wait for
  // the screen to show every control.
  const controls = ['back', 'chat_settings', 'composer', 'send', 'message.copy', 'message.regenerate'];
  await waitFor(page, (names) => names.every((n) => window.imchat.state().landmarks[n]), controls);
  const s = await state(page);
  for (const name of controls) {
    assert.ok(s.landmarks[name][3] >= 40, `${name} is a fingertip tall: ${s.landmarks[name]}`);
  }
  await page.screenshot({ path: join(outDir, 'phone_chat.png') });

  // A flick down the list: the finger moves 150 px quickly, the list keeps gliding after
  // the finger lifts, and no text gets selected on the way.
  await waitFor(page, () => {
    const [offset, max] = window.imchat.state().scroll;
    return max > 600 && Math.abs(offset - max) < 1;
  });
  // The events carry a flick's timing (16 ms apart) whatever the machine's speed.
  const cdp = await context.newCDPSession(page);
  const x = 200;
  let y = 300;
  let timestamp = Date.now() / 1000;
  const touch = (type, touchPoints) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints, timestamp });
  await touch('touchStart', [{ x, y }]);
  for (let i = 0; i < 6; i++) {
    y += 25;
    timestamp += 0.016;
    await touch('touchMove', [{ x, y }]);
  }
  timestamp += 0.016;
  await touch('touchEnd', []);
  const atLift = (await state(page)).scroll;
  const glided = await (await waitFor(page, (lift) => {
    // Settled: two readings a frame apart agree, and it went on after the finger lifted.
    const now = window.imchat.state().scroll[0];
    const settled = window.__lastScroll === now;
    window.__lastScroll = now;
    return settled && now < lift[0] - 1 ? now : false;
  }, atLift)).jsonValue();
  const dragged = atLift[1] - atLift[0];
  assert.ok(dragged > 100, `the drag scrolled the list: ${dragged}`);
  assert.ok(atLift[0] - glided > 20, `and it glided on: ${atLift[0]} → ${glided}`);
  assert.equal((await state(page)).selection, '');
  assert.deepEqual(problems, []);
  await context.close();
});

// A code line too long for its panel keeps its shape and the panel scrolls sideways — by a
// trackpad's sideways swipe, by Shift and the wheel, by a finger — while the list stays put;
// so does a table of more columns than the bubble holds.
test('wide code blocks and tables scroll sideways: trackpad, Shift+wheel, a finger; the list stays', async () => {
  const long = 'const config = { ' + Array.from({ length: 30 }, (_, i) => `option${i}: ${i}`).join(', ') + ' };';
  const code = '```js\n' + long + '\nstart(config);\n```';
  const codeRect = async (page) => (await waitFor(page, () => {
    const marks = window.imchat.state().landmarks;
    const name = Object.keys(marks).find((n) => n.startsWith('scroll.'));
    return name ? marks[name] : false;
  })).jsonValue();
  const sideScroll = (page, want) => waitFor(page, (w) => {
    const [offset] = window.imchat.state().sideScroll;
    return Math.abs(offset - w) < 3;
  }, want);

  const { context, page, problems } = await open({ width: 1000, height: 700 });
  await newChat(page);
  await waitFor(page, () => window.imchat.state().composerFocused);
  assert.equal(await page.evaluate((t) => window.imchat.send(t), code), true);
  await waitFor(page, () => window.imchat.state().messages.some((m) => m.role === 'ASSISTANT' && m.status === 'complete'));
  const rect = await codeRect(page);
  const [cx, cy] = [rect[0] + rect[2] / 2, rect[1] + rect[3] / 2];
  await page.mouse.move(cx, cy);
  const listBefore = (await state(page)).scroll[0];

  // A trackpad's sideways swipe: pixel deltas, the panel moves as far as the fingers.
  for (let i = 0; i < 6; i++) await page.mouse.wheel(10, 0);
  await sideScroll(page, 60);
  // Shift and a wheel notch down: on along the line, about a notch.
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, 100);
  const shifted = await (await waitFor(page, () => {
    const [offset] = window.imchat.state().sideScroll;
    return offset > 100 ? offset : false;
  })).jsonValue();
  await page.keyboard.up('Shift');
  assert.ok(shifted > 130 && shifted < 180, `Shift+wheel moved the panel a notch: 60 → ${shifted}`);
  // Far to the right it stops at the line's end; far back, at its start.
  await page.mouse.wheel(20000, 0);
  const [end, max] = (await (await waitFor(page, () => {
    const [offset, most] = window.imchat.state().sideScroll;
    return most > 0 && Math.abs(offset - most) < 0.5 ? [offset, most] : false;
  })).jsonValue());
  assert.ok(max > 200, `the line is wider than its panel: ${max}`);
  await page.screenshot({ path: join(outDir, 'code_scrolled.png') });
  await page.mouse.wheel(-20000, 0);
  await sideScroll(page, 0);
  assert.equal((await state(page)).scroll[0], listBefore, 'the list did not move');
  assert.ok(end <= max);

  // A table of more columns than the bubble can hold scrolls the same way.
  const cols = Array.from({ length: 16 }, (_, i) => `col ${i}`);
  const table = `| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|\n| ${cols.map((_, i) => i * 11).join(' | ')} |`;
  assert.equal(await page.evaluate((t) => window.imchat.send(t), table), true);
  const tableId = await (await waitFor(page, () => {
    const s = window.imchat.state();
    const mine = s.messages.filter((m) => m.role === 'USER');
    const last = mine[mine.length - 1];
    return mine.length === 2 && last.delivery === 'sent' && s.landmarks[`scroll.${last.id}.0`] ? last.id : false;
  })).jsonValue();
  await waitFor(page, () => window.imchat.state().messages.filter((m) => m.role === 'ASSISTANT' && m.status === 'complete').length === 2);
  await waitFor(page, () => { const [o, m] = window.imchat.state().scroll; return Math.abs(o - m) < 1; });
  const t = (await state(page)).landmarks[`scroll.${tableId}.0`];
  await page.mouse.move(t[0] + t[2] / 2, t[1] + t[3] / 2);
  for (let i = 0; i < 8; i++) await page.mouse.wheel(10, 0);
  await sideScroll(page, 80);
  await page.screenshot({ path: join(outDir, 'table_scrolled.png') });
  assert.deepEqual(problems, []);
  await context.close();

  // A finger: a drag mostly sideways scrolls the panel, not the list.
  const phone = await browser.newContext({ viewport: { width: 1000, height: 700 }, hasTouch: true });
  const touchPage = await phone.newPage();
  await touchPage.goto(server.url + '/');
  await waitFor(touchPage, () => window.imchat.state().realtime === 'open' && window.imchat.state().landmarks.new_chat);
  await newChat(touchPage);
  assert.equal(await touchPage.evaluate((t) => window.imchat.send(t), code), true);
  await waitFor(touchPage, () => window.imchat.state().messages.some((m) => m.role === 'ASSISTANT' && m.status === 'complete'));
  const r = await codeRect(touchPage);
  const listAt = (await state(touchPage)).scroll[0];
  const cdp = await phone.newCDPSession(touchPage);
  let x = r[0] + r[2] - 40;
  const y = r[1] + r[3] / 2;
  let timestamp = Date.now() / 1000;
  const touch = (type, touchPoints) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints, timestamp });
  await touch('touchStart', [{ x, y }]);
  for (let i = 0; i < 8; i++) {
    x -= 15;
    timestamp += 0.016;
    await touch('touchMove', [{ x, y: y + (i % 2) }]);
  }
  timestamp += 0.016;
  await touch('touchEnd', []);
  // The first 8 px are the slop that tells a drag from a tap; the rest moves the panel.
  const moved = await (await waitFor(touchPage, () => {
    const [offset] = window.imchat.state().sideScroll;
    return offset > 80 ? offset : false;
  })).jsonValue();
  assert.ok(moved <= 120, `a 120 px drag moved the panel ${moved} px`);
  assert.equal((await state(touchPage)).scroll[0], listAt, 'the list did not move');
  await phone.close();
});

test('a desktop wheel and a trackpad: a notch moves the list a notch its way; the page never scrolls', async () => {
  const { context, page, problems } = await open({ width: 1000, height: 520 });
  await newChat(page);
  await waitFor(page, () => window.imchat.state().composerFocused);
  for (let i = 1; i <= 4; i++) {
    await page.keyboard.type(`Question ${i}`);
    await page.keyboard.press('Enter');
    await waitFor(page, (n) => window.imchat.state().messages.filter((m) => m.role === 'ASSISTANT' && m.status === 'complete').length === n, i);
  }
  await waitFor(page, () => {
    const [offset, max] = window.imchat.state().scroll;
    return max > 400 && Math.abs(offset - max) < 1;
  });
  // Every wheel event the page sees after ours: was it taken (so nothing scrolls behind)?
  await page.evaluate(() => {
    window.__wheels = [];
    window.addEventListener('wheel', (e) => window.__wheels.push(e.defaultPrevented));
  });
  const composer = (await state(page)).landmarks.composer;
  const x = composer[0] + composer[2] / 2;
  const y = composer[1] - 120;  // over the message list
  await page.mouse.move(x, y);
  // The list's offset once it has settled: two readings a frame apart agree.
  const settledScroll = async (changedFrom) => (await waitFor(page, (from) => {
    const now = window.imchat.state().scroll[0];
    const settled = window.__lastScroll === now;
    window.__lastScroll = now;
    return settled && (from === null || Math.abs(now - from) > 0.5) ? now : false;
  }, changedFrom)).jsonValue();
  const bottom = await settledScroll(null);

  // A mouse notch up (Chromium: deltaY −100 CSS px): up the history by about that much.
  await page.mouse.wheel(0, -100);
  const up = await settledScroll(bottom);
  assert.ok(bottom - up > 80 && bottom - up < 120, `one notch up moved the list ${bottom - up} px (from ${bottom} to ${up})`);
  // And a notch down brings it back to the bottom.
  await page.mouse.wheel(0, 100);
  const down = await settledScroll(up);
  assert.ok(Math.abs(down - bottom) < 1, `one notch down is back at the bottom: ${down} vs ${bottom}`);

  // A trackpad: many small pixel deltas, each moving the list as far as the fingers did.
  for (let i = 0; i < 10; i++) await page.mouse.wheel(0, -6);
  const swiped = await (await waitFor(page, (target) => {
    const now = window.imchat.state().scroll[0];
    return Math.abs(now - target) < 3 ? now : false;
  }, bottom - 60)).jsonValue();
  assert.ok(Math.abs(bottom - 60 - swiped) < 3, `a 60 px swipe moved the list ${bottom - swiped} px`);

  // Firefox's wheel counts lines (deltaMode 1, three a notch): the same notch.
  await page.evaluate(([cx, cy]) => {
    const canvas = document.getElementById('canvas');
    canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: -3, deltaMode: 1, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
  }, [x, y]);
  const lines = await settledScroll(swiped);
  assert.ok(swiped - lines > 80 && swiped - lines < 120, `three lines up moved the list ${swiped - lines} px`);

  // Shift turns the wheel sideways: the message list does not move up or down.
  await page.keyboard.down('Shift');
  const framesBefore = (await state(page)).frames;
  await page.mouse.wheel(0, -100);
  await waitFor(page, (f) => window.imchat.state().frames >= f + 3, framesBefore);
  await page.keyboard.up('Shift');
  assert.equal((await state(page)).scroll[0], lines, 'Shift+wheel leaves the list where it was');

  const taken = await page.evaluate(() => window.__wheels);
  assert.ok(taken.length >= 13, `the page saw the wheel events: ${taken.length}`);
  assert.ok(taken.every((t) => t), 'every wheel event was the app\'s: the page behind never scrolls');
  assert.equal(await page.evaluate(() => window.scrollY), 0);
  await page.screenshot({ path: join(outDir, 'wheel_scrolled.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
