// "Show password" on Gatehouse's pages: progressive enhancement. Without script the fields stay
// plain password fields. Each `input[type=password][data-show-password]` gets a toggle button
// after it, named by the attribute (the page's own words, in its language), with aria-pressed
// telling whether the password is shown.
(function () {
  'use strict';
  document.querySelectorAll('input[type="password"][data-show-password]').forEach(function (input) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'show-password';
    button.textContent = input.getAttribute('data-show-password');
    button.setAttribute('aria-pressed', 'false');
    if (input.id) button.setAttribute('aria-controls', input.id);
    button.addEventListener('click', function () {
      var shown = input.type === 'password';
      input.type = shown ? 'text' : 'password';
      button.setAttribute('aria-pressed', shown ? 'true' : 'false');
    });
    input.insertAdjacentElement('afterend', button);
    // Sent (and offered to password managers) as a password again, whatever was shown.
    if (input.form) {
      input.form.addEventListener('submit', function () {
        input.type = 'password';
        button.setAttribute('aria-pressed', 'false');
      });
    }
  });
})();
