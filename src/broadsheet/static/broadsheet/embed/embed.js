/* Broadsheet embed v1: a page's thread and "Leave a Reply" form, in a shadow root.
   How to use it: docs/embed.md. Plain JavaScript, no build step, no cookies. */
(function () {
  "use strict";
  // The site's words: /embed.js writes its catalog in here for a site in another language
  // than English (embed.views.script), so nothing is added to the host page's globals.
  var WORDS = {}; /* words */
  function plural(n) { return n === 1 ? 0 : 1; } /* plural */
  function form(n) { var v = plural(n); return typeof v === "boolean" ? (v ? 1 : 0) : v; }
  function gettext(text) { var w = WORDS[text]; return typeof w === "string" ? w : w ? w[0] : text; }
  function ngettext(one, many, n) { var w = WORDS[one]; return Array.isArray(w) ? w[form(n)] : n === 1 ? one : many; }
  function pgettext(context, text) { var w = WORDS[context + "\x04" + text]; return typeof w === "string" ? w : text; }
  // The site's language and its digits (core.numerals.numbering_system), written in with its
  // words: a count shows the digits the site's pages show (Arabic-Indic in Arabic but the
  // Maghreb's, decision 0116).
  var LANGUAGE = "en", NUMBERING = "latn"; /* language */
  var DIGITS = NUMBERING === "latn" ? null : new Intl.NumberFormat(LANGUAGE, { numberingSystem: NUMBERING, useGrouping: false });
  function number(n) { return DIGITS ? DIGITS.format(n) : String(n); }
  function interpolate(format, values) {
    return format.replace(/%\((\w+)\)s/g, function (all, name) { return String(values[name]); });
  }
  var me = document.currentScript || document.querySelector("script[data-broadsheet]");
  if (!me || !window.fetch || !Element.prototype.attachShadow) return;
  var SITE = new URL(me.src, location.href).origin;
  var API = SITE + "/api/v1/";
  var WINDOW = "broadsheet-embed-login";
  var GUEST = "broadsheet-embed-guest";
  var SIGNED = "broadsheet-embed-token";
  var OWN = "broadsheet-embed-own";
  var CSS = [
    ":host{display:block;--_fg:var(--bs-text,#1d1d1f);--_bg:var(--bs-background,#fff);--_muted:var(--bs-muted,#595959);",
    "--_accent:var(--bs-accent,#0b57d0);--_line:var(--bs-border,#c8c8c8);--_error:var(--bs-error,#b3261e);",
    "--_field:var(--bs-field,#fff);--_font:var(--bs-font,inherit);--_radius:var(--bs-radius,4px)}",
    "@media (prefers-color-scheme:dark){:host(:not([data-theme=light])){--_fg:var(--bs-dark-text,#ececec);",
    "--_bg:var(--bs-dark-background,#161616);--_muted:var(--bs-dark-muted,#b4b4b4);--_accent:var(--bs-dark-accent,#8ab4f8);",
    "--_line:var(--bs-dark-border,#4a4a4a);--_error:var(--bs-dark-error,#f2b8b5);--_field:var(--bs-dark-field,#222)}}",
    ":host([data-theme=dark]){--_fg:var(--bs-dark-text,#ececec);--_bg:var(--bs-dark-background,#161616);",
    "--_muted:var(--bs-dark-muted,#b4b4b4);--_accent:var(--bs-dark-accent,#8ab4f8);--_line:var(--bs-dark-border,#4a4a4a);",
    "--_error:var(--bs-dark-error,#f2b8b5);--_field:var(--bs-dark-field,#222)}",
    ".bs{color:var(--_fg);background:var(--_bg);font:1rem/1.5 var(--_font);padding:1rem}",
    "h2,h3{font-size:1.25rem;margin:0 0 .75rem}h3{font-size:1.1rem}",
    "ol{list-style:none;margin:0;padding:0}.children{margin-left:1.25rem;border-left:2px solid var(--_line);padding-left:.75rem}",
    ".comment{margin:0 0 1rem}header{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}",
    "img{width:32px;height:32px;border-radius:50%}.author{font-weight:700}",
    "a{color:var(--_accent)}.date,.note,.prompt,.hint{color:var(--_muted);font-size:.875rem}",
    ".body p{margin:.25rem 0}.pending{font-style:italic}",
    "button{font:inherit;cursor:pointer;border:1px solid var(--_line);border-radius:var(--_radius);",
    "background:transparent;color:var(--_accent);padding:.25rem .6rem}",
    "button.link{border:0;padding:0;text-decoration:underline}",
    ".submit{background:var(--_accent);color:var(--_bg);border-color:var(--_accent);padding:.45rem 1rem}",
    "label{display:block;font-weight:600;margin:.5rem 0 .15rem}",
    ".check label{display:inline;font-weight:400;margin:0 0 0 .35rem}.check input{width:auto}",
    "input,textarea{box-sizing:border-box;width:100%;font:inherit;color:var(--_fg);background:var(--_field);",
    "border:1px solid var(--_line);border-radius:var(--_radius);padding:.4rem}textarea{min-height:7rem}",
    "[aria-invalid=true]{border-color:var(--_error)}.error{color:var(--_error);margin:.15rem 0;font-size:.875rem}",
    ".icons{display:flex;gap:.4rem;flex-wrap:wrap;margin:.25rem 0 .5rem}.icon{min-width:2.5rem;font-weight:700}",
    ":focus-visible{outline:2px solid var(--_accent);outline-offset:2px}[hidden]{display:none!important}",
    ".respond{margin-top:1.5rem}.actions{margin-top:.75rem;display:flex;gap:.75rem;align-items:center}"
  ].join("");

  function el(tag, props, kids) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (name) {
      if (name === "text") node.textContent = props[name];
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), props[name]);
      else if (props[name] !== null && props[name] !== false) node.setAttribute(name, props[name]);
    });
    (kids || []).forEach(function (kid) { if (kid) node.appendChild(kid); });
    return node;
  }

  function read(store, key) {
    try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
  }

  function write(store, key, value) {
    try { if (value) store.setItem(key, JSON.stringify(value)); else store.removeItem(key); } catch (e) { /* private mode */ }
  }

  // One's own comments while they may still be changed, in localStorage: a reload or another
  // tab of this site shows Edit and Delete too (decision 0104); forgotten once the window shuts.
  function owned() {
    var all = read(localStorage, OWN) || {}, now = Date.now(), kept = {};
    Object.keys(all).forEach(function (id) { if (all[id] && all[id].until > now) kept[id] = all[id]; });
    return kept;
  }

  function keepOwn(id, entry) {
    var all = owned();
    if (entry) all[id] = entry; else delete all[id];
    write(localStorage, OWN, Object.keys(all).length ? all : null);
  }

  function signedIn() {
    var held = read(sessionStorage, SIGNED);
    return held && held.until > Date.now() ? held : null;
  }

  // Every call: JSON both ways, never a cookie; a signed-in reader's token as Authorization.
  function call(path, method, body, extra) {
    var headers = Object.assign({ Accept: "application/json" }, extra || {});
    var held = signedIn();
    if (held) headers.Authorization = "Bearer " + held.token;
    if (body) headers["Content-Type"] = "application/json";
    return fetch(path.charAt(0) === "/" ? SITE + path : API + path, {
      method: method || "GET", headers: headers, credentials: "omit", mode: "cors",
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }, function () { return { status: 0, data: {} }; });
  }

  // Not named plural: that is the catalog's rule above, which ngettext calls.
  function countText(n) {
    return n === 0 ? gettext("No Comments") : interpolate(ngettext("%(count)s Comment", "%(count)s Comments", n), { count: number(n) });
  }

  function pageUrl(node) {
    var own = node && node.getAttribute("data-url");
    if (own) return new URL(own, location.href).href;
    var canonical = document.querySelector("link[rel=canonical]");
    var url = new URL(canonical ? canonical.href : location.href);
    url.hash = "";
    return url.href;
  }

  function safeHref(value) {
    try {
      var url = new URL(value, SITE);
      return /^https?:$/.test(url.protocol) ? url.href : null;
    } catch (e) { return null; }
  }

  function showCounts() {
    var nodes = Array.prototype.slice.call(document.querySelectorAll("[data-broadsheet-count]"), 0, 100);
    if (!nodes.length) return;
    var urls = nodes.map(function (node) {
      var own = node.getAttribute("data-broadsheet-count");
      return own ? new URL(own, location.href).href : pageUrl(null);
    });
    var query = urls.map(function (url) { return "url=" + encodeURIComponent(url); }).join("&");
    call("counts?" + query).then(function (answer) {
      var counts = (answer.data && answer.data.counts) || {};
      nodes.forEach(function (node, i) {
        if (answer.status === 200) node.textContent = countText(counts[urls[i]] || 0);
      });
    });
  }

  function Thread(host) {
    this.host = host;
    this.url = pageUrl(host);
    this.title = host.getAttribute("data-title") || document.title || this.url;
    this.thread = null;
    this.page = 0;
    this.items = {};
    this.parent = null;
    this.root = host.shadowRoot || host.attachShadow({ mode: "open" });
    this.build();
    this.load();
  }

  Thread.prototype.build = function () {
    var self = this;
    this.heading = el("h2", { id: "bs-heading", text: gettext("Comments") });
    this.list = el("ol", { class: "comments" });
    this.more = el("button", { type: "button", hidden: "", text: gettext("More comments"), onclick: function () { self.loadPage(self.page + 1); } });
    this.loading = el("p", { class: "note", role: "status", text: gettext("Loading comments…") });
    this.root.appendChild(el("style", { text: CSS }));
    this.section = el("section", { class: "bs", "aria-labelledby": "bs-heading", "aria-busy": "true" }, [
      this.heading, this.loading, this.list, this.more, this.buildForm()
    ]);
    this.root.appendChild(this.section);
  };

  Thread.prototype.field = function (name, label, type, required, hint) {
    var input = el(type === "textarea" ? "textarea" : "input", {
      id: "bs-" + name, name: name, type: type === "textarea" ? null : type,
      required: required ? "" : null, "aria-required": required ? "true" : null,
      maxlength: type === "textarea" ? "65525" : "200", autocomplete: type === "email" ? "email" : type === "url" ? "url" : name === "name" ? "name" : null,
      "aria-describedby": "bs-" + name + "-error" + (hint ? " bs-" + name + "-hint" : "")
    });
    var error = el("p", { class: "error", id: "bs-" + name + "-error", hidden: "" });
    this.inputs[name] = input;
    this.errors[name] = error;
    return el("p", { class: "field" }, [
      el("label", { for: "bs-" + name, text: label + (required ? " (required)" : "") }),
      input, hint ? el("span", { class: "hint", id: "bs-" + name + "-hint", text: hint }) : null, error
    ]);
  };

  Thread.prototype.buildForm = function () {
    var self = this;
    this.inputs = {};
    this.errors = {};
    this.replyTitle = el("h3", { id: "bs-reply-title", text: gettext("Leave a Reply") });
    this.cancel = el("button", { type: "button", class: "link", hidden: "", text: gettext("Cancel reply"), onclick: function () { self.replyTo(null); } });
    this.status = el("p", { class: "note", role: "status", "aria-live": "polite" });
    this.icons = el("div", { class: "icons", role: "group", "aria-label": gettext("Log in with") });
    this.prompt = el("div", {}, [el("p", { class: "prompt", text: gettext("Fill in your details below or click an icon to log in:") }), this.icons]);
    this.identity = el("p", { class: "signed-in", hidden: "" });
    this.guest = el("div", { class: "guest" }, [
      this.field("name", gettext("Name"), "text", true),
      this.field("email", gettext("Email"), "email", true, gettext("Your address is never made public.")),
      this.field("website", gettext("Website"), "url", false)
    ]);
    this.formError = el("p", { class: "error", role: "alert", hidden: "" });
    this.notify = el("input", { type: "checkbox", id: "bs-notify", name: "notify_comments" });
    this.notifyBox = el("p", { class: "check", hidden: "" }, [this.notify, el("label", { for: "bs-notify", text: gettext("Notify me of follow-up comments by email.") })]);
    this.form = el("form", { class: "respond", "aria-labelledby": "bs-reply-title", novalidate: "", onsubmit: function (e) { e.preventDefault(); self.submit(); } }, [
      this.replyTitle, this.cancel, this.prompt, this.identity, this.status,
      this.field("body", gettext("Comment"), "textarea", true), this.guest, this.notifyBox, this.formError,
      el("p", { class: "actions" }, [el("button", { type: "submit", class: "submit", text: gettext("Post Comment") })])
    ]);
    var guest = read(localStorage, GUEST) || {};
    ["name", "email", "website"].forEach(function (name) { self.inputs[name].value = guest[name] || ""; });
    this.showIdentity();
    call("/embed/sign-in/options").then(function (answer) {
      self.showIcons((answer.data && answer.data.options) || []);
      self.notifyBox.hidden = !(answer.data && answer.data.notify);
    });
    return this.form;
  };

  Thread.prototype.showIcons = function (options) {
    var self = this;
    options.forEach(function (option) {
      self.icons.appendChild(el("button", {
        type: "button", class: "icon", title: option.name, "aria-label": interpolate(gettext("Log in with %(provider)s"), { provider: option.name }),
        text: option.mark, onclick: function () { self.signIn(option); }
      }));
    });
  };

  // The sign-in starts with a POST into a popup on the site (a link cannot start one); the
  // popup's last page hands this page a short-lived token by postMessage, or, when a
  // provider's opener policy cut the window off from this page, this page fetches it with a
  // nonce only it knows (decision 0077).
  Thread.prototype.signIn = function (option) {
    var self = this;
    var popup = window.open("", WINDOW, "width=560,height=700");
    if (!popup) { this.say(gettext("Your browser blocked the sign-in window. Allow pop-ups for this page and try again.")); return; }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    var nonce = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    var starter = el("form", { method: "post", action: SITE + "/embed/sign-in/" + encodeURIComponent(option.id) + "/", target: WINDOW, hidden: "" }, [
      el("input", { type: "hidden", name: "origin", value: location.origin }),
      el("input", { type: "hidden", name: "nonce", value: nonce })
    ]);
    this.root.appendChild(starter);
    starter.submit();
    starter.remove();
    this.waiting = option.name;
    this.popup = popup;
    this.say(interpolate(gettext("Connecting to %(name)s…"), { name: option.name }));
    var started = Date.now();
    clearInterval(this.watch);
    this.watch = setInterval(function () {
      if (!self.waiting || Date.now() - started > 600000) { clearInterval(self.watch); return; }
      // Only our own pages keep the tie to this page: a provider's may cut it, and the
      // window then reads as closed while the reader is still signing in there.
      if (option.id === "site" && popup.closed) {
        self.waiting = null;
        self.say(gettext("The sign-in window was closed. Your comment is still here."));
        return;
      }
      call("/embed/sign-in/claim", "POST", { nonce: nonce }).then(function (answer) {
        if (answer.status === 200 && self.waiting) self.signedInAs({ ok: true, token: answer.data.token, name: answer.data.name, provider: answer.data.provider });
      });
    }, 1500);
  };

  Thread.prototype.signedInAs = function (news) {
    this.waiting = null;
    clearInterval(this.watch);
    if (!news.ok || typeof news.token !== "string") { this.say(gettext("You are not signed in. Your comment is still here.")); return; }
    write(sessionStorage, SIGNED, { token: news.token, name: news.name, provider: news.provider, until: Date.now() + 55 * 60 * 1000 });
    this.say("");
    this.showIdentity();
    this.inputs.body.focus();
  };

  Thread.prototype.showIdentity = function () {
    var self = this;
    var held = signedIn();
    this.identity.hidden = !held;
    this.guest.hidden = !!held;
    this.prompt.hidden = !!held;
    this.identity.textContent = "";
    if (!held) return;
    this.identity.appendChild(document.createTextNode(interpolate(gettext("You are commenting using your %(provider)s account."), { provider: held.provider }) + " ("));
    this.identity.appendChild(el("button", { type: "button", class: "link", text: gettext("Log Out"), onclick: function () {
      write(sessionStorage, SIGNED, null); self.showIdentity();
    } }));
    this.identity.appendChild(document.createTextNode(" / "));
    this.identity.appendChild(el("button", { type: "button", class: "link", text: pgettext("the account one comments with", "Change"), "aria-expanded": "false", onclick: function (e) {
      var open = self.prompt.hidden;
      self.prompt.hidden = !open;
      e.target.setAttribute("aria-expanded", open ? "true" : "false");
    } }));
    this.identity.appendChild(document.createTextNode(")"));
  };

  Thread.prototype.say = function (text) { this.status.textContent = text; };

  Thread.prototype.load = function () {
    var self = this;
    call("threads?url=" + encodeURIComponent(this.url)).then(function (answer) {
      if (answer.status === 200) { self.thread = answer.data; self.loadPage(1); return; }
      self.loading.textContent = answer.status === 404 ? gettext("No comments yet.") : gettext("The comments could not be loaded.");
      self.section.setAttribute("aria-busy", "false");
    });
  };

  Thread.prototype.loadPage = function (page) {
    var self = this;
    call("threads/" + this.thread.id + "/comments?page=" + page).then(function (answer) {
      self.section.setAttribute("aria-busy", "false");
      if (answer.status !== 200) { self.loading.textContent = gettext("The comments could not be loaded."); return; }
      var data = answer.data;
      self.page = data.page;
      self.heading.textContent = countText(data.count);
      self.loading.hidden = data.count > 0;
      self.loading.textContent = gettext("No comments yet.");
      (data.comments || []).forEach(function (comment) { self.add(comment); });
      self.more.hidden = data.page >= data.pages;
      if (!self.thread.comments_open) { self.form.hidden = true; self.loading.hidden = false; self.loading.textContent = gettext("Comments are closed."); }
    });
  };

  Thread.prototype.add = function (c, fresh) {
    var self = this;
    if (this.items[c.id]) return this.items[c.id];
    var author = c.author || {};
    var home = author.url && safeHref(author.url);
    var avatar = author.avatar && safeHref(author.avatar);
    var when = new Date(c.created);
    var link = this.thread && safeHref(this.thread.page_url);
    var body = el("div", { class: "body" });
    body.innerHTML = c.html || "";  // the site's own rendering, sanitized there
    var children = el("ol", { class: "children" });
    var item = el("li", { class: "comment", id: "comment-" + c.id }, [
      el("article", { "aria-label": interpolate(gettext("Comment by %(name)s"), { name: author.name || gettext("Anonymous") }) }, [
        el("header", {}, [
          avatar ? el("img", { src: avatar, alt: "", width: "32", height: "32", loading: "lazy" }) : null,
          home ? el("a", { class: "author", href: home, rel: "nofollow ugc external", text: author.name }) : el("span", { class: "author", text: author.name || gettext("Anonymous") }),
          el(link ? "a" : "span", { class: "date", href: link ? link + "#comment-" + c.id : null }, [
            el("time", { datetime: c.created, text: isNaN(when) ? "" : when.toLocaleString(undefined, { dateStyle: "long", timeStyle: "short" }) })
          ])
        ]),
        body,
        c.status && c.status !== "approved" ? el("p", { class: "note pending", text: gettext("Your comment is awaiting moderation.") }) : null,
        this.thread && this.thread.comments_open === false ? null : el("button", {
          type: "button", class: "link reply", "aria-label": interpolate(gettext("Reply to %(name)s"), { name: author.name || gettext("Anonymous") }), text: pgettext("link under a comment", "Reply"),
          onclick: function () { self.replyTo(c.id); }
        }),
        this.ownActions(c, body)
      ]),
      children
    ]);
    item.children_ = children;
    this.items[c.id] = item;
    var into = c.parent && this.items[c.parent] ? this.items[c.parent].children_ : this.list;
    into.appendChild(item);
    if (fresh) item.scrollIntoView({ block: "nearest" });
    return item;
  };

  // One's own comment, within the edit window: Edit and Delete (a guest's by the edit key
  // the API gave when it was posted, kept for this tab only).
  Thread.prototype.ownActions = function (c, body) {
    var self = this;
    var own = owned()[c.id];
    if (!own || !(Date.parse(c.edit_until) > Date.now())) return null;
    if (!own.key && !signedIn()) return null; // an account's comment: its token is in one tab
    var key = own.key ? { "X-Edit-Key": own.key } : null;
    return el("p", { class: "own" }, [
      el("button", { type: "button", class: "link", text: pgettext("link under one's own comment", "Edit"), onclick: function () { self.edit(c, body, own, key); } }),
      document.createTextNode(" · "),
      el("button", { type: "button", class: "link", text: pgettext("link under one's own comment", "Delete"), onclick: function () {
        if (!window.confirm(gettext("Delete your comment?"))) return;
        call("comments/" + c.id, "DELETE", null, key).then(function (answer) {
          if (answer.status === 204) { self.items[c.id].remove(); delete self.items[c.id]; keepOwn(c.id, null); self.say(gettext("Your comment was deleted.")); }
          else self.say((answer.data.error && answer.data.error.message) || gettext("Your comment could not be deleted."));
        });
      } })
    ]);
  };

  Thread.prototype.edit = function (c, body, own, key) {
    if (body.hidden) return;
    var box = el("textarea", { id: "bs-edit-" + c.id, maxlength: "65525" });
    box.value = own.body || "";
    var error = el("p", { class: "error", role: "alert", hidden: "" });
    var done = function () { form.remove(); body.hidden = false; };
    var form = el("form", { class: "edit", onsubmit: function (e) {
      e.preventDefault();
      call("comments/" + c.id, "PATCH", { body: box.value }, key).then(function (answer) {
        if (answer.status !== 200) { error.textContent = (answer.data.error && answer.data.error.message) || gettext("Your change could not be saved."); error.hidden = false; return; }
        body.innerHTML = answer.data.html || "";
        own.body = box.value;
        keepOwn(c.id, own);
        done();
      });
    } }, [
      el("label", { for: "bs-edit-" + c.id, text: gettext("Edit your comment") }), box, error,
      el("p", { class: "actions" }, [el("button", { type: "submit", class: "submit", text: gettext("Save") }), el("button", { type: "button", text: gettext("Cancel"), onclick: done })])
    ]);
    body.hidden = true;
    body.parentNode.insertBefore(form, body.nextSibling);
    box.focus();
  };

  // Replying moves the form under the comment, as the site's own thread does.
  Thread.prototype.replyTo = function (id) {
    this.parent = id;
    var item = id && this.items[id];
    this.cancel.hidden = !item;
    this.replyTitle.textContent = item ? interpolate(gettext("Reply to %(name)s"), { name: item.querySelector(".author").textContent }) : gettext("Leave a Reply");
    if (item) item.insertBefore(this.form, item.children_);
    else this.section.appendChild(this.form);
    this.inputs.body.focus();
  };

  Thread.prototype.showErrors = function (error) {
    var self = this;
    var fields = (error && error.fields) || {};
    var placed = false;
    Object.keys(this.errors).forEach(function (name) {
      var message = fields[name];
      if (Array.isArray(message)) message = message.join(" ");
      self.errors[name].textContent = message || "";
      self.errors[name].hidden = !message;
      self.inputs[name].setAttribute("aria-invalid", message ? "true" : "false");
      if (message && !placed) { placed = true; self.inputs[name].focus(); }
    });
    var general = placed ? "" : (error && error.message) || gettext("Your comment could not be sent. Please try again.");
    this.formError.textContent = general;
    this.formError.hidden = !general;
  };

  Thread.prototype.submit = function () {
    var self = this;
    if (this.sending) return;
    var body = { body: this.inputs.body.value, parent: this.parent, notify_comments: !this.notifyBox.hidden && this.notify.checked };
    if (this.thread) body.thread = this.thread.id;
    else { body.url = this.url; body.title = this.title; }
    if (!signedIn()) {
      ["name", "email", "website"].forEach(function (name) { body[name] = self.inputs[name].value; });
      write(localStorage, GUEST, { name: body.name, email: body.email, website: body.website });
    }
    this.sending = true;
    this.say(gettext("Sending your comment…"));
    call("comments", "POST", body).then(function (answer) {
      self.sending = false;
      self.say("");
      if (answer.status === 401) { write(sessionStorage, SIGNED, null); self.showIdentity(); }
      if (answer.status !== 201) { self.showErrors(answer.data && answer.data.error); return; }
      self.showErrors({ fields: {}, message: "" });
      keepOwn(answer.data.id, { key: answer.data.edit_key || "", body: body.body, until: Date.parse(answer.data.edit_until) || 0 });
      self.inputs.body.value = "";
      self.loading.hidden = true;
      var asked = (answer.data.subscriptions || []).length ? gettext("Please confirm your subscription: we sent you an email.") : "";
      self.notify.checked = false;
      var done = function () { self.add(answer.data, true); self.replyTo(null); self.say(asked ? gettext("Your comment was sent.") + " " + asked : gettext("Your comment was sent.")); };
      if (self.thread) done();
      else call("threads?url=" + encodeURIComponent(self.url)).then(function (found) { if (found.status === 200) self.thread = found.data; done(); });
    });
  };

  var threads = [];
  window.addEventListener("message", function (event) {
    var news = event.data;
    if (event.origin !== SITE || !news || news.type !== "broadsheet-embed-login") return;
    threads.forEach(function (thread) { if (thread.popup === event.source) thread.signedInAs(news); });
  });

  function start() {
    var host = document.getElementById("broadsheet-thread");
    if (host && !host.shadowRoot) threads.push(new Thread(host));
    showCounts();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
