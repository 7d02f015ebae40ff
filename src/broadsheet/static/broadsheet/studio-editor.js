/* Broadsheet — the studio's editor. Small and framework-free; the page works without it.
 *
 * - Shortcuts in the text: Ctrl/Cmd+B bold, +I italic, +K link, Ctrl+Alt+F footnote,
 *   Ctrl+Alt+C citation [@key], Ctrl+Alt+H heading.
 * - A web address pasted over selected text becomes [text](address).
 * - Tab indents (Shift+Tab outdents) inside the text; Escape, then Tab, leaves it.
 * - Every change goes through the browser's own editing (execCommand "insertText"), so
 *   Ctrl+Z undoes it like typing.
 * - The preview refreshes when the writer pauses; the text is autosaved; leaving the page
 *   with unsaved changes asks first.
 */
(function () {
  "use strict";

  var form = document.getElementById("studio-editor");
  if (!form) return;
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
    var label = selected() || "text";
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
    b: function () { wrap("**", "**", "bold text"); },
    i: function () { wrap("*", "*", "emphasis"); },
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
    if (!preview || !form.dataset.previewUrl) return;
    var round = ++previewRound;
    fetch(form.dataset.previewUrl, { method: "POST", body: fields(), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (round === previewRound) preview.innerHTML = html; // a later round wins
      })
      .catch(function () {
        if (round === previewRound) say("The preview could not be refreshed; your text is safe here.");
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
        say("Not autosaved (" + error.message + "). Save the post to keep your changes.");
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

  form.classList.add("studio-editor--live");
})();
