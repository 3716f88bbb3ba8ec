/* The site's one small script; every page works without it.

   Confirmation: a button or form with data-confirm asks before an action that cannot be
   undone (closing a checkpoint, a new code, closing a session, voiding a dose).

   Narrow screens show each row of a staff table as a card: every cell gets its column's
   header as a label (site.css prints it before the value). Cells labelled in the template
   keep their own label; without JavaScript the table still fits (it scrolls inside itself). */
(function () {
  function label(table) {
    var heads = table.querySelectorAll("thead th");
    if (!heads.length) return;
    var names = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        if (!td.hasAttribute("data-label") && names[i] && !td.hasAttribute("colspan")) {
          td.setAttribute("data-label", names[i]);
        }
      });
    });
  }
  function all() { document.querySelectorAll("table.grid").forEach(label); }
  /* Ward pickers: type a ward's name with or without diacritics ("hac thanh"); the
     places API finds it and the choice reads "Phường Hạc Thành (14797)". A typed code
     still works, and without JavaScript the server reads names and codes alike. */
  function wardPicker(input) {
    var province = input.getAttribute("data-ward-picker"), timer = null;
    var list = document.getElementById(input.getAttribute("list"));
    if (!province || !list) return;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || /\(\d+\)$/.test(q)) return;
      timer = setTimeout(function () {
        fetch("/api/v1/places/provinces/" + province + "/wards?q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (wards) {
            list.textContent = "";
            wards.slice(0, 30).forEach(function (w) {
              var option = document.createElement("option");
              option.value = w.name + " (" + w.code + ")";
              list.appendChild(option);
            });
          });
      }, 150);
    });
  }
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-ward-picker]").forEach(wardPicker);
  });
  document.addEventListener("submit", function (event) {
    var asker = (event.submitter && event.submitter.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (asker && !window.confirm(asker)) event.preventDefault();
  }, true);
  document.addEventListener("htmx:afterSwap", all);
})();
