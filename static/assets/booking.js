// Progressive enhancement for the booking page; without JavaScript it works the same.
// 1. Shows times in the visitor's own time zone (detected once, when the link has no tz).
// 2. Picking a zone from the searchable list shows its times at once.
// 3. In an embedding iframe, tells the parent page (embed.js) how tall the page is.
// 4. Sends the booking form once: a second send (a double click) could only be told "already
//    booked", since a repeated request never gets the booking's private link.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var input = document.getElementById("tz");
  var list = document.getElementById("zones");
  function known(zone) {
    return !!list && Array.prototype.some.call(list.options, function (o) { return o.value === zone; });
  }
  if (!params.has("tz") && input) {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
    if (zone && input.getAttribute("data-current") !== zone && known(zone)) {
      params.set("tz", zone);
      params.delete("date");
      params.delete("slot");
      window.location.replace(window.location.pathname + "?" + params.toString());
      return;
    }
  }
  if (input && input.form) {
    input.addEventListener("change", function () {
      if (known(input.value) && input.value !== input.getAttribute("data-current")) input.form.submit();
    });
  }
  var booking = document.querySelector("form[method=post]");
  if (booking) {
    booking.addEventListener("submit", function (event) {
      if (booking.getAttribute("data-sent")) event.preventDefault();
      booking.setAttribute("data-sent", "1");
    });
  }
  if (window.parent !== window) {
    var send = function () {
      window.parent.postMessage({ openslot: "height", height: document.documentElement.scrollHeight }, "*");
    };
    window.addEventListener("load", send);
    window.addEventListener("resize", send);
  }
})();
