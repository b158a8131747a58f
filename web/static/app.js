/* Chi bộ bot, the dashboard: reads Telegram's launch data, fetches the server's
   HTML fragments with it, and follows the links inside them (#/view?params).
   Telegram passes the launch data in the address's fragment (#tgWebAppData=…); it is
   kept in sessionStorage, as Telegram's own script does, so navigation keeps it. */
(function () {
  "use strict";
  var KEY = "chibo.launch";
  var view = document.getElementById("view");
  var launch = readLaunch();

  function readLaunch() {
    var params = new URLSearchParams(location.hash.slice(1));
    if (params.has("tgWebAppData")) {
      var found = { data: params.get("tgWebAppData"), theme: params.get("tgWebAppThemeParams") || "" };
      try { sessionStorage.setItem(KEY, JSON.stringify(found)); } catch (e) { /* private mode */ }
      // A button may open the app on one unit (?scope=C2, from /cluster).
      var scope = new URLSearchParams(location.search).get("scope");
      var start = "#/home" + (scope ? "?scope=" + encodeURIComponent(scope) : "");
      history.replaceState(null, "", location.pathname + location.search + start);
      return found;
    }
    try { return JSON.parse(sessionStorage.getItem(KEY)) || { data: "" }; } catch (e) { return { data: "" }; }
  }

  function applyTheme(json) {
    var names = { bg_color: "--tg-bg", text_color: "--tg-fg", hint_color: "--tg-hint",
      link_color: "--tg-link", secondary_bg_color: "--tg-bg2", button_color: "--tg-btn",
      button_text_color: "--tg-btn-fg" };
    var theme;
    try { theme = JSON.parse(json); } catch (e) { return; }
    Object.keys(names).forEach(function (key) {
      if (/^#[0-9a-fA-F]{3,8}$/.test(theme[key] || "")) {
        document.documentElement.style.setProperty(names[key], theme[key]);
      }
    });
  }

  function postEvent(type, data) {
    var body = JSON.stringify(data || {});
    try {
      if (window.TelegramWebviewProxy) { window.TelegramWebviewProxy.postEvent(type, body); }
      else if (window.external && "notify" in window.external) {
        window.external.notify(JSON.stringify({ eventType: type, eventData: data || {} }));
      } else if (window.parent !== window) {
        window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), "*");
      }
    } catch (e) { /* not inside Telegram */ }
  }

  function request(path, options) {
    options = options || {};
    options.headers = { Authorization: "tma " + (launch.data || "") };
    return fetch("api/" + path, options).then(function (r) { return r.text(); });
  }

  function lazy(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-load]"), function (el) {
      request(el.getAttribute("data-load")).then(function (html) { el.innerHTML = html; });
    });
  }

  var shown = 0; // the latest navigation: an older answer arriving late is dropped

  function route() {
    var mine = ++shown;
    var wanted = location.hash;
    var hash = wanted.replace(/^#\/?/, "");
    var q = hash.indexOf("?");
    var name = (q < 0 ? hash : hash.slice(0, q)) || "home";
    var query = q < 0 ? "" : hash.slice(q + 1);
    if (!/^[a-z]+$/.test(name)) { name = "home"; }
    view.setAttribute("aria-busy", "true");
    request(name + (query ? "?" + query : "")).then(function (html) {
      if (mine !== shown) { return; }
      view.innerHTML = html;
      view.setAttribute("data-shown", wanted);
      view.removeAttribute("aria-busy");
      // The latest months are on the right: show them first on a narrow screen.
      Array.prototype.forEach.call(view.querySelectorAll(".scroll"), function (el) {
        el.scrollLeft = el.scrollWidth;
      });
      lazy(view);
    }, function () {
      if (mine === shown) { view.removeAttribute("aria-busy"); }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.getAttribute("data-route")) { return; }
    event.preventDefault();
    var params = new URLSearchParams(new FormData(form));
    location.hash = "#/" + form.getAttribute("data-route") + "?" + params.toString();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-send]") : null;
    if (!button) { return; }
    var out = document.querySelector("[data-result]");
    button.disabled = true;
    var query = "send?kind=" + encodeURIComponent(button.getAttribute("data-send")) +
      "&scope=" + encodeURIComponent(button.getAttribute("data-scope"));
    request(query, { method: "POST" }).then(function (html) {
      if (out) { out.innerHTML = html; }
      button.disabled = false;
    }, function () { button.disabled = false; });
  });

  applyTheme(launch.theme || "");
  window.addEventListener("hashchange", route);
  postEvent("web_app_ready");
  postEvent("web_app_expand");
  route();
})();
