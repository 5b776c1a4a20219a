// A user's first chat in the browser, end to end: the real server with its builtin model,
// headless Chromium, the real mouse and keyboard on the canvas. window.imchat.state() is
// only used to check what the screen shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../support/browser.mjs';
import { startServer, requireEnv } from '../support/server.mjs';
import { openApp, state, waitFor, clickLandmark, expectIdle } from '../support/app_page.mjs';
import { decodePng, boxContains } from '../support/png.mjs';
import { colours } from '../support/app_screen.mjs';

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

const open = (options) => openApp(browser, server, options);
const click = clickLandmark;

// The picture frames left by redrawing only what changed is the one a full redraw makes,
// to the pixel. The mouse is parked where it hovers nothing.
async function expectFullRedrawSame(page) {
  await page.mouse.move(5, 795);
  await expectIdle(page);
  const partial = decodePng(await page.screenshot());
  const framesBefore = (await state(page)).frames;
  await page.evaluate(() => window.imchat.redrawEverything());
  await waitFor(page, (f) => window.imchat.state().frames >= f + 1 && window.imchat.lastDamage() === 1, framesBefore);
  const full = decodePng(await page.screenshot());
  let differing = 0;
  for (let y = 0; y < full.height; y++) {
    for (let x = 0; x < full.width; x++) {
      if (full.rgb(x, y).join() !== partial.rgb(x, y).join()) differing++;
    }
  }
  assert.equal(differing, 0, `pixels a full redraw changes: ${differing}`);
  return full;
}

test('new chat, a question typed and sent with Enter, the streamed reply with its footer', async () => {
  const { context, page, problems } = await open();
  const token = await page.evaluate(() => localStorage.getItem('imchat.token'));
  // A second window in the same account, to see the conversation appear live.
  const other = await open({ token });
  assert.equal((await state(other.page)).user, (await state(page)).user);

  // "+ New chat" at the top of the sidebar.
  await click(page, 'new_chat');
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

  // The header counts the whole conversation, as the server keeps it: 4 messages and the
  // replies' tokens.
  const tokens = (await state(page)).messages.reduce((sum, m) => sum + (m.tokens || 0), 0);
  await waitFor(page, (want) => window.imchat.state().headerDetail.startsWith(want),
    `4 messages  ·  ${tokens.toLocaleString('en-US')} tokens`);

  // Frames redraw only what changed (the reply's rows as it streamed, the hovered button):
  // the picture left must be the one a full redraw makes, to the pixel.
  await expectFullRedrawSame(page);

  // The other window saw it appear without a reload.
  await waitFor(other.page, (cid) => window.imchat.state().conversations.some((c) => c.id === cid), id);
  assert.deepEqual(problems, []);
  assert.deepEqual(other.problems, []);
  await other.context.close();
  await context.close();
});

// A browser with no WebGL at all (Chromium with it switched off, as on a machine whose GPU
// is blocklisted and which has no SwiftShader): the app draws in software on a 2D canvas,
// signs in, streams a reply, and looks like the WebGL app showing the same chat.
test('without WebGL: a 2D canvas, the same chat, the same look', async () => {
  const bare = await launchChromium({ extraArgs: ['--disable-webgl'] });
  try {
    const { context, page, problems } = await openApp(bare, server);
    assert.equal(await page.evaluate(() => !!document.createElement('canvas').getContext('webgl2')), false,
      'this browser has no WebGL 2');
    assert.equal(await page.evaluate(() => window.imchat.renderer), 'canvas');
    await click(page, 'new_chat');
    await waitFor(page, () => window.imchat.state().composerFocused);
    await page.keyboard.type('Show me a list and some code');
    await page.keyboard.press('Enter');
    await waitFor(page, () => window.imchat.state().messages.some((m) => m.role === 'ASSISTANT' && m.status === 'streaming'));
    await waitFor(page, () => {
      const reply = window.imchat.state().messages.find((m) => m.role === 'ASSISTANT');
      return reply && reply.status === 'complete' && reply.tokens > 0;
    });
    const id = (await state(page)).open;
    const soft = await expectFullRedrawSame(page);
    await page.screenshot({ path: join(outDir, 'chat_no_webgl.png') });

    // The same account and chat in a browser with WebGL, drawn by the GPU path.
    const token = await page.evaluate(() => localStorage.getItem('imchat.token'));
    const gl = await open({ token, query: `?renderer=webgl#/c/${id}` });
    assert.equal(await gl.page.evaluate(() => window.imchat.renderer), 'webgl');
    await waitFor(gl.page, (cid) => {
      const s = window.imchat.state();
      return s.open === cid && s.messages.length === 2 && s.composerFocused;
    }, id);
    const hardware = await expectFullRedrawSame(gl.page);
    await gl.page.screenshot({ path: join(outDir, 'chat_webgl.png') });

    // Anti-aliasing and glyph filtering round differently; the picture must not.
    let differing = 0, far = 0, sum = 0;
    for (let y = 0; y < soft.height; y++) {
      for (let x = 0; x < soft.width; x++) {
        const a = soft.rgb(x, y), b = hardware.rgb(x, y);
        const d = Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
        if (d > 0) differing++;
        if (d > 32) far++;
        sum += d;
      }
    }
    const n = soft.width * soft.height;
    console.log(`2D canvas vs WebGL: ${(100 * differing / n).toFixed(2)}% of pixels differ, ` +
      `${(100 * far / n).toFixed(3)}% by more than 32 levels, mean difference ${(sum / n).toFixed(3)} levels`);
    assert.ok(far / n < 0.005, `pixels far apart: ${far}`);
    assert.ok(sum / n < 0.5, `mean difference ${sum / n}`);
    assert.deepEqual(problems, []);
    assert.deepEqual(gl.problems, []);
    await gl.context.close();
    await context.close();
  } finally {
    await bare.close();
  }
});

