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

// ---- Idle logout warning ----
// A session ends after <body data-idle-seconds> without a request. A few minutes before (at most
// five, at most half the time), a banner says when, and 继续使用 asks the server once, which
// keeps the session alive. Every page load and every htmx request counts as activity.
(function () {
  var idle = parseInt(document.body.dataset.idleSeconds || "", 10);
  if (!(idle > 0)) {
    return;
  }
  var lead = Math.min(300, Math.floor(idle / 2));
  var last = Date.now();
  var banner = null;
  document.addEventListener("htmx:afterRequest", function () {
    last = Date.now();
  });
  function hide() {
    if (banner) {
      banner.remove();
      banner = null;
    }
  }
  function show(text, canStay) {
    // Only the words change while the banner stands, so the button keeps its focus.
    if (banner && banner.dataset.canStay === String(canStay)) {
      document.getElementById("idle-message").textContent = text;
      return;
    }
    hide();
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "idle-warning";
      banner.className = "idle-warning";
      // A status, not an alert: its words change every second.
      banner.setAttribute("role", "status");
      banner.dataset.canStay = String(canStay);
      document.body.insertBefore(banner, document.body.firstChild);
    }
    var message = document.createElement("span");
    message.id = "idle-message";
    message.textContent = text;
    banner.appendChild(message);
    if (canStay) {
      var stay = document.createElement("button");
      stay.type = "button";
      stay.id = "idle-stay";
      stay.className = "button";
      stay.textContent = "继续使用";
      stay.addEventListener("click", function () {
        fetch("/api/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            if (response.ok) {
              last = Date.now();
              hide();
            } else {
              show("登录已失效，请重新登录；正在填写的内容已保存为草稿，登录后回到本页即可恢复。", false);
            }
          });
      });
      banner.appendChild(stay);
    }
  }
  function tick() {
    var left = Math.round(idle - (Date.now() - last) / 1000);
    if (left <= 0) {
      show("因长时间未操作，您已退出登录；正在填写的内容已保存为草稿，重新登录后回到本页即可恢复。", false);
      return;
    }
    if (left <= lead) {
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      show("您已较长时间没有操作，将在 " + (minutes > 0 ? minutes + " 分 " : "") + seconds +
        " 秒后自动退出登录。", true);
    } else {
      hide();
    }
  }
  window.setInterval(tick, 1000);
})();

