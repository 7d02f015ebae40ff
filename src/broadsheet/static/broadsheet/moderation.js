/* Broadsheet — keyboard shortcuts for the moderation queue, as in WordPress's Comments screen.
 *
 * j / k move between comments; a u s t z press that comment's Approve, Unapprove, Spam, Trash
 * and Restore / Not spam buttons; x ticks it for a bulk action; r opens its reply box; e edits.
 * Each shortcut clicks a control marked data-shortcut in the row, so what a key does is exactly
 * what the visible button does, and a key with no such button in the row does nothing. With
 * the public moderation log on, the reason chosen in the row goes with the button pressed.
 * No framework; loaded from a file because the CSP forbids inline scripts.
 */
(function () {
  "use strict";

  var list = document.querySelector("[data-mod-list]");
  if (!list) return;
  var rows = Array.prototype.slice.call(list.querySelectorAll("[data-comment-row]"));
  var current = -1;

  var NOT_TYPED = ["checkbox", "radio", "submit", "button", "reset", "hidden"];

  function typing(target) {
    if (!target || !target.closest) return false;
    // A row's reason (public moderation log) is chosen with the arrows; its letters stay the
    // shortcuts, so the decision after choosing is still one keystroke: pick "Off-topic", t.
    if (target.matches && target.matches("select[data-reason]")) return false;
    if (target.closest("textarea, select, [contenteditable]:not([contenteditable='false'])")) return true;
    return target.tagName === "INPUT" && NOT_TYPED.indexOf(target.type) < 0;
  }

  function select(index) {
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0 && rows[current]) rows[current].classList.remove("is-current");
    current = index;
    var row = rows[current];
    row.classList.add("is-current");
    // Focus moves with the highlight so screen readers announce the comment too.
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  // Clicking or tabbing into a row makes it the current one, so j/k continue from there.
  list.addEventListener("focusin", function (event) {
    var row = event.target.closest("[data-comment-row]");
    var index = rows.indexOf(row);
    if (index < 0 || index === current) return;
    if (current >= 0 && rows[current]) rows[current].classList.remove("is-current");
    current = index;
    row.classList.add("is-current");
  });

  function press(key) {
    if (current < 0) return false;
    var control = rows[current].querySelector('[data-shortcut="' + key + '"]');
    if (!control) return false;
    control.click();
    return true;
  }

  function reply() {
    if (current < 0) return false;
    var details = rows[current].querySelector("[data-reply]");
    if (!details) return false;
    details.open = true;
    var field = details.querySelector("textarea");
    if (field) field.focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    // Letters typed into the search box or a reply are left alone.
    if (typing(event.target)) return;
    var handled = false;
    switch (event.key) {
      case "j": select(current + 1); handled = true; break;
      case "k": select(current < 0 ? 0 : current - 1); handled = true; break;
      case "a": case "u": case "s": case "t": case "z": case "x": case "e":
        handled = press(event.key); break;
      case "r": handled = reply(); break;
    }
    if (handled) event.preventDefault();
  });

  // "Select all on this page" for the bulk actions: only useful with a script, so shown by it.
  var all = document.querySelector("[data-select-all]");
  if (all) {
    var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="bulk-form"]'));
    all.hidden = false;
    var label = document.querySelector('label[for="' + all.id + '"]');
    if (label) label.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  }
})();