test('the same chat at DPR 2, and in a narrow window as a drawer with a back button', async () => {
  const first = await open();
  // This Chromium's WebGL 2 is SwiftShader, software GL: the app takes its 2D canvas.
  assert.equal(await first.page.evaluate(() => window.imchat.renderer), 'canvas');
  await click(first.page, 'new_chat');
  await waitFor(first.page, () => window.imchat.state().route === 'chat');
  // Click into the composer as a person would, then type.
  await click(first.page, 'composer');
  await waitFor(first.page, () => window.imchat.state().composerFocused);
  await first.page.keyboard.type('Hello from a phone');
  await first.page.keyboard.press('Enter');
  await waitFor(first.page, () => window.imchat.state().messages.some((m) => m.role === 'ASSISTANT' && m.status === 'complete'));
  const token = await first.page.evaluate(() => localStorage.getItem('imchat.token'));
  const id = (await state(first.page)).open;
  await first.context.close();

  // DPR 2, drawn by WebGL as with a GPU (most suites here run the 2D path): open the chat
  // by clicking its row in the sidebar.
  const hidpi = await open({ scale: 2, token, query: '?renderer=webgl' });
  assert.equal(await hidpi.page.evaluate(() => window.imchat.renderer), 'webgl');
  await waitFor(hidpi.page, () => window.imchat.state().conversations.length > 0);
  await click(hidpi.page, `row.${id}`);
  await waitFor(hidpi.page, (cid) => {
    const s = window.imchat.state();
    return s.open === cid && s.messages.length === 2;
  }, id);
  await hidpi.page.screenshot({ path: join(outDir, 'chat_dpr2.png') });
  assert.deepEqual(hidpi.problems, []);
  await hidpi.context.close();

  // Narrow: the list is the whole screen; a row opens the chat; Back returns to the list.
  const narrow = await open({ width: 420, height: 780, token });
  await waitFor(narrow.page, () => window.imchat.state().route === 'list' && window.imchat.state().conversations.length > 0);
  await narrow.page.screenshot({ path: join(outDir, 'chat_narrow_list.png') });
  await click(narrow.page, `row.${id}`);
  await waitFor(narrow.page, () => window.imchat.state().route === 'chat' && window.imchat.state().messages.length === 2);
  await narrow.page.screenshot({ path: join(outDir, 'chat_narrow_chat.png') });
  await click(narrow.page, 'back');
  await waitFor(narrow.page, () => window.imchat.state().route === 'list');
  assert.deepEqual(narrow.problems, []);
  await narrow.context.close();
});

