// Hearth's emoji picker: HearthEmoji.openPicker(anchor, onPick). A popover by the anchor on
// a wide screen, a bottom sheet on a phone (the stylesheet decides, at 640 px): a search
// field (name and shortcode, ranked by HearthEmoji.search), a tab per group, the emoji in
// Unicode's order, a preview of the selected one. Arrows move, Enter or a click picks
// (onPick('🔥'), then it closes), Esc or Tab closes and refocuses the anchor, a click
// outside closes, the same anchor again closes. One picker element, built on first use
// and reused. Load with `defer` after emoji.js and before app.js. CSP as everywhere: no
// eval, no inline code; positions are set through the CSSOM (element.style).
(function () {
  'use strict';

  var api = window.HearthEmoji;
  if (!api) return;

  var picker = null;   // the one picker element and its parts, built on first open
  var current = null;  // {anchor, onPick} while open

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function buildPicker() {
    var root = el('div', 'emoji-picker');
    root.hidden = true;
    root.tabIndex = -1;
    root.setAttribute('role', 'dialog');
    root.setAttribute('aria-label', 'Emoji');
    root.setAttribute('data-testid', 'emoji-picker');

    var search = el('input', 'emoji-picker-search');
    search.type = 'search';
    search.placeholder = 'Search emoji';
    search.autocomplete = 'off';
    search.spellcheck = false;
    search.setAttribute('aria-label', 'Search emoji');
    search.setAttribute('aria-controls', 'emoji-picker-list');
    search.setAttribute('data-testid', 'emoji-search');

    var tabs = el('div', 'emoji-picker-tabs');
    tabs.setAttribute('aria-label', 'Emoji groups');

    var list = el('div', 'emoji-picker-list scrollbar-thin');
    list.id = 'emoji-picker-list';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Emoji');
    var groups = el('div', 'emoji-picker-groups');
    var results = el('div', 'emoji-picker-results');
    results.hidden = true;
    results.setAttribute('role', 'group');
    results.setAttribute('aria-label', 'Search results');
    var status = el('p', 'emoji-picker-status', 'Loading…');
    list.appendChild(status);
    list.appendChild(groups);
    list.appendChild(results);

    var preview = el('div', 'emoji-picker-preview');
    preview.setAttribute('aria-hidden', 'true');
    var glyph = el('span', 'emoji-preview-glyph');
    var name = el('span', 'emoji-preview-name');
    var code = el('span', 'emoji-preview-code');
    preview.appendChild(glyph);
    preview.appendChild(name);
    preview.appendChild(code);

    var header = el('div', 'emoji-picker-header');
    header.appendChild(search);
    root.appendChild(header);
    root.appendChild(tabs);
    root.appendChild(list);
    root.appendChild(preview);
    document.body.appendChild(root);

    picker = {
      root: root, search: search, tabs: tabs, list: list, groups: groups, results: results,
      status: status, glyph: glyph, name: name, code: code, filled: false, active: null,
      items: {} // option id → {emoji, name, shortcodes}
    };
    search.addEventListener('input', function () { showResults(search.value); });
    root.addEventListener('keydown', onPickerKeydown);
    // Tabbing away closes it (the anchor handles a click on itself: it toggles).
    root.addEventListener('focusout', function (e) {
      var to = e.relatedTarget;
      if (current && to && !root.contains(to) && !current.anchor.contains(to)) closePicker(false);
    });
    list.addEventListener('click', function (e) {
      var option = e.target.closest ? e.target.closest('[role="option"]') : null;
      if (option) choose(option);
    });
    // The pointer moves the selection as the arrows do (mousemove, not mouseover: the
    // latter also fires when the sheet opens under a resting pointer).
    list.addEventListener('mousemove', function (e) {
      var option = e.target.closest ? e.target.closest('[role="option"]') : null;
      if (option && option !== picker.active) setActive(option, false);
    });
    list.addEventListener('scroll', markTab, { passive: true });
    tabs.addEventListener('click', function (e) {
      var tab = e.target.closest ? e.target.closest('[data-group]') : null;
      if (!tab) return;
      if (search.value) { search.value = ''; showResults(''); }
      var section = document.getElementById('emoji-group-' + tab.getAttribute('data-group'));
      if (section) list.scrollTop = section.offsetTop;
      var first = section && section.querySelector('[role="option"]');
      if (first) setActive(first, true);
      focusInside(); // the click took the focus to the tab
    });
    return picker;
  }

  var optionCount = 0;
  function option(item) {
    var o = el('div', 'emoji-option', item.emoji);
    o.id = 'emoji-option-' + (++optionCount);
    o.setAttribute('role', 'option');
    o.setAttribute('aria-selected', 'false');
    o.setAttribute('aria-label', item.name);
    picker.items[o.id] = item;
    return o;
  }

  function fill(data) {
    if (picker.filled || !data) return;
    picker.filled = true;
    picker.status.hidden = true;
    var sections = document.createDocumentFragment();
    for (var g = 0; g < data.groups.length; g++) {
      var group = data.groups[g];
      if (!group.emojis.length) continue;
      var section = el('section', 'emoji-group');
      section.id = 'emoji-group-' + group.id;
      section.setAttribute('role', 'group');
      section.setAttribute('aria-labelledby', section.id + '-title');
      var title = el('h3', 'emoji-group-title', group.name);
      title.id = section.id + '-title';
      title.setAttribute('aria-hidden', 'true'); // it names the group; a listbox holds options
      var grid = el('div', 'emoji-grid');
      for (var i = 0; i < group.emojis.length; i++) grid.appendChild(option(group.emojis[i]));
      section.appendChild(title);
      section.appendChild(grid);
      sections.appendChild(section);

      var tab = el('button', 'emoji-picker-tab', group.icon || group.emojis[0].emoji);
      tab.type = 'button';
      tab.tabIndex = -1; // the search field's arrows reach every emoji; tabs are for pointers
      tab.title = group.name;
      tab.setAttribute('aria-label', group.name);
      tab.setAttribute('data-group', group.id);
      picker.tabs.appendChild(tab);
    }
    picker.groups.appendChild(sections);
  }

  function showResults(query) {
    var p = picker;
    var q = String(query || '').trim();
    var old = p.results.querySelectorAll('[role="option"]');
    for (var o = 0; o < old.length; o++) delete p.items[old[o].id];
    while (p.results.firstChild) p.results.removeChild(p.results.firstChild);
    if (!q) {
      p.results.hidden = true;
      p.groups.hidden = false;
      var first = p.groups.querySelector('[role="option"]');
      if (first) setActive(first, false);
      markTab();
      return;
    }
    p.groups.hidden = true;
    p.results.hidden = false;
    var found = api.search(q, 120);
    if (!found.length) {
      p.results.appendChild(el('p', 'emoji-picker-status', 'No emoji match “' + q + '”.'));
      setActive(null, false);
      return;
    }
    var grid = el('div', 'emoji-grid');
    for (var i = 0; i < found.length; i++) grid.appendChild(option(found[i]));
    p.results.appendChild(grid);
    p.list.scrollTop = 0;
    setActive(grid.firstChild, false);
  }

  function setActive(node, scroll) {
    var p = picker;
    if (p.active) {
      p.active.setAttribute('aria-selected', 'false');
      p.active.classList.remove('is-active');
    }
    p.active = node;
    if (!node) {
      p.search.removeAttribute('aria-activedescendant');
      showPreview(null);
      return;
    }
    node.setAttribute('aria-selected', 'true');
    node.classList.add('is-active');
    p.search.setAttribute('aria-activedescendant', node.id);
    showPreview(node);
    if (scroll) scrollIntoList(node);
  }

  // Keeps `node` in view below the sticky group title.
  function scrollIntoList(node) {
    var list = picker.list;
    var box = list.getBoundingClientRect();
    var r = node.getBoundingClientRect();
    var title = node.closest('.emoji-group');
    var covered = title && !picker.groups.hidden ? title.firstChild.offsetHeight : 0;
    if (r.top < box.top + covered) list.scrollTop -= box.top + covered - r.top;
    else if (r.bottom > box.bottom) list.scrollTop += r.bottom - box.bottom;
  }

  function showPreview(node) {
    var item = node ? picker.items[node.id] : null;
    picker.glyph.textContent = item ? item.emoji : '';
    picker.name.textContent = item ? item.name : '';
    picker.code.textContent = item && item.shortcodes.length ? ':' + item.shortcodes[0] + ':' : '';
  }

  // The tab of the group at the top of the list is marked while scrolling.
  function markTab() {
    var p = picker;
    if (!p || !p.filled) return;
    var sections = p.groups.children;
    var at = null;
    for (var i = 0; i < sections.length; i++) {
      if (sections[i].offsetTop <= p.list.scrollTop + 8) at = sections[i];
    }
    if (!at) at = sections[0];
    var tabs = p.tabs.children;
    for (var t = 0; t < tabs.length; t++) {
      var on = !p.groups.hidden && at && at.id === 'emoji-group-' + tabs[t].getAttribute('data-group');
      tabs[t].setAttribute('aria-current', on ? 'true' : 'false');
    }
  }

  function visibleOptions() {
    var scope = picker.results.hidden ? picker.groups : picker.results;
    return Array.prototype.slice.call(scope.querySelectorAll('[role="option"]'));
  }

  // ↑/↓: the option in the row above/below whose middle is nearest; ←/→: the previous/next.
  function move(key) {
    var all = visibleOptions();
    if (!all.length) return;
    var at = all.indexOf(picker.active);
    if (at < 0) { setActive(all[0], true); return; }
    if (key === 'ArrowRight') { setActive(all[Math.min(at + 1, all.length - 1)], true); return; }
    if (key === 'ArrowLeft') { setActive(all[Math.max(at - 1, 0)], true); return; }
    var step = key === 'ArrowDown' ? 1 : -1;
    var from = all[at].getBoundingClientRect();
    var middle = from.left + from.width / 2;
    var best = null, bestDistance = Infinity, rowTop = null;
    for (var i = at + step; i >= 0 && i < all.length; i += step) {
      var r = all[i].getBoundingClientRect();
      if (rowTop === null) {
        if (Math.abs(r.top - from.top) < 2) continue; // same row
        rowTop = r.top;
      } else if (Math.abs(r.top - rowTop) >= 2) {
        break; // past the row above/below
      }
      var d = Math.abs(r.left + r.width / 2 - middle);
      if (d < bestDistance) { best = all[i]; bestDistance = d; }
    }
    if (best) setActive(best, true);
  }

  function onPickerKeydown(e) {
    if (!current || e.isComposing) return;
    var key = e.key;
    if (key === 'Escape' || key === 'Tab') {
      closePicker(true); // Tab too: nothing else in it takes the focus
    } else if (key === 'ArrowUp' || key === 'ArrowDown' || key === 'ArrowLeft' || key === 'ArrowRight') {
      move(key);
    } else if (key === 'Enter') {
      if (e.target && e.target.tagName === 'BUTTON') return; // a group tab
      if (picker.active) choose(picker.active);
    } else {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
  }

  function choose(node) {
    var item = picker.items[node.id];
    if (!item || !current) return;
    var onPick = current.onPick;
    closePicker(true);
    if (typeof onPick === 'function') onPick(item.emoji);
  }

  // Wide screens: a popover above the anchor (else below), inside the viewport. Narrow
  // ones: the stylesheet makes it a bottom sheet and nothing is set here.
  function place() {
    if (!current) return;
    var root = picker.root;
    if (!window.matchMedia('(min-width: 640px)').matches) {
      root.style.left = root.style.top = '';
      return;
    }
    var a = current.anchor.getBoundingClientRect();
    var vw = document.documentElement.clientWidth;
    var vh = document.documentElement.clientHeight;
    var w = root.offsetWidth, h = root.offsetHeight;
    var left = Math.max(8, Math.min(a.right - w, vw - w - 8));
    var top = a.top - h - 8;
    if (top < 8) top = Math.min(a.bottom + 8, vh - h - 8);
    root.style.left = left + 'px';
    root.style.top = Math.max(8, top) + 'px';
  }

  // The anchor may sit in a scrolling list (a message's reactions): follow it.
  function onScroll(e) {
    if (current && !(e.target instanceof Node && picker.root.contains(e.target))) place();
  }

  function onOutside(e) {
    if (!current) return;
    var t = e.target;
    if (picker.root.contains(t) || current.anchor.contains(t)) return;
    closePicker(false);
  }

  function openPicker(anchor, onPick) {
    if (!anchor) return;
    if (current && current.anchor === anchor) { closePicker(true); return; }
    if (current) closePicker(false);
    if (!picker) buildPicker();
    current = { anchor: anchor, onPick: onPick };
    var p = picker;
    p.search.value = '';
    showResults('');
    p.root.hidden = false;
    p.list.scrollTop = 0;
    anchor.setAttribute('aria-expanded', 'true');
    place();
    document.addEventListener('pointerdown', onOutside, true);
    window.addEventListener('resize', place);
    document.addEventListener('scroll', onScroll, true);
    focusInside();
    if (!p.filled) {
      p.status.hidden = false;
      p.status.textContent = 'Loading…';
      api.load().then(function (data) {
        fill(data);
        if (current) { showResults(p.search.value); place(); }
      }, function () {
        p.status.textContent = 'The emoji could not be loaded. Close and try again.';
      });
    }
  }

  // On a touch screen the on-screen keyboard would cover the sheet: focus the sheet, not
  // the search field (one tap away). Keys reach the picker's handler either way.
  function focusInside() {
    var touch = window.matchMedia('(pointer: coarse)').matches;
    (touch ? picker.root : picker.search).focus({ preventScroll: true });
  }

  function closePicker(refocus) {
    if (!current) return;
    var anchor = current.anchor;
    current = null;
    picker.root.hidden = true;
    anchor.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', onOutside, true);
    window.removeEventListener('resize', place);
    document.removeEventListener('scroll', onScroll, true);
    if (refocus) anchor.focus();
  }

  api.openPicker = openPicker;
})();
