// The web app in a browser context, for the browser tests: open it, read what it shows
// (window.imchat.state()) and act on it with the real mouse and keyboard.
import assert from 'node:assert/strict';

// Opens the app in a new context and collects every page and console error (and, with
// strictHttp, every failed request and HTTP error). Resolves once the app is signed in and
// its WebSocket is open. token: an existing session (a second window of the same user).
// query: added to the address, e.g. '?renderer=webgl'.
export async function openApp(browser, server, { width = 1280, height = 800, scale = 1, token, strictHttp = false, query = '' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: scale });
  if (token) {
    await context.addInitScript((t) => localStorage.setItem('imchat.token', t), token);
  }
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  if (strictHttp) {
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  }
  await page.goto(server.url + '/' + query);
  await page.waitForFunction(() => {
    const s = window.imchat?.state();
    return s && s.frames > 0 && s.user && s.connection === 'connected' && s.realtime === 'open' && s.conversations;
  }, null, { timeout: 60000 });
  return { context, page, problems };
}

export const state = (page) => page.evaluate(() => window.imchat.state());

export const waitFor = (page, predicate, arg) =>
  page.waitForFunction(predicate, arg, { timeout: 30000, polling: 50 });

// Waits until the control called `name` is on screen (state().landmarks) and in the same
// place at two polls in a row (a popup that just opened or a layout that just changed
// settles over a frame or two), then clicks its middle with the mouse. Returns its
// rectangle [x, y, width, height] in CSS pixels.
export async function clickLandmark(page, name, { button = 'left' } = {}) {
  const handle = await waitFor(page, (n) => {
    const rect = window.imchat.state().landmarks[n];
    const seen = window.__imchatLandmark;
    const key = rect ? `${n}:${rect.join(',')}` : null;
    window.__imchatLandmark = key;
    return rect && seen === key ? rect : false;
  }, name);
  const rect = await handle.jsonValue();
  assert.ok(rect[2] > 0 && rect[3] > 0, `${name} has a size: ${JSON.stringify(rect)}`);
  await page.mouse.click(rect[0] + rect[2] / 2, rect[1] + rect[3] / 2, { button });
  return rect;
}

// Once the screen settles, an idle page draws nothing: ten animation frames pass without
// a frame of ours. A periodic health check may wake the app during one window, so it takes
// three busy windows in a row to fail.
export async function expectIdle(page) {
  await page.waitForFunction(async () => {
    const a = window.imchat.state().frames;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r))));
    return window.imchat.state().frames === a;
  }, null, { timeout: 30000, polling: 100 });
  const drawnWhileIdle = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const start = (await page.evaluate(() => window.imchat.state())).frames;
    await page.evaluate(() => new Promise((resolve) => {
      let n = 0;
      const step = () => (++n < 10 ? requestAnimationFrame(step) : resolve());
      requestAnimationFrame(step);
    }));
    const end = (await page.evaluate(() => window.imchat.state())).frames;
    drawnWhileIdle.push(end - start);
    if (end === start) break;
  }
  assert.equal(drawnWhileIdle.at(-1), 0, `frames drawn while idle: ${drawnWhileIdle}`);
}
