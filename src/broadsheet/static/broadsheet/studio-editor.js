/* Broadsheet — the studio's editor. Small and framework-free; the page works without it.
 *
 * - Shortcuts in the text: Ctrl/Cmd+B bold, +I italic, +K link, Ctrl+Alt+F footnote,
 *   Ctrl+Alt+C citation [@key], Ctrl+Alt+H heading.
 * - A web address pasted over selected text becomes [text](address).
 * - Tab indents (Shift+Tab outdents) inside the text; Escape, then Tab, leaves it.
 * - Every change goes through the browser's own editing (execCommand "insertText"), so
 *   Ctrl+Z undoes it like typing.
 * - The preview refreshes when the writer pauses (and on the Preview button, in place); the
 *   text is autosaved; leaving the page with unsaved changes asks first.
 * - "Insert an image" and "Choose the featured image" open the image picker's page in a
 *   dialog (read with fetch, same origin only): an image goes in as its Markdown on a line
 *   of its own at the cursor (decision 0041), or fills the featured image field.
 */
(function () {
  "use strict";

  var form = document.getElementById("studio-editor");
  if (!form) return;
  // Django's JavaScript catalog, loaded before this script on a page in another language
  // than English (studio/editor.html); without it the English below is used as it is.
  var gettext = window.gettext || function (words) { return words; };
  var pgettext = window.pgettext || function (context, words) { return words; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (all, name) { return String(values[name]); });
  };
  var text = form.querySelector("textarea[name=body]");
  var preview = document.getElementById("studio-preview");
  var state = document.getElementById("studio-save-state");
  var PREVIEW_PAUSE = 600;
  var AUTOSAVE_PAUSE = 1500;
  var INDENT = "    ";
  var URL_ONLY = /^https?:\/\/[^\s<>"]+$/i;

  var dirty = false;       // changed since the page was loaded or saved
  var unsaved = false;     // changed since the last autosave
  var escaped = false;     // Escape was pressed: the next Tab leaves the text
  var previewTimer = null;
  var autosaveTimer = null;
  var previewRound = 0;

  /* --- editing that the browser can undo ------------------------------------------ */

  function insert(value) {
    text.focus();
    // execCommand keeps the browser's undo stack; where it is missing, setRangeText with an
    // input event is the next best (undo then skips this change, but nothing is lost).
    if (!document.execCommand || !document.execCommand("insertText", false, value)) {
      text.setRangeText(value, text.selectionStart, text.selectionEnd, "end");
      text.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  function selected() {
    return text.value.slice(text.selectionStart, text.selectionEnd);
  }

  function wrap(before, after, placeholder) {
    var start = text.selectionStart;
    var inner = selected() || placeholder;
    insert(before + inner + after);
    // Select what was wrapped (or the placeholder), ready to type over.
    text.setSelectionRange(start + before.length, start + before.length + inner.length);
  }

  function link() {
    var start = text.selectionStart;
    var label = selected() || pgettext("a link's words, inserted in the text", "text");
    insert("[" + label + "](https://)");
    var at = start + label.length + 3;
    text.setSelectionRange(at, at + "https://".length);
  }

  function nextFootnote() {
    var used = text.value.match(/\[\^(\d+)\]/g) || [];
    var highest = 0;
    used.forEach(function (mark) {
      highest = Math.max(highest, parseInt(mark.slice(2, -1), 10));
    });
    return highest + 1;
  }

  function footnote() {
    var n = nextFootnote();
    insert("[^" + n + "]");
    // The note itself goes at the end of the text, where the cursor waits for it.
    var end = text.value.length;
    text.setSelectionRange(end, end);
    var gap = /\n\n$/.test(text.value) ? "" : /\n$/.test(text.value) ? "\n" : "\n\n";
    insert(gap + "[^" + n + "]: ");
  }

  function citation() {
    var start = text.selectionStart;
    var key = selected();
    insert("[@" + key + "]");
    var at = start + 2;
    text.setSelectionRange(at, at + key.length);
  }

  function lineStart(position) {
    return text.value.lastIndexOf("\n", position - 1) + 1;
  }

  function heading() {
    var start = lineStart(text.selectionStart);
    var end = text.value.indexOf("\n", start);
    if (end === -1) end = text.value.length;
    var line = text.value.slice(start, end);
    var hashes = (line.match(/^#+/) || [""])[0].length;
    // ## → ### → #### → plain → ## (an essay's title is the h1).
    var next = hashes === 0 ? "## " : hashes >= 4 ? "" : "#".repeat(hashes + 1) + " ";
    text.setSelectionRange(start, end);
    insert(next + line.replace(/^#+\s*/, ""));
  }

  function indent(outdent) {
    var start = lineStart(text.selectionStart);
    var end = text.selectionEnd;
    if (!outdent && start === lineStart(end) && text.selectionStart === end) {
      insert(INDENT);
      return;
    }
    var block = text.value.slice(start, end);
    var lines = block.split("\n").map(function (line) {
      return outdent ? line.replace(/^( {1,4}|\t)/, "") : INDENT + line;
    });
    text.setSelectionRange(start, end);
    insert(lines.join("\n"));
    text.setSelectionRange(start, start + lines.join("\n").length);
  }

  var SHORTCUTS = {
    b: function () { wrap("**", "**", pgettext("inserted in the text", "bold text")); },
    i: function () { wrap("*", "*", pgettext("inserted in the text", "emphasis")); },
    k: link,
  };
  var ALT_SHORTCUTS = { f: footnote, c: citation, h: heading };

  text.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      escaped = true;
      return;
    }
    if (event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey) {
      if (escaped) {
        escaped = false;
        return; // let the browser move the focus on
      }
      event.preventDefault();
      indent(event.shiftKey);
      return;
    }
    if (event.key !== "Shift") escaped = false;
    if (!(event.ctrlKey || event.metaKey) || event.shiftKey) return;
    var key = (event.key || "").toLowerCase();
    // Alt changes event.key on some layouts: read the physical key too.
    var code = (event.code || "").replace(/^Key/, "").toLowerCase();
    var run = event.altKey ? ALT_SHORTCUTS[code] || ALT_SHORTCUTS[key] : SHORTCUTS[key];
    if (run) {
      event.preventDefault();
      run();
    }
  });

  text.addEventListener("blur", function () { escaped = false; });

  text.addEventListener("paste", function (event) {
    var data = event.clipboardData && event.clipboardData.getData("text/plain");
    var label = selected();
    if (!data || !label || label.indexOf("\n") !== -1) return;
    data = data.trim();
    if (!URL_ONLY.test(data)) return;
    event.preventDefault();
    insert("[" + label + "](" + data + ")");
  });

  /* --- preview, autosave, leaving ------------------------------------------------ */

  function say(message) {
    if (state) state.textContent = message;
  }

  function fields() {
    var data = new FormData(form);
    data.delete("do");
    return data;
  }

  function refreshPreview() {
    if (!preview || !form.dataset.previewUrl) return Promise.resolve(false);
    var round = ++previewRound;
    return fetch(form.dataset.previewUrl, { method: "POST", body: fields(), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (round === previewRound) preview.innerHTML = html; // a later round wins
        return true;
      })
      .catch(function () {
        if (round === previewRound) say(gettext("The preview could not be refreshed; your text is safe here."));
        return false;
      });
  }

  function autosave() {
    if (!unsaved || !form.dataset.autosaveUrl) return;
    unsaved = false;
    fetch(form.dataset.autosaveUrl, { method: "POST", body: fields(), credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || String(response.status));
          say(body.message);
        });
      })
      .catch(function (error) {
        unsaved = true;
        say(interpolate(gettext("Not autosaved (%(error)s). Save the post to keep your changes."), { error: error.message }, true));
      });
  }

  function changed() {
    dirty = true;
    unsaved = true;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, PREVIEW_PAUSE);
    clearTimeout(autosaveTimer);
    autosaveTimer = setTimeout(autosave, AUTOSAVE_PAUSE);
  }

  ["title", "excerpt", "body"].forEach(function (name) {
    var field = form.elements.namedItem(name);
    if (field) field.addEventListener("input", changed);
  });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });

  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    autosave();
    event.preventDefault();
    event.returnValue = ""; // the browser shows its own question
  });

  /* --- the Preview button refreshes in place ---------------------------------------- */

  var previewButton = form.querySelector("button[name=do][value=preview]");
  if (previewButton && preview && form.dataset.previewUrl) {
    previewButton.addEventListener("click", function (event) {
      event.preventDefault(); // without the script it submits the page, as before
      clearTimeout(previewTimer);
      say(gettext("Refreshing the preview…"));
      refreshPreview().then(function (done) {
        if (done) say(gettext("Preview refreshed."));
      });
    });
  }

  // A post opened with text in it shows its preview at once, not only after the first pause.
  var opened = form.elements.namedItem("body");
  if (opened && opened.value.trim()) refreshPreview();

  /* --- the image picker in a dialog ------------------------------------------------- */

  var picker = document.getElementById("studio-picker");
  var pickerBody = document.getElementById("studio-picker-body");
  var insertSlot = document.getElementById("studio-insert-image");
  var featured = form.elements.namedItem("featured_image");
  var pickerMode = "insert";
  var cursor = [0, 0];

  function element(tag, attributes, words) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (words) node.textContent = words;
    return node;
  }

  function hidden(words) {
    return element("span", { class: "visually-hidden" }, words);
  }

  function onItsOwnLine(markdown) {
    // A blank line before and after: the image is a paragraph alone, so it becomes a figure.
    var before = text.value.slice(0, text.selectionStart);
    var after = text.value.slice(text.selectionEnd);
    var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var tail = /^\n\n/.test(after) ? "" : /^\n/.test(after) || after === "" ? "\n" : "\n\n";
    return lead + markdown + tail;
  }

  function insertImage(card) {
    picker.close();
    text.focus();
    text.setSelectionRange(cursor[0], cursor[1]);
    insert(onItsOwnLine(card.markdown));
    say(interpolate(gettext("Image inserted: %(name)s."), { name: card.name }, true));
  }

  function featuredThumb() {
    var thumb = document.getElementById("studio-featured-thumb");
    if (!thumb) {
      thumb = element("p", { id: "studio-featured-thumb", class: "studio-featured-thumb" });
      featuredSlot().appendChild(thumb);
    }
    return thumb;
  }

  function chooseFeatured(card) {
    picker.close();
    featured.value = card.url;
    featured.dispatchEvent(new Event("change", { bubbles: true }));
    var thumb = featuredThumb();
    thumb.textContent = "";
    thumb.appendChild(element("img", { src: card.thumb, alt: "", width: "96", height: "64" }));
    thumb.appendChild(element("span", {}, interpolate(gettext("Chosen: %(name)s (saved with the post)"), { name: card.name }, true)));
    featured.focus();
    say(interpolate(gettext("Featured image chosen: %(name)s. Save to keep it."), { name: card.name }, true));
  }

  function pickerCard(source, base) {
    var address = function (node, name) { return node ? new URL(node.getAttribute(name), base).href : ""; };
    var card = {
      markdown: source.getAttribute("data-markdown"),
      url: source.getAttribute("data-featured"),
      name: (source.querySelector(".media-card__name") || {}).textContent || "image",
      thumb: address(source.querySelector("img"), "src"),
    };
    var item = element("li", { class: "media-card" });
    item.appendChild(element("img", { src: card.thumb, alt: "", loading: "lazy", decoding: "async" }));
    item.appendChild(element("span", { class: "media-card__name" }, card.name));
    if (card.markdown === null || card.url === null) {
      var note = element("span", { class: "note" }, gettext("Needs alt text before it can be used.") + " ");
      var edit = source.querySelector(".note a");
      if (edit) {
        var add = element("a", { href: address(edit, "href"), target: "_blank", rel: "noopener" }, gettext("Add it"));
        add.appendChild(hidden(" " + interpolate(gettext("to %(name)s (opens in a new tab)"), { name: card.name }, true)));
        note.appendChild(add);
      }
      item.appendChild(note);
      return item;
    }
    var insertMode = pickerMode === "insert";
    var button = element("button", { type: "button" }, insertMode ? pgettext("insert an image", "Insert") : gettext("Use as featured image"));
    button.appendChild(hidden(" " + card.name));
    button.addEventListener("click", function () {
      (insertMode ? insertImage : chooseFeatured)(card);
    });
    item.appendChild(button);
    return item;
  }

  function pickerPages(nav, base) {
    var copy = element("nav", { class: "pagination", "aria-label": gettext("Pages of images") });
    nav.querySelectorAll("a, span").forEach(function (part) {
      if (part.tagName !== "A") {
        copy.appendChild(element("span", {}, part.textContent));
        return;
      }
      var go = element("button", { type: "button" }, part.textContent);
      var address = new URL(part.getAttribute("href"), base).href;
      go.addEventListener("click", function () { loadPicker(address); });
      copy.appendChild(go);
      copy.appendChild(document.createTextNode(" "));
    });
    return copy;
  }

  function showPicker(html, base) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var grid = page.querySelector(".media-grid");
    pickerBody.textContent = "";
    if (!grid) {
      pickerBody.appendChild(element("p", {}, gettext("No images in the library yet.")));
      return;
    }
    var list = element("ul", { class: "media-grid media-grid--pick" });
    grid.querySelectorAll("li.media-card").forEach(function (source) {
      list.appendChild(pickerCard(source, base));
    });
    pickerBody.appendChild(list);
    var nav = page.querySelector("nav.pagination");
    if (nav) pickerBody.appendChild(pickerPages(nav, base));
    var first = pickerBody.querySelector("button");
    if (first) first.focus();
  }

  function loadPicker(address) {
    var url = new URL(address, new URL(insertSlot.dataset.pickerUrl, window.location.href));
    if (url.origin !== window.location.origin) return; // the picker is ours or nothing
    pickerBody.textContent = gettext("Loading the images…");
    fetch(url.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) { showPicker(html, url.href); })
      .catch(function () {
        pickerBody.textContent = gettext("The images could not be loaded. The library page still works:") + " ";
        pickerBody.appendChild(element("a", { href: url.href, target: "_blank", rel: "noopener" }, gettext("open it in a new tab")));
      });
  }

  function openPicker(mode) {
    pickerMode = mode;
    cursor = [text.selectionStart, text.selectionEnd];
    document.getElementById("studio-picker-help").textContent = mode === "insert"
      ? gettext("The image goes in as a figure, on a line of its own where the cursor was.")
      : gettext("The image becomes the post's featured image.");
    picker.showModal();
    loadPicker("?");
  }

  function featuredSlot() {
    var slot = document.getElementById("studio-choose-featured");
    if (!slot) {
      slot = element("p", { id: "studio-choose-featured", class: "studio-muted" });
      featured.insertAdjacentElement("afterend", slot); // a new post: no link was there
    }
    return slot;
  }

  function pickerButton(words, mode) {
    var button = element("button", { type: "button", "aria-haspopup": "dialog" }, words);
    button.addEventListener("click", function () { openPicker(mode); });
    return button;
  }

  if (picker && pickerBody && insertSlot && typeof picker.showModal === "function") {
    insertSlot.textContent = "";
    // Translators: %(button)s is the button "Insert an image".
    var around = gettext("%(button)s from the library, as a figure at the cursor.").split("%(button)s");
    insertSlot.appendChild(document.createTextNode(around[0]));
    insertSlot.appendChild(pickerButton(gettext("Insert an image"), "insert"));
    insertSlot.appendChild(document.createTextNode(around.slice(1).join("")));
    picker.querySelector("[data-picker-close]").addEventListener("click", function () { picker.close(); });
    if (featured) {
      var slot = featuredSlot();
      slot.textContent = "";
      slot.appendChild(pickerButton(gettext("Choose the featured image"), "featured"));
    }
  }

  form.classList.add("studio-editor--live");
})();
