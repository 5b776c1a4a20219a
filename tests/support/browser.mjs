// Launches Debian's Chromium through playwright-core (never a downloaded browser) with the
// flags that make WebGL2 work headless (SwiftShader) on a machine with no network.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

// extraArgs: more flags, e.g. '--disable-webgl' for a browser with no WebGL at all.
export async function launchChromium({ extraArgs = [] } = {}) {
  // playwright gives every launch a fresh, temporary profile (--user-data-dir).
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
      '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extraArgs,
    ],
  });
}
