// Shared by every page: messages, the API with the session's CSRF token, safe elements.
"use strict";

window.jisik = (function () {
  const messages = JSON.parse(document.getElementById("messages").textContent);
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : "";

  function t(key, values) {
    return (messages[key] || key).replace(/\{(\w+)\}/g, (_, name) =>
      values && name in values ? values[name] : "",
    );
  }

  async function problem(response) {
    try {
      const body = await response.json();
      return body.detail || body.title || String(response.status);
    } catch (_) {
      return String(response.status);
    }
  }

  // fetch on /v1 as the signed-in user; a change carries the CSRF token.
  async function api(path, options = {}) {
    const headers = { Accept: "application/json", ...(options.headers || {}) };
    let body = options.body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = csrf;
    const response = await fetch(path, { ...options, headers, body, credentials: "same-origin" });
    if (response.status === 401) {
      window.location.assign("/login");
      throw new Error("signed out");
    }
    if (!response.ok) throw new Error(await problem(response));
    return response;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(label, onClick, className) {
    const node = element("button", className || "", label);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  return { t, api, element, button, csrf, problem };
})();
