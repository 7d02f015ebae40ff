// Responding to a passage of the essay (everything also works without JavaScript, decision 0048):
// - selecting text offers "Respond to this passage" (the comment form then carries the quote),
//   "Suggest a correction" when the article has data-correct-url and "Add a context note"
//   when it has data-notes-url (each a page of its own, given the selection);
// - a passage's "Respond" control (a link to the no-JavaScript page) attaches the whole passage;
// - a passage's response count opens those responses beside it.
// Offsets are counted in the passage's text as the server reads it (whitespace collapsed, the
// margin and footnote back-links left out); the server takes the stored ones from the text, so
// they only choose between several occurrences of the same words.
(function () {
  "use strict";
  var article = document.querySelector("article.entry");
  if (!article) return;
  // Words through Django's JavaScript catalog when the page loaded it (pages not in
  // English), else as written here.
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  var PASSAGE = '[id^="p-"], [id^="fn-"], [id^="ref-"]';
  var SKIP = ".margin, .footnote-ref, .footnote-backref, .passage-responses, .passage-popup";
  var CONTEXT = 32, MAX_QUOTE = 2000;
  var respondUrl = article.getAttribute("data-respond-url");
  var form = document.getElementById("commentform");
  var quoteBox = document.getElementById("comment-quote");
  var canRespond = !!(respondUrl && form);

  // The outermost passage around a node (a footnote's own paragraphs are part of it).
  function passageOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentNode), found = null;
    while (element && element !== article && element.closest) {
      element = element.closest(PASSAGE);
      if (!element || !article.contains(element)) break;
      found = element;
      element = element.parentNode;
    }
    return found;
  }

  // The passage's text, and where `range` (if any) lies in it.
  function read(passage, range) {
    var walker = document.createTreeWalker(passage, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentNode.closest(SKIP) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var text = "", space = false, start = -1, end = -1, node;
    while ((node = walker.nextNode())) {
      var value = node.nodeValue, from = value.length, to = 0;
      if (range) {
        from = range.comparePoint(node, 0) >= 0 ? 0 : (node === range.startContainer ? range.startOffset : value.length);
        to = range.comparePoint(node, value.length) <= 0 ? value.length : (node === range.endContainer ? range.endOffset : 0);
      }
      for (var i = 0; i < value.length; i++) {
        var ch = value.charAt(i);
        if (/\s/.test(ch)) { space = text.length > 0; continue; }
        if (space) { text += " "; space = false; }
        if (i >= from && i < to) {
          if (start < 0) start = text.length;
          end = text.length + 1;
        }
        text += ch;
      }
    }
    return { text: text, start: start, end: end };
  }

  function selector(passage, text, start, end) {
    return {
      passage: passage.id,
      exact: text.slice(start, end).normalize("NFC"),
      prefix: text.slice(Math.max(0, start - CONTEXT), start).normalize("NFC"),
      suffix: text.slice(end, end + CONTEXT).normalize("NFC"),
      start: start,
      end: end
    };
  }

  // The whole passage, cut to the longest quote at a word's end (as the server's whole()).
  function wholeOf(passage) {
    var text = read(passage).text, end = text.length;
    if (end > MAX_QUOTE) {
      end = text.lastIndexOf(" ", MAX_QUOTE);
      if (end <= 0) end = MAX_QUOTE;
    }
    return selector(passage, text, 0, end);
  }

  // The current selection, within the one passage where it starts.
  function selected() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    var range = selection.getRangeAt(0).cloneRange();
    var passage = passageOf(range.startContainer);
    if (!passage) return null;
    if (!passage.contains(range.endContainer)) range.setEnd(passage, passage.childNodes.length);
    var found = read(passage, range);
    if (found.start < 0 || found.end <= found.start) return null;
    var words = toWords(found.text, found.start, Math.min(found.end, found.start + MAX_QUOTE));
    if (words[1] <= words[0]) return null;
    return selector(passage, found.text, words[0], words[1]);
  }

  // A drag rarely starts and ends exactly between words: the quote takes in the words it
  // cuts ("Coul" becomes "Could") and leaves out the spaces at its ends, as readers expect.
  var WORD = /[\p{L}\p{N}\p{M}'’-]/u;
  function toWords(text, start, end) {
    while (start < end && text.charAt(start) === " ") start++;
    while (end > start && text.charAt(end - 1) === " ") end--;
    while (start > 0 && WORD.test(text.charAt(start - 1)) && WORD.test(text.charAt(start))) start--;
    while (end < text.length && end - start < MAX_QUOTE &&
           WORD.test(text.charAt(end - 1)) && WORD.test(text.charAt(end))) end++;
    return [start, end];
  }

  // ------------------------------------------------------------------ the form's quote
  var PARTS = ["passage", "exact", "prefix", "suffix", "start", "end"];

  function make(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // The server renders the quote's box only when the form carries a quote (the respond page,
  // or the form sent back with an error); a quote chosen on the page builds it here.
  function box() {
    if (quoteBox) return quoteBox;
    quoteBox = make("div", "comment-quote");
    quoteBox.id = "comment-quote";
    var label = make("p", "comment-quote__label", gettext("Responding to this passage:"));
    label.id = "comment-quote-label";
    var text = make("blockquote", "comment-quote__text");
    text.setAttribute("aria-labelledby", label.id);
    quoteBox.append(label, text);
    PARTS.forEach(function (part) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "anchor_" + part;
      quoteBox.appendChild(input);
    });
    quoteBox.appendChild(clearButton());
    form.insertBefore(quoteBox, form.querySelector(".comment-form-comment"));
    return quoteBox;
  }

  function clearButton() {
    var button = make("button", "link-button comment-quote__clear", gettext("Remove the quote"));
    button.type = "button";
    button.addEventListener("click", function () {
      detach();
      form.querySelector("textarea").focus();
    });
    return button;
  }

  function attach(anchor) {
    var quote = box();
    PARTS.forEach(function (part) {
      quote.querySelector("input[name=anchor_" + part + "]").value = anchor[part];
    });
    quote.querySelector(".comment-quote__text").textContent = anchor.exact;
    var removed = form.querySelector("input[name=anchor_remove]");
    if (removed) removed.checked = false;
    Array.prototype.forEach.call(quote.querySelectorAll(".field-error"), function (node) { node.remove(); });
    quote.classList.remove("has-error");
    quote.hidden = false;
    // A response to the essay, not a reply to a comment: "Cancel reply" puts the form back.
    var cancel = document.getElementById("cancel-comment-reply-link");
    if (cancel && !cancel.hidden) cancel.click();
    var textarea = form.querySelector("textarea");
    textarea.scrollIntoView({ block: "center" });
    textarea.focus();
  }

  function detach() {
    if (!quoteBox) return;
    PARTS.forEach(function (part) { quoteBox.querySelector("input[name=anchor_" + part + "]").value = ""; });
    quoteBox.hidden = true;
  }

  if (form) {
    // A box the server rendered: with JavaScript the quote is removed at once (the checkbox
    // stays for readers without it).
    var remove = quoteBox && quoteBox.querySelector(".comment-quote__remove");
    if (remove) {
      remove.hidden = true;
      remove.parentNode.insertBefore(clearButton(), remove);
    }
    form.addEventListener("broadsheet:comment-posted", detach);
  }

  // ------------------------------------------------------------------ the selection popup
  var popup = document.createElement("div");
  popup.className = "passage-popup";
  popup.hidden = true;
  var current = null;

  function action(label, handler) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keeps the selection
    button.addEventListener("click", function () {
      if (current) handler(current);
      hide();
    });
    popup.appendChild(button);
  }

  // A page of its own for the selection: the address, the passage id, then the quote's parts.
  function offerPage(label, attribute) {
    var url = article.getAttribute(attribute);
    if (!url) return;
    action(label, function (anchor) {
      var query = ["exact", "prefix", "suffix", "start", "end"].map(function (part) {
        return part + "=" + encodeURIComponent(anchor[part]);
      }).join("&");
      window.location.href = url + encodeURIComponent(anchor.passage) + "/?" + query;
    });
  }

  if (canRespond) action(gettext("Respond to this passage"), attach);
  offerPage(gettext("Suggest a correction"), "data-correct-url");
  offerPage(gettext("Add a context note"), "data-notes-url");

  function hide() {
    popup.hidden = true;
    current = null;
  }

  function offer() {
    if (!popup.firstChild) return;
    var anchor = selected();
    if (!anchor) { hide(); return; }
    current = anchor;
    // Placed after its passage, so Tab from the passage's controls reaches it.
    var passage = document.getElementById(anchor.passage);
    if (passage.tagName === "LI") passage.appendChild(popup);
    else passage.parentNode.insertBefore(popup, passage.nextSibling);
    var rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
    popup.hidden = false;
    var box = popup.offsetParent ? popup.offsetParent.getBoundingClientRect() : { left: 0, top: 0 };
    popup.style.left = Math.max(0, rect.left - box.left) + "px";
    popup.style.top = (rect.bottom - box.top + 6) + "px";
  }

  if (popup.firstChild) {
    // A selection may end outside the essay: the page hears where the mouse is let go.
    document.addEventListener("mouseup", function (event) {
      if (!popup.contains(event.target)) setTimeout(offer, 0);
    });
    article.addEventListener("keyup", function (event) { if (event.shiftKey) offer(); });
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") hide(); });
    document.addEventListener("selectionchange", function () {
      if (!popup.hidden && window.getSelection().isCollapsed && !popup.contains(document.activeElement)) hide();
    });
  }

  // ------------------------------------------------------------------ the margin
  function opened(marker, passage) {
    var panel = document.createElement("aside");
    panel.className = "passage-responses";
    panel.id = "responses-" + passage.id;
    panel.setAttribute("aria-label", gettext("Responses to this passage"));
    var list = document.createElement("ol");
    marker.getAttribute("data-comments").split(" ").forEach(function (id) {
      var item = document.createElement("li");
      var card = document.querySelector("#comment-" + id + " > article");
      if (card) {
        // The response as the thread shows it (without its ids, which the thread keeps).
        var copy = card.cloneNode(true);
        Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (node) { node.removeAttribute("id"); });
        copy.removeAttribute("id");
        item.appendChild(copy);
        var link = document.createElement("a");
        link.href = "#comment-" + id;
        link.textContent = gettext("In the discussion");
        item.appendChild(link);
      } else {
        // On another page of the discussion: its permalink.
        var away = document.createElement("a");
        away.href = "/comment/" + id + "/";
        away.textContent = gettext("Read this response");
        item.appendChild(away);
      }
      list.appendChild(item);
    });
    panel.appendChild(list);
    return panel;
  }

  article.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".margin a") : null;
    if (!link) return;
    var passage = passageOf(link);
    if (!passage) return;
    if (!link.classList.contains("responses")) {  // "Respond"
      if (!canRespond) return;
      event.preventDefault();
      attach(wholeOf(passage));
      return;
    }
    event.preventDefault();
    var panel = document.getElementById("responses-" + passage.id);
    if (panel) {
      panel.remove();
      link.setAttribute("aria-expanded", "false");
      return;
    }
    panel = opened(link, passage);
    // Beside the passage: in a list item (a footnote, a reference) inside it, else after it.
    if (passage.tagName === "LI") passage.appendChild(panel);
    else passage.parentNode.insertBefore(panel, passage.nextSibling);
    link.setAttribute("aria-controls", panel.id);
    link.setAttribute("aria-expanded", "true");
  });
})();

