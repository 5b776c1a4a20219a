// Embedding (issue 6): a host page on another origin mounts the chat with embed.js, drives
// it through the handle and hears its events; a page whose origin is not allowed is
// ignored; the server's frame-ancestors policy keeps unknown pages from framing the app at
// all; the example page with two chats works. Three origins on loopback: the API server
// (127.0.0.1:A), the static app (localhost:S, Python's http.server) and the host pages
// (127.0.0.1:H, 127.0.0.1:D).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../support/browser.mjs';
import { startServer, requireEnv } from '../support/server.mjs';
import { startStaticSite, startPageServer } from '../support/static_site.mjs';

const outDir = join(requireEnv('IMCHAT_TEST_OUTPUT'), 'browser');
mkdirSync(outDir, { recursive: true });
const webRoot = requireEnv('IMCHAT_WEB_ROOT');
const TIMEOUT = { timeout: 30000, polling: 50 };

// A host page: an ordinary page with its own input, taller than the window, that loads
// embed.js from appOrigin and mounts a chat when told to.
const hostPage = (appOrigin) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host page</title></head>
<body style="margin:0;font:15px sans-serif;height:2400px">
<p style="padding:8px">A page about something else. <input id="host-input" placeholder="Host input"></p>
<div id="chat" style="width:480px;height:620px;margin-left:8px"></div>
<script src="${appOrigin}/embed.js"></script>
<script>
  window.events = [];
  window.mountChat = (options) => {
    window.chat = imchat.mount(document.getElementById('chat'), options);
    for (const type of ['ready', 'message', 'unread', 'error'])
      window.chat.on(type, (e) => window.events.push({ type, ...e }));
  };
</script></body></html>`;

let api, site, allowedHost, otherHost, browser;
before(async () => {
  site = await startStaticSite(webRoot);
  api = await startServer({ args: ['--cors-origin', site.url] });
  allowedHost = await startPageServer(hostPage(site.url));
  otherHost = await startPageServer(hostPage(site.url));
  writeFileSync(join(site.dir, 'config.json'),
    JSON.stringify({ server: api.url, embedOrigins: [allowedHost.url] }));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await allowedHost?.stop();
  await otherHost?.stop();
  await site?.stop();
  const exit = await api?.stop();
  assert.equal(exit?.code, 0, `server did not stop cleanly: ${JSON.stringify(exit)}`);
});

async function registerWithChat(name) {
  const res = await fetch(api.url + '/api/auth/register', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${name}-${Date.now()}@example.com`, password: 'correct horse battery', name }),
  });
  assert.equal(res.status, 201);
  const { user, token } = (await res.json()).data;
  const created = await fetch(api.url + '/api/conversations', {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Help', type: 'AI' }),
  });
  assert.equal(created.status, 201);
  return { user, token, conversation: (await created.json()).data.id };
}

async function messagesOnServer(session) {
  const res = await fetch(`${api.url}/api/messages?where[conversationId][equals]=${session.conversation}`,
    { headers: { authorization: `Bearer ${session.token}` } });
  return (await res.json()).data.map((m) => m.content);
}

async function openHost(host) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  await page.goto(host.url + '/');
  const appFrame = async () => {
    const handle = await page.waitForFunction(() => document.querySelector('#chat iframe'), null, TIMEOUT);
    await handle.dispose();
    for (;;) {
      const frame = page.frames().find((f) => f.url().startsWith(site.url));
      if (frame) return frame;
      await page.waitForEvent('frameattached', TIMEOUT).catch(() => {});
    }
  };
  return { context, page, problems, appFrame };
}