// ---- Drafts ----
// What is typed into a <form data-draft> is kept in this tab's sessionStorage (never on disk
// past the tab, and without passwords or files) until the form has gone through: a session that
// ended, a closed laptop lid or a wrong click on the menu loses nothing. Coming back to the
// page restores it, with a notice and a way to throw it away. Logging out throws every draft
// away.
(function () {
  var PREFIX = "doudi-draft:";
  var SUBMITTED = "doudi-draft-submitted";
  var store;
  try {
    store = window.sessionStorage;
  } catch (e) {
    return;
  }
  if (!store) {
    return;
  }
  function keyOf(form) {
    return PREFIX + location.pathname + "|" + (form.getAttribute("action") || "");
  }
  function kept(element) {
    var type = (element.type || "").toLowerCase();
    return element.name && element.name !== "_csrf" && element.name !== "version" &&
      type !== "password" && type !== "file" && type !== "hidden" && type !== "submit" &&
      type !== "button";
  }
  function versionOf(form) {
    var version = form.elements.namedItem("version");
    return version && version.value !== undefined ? version.value : null;
  }
  function notify(form, id, text) {
    var notice = document.createElement("div");
    notice.className = "alert alert-info draft-notice";
    notice.id = id;
    notice.setAttribute("role", "status");
    notice.textContent = text;
    form.parentNode.insertBefore(notice, form);
    return notice;
  }
  function save(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) {
        return;
      }
      var type = (element.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        fields.push([element.name, element.value, element.checked]);
      } else if (element instanceof HTMLSelectElement && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          fields.push([element.name, option.value, option.selected]);
        });
      } else {
        fields.push([element.name, element.value, null]);
      }
    });
    store.setItem(keyOf(form), JSON.stringify({
      saved: Date.now(), version: versionOf(form), fields: fields
    }));
  }
  function restore(form, draft) {
    // A draft of a record that has changed since would quietly undo someone's change.
    if (draft.version !== versionOf(form)) {
      store.removeItem(keyOf(form));
      notify(form, "draft-stale", "您未提交的草稿保存后，这份档案已被修改，草稿已作废；请按最新内容重新填写。");
      return;
    }
    var byName = {};
    draft.fields.forEach(function (f) {
      (byName[f[0]] = byName[f[0]] || []).push(f);
    });
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element) || !byName[element.name]) {
        return;
      }
      var type = (element.type || "").toLowerCase();
      var entries = byName[element.name];
      if (type === "checkbox" || type === "radio") {
        entries.forEach(function (f) {
          if (f[1] === element.value) {
            element.checked = f[2];
          }
        });
      } else if (element instanceof HTMLSelectElement && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          entries.forEach(function (f) {
            if (f[1] === option.value) {
              option.selected = f[2];
            }
          });
        });
      } else {
        var entry = entries.shift();
        if (entry) {
          element.value = entry[1];
        }
      }
    });
    var when = new Date(draft.saved);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var notice = notify(form, "draft-restored", "已恢复您 " + pad(when.getHours()) + ":" +
      pad(when.getMinutes()) + " 未提交的草稿，请核对后提交。");
    var discard = document.createElement("button");
    discard.type = "button";
    discard.id = "draft-discard";
    discard.className = "button secondary";
    discard.textContent = "放弃草稿";
    discard.addEventListener("click", function () {
      store.removeItem(keyOf(form));
      location.reload();
    });
    notice.appendChild(discard);
  }
  // A form submitted on the previous page went through unless this page is the log-in page
  // (the session had ended) or the same form again (the server showed what was wrong, with
  // what was typed kept).
  var submitted = store.getItem(SUBMITTED);
  if (submitted) {
    store.removeItem(SUBMITTED);
    var again = document.querySelector("form[data-draft]");
    var loginPage = location.pathname === "/login";
    if (!loginPage && !(again && keyOf(again) === submitted)) {
      store.removeItem(submitted);
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
    var raw = store.getItem(keyOf(form));
    // A page that shows what was wrong already holds what was typed: the server's is newer.
    var hasErrors = document.querySelector(".alert-error") !== null;
    if (raw && !hasErrors) {
      try {
        restore(form, JSON.parse(raw));
      } catch (e) {
        store.removeItem(keyOf(form));
      }
    }
    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function () { save(form); });
    form.addEventListener("submit", function () {
      save(form);
      store.setItem(SUBMITTED, keyOf(form));
    });
  });
  // Logging out throws away every draft of this tab.
  Array.prototype.forEach.call(document.querySelectorAll("form[action^='/logout']"), function (form) {
    form.addEventListener("submit", function () {
      for (var i = store.length - 1; i >= 0; i--) {
        var key = store.key(i);
        if (key && key.indexOf(PREFIX) === 0) {
          store.removeItem(key);
        }
      }
    });
  });
})();

// A button that prints the page: <button data-print>.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof HTMLElement && target.hasAttribute("data-print")) {
    window.print();
  }
});

// ---- The main menu's groups ----
// Each group is a <details> that works without this; with it, opening one closes the others,
// and a click elsewhere or Escape closes them all.
(function () {
  function groups() {
    return document.querySelectorAll("details.navgroup");
  }
  function closeAll(except) {
    groups().forEach(function (group) {
      if (group !== except) {
        group.removeAttribute("open");
      }
    });
  }
  document.addEventListener("toggle", function (event) {
    var target = event.target;
    if (target instanceof HTMLDetailsElement && target.classList.contains("navgroup") && target.open) {
      closeAll(target);
    }
  }, true);
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || !target.closest("details.navgroup")) {
      closeAll(null);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeAll(null);
    }
  });
})();
