/*
 * The attendance grid: arrow keys move between cells (mirrored in right-to-left pages),
 * Home/End jump within the row, Space and Enter toggle the focused cell (each cell is a button).
 *
 * A cell is never replaced: the click shows the new mark at once, htmx posts it, and only the
 * trainee's total comes back (out of band). So the focus stays where the user put it however
 * fast they type: nothing has to be handed back after a save (the old code kept one shared
 * "pending focus" that a second save overwrote, and the arrows went dead). Saves of one cell
 * queue in order (hx-sync), and each computes its value from the mark shown when it leaves, so
 * two quick presses give present, then absent. A refused or lost save puts the cell back and
 * says why in the grid's status line. The row's total is counted from the marks shown.
 */
(function () {
  "use strict";
  const grid = document.getElementById("attendance-grid");
  if (!grid) return;
  const status = document.getElementById("grid-status");
  const words = {
    present: grid.dataset.wordPresent,
    absent: grid.dataset.wordAbsent,
    none: grid.dataset.wordNone,
  };
  const symbols = { present: "✓", absent: "✗", none: "·" };

  function cells(row) {
    return Array.from(row.querySelectorAll("[data-grid-cell]"));
  }

  function show(cell, state) {
    cell.dataset.state = state;
    cell.classList.remove("mark--present", "mark--absent", "mark--none");
    cell.classList.add("mark--" + state);
    cell.setAttribute("aria-pressed", state === "present" ? "true" : "false");
    cell.setAttribute("aria-label", cell.dataset.label + ": " + words[state]);
    cell.textContent = symbols[state];
    recount(cell);
  }

  // The row's total is counted from the marks shown. The server sends its count with each save
  // (out of band), but saves of different days run side by side and may come back in any order:
  // the last to arrive may carry an older count, so the marks, which are final, have the word.
  function recount(cell) {
    const enrolment = cell.dataset.key.split("-")[0];
    const total = document.getElementById("total-" + enrolment);
    if (!total) return;
    const row = cell.closest("tr");
    total.textContent = row.querySelectorAll('[data-grid-cell][data-state="present"]').length;
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

  // Runs when the save actually leaves (a queued one only after the one before it came back).
  grid.addEventListener("htmx:configRequest", function (event) {
    const cell = event.detail.elt.closest("[data-grid-cell]");
    if (!cell) return;
    const next = cell.dataset.state === "present" ? "absent" : "present";
    event.detail.parameters.present = next === "present" ? "1" : "0";
    cell.dataset.previous = cell.dataset.state;
    show(cell, next);
    if (status) status.textContent = "";
  });

  function undo(event, message) {
    const cell = event.detail.elt.closest("[data-grid-cell]");
    if (cell && cell.dataset.previous) show(cell, cell.dataset.previous);
    if (status) status.textContent = message;
  }

  grid.addEventListener("htmx:responseError", function (event) {
    undo(event, event.detail.xhr.responseText);
  });

  grid.addEventListener("htmx:sendError", function (event) {
    undo(event, grid.dataset.wordOffline);
  });

  // After the out-of-band total of a save has been swapped in, count again from the marks.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    const cell = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-grid-cell]");
    if (cell) recount(cell);
  });
  grid.addEventListener("htmx:afterRequest", function (event) {
    const cell = event.detail.elt.closest("[data-grid-cell]");
    if (cell) recount(cell);
  });
})();
