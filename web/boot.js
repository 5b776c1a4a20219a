'use strict';
// The page shell: checks the browser, reads the configuration, downloads the app with a
// real progress bar, and is the app's link to the document and to an embedding page.
// Contracts: window.imchat (tests, benchmarks, the bridge below), window.imchatBoot (what
// the wasm reads at start, src/app/main_web.cpp), window.imchatPage (what the wasm calls,
// src/platform/page_web.cpp), and the postMessage protocol in docs/embedding.md.

// Raw sizes of the downloads, filled in by the build (progress from gzipped transfers
// counts decoded bytes, so Content-Length would not do).
const SIZES = /*@SIZES@*/null;
const bootEl = document.getElementById('boot');
const barEl = bootEl.querySelector('.bar');
const fillEl = bootEl.querySelector('.fill');
const textEl = bootEl.querySelector('.text');
const params = new URLSearchParams(location.search);
const embedded = window.parent !== window;
const timing = { start: performance.now() };
let failed = false;

function fail(text) {
  failed = true;
  document.body.classList.remove('shown');
  bootEl.className = 'error';
  textEl.textContent = text;
}

const NO_WASM = 'imchat needs WebAssembly, which this browser has switched off or does not support. ' +
                'Try a current Chrome, Edge, Firefox or Safari.';
// Without WebGL 2 the app draws in software on a 2D canvas; this is for a browser with neither.
const NO_CANVAS = 'imchat cannot draw in this browser: it gives the page neither WebGL 2 nor a 2D canvas. ' +
                  'Check its graphics settings or try a current Chrome, Edge, Firefox or Safari.';
// What the app draws with, made by the page as soon as it runs rather than by the app once
// it has started: the browser sets it up while the app downloads and compiles.
//
// A GPU: WebGL 2 (Emscripten's GL_PREINITIALIZED_CONTEXT hands the context to the app).
// Opaque — ImGui 1.86 blends alpha like colour, so a translucent canvas would let the page
// show through — and without depth or stencil: the UI is flat.
//
// No GPU: a 2D canvas, where the app shows what its own software renderer draws
// (src/platform/soft_renderer.h). That is the path for a browser with no WebGL 2 at all,
// and also for one whose WebGL 2 is software GL (SwiftShader, llvmpipe, WARP): drawing only
// the changed pixels in wasm and handing them to a 2D canvas costs a streaming reply less
// than half the CPU of the same frames in software GL (docs/benchmarks.md). Which one a
// browser has is asked of a throwaway canvas: a canvas that made a WebGL context can never
// give a 2D one. ?renderer=webgl or ?renderer=canvas overrides the choice.
function makeWebgl(canvas) {
  try {
    return canvas.getContext('webgl2', { alpha: false, depth: false, stencil: false, antialias: false, preserveDrawingBuffer: true });
  } catch (e) {
    return null;
  }
}
function make2d(canvas) {
  try {
    return canvas.getContext('2d', { alpha: false });
  } catch (e) {
    return null;
  }
}
function hardwareWebgl() {
  const gl = makeWebgl(document.createElement('canvas'));
  if (!gl) return false;
  try {
    if (gl.isContextLost()) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) || '');
    return !/swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
  } catch (e) {
    return false;
  } finally {
    // Free it now: a page gets only so many WebGL contexts, and the oldest is taken away.
    try {
      const lose = gl.getExtension('WEBGL_lose_context');
      if (lose) lose.loseContext();
    } catch (e) { /* it goes with the canvas */ }
  }
}
function makeContext(canvas) {
  const asked = params.get('renderer');
  if (asked === 'webgl' || (asked !== 'canvas' && hardwareWebgl())) {
    const gl = makeWebgl(canvas);
    if (gl) return { renderer: 'webgl', gl };
  }
  const ctx = make2d(canvas);
  if (ctx) return { renderer: 'canvas', ctx };
  // No 2D canvas (hardly a browser): software WebGL, then, if there is any.
  const gl = makeWebgl(canvas);
  return gl ? { renderer: 'webgl', gl } : null;
}

