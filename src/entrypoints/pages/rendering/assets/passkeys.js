// Passkeys on Gatehouse's pages: progressive enhancement over forms that work without script.
// The WebAuthn calls are @simplewebauthn/browser's (served as /assets/webauthn.js).
(function () {
  'use strict';
  var webauthn = window.SimpleWebAuthnBrowser;
  if (!webauthn || !webauthn.browserSupportsWebAuthn()) return;

  function options(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function submit(form, response) {
    form.querySelector('input[name="code"],input[name="response"]').value = JSON.stringify(response);
    form.submit();
  }

  function report(form, error) {
    var alert = form.querySelector('[data-passkey-error]');
    if (alert) {
      alert.hidden = false;
      // The page's own words (data-unused, data-failed: in its language), English if absent.
      alert.textContent = error && error.name === 'NotAllowedError' ? alert.getAttribute('data-unused') || 'The passkey was not used. Try again, or choose another way.' : alert.getAttribute('data-failed') || 'The passkey did not work on this device. Try again, or choose another way.';
    }
  }

  // A second-factor step: create (register) or use (authenticate) a passkey.
  document.querySelectorAll('form[data-passkey]').forEach(function (form) {
    var button = form.querySelector('button');
    button.hidden = false;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var kind = form.getAttribute('data-passkey');
      var optionsJSON = options(form.getAttribute('data-options'));
      var ceremony = kind === 'register' ? webauthn.startRegistration({ optionsJSON: optionsJSON }) : webauthn.startAuthentication({ optionsJSON: optionsJSON });
      ceremony.then(function (response) { submit(form, response); }, function (error) { report(form, error); });
    });
  });

  // The login page: passkeys offered in the username field's autofill, and a button.
  var login = document.querySelector('form[data-passkey-login]');
  if (login) {
    var start = function (autofill) {
      return fetch(login.getAttribute('data-options-url'), { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (answer) { return answer.json(); })
        .then(function (optionsJSON) { return webauthn.startAuthentication({ optionsJSON: optionsJSON, useBrowserAutofill: autofill }); })
        .then(function (response) { submit(login, response); });
    };
    var button = login.querySelector('button');
    button.hidden = false;
    login.addEventListener('submit', function (event) {
      event.preventDefault();
      start(false).catch(function (error) { report(login, error); });
    });
    webauthn.browserSupportsWebAuthnAutofill().then(function (supported) {
      if (supported) start(true).catch(function () { /* the person typed a password instead */ });
    });
  }
})();
