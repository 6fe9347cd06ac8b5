// Django's autocomplete widget (select2) draws its own search box, without a label: give it the name of the field
// it searches, now and each time select2 draws it again (after every choice of a multiple field).
(function () {
  "use strict";
  function labelFor(select) {
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    return label ? label.textContent.replace(/\s*:\s*$/, "").trim() : "";
  }
  function name() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) return;
      var text = labelFor(select);
      container.querySelectorAll(".select2-search__field").forEach(function (field) {
        if (text && field.getAttribute("aria-label") !== "Rechercher : " + text) {
          field.setAttribute("aria-label", "Rechercher : " + text);
        }
      });
    });
  }
  function start() {
    name();
    new MutationObserver(name).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("load", name);
})();
