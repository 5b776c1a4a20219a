// imchat's embed script: puts a chat in an element of any page, in an iframe, and gives
// the page a handle to drive it. The protocol underneath is in docs/embedding.md.
//
//   <script src="https://chat.example.com/embed.js"></script>
//   <div id="chat" style="width: 420px; height: 640px"></div>
//   <script>
//     const chat = imchat.mount(document.getElementById('chat'), {
//       server: 'https://api.example.com',  // the imchat server (default: the app's config.json)
//       conversation: 'c_123',              // open this conversation
//       theme: 'light',                     // or 'dark'
//       token: sessionToken,                // sign in as your user (kept in memory only)
//     });
//     chat.on('message', (e) => console.log(e.message.content));
//     chat.send('Hello');
//   </script>
//
// The chat's origin must list this page's origin in its config.json (embedOrigins), or it
// ignores the page's commands and sends it no events.
(function () {
  'use strict';
  const script = document.currentScript;
  const defaultApp = script && script.src ? new URL('index.html', script.src).href : null;
  const EVENTS = ['ready', 'message', 'unread', 'error'];

  function mount(element, options = {}) {
    if (!(element instanceof Element)) throw new TypeError('imchat.mount needs an element');
    const appUrl = options.app || defaultApp;
    if (!appUrl) throw new Error('imchat.mount: pass options.app (the URL of the chat\'s index.html)');
    const url = new URL(appUrl, location.href);
    url.searchParams.set('embed', '1');
    url.searchParams.set('parent', location.origin);
    if (options.server) url.searchParams.set('server', options.server);
    if (options.theme) url.searchParams.set('theme', options.theme);
    // The token never goes in the address (it would land in logs and history): the app
    // waits for it over postMessage instead of signing in a guest.
    if (options.token) url.searchParams.set('auth', 'host');
    if (options.conversation) url.hash = `#/c/${encodeURIComponent(options.conversation)}`;
    const appOrigin = url.origin;

    const iframe = document.createElement('iframe');
    iframe.src = url.href;
    iframe.title = options.title || 'Chat';
    iframe.allow = 'clipboard-read; clipboard-write';
    iframe.style.cssText = 'display:block;width:100%;height:100%;border:0;color-scheme:normal';

    const listeners = new Map(EVENTS.map((type) => [type, new Set()]));
    let loaded = false;
    let ready = false;
    const outbox = [];
    let resolveReady;
    const readyPromise = new Promise((resolve) => { resolveReady = resolve; });

    const post = (command) => {
      if (!loaded) {
        outbox.push(command);
        return;
      }
      iframe.contentWindow.postMessage({ channel: 'imchat', ...command }, appOrigin);
    };
    iframe.addEventListener('load', () => {
      loaded = true;
      for (const command of outbox.splice(0)) post(command);
    });
    const onMessage = (event) => {
      if (event.source !== iframe.contentWindow || event.origin !== appOrigin) return;
      const data = event.data;
      if (!data || data.channel !== 'imchat' || !listeners.has(data.type)) return;
      if (data.type === 'ready' && !ready) {
        ready = true;
        resolveReady(handle);
      }
      const { channel, ...detail } = data;
      for (const listener of listeners.get(data.type)) {
        try {
          listener(detail);
        } catch (e) {
          setTimeout(() => { throw e; });  // the page's bug, reported without stopping us
        }
      }
    };
    window.addEventListener('message', onMessage);
    if (options.token) post({ type: 'setToken', token: String(options.token) });
    element.appendChild(iframe);

    const handle = {
      iframe,
      // Resolves with the handle once the chat is signed in and on screen.
      ready: readyPromise,
      send(text) { post({ type: 'send', text: String(text) }); },
      open(conversation) { post({ type: 'open', conversation: String(conversation) }); },
      setToken(token) { post({ type: 'setToken', token: String(token) }); },
      setTheme(theme) { post({ type: 'setTheme', theme: String(theme) }); },
      // type: 'ready' | 'message' | 'unread' | 'error'. Returns a function that unsubscribes.
      on(type, listener) {
        if (!listeners.has(type)) throw new Error(`imchat: unknown event ${type} (${EVENTS.join(', ')})`);
        listeners.get(type).add(listener);
        return () => listeners.get(type).delete(listener);
      },
      destroy() {
        window.removeEventListener('message', onMessage);
        iframe.remove();
      },
    };
    return handle;
  }

  window.imchat = Object.assign(window.imchat || {}, { mount });
})();
