// Accounts as a person meets them (issue 17): a server that allows no guests — the default
// on any address but loopback — shows a sign-in screen instead of "Connecting…" forever.
// An account is made and used with the real keyboard and mouse: Tab between fields, Enter
// to submit, errors inline, a wrong password refused in the server's words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../support/browser.mjs';
import { startServer, requireEnv } from '../support/server.mjs';
import { state, waitFor, clickLandmark } from '../support/app_page.mjs';

const outDir = join(requireEnv('IMCHAT_TEST_OUTPUT'), 'browser');
mkdirSync(outDir, { recursive: true });

let server, browser;
before(async () => {
  server = await startServer({ webRoot: requireEnv('IMCHAT_WEB_ROOT'), args: ['--guest', 'off'] });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  const exit = await server?.stop();
  assert.equal(exit?.code, 0, `server did not stop cleanly: ${JSON.stringify(exit)}`);
});

// A fresh browser profile on the sign-in screen.
async function openSignIn({ width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(server.url + '/');
  await waitFor(page, () => {
    const s = window.imchat?.state();
    return s && s.frames > 0 && s.route === 'sign_in' && s.landmarks['sign_in.email'];
  });
  return { context, page, problems };
}

// A click makes its field active in the frame that takes the click; keys typed in that same
// frame would still go to the field that had the keyboard. A person never types that fast:
// the test lets two animation frames pass, as a hand would.
const framesPass = (page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
async function clickField(page, name) {
  await clickLandmark(page, name);
  await framesPass(page);
}

const signedIn = (page) =>
  waitFor(page, () => {
    const s = window.imchat.state();
    return s.route !== 'sign_in' && s.user && s.realtime === 'open';
  });

test('without guests the app asks for a sign-in, and an account is made with the keyboard', async () => {
  const { context, page, problems } = await openSignIn();
  const config = await (await fetch(server.url + '/api/auth/config')).json();
  assert.deepEqual(config.data, { guests: false, registration: 'open', sso: [], passwordMin: 8, passwordMax: 256 });
  let s = await state(page);
  assert.equal(s.user, '', 'no guest was made');
  assert.equal(s.landmarks['sign_in.guest'], undefined, 'no guest button when guests are off');
  await page.screenshot({ path: join(outDir, 'sign_in.png') });

  await clickLandmark(page, 'sign_in.mode');
  await waitFor(page, () => window.imchat.state().signInMode === 'create' && window.imchat.state().landmarks['sign_in.name']);
  await clickField(page, 'sign_in.name');
  await page.keyboard.type('Ada Lovelace');
  await page.keyboard.press('Tab');
  await page.keyboard.type('ada@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type('short');
  await page.keyboard.press('Enter');
  await waitFor(page, () => window.imchat.state().signInError.includes('8 to 256'));
  await page.screenshot({ path: join(outDir, 'sign_up_error.png') });
  s = await state(page);
  assert.equal(s.user, '', 'a short password never reaches the server');

  // The password was emptied and has the keyboard back: it is typed again.
  await framesPass(page);
  await page.keyboard.type('short and longer');
  await page.keyboard.press('Enter');
  await signedIn(page);
  s = await state(page);
  assert.equal(s.route, 'home');
  const me = await (await fetch(server.url + '/api/auth/me', {
    headers: { Authorization: 'Bearer ' + await page.evaluate(() => localStorage.getItem('imchat.token')) },
  })).json();
  assert.equal(me.data.name, 'Ada Lovelace');
  assert.equal(me.data.email, 'ada@example.com');
  await page.screenshot({ path: join(outDir, 'signed_up.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a wrong password is refused inline; the right one signs in, and a reload keeps it', async () => {
  const { context, page, problems } = await openSignIn();
  await clickField(page, 'sign_in.email');
  await page.keyboard.type('ada@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type('not the password');
  await page.keyboard.press('Enter');
  await waitFor(page, () => window.imchat.state().signInError !== '');
  let s = await state(page);
  assert.match(s.signInError, /invalid email or password/);
  assert.equal(s.user, '');

  // The password was emptied and has the keyboard again: typed anew, then the button.
  await framesPass(page);
  await page.keyboard.type('short and longer');
  await clickLandmark(page, 'sign_in.submit');
  await signedIn(page);
  s = await state(page);
  assert.equal(s.signInError, '');

  await page.reload();
  await waitFor(page, () => {
    const st = window.imchat?.state();
    return st && st.frames > 0 && st.user && st.realtime === 'open';
  });
  assert.notEqual((await state(page)).route, 'sign_in', 'the session survives a reload');
  assert.deepEqual(problems, []);
  await context.close();
});
