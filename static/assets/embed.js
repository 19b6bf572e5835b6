// Openslot embed script: put a booking page on another site (listed in EMBED_ALLOWED_ORIGINS).
//   Inline:  <div data-openslot-inline="https://book.example.com/dana/intro-call"></div>
//   Pop-up:  <a href="https://book.example.com/dana/intro-call" data-openslot-popup>Book a call</a>
//   then:    <script src="https://book.example.com/assets/embed.js" async></script>
// Only pages of the Openslot that serves this script are framed. No cookies, no tracking.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;
  function ours(url) {
    try { return new URL(url, window.location.href).origin === origin; } catch (e) { return false; }
  }
  function frame(url, title) {
    var f = document.createElement("iframe");
    f.src = url;
    f.title = title || "Book a time";
    f.style.cssText = "width:100%;height:760px;border:0;display:block;background:#fff";
    return f;
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-openslot-inline]"), function (el) {
    var url = el.getAttribute("data-openslot-inline");
    if (ours(url)) el.appendChild(frame(url, el.getAttribute("data-openslot-title")));
  });
  function close(overlay, opener) {
    overlay.remove();
    document.removeEventListener("keydown", overlay._onKey);
    if (opener) opener.focus();
  }
  function popup(url, opener) {
    var overlay = document.createElement("div");
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-label", opener.textContent || "Book a time");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.55);" +
      "display:flex;align-items:center;justify-content:center;padding:1rem";
    var box = document.createElement("div");
    box.style.cssText = "position:relative;width:100%;max-width:56rem;height:90vh;background:#fff;border-radius:8px;overflow:hidden";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "×";
    button.setAttribute("aria-label", "Close");
    button.style.cssText = "position:absolute;top:.25rem;right:.5rem;font-size:1.75rem;border:0;background:none;cursor:pointer;color:#1d2330";
    var f = frame(url, opener.textContent);
    f.style.height = "100%";
    box.appendChild(f);
    box.appendChild(button);
    overlay.appendChild(box);
    button.addEventListener("click", function () { close(overlay, opener); });
    overlay.addEventListener("click", function (e) { if (e.target === overlay) close(overlay, opener); });
    overlay._onKey = function (e) { if (e.key === "Escape") close(overlay, opener); };
    document.addEventListener("keydown", overlay._onKey);
    document.body.appendChild(overlay);
    button.focus();
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("[data-openslot-popup]");
    if (!link || !ours(link.href)) return;
    e.preventDefault();
    popup(link.href, link);
  });
  // The booking page reports its height so an inline frame needs no scroll bar.
  window.addEventListener("message", function (e) {
    if (e.origin !== origin || !e.data || e.data.openslot !== "height") return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-openslot-inline] iframe"), function (f) {
      if (f.contentWindow === e.source) f.style.height = Math.min(Math.max(+e.data.height || 0, 300), 4000) + "px";
    });
  });
})();
