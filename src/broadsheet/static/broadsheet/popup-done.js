// The end of a sign-in popup: tell the page that opened it, then close.
(function () {
  "use strict";
  var box = document.getElementById("popup-done");
  if (!box || !window.opener) return;
  window.opener.postMessage(
    { type: "broadsheet-login", ok: box.getAttribute("data-ok") === "1", error: box.getAttribute("data-error") || "" },
    window.location.origin
  );
  window.close();
})();
