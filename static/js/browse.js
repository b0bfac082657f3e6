// Practice list: on wide screens the filters sit beside the results, so their disclosure is
// opened. The page works the same without this script; the filters are then one click away.
(function () {
  "use strict";
  var filters = document.getElementById("filters");
  if (!filters || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 60em)");
  function update() {
    if (wide.matches) {
      filters.open = true;
    }
  }
  update();
  if (wide.addEventListener) {
    wide.addEventListener("change", update);
  }
})();
