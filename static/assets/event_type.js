// Progressive enhancement of the event type form: the summary line follows what the host
// picks, worded as src/core/event_summary.rs words it on the server (which renders it first).
(function () {
  "use strict";
  var form = document.querySelector("form.event-type-form");
  var out = document.getElementById("summary-text");
  if (!form || !out) return;
  function num(name) {
    var el = form.elements[name];
    var v = el && el.value !== undefined ? String(el.value).trim() : "";
    return /^\d+$/.test(v) ? parseInt(v, 10) : null;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function span(m) {
    if (m >= 1440 && m % 1440 === 0) return plural(m / 1440, "day", "days");
    if (m >= 60 && m % 60 === 0) return plural(m / 60, "hour", "hours");
    return m + " min";
  }
  function notice(m) {
    if (m === 0) return "no notice needed";
    var t = span(m);
    return "at least " + t + (/ min$/.test(t) ? " notice" : /s$/.test(t) ? "' notice" : "'s notice");
  }
  function update() {
    var parts = [];
    var other = (form.elements.duration_other.value || "").trim();
    var picked = form.querySelector("input[name=duration_minutes]:checked");
    var d = /^\d+$/.test(other) ? parseInt(other, 10) : picked ? parseInt(picked.value, 10) : null;
    var all = d === null ? [] : [d];
    Array.prototype.forEach.call(form.querySelectorAll("input[name=other_durations]:checked"), function (c) {
      var m = parseInt(c.value, 10);
      if (m > 0 && all.indexOf(m) < 0) all.push(m);
    });
    all.sort(function (a, b) { return a - b; });
    if (all.length) {
      var last = all.pop();
      parts.push(all.length ? all.join(", ") + " or " + last + " min" : last + " min");
    }
    var every = num("interval_minutes");
    if (every) parts.push("every " + every + " min");
    else if (d) parts.push("every " + d + " min");
    var n = num("minimum_notice_minutes");
    if (n !== null) parts.push(notice(n));
    var w = num("booking_window_days");
    if (w !== null) parts.push("up to " + plural(w, "day", "days") + " ahead");
    var before = num("buffer_before_minutes") || 0, after = num("buffer_after_minutes") || 0;
    if (before && after) parts.push(span(before) + " free before and " + span(after) + " after");
    else if (after) parts.push(span(after) + " free after");
    else if (before) parts.push(span(before) + " free before");
    var max = num("max_per_day");
    if (max !== null) parts.push("at most " + plural(max, "meeting", "meetings") + " a day");
    var text = parts.join(", ");
    if (out.textContent !== text) out.textContent = text;
  }
  // "input" only: a "change" on leaving a text field would rewrite the line while the
  // pointer is on the Save button, and Chromium then drops that click.
  form.addEventListener("input", update);
  // A question row shows options only for a choice and bounds only for a number; without
  // script every field shows and the server refuses what does not fit the kind.
  function fit(select) {
    var row = select.closest(".question-row"), kind = select.value;
    var shown = { choice: /^(radio|select|multiple_choice)$/.test(kind), number: kind === "number" };
    row.querySelectorAll("[data-for]").forEach(function (field) {
      var filled = field.querySelector("input, textarea").value.trim() !== "";
      field.hidden = !shown[field.getAttribute("data-for")] && !filled;
    });
  }
  form.querySelectorAll(".question-row select[name$=_kind]").forEach(function (select) {
    fit(select);
    select.addEventListener("change", function () { fit(select); });
  });
})();
