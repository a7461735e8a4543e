// Web Push on the settings page: after a click (never on load), ask for permission,
// subscribe this browser with the server's VAPID key, and hand the subscription to the
// server, which answers with the refreshed device list.
'use strict';
(function () {
  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
    var raw = window.atob(base64 + '='.repeat((4 - base64.length % 4) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute('hx-headers') || '{}')['X-CSRF-Token'] || ''; }
    catch (e) { return ''; }
  }

  // The error page's message, or the status line when there is none.
  function problem(response) {
    return response.text().then(function (text) {
      var page = new DOMParser().parseFromString(text, 'text/html');
      var p = page.querySelector('#toast');
      return (p && p.textContent.trim()) || ('The server answered ' + response.status + '.');
    });
  }

  function showDevices(html) {
    var list = document.getElementById('push-devices');
    if (!list) return;
    list.outerHTML = html;
    var fresh = document.getElementById('push-devices');
    if (fresh && window.htmx) window.htmx.process(fresh);
  }

  function subscribe(button, status) {
    if (!('serviceWorker' in navigator) || !('PushManager' in window) || !window.isSecureContext) {
      status.textContent = 'This browser cannot receive push here (it needs https and a recent browser).';
      return;
    }
    button.disabled = true;
    status.textContent = 'Turning on…';
    window.Notification.requestPermission()
      .then(function (permission) {
        if (permission !== 'granted') throw new Error('Notifications are blocked: allow them in the browser’s site settings.');
        return navigator.serviceWorker.register('/sw.js').then(function () { return navigator.serviceWorker.ready; });
      })
      .then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(button.getAttribute('data-push-key'))
        });
      })
      .then(function (subscription) {
        return fetch('/accounts/settings/push/', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
          body: JSON.stringify(subscription.toJSON())
        });
      })
      .then(function (response) {
        if (!response.ok) return problem(response).then(function (why) { throw new Error(why); });
        return response.text().then(function (html) {
          showDevices(html);
          status.textContent = 'On for this device.';
        });
      })
      .catch(function (error) {
        status.textContent = (error && error.message) || 'Push could not be turned on.';
      })
      .then(function () { button.disabled = false; });
  }

  document.addEventListener('click', function (e) {
    var button = e.target && e.target.closest && e.target.closest('[data-action="enable-push"]');
    if (!button) return;
    subscribe(button, document.getElementById('push-status'));
  });
})();
