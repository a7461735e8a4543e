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
  // The open room socket, for the commands app.js sends itself (typing, edit, delete).
  var liveSocket = null;
  function sendCommand(command) {
    if (!liveSocket) return false;
    liveSocket.sendImmediately(JSON.stringify(command));
    return true;
  }
  document.addEventListener('htmx:wsOpen', function (e) {
    setConnected(true);
    var socket = e.detail && e.detail.socketWrapper;
    liveSocket = socket || null;
    if (socket && document.getElementById('messages')) {
      socket.sendImmediately(JSON.stringify({ type: 'resume', after: newestMessageId() }));
    }
  });
  document.addEventListener('htmx:wsClose', function () {
    setConnected(false);
    liveSocket = null;
  });

  // ---------------------------------------------------------------- drawers

  // [data-drawer-open="ID"] opens the drawer #ID (the room list, who is online, the site
  // menu): one at a time, over a backdrop, focus moved in. Esc, the backdrop, a
  // [data-drawer-close] button or following a link inside closes it and gives focus back.
  var openDrawer = null;
  var drawerOpener = null;
  function setDrawer(drawer, opener) {
    var backdrop = document.getElementById('drawer-backdrop');
    if (openDrawer) {
      openDrawer.removeAttribute('data-open');
      if (drawerOpener) drawerOpener.setAttribute('aria-expanded', 'false');
    }
    openDrawer = drawer;
    var back = drawerOpener;
    drawerOpener = drawer ? opener : null;
    if (backdrop) backdrop.hidden = !drawer;
    if (drawer) {
      drawer.setAttribute('data-open', '');
      if (opener) opener.setAttribute('aria-expanded', 'true');
      var first = drawer.querySelector('a[href], button, input');
      if (first) first.focus({ preventScroll: true });
    } else if (back) {
      back.focus({ preventScroll: true });
    }
  }
  document.addEventListener('click', function (e) {
    var target = e.target;
    if (!target || !target.closest) return;
    var opener = target.closest('[data-drawer-open]');
    if (opener) {
      var drawer = document.getElementById(opener.getAttribute('data-drawer-open'));
      // From md up the side columns are in place: nothing to open.
      if (!drawer || window.getComputedStyle(drawer).position !== 'fixed') return;
      setDrawer(openDrawer === drawer ? null : drawer, opener);
      return;
    }
    if (!openDrawer) return;
    if (target.closest('[data-drawer-close]') || target.id === 'drawer-backdrop' ||
        (target.closest('a[href]') && openDrawer.contains(target))) {
      setDrawer(null, null);
    }
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && openDrawer) setDrawer(null, null);
  });

  // ---------------------------------------------------------------- uploads

  // A file dropped on the messages goes through the upload form (htmx, multipart, the
  // CSRF header from <body hx-headers>), exactly as if picked with its file input.
  function inMessages(e) {
    return e.target && e.target.closest && e.target.closest('#messages');
  }
  function uploadForm() { return document.getElementById('upload-form'); }
  document.addEventListener('dragover', function (e) {
    if (!inMessages(e) || !uploadForm() || !e.dataTransfer) return;
    e.preventDefault(); // allows the drop
    e.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('drop', function (e) {
    var form = uploadForm();
    if (!inMessages(e) || !form || !e.dataTransfer || !e.dataTransfer.files.length) return;
    e.preventDefault();
    var input = form.elements.namedItem('file');
    if (!input) return;
    input.files = e.dataTransfer.files;
    showChosen(form);
    if (typeof form.requestSubmit === 'function') form.requestSubmit();
    else form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
  // Picking a file (the paperclip) shows its name, a caption and Upload.
  function showChosen(form) {
    var input = form.elements.namedItem('file');
    var file = input && input.files && input.files[0];
    var name = form.querySelector('[data-role="file-name"]');
    if (name) name.textContent = file ? file.name : '';
    if (file) form.setAttribute('data-chosen', '');
    else form.removeAttribute('data-chosen');
  }
  document.addEventListener('change', function (e) {
    var form = uploadForm();
    if (form && e.target && e.target.id === 'id_file') {
      showChosen(form);
      var caption = form.elements.namedItem('caption');
      if (form.hasAttribute('data-chosen') && caption) caption.focus();
    }
  });
  document.addEventListener('click', function (e) {
    var form = uploadForm();
    if (form && e.target && e.target.closest && e.target.closest('[data-action="cancel-upload"]')) {
      form.reset();
      showChosen(form);
    }
  });
  // A sent file leaves the form empty; a refused one stays for another try.
  document.addEventListener('htmx:afterRequest', function (e) {
    var form = uploadForm();
    if (form && e.detail && e.detail.elt === form && e.detail.successful) {
      form.reset();
      showChosen(form);
    }
  });

  // ----------------------------------------------------------- chat helpers

  function bodyField(form) {
    if (!form || !form.elements) return null;
    var f = form.elements.namedItem('body');
    // namedItem returns a RadioNodeList when several controls share the name.
    if (f && !f.tagName && f.length) f = f[0];
    return f && (f.tagName === 'TEXTAREA' || f.tagName === 'INPUT') ? f : null;
  }

  function me() {
    return document.body ? document.body.getAttribute('data-me') : null;
  }

  // Set/remove data-mine on every [data-author] at or under `node`; in a room the viewer
  // administers, every message is also data-deletable (the server checks again).
  function markMine(node) {
    if (!node || node.nodeType !== 1) return;
    var me = document.body ? document.body.getAttribute('data-me') : null;
    var admin = !!document.querySelector('[data-room-admin="true"]');
    var els = Array.prototype.slice.call(node.querySelectorAll('[data-author]'));
    if (node.hasAttribute('data-author')) els.push(node);
    for (var i = 0; i < els.length; i++) {
      if (admin) els[i].setAttribute('data-deletable', 'true');
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

  // What each message offers its reader, added here rather than sent in every message's
  // HTML; CSS shows only what applies (data-mine, data-deletable).
  var ACTIONS = [
    ['react', 'React', 'react-message'],
    ['reply', 'Reply', 'reply-message'],
    ['edit', 'Edit', 'edit-message'],
    ['remove', 'Delete', 'remove-message']
  ];
  function addActions(node) {
    var articles = messagesIn(node);
    for (var i = 0; i < articles.length; i++) {
      if (articles[i].querySelector('[data-role="actions"]')) continue;
      var bar = document.createElement('div');
      bar.className = 'msg-actions';
      bar.setAttribute('data-role', 'actions');
      for (var j = 0; j < ACTIONS.length; j++) {
        var button = document.createElement('button');
        button.type = 'button';
        button.setAttribute('data-action', ACTIONS[j][0]);
        button.setAttribute('data-testid', ACTIONS[j][2]);
        button.textContent = ACTIONS[j][1];
        bar.appendChild(button);
      }
      articles[i].appendChild(bar);
    }
  }
  function messagesIn(node) {
    if (!node || node.nodeType !== 1) return [];
    var found = Array.prototype.slice.call(node.querySelectorAll('[data-message-id]'));
    if (node.hasAttribute('data-message-id')) found.push(node);
    return found;
  }

  // One person's messages within GROUP_WITHIN of each other show one name and avatar.
  var GROUP_WITHIN = 5 * 60 * 1000;
  function messageTime(article) {
    var time = article.querySelector('header time[datetime]');
    return time ? new Date(time.getAttribute('datetime')).getTime() : NaN;
  }
  function groupRuns(list) {
    if (!list) return;
    var previous = null;
    for (var el = list.firstElementChild; el; el = el.nextElementSibling) {
      if (!el.hasAttribute('data-message-id')) { previous = null; continue; }
      var author = el.getAttribute('data-author');
      var follows = previous && author && previous.getAttribute('data-author') === author &&
        messageTime(el) - messageTime(previous) < GROUP_WITHIN;
      el.classList.toggle('cont', !!follows);
      previous = el;
    }
  }

  // Mentions of the viewer stand out (the same HTML goes to everyone).
  function markMentionsOfMe(node) {
    if (!node || node.nodeType !== 1 || !me()) return;
    var spans = node.querySelectorAll('.mention[data-user="' + me() + '"], .mention[data-user="everyone"]');
    for (var i = 0; i < spans.length; i++) {
      spans[i].setAttribute('data-me', '');
      var article = spans[i].closest('[data-message-id]');
      if (article && article.getAttribute('data-author') !== me()) article.setAttribute('data-mentions-me', '');
    }
  }

  function decorate(node) {
    markMentionsOfMe(node);
    markMine(node);
    localiseTimes(node);
    addActions(node);
    markOwnReactions(node);
  }

  // --------------------------------------------------------------- replies

  // Reply: the composer's hidden reply_to carries the id with the next message; the bar
  // above the box says what is being answered until it is sent or cancelled.
  function startReply(article) {
    var field = document.getElementById('id_reply_to');
    var bar = document.getElementById('reply-bar');
    if (!field || !bar) return;
    field.value = article.getAttribute('data-message-id');
    var who = article.querySelector('.msg-who');
    var body = article.querySelector('[data-role="body"]');
    var words = body ? body.textContent.replace(/\s+/g, ' ').trim() : '';
    if (words.length > 80) words = words.slice(0, 80) + '…';
    bar.querySelector('[data-role="reply-to-text"]').textContent =
      'Replying to ' + (who ? who.textContent : 'a message') + (words ? ': ' + words : '');
    bar.hidden = false;
    var box = document.getElementById('id_body');
    if (box) box.focus();
  }
  function cancelReply() {
    var field = document.getElementById('id_reply_to');
    var bar = document.getElementById('reply-bar');
    if (field) field.value = '';
    if (bar) bar.hidden = true;
  }
  // A quote links to the message it answers: scroll to it, loading older pages first
  // when it is further back than the page shows.
  function revealMessage(id, pagesLeft) {
    var target = document.getElementById('message-' + id);
    if (target) {
      target.scrollIntoView({ block: 'center' });
      // A page of history that just arrived settles (and keeps its reader's place) a
      // moment after its swap: look again once it has.
      window.setTimeout(function () { target.scrollIntoView({ block: 'center' }); }, 120);
      target.classList.add('flash');
      window.setTimeout(function () { target.classList.remove('flash'); }, 1600);
      return;
    }
    var more = document.getElementById('history-more');
    if (!more || pagesLeft <= 0 || !window.htmx) return;
    window.htmx.ajax('GET', more.getAttribute('hx-get'), { target: more, swap: 'outerHTML' })
      .then(function () { revealMessage(id, pagesLeft - 1); });
  }
  document.addEventListener('click', function (e) {
    var quote = e.target && e.target.closest ? e.target.closest('#messages .msg-reply') : null;
    if (quote) {
      e.preventDefault();
      revealMessage(quote.getAttribute('data-reply-to'), 20);
      return;
    }
    if (e.target && e.target.closest && e.target.closest('[data-action="cancel-reply"]')) cancelReply();
  });

  // ------------------------------------------------------------ reactions

  // A reaction row is the same HTML for every reader; the viewer's own chips are marked
  // here (data-users is space-padded usernames). A chip toggles the viewer's reaction.
  var QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '🙏'];
  function markOwnReactions(node) {
    if (!node || node.nodeType !== 1) return;
    var who = ' ' + (me() || '') + ' ';
    var chips = Array.prototype.slice.call(node.querySelectorAll('.reaction'));
    if (node.classList.contains('reaction')) chips.push(node);
    for (var i = 0; i < chips.length; i++) {
      var mine = (chips[i].getAttribute('data-users') || '').indexOf(who) >= 0;
      if (mine) chips[i].setAttribute('data-mine', ''); else chips[i].removeAttribute('data-mine');
      chips[i].setAttribute('aria-pressed', mine ? 'true' : 'false');
    }
  }
  // <div id="reaction-update" data-message=ID> arrives out of band with the message's
  // whole reaction row; it replaces the row in the message (or goes, when empty).
  function applyReactions(update) {
    var id = update.getAttribute('data-message');
    var article = id && document.getElementById('message-' + id);
    var row = update.querySelector('[data-role="reactions"]');
    if (!article || !row) return;
    var old = article.querySelector('[data-role="reactions"]');
    if (!row.children.length) {
      if (old) old.remove();
      return;
    }
    markOwnReactions(row);
    if (old) {
      old.replaceWith(row);
    } else {
      var main = article.querySelector('.msg-main') || article;
      main.appendChild(row);
    }
  }
  function react(article, emoji, add) {
    sendCommand({ type: add ? 'react' : 'unreact', id: Number(article.getAttribute('data-message-id')), emoji: emoji });
  }
  function closeReactMenus() {
    var menus = document.querySelectorAll('#messages [data-role="react-menu"]');
    for (var i = 0; i < menus.length; i++) menus[i].remove();
  }
  // The quick row of six, and "…" for any emoji (emoji.js's picker, when present).
  function openReactMenu(article, anchor) {
    closeReactMenus();
    var menu = document.createElement('div');
    menu.className = 'react-menu';
    menu.setAttribute('data-role', 'react-menu');
    menu.setAttribute('role', 'menu');
    function choose(emoji) {
      menu.remove();
      var chip = article.querySelector('.reaction[data-emoji="' + emoji + '"][data-mine]');
      if (!chip) react(article, emoji, true);
    }
    QUICK_REACTIONS.forEach(function (emoji) {
      var b = document.createElement('button');
      b.type = 'button';
      b.setAttribute('role', 'menuitem');
      b.setAttribute('data-quick-reaction', emoji);
      b.setAttribute('aria-label', 'React with ' + emoji);
      b.textContent = emoji;
      b.addEventListener('click', function (e) { e.stopPropagation(); choose(emoji); });
      menu.appendChild(b);
    });
    if (window.HearthEmoji && window.HearthEmoji.openPicker) {
      var more = document.createElement('button');
      more.type = 'button';
      more.setAttribute('role', 'menuitem');
      more.setAttribute('aria-label', 'Any emoji');
      more.setAttribute('data-role', 'more-reactions');
      more.textContent = '…';
      more.addEventListener('click', function (e) {
        e.stopPropagation();
        menu.remove();
        window.HearthEmoji.openPicker(anchor, choose);
      });
      menu.appendChild(more);
    }
    menu.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { menu.remove(); anchor.focus(); }
    });
    (article.querySelector('.msg-main') || article).appendChild(menu);
    var first = menu.querySelector('button');
    if (first) first.focus();
  }

  // ------------------------------------------------------ typing indicator

  // Received: <p id="typing" data-typing-user="ann"> replaced out of band; it fades after
  // TYPING_SHOWN without a newer one. Sent: {"type":"typing"} at most every TYPING_EVERY
  // while the message box changes (the server throttles again).
  var TYPING_SHOWN = 4000;
  var TYPING_EVERY = 2000;
  var typingTimer = null;
  var lastTypingSent = 0;
  function showTyping(node) {
    if (typingTimer) window.clearTimeout(typingTimer);
    if (node.getAttribute('data-typing-user') === me()) {
      node.textContent = '';
      return;
    }
    typingTimer = window.setTimeout(function () {
      var el = document.getElementById('typing');
      if (el) el.textContent = '';
    }, TYPING_SHOWN);
  }
  // The typist's message arrived: they stopped typing it.
  function clearTypingOf(author) {
    var el = document.getElementById('typing');
    if (author && el && el.getAttribute('data-typing-user') === author) el.textContent = '';
  }
  document.addEventListener('input', function (e) {
    var t = e.target;
    if (!t || t.name !== 'body' || !t.form || t.form.id !== 'message-form' || !t.value) return;
    var now = Date.now();
    if (now - lastTypingSent < TYPING_EVERY) return;
    if (sendCommand({ type: 'typing' })) lastTypingSent = now;
  });

  // ------------------------------------------------------------- sidebar

  // <div id="room-activity" data-room=… data-activity-author=…> arrives out of band when
  // another of the viewer's rooms gets a message: its entry moves to the top (below the
  // public chat) and, unless the viewer wrote it, its unread count grows. A room not
  // listed yet (the viewer was just added) reloads the list from the server.
  // ------------------------------------------------------------- attention

  // A message by someone else, in the open room (n) or in another (a room-activity
  // notice): attention.js counts it and decides, by the room's level, whether to chime
  // or notify.
  function announceHere(root, n) {
    if (!window.HearthAttention || !n.matches || !n.matches('article[data-message-id]')) return;
    var menu = document.getElementById('notify-menu');
    var who = n.querySelector('.msg-who');
    var body = n.querySelector('[data-role="body"]');
    var title = document.querySelector('[data-role="room-title"]');
    window.HearthAttention.arrived({
      room: root.getAttribute('data-room-name'),
      roomTitle: title ? title.textContent.trim() : '',
      href: window.location.pathname,
      author: who ? who.textContent.trim() : '',
      kind: root.getAttribute('data-room-kind'),
      level: menu ? menu.getAttribute('data-level') : 'mentions',
      mentioned: n.hasAttribute('data-mentions-me'),
      text: body ? body.textContent.trim().slice(0, 140) : '',
      current: true
    });
  }
  function announceElsewhere(node, entry, room, mentioned) {
    if (!window.HearthAttention) return;
    var link = entry.querySelector('a');
    var title = entry.querySelector('.truncate');
    // The badge counts are updated after this returns: refresh once they are.
    window.setTimeout(function () {
      window.HearthAttention.arrived({
        room: room,
        roomTitle: title ? title.textContent.trim() : '',
        href: link ? link.getAttribute('href') : '/chat/',
        author: '@' + (node.getAttribute('data-activity-author') || ''),
        kind: entry.getAttribute('data-kind'),
        level: entry.getAttribute('data-level'),
        mentioned: mentioned,
        text: '',
        current: false
      });
    }, 0);
  }

  function roomActivity(node, current) {
    var room = node.getAttribute('data-room');
    var list = document.getElementById('room-list');
    if (!room || !list || room === current) return;
    var entry = list.querySelector('[data-room-entry="' + window.CSS.escape(room) + '"]');
    var fromOther = node.getAttribute('data-activity-author') !== me();
    var mentioned = (node.getAttribute('data-mentions') || '').indexOf(' ' + me() + ' ') >= 0;
    if (!entry) {
      // A room new to this page (someone's first DM, a group one was just added to): the
      // server's list brings it with its counts; then it is announced like any other.
      if (window.htmx) {
        var loaded = window.htmx.ajax('GET', '/chat/sidebar/?current=' + encodeURIComponent(current || ''),
          { target: '#room-list', swap: 'outerHTML' });
        if (fromOther && loaded && loaded.then) {
          loaded.then(function () {
            var fresh = document.getElementById('room-list');
            var added = fresh && fresh.querySelector('[data-room-entry="' + window.CSS.escape(room) + '"]');
            if (added) announceElsewhere(node, added, room, mentioned);
          });
        }
      }
      return;
    }
    var top = list.firstElementChild;
    if (top && top !== entry && top.nextElementSibling !== entry) {
      list.insertBefore(entry, top.nextElementSibling);
    }
    if (!fromOther) return;
    announceElsewhere(node, entry, room, mentioned);
    var mentionBadge = entry.querySelector('[data-mentions]');
    if (mentioned && mentionBadge) {
      var mentions = (Number(mentionBadge.getAttribute('data-mentions')) || 0) + 1;
      mentionBadge.setAttribute('data-mentions', String(mentions));
      mentionBadge.textContent = '@' + mentions;
      mentionBadge.classList.remove('hidden');
    }
    var badge = entry.querySelector('[data-unread]');
    if (!badge) return;
    var count = (Number(badge.getAttribute('data-unread')) || 0) + 1;
    badge.setAttribute('data-unread', String(count));
    badge.textContent = String(count);
    badge.classList.remove('hidden');
  }

  // ------------------------------------------------------- edit / delete

  // Each message's actions (addActions) send the socket's edit/delete commands, and the
  // room's message_edited / message_deleted events update every open page. The page holds
  // only a message's HTML; the edit box asks the server for the words as typed.
  function roomName() {
    var root = document.querySelector('[data-room-name]');
    return root ? root.getAttribute('data-room-name') : null;
  }
  function startEdit(article) {
    if (article.querySelector('[data-role="edit-form"]')) return;
    var room = roomName();
    var id = article.getAttribute('data-message-id');
    if (!room || !id) return;
    window.fetch('/chat/room/' + encodeURIComponent(room) + '/messages/' + id + '/words/',
      { credentials: 'same-origin', headers: { Accept: 'text/plain' } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (words) { showEditor(article, words); })
      .catch(function () { /* gone or unreachable: nothing to edit */ });
  }
  function showEditor(article, words) {
    if (article.querySelector('[data-role="edit-form"]')) return;
    var body = article.querySelector('[data-role="body"]');
    var form = document.createElement('form');
    form.setAttribute('data-role', 'edit-form');
    form.className = 'msg-edit';
    var field = document.createElement('textarea');
    field.name = 'body';
    field.required = true;
    field.maxLength = 10000;
    field.rows = Math.min(8, Math.max(2, words.split('\n').length));
    field.value = words;
    field.setAttribute('data-testid', 'edit-body');
    field.setAttribute('data-emoji-complete', ''); // :shortcode completion (emoji.js)
    field.setAttribute('aria-label', 'Edit message');
    field.className = 'flex-1 rounded-lg border border-stone-300 bg-white px-3 py-2 text-left text-stone-900 dark:border-stone-700 dark:bg-stone-900 dark:text-stone-100';
    var save = document.createElement('button');
    save.type = 'submit';
    save.textContent = 'Save';
    save.setAttribute('data-testid', 'edit-save');
    save.className = 'rounded-lg bg-orange-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-orange-700';
    var cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.textContent = 'Cancel';
    cancel.setAttribute('data-action', 'cancel-edit');
    cancel.className = 'rounded-lg px-3 py-1.5 text-sm hover:underline';
    form.appendChild(field);
    form.appendChild(save);
    form.appendChild(cancel);
    function close() {
      form.remove();
      var box = document.getElementById('id_body');
      if (box) box.focus();
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!field.value.trim()) return;
      var id = Number(article.getAttribute('data-message-id'));
      if (sendCommand({ type: 'edit', id: id, body: field.value })) close();
    });
    field.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { e.preventDefault(); close(); return; }
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        e.stopPropagation(); // the message box's own Enter handler is not for this form
        if (typeof form.requestSubmit === 'function') form.requestSubmit();
      }
    });
    var main = article.querySelector('.msg-main') || article;
    main.insertBefore(form, body ? body.nextSibling : null);
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  }
  // ↑ in an empty message box edits one's newest message, as in most chats.
  function editLastOwn() {
    var mine = document.querySelectorAll('#messages [data-message-id][data-mine]');
    if (!mine.length) return false;
    startEdit(mine[mine.length - 1]);
    return true;
  }
  document.addEventListener('click', function (e) {
    var chip = e.target && e.target.closest ? e.target.closest('#messages .reaction') : null;
    if (chip) {
      var owner = chip.closest('[data-message-id]');
      if (owner) react(owner, chip.getAttribute('data-emoji'), !chip.hasAttribute('data-mine'));
      return;
    }
    if (!(e.target && e.target.closest && e.target.closest('[data-role="react-menu"]'))) closeReactMenus();
    var button = e.target && e.target.closest ? e.target.closest('#messages [data-action]') : null;
    if (!button) {
      // A tap on a message (not on a link in it) shows its actions; elsewhere hides them.
      var tapped = e.target && e.target.closest ? e.target.closest('#messages [data-message-id]') : null;
      var open = document.querySelectorAll('#messages [data-open]');
      for (var i = 0; i < open.length; i++) if (open[i] !== tapped) open[i].removeAttribute('data-open');
      if (tapped && !e.target.closest('a')) tapped.setAttribute('data-open', '');
      return;
    }
    var article = button.closest('[data-message-id]');
    if (!article) return;
    var action = button.getAttribute('data-action');
    if (action === 'react') {
      openReactMenu(article, button);
    } else if (action === 'reply') {
      startReply(article);
    } else if (action === 'edit') {
      startEdit(article);
    } else if (action === 'cancel-edit') {
      var form = button.closest('form');
      if (form) form.remove();
    } else if (action === 'remove') {
      // Two clicks, no dialog: the first asks, the second deletes.
      if (button.getAttribute('data-confirm') === 'true') {
        sendCommand({ type: 'delete', id: Number(article.getAttribute('data-message-id')) });
        return;
      }
      button.setAttribute('data-confirm', 'true');
      button.textContent = 'Really delete?';
      window.setTimeout(function () {
        button.removeAttribute('data-confirm');
        button.textContent = 'Delete';
      }, 4000);
    }
  });

  // ------------------------------------------------------------- history

  // Older messages load above the view (hx-swap="outerHTML" on #history-more); keep what
  // the person is reading where it is instead of letting the page jump.
  var historyAnchor = null;
  document.addEventListener('htmx:beforeSwap', function (e) {
    var list = document.getElementById('messages');
    if (list && e.detail && e.detail.target && e.detail.target.id === 'history-more') {
      historyAnchor = { height: list.scrollHeight, top: list.scrollTop };
    }
  });
  document.addEventListener('htmx:afterSwap', function () {
    var list = document.getElementById('messages');
    if (!historyAnchor || !list) return;
    list.scrollTop = historyAnchor.top + (list.scrollHeight - historyAnchor.height);
    historyAnchor = null;
  });

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
          var current = root.getAttribute('data-room-name');
          // The history anchor above does this job; the browser's own would do it twice.
          if (list) list.style.overflowAnchor = 'none';
          decorate(list);
          groupRuns(list);
          scrollToBottom(list);
          // @ in the message box offers the people a mention may name (complete.js).
          var box = document.getElementById('id_body');
          if (box && current && window.HearthComplete) {
            window.HearthComplete.attach(box, {
              trigger: '@',
              minChars: 0,
              limit: 8,
              label: 'People',
              source: function (q) {
                return window.fetch('/chat/room/' + encodeURIComponent(current) + '/people/?q=' +
                    encodeURIComponent(q), { credentials: 'same-origin' })
                  .then(function (r) { return r.ok ? r.json() : []; })
                  .then(function (people) {
                    return people.map(function (p) {
                      return { label: p.name, value: '@' + p.username + ' ', hint: '@' + p.username };
                    });
                  });
              }
            });
          }
          // A link to one message (from the Mentions page): show that one.
          var linked = /^#message-(\d+)$/.exec(window.location.hash);
          if (linked) window.setTimeout(function () { revealMessage(linked[1], 20); }, 0);
          // Again once layout/fonts have settled; then up to where the unread begin, when
          // that is above the view.
          window.requestAnimationFrame(function () {
            var cur = messages();
            scrollToBottom(cur);
            var since = document.getElementById('new-since');
            if (cur && since) {
              var above = since.getBoundingClientRect().top - cur.getBoundingClientRect().top;
              if (above < 0) {
                cur.scrollTop += above - 8;
                stick = false;
              }
            }
          });

          // (a)+(b) New messages (e.g. hx-swap-oob="beforeend:#messages" from the
          // socket, or #messages itself replaced): mark own ones, follow the tail.
          var target = list && !root.contains(list) ? document.body : root;
          observer = new MutationObserver(function (mutations) {
            var cur = messages();
            if (!cur) return;
            var grew = false, replaced = false, mine = false, changed = false;
            for (var i = 0; i < mutations.length; i++) {
              if (mutations[i].target === cur && mutations[i].removedNodes.length) changed = true;
              var added = mutations[i].addedNodes;
              for (var j = 0; j < added.length; j++) {
                var n = added[j];
                if (n.nodeType !== 1) continue;
                if (n.id === 'typing') { showTyping(n); continue; }
                if (n.id === 'room-activity') { roomActivity(n, current); continue; }
                if (n.id === 'reaction-update') { applyReactions(n); continue; }
                if (n === cur || n.contains(cur)) {
                  replaced = true;
                  decorate(cur);
                } else if (cur.contains(n)) {
                  if (placeMessage(cur, n)) continue;
                  grew = true;
                  clearTypingOf(n.getAttribute('data-author'));
                  decorate(n);
                  if (n.hasAttribute('data-mine') || n.querySelector('[data-mine]')) mine = true;
                  else if (n === cur.lastElementChild) announceHere(root, n);
                }
              }
            }
            if (grew || replaced || changed) groupRuns(cur);
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
            cancelReply(); // the reply went with it
            lastTypingSent = 0; // the next keystroke starts a new message
            // Let auto-grow / counters / validation react to the change.
            field.dispatchEvent(new Event('input', { bubbles: true }));
            try { field.focus({ preventScroll: true }); } catch (err) { field.focus(); }
          });

          // (d) Enter sends, Shift+Enter inserts a newline (the default).
          on(root, 'keydown', function (e) {
            var t = e.target;
            if (e.key === 'Escape' && t && t.id === 'id_body') {
              cancelReply();
              return;
            }
            if (e.key === 'ArrowUp' && t && t.id === 'id_body' && !t.value &&
                !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
              if (editLastOwn()) e.preventDefault();
              return;
            }
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
