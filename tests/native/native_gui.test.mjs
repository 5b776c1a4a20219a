// The native client (GLFW + OpenGL 3.3 under Xvfb) against the real server: it must reach
// the server through the Beast transport and draw the same app as the web client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, requireEnv } from '../support/server.mjs';
import { decodePng } from '../support/png.mjs';
import { assertConnectedScreen } from '../support/app_screen.mjs';

const outDir = join(requireEnv('IMCHAT_TEST_OUTPUT'), 'native');
mkdirSync(outDir, { recursive: true });

function runClient(args) {
  return new Promise((resolve) => {
    const child = spawn('xvfb-run', ['-a', '-s', '-screen 0 1280x800x24',
      requireEnv('IMCHAT_CLIENT_BIN'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

test('the native client connects and draws the app', async () => {
  const server = await startServer();
  const shot = join(outDir, 'native_gui.png');
  const stateFile = join(outDir, 'native_state.json');
  rmSync(shot, { force: true });
  rmSync(stateFile, { force: true });
  try {
    const run = await runClient(['--server', server.url, '--exit-when-connected',
      '--screenshot', shot, '--state-file', stateFile, '--timeout', '60']);
    assert.equal(run.code, 0, run.output);
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    const health = await (await fetch(server.url + '/api/health')).json();
    assert.equal(state.connection, 'connected');
    assert.equal(state.serverVersion, health.version);
    assert.equal(state.fontError, '');
    assert.ok(state.frames > 0);
    const image = decodePng(shot);
    assert.equal(image.width, 1280);
    assert.equal(image.height, 800);
    assertConnectedScreen(image, 1);
  } finally {
    const exit = await server.stop();
    assert.equal(exit.code, 0, 'server did not stop cleanly');
  }
});

test('the native client reports an unreachable server', async () => {
  const stateFile = join(outDir, 'native_unreachable.json');
  rmSync(stateFile, { force: true });
  // A loopback port that was free a moment ago: the connection is refused at once.
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const run = await runClient(['--server', `http://127.0.0.1:${port}`, '--exit-when-connected',
    '--state-file', stateFile, '--timeout', '3']);
  assert.equal(run.code, 1);
  const state = JSON.parse(readFileSync(stateFile, 'utf8'));
  assert.equal(state.connection, 'unreachable');
  assert.match(state.lastError, /connect/);
});
