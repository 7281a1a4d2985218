// "Copy link": progressive enhancement. Without JavaScript the link stays selectable in its field.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.closest(".share").querySelector(".share-status");
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { status.textContent = "Link copied."; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          field.select();
          status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
        });
      } else {
        field.select();
        status.textContent = document.execCommand("copy") ? "Link copied." : "Press Ctrl+C (or ⌘C) to copy the selected link.";
      }
    });
  });
  // On a phone the filter panel starts closed, so the results come first. Without JavaScript it stays open.
  if (window.matchMedia("(max-width: 48rem)").matches) {
    document.querySelectorAll("details[data-collapse-on-phone]").forEach(function (panel) { panel.open = false; });
  }
})();
