// Bootstrap classes for the widgets Django renders plain, on every form marked data-bs-controls ("" or "sm").
// A static file rather than an inline script, so the pages keep working under a nonce-based Content-Security-Policy.
document.querySelectorAll("form[data-bs-controls]").forEach((form) => {
  const small = form.dataset.bsControls === "sm";
  const fields = form.querySelectorAll(
    "input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, textarea"
  );
  fields.forEach((field) => {
    const base = field.tagName === "SELECT" ? "form-select" : "form-control";
    field.classList.add(base);
    if (small) field.classList.add(`${base}-sm`);
  });
});
