// The end of a sign-in started from an embedded thread: hand the token to the page that
// opened this window, only at the origin it was issued to, then close.
(function () {
  "use strict";
  var box = document.getElementById("embed-done");
  if (!box) return;
  var origin = box.getAttribute("data-origin");
  var token = box.getAttribute("data-token");
  if (window.opener && origin) {
    window.opener.postMessage({
      type: "broadsheet-embed-login", ok: !!token, token: token,
      name: box.getAttribute("data-name"), provider: box.getAttribute("data-provider")
    }, origin);
  }
  // Cut off from its opener by a provider's opener policy, the page fetches the token itself
  // (with the nonce only it knows); this window can still try to close.
  window.close();
})();
