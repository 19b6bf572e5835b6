// Progressive enhancement of the weekly hours editor; without JavaScript the same buttons
// send the form back to the server, which adds the range or copies the day.
// 1. "Add a range" adds a row in the page; "×" removes one.
// 2. "Copy to weekdays" copies a day's switch and ranges to Monday to Friday.
// 3. A day switched off folds its ranges away.
(function () {
  "use strict";
  var days = document.querySelectorAll("fieldset.weekday");
  if (!days.length) return;
  function toggle(fieldset) {
    var on = fieldset.querySelector("input[role=switch]").checked;
    fieldset.classList.toggle("off", !on);
  }
  function removeButtons(fieldset) {
    var rows = fieldset.querySelectorAll(".range");
    Array.prototype.forEach.call(rows, function (row) {
      row.querySelector(".remove-range").hidden = rows.length < 2;
    });
  }
  function blank(row) {
    Array.prototype.forEach.call(row.querySelectorAll("input"), function (i) {
      i.value = "";
      i.removeAttribute("aria-invalid");
    });
    return row;
  }
  Array.prototype.forEach.call(days, function (fieldset) {
    toggle(fieldset);
    removeButtons(fieldset);
    fieldset.addEventListener("change", function (e) {
      if (e.target.getAttribute("role") === "switch") toggle(fieldset);
    });
    fieldset.addEventListener("click", function (e) {
      var button = e.target.closest("button");
      if (!button) return;
      var ranges = fieldset.querySelector(".ranges");
      if (button.classList.contains("add-range")) {
        e.preventDefault();
        var row = blank(ranges.lastElementChild.cloneNode(true));
        ranges.appendChild(row);
        removeButtons(fieldset);
        row.querySelector("input").focus();
      } else if (button.classList.contains("remove-range")) {
        e.preventDefault();
        button.closest(".range").remove();
        removeButtons(fieldset);
        ranges.querySelector("input").focus();
      } else if (button.classList.contains("copy-week")) {
        e.preventDefault();
        var from = fieldset.getAttribute("data-day");
        var on = fieldset.querySelector("input[role=switch]").checked;
        Array.prototype.slice.call(days, 0, 5).forEach(function (target) {
          if (target === fieldset) return;
          var to = target.getAttribute("data-day");
          var copy = ranges.cloneNode(true);
          Array.prototype.forEach.call(copy.querySelectorAll("input"), function (input, i) {
            input.name = input.name.replace(from + "_", to + "_");
            input.value = ranges.querySelectorAll("input")[i].value;
            input.setAttribute("aria-label", input.getAttribute("aria-label").replace(/^[^,]+/, target.querySelector("label").textContent));
          });
          target.replaceChild(copy, target.querySelector(".ranges"));
          target.querySelector("input[role=switch]").checked = on;
          toggle(target);
          removeButtons(target);
        });
        var status = document.getElementById("copied");
        if (status) status.textContent = "Copied to every weekday. Save to keep it.";
      }
    });
  });
})();
