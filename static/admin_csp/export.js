// django-import-export's export page, without the inline `onchange` the Content-Security-Policy blocks
// (templates/admin/import_export/export.html): the "select all" box calls the package's own handler.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".select-toggle").forEach((toggle) => {
    toggle.addEventListener("change", (event) => window.onSelectToggleChange(event));
  });
});
