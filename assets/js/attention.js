// What tells a person something happened while they were not looking at it: the tab
// title counts what is unread ("(3) Hearth"), the favicon gets a dot, an optional sound
// plays for mentions and DMs, and (once they turned them on, by a click in Settings) the
// browser shows a notification while the tab is hidden. Each room's level decides what
// counts: everything, mentions and DMs (the default), or nothing.
// app.js reports arrivals through window.HearthAttention; nothing here asks for
// permission on its own.
(function () {
  'use strict';

  var SOUND_KEY = 'hearth-sound';
  var ICON = '/static/images/favicon.svg';
  var ICON_UNREAD = '/static/images/favicon-unread.svg';
  var baseTitle = document.title;
  var hiddenNew = 0; // messages by others in the open room while the tab was hidden
  var audio = null;

  function sidebarUnread() {
    var total = 0;
    document.querySelectorAll('#room-list [data-unread]').forEach(function (badge) {
      total += Number(badge.getAttribute('data-unread')) || 0;
    });
    return total;
  }

  function refresh() {
    var count = sidebarUnread() + hiddenNew;
    document.title = count > 0 ? '(' + count + ') ' + baseTitle : baseTitle;
    var icon = document.querySelector('link[rel="icon"]');
    if (icon) icon.setAttribute('href', count > 0 ? ICON_UNREAD : ICON);
  }

  function wants(level, isPrivate, mentioned) {
    if (level === 'everything') return true;
    if (level === 'nothing') return false;
    return isPrivate || mentioned;
  }

  function soundOn() {
    try { return window.localStorage.getItem(SOUND_KEY) === 'on'; } catch (e) { return false; }
  }

  // A short two-note chime made on the spot: no file to fetch, nothing sent anywhere.
  function chime() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      if (audio.state === 'suspended') audio.resume();
      [[880, 0], [1320, 0.12]].forEach(function (note) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        var start = audio.currentTime + note[1];
        osc.frequency.value = note[0];
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + 0.3);
      });
    } catch (e) { /* no sound is not an error */ }
  }

  function notify(info) {
    if (!document.hidden || !('Notification' in window) || window.Notification.permission !== 'granted') return;
    // A private room is titled by the other person; elsewhere, say who and where.
    var isPrivate = info.kind === 'private';
    var title = isPrivate ? (info.roomTitle || info.author)
      : info.mentioned ? info.author + ' mentioned you' : info.author;
    var body = isPrivate ? (info.text || 'sent you a message')
      : (info.roomTitle ? 'in ' + info.roomTitle + (info.text ? ': ' : '') : '') + (info.text || '');
    try {
      var shown = new window.Notification(title, {
        body: body,
        tag: 'hearth-' + info.room,
        icon: ICON
      });
      shown.onclick = function () {
        window.focus();
        if (info.href && window.location.pathname !== info.href) window.location.assign(info.href);
        shown.close();
      };
    } catch (e) { /* some browsers only notify from a service worker */ }
  }

  // info: {room, roomTitle, href, author, kind, level, mentioned, text, current}
  function arrived(info) {
    var isPrivate = info.kind === 'private';
    if (info.current && document.hidden) hiddenNew += 1;
    refresh();
    if (!wants(info.level || 'mentions', isPrivate, info.mentioned)) return;
    if (soundOn() && (info.mentioned || isPrivate) && (document.hidden || !info.current)) chime();
    notify(info);
  }

  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) {
      hiddenNew = 0;
      refresh();
    }
  });

  // Settings: this device's switches. Permission is asked only here, on a click.
  function describePermission(status) {
    if (!status) return;
    if (!('Notification' in window)) status.textContent = 'This browser cannot show notifications.';
    else if (window.Notification.permission === 'granted') status.textContent = 'On for this browser.';
    else if (window.Notification.permission === 'denied') status.textContent = 'Blocked: allow them in the browser’s site settings.';
    else status.textContent = 'Off for this browser.';
  }
  document.addEventListener('click', function (e) {
    var button = e.target && e.target.closest && e.target.closest('[data-action="enable-notifications"]');
    if (!button || !('Notification' in window)) return;
    var status = document.getElementById('notification-permission');
    window.Notification.requestPermission().then(function () { describePermission(status); });
  });
  document.addEventListener('change', function (e) {
    if (e.target && e.target.id === 'id_sound') {
      try { window.localStorage.setItem(SOUND_KEY, e.target.checked ? 'on' : 'off'); } catch (err) { /* private mode */ }
      if (e.target.checked) chime();
    }
  });
  document.addEventListener('DOMContentLoaded', function () {
    refresh();
    describePermission(document.getElementById('notification-permission'));
    var sound = document.getElementById('id_sound');
    if (sound) sound.checked = soundOn();
  });
  document.addEventListener('htmx:afterSettle', refresh);

  // The service worker: installable, and an offline page instead of the browser's error.
  if ('serviceWorker' in navigator && window.isSecureContext) {
    window.addEventListener('load', function () {
      navigator.serviceWorker.register('/sw.js').catch(function () { /* not fatal */ });
    });
  }

  window.HearthAttention = { arrived: arrived, refresh: refresh };
})();
