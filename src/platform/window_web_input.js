// Keys, text, clipboard, touch and wheel for the web Window (window_web.cpp), as an Emscripten
// JavaScript library (--js-library). Emscripten 3.1.6's GLFW takes characters from the old
// keypress event and listens on the whole window: no IME composition (Chinese, Japanese,
// Korean), broken dead keys, nothing from Android keyboards (keyCode 229), no phone
// keyboard for a canvas, and Backspace/Tab cancelled for every input on the page. So:
//  - GLFW's window-wide key listeners are removed; keys are taken from our own elements.
//  - A transparent <textarea id="imchat-input"> has the focus while ImGui wants text. It is
//    kept at the caret, so the IME's candidate window opens there, and shows the text being
//    composed; committed text goes to ImGui and the textarea is emptied again.
//  - Named keys (Enter, Backspace, arrows, modifiers) and shortcuts go to ImGui as keys;
//    characters only ever arrive as text, so nothing is typed twice.
//  - Paste comes from the browser's paste event, copy and cut fill the copy/cut event with
//    the app's selection, and Copy buttons write with navigator.clipboard: the system
//    clipboard, not an in-page one.
// Everything reaches the wasm side in order through imchat_input_key / imchat_input_text,
// which queue it for the next frame (window_web.cpp feeds the queue to ImGui).

