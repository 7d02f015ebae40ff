// Likes without a reload (issue 22): the small form posts in place and shows the new count;
// without JavaScript the same form posts and comes back to the comment.
// The page writes Like and Report only on the comment it was opened on (its Reply page, or
// `?c=N` where no Reply is offered: how they are reached without JavaScript) and Like on
// comments that have likes; the others get theirs here, where the page would have put them.
(function () {
  "use strict";
  // Words through Django's JavaScript catalog when the page loaded it (pages not in
  // English), else as written here.
  function pgettext(context, text) { return window.pgettext ? window.pgettext(context, text) : text; }
  var list = document.querySelector("ol.comment-list");
  var token = document.querySelector("#commentform input[name=csrfmiddlewaretoken]");
  function control(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    return holder.firstChild;
  }
  function addControls(item) {
    var article = item.querySelector(":scope > article, :scope > details > article");
    var pk = item.id.slice("comment-".length);
    if (!article || !/^[0-9]+$/.test(pk)) return;
    var act = article.querySelector(":scope > a.comment-act");  // the way there without JavaScript
    var before = act || article.querySelector(":scope > a.reply, :scope > a.comment-edit, :scope > form.comment-pin");
    function put(node) {
      article.insertBefore(node, before);
      article.insertBefore(document.createTextNode(" "), before);
    }
    if (list.hasAttribute("data-likes") && !article.querySelector(":scope > form.comment-like")) {
      var like = control('<form class="comment-like" method="post"><button> <span class="like-count">0</span></button></form>');
      like.firstChild.firstChild.textContent = pgettext("button under a comment", "Like") + " ";
      like.action = "/comment/" + pk + "/like/";
      if (token) like.appendChild(token.cloneNode());
      put(like);
    }
    if (!article.querySelector(":scope > a.comment-report")) {
      var report = control('<a class="comment-report" rel="nofollow"></a>');
      report.textContent = pgettext("link under a comment", "Report");
      report.href = "/comment/" + pk + "/report/";
      put(report);
    }
    if (act) act.remove();
  }
  if (list) {
    list.querySelectorAll("li.comment:not(.is-pending):not(.is-removed)").forEach(addControls);
  }
  document.addEventListener("submit", function (event) {
    var like = event.target;
    if (!like.matches || !like.matches("form.comment-like, form.post-like")) return;
    event.preventDefault();
    var button = like.querySelector("button");
    if (button) button.disabled = true;
    fetch(like.action, {
      method: "POST", body: new FormData(like), credentials: "same-origin",
      headers: {"X-Requested-With": "fetch"}
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      var count = like.querySelector(".like-count");
      if (data && count) count.textContent = String(data.count);
      like.classList.add("is-liked");
    }).catch(function () { like.submit(); });
  });
})();

