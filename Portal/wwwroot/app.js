window.portal = {
  // For a control a re-render re-created: found by a data-focus-key the page gave it.
  focusByKey: function (key) {
    for (const element of document.querySelectorAll("[data-focus-key]")) {
      if (element.getAttribute("data-focus-key") === key) {
        const target = element.matches("input, button, select, textarea, [tabindex]") ? element : element.querySelector("input, button");
        if (target) { target.focus(); }
        return;
      }
    }
  },
  // The Clipboard API needs a secure context; over plain http the portal falls back to a hidden textarea.
  copyText: async function (text) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch (e) { /* fall through to the fallback */ }
    // Selecting the textarea takes the focus; it goes back to the copy button, where a keyboard user left it.
    const focused = document.activeElement;
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    document.body.removeChild(area);
    if (focused instanceof HTMLElement) { focused.focus(); }
    return copied;
  }
};
