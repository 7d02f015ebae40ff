/* "Cite this essay": a Copy button beside each citation. Without this script the buttons stay
 * hidden and the citations are plain text to select. */
(function () {
  "use strict";
  // Django's JavaScript catalog when the page loads it; English otherwise.
  var gettext = window.gettext || function (text) { return text; };
  var pgettext = window.pgettext || function (context, text) { return text; };
  var section = document.querySelector(".cite-essay");
  if (!section || !navigator.clipboard) return;
  var status = section.querySelector(".cite-essay__status");
  section.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    var label = button.textContent;  // "Copy", as the page's language says it
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      navigator.clipboard.writeText(source.innerText.trim()).then(function () {
        button.textContent = pgettext("a button that copied a citation", "Copied");
        if (status) status.textContent = gettext("Copied to the clipboard.");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      }, function () {
        if (status) status.textContent = gettext("Could not copy: select the text and copy it instead.");
      });
    });
  });
})();
