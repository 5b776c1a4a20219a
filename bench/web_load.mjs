// make bench: the web client's first load in headless Chromium, served gzipped by the real
// server on loopback. Prints table rows: bytes transferred for the first frame, the time
// from navigation to the app's first drawn frame and to that frame on screen (median of
// fresh, cold-cache loads). Headless Chromium has no GPU: the app draws with its software
// renderer on a 2D canvas (web/boot.js chooses); the times are given for that and for WebGL
// 2 through SwiftShader (?renderer=webgl), whose first frame on screen waits a few hundred ms
// on the software GL's readback for compositing.
// Usage: node bench/web_load.mjs <imchat-server> <web root>
import { launchChromium } from '../tests/support/browser.mjs';
import { startServer } from '../tests/support/server.mjs';

const [serverBin, webRoot] = process.argv.slice(2);
const LOADS = 11;

const row = (name, value, unit, note) =>
  console.log(`| ${name.padEnd(38)} | ${value.toFixed(2).padStart(12)} | ${unit.padEnd(6)} | ${note} |`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

process.env.IMCHAT_SERVER_BIN = serverBin;
const server = await startServer({ webRoot });
const url = server.url;
const browser = await launchChromium();
try {
  for (const renderer of ['', 'webgl']) {
    const firstFrame = [], onScreen = [], transferred = [], appBytes = [];
    let drawnBy = '';
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      // Bytes on the wire per response (headers and gzip included), from the network itself.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      const sizes = new Map();
      const urls = new Map();
      cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
      cdp.on('Network.loadingFinished', (e) => sizes.set(e.requestId, e.encodedDataLength));
      await page.goto(url + '/' + (renderer ? `?renderer=${renderer}` : ''));
      await page.waitForFunction(() => window.imchat && window.imchat.timing.presented, null, { timeout: 60000 });
      const timing = await page.evaluate(() => window.imchat.timing);
      drawnBy = await page.evaluate(() => window.imchat.renderer);
      firstFrame.push(timing.firstFrame);
      onScreen.push(timing.presented);
      if (process.env.IMCHAT_BENCH_VERBOSE) console.error(JSON.stringify(timing));
      let total = 0, app = 0;
      for (const [id, bytes] of sizes) {
        const u = urls.get(id) || '';
        if (u.includes('/api/') || u.includes('/ws')) continue;  // the session, not the load
        total += bytes;
        if (/imchat\.(wasm|js)$/.test(u)) app += bytes;
      }
      transferred.push(total);
      appBytes.push(app);
      await context.close();
    }
    const by = drawnBy === 'canvas' ? '2D' : 'WebGL';
    if (!renderer) {
      row('web: wasm + js transferred', median(appBytes) / 1024, 'KiB', 'gzip on the wire; goal ≤ 700');
      row('web: first frame transferred', median(transferred) / 1024, 'KiB', 'page, config, app, fonts; goal ≤ 1200');
    }
    row(`web ${by}: time to first frame`, median(firstFrame), 'ms', `drawn by the app; loopback, headless Chromium, median of ${LOADS}; goal ≤ 500`);
    row(`web ${by}: time to first frame on screen`, median(onScreen), 'ms', 'composited (the next animation frame)');
  }
} finally {
  await browser.close();
  await server.stop();
}
