// TaskQueue dashboard: live updates and confirmations. Served from the assembly; no inline script is allowed.
// Every few seconds the page asks the server for its live region again (the same URL, with a header)
// and swaps it in, unless the reader is typing or selecting in it. Nothing is pushed; no other service.
(() => {
  "use strict";
  const main = document.getElementById("content");
  const status = document.getElementById("live");
  const interval = Number(document.body.dataset.poll || 0);

  // Buttons that destroy or change much ask first.
  document.addEventListener("submit", event => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  if (!main || !(interval > 0)) return;
  let busy = false;

  const interacting = () => {
    const active = document.activeElement;
    if (active && active !== document.body && main.contains(active) && active.matches("input, textarea, select")) return true;
    const selection = window.getSelection();
    return selection !== null && !selection.isCollapsed && main.contains(selection.anchorNode);
  };

  const show = (text, stale) => {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("stale", stale);
  };

  const refresh = async () => {
    if (busy || document.hidden || interacting()) return;
    busy = true;
    try {
      const response = await fetch(location.href, { headers: { "X-TaskQueue-Live": "1" }, credentials: "same-origin", cache: "no-store", redirect: "error" });
      if (!response.ok) {
        show("not updated: " + response.status, true);
        return;
      }
      const html = await response.text();
      if (interacting()) return;
      const open = Array.from(main.querySelectorAll("details[open][id]"), d => d.id);
      main.innerHTML = html;
      for (const id of open) {
        const details = document.getElementById(id);
        if (details instanceof HTMLDetailsElement) details.open = true;
      }
      show("live · " + new Date().toLocaleTimeString(), false);
    } catch {
      // Offline, or sent elsewhere (a sign-in page): fetch does not follow redirects here.
      show("not updated", true);
    } finally {
      busy = false;
    }
  };

  show("live", false);
  window.setInterval(refresh, interval);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
})();
