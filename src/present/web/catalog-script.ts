// The catalog form's script: as a person types, the form is posted (with its
// CSRF token, like the button does) and the answer's messages and preview are
// put in place, field by field, without touching what is being typed. The
// server checks with Baryon's own validator, so the browser never says it
// differently (and the console's CSP allows no eval, which compiled Ajv needs).
// Without JavaScript, the Preview button does the same.
export const CATALOG_SCRIPT_PATH = "/assets/catalog.js";

export const CATALOG_SCRIPT = `"use strict";
(() => {
  const form = document.querySelector("form[data-catalog]");
  if (!form) return;
  let timer;
  let asked = 0;
  const check = async () => {
    const mine = ++asked;
    const response = await fetch(form.action, { method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)) });
    if (mine !== asked || (response.status !== 200 && response.status !== 422)) return;
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const input of form.querySelectorAll("input[id], select[id]")) {
      const error = next.getElementById("e-" + input.id);
      const shown = document.getElementById("e-" + input.id);
      if (shown) shown.remove();
      const hint = document.getElementById("h-" + input.id);
      if (error) {
        (hint ?? input).after(document.adoptNode(error));
        input.setAttribute("aria-invalid", "true");
      } else input.removeAttribute("aria-invalid");
      const described = [hint ? hint.id : "", error ? error.id : ""].filter(Boolean).join(" ");
      if (described) input.setAttribute("aria-describedby", described); else input.removeAttribute("aria-describedby");
    }
    for (const selector of ["#answer", "#preview-section"]) {
      const now = document.querySelector(selector);
      const then = next.querySelector(selector);
      if (now && then) now.replaceWith(document.adoptNode(then));
    }
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void check().catch(() => undefined), 400);
  });
})();
`;
