// The end of a sign-in popup: tell the page that opened it, then close.
// Providers whose pages set a strict Cross-Origin-Opener-Policy cut the popup off from its
// opener, so the news also goes out on a same-origin BroadcastChannel.
(function () {
  "use strict";
  var box = document.getElementById("popup-done");
  if (!box) return;
  var news = { type: "broadsheet-login", ok: box.getAttribute("data-ok") === "1", error: box.getAttribute("data-error") || "" };
  if ("BroadcastChannel" in window) {
    var channel = new BroadcastChannel("broadsheet-login");
    channel.postMessage(news);
    channel.close();
  }
  if (window.opener) window.opener.postMessage(news, window.location.origin);
  var back = box.getAttribute("data-back");
  // Not the sign-in window (a sign-up finished from the verification email, in a tab of its
  // own): go back to the essay instead of closing.
  if (!window.opener && window.name !== "broadsheet-login" && back) {
    window.location.replace(back);
    return;
  }
  window.close();
})();
