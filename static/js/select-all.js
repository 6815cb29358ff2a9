/*
 * "Select all" boxes in table headers: a box with data-select-all ticks or clears every box of
 * its table's body, and shows itself ticked, clear or in between as the rows are ticked by hand.
 */
(function () {
  "use strict";
  function rows(box) {
    return Array.from(box.closest("table").querySelectorAll("tbody input[type=checkbox]:not(:disabled)"));
  }

  function reflect(box) {
    const boxes = rows(box);
    const ticked = boxes.filter(function (row) { return row.checked; }).length;
    box.checked = boxes.length > 0 && ticked === boxes.length;
    box.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      rows(box).forEach(function (row) { row.checked = box.checked; });
    });
    box.closest("table").querySelector("tbody").addEventListener("change", function () {
      reflect(box);
    });
    reflect(box);
  });
})();
