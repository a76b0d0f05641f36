// doudi: small enhancements that the pages do not depend on. Loaded from our own origin only
// (the Content-Security-Policy forbids inline scripts).
"use strict";

// Ask before a destructive form is submitted: <form data-confirm="确定删除…？">.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm) {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }
});

// Keep the htmx-updated list's community choices in step with the township: when the township
// changes, the old community no longer applies.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.id === "township") {
    var community = document.getElementById("community");
    if (community) {
      community.value = "";
    }
  }
});