// config.json (optional) then the address: ?theme=, and the embedding script's options as
// ?embed=1&parent=…&conversation=…&theme=…&auth=host. Which server the app talks to —
// config.json's "server", or a ?server= that config.json lists in "servers" — is decided
// by the app itself (src/app/boot_options.cpp), from the config and the address as given.
async function readConfig() {
  let config = {};
  try {
    const response = await fetch('config.json', { cache: 'no-cache' });
    if (response.ok) config = await response.json();
    else if (response.status !== 404) throw new Error(`HTTP ${response.status}`);
  } catch (e) {
    throw new Error(`config.json could not be read (${e.message}). Check that it is valid JSON.`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error('config.json must hold a JSON object, e.g. {"server": "https://chat.example.com"}.');
  }
  const origins = Array.isArray(config.embedOrigins) ? config.embedOrigins : [];
  const boot = {
    config,
    query: { server: params.get('server') || '' },
    origin: location.origin,
    theme: config.theme === 'light' ? 'light' : 'dark',
    embedOrigins: origins.filter((o) => {
      const ok = typeof o === 'string' && /^https?:\/\/[^/*]+$/.test(o);
      if (!ok) console.warn(`imchat: config.json embedOrigins: ignoring ${JSON.stringify(o)} (an origin like https://example.com, never *)`);
      return ok;
    }),
    conversation: '',
    auth: '',
    // A phone or tablet: the app gives its controls fingertip sizes.
    touch: window.matchMedia('(pointer: coarse)').matches,
  };
  if (params.get('theme') === 'light' || params.get('theme') === 'dark') boot.theme = params.get('theme');
  if (params.get('auth') === 'host') boot.auth = 'host';
  boot.conversation = conversationFromHash() || params.get('conversation') || '';
  return boot;
}

function conversationFromHash() {
  const match = location.hash.match(/^#\/c\/([^/?#]+)$/);
  return match ? decodeURIComponent(match[1]) : '';
}

// Downloads a file counting its bytes into progress[name].
async function download(name, progress, onProgress) {
  const response = await fetch(name);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  if (!response.body) {
    const buffer = await response.arrayBuffer();
    progress[name] = buffer.byteLength;
    onProgress();
    return buffer;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
    progress[name] = length;
    onProgress();
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes.buffer;
}

// window.imchat: what tests, benchmarks and the embedding bridge call.
window.imchat = {
  ready: false,    // the wasm runtime is up
  shown: false,    // its first frame is on screen
  timing,          // ms since navigation: start, downloaded, runtime, firstFrame, presented
  renderer: null,  // what it draws with: 'webgl' (a GPU) or 'canvas' (software, on a 2D canvas)
  state() {
    if (!window.imchat.ready) return { connection: 'starting', frames: 0 };
    return JSON.parse(Module.UTF8ToString(Module._imchat_state_json()));
  },
  // The renderer redraws only what changed; these let a test check that the picture is
  // the same when everything is redrawn, and see how much the last frame redrew (0..1).
  redrawEverything() {
    if (window.imchat.ready) Module._imchat_redraw_everything();
  },
  // false: every frame redraws the whole canvas, as before (the bench compares the two).
  setPartialRedraw(on) {
    if (window.imchat.ready) Module._imchat_set_partial_redraw(on ? 1 : 0);
  },
  lastDamage() {
    return window.imchat.ready ? Module._imchat_last_damage() : 0;
  },
  // The SDK's devtools window (queries, socket, outbox); also Ctrl+Shift+D.
  debug(open) {
    if (window.imchat.ready) Module._imchat_set_devtools(open ? 1 : 0);
  },
  // What a user can do. Strings go in as UTF-8.
  newConversation() {
    if (window.imchat.ready) Module._imchat_new_conversation();
  },
  open(id) {
    if (window.imchat.ready) Module.ccall('imchat_open', null, ['string'], [String(id)]);
  },
  send(text) {
    return window.imchat.ready &&
      Module.ccall('imchat_send', 'number', ['string'], [String(text)]) === 1;
  },
  setToken(token) {
    if (window.imchat.ready) Module.ccall('imchat_set_token', null, ['string'], [String(token)]);
  },
  setTheme(theme) {
    if (window.imchat.ready) Module.ccall('imchat_set_theme', null, ['string'], [String(theme)]);
    document.body.classList.toggle('light', theme === 'light');
  },
  // Every event the app emitted, in order (tests read it; the bridge relays it).
  events: [],
};

// --- The embedding bridge (docs/embedding.md) ---------------------------------------
// Commands are taken only from the parent window, and only when its origin is allowed by
// config.json; events go only to that origin (never '*'). A token given here lives in the
// wasm's memory only.
const bridge = {
  origins: [],
  parentOrigin: null,
  appReady: false,
  queued: [],
  // The app's own origin could reach into the iframe anyway, so it is always allowed.
  allowed(origin) { return origin === location.origin || bridge.origins.includes(origin); },
  configured: false,
  inbox: [],  // messages that came before config.json said who may send them
  // Listening starts at once (the embedding page posts right after the iframe loads);
  // what arrives is judged once the allowed origins are known.
  listen() {
    if (!embedded) return;
    window.addEventListener('message', (event) => {
      if (event.source !== window.parent) return;
      if (!bridge.configured) bridge.inbox.push(event);
      else bridge.receive(event);
    });
  },
  receive(event) {
    if (!bridge.allowed(event.origin)) return;
    const data = event.data;
    if (!data || data.channel !== 'imchat' || typeof data.type !== 'string') return;
    if (!bridge.parentOrigin) bridge.parentOrigin = event.origin;
    bridge.command(data);
  },
  start(boot) {
    bridge.origins = boot.embedOrigins;
    bridge.configured = true;
    if (!embedded) return;
    const claimed = params.get('parent');
    const ancestor = location.ancestorOrigins && location.ancestorOrigins[0];
    bridge.parentOrigin = [claimed, ancestor].find((o) => o && bridge.allowed(o)) || null;
    if (!bridge.parentOrigin) console.warn('imchat: the embedding page is not in config.json embedOrigins; no events are sent to it');
    for (const event of bridge.inbox.splice(0)) bridge.receive(event);
  },
  post(event) {
    if (bridge.parentOrigin) window.parent.postMessage({ channel: 'imchat', ...event }, bridge.parentOrigin);
  },
  // setToken and setTheme apply as soon as the wasm runs; send and open wait until the
  // app is ready (signed in, first frame drawn).
  command(data) {
    const early = data.type === 'setToken' || data.type === 'setTheme';
    if (!window.imchat.ready || (!early && !bridge.appReady)) {
      bridge.queued.push(data);
      return;
    }
    switch (data.type) {
      case 'setToken':
        if (typeof data.token === 'string' && data.token) window.imchat.setToken(data.token);
        else bridge.post({ type: 'error', message: 'setToken needs a token string' });
        break;
      case 'setTheme':
        if (data.theme === 'light' || data.theme === 'dark') window.imchat.setTheme(data.theme);
        else bridge.post({ type: 'error', message: 'setTheme takes "light" or "dark"' });
        break;
      case 'open':
        if (typeof data.conversation === 'string') window.imchat.open(data.conversation);
        else bridge.post({ type: 'error', message: 'open needs a conversation id' });
        break;
      case 'send':
        if (typeof data.text !== 'string' || !data.text.trim()) {
          bridge.post({ type: 'error', message: 'send needs some text' });
        } else if (!window.imchat.send(data.text)) {
          bridge.post({ type: 'error', message: 'the message could not be sent: open a conversation first' });
        }
        break;
      default:
        bridge.post({ type: 'error', message: `unknown command ${JSON.stringify(data.type)}` });
    }
  },
  flush() {
    const queued = bridge.queued.splice(0);
    for (const data of queued) bridge.command(data);
  },
};

bridge.listen();

// --- What the wasm calls (src/platform/page_web.cpp) ---------------------------------
let locationTold = false;
window.imchatPage = {
  // The app could not start: 'canvas' when it found nothing to draw on.
  failed(reason) {
    fail(reason === 'canvas' ? NO_CANVAS : `imchat could not start: ${reason}`);
  },
  shown() {
    timing.firstFrame = performance.now();
    // The frame reaches the screen when the browser has composited it: by the next frame.
    requestAnimationFrame(() => { timing.presented = performance.now(); });
    window.imchat.shown = true;
    if (!failed) document.body.classList.add('shown');
  },
  // The open conversation is in the address: #/c/<id>. Embedded, history is left alone
  // (an entry in the joint history would make the host page's Back button drive us).
  setLocation(id) {
    const hash = id ? `#/c/${encodeURIComponent(id)}` : '#/';
    if (location.hash === hash || (!id && !location.hash)) {
      locationTold = true;
      return;
    }
    if (!locationTold || embedded) history.replaceState(null, '', hash);
    else history.pushState(null, '', hash);
    locationTold = true;
  },
  setTitle(title) { document.title = title; },
  announce(text) {
    const live = document.getElementById('imchat-live');
    const line = document.createElement('p');
    line.textContent = text;
    live.appendChild(line);
    while (live.childNodes.length > 20) live.removeChild(live.firstChild);
  },
  emit(json) {
    let event;
    try { event = JSON.parse(json); } catch (e) { return; }
    window.imchat.events.push(event);
    if (window.imchat.events.length > 500) window.imchat.events.splice(0, 100);
    if (event.type === 'ready') {
      bridge.appReady = true;
      bridge.post(event);
      bridge.flush();
      return;
    }
    bridge.post(event);
  },
};

// Back and forward (and edited addresses) open the conversation they name.
window.addEventListener('popstate', () => {
  if (window.imchat.ready) window.imchat.open(conversationFromHash());
});
window.addEventListener('hashchange', () => {
  if (window.imchat.ready) window.imchat.open(conversationFromHash());
});
// Visible again or back online: refetch what is stale and reconnect now, not after the
// backoff. (Whether we are online is the socket's call, not navigator.onLine's.)
const wake = () => {
  if (window.imchat.ready && document.visibilityState === 'visible') Module._imchat_on_visible();
};
document.addEventListener('visibilitychange', wake);
window.addEventListener('online', wake);

var Module = {
  canvas: document.getElementById('canvas'),
  print: (text) => console.log(text),
  printErr: (text) => console.warn(text),
  // After main(): the app exists, so commands (a token) can reach it.
  postRun: [() => {
    timing.runtime = performance.now();
    window.imchat.ready = true;
    bridge.flush();
  }],
  onAbort(what) { fail('imchat stopped: ' + what); },
};
// A 2D canvas can lose its pixels too (Chromium accelerates some, and a GPU process can
// crash): when it is given back, blank, the app draws everything again — its frames would
// otherwise redraw only what changed over nothing.
Module.canvas.addEventListener('contextrestored', () => {
  if (window.imchat.ready) Module._imchat_redraw_everything();
});
Module.canvas.addEventListener('webglcontextlost', (e) => {
  e.preventDefault();
  fail('The graphics context was lost. Reload the page to continue.');
});

(async () => {
  if (typeof WebAssembly !== 'object') return fail(NO_WASM);
  if (params.get('theme') === 'light') document.body.classList.add('light');
  const progress = {};
  const total = SIZES ? SIZES['imchat.wasm'] + SIZES['imchat.data'] : 0;
  const onProgress = () => {
    const loaded = (progress['imchat.wasm'] || 0) + (progress['imchat.data'] || 0);
    const percent = total ? Math.min(100, Math.round(100 * loaded / total)) : 0;
    fillEl.style.width = `${percent}%`;
    barEl.setAttribute('aria-valuenow', String(percent));
  };
  // Everything starts at once; the wasm is compiled as soon as it is here, while the rest
  // is still arriving. The WebGL context is made meanwhile (it takes a moment).
  const wasmModule = download('imchat.wasm', progress, onProgress).then((bytes) => WebAssembly.compile(bytes));
  const loads = Promise.all([readConfig(), wasmModule, download('imchat.data', progress, onProgress)]);
  loads.catch(() => {});  // reported below, after the browser check
  const context = makeContext(Module.canvas);
  if (!context) return fail(NO_CANVAS);
  window.imchat.renderer = context.renderer;
  if (context.gl) {
    Module.preinitializedWebGLContext = context.gl;
    // Its first picture, under the loading screen: the browser sets up compositing the
    // canvas now, while the app is still on its way.
    context.gl.clear(context.gl.COLOR_BUFFER_BIT);
  } else {
    Module.imchatCanvas2d = context.ctx;
  }
  let boot, module, data;
  try {
    [boot, module, data] = await loads;
  } catch (e) {
    return fail(`imchat could not start: ${e.message}`);
  }
  timing.downloaded = performance.now();
  window.imchatBoot = boot;
  document.body.classList.toggle('light', boot.theme === 'light');
  bridge.start(boot);
  Module.instantiateWasm = (imports, done) => {
    WebAssembly.instantiate(module, imports)
      .then((instance) => done(instance, module))
      .catch((e) => fail(`imchat could not start: ${e.message}`));
    return {};
  };
  Module.getPreloadedPackage = (name) => (name.endsWith('imchat.data') ? data : null);
  const script = document.createElement('script');
  script.src = 'imchat.js';
  script.onerror = () => fail('Could not load imchat.js. Check the connection and reload.');
  document.body.appendChild(script);
})();
