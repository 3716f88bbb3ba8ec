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
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("submit", function (event) {
    var asker = (event.submitter && event.submitter.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (asker && !window.confirm(asker)) event.preventDefault();
  }, true);
  document.addEventListener("htmx:afterSwap", all);
})();