test('rename a chat from its menu, and delete one only after confirming', async () => {
  const { context, page, problems } = await open();
  const token = await page.evaluate(() => localStorage.getItem('imchat.token'));
  const api = (path, init = {}) =>
    fetch(server.url + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  // Two chats, made with the New chat button.
  await click(page, 'new_chat');
  await waitFor(page, () => window.imchat.state().open !== '');
  const first = (await state(page)).open;
  await click(page, 'new_chat');
  await waitFor(page, (a) => !['', a].includes(window.imchat.state().open), first);
  const second = (await state(page)).open;
  await waitFor(page, (ids) => ids.every((id) => window.imchat.state().landmarks[`row.${id}`]), [first, second]);

  // Rename: right-click the row, Rename, type over the title, Enter.
  await click(page, `row.${first}`, { button: 'right' });
  await click(page, 'row_menu.rename');
  await waitFor(page, () => window.imchat.state().textInput && window.imchat.state().landmarks['rename.input']);
  await page.keyboard.type('Trip to Lyon');
  await page.keyboard.press('Enter');
  await waitFor(page, (id) => window.imchat.state().conversations.find((c) => c.id === id)?.title === 'Trip to Lyon', first);
  // Stored on the server, not only in this page's cache.
  await waitFor(page, (id) => !window.imchat.state().landmarks['rename.input'], first);
  const renamed = await (await api(`/api/conversations/${first}`)).json();
  assert.equal(renamed.data.title, 'Trip to Lyon');

  // Delete asks first; Cancel keeps the chat.
  await click(page, `row.${second}`, { button: 'right' });
  await click(page, 'row_menu.delete');
  await click(page, 'delete.cancel');
  await waitFor(page, () => !window.imchat.state().landmarks['delete.confirm']);
  assert.ok((await state(page)).conversations.some((c) => c.id === second), 'Cancel keeps the chat');
  // Delete, confirmed: gone from the list, the pane closes, the server forgets it, and the
  // unsent words typed in it are not kept for a chat that is no more.
  await click(page, `row.${second}`);
  await waitFor(page, (id) => window.imchat.state().open === id, second);
  await click(page, 'composer');
  await waitFor(page, () => window.imchat.state().composerFocused);
  await page.keyboard.type('Unsent words');
  const drafts = () => JSON.parse(localStorage.getItem('imchat.drafts') || '{}');
  await waitFor(page, (id) => (JSON.parse(localStorage.getItem('imchat.drafts') || '{}')[id]) === 'Unsent words', second);
  await click(page, `row.${second}`, { button: 'right' });
  await click(page, 'row_menu.delete');
  await page.screenshot({ path: join(outDir, 'chat_delete_confirm.png') });
  await click(page, 'delete.confirm');
  await waitFor(page, (id) => !window.imchat.state().conversations.some((c) => c.id === id), second);
  const after = await state(page);
  assert.equal(after.open, '', 'the deleted chat is no longer open');
  assert.ok(after.conversations.some((c) => c.id === first), 'the other chat stays');
  assert.equal((await api(`/api/conversations/${second}`)).status, 404);
  assert.ok(!(second in await page.evaluate(drafts)), 'its draft is gone from storage');
  assert.deepEqual(problems, []);
  await context.close();
});

test("a chat's settings: model from the server's list, temperature and system prompt", async () => {
  const { context, page, problems } = await open();
  const token = await page.evaluate(() => localStorage.getItem('imchat.token'));
  await click(page, 'new_chat');
  await waitFor(page, () => window.imchat.state().open !== '');
  const id = (await state(page)).open;
  await click(page, 'chat_settings');
  // The server's catalogue, by provider: builtin can answer here, vendors without a key
  // are listed but cannot be chosen.
  await waitFor(page, () => window.imchat.state().landmarks['chat_settings.model.builtin']);
  const shown = Object.keys((await state(page)).landmarks).filter((n) => n.startsWith('chat_settings.model.'));
  assert.ok(shown.includes('chat_settings.model.gpt-4o-mini'), `vendor models listed: ${shown}`);
  await click(page, 'chat_settings.model.gpt-4o-mini');  // greyed: nothing happens
  await click(page, 'chat_settings.model.builtin');
  await click(page, 'chat_settings.prompt');
  await waitFor(page, () => window.imchat.state().textInput);
  await page.keyboard.type('Answer in one line.');
  await page.screenshot({ path: join(outDir, 'chat_settings.png') });
  await click(page, 'chat_settings.save');
  await waitFor(page, (cid) => {
    const c = window.imchat.state().conversations.find((x) => x.id === cid);
    return c && c.model === 'builtin' && c.systemPrompt === 'Answer in one line.';
  }, id);
  await waitFor(page, () => !window.imchat.state().landmarks['chat_settings.save']);
  const stored = await (await fetch(`${server.url}/api/conversations/${id}`, { headers: { authorization: `Bearer ${token}` } })).json();
  assert.equal(stored.data.model, 'builtin');
  assert.equal(stored.data.systemPrompt, 'Answer in one line.');
  assert.equal(stored.data.temperature, undefined, 'temperature left at the default');
  assert.deepEqual(problems, []);
  await context.close();
});

test('app settings: the light theme and a larger text size, kept across a reload', async () => {
  const { context, page, problems } = await open();
  await click(page, 'new_chat');
  await waitFor(page, () => window.imchat.state().open !== '');
  assert.equal(await page.evaluate(() => window.imchat.send('**Light** theme, with `code`:\n\n```\nok\n```')), true);
  await waitFor(page, () => window.imchat.state().messages.some((m) => m.role === 'ASSISTANT' && m.status === 'complete'));
  await click(page, 'settings');
  await click(page, 'settings.theme.1');  // Light
  await click(page, 'settings.text.2');   // Large
  await waitFor(page, () => window.imchat.state().theme === 'light' && window.imchat.state().textSize === 17);
  await page.keyboard.press('Escape');
  await waitFor(page, () => !window.imchat.state().landmarks['settings.theme.1']);
  const shot = decodePng(await page.screenshot({ path: join(outDir, 'chat_light.png') }));
  // The sidebar is light now where the dark theme's was near-black.
  const sidebarArea = { x0: 60, y0: 300, x1: 200, y1: 400 };
  assert.ok(boxContains(shot, sidebarArea, 0xf7f7f9, 3), 'the light sidebar');
  assert.ok(!boxContains(shot, sidebarArea, colours.sidebar, 3), 'no dark sidebar left');
  await page.reload();
  await waitFor(page, () => window.imchat.state()?.realtime === 'open');
  const after = await state(page);
  assert.equal(after.theme, 'light', 'the theme survives a reload');
  assert.equal(after.textSize, 17);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the sidebar is as wide as it was dragged, after a reload too; a double-click resets it', async () => {
  const { context, page, problems } = await open();
  const before = await state(page);
  assert.equal(before.sidebarWidth, 272);
  const divider = before.landmarks['sidebar.divider'];
  const x = divider[0] + divider[2] / 2, y = divider[1] + divider[3] / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 40, y, { steps: 4 });
  await page.mouse.move(x + 80, y, { steps: 4 });
  await page.mouse.up();
  await waitFor(page, () => window.imchat.state().sidebarWidth === 352);
  // The list follows: the New chat button is as much wider.
  const newChat = () => window.imchat.state().landmarks.new_chat[2];
  await waitFor(page, (w) => window.imchat.state().landmarks.new_chat[2] === w + 80, before.landmarks.new_chat[2]);
  const wide = await page.evaluate(newChat);
  await page.reload();
  await waitFor(page, () => window.imchat.state()?.realtime === 'open' && window.imchat.state().landmarks.new_chat);
  assert.equal((await state(page)).sidebarWidth, 352, 'the width survives a reload');
  assert.equal(await page.evaluate(newChat), wide);
  // Dragged far beyond its limit, it stops there; a double-click on the edge resets it.
  const edge = (await state(page)).landmarks['sidebar.divider'];
  await page.mouse.move(edge[0] + edge[2] / 2, y);
  await page.mouse.down();
  await page.mouse.move(900, y, { steps: 6 });
  await page.mouse.up();
  await waitFor(page, () => window.imchat.state().sidebarWidth === 420);
  const last = (await state(page)).landmarks['sidebar.divider'];
  // A person's double-click: two clicks a frame or more apart (ImGui 1.86 reads the mouse
  // once a frame, so two clicks inside one frame are one).
  await page.mouse.click(last[0] + last[2] / 2, y);
  const frames = (await state(page)).frames;
  await waitFor(page, (f) => window.imchat.state().frames > f, frames);
  await page.mouse.click(last[0] + last[2] / 2, y);
  await waitFor(page, () => window.imchat.state().sidebarWidth === 272);
  assert.deepEqual(problems, []);
  await context.close();
});

