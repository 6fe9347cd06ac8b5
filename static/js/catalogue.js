/* Progressive enhancement of the catalogue list: everything works without this file.
   - a change in the filters updates the results without a full reload, and the URL follows;
   - chips, pagination and sort links do the same; Back/Forward restore the previous results;
   - long option lists get a filter-as-you-type box;
   - on phones the filter panel starts closed. */
(function () {
  "use strict";
  var root = document.getElementById("catalogue");
  if (!root || !window.fetch || !window.history.pushState) return;

  function collapseOnPhones() {
    var panel = document.getElementById("filters-panel");
    if (panel && window.matchMedia("(max-width: 59.99em)").matches && !panel.dataset.touched) {
      panel.open = false;
    }
    if (panel) panel.addEventListener("toggle", function () { panel.dataset.touched = "1"; }, { once: true });
  }

  function addOptionFilters() {
    root.querySelectorAll("ul.options.long").forEach(function (list) {
      if (list.previousElementSibling && list.previousElementSibling.classList.contains("options-filter")) return;
      var legend = list.closest("fieldset").querySelector("legend");
      var input = document.createElement("input");
      input.type = "search";
      input.className = "options-filter";
      input.setAttribute("aria-label", "Filtrer la liste : " + legend.textContent.trim());
      input.placeholder = "Filtrer la liste…";
      input.addEventListener("input", function () {
        var wanted = fold(input.value);
        list.querySelectorAll("li").forEach(function (item) {
          item.hidden = wanted && fold(item.textContent).indexOf(wanted) === -1;
        });
      });
      list.parentNode.insertBefore(input, list);
    });
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  var pending = null;
  function load(url, push) {
    if (pending) pending.abort();
    pending = new AbortController();
    var focusedId = document.activeElement && document.activeElement.id;
    root.classList.add("is-loading");
    fetch(url, { headers: { "X-Requested-With": "fetch" }, signal: pending.signal })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("catalogue");
        if (!fresh) { window.location.href = url; return; }
        ["filters-body", "results-body", "tri"].forEach(function (id) {
          var current = document.getElementById(id);
          var replacement = doc.getElementById(id);
          if (current && replacement) current.innerHTML = replacement.innerHTML;
        });
        ["result-count", "filters-summary"].forEach(function (id) {
          var current = document.getElementById(id);
          var replacement = doc.getElementById(id);
          if (current && replacement && current.textContent !== replacement.textContent) {
            current.innerHTML = replacement.innerHTML;
          }
        });
        document.title = doc.title;
        if (push) window.history.pushState({ catalogue: true }, "", url);
        addOptionFilters();
        var target = focusedId && document.getElementById(focusedId);
        if (target) target.focus();
        root.classList.remove("is-loading");
      })
      .catch(function (error) {
        if (error.name !== "AbortError") window.location.href = url;
      });
  }

  function formUrl(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value !== "") params.append(key, value); });
    var query = params.toString();
    return form.action.split("?")[0] + (query ? "?" + query : "");
  }

  root.addEventListener("change", function (event) {
    var form = event.target.form;
    var target = event.target;
    if (form && form.id === "filters" && (target.type === "checkbox" || target.tagName === "SELECT")) {
      load(formUrl(form), true);
    }
  });
  root.addEventListener("submit", function (event) {
    if (event.target.id === "filters") {
      event.preventDefault();
      load(formUrl(event.target), true);
    }
  });
  root.addEventListener("click", function (event) {
    var show = event.target.closest("[data-show-results]");
    if (show) {  // phones: « Voir les N actions » closes the panel and moves to the results
      event.preventDefault();
      var panel = document.getElementById("filters-panel");
      var heading = document.getElementById("results-title");
      if (panel) panel.open = false;
      if (heading) heading.focus();
      var url = formUrl(show.form);
      if (url !== window.location.href) load(url, true);
      return;
    }
    var link = event.target.closest("a[data-update]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    load(link.href, true);
    var heading = document.getElementById("results-title");
    if (heading && link.closest(".pagination")) heading.focus();
  });
  window.addEventListener("popstate", function () { load(window.location.href, false); });

  collapseOnPhones();
  addOptionFilters();
})();

/* « Où ? » fields: completion over the communes, postcodes and départements (a <datalist> filled as one types);
   without this file the field takes free text. Delegated: the list page replaces its filter form's HTML. */
(function () {
  "use strict";
  if (!window.fetch) return;
  var timer = null;
  var last = "";
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-place-completion]")) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var typed = input.value.trim();
      var list = document.getElementById(input.getAttribute("list"));
      if (!list || typed.length < 2 || typed === last) return;
      last = typed;
      fetch(input.dataset.placeCompletion + "?q=" + encodeURIComponent(typed))
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (names) {
          list.textContent = "";
          names.forEach(function (name) {
            var option = document.createElement("option");
            option.value = name;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 200);
  });
})();