// The comment form, improved when JavaScript runs (everything also works without it):
// saved guest details filled in from a cookie, "Reply" moving the form under a comment,
// and posting without a full reload.
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var form = document.getElementById("commentform");
  if (!respond || !form) return;
  // Words through Django's JavaScript catalog when the page loaded it (pages not in
  // English), else as written here.
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  function interpolate(format, values) {
    return window.interpolate ? window.interpolate(format, values, true)
      : format.replace(/%\((\w+)\)s/g, function (all, name) { return String(values[name]); });
  }

  var title = respond.querySelector(".comment-reply-title__text");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var parentField = form.querySelector("input[name=parent_id]");
  var errorBox = document.getElementById("comment-form-error");
  var home = document.createElement("div");
  home.id = "respond-home";
  home.hidden = true;
  respond.parentNode.insertBefore(home, respond);

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return parts[i].slice(eq + 1);
    }
    return null;
  }

  // Saved name, email and website (only set when the reader ticked the box).
  var saved = readCookie("comment_author");
  if (saved) {
    try {
      // Earlier versions stored a cookie with a website in double quotes.
      if (saved.charAt(0) === '"') saved = saved.slice(1, -1);
      var details = JSON.parse(decodeURIComponent(saved));
      [["author", details.name], ["email", details.email], ["url", details.url]].forEach(function (pair) {
        var input = form.querySelector("[name=" + pair[0] + "]");
        if (input && !input.value && pair[1]) input.value = pair[1];
      });
      var consent = form.querySelector("[name=cookies_consent]");
      if (consent) consent.checked = true;
    } catch (e) { /* a damaged cookie is ignored */ }
  }

  function moveTo(item, replyTo) {
    var body = item.querySelector("article");
    var name = body.querySelector("footer .p-author");
    var author = name ? name.textContent : "";
    body.parentNode.insertBefore(respond, body.nextSibling);
    parentField.value = replyTo;
    title.textContent = interpolate(gettext("Leave a Reply to %(name)s"), { name: author });
    cancel.hidden = false;
    form.querySelector("textarea").focus();
  }

  function reset() {
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentField.value = "0";
    title.textContent = title.getAttribute("data-default");
    cancel.hidden = true;
  }

  document.addEventListener("click", function (event) {
    // Only a comment's own Reply link (an essay may use the class `reply` too).
    var link = event.target.closest ? event.target.closest("li.comment > article > a.reply") : null;
    if (link) {
      event.preventDefault();
      // The link carries only its no-JavaScript address: ?replytocom=N#respond.
      var replyTo = new URL(link.href).searchParams.get("replytocom");
      var item = link.closest("li.comment");
      if (item && replyTo) moveTo(item, replyTo);
    }
  });
  cancel.addEventListener("click", function (event) {
    event.preventDefault();
    reset();
  });

  function clearErrors() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    Array.prototype.forEach.call(form.querySelectorAll(".field-error.from-script"), function (node) { node.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (node) { node.removeAttribute("aria-invalid"); });
  }

  function showError(message, field) {
    var input = field ? form.querySelector("[name=" + field + "]") : null;
    if (input) {
      var note = document.createElement("span");
      note.className = "field-error from-script";
      note.id = input.id + "_error";
      note.textContent = message;
      input.parentNode.insertBefore(note, input.nextSibling);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
      input.focus();
    } else {
      errorBox.textContent = message;
      errorBox.hidden = false;
    }
  }

  function insert(result) {
    var holder = document.createElement("ol");
    holder.innerHTML = result.html;
    var item = holder.firstElementChild;
    if (!item) return;
    var list;
    if (result.parent) {
      var parentItem = document.getElementById("comment-" + result.parent);
      list = parentItem ? parentItem.querySelector(":scope > ol.children") : null;
      if (parentItem && !list) {
        list = document.createElement("ol");
        list.className = "children";
        parentItem.appendChild(list);
      }
    }
    if (!list) {
      list = document.querySelector("#comments ol.comment-list");
      if (!list) {
        list = document.createElement("ol");
        list.className = "comment-list";
        document.getElementById("comments").insertBefore(list, document.getElementById("respond-home"));
      }
    }
    list.appendChild(item);
    item.classList.add("is-new");
    item.setAttribute("tabindex", "-1");
    item.scrollIntoView({ block: "center" });
    item.focus();
  }

  form.addEventListener("submit", function (event) {
    if (!window.fetch || !window.FormData) return;
    // The sign-in icons and "Log Out" are buttons of this form with their own address.
    if (event.submitter && event.submitter.hasAttribute("formaction")) return;
    event.preventDefault();
    clearErrors();
    // "Post Comment" and the hidden default button that Enter presses: both, so that neither
    // a click nor Enter posts the comment twice while it is on its way.
    var buttons = form.querySelectorAll("#submit, .comment-form__default");
    function busy(on) { for (var i = 0; i < buttons.length; i++) buttons[i].disabled = on; }
    busy(true);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (result) { return { status: response.status, result: result }; });
    }).then(function (answer) {
      busy(false);
      if (!answer.result.ok) {
        showError(answer.result.message, answer.result.field);
        return;
      }
      form.querySelector("textarea").value = "";
      reset();
      insert(answer.result);
      // respond.js takes the quote off the form.
      form.dispatchEvent(new CustomEvent("broadsheet:comment-posted", { detail: answer.result }));
    }).catch(function () {
      // The network or the server failed: fall back to a normal submission.
      busy(false);
      form.submit();
    });
  });
})();