// "Needs your help" on the essay itself, for a signed-in reader only: the header has its
// sign-out form then (such a page is never a page-cache copy), and the cached page carries
// nothing else for it. The notes to rate come from `<notes page>help/` (empty for a reader who
// may not rate) and go after the "Context notes" line; a rating is sent with fetch and thanked
// in place. Without this script, or if fetch fails, the form posts and the essay comes back.
(function () {
  "use strict";
  var line = document.querySelector(".context-notes-line");
  var link = line && line.querySelector("a");
  if (!link || !document.querySelector(".site-account form") || !window.fetch) return;

  function rate(event) {
    var form = event.target;
    if (!form.matches || !form.matches(".note-rating")) return;
    event.preventDefault();
    form.querySelector("button[type=submit]").disabled = true;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (result) {
        var note = form.closest(".note-to-rate");
        if (response.ok) {
          var done = document.createElement("p");
          done.className = "note-thanks";
          done.setAttribute("role", "status");
          done.textContent = result.message;
          form.replaceWith(done);
        } else if (result.html) {
          note.outerHTML = result.html;  // why, next to the form, with the choice kept
        }
      });
    }).catch(function () { form.submit(); });
  }

  fetch(link.getAttribute("href") + "help/", { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.text() : ""; })
    .then(function (html) {
      if (!html.trim()) return;
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var help = holder.firstElementChild;
      help.addEventListener("submit", rate);
      line.parentNode.insertBefore(help, line.nextSibling);
    }).catch(function () { /* the notes page still has the queue */ });
})();
