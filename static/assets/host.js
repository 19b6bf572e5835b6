// Progressive enhancement for hosts' pages: the browser's time zone as a default.
// Sign-in: travels as `?tz=` on the provider's link so a new host starts in their own zone.
// Profile: pre-selects it while the stored zone is still the default UTC.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  // Links, not forms: a form's redirect to the provider would break CSP `form-action 'self'`.
  Array.prototype.forEach.call(document.querySelectorAll("a.sign-in-link"), function (link) {
    link.href = link.pathname + "?tz=" + encodeURIComponent(zone);
  });
  var select = document.querySelector("select[data-browser-default]");
  if (!select) return;
  var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
  if (known) select.value = zone;
})();
