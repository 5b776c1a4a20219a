// A user's first chat in the browser, end to end: the real server with its builtin model,
// headless Chromium, the real mouse and keyboard on the canvas. window.imchat.state() is
// only used to check what the screen shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../support/browser.mjs';
import { startServer, requireEnv } from '../support/server.mjs';

const outDir = join(requireEnv('IMCHAT_TEST_OUTPUT'), 'browser');
mkdirSync(outDir, { recursive: true });

let server, browser;
before(async () => {
  server = await startServer({ webRoot: requireEnv('IMCHAT_WEB_ROOT') });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  const exit = await server?.stop();
  assert.equal(exit?.code, 0, `server did not stop cleanly: ${JSON.stringify(exit)}`);
});

async function openApp({ width = 1280, height = 800, scale = 1, token } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: scale });
  if (token) {
    await context.addInitScript((t) => localStorage.setItem('imchat.token', t), token);
  }
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  await page.goto(server.url + '/');
  await page.waitForFunction(() => {
    const s = window.imchat?.state();
    return s && s.user && s.realtime === 'open' && s.conversations;
  }, null, { timeout: 60000 });
  return { context, page, problems };
}

const state = (page) => page.evaluate(() => window.imchat.state());
const waitFor = (page, predicate, arg) =>
  page.waitForFunction(predicate, arg, { timeout: 30000, polling: 50 });

test('new chat, a question typed and sent with Enter, the streamed reply with its footer', async () => {
  const { context, page, problems } = await openApp();
  const token = await page.evaluate(() => localStorage.getItem('imchat.token'));
  // A second window in the same account, to see the conversation appear live.
  const other = await openApp({ token });
  assert.equal((await state(other.page)).user, (await state(page)).user);

  // "+ New chat" at the top of the sidebar.
  await page.mouse.click(136, 84);
  await waitFor(page, () => window.imchat.state().route === 'chat');
  const opened = await state(page);
  assert.ok(opened.open, 'a conversation is open');
  assert.equal(opened.messages.length, 0);

  // The composer takes the focus when a chat opens (typing before the next frame would
  // be lost, as in any app: wait for it). Type like a person; Shift+Enter is a new line.
  await waitFor(page, () => window.imchat.state().composerFocused);
  await page.keyboard.type('What is imchat?');
  await page.keyboard.down('Shift');
  await page.keyboard.press('Enter');
  await page.keyboard.up('Shift');
  await page.keyboard.type('Answer briefly.');
  await waitFor(page, () => window.imchat.state().composer === 'What is imchat?\nAnswer briefly.');
  await page.keyboard.press('Enter');

  const id = opened.open;
  await waitFor(page, () => {
    const s = window.imchat.state();
    const reply = s.messages.find((m) => m.role === 'ASSISTANT');
    return reply && reply.status === 'complete' && reply.tokens > 0;
  });
  const done = await state(page);
  assert.equal(done.composer, '', 'the composer is cleared after sending');
  assert.equal(done.messages.length, 2);
  assert.equal(done.messages[0].role, 'USER');
  assert.equal(done.messages[0].content, 'What is imchat?\nAnswer briefly.');
  assert.equal(done.messages[0].delivery, 'sent');
  assert.match(done.messages[1].content, /builtin/);
  // The chat is named after its first question.
  await waitFor(page, (cid) => window.imchat.state().conversations.find((c) => c.id === cid)?.title
    .startsWith('What is imchat?'), id);
  await page.screenshot({ path: join(outDir, 'chat_reply_dpr1.png') });

  // Markdown: a list, a table and a code block, as the user's own message.
  const sample = 'Plan:\n\n1. **Pack** light\n2. Book *early*\n\n| Day | City |\n|---|---|\n| Mon | Lyon |\n| Tue | Nice |\n\n```js\nconsole.log("bon voyage");\n```';
  assert.equal(await page.evaluate((t) => window.imchat.send(t), sample), true);
  await waitFor(page, () => {
    const s = window.imchat.state();
    return s.messages.length === 4 && s.messages[3].status === 'complete' && s.messages[3].tokens > 0;
  });
  await page.screenshot({ path: join(outDir, 'chat_markdown_dpr1.png') });

  // The other window saw it appear without a reload.
  await waitFor(other.page, (cid) => window.imchat.state().conversations.some((c) => c.id === cid), id);
  assert.deepEqual(problems, []);
  assert.deepEqual(other.problems, []);
  await other.context.close();
  await context.close();
});

test('the same chat at DPR 2, and in a narrow window as a drawer with a back button', async () => {
  const first = await openApp();
  await first.page.mouse.click(136, 84);
  await waitFor(first.page, () => window.imchat.state().route === 'chat');
  // Click into the composer as a person would, then type.
  await first.page.mouse.click(700, 727);
  await waitFor(first.page, () => window.imchat.state().composerFocused);
  await first.page.keyboard.type('Hello from a phone');
  await first.page.keyboard.press('Enter');
  await waitFor(first.page, () => window.imchat.state().messages.some((m) => m.role === 'ASSISTANT' && m.status === 'complete'));
  const token = await first.page.evaluate(() => localStorage.getItem('imchat.token'));
  const id = (await state(first.page)).open;
  await first.context.close();

  // DPR 2: open the chat by clicking its row in the sidebar.
  const hidpi = await openApp({ scale: 2, token });
  await waitFor(hidpi.page, () => window.imchat.state().conversations.length > 0);
  await hidpi.page.mouse.click(136, 210);
  await waitFor(hidpi.page, (cid) => {
    const s = window.imchat.state();
    return s.open === cid && s.messages.length === 2;
  }, id);
  await hidpi.page.screenshot({ path: join(outDir, 'chat_dpr2.png') });
  assert.deepEqual(hidpi.problems, []);
  await hidpi.context.close();

  // Narrow: the list is the whole screen; a row opens the chat; Back returns to the list.
  const narrow = await openApp({ width: 420, height: 780, token });
  await waitFor(narrow.page, () => window.imchat.state().route === 'list' && window.imchat.state().conversations.length > 0);
  await narrow.page.screenshot({ path: join(outDir, 'chat_narrow_list.png') });
  await narrow.page.mouse.click(200, 210);
  await waitFor(narrow.page, () => window.imchat.state().route === 'chat' && window.imchat.state().messages.length === 2);
  await narrow.page.screenshot({ path: join(outDir, 'chat_narrow_chat.png') });
  await narrow.page.mouse.click(28, 28);
  await waitFor(narrow.page, () => window.imchat.state().route === 'list');
  assert.deepEqual(narrow.problems, []);
  await narrow.context.close();
});
