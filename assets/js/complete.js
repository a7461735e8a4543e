// Hearth's word completion for text fields: type a trigger character and a few more, and
// a list of suggestions opens above the field (`:thu` → 👍, later `@ad` → @ada). Generic:
// what to suggest comes from the caller. Load with `defer`, BEFORE app.js. Runs under
// `Content-Security-Policy: default-src 'self'`: no eval, no inline code; positions are
// set through the CSSOM (element.style), which the policy allows.
//
//   var handle = window.HearthComplete.attach(textarea, {
//     trigger: ':',                 // the character that starts a completion
//     minChars: 2,                  // typed after it before the list opens (default 1)
//     pattern: /^[a-z0-9_+-]+$/i,   // what the typed part may be (default: \w, + and -)
//     limit: 8,                     // at most this many suggestions (default 8)
//     label: 'Emoji',               // the list's accessible name
//     source: function (query) {    // the typed part, trigger excluded
//       return [{ label: ':fire:', value: '🔥', hint: 'fire', icon: '🔥' }];
//     }                             // …or a Promise of that array; icon and hint optional
//   });
//   handle.close(); handle.detach();
//
// The trigger counts only at the start of the text or after a space or an opening bracket
// (so `10:30` and `https://` open nothing). Picking replaces trigger and typed part with
// the item's `value` and fires `input`. While the list is open its keydown listener (on the
// field, capturing, so it runs before any other listener on the field or above it) takes
// ↑ ↓ Enter Tab and Esc and stops them there (preventDefault and stopPropagation): app.js's
// Enter-sends and ↑-edits never see them, even on a field app.js listens to directly.
// One field may carry several completions with different triggers.
(function () {
  'use strict';

  var BEFORE_TRIGGER = /[\s([{"'>]/;
  var MAX_QUERY = 40;
  var lists = 0;
  var attached = typeof WeakMap === 'function' ? new WeakMap() : null;

  function attach(field, options) {
    if (!field || !options || typeof options.source !== 'function') {
      throw new TypeError('HearthComplete.attach(field, {trigger, source}) needs both');
    }
    var trigger = String(options.trigger || ':').charAt(0);
    var mine = attached && attached.get(field);
    if (mine && mine[trigger]) return mine[trigger];

    var minChars = options.minChars > 0 ? options.minChars : 1;
    var pattern = options.pattern || /^[\w+-]+$/;
    var limit = options.limit > 0 ? options.limit : 8;
    var id = 'hearth-complete-' + (++lists);

    var list = document.createElement('ul');
    list.id = id;
    list.className = 'complete-list scrollbar-thin';
    list.hidden = true;
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', options.label || 'Suggestions');
    list.setAttribute('data-testid', 'complete-list');
    list.setAttribute('data-trigger', trigger);

    var items = [];
    var active = -1;
    var token = null;   // {start, end, query}: the part of the text a pick replaces
    var asked = 0;      // the newest source request; older answers are dropped
    var isOpen = false;

    field.setAttribute('aria-autocomplete', 'list');
    field.setAttribute('aria-expanded', 'false');

    // The trigger and what follows it up to the caret, when that is worth completing.
    function tokenAtCaret() {
      var caret = field.selectionStart;
      if (typeof caret !== 'number' || caret !== field.selectionEnd || caret < 1) return null;
      var text = field.value;
      var at = text.lastIndexOf(trigger, caret - 1);
      if (at < 0 || caret - at - 1 > MAX_QUERY) return null;
      if (at > 0 && !BEFORE_TRIGGER.test(text.charAt(at - 1))) return null;
      var query = text.slice(at + 1, caret);
      if (query.length < minChars || !pattern.test(query)) return null;
      return { start: at, end: caret, query: query };
    }

    function update() {
      var found = tokenAtCaret();
      if (!found) {
        asked++;
        close();
        return;
      }
      var request = ++asked;
      var answer;
      try {
        answer = options.source(found.query);
      } catch (e) {
        close();
        return;
      }
      Promise.resolve(answer).then(function (suggestions) {
        if (request !== asked) return;
        var now = tokenAtCaret();
        if (!now || now.query !== found.query) return;
        token = now;
        show(Array.isArray(suggestions) ? suggestions.slice(0, limit) : []);
      }, function () {
        if (request === asked) close();
      });
    }

    function show(suggestions) {
      items = suggestions;
      if (!items.length) {
        close();
        return;
      }
      while (list.firstChild) list.removeChild(list.firstChild);
      for (var i = 0; i < items.length; i++) {
        var li = document.createElement('li');
        li.id = id + '-' + i;
        li.className = 'complete-option';
        li.setAttribute('role', 'option');
        li.setAttribute('data-index', String(i));
        if (items[i].icon) li.appendChild(span('complete-icon', items[i].icon, true));
        li.appendChild(span('complete-label', items[i].label || items[i].value));
        if (items[i].hint) li.appendChild(span('complete-hint', items[i].hint));
        list.appendChild(li);
      }
      if (!list.parentNode) document.body.appendChild(list);
      list.hidden = false;
      if (!isOpen) {
        isOpen = true;
        window.addEventListener('resize', place);
        document.addEventListener('scroll', place, true);
      }
      field.setAttribute('aria-controls', id);
      field.setAttribute('aria-expanded', 'true');
      select(0);
      place();
    }

    function span(className, text, hidden) {
      var s = document.createElement('span');
      s.className = className;
      s.textContent = text;
      if (hidden) s.setAttribute('aria-hidden', 'true');
      return s;
    }

    function select(index) {
      var options = list.children;
      if (!options.length) return;
      active = (index + options.length) % options.length;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute('aria-selected', i === active ? 'true' : 'false');
      }
      field.setAttribute('aria-activedescendant', options[active].id);
      var o = options[active];
      if (o.offsetTop < list.scrollTop) list.scrollTop = o.offsetTop;
      else if (o.offsetTop + o.offsetHeight > list.scrollTop + list.clientHeight) {
        list.scrollTop = o.offsetTop + o.offsetHeight - list.clientHeight;
      }
    }

    // Above the field when there is room (the composer sits at the bottom), else below;
    // never past the viewport's sides.
    function place() {
      if (!isOpen) return;
      var r = field.getBoundingClientRect();
      var viewport = document.documentElement.clientWidth;
      var width = Math.min(Math.max(r.width, 288), 352, viewport - 16);
      var left = Math.max(8, Math.min(r.left, viewport - width - 8));
      list.style.width = width + 'px';
      list.style.left = left + 'px';
      var height = list.offsetHeight;
      var top = r.top - height - 4;
      if (top < 8) top = r.bottom + 4;
      list.style.top = top + 'px';
    }

    function pick(index) {
      var item = items[index];
      if (!item || !token) return;
      var value = String(item.value);
      field.setRangeText(value, token.start, token.end, 'end');
      close();
      field.focus();
      field.dispatchEvent(new Event('input', { bubbles: true }));
    }

    function close() {
      token = null;
      items = [];
      active = -1;
      if (!isOpen) return;
      isOpen = false;
      list.hidden = true;
      window.removeEventListener('resize', place);
      document.removeEventListener('scroll', place, true);
      field.setAttribute('aria-expanded', 'false');
      field.removeAttribute('aria-activedescendant');
    }

    function onKeydown(e) {
      if (!isOpen || e.isComposing || e.keyCode === 229) return;
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      var key = e.key;
      if (key === 'ArrowDown') select(active + 1);
      else if (key === 'ArrowUp') select(active - 1);
      else if ((key === 'Enter' || key === 'Tab') && !e.shiftKey) pick(active);
      else if (key === 'Escape') { asked++; close(); }
      else return;
      e.preventDefault();
      e.stopPropagation();
    }
    // Moving the caret out of (or into) a word re-decides; ↑/↓ are taken above when open.
    function onKeyup(e) {
      var k = e.key;
      if (k === 'ArrowLeft' || k === 'ArrowRight' || k === 'Home' || k === 'End' ||
          ((k === 'ArrowUp' || k === 'ArrowDown') && !isOpen)) update();
    }
    function onBlur() { asked++; close(); }
    // Keep the focus (and the caret) in the field while a suggestion is clicked or tapped.
    function onListMousedown(e) { e.preventDefault(); }
    function onListClick(e) {
      var option = e.target && e.target.closest ? e.target.closest('[role="option"]') : null;
      if (option) pick(Number(option.getAttribute('data-index')));
    }

    field.addEventListener('input', update);
    field.addEventListener('click', update);
    field.addEventListener('keydown', onKeydown, true);
    field.addEventListener('keyup', onKeyup);
    field.addEventListener('blur', onBlur);
    list.addEventListener('mousedown', onListMousedown);
    list.addEventListener('click', onListClick);

    var handle = {
      close: function () { asked++; close(); },
      detach: function () {
        handle.close();
        field.removeEventListener('input', update);
        field.removeEventListener('click', update);
        field.removeEventListener('keydown', onKeydown, true);
        field.removeEventListener('keyup', onKeyup);
        field.removeEventListener('blur', onBlur);
        if (list.parentNode) list.parentNode.removeChild(list);
        var byTrigger = attached && attached.get(field);
        if (byTrigger) delete byTrigger[trigger];
        if (byTrigger && Object.keys(byTrigger).length) return; // another completion stays
        ['aria-autocomplete', 'aria-expanded', 'aria-controls'].forEach(function (a) {
          field.removeAttribute(a);
        });
      }
    };
    if (attached) {
      if (!mine) attached.set(field, (mine = {}));
      mine[trigger] = handle;
    }
    return handle;
  }

  window.HearthComplete = { attach: attach };
})();
