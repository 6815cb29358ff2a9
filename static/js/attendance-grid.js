/*
 * Keyboard movement in the attendance grid: arrow keys move between cells (mirrored in
 * right-to-left pages), Home/End jump within the row. Space and Enter toggle the focused cell
 * because each cell is a button; htmx saves it and swaps in the new cell, and focus follows.
 * A refused change (400) is announced in the grid's status line and the cell stays as it was.
 */
(function () {
  "use strict";
  const grid = document.getElementById("attendance-grid");
  if (!grid) return;
  const status = document.getElementById("grid-status");
  let pendingFocus = null;

  function cells(row) {
    return Array.from(row.querySelectorAll("[data-grid-cell]"));
  }

  grid.addEventListener("keydown", function (event) {
    const cell = event.target.closest("[data-grid-cell]");
    if (!cell) return;
    const row = cell.closest("tr");
    const rowCells = cells(row);
    const column = rowCells.indexOf(cell);
    const rtl = document.documentElement.dir === "rtl";
    let target = null;
    switch (event.key) {
      case "ArrowRight":
        target = rowCells[column + (rtl ? -1 : 1)];
        break;
      case "ArrowLeft":
        target = rowCells[column + (rtl ? 1 : -1)];
        break;
      case "ArrowDown":
      case "ArrowUp": {
        const next = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
        if (next) target = cells(next)[column];
        break;
      }
      case "Home":
        target = rowCells[0];
        break;
      case "End":
        target = rowCells[rowCells.length - 1];
        break;
      default:
        return;
    }
    event.preventDefault();
    if (target) target.focus();
  });

  grid.addEventListener("htmx:beforeRequest", function (event) {
    const cell = event.target.closest("[data-grid-cell]");
    if (cell && document.activeElement === cell) pendingFocus = cell.dataset.key;
    if (status) status.textContent = "";
  });

  grid.addEventListener("htmx:responseError", function (event) {
    pendingFocus = null;
    if (status) status.textContent = event.detail.xhr.responseText;
  });

  // Only when the focus went down with the replaced cell: if the user has moved on (arrow keys
  // while the save was on its way), leave the focus where they put it.
  document.body.addEventListener("htmx:afterSettle", function () {
    if (!pendingFocus) return;
    const cell = grid.querySelector('[data-key="' + pendingFocus + '"]');
    pendingFocus = null;
    const lost = !document.activeElement || document.activeElement === document.body;
    if (cell && lost) cell.focus();
  });
})();
