/* "Cite this essay": a Copy button beside each citation. Without this script the buttons stay
 * hidden and the citations are plain text to select. */
(function () {
  "use strict";
  var section = document.querySelector(".cite-essay");
  if (!section || !navigator.clipboard) return;
  var status = section.querySelector(".cite-essay__status");
  section.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      navigator.clipboard.writeText(source.innerText.trim()).then(function () {
        button.textContent = "Copied";
        if (status) status.textContent = "Copied to the clipboard.";
        window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
      }, function () {
        if (status) status.textContent = "Could not copy: select the text and copy it instead.";
      });
    });
  });
})();
