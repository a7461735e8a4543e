// Hearth page behaviour. Load with `defer`, AFTER theme.js / htmx and BEFORE
// alpine-csp.min.js, so the `alpine:init` listener below is in place when
// Alpine starts. Runs under `Content-Security-Policy: default-src 'self'`:
// no eval, no inline code. Alpine's CSP build cannot reach window, document or
// localStorage from attribute expressions, so every such bit lives here in
// Alpine.data components; templates only reference their properties/methods.
(function () {
  'use strict';

  var THEME_KEY = 'hearth-theme';
  var BOTTOM_SLACK = 80; // px from the bottom that still counts as "at the bottom"

  // ---------------------------------------------------------------- theme

  function isDark() {
    return document.documentElement.classList.contains('dark');
  }

  function setTheme(dark) {
    document.documentElement.classList.toggle('dark', dark);
    try {
      window.localStorage.setItem(THEME_KEY, dark ? 'dark' : 'light');
    } catch (e) {
      /* storage unavailable: the choice lasts for this page only */
    }
  }

  // ------------------------------------------------- websocket connection

  // <span id="connection-status" data-connected="false"> is kept in step with
  // the htmx ws extension's socket (htmx:wsOpen / htmx:wsClose bubble to
  // document from the element carrying hx-ext="ws" ws-connect=...).
  function setConnected(connected) {
    var el = document.getElementById('connection-status');
    if (el) el.setAttribute('data-connected', connected ? 'true' : 'false');
  }
  // Every (re)connect asks for what was posted since the newest message on the page, so a
  // dropped connection or the gap between page render and socket open loses nothing.
  function newestMessageId() {
    var all = document.querySelectorAll('#messages [data-message-id]');
    var last = all.length ? Number(all[all.length - 1].getAttribute('data-message-id')) : 0;
    return isNaN(last) ? 0 : last;
  }
  document.addEventListener('htmx:wsOpen', function (e) {
    setConnected(true);
    var socket = e.detail && e.detail.socketWrapper;
    if (socket && document.getElementById('messages')) {
      socket.sendImmediately(JSON.stringify({ type: 'resume', after: newestMessageId() }));
    }
  });
  document.addEventListener('htmx:wsClose', function () { setConnected(false); });

  // ----------------------------------------------------------- chat helpers

  function bodyField(form) {
    if (!form || !form.elements) return null;
    var f = form.elements.namedItem('body');
    // namedItem returns a RadioNodeList when several controls share the name.
    if (f && !f.tagName && f.length) f = f[0];
    return f && (f.tagName === 'TEXTAREA' || f.tagName === 'INPUT') ? f : null;
  }

  // Set/remove data-mine on every [data-author] at or under `node`.
  function markMine(node) {
    if (!node || node.nodeType !== 1) return;
    var me = document.body ? document.body.getAttribute('data-me') : null;
    var els = Array.prototype.slice.call(node.querySelectorAll('[data-author]'));
    if (node.hasAttribute('data-author')) els.push(node);
    for (var i = 0; i < els.length; i++) {
      if (me && els[i].getAttribute('data-author') === me) {
        els[i].setAttribute('data-mine', 'true');
      } else {
        els[i].removeAttribute('data-mine');
      }
    }
  }

  // The server renders times in UTC (it renders each message once for everyone);
  // each browser shows them in its own zone: HH:MM today, with the date otherwise.
  function localiseTimes(node) {
    if (!node || node.nodeType !== 1) return;
    var els = Array.prototype.slice.call(node.querySelectorAll('time[datetime]'));
    if (node.matches && node.matches('time[datetime]')) els.push(node);
    var today = new Date().toDateString();
    for (var i = 0; i < els.length; i++) {
      var when = new Date(els[i].getAttribute('datetime'));
      if (isNaN(when.getTime())) continue;
      var hm = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      els[i].textContent = when.toDateString() === today
        ? hm
        : when.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + hm;
      els[i].title = when.toLocaleString();
    }
  }

  // A resumed message can arrive after a live one it precedes, or twice (live and
  // resumed): keep #messages in id order and each message once. Returns true when `node`
  // was a duplicate and is gone.
  function placeMessage(list, node) {
    var id = node.getAttribute && node.getAttribute('data-message-id');
    if (!id || node.parentNode !== list) return false;
    if (list.querySelectorAll('[data-message-id="' + id + '"]').length > 1) {
      node.remove();
      return true;
    }
    var mine = Number(id);
    var before = node.previousElementSibling;
    while (before && Number(before.getAttribute('data-message-id')) > mine) {
      before = before.previousElementSibling;
    }
    var target = before ? before.nextElementSibling : list.firstElementChild;
    if (target !== node) list.insertBefore(node, target);
    return false;
  }

  function decorate(node) {
    markMine(node);
    localiseTimes(node);
  }

  function scrollToBottom(el) {
    if (!el) return;
    var top = el.scrollHeight;
    // 'instant' overrides a CSS scroll-behavior: smooth on the container.
    if (typeof el.scrollTo === 'function') {
      try {
        el.scrollTo({ top: top, behavior: 'instant' });
        return;
      } catch (e) { /* old browser: fall through */ }
    }
    el.scrollTop = top;
  }

  function isAtBottom(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK;
  }

  // -------------------------------------------------------------- Alpine

  document.addEventListener('alpine:init', function () {
    var Alpine = window.Alpine;

    // <button x-data="themeToggle" @click="toggle" :aria-pressed="dark"
    //         :aria-label="label" :title="label">
    //   <svg x-show="dark">…sun…</svg><svg x-show="light">…moon…</svg>
    Alpine.data('themeToggle', function () {
      var sync = null;
      return {
        dark: isDark(),
        get light() { return !this.dark; },
        get label() { return this.dark ? 'Switch to light theme' : 'Switch to dark theme'; },
        init: function () {
          var self = this;
          // theme.js fires this when the system theme or another tab changes it.
          sync = function () { self.dark = isDark(); };
          document.addEventListener('hearth:themechange', sync);
        },
        destroy: function () {
          if (sync) document.removeEventListener('hearth:themechange', sync);
        },
        toggle: function () {
          var dark = !isDark();
          setTheme(dark);
          this.dark = dark;
        }
      };
    });

    // <div x-data="chat"> … <div id="messages" class="overflow-y-auto">
    //   <article data-author="alice">…</article> …</div>
    //   <form ws-send><textarea name="body"></textarea></form> </div>
    // <body data-me="alice"> gives the logged-in user.
    Alpine.data('chat', function () {
      var observer = null;
      var listeners = [];
      var stick = true; // was #messages scrolled to the bottom (by the user)?

      function on(target, type, fn, opts) {
        target.addEventListener(type, fn, opts);
        listeners.push([target, type, fn, opts]);
      }

      return {
        init: function () {
          var root = this.$el;
          var messages = function () { return document.getElementById('messages'); };

          var list = messages();
          decorate(list);
          scrollToBottom(list);
          // Again once layout/fonts have settled.
          window.requestAnimationFrame(function () { scrollToBottom(messages()); });

          // (a)+(b) New messages (e.g. hx-swap-oob="beforeend:#messages" from the
          // socket, or #messages itself replaced): mark own ones, follow the tail.
          var target = list && !root.contains(list) ? document.body : root;
          observer = new MutationObserver(function (mutations) {
            var cur = messages();
            if (!cur) return;
            var grew = false, replaced = false, mine = false;
            for (var i = 0; i < mutations.length; i++) {
              var added = mutations[i].addedNodes;
              for (var j = 0; j < added.length; j++) {
                var n = added[j];
                if (n.nodeType !== 1) continue;
                if (n === cur || n.contains(cur)) {
                  replaced = true;
                  decorate(cur);
                } else if (cur.contains(n)) {
                  if (placeMessage(cur, n)) continue;
                  grew = true;
                  decorate(n);
                  if (n.hasAttribute('data-mine') || n.querySelector('[data-mine]')) mine = true;
                }
              }
            }
            // Follow new messages unless the user scrolled up to read history;
            // one's own message always brings the view down.
            if (replaced || mine || (grew && stick)) {
              stick = true;
              scrollToBottom(cur);
            }
          });
          observer.observe(target, { childList: true, subtree: true });

          // Track whether the user is at the bottom (scroll doesn't bubble: capture).
          on(document, 'scroll', function (e) {
            if (e.target && e.target.id === 'messages') stick = isAtBottom(e.target);
          }, { capture: true, passive: true });
          // Images etc. loading late grow the list: keep the tail in view.
          on(document, 'load', function (e) {
            var cur = messages();
            if (stick && cur && e.target && e.target.nodeType === 1 && cur.contains(e.target)) {
              scrollToBottom(cur);
            }
          }, true);

          // (c) After the ws extension has sent the form: clear and refocus the box.
          // htmx:wsAfterSend fires on the ws-send element (the form) and bubbles.
          // (htmx also fires htmx:ws-after-send; listen to one name only.)
          on(document, 'htmx:wsAfterSend', function (e) {
            var el = e.target;
            var form = el && el.closest ? el.closest('form') : null;
            var field = bodyField(form);
            if (!field) return;
            field.value = '';
            // Let auto-grow / counters / validation react to the change.
            field.dispatchEvent(new Event('input', { bubbles: true }));
            try { field.focus({ preventScroll: true }); } catch (err) { field.focus(); }
          });

          // (d) Enter sends, Shift+Enter inserts a newline (the default).
          on(root, 'keydown', function (e) {
            var t = e.target;
            if (e.key !== 'Enter' || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
            if (!t || t.tagName !== 'TEXTAREA' || t.name !== 'body') return;
            if (e.isComposing || e.keyCode === 229) return; // IME composition in progress
            e.preventDefault();
            var form = t.form;
            if (!form || !t.value.trim()) return; // nothing to send
            if (typeof form.requestSubmit === 'function') {
              form.requestSubmit(); // runs validation, fires submit -> htmx ws-send
            } else {
              form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
            }
          });
        },

        destroy: function () {
          if (observer) observer.disconnect();
          observer = null;
          for (var i = 0; i < listeners.length; i++) {
            var l = listeners[i];
            l[0].removeEventListener(l[1], l[2], l[3]);
          }
          listeners = [];
        }
      };
    });
  });
})();
