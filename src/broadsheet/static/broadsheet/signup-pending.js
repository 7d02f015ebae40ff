// "Verify your email" in the comment form's sign-in window: tell the essay's page that the
// sign-up now waits for the emailed link (it stops saying "Connecting…").
(function () {
  "use strict";
  var box = document.getElementById("signup-pending");
  if (!box || window.name !== "broadsheet-login") return;
  var news = { type: "broadsheet-login", ok: false, pending: true, error: box.getAttribute("data-message") };
  if (window.opener) {
    window.opener.postMessage(news, window.location.origin);
  } else if ("BroadcastChannel" in window) {
    var channel = new BroadcastChannel("broadsheet-login");
    channel.postMessage(news);
    channel.close();
  }
})();