test('a page on an allowed origin mounts the chat, sends through the handle and hears its events', async () => {
  const session = await registerWithChat('host-user');
  const { context, page, problems, appFrame } = await openHost(allowedHost);
  await page.evaluate((o) => window.mountChat(o), { server: api.url, conversation: session.conversation, token: session.token });
  await page.waitForFunction(() => window.events.some((e) => e.type === 'ready'), null, TIMEOUT);
  const ready = await page.evaluate(() => window.events.find((e) => e.type === 'ready'));
  assert.equal(ready.user, session.user.id, 'signed in with the page\'s token, not as a guest');

  // The token went by postMessage only: not in the address, not in the app's storage.
  const frame = await appFrame();
  assert.ok(!frame.url().includes(session.token));
  // (Chromium may deny a third-party frame its storage altogether; the app copes.)
  assert.equal(await frame.evaluate(() => {
    try { return localStorage.getItem('imchat.token'); } catch (e) { return null; }
  }), null);
  await frame.waitForFunction((id) => window.imchat.state().open === id, session.conversation, TIMEOUT);

  await page.evaluate(() => window.chat.send('Hello from the host page'));
  await page.waitForFunction(() => window.events.some((e) => e.type === 'message' &&
    e.message.role === 'USER' && e.message.content === 'Hello from the host page'), null, TIMEOUT);
  await page.waitForFunction(() => window.events.some((e) => e.type === 'message' &&
    e.message.role === 'ASSISTANT' && e.message.status === 'complete'), null, TIMEOUT);
  assert.ok((await messagesOnServer(session)).includes('Hello from the host page'));
  assert.ok(await page.evaluate(() => window.events.some((e) => e.type === 'unread' && e.count === 0)));

  // The handle's theme reaches the app; a bad command comes back as an error event.
  await page.evaluate(() => window.chat.setTheme('light'));
  await frame.waitForFunction(() => window.imchat.state().theme === 'light', null, TIMEOUT);
  await page.evaluate(() => window.chat.send('   '));
  await page.waitForFunction(() => window.events.some((e) => e.type === 'error' && /needs some text/.test(e.message)), null, TIMEOUT);

  // Typing in the chat, then in the host page's input: the chat's composer lets go (no
  // second caret on the page), and the host input keeps its keys.
  const box = await (await page.$('#chat iframe')).boundingBox();
  const composer = (await frame.evaluate(() => window.imchat.state())).landmarks.composer;
  await page.mouse.click(box.x + composer[0] + composer[2] / 2, box.y + composer[1] + composer[3] / 2);
  await frame.waitForFunction(() => window.imchat.state().composerFocused, null, TIMEOUT);
  await page.keyboard.type('Draft');
  await frame.waitForFunction(() => window.imchat.state().composer === 'Draft', null, TIMEOUT);
  await page.click('#host-input');
  await frame.waitForFunction(() => !window.imchat.state().composerFocused, null, TIMEOUT);
  await page.keyboard.type('abc');
  await page.keyboard.press('Backspace');
  assert.equal(await page.inputValue('#host-input'), 'ab');
  assert.equal((await frame.evaluate(() => window.imchat.state())).composer, 'Draft');
  // Nothing scrolled the host page.
  assert.equal(await page.evaluate(() => window.scrollY), 0);
  await page.screenshot({ path: join(outDir, 'embed_host.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a page on an origin the config does not allow is ignored and hears nothing', async () => {
  const session = await registerWithChat('other-user');
  const { context, page, appFrame } = await openHost(otherHost);
  await page.evaluate((o) => window.mountChat(o), { server: api.url, conversation: session.conversation, theme: 'dark' });
  const frame = await appFrame();
  // The app runs (as a guest: no token was accepted) but tells this page nothing.
  await frame.waitForFunction(() => window.imchat?.events?.some((e) => e.type === 'ready'), null, TIMEOUT);
  await frame.evaluate(() => {
    window.__seen = [];
    window.addEventListener('message', (e) => window.__seen.push(e.data));
  });
  await page.evaluate(() => {
    window.chat.setToken('stolen-token');
    window.chat.send('Ignored text');
    // Messages from one window to another arrive in order: once this marker is seen, the
    // commands before it were handled (and dropped).
    document.querySelector('#chat iframe').contentWindow.postMessage({ marker: true }, '*');
  });
  await frame.waitForFunction(() => window.__seen.some((d) => d && d.marker), null, TIMEOUT);
  const s = await frame.evaluate(() => window.imchat.state());
  assert.ok(!s.messages.some((m) => m.content === 'Ignored text'));
  assert.equal(s.composer, '');
  assert.equal(s.outbox, 0);
  assert.notEqual(s.user, session.user.id);
  assert.deepEqual(await page.evaluate(() => window.events), [], 'no events to a page that is not allowed');
  assert.ok(!(await messagesOnServer(session)).includes('Ignored text'));
  await context.close();
});

test('the server lets only configured pages frame the app (CSP frame-ancestors)', async () => {
  const framed = await startServer({ webRoot, args: ['--frame-ancestors', allowedHost.url] });
  const framePage = (url) => `<!doctype html><iframe src="${url}/" style="width:600px;height:400px;border:0"></iframe>`;
  try {
    for (const [host, expectAllowed] of [[allowedHost, true], [otherHost, false]]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const console = [];
      page.on('console', (m) => console.push(m.text()));
      await page.goto(host.url + '/');
      const refused = expectAllowed ? null
        : page.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: 30000 });
      await page.setContent(framePage(framed.url));
      if (expectAllowed) {
        const frame = await (async () => {
          for (;;) {
            const f = page.frames().find((x) => x.url().startsWith(framed.url));
            if (f) return f;
            await page.waitForEvent('framenavigated', TIMEOUT);
          }
        })();
        await frame.waitForFunction(() => window.imchat && window.imchat.shown, null, TIMEOUT);
      } else {
        await refused.catch(() => assert.fail(`no frame-ancestors refusal: ${console.join('\n')}`));
        assert.ok(!page.frames().some((f) => f.url().startsWith(framed.url)), 'the app never loaded in the frame');
      }
      await context.close();
    }
  } finally {
    await framed.stop();
  }
});

test('the example page embeds two chats side by side and drives them', async () => {
  const server = await startServer({ webRoot });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    await page.goto(server.url + '/examples/two-chats.html');
    for (const side of ['left', 'right']) {
      await page.waitForFunction((s) => document.getElementById(`${s}-log`).textContent.includes('ready'), side, TIMEOUT);
    }
    // Each chat is a guest of its own; open a chat in the left one and send from the page.
    const left = page.frames().find((f) => f !== page.mainFrame() && f.parentFrame() === page.mainFrame());
    await left.evaluate(() => window.imchat.newConversation());
    await left.waitForFunction(() => window.imchat.state().open !== '', null, TIMEOUT);
    await page.fill('form[data-chat="left"] input', 'Hello from the page');
    await page.click('form[data-chat="left"] button');
    await page.waitForFunction(() => document.getElementById('left-log').textContent.includes('message from ASSISTANT'), null, TIMEOUT);
    await page.click('#search');
    await page.keyboard.type('xyz');
    await page.keyboard.press('Backspace');
    assert.equal(await page.inputValue('#search'), 'xy');
    await page.screenshot({ path: join(outDir, 'embed_two_chats.png') });
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await server.stop();
  }
});