mergeInto(LibraryManager.library, {
  $imchatInput: {
    input: null,
    held: {},
    active: false,
    sendText: function(text) {
      if (!text) return;
      var size = lengthBytesUTF8(text) + 1;
      var ptr = _malloc(size);
      stringToUTF8(text, ptr, size);
      _imchat_input_text(ptr);
      _free(ptr);
    },
    // A key ImGui should see: true when it maps to one.
    sendKey: function(keyCode, down) {
      var key = GLFW.DOMToGLFWKeyCode(keyCode);
      if (key < 0) return false;
      _imchat_input_key(key, down ? 1 : 0);
      return true;
    },
    // Touch. GLFW turns a finger into a mouse, so a drag over a message would select text
    // instead of scrolling; its touch listeners go, and here a tap is a click where it
    // lands, a drag scrolls (as wheel notches: the message list moves 90 CSS px a notch,
    // ui/chat_view.cpp), and a flick glides on with decaying speed, as on any phone. A drag
    // mostly sideways scrolls sideways (a wide code panel under the finger) and does not
    // glide; which way is settled as it starts, so a scroll down the list never drifts.
    installTouch: function(canvas, input) {
      canvas.removeEventListener('touchmove', GLFW.onMousemove, true);
      canvas.removeEventListener('touchstart', GLFW.onMouseButtonDown, true);
      canvas.removeEventListener('touchcancel', GLFW.onMouseButtonUp, true);
      canvas.removeEventListener('touchend', GLFW.onMouseButtonUp, true);
      var kNotchPx = 90, kSlopPx = 8, kDecayMs = 325;
      var touch = null, glide = 0, touchMode = false;
      var local = function(t) {
        var r = canvas.getBoundingClientRect();
        return {x: t.clientX - r.left, y: t.clientY - r.top};
      };
      canvas.addEventListener('touchstart', function(e) {
        e.preventDefault();  // no emulated mouse events, no page gestures
        cancelAnimationFrame(glide);
        touchMode = true;
        if (e.touches.length !== 1) {
          touch = null;  // two fingers: not ours (and no stray click)
          return;
        }
        var p = local(e.touches[0]);
        touch = {start: p, last: p, scrolling: false, samples: [{y: p.y, t: e.timeStamp}]};
        _imchat_input_touch(p.x, p.y, 0);  // what is under the finger, as hover
      }, {passive: false});
      canvas.addEventListener('touchmove', function(e) {
        e.preventDefault();
        if (!touch || e.touches.length !== 1) return;
        var p = local(e.touches[0]);
        if (!touch.scrolling && Math.hypot(p.x - touch.start.x, p.y - touch.start.y) > kSlopPx) {
          touch.scrolling = true;
          touch.sideways = Math.abs(p.x - touch.start.x) > Math.abs(p.y - touch.start.y);
        }
        if (touch.scrolling && touch.sideways) _imchat_input_scroll((p.x - touch.last.x) / kNotchPx, 0);
        else if (touch.scrolling) _imchat_input_wheel((p.y - touch.last.y) / kNotchPx);
        touch.last = p;
        touch.samples.push({y: p.y, t: e.timeStamp});
        while (touch.samples.length > 2 && e.timeStamp - touch.samples[0].t > 100) touch.samples.shift();
      }, {passive: false});
      var end = function(e) {
        e.preventDefault();
        if (!touch) return;
        var t = touch;
        touch = null;
        if (!t.scrolling) {
          if (e.type === 'touchcancel') return;
          _imchat_input_touch(t.last.x, t.last.y, 1);
          _imchat_input_touch(t.last.x, t.last.y, 0);
          // A tap on a text field must open the phone's keyboard, which only a focus()
          // inside the touch's own event does. The frame drawn for touchstart knows
          // whether the finger is on a text field (ImGui's text cursor).
          if (_imchat_hovering_text()) input.focus({preventScroll: true});
          return;
        }
        if (t.sideways) return;
        var first = t.samples[0], last = t.samples[t.samples.length - 1];
        var speed = last.t > first.t ? (last.y - first.y) / (last.t - first.t) : 0;  // px/ms
        var previous = null;
        var step = function(now) {
          // Frame times, not performance.now(): the first frame's time may predate the lift.
          var dt = previous === null ? 16 : Math.min(64, Math.max(0, now - previous));
          previous = now;
          speed *= Math.exp(-dt / kDecayMs);
          if (Math.abs(speed) < 0.02) return;
          _imchat_input_wheel(speed * dt / kNotchPx);
          glide = requestAnimationFrame(step);
        };
        if (Math.abs(speed) > 0.1) glide = requestAnimationFrame(step);
      };
      canvas.addEventListener('touchend', end, {passive: false});
      canvas.addEventListener('touchcancel', end, {passive: false});
      // A real mouse again (touch events were cancelled, so no emulated ones come here).
      canvas.addEventListener('mousemove', function() {
        if (!touchMode) return;
        touchMode = false;
        _imchat_input_mouse();
      });
    },
    // Wheel and trackpad. Emscripten 3.1.6's GLFW hands on the browser's raw deltas (CSS
    // pixels, with the browser's sign) where GLFW and ImGui expect notches with positive =
    // up: one notch down moved the list 9,000 px up the history. Here every deltaMode becomes
    // CSS pixels and then the app's notches (kNotchPx, as for a finger: the message list
    // moves that far a notch), positive = up and left, so a mouse notch (100 px in Chromium,
    // 3 lines in Firefox) moves the list about 100 px its way and a trackpad follows the
    // fingers pixel for pixel. Shift turns the vertical wheel sideways (Chromium on Linux and
    // Windows sends that as deltaX already). Ctrl+wheel, and a trackpad pinch, which comes as
    // one, stay the browser's zoom. Everything else is the app's: the page (or, embedded, the
    // page around us) never scrolls behind the canvas.
    installWheel: function(canvas) {
      canvas.removeEventListener('wheel', GLFW.onMouseWheel, true);
      canvas.removeEventListener('mousewheel', GLFW.onMouseWheel, true);
      var kNotchPx = 90, kLinePx = 100 / 3;
      canvas.addEventListener('wheel', function(e) {
        if (e.ctrlKey) return;
        e.preventDefault();
        var unit = e.deltaMode === 1 ? kLinePx : e.deltaMode === 2 ? canvas.clientHeight : 1;
        var dx = e.deltaX * unit, dy = e.deltaY * unit;
        if (e.shiftKey && dx === 0) {
          dx = dy;
          dy = 0;
        }
        if (!isFinite(dx) || !isFinite(dy) || (dx === 0 && dy === 0)) return;
        _imchat_input_scroll(-dx / kNotchPx, -dy / kNotchPx);
      }, {passive: false});
    },
    releaseAll: function() {
      for (var code in imchatInput.held) imchatInput.sendKey(+code, false);
      imchatInput.held = {};
    },
  },

  imchat_input_install__deps: ['$GLFW', '$imchatInput'],
  imchat_input_install: function() {
    var canvas = Module['canvas'];
    window.removeEventListener('keydown', GLFW.onKeydown, true);
    window.removeEventListener('keypress', GLFW.onKeyPress, true);
    window.removeEventListener('keyup', GLFW.onKeyup, true);

    var input = document.getElementById('imchat-input');
    if (!input) {
      input = document.createElement('textarea');
      input.id = 'imchat-input';
      document.body.appendChild(input);
    }
    imchatInput.input = input;
    // The textarea is emptied after every character, so a phone keyboard would think each
    // one starts a sentence (capitals) and has nothing to correct.
    input.setAttribute('autocomplete', 'off');
    input.setAttribute('autocorrect', 'off');
    input.setAttribute('autocapitalize', 'off');
    input.setAttribute('spellcheck', 'false');
    input.setAttribute('aria-label', 'Message');

    var onKeydown = function(e) {
      if (e.isComposing || e.keyCode === 229) return;  // the IME's: its text comes as input
      var command = e.ctrlKey || e.metaKey;
      var named = e.key && e.key.length > 1;  // Enter, Backspace, ArrowLeft, Shift, F5…
      if (!named && !command) {
        // A character: the input event brings it — to the textarea. One typed while the
        // canvas still has the focus (the frame that activated a text field has not moved it
        // yet) would have no input event at all, so it goes as text and the focus follows.
        if (e.target !== input && imchatInput.active && e.key && e.key.length === 1) {
          e.preventDefault();
          imchatInput.sendText(e.key);
          input.focus({preventScroll: true});
        }
        return;
      }
      if (command && /^[vV]$/.test(e.key)) return;  // the paste event brings the clipboard
      if (e.key === 'Tab' && e.target !== input) return;  // leave focus traversal alone
      if (/^F\d+$/.test(e.key)) return;  // the browser's (reload, devtools)
      if (imchatInput.sendKey(e.keyCode, true)) imchatInput.held[e.keyCode] = true;
      // The textarea must not edit itself or move the focus, and arrows or Space must not
      // scroll the page (or, embedded, the page around us). Copy and cut stay allowed: their
      // events carry the app's selection to the system clipboard.
      var modifier = /^(Shift|Control|Alt|Meta|AltGraph|CapsLock)$/.test(e.key);
      if ((named && !modifier) || (command && /^[azyAZY]$/.test(e.key))) e.preventDefault();
    };
    var onKeyup = function(e) {
      if (!imchatInput.held[e.keyCode]) return;
      delete imchatInput.held[e.keyCode];
      imchatInput.sendKey(e.keyCode, false);
    };
    [input, canvas].forEach(function(el) {
      el.addEventListener('keydown', onKeydown);
      el.addEventListener('keyup', onKeyup);
    });
    window.addEventListener('blur', imchatInput.releaseAll);

    var flush = function() {
      var text = input.value;
      input.value = '';
      imchatInput.sendText(text);
    };
    input.addEventListener('input', function(e) {
      if (!e.isComposing) flush();
    });
    input.addEventListener('compositionstart', function() {
      input.classList.add('composing');
    });
    input.addEventListener('compositionend', function(e) {
      input.classList.remove('composing');
      input.value = '';
      imchatInput.sendText(e.data);
    });
    // Android keyboards send Backspace as keyCode 229 plus a deletion of nothing.
    input.addEventListener('beforeinput', function(e) {
      if (e.inputType === 'deleteContentBackward' && !input.value && !e.isComposing) {
        e.preventDefault();
        imchatInput.sendKey(8, true);
        imchatInput.sendKey(8, false);
      }
    });
    input.addEventListener('paste', function(e) {
      var text = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
      e.preventDefault();
      imchatInput.sendText(text.replace(/\r\n?/g, '\n'));
    });
    // Copy and cut alike put the selection on the clipboard; for a cut, ImGui deletes it on
    // the Ctrl/Cmd+X it was given as a key.
    var copy = function(e) {
      var ptr = _imchat_selected_text();
      var text = ptr ? UTF8ToString(ptr) : '';
      if (!text || !e.clipboardData) return;
      e.clipboardData.setData('text/plain', text);
      e.preventDefault();
    };
    document.addEventListener('copy', copy);
    document.addEventListener('cut', copy);
    // A click on the canvas focuses it; while a text field is active the keyboard belongs
    // to the textarea, so the focus goes straight back there.
    canvas.addEventListener('focus', function() {
      if (imchatInput.active) input.focus({preventScroll: true});
    });
    // Whether typing reaches the app: this document has the focus and nothing else in it
    // (a page's own input) holds it. Checked once focus has settled: focusout comes before
    // the next element's focusin.
    var keyboard = true;
    var checkKeyboard = function() {
      var active = document.activeElement;
      var has = document.hasFocus() &&
          (!active || active === input || active === canvas || active === document.body);
      if (has === keyboard) return;
      keyboard = has;
      _imchat_input_keyboard(has ? 1 : 0);
    };
    var settled = function() { setTimeout(checkKeyboard, 0); };
    window.addEventListener('focus', settled);
    window.addEventListener('blur', settled);
    document.addEventListener('focusin', settled);
    document.addEventListener('focusout', settled);
    checkKeyboard();  // embedded, the page around us has the keyboard to begin with
    imchatInput.installTouch(canvas, input);
    imchatInput.installWheel(canvas);
  },

  // ImGui wants text (a text field is active) or no longer does.
  imchat_input_set_active__deps: ['$imchatInput'],
  imchat_input_set_active: function(active) {
    var input = imchatInput.input;
    if (!input) return;
    imchatInput.active = !!active;
    if (active) {
      // Only while this document has the focus: embedded, taking it on load would steal
      // the keyboard from the page around us.
      if (document.activeElement !== input && document.hasFocus()) input.focus({preventScroll: true});
    } else if (document.activeElement === input) {
      input.value = '';
      Module['canvas'].focus({preventScroll: true});
    }
  },

  // The caret, in canvas device pixels: the textarea (and so the IME's window) goes there.
  imchat_input_set_caret__deps: ['$imchatInput'],
  imchat_input_set_caret: function(x, y, height) {
    var input = imchatInput.input;
    if (!input) return;
    var rect = Module['canvas'].getBoundingClientRect();
    var ratio = window.devicePixelRatio || 1;
    // A little taller than the line, centred on it, so the composition reads comfortably.
    var line = Math.max(16, Math.round(height / ratio));
    input.style.left = Math.round(rect.left + x / ratio) + 'px';
    input.style.top = Math.round(rect.top + y / ratio - 4) + 'px';
    input.style.height = (line + 8) + 'px';
    input.style.lineHeight = (line + 8) + 'px';
  },

  // The mouse cursor ImGui asks for, as a CSS cursor name.
  imchat_input_set_cursor: function(css) {
    Module['canvas'].style.cursor = UTF8ToString(css);
  },

  imchat_clipboard_write__deps: ['$imchatInput'],
  imchat_clipboard_write: function(ptr) {
    var text = UTF8ToString(ptr);
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).catch(function(e) {
        console.warn('imchat: could not copy to the clipboard: ' + e);
      });
    }
  },
});
