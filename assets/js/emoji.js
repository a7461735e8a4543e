// Hearth emoji: the data (from this site's /static/emoji.json, fetched once, when first
// needed), a search over it, and the composer's emoji button and `:shortcode` completion;
// emoji-picker.js adds the picker. Load with `defer`, in this order: complete.js, emoji.js,
// emoji-picker.js, then app.js and Alpine. Runs under `Content-Security-Policy:
// default-src 'self'`: no eval, no inline code, nothing from another host.
//
//   HearthEmoji.load()          → Promise of {groups: [{id, name, icon, emojis:
//                                   [{emoji, name, shortcodes}]}]}, CLDR order
//   HearthEmoji.search(q, n)    → up to n (default 24) {emoji, name, shortcodes}, best first:
//                                   shortcode equal, shortcode prefix, name-word prefixes,
//                                   then anywhere in a shortcode or the name; [] until loaded
//   HearthEmoji.openPicker(anchor, onPick)
//                               → opens the picker by `anchor` (a bottom sheet on a phone);
//                                   search field, group tabs, arrows move, Enter or a click
//                                   picks: onPick('🔥') is called and it closes; Esc (or Tab)
//                                   closes and refocuses the anchor; a click outside closes;
//                                   opening it again from the same anchor closes it.
//
// In the markup: <button data-emoji-for="id_body"> opens the picker and inserts at that
// field's caret; <textarea data-emoji-complete> completes `:shortcode` (HearthComplete)
// and turns a typed `:shortcode:` into its emoji.
(function () {
  'use strict';

  var DATA_URL = '/static/emoji.json';
  var data = null;     // what load() resolves to
  var records = null;  // per emoji, in data order: {item, name, codes, words}
  var byCode = null;   // shortcode → emoji
  var loading = null;

  // ------------------------------------------------------------------ data

  function load() {
    if (!loading) {
      loading = window.fetch(DATA_URL, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error('emoji data: HTTP ' + r.status)); })
        .then(function (doc) { index(doc); return data; });
      // A failed fetch is tried again next time.
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  // The document's entries are [emoji, name, shortcode…].
  function index(doc) {
    var groups = [];
    records = [];
    byCode = Object.create(null);
    var source = (doc && doc.groups) || [];
    for (var g = 0; g < source.length; g++) {
      var emojis = [];
      for (var i = 0; i < source[g].emojis.length; i++) {
        var e = source[g].emojis[i];
        var item = { emoji: e[0], name: e[1], shortcodes: e.slice(2) };
        emojis.push(item);
        var name = item.name.toLowerCase();
        records.push({ item: item, name: name, codes: item.shortcodes, words: name.split(/[^a-z0-9+]+/) });
        for (var c = 0; c < item.shortcodes.length; c++) byCode[item.shortcodes[c]] = item.emoji;
      }
      groups.push({ id: source[g].id, name: source[g].name, icon: source[g].icon, emojis: emojis });
    }
    data = { groups: groups };
  }

  // ---------------------------------------------------------------- search

  function startsWithAny(list, prefix) {
    for (var i = 0; i < list.length; i++) if (list[i].lastIndexOf(prefix, 0) === 0) return true;
    return false;
  }

  // 0: a shortcode is the query; 1: one starts with it; 2: every word of the query starts
  // a word of the name; 3: the query is inside a shortcode or the name; -1: no match.
  function rank(r, q, words) {
    var i;
    for (i = 0; i < r.codes.length; i++) if (r.codes[i] === q) return 0;
    if (startsWithAny(r.codes, q)) return 1;
    for (i = 0; i < words.length; i++) if (!startsWithAny(r.words, words[i])) break;
    if (i === words.length) return 2;
    if (r.name.indexOf(q) >= 0) return 3;
    for (i = 0; i < r.codes.length; i++) if (r.codes[i].indexOf(q) >= 0) return 3;
    return -1;
  }

  function shortestCode(r, prefix) {
    var best = Infinity;
    for (var i = 0; i < r.codes.length; i++) {
      if (r.codes[i].lastIndexOf(prefix, 0) === 0) best = Math.min(best, r.codes[i].length);
    }
    return best;
  }

  function search(query, limit) {
    if (!records) {
      load().catch(function () { /* search answers [] until the data is here */ });
      return [];
    }
    limit = limit > 0 ? limit : 24;
    var q = String(query || '').toLowerCase().trim().replace(/^:+|:+$/g, '');
    if (!q) return [];
    var words = q.split(/[\s_]+/).filter(Boolean);
    var tiers = [[], [], [], []];
    for (var i = 0; i < records.length; i++) {
      var tier = rank(records[i], q, words);
      if (tier >= 0) tiers[tier].push(records[i]);
    }
    // Among prefixes, the closest shortcode first (`smi` → smile before smile_cat).
    tiers[1].sort(function (a, b) { return shortestCode(a, q) - shortestCode(b, q); });
    // Among names, the shortest first (`grinning cat` before `grinning cat with …`).
    tiers[2].sort(function (a, b) { return a.name.length - b.name.length; });
    var found = tiers[0].concat(tiers[1], tiers[2], tiers[3]).slice(0, limit);
    return found.map(function (r) {
      return { emoji: r.item.emoji, name: r.item.name, shortcodes: r.item.shortcodes.slice() };
    });
  }

  // -------------------------------------------------------------- composer

  function insertAtCaret(field, text) {
    var start = field.selectionStart, end = field.selectionEnd;
    if (typeof start !== 'number') start = end = field.value.length;
    field.focus();
    field.setRangeText(text, start, end, 'end');
    field.dispatchEvent(new Event('input', { bubbles: true }));
  }

  // `:fire` → a list of matches; the item shows the shortcode that matched.
  function emojiSuggestions(query) {
    return load().then(function () {
      var q = query.toLowerCase();
      return search(q, 8).map(function (e) {
        var code = null;
        for (var i = 0; i < e.shortcodes.length && !code; i++) {
          if (e.shortcodes[i].lastIndexOf(q, 0) === 0) code = e.shortcodes[i];
        }
        code = code || e.shortcodes[0];
        return { icon: e.emoji, label: code ? ':' + code + ':' : e.name, hint: code ? e.name : '', value: e.emoji };
      });
    });
  }

  // A whole `:shortcode:` typed out (its closing colon just typed) becomes the emoji.
  function completeTypedShortcode(e) {
    var field = e.target;
    if (!byCode || e.inputType !== 'insertText' || e.data !== ':') return;
    var caret = field.selectionStart;
    if (caret !== field.selectionEnd) return;
    var m = /(^|[\s([{"'>]):([a-z0-9_+-]+):$/i.exec(field.value.slice(0, caret));
    var emoji = m && byCode[m[2].toLowerCase()];
    if (!emoji) return;
    field.setRangeText(emoji, caret - m[2].length - 2, caret, 'end');
  }

  function completeEmoji(field) {
    if (field.hasAttribute('data-emoji-ready') || !window.HearthComplete) return;
    field.setAttribute('data-emoji-ready', '');
    // Added before HearthComplete's own input listener, so it sees the emoji, not `:x:`.
    field.addEventListener('input', completeTypedShortcode);
    window.HearthComplete.attach(field, {
      trigger: ':',
      minChars: 2,
      pattern: /^[a-z0-9_+-]+$/i,
      label: 'Emoji',
      source: emojiSuggestions
    });
    load().catch(function () { /* tried again when needed */ });
  }

  document.addEventListener('focusin', function (e) {
    var t = e.target;
    if (t && t.matches && t.matches('[data-emoji-complete]')) completeEmoji(t);
  });
  document.addEventListener('click', function (e) {
    var button = e.target && e.target.closest ? e.target.closest('[data-emoji-for]') : null;
    if (!button) return;
    var field = document.getElementById(button.getAttribute('data-emoji-for'));
    if (!field) return;
    e.preventDefault();
    window.HearthEmoji.openPicker(button, function (emoji) { insertAtCaret(field, emoji); });
  });

  // emoji-picker.js, which runs next, puts the real openPicker here.
  window.HearthEmoji = { load: load, search: search, openPicker: function () {} };
})();
