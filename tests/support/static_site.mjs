// Static hosting for the browser tests, on other origins than the API server:
//  - startStaticSite: the web build as a folder served by Python's http.server (a plain
//    static server that knows nothing of imchat), with the site's own config.json.
//  - startPageServer: one made-up host page (an embedding site) on a loopback port.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Serves webRoot's files (linked, not copied) plus config.json from `config` at
// http://<host>:<port>/. host 'localhost' gives another origin than the API's 127.0.0.1.
export async function startStaticSite(webRoot, config, { host = 'localhost' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'imchat-site-'));
  for (const name of readdirSync(webRoot)) {
    if (name !== 'config.json') symlinkSync(join(webRoot, name), join(dir, name));
  }
  if (config !== undefined) {
    writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  }
  const child = spawn('/usr/bin/python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/port (\d+)/);
      if (match) resolve(Number(match[1]));
    });
    exited.then(({ code }) => reject(new Error(`http.server exited (${code}): ${out}`)));
  });
  return {
    url: `http://${host}:${port}`,
    dir,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Answers every GET with `html` at http://127.0.0.1:<port>/.
export async function startPageServer(html) {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
