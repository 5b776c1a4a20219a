// Starts the real imchat-server binary on a free loopback port with a fresh data directory,
// and stops it with SIGTERM, checking that it exits cleanly.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run the tests through ctest)`);
  return value;
}

export async function startServer({ webRoot, args: extra = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'imchat-data-'));
  // Every browser context of a suite signs in a new guest from 127.0.0.1: the per-address
  // guest throttle (10, then 2 a minute) would refuse a long suite halfway. The throttles
  // have their own tests (tests/integration/hardening_test.cpp).
  const args = ['--port', '0', '--data-dir', dataDir, '--guest-burst', '1000', '--auth-burst', '1000', ...extra];
  if (webRoot) args.push('--web-root', webRoot);
  const child = spawn(requireEnv('IMCHAT_SERVER_BIN'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

  // The server prints "imchat VERSION listening on URL" once it accepts connections.
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
    exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening:\n${log}`)));
  });

  return {
    url,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      const result = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
}
