// Passkeys (WebAuthn): the one part of Veertig that needs JavaScript. A form marked
// data-passkey stays hidden unless this browser can use passkeys. Submitting it first asks the
// server for options (POST to data-options, with the page's CSRF token), then the browser's
// authenticator, and sends the authenticator's answer in the form's hidden "credential" field
// as an ordinary form post: the server checks it and answers with a page, as for any form.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) {
    return;
  }
  var token = document.querySelector('meta[name="csrf-token"]');

  function bytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(binary, function (c) { return c.charCodeAt(0); });
  }

  function text(buffer) {
    var binary = String.fromCharCode.apply(null, new Uint8Array(buffer));
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map(function (credential) {
      return Object.assign({}, credential, { id: bytes(credential.id) });
    });
  }

  function create(options) {
    var key = options.publicKey;
    key.challenge = bytes(key.challenge);
    key.user.id = bytes(key.user.id);
    key.excludeCredentials = withIds(key.excludeCredentials);
    return navigator.credentials.create({ publicKey: key }).then(function (credential) {
      var response = credential.response;
      return {
        id: credential.id,
        rawId: text(credential.rawId),
        type: credential.type,
        response: {
          attestationObject: text(response.attestationObject),
          clientDataJSON: text(response.clientDataJSON),
          transports: response.getTransports ? response.getTransports() : undefined
        },
        extensions: credential.getClientExtensionResults()
      };
    });
  }

  function get(options) {
    var key = options.publicKey;
    key.challenge = bytes(key.challenge);
    key.allowCredentials = withIds(key.allowCredentials);
    return navigator.credentials.get({ publicKey: key }).then(function (credential) {
      var response = credential.response;
      return {
        id: credential.id,
        rawId: text(credential.rawId),
        type: credential.type,
        response: {
          authenticatorData: text(response.authenticatorData),
          clientDataJSON: text(response.clientDataJSON),
          signature: text(response.signature),
          userHandle: response.userHandle ? text(response.userHandle) : null
        },
        extensions: credential.getClientExtensionResults()
      };
    });
  }

  document.querySelectorAll("[data-passkey-needs-script]").forEach(function (note) {
    note.hidden = true;
  });
  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    var error = document.getElementById(form.getAttribute("data-error"));
    var ceremony = form.getAttribute("data-passkey") === "register" ? create : get;
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.hidden = true;
      // Without a name the server says what to do, before any passkey is made.
      if (form.elements.name && !form.elements.name.value.trim()) {
        form.submit();
        return;
      }
      fetch(form.getAttribute("data-options"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": token ? token.content : "" }
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("no options: " + response.status);
          }
          return response.json();
        })
        .then(ceremony)
        .then(function (answer) {
          form.elements.credential.value = JSON.stringify(answer);
          form.submit();
        })
        .catch(function () {
          error.hidden = false;
        });
    });
  });
})();
