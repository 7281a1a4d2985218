// Loaded right after a <details data-collapse-on-phone> panel, before what follows it is parsed:
// on a phone the panel is closed before the page is first drawn, so the results below never jump
// (share.js would close it only after the whole page, a layout shift). Without JavaScript it stays open.
(function () {
  "use strict";
  var panel = document.currentScript && document.currentScript.previousElementSibling;
  if (panel && panel.matches("details[data-collapse-on-phone]") && window.matchMedia("(max-width: 48rem)").matches) {
    panel.open = false;
  }
})();
