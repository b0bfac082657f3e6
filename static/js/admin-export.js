// django-import-export's export page (templates/admin/import_export/export.html): the "Select
// all" checkbox checks or clears every field's checkbox. The library's template did this in an
// onchange attribute, which the Content-Security-Policy blocks.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll("input.select-toggle")) {
    toggle.addEventListener("change", () => {
      const boxes = document.querySelectorAll(
        '.selectable-field-export-row input[type="checkbox"]',
      );
      for (const box of boxes) {
        box.checked = toggle.checked;
      }
    });
  }
});