// Signing in from the comment form. With JavaScript the provider opens in a popup and this
// page stays as it is, comment and all; only the "who is commenting" part is swapped when the
// popup reports back. If the popup is blocked, the icon submits the form as without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("commentform");
  // Words through Django's JavaScript catalog when the page loaded it (pages not in
  // English), else as written here.
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  function interpolate(format, values) {
    return window.interpolate ? window.interpolate(format, values, true)
      : format.replace(/%\((\w+)\)s/g, function (all, name) { return String(values[name]); });
  }
  var comments = document.getElementById("comments");
  if (!form || !comments) return;
  var popup = null;
  var waiting = "";

  function status(text, cancellable) {
    var box = document.getElementById("login-status");
    if (!box) return;
    box.textContent = text;
    if (cancellable) {
      var cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "link-button login-status__cancel";
      cancel.textContent = gettext("Cancel");
      cancel.addEventListener("click", function () {
        waiting = "";
        if (popup && !popup.closed) popup.close();
        status("");
      });
      box.appendChild(document.createTextNode(" "));
      box.appendChild(cancel);
    }
    box.hidden = !text;
  }

  function refreshIdentity() {
    var postId = comments.getAttribute("data-post-id");
    return fetch("/comments/identity/?post=" + encodeURIComponent(postId), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) { return response.json(); }).then(function (result) {
      document.getElementById("comment-identity").innerHTML = result.html;
    });
  }

  var watch = null;

  function reported(news) {
    if (!news || news.type !== "broadsheet-login" || !waiting) return;
    var name = waiting;
    if (news.pending) {
      // A sign-up waiting for its email to be verified: this page stops waiting on the popup,
      // but still takes the news when the account is signed in (in this browser).
      clearInterval(watch);
      status(news.error);
      return;
    }
    waiting = "";
    clearInterval(watch);
    if (popup && !popup.closed) popup.close();
    if (news.ok) {
      status("");
      refreshIdentity();
    } else {
      status(news.error || interpolate(gettext("Signing in with %(name)s did not complete. Your comment is still here."), { name: name }));
    }
  }

  // A sign-in starts with a POST (never a plain GET a link elsewhere could send): an empty
  // popup opens, and a small form is posted into it, with the page's token when it has one.
  function postInto(target, action, fields) {
    var starter = document.createElement("form");
    starter.method = "post";
    starter.action = action;
    starter.target = target;
    starter.hidden = true;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) {
      var copy = document.createElement("input");
      copy.type = "hidden";
      copy.name = token.name;
      copy.value = token.value;
      starter.appendChild(copy);
    }
    Object.keys(fields || {}).forEach(function (name) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      field.value = fields[name];
      starter.appendChild(field);
    });
    document.body.appendChild(starter);
    starter.submit();
    starter.remove();
  }

  // A sign-in window closed without a word: say so instead of "Connecting…" for ever.
  function watchPopup() {
    clearInterval(watch);
    watch = setInterval(function () {
      if (!popup || !popup.closed) return;
      clearInterval(watch);
      if (waiting) status(gettext("The sign-in window was closed. Your comment is still here."));
    }, 500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".login-icon") : null;
    if (!button || !form.contains(button)) return;
    popup = window.open("", "broadsheet-login", "width=560,height=700");
    if (!popup) return;  // blocked: the form submits to the redirect flow
    event.preventDefault();
    // A sign-up ends after the emailed link is followed, perhaps in another tab: it comes
    // back to this page.
    var back = button.value === "site" ? { next: window.location.pathname + "#respond" } : {};
    postInto("broadsheet-login", button.getAttribute("data-popup"), back);
    waiting = button.getAttribute("data-name");
    status(interpolate(gettext("Connecting to %(name)s…"), { name: waiting }), true);
    // Only our own pages: a provider's may cut the window off from this page, which then
    // reads as closed while the reader is still signing in there.
    if (button.value === "site") watchPopup();
  });

  window.addEventListener("message", function (event) {
    if (event.origin === window.location.origin) reported(event.data);
  });
  if ("BroadcastChannel" in window) {
    new BroadcastChannel("broadsheet-login").addEventListener("message", function (event) { reported(event.data); });
  }

  // "Change" shows the other sign-in icons (without JavaScript the link's #target does).
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".comment-change-link") : null;
    if (!link) return;
    event.preventDefault();
    var box = document.getElementById("comment-change");
    if (box) box.classList.toggle("is-open");
    link.setAttribute("aria-expanded", box && box.classList.contains("is-open") ? "true" : "false");
  });
})();