test('regenerate the latest reply; edit the last question and send it again', async () => {
  const { context, page, problems } = await open();
  await click(page, 'new_chat');
  await waitFor(page, () => window.imchat.state().composerFocused);
  await page.keyboard.type('Name a colour');
  await page.keyboard.press('Enter');
  const complete = () => {
    const s = window.imchat.state();
    return s.messages.length === 2 && s.messages[1].role === 'ASSISTANT' && s.messages[1].status === 'complete';
  };
  await waitFor(page, complete);
  const first = await state(page);
  const oldReply = first.messages[1].id;

  // Select part of the reply with the mouse: a range of its text, not the whole message.
  const reply = (await state(page)).landmarks[`message.${oldReply}`];
  const y = reply[1] + 28;  // the first line of the bubble
  await page.mouse.move(reply[0] + 62, y);
  await page.mouse.down();
  await page.mouse.move(reply[0] + 180, y, { steps: 4 });
  await page.mouse.move(reply[0] + 260, y, { steps: 4 });
  await page.mouse.up();
  await waitFor(page, () => window.imchat.state().selection.length > 0);
  const selected = (await state(page)).selection;
  // The reply opens with the line "Builtin model": part of it, as plain text.
  assert.ok(selected.length >= 4 && 'Builtin model'.includes(selected), `a part of the first line: "${selected}"`);
  await page.screenshot({ path: join(outDir, 'chat_selection.png') });
  await page.mouse.click(reply[0] + reply[2] / 2, reply[1] + reply[3] + 40);  // empty space below
  await waitFor(page, () => window.imchat.state().selection === '');

  // The latest reply offers Regenerate: a new reply replaces it.
  await click(page, 'message.regenerate');
  await waitFor(page, (old) => {
    const s = window.imchat.state();
    return s.messages.length === 2 && s.messages[1].id !== old && s.messages[1].status === 'complete';
  }, oldReply);
  const regenerated = await state(page);
  assert.match(regenerated.messages[1].content, /Name a colour/, 'the same question answered again');

  // Edit: hover the question, Edit puts it in the composer; the new text replaces it and
  // the reply is written again.
  const question = regenerated.messages[0].id;
  const rect = (await state(page)).landmarks[`message.${question}`];
  await page.mouse.move(rect[0] + rect[2] - 40, rect[1] + rect[3] / 2);
  await click(page, 'message.edit');
  await waitFor(page, (q) => window.imchat.state().editing === q && window.imchat.state().composer === 'Name a colour', question);
  await waitFor(page, () => window.imchat.state().composerFocused);
  await page.keyboard.type(' and a fruit');  // the caret waits at the end of the question
  await page.screenshot({ path: join(outDir, 'chat_editing.png') });
  await page.keyboard.press('Enter');
  await waitFor(page, (old) => {
    const s = window.imchat.state();
    return s.editing === '' && s.messages.length === 2 && s.messages[0].content === 'Name a colour and a fruit' &&
      s.messages[1].id !== old && s.messages[1].status === 'complete' && /and a fruit/.test(s.messages[1].content);
  }, regenerated.messages[1].id);
  assert.equal((await state(page)).composer, '', 'the composer is empty again');
  // An open chat with the composer focused idles like any screen; frame times are reported.
  assert.ok((await state(page)).composerFocused);
  await expectIdle(page);
  const times = (await state(page)).frameTimes;
  assert.ok(times.length > 10, 'frame times are reported');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a group chat: others see who is typing, and who has seen a message', async () => {
  const register = async (name) => {
    const r = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${name.toLowerCase()}-${Date.now()}@example.com`, name, password: 'correct horse' }),
    });
    assert.equal(r.status, 201);
    return (await r.json()).data;
  };
  const ada = await register('Ada');
  const bob = await register('Bob');
  const created = await fetch(`${server.url}/api/conversations`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ada.token}` },
    body: JSON.stringify({ title: 'Weekend plans', type: 'GROUP', participantIds: [bob.user.id] }),
  });
  assert.equal(created.status, 201);
  const id = (await created.json()).data.id;

  const a = await open({ token: ada.token });
  const b = await open({ token: bob.token });
  await click(a.page, `row.${id}`);
  await click(b.page, `row.${id}`);
  // Both follow the chat live before Ada starts (typing is not replayed to late joiners).
  await waitFor(a.page, (cid) => window.imchat.state().open === cid && window.imchat.state().live, id);
  await waitFor(b.page, (cid) => window.imchat.state().open === cid && window.imchat.state().live, id);
  await waitFor(a.page, () => window.imchat.state().composerFocused);
  // Ada types: Bob sees it while she does.
  await a.page.keyboard.type('Shall we go hiking');
  await waitFor(b.page, (who) => window.imchat.state().typing.includes(who), ada.user.id);
  await b.page.screenshot({ path: join(outDir, 'group_typing.png') });
  await a.page.keyboard.press('Enter');
  // Bob has the chat open at the bottom: he has seen it, and Ada is told so.
  await waitFor(b.page, () => window.imchat.state().messages.some((m) => m.content === 'Shall we go hiking'));
  await waitFor(b.page, (who) => !window.imchat.state().typing.includes(who), ada.user.id);
  await waitFor(a.page, () => window.imchat.state().messages.some((m) => m.content === 'Shall we go hiking' && m.seen === 'Seen by Bob'));
  await a.page.screenshot({ path: join(outDir, 'group_seen.png') });
  assert.deepEqual(a.problems, []);
  assert.deepEqual(b.problems, []);
  await a.context.close();
  await b.context.close();
});
