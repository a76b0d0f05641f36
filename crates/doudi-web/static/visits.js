// doudi: the visit form on a phone with a weak connection (3.3). What is typed is kept in
// localStorage as a draft (restored on reload); a visit submitted while the network is down is
// queued there and sent when the browser says it is back online. The server keeps each draft id
// once, so a visit sent twice is recorded once. Without this script the form posts as usual.
"use strict";

(function () {
  var queueKey = "doudi-visit-queue";
  var store;
  try {
    store = window.localStorage;
  } catch (e) {
    return;
  }
  var form = document.getElementById("form-visit");
  var status = document.getElementById("visit-status");
  var household = form ? form.dataset.household : null;
  var draftKey = function (id) { return "doudi-visit-draft-" + id; };

  function say(text) {
    if (status) {
      status.textContent = text;
      status.hidden = false;
    }
  }

  function fields() {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit") {
        return;
      }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) {
        return;
      }
      out.push([el.name, el.value]);
    });
    return out;
  }

  function saveDraft() {
    var kept = fields().filter(function (p) { return p[0] !== "_csrf"; });
    try {
      store.setItem(draftKey(household), JSON.stringify(kept));
    } catch (e) { /* full or forbidden: the form still posts */ }
  }

  function restoreDraft() {
    var raw = store.getItem(draftKey(household));
    if (!raw) {
      return;
    }
    var kept;
    try {
      kept = JSON.parse(raw);
    } catch (e) {
      return;
    }
    var needs = kept.filter(function (p) { return p[0] === "needs"; }).map(function (p) { return p[1]; });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name === "needs") {
        el.checked = needs.indexOf(el.value) >= 0;
        return;
      }
      if (!el.name || el.name === "_csrf" || el.type === "file" || el.type === "submit") {
        return;
      }
      var found = kept.filter(function (p) { return p[0] === el.name; })[0];
      if (found) {
        el.value = found[1];
      }
    });
  }

  function freshDraftId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function queue() {
    try {
      return JSON.parse(store.getItem(queueKey) || "[]");
    } catch (e) {
      return [];
    }
  }

  function setQueue(list) {
    store.setItem(queueKey, JSON.stringify(list));
  }

  function enqueue() {
    var list = queue();
    list.push({ action: form.action, household: household, fields: fields() });
    setQueue(list);
    store.removeItem(draftKey(household));
    form.reset();
    var id = document.getElementById("visit-draft-id");
    if (id) {
      id.value = freshDraftId();
    }
    say("已保存草稿，联网后自动提交");
  }

  // The form's fields, with this page's CSRF token (the session's, which may be newer than
  // the one the draft was typed under).
  function body(pairs) {
    var current = document.querySelector("input[name=_csrf]");
    var params = new URLSearchParams();
    pairs.forEach(function (p) {
      params.append(p[0], p[0] === "_csrf" && current ? current.value : p[1]);
    });
    return params;
  }

  // Whether an answer means the session is gone (sent to the login page): keep the draft.
  function loggedOut(response) {
    return response.url.indexOf("/login") >= 0 || response.status === 401 || response.status === 403;
  }

  var sending = false;
  function flush() {
    var list = queue();
    if (sending || list.length === 0) {
      return;
    }
    sending = true;
    var item = list[0];
    window.fetch(item.action, { method: "POST", body: body(item.fields), credentials: "same-origin" })
      .then(function (response) {
        sending = false;
        if (loggedOut(response)) {
          say("登录已过期：草稿仍保存在本机，请重新登录，之后打开任一页面即自动提交");
          return;
        }
        var rest = queue().slice(1);
        setQueue(rest);
        if (response.ok) {
          say(rest.length ? "已提交，还有" + rest.length + "条草稿待提交" : "已提交");
        } else {
          // Refused (a field to correct): put it back as the household's form draft.
          if (item.household) {
            store.setItem(draftKey(item.household), JSON.stringify(item.fields.filter(function (p) { return p[0] !== "_csrf"; })));
          }
          say("有一条草稿未能提交，已放回该户的走访表单，请修改后重新提交");
        }
        flush();
      }, function () {
        sending = false;
        say("已保存草稿，联网后自动提交");
      });
  }

  window.addEventListener("online", flush);
  if (navigator.onLine !== false) {
    flush();
  }
  if (!form) {
    return;
  }
  restoreDraft();
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (navigator.onLine === false) {
      enqueue();
      return;
    }
    var data = new FormData(form);
    window.fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (response.ok && !loggedOut(response)) {
          store.removeItem(draftKey(household));
          say("已提交");
          window.location.assign(response.url);
        } else {
          // Refused (a field to correct, or the session is gone): post the form itself, which
          // shows why. The same draft id keeps it from being recorded twice.
          form.submit();
        }
      }, function () {
        enqueue();
      });
  });
})();
