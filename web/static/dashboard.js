// The staff dashboard updates itself: every few seconds it asks for its figures' fragment
// with the ETag of the copy it shows; the server answers 304 when nothing was answered
// since, or the new fragment, which replaces the old one. No framework, nothing else.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch) { return; }
  var url = live.getAttribute("data-live");
  var tag = live.getAttribute("data-tag");
  var EVERY_MS = 2500;

  function poll() {
    if (document.hidden) { return schedule(); }
    var headers = tag ? { "If-None-Match": tag } : {};
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-cache" })
      .then(function (response) {
        if (response.status === 200) {
          var fresh = response.headers.get("ETag");
          return response.text().then(function (html) {
            live.innerHTML = html;
            tag = fresh;
          });
        }
        return null;
      })
      .catch(function () { return null; })  // offline for a moment: try again later
      .then(schedule);
  }

  function schedule() { window.setTimeout(poll, EVERY_MS); }

  schedule();
}());
