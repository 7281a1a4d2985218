// "Cite this": copy buttons. Progressive enhancement: without JavaScript the text stays selectable.
(function () {
  "use strict";
  document.querySelectorAll("[data-cite-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-cite-copy"));
    var section = button.closest(".cite");
    var status = section && section.querySelector(".cite-status");
    if (!field || !status) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { status.textContent = "Citation copied."; };
      var manual = function () {
        field.select();
        status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected citation.";
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, manual);
      } else {
        field.select();
        if (document.execCommand("copy")) { done(); } else { manual(); }
      }
    });
  });
})();
