// The buy form's error summary: a link moves focus to its field with the field's label in view.
// Without this, browsers only scroll to the field, leave focus on the link and hide the label above the edge.
(() => {
  document.addEventListener("click", (event) => {
    const link = event.target.closest(".error-summary a[href^='#']");
    const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    const label = document.querySelector(`label[for="${field.id}"]`);
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
