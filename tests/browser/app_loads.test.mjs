// The web client, served by the real server, in headless Chromium: it must draw the app,
// reach the server through the SDK's fetch transport, and raise no page or console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../support/browser.mjs';
import { startServer, requireEnv } from '../support/server.mjs';
import { openApp as openPage, expectIdle } from '../support/app_page.mjs';
import { decodePng } from '../support/png.mjs';
import { assertConnectedScreen, assertConnectedNarrowScreen } from '../support/app_screen.mjs';

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

const openApp = (options) => openPage(browser, server, { strictHttp: true, ...options });

test('the app loads, connects and shows the server version', async () => {
  const { context, page, problems } = await openApp();
  const state = await page.evaluate(() => window.imchat.state());
  const health = await (await fetch(server.url + '/api/health')).json();
  assert.equal(state.connection, 'connected');
  assert.equal(state.serverVersion, health.version);
  assert.equal(state.fontError, '', 'fonts must load from the packed data file');
  assert.equal(state.pixelRatio, 1);
  const shot = join(outDir, 'app_loads.png');
  const png = await page.screenshot({ path: shot });
  assertConnectedScreen(decodePng(png), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('HiDPI: the canvas backing store follows devicePixelRatio', async () => {
  const { context, page, problems } = await openApp({ width: 900, height: 640, scale: 2 });
  // Frames are drawn on demand; wait until the resized canvas has been drawn at ratio 2.
  await page.waitForFunction(() => window.imchat.state().pixelRatio === 2, null, { timeout: 30000 });
  const size = await page.evaluate(() => {
    const c = document.getElementById('canvas');
    return { w: c.width, h: c.height, cssW: c.clientWidth, cssH: c.clientHeight };
  });
  assert.equal(size.w, size.cssW * 2);
  assert.equal(size.h, size.cssH * 2);
  const png = await page.screenshot({ path: join(outDir, 'app_hidpi.png') });
  assertConnectedScreen(decodePng(png), 2);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a narrow window (phone, small iframe) shows the conversation list alone', async () => {
  const { context, page, problems } = await openApp({ width: 600, height: 800 });
  const png = await page.screenshot({ path: join(outDir, 'app_narrow.png') });
  assertConnectedNarrowScreen(decodePng(png), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the app draws nothing while idle', async () => {
  const { context, page, problems } = await openApp();
  await expectIdle(page);
  const before = (await page.evaluate(() => window.imchat.state())).frames;
  // Input wakes it.
  await page.mouse.move(400, 300);
  await page.waitForFunction((n) => window.imchat.state().frames > n, before, { timeout: 10000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test("the browser's WebSocket carries the SDK's link, and the session survives a reload", async () => {
  const { context, page, problems } = await openApp();
  await page.waitForFunction(() => {
    const s = window.imchat.state();
    return s.realtime === 'open' && s.user !== '';
  }, null, { timeout: 30000 });
  const first = await page.evaluate(() => window.imchat.state());
  const token = await page.evaluate(() => localStorage.getItem('imchat.token'));
  assert.ok(token, 'the guest token is kept in localStorage');
  // The server knows this socket's user: /api/auth/me with the stored token names it.
  const me = await (await fetch(server.url + '/api/auth/me',
    { headers: { authorization: `Bearer ${token}` } })).json();
  assert.equal(me.data.id, first.user);

  await page.reload();
  await page.waitForFunction(() => {
    const s = window.imchat?.state();
    return s && s.realtime === 'open' && s.user !== '';
  }, null, { timeout: 30000 });
  const again = await page.evaluate(() => window.imchat.state());
  assert.equal(again.user, first.user, 'the same guest after a reload, not a new one');

  // The SDK devtools, off by default, shown on request.
  assert.equal(again.devtools, false);
  await page.evaluate(() => window.imchat.debug(true));
  await page.mouse.move(400, 300);  // any input draws a frame
  await page.waitForFunction(() => window.imchat.state().devtools === true);
  await page.screenshot({ path: join(outDir, 'sdk_devtools.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
