// Offer banners: dismissal is remembered in this browser only (localStorage, nothing sent to the server).
// The dialog placement is an inline card in the HTML; here it becomes a modal <dialog>.
(() => {
  const PREFIX = "offer-banner-dismissed:";
  const remembered = (key) => { try { return localStorage.getItem(PREFIX + key) === "1"; } catch { return false; } };
  const remember = (key) => { try { localStorage.setItem(PREFIX + key, "1"); } catch { /* private mode */ } };

  function openAsDialog(card, key, close) {
    const dialog = document.createElement("dialog");
    dialog.className = card.className;
    dialog.setAttribute("aria-labelledby", card.getAttribute("aria-labelledby"));
    dialog.append(...card.childNodes);
    card.replaceWith(dialog);
    const returnFocusTo = document.activeElement;
    close.hidden = false;
    close.addEventListener("click", () => dialog.close());
    // Esc fires "cancel" then "close"; both ways out are remembered and give focus back.
    dialog.addEventListener("close", () => {
      remember(key);
      dialog.remove();
      if (returnFocusTo && typeof returnFocusTo.focus === "function") returnFocusTo.focus();
    });
    dialog.showModal();
    close.focus();
  }

  function init() {
    document.querySelectorAll("[data-offer-banner]:not([data-ready])").forEach((card) => {
      card.setAttribute("data-ready", "");
      const key = card.getAttribute("data-offer-banner");
      const close = card.querySelector("[data-offer-banner-dismiss]");
      if (remembered(key)) { card.hidden = true; return; }
      if (!close) return;
      if (card.hasAttribute("data-offer-banner-dialog") && typeof HTMLDialogElement === "function") {
        openAsDialog(card, key, close);
        return;
      }
      close.hidden = false;
      close.addEventListener("click", () => { remember(key); card.hidden = true; });
    });
  }

  init();
})();
