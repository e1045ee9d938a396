// The five-star work page: apply (branch secretary), review, score, publish,
// object, resolve, award, revoke. Every action goes through the stars API; the
// page reloads on success so what it shows is what the server holds.
import { api, fill, readJson, showError, toast } from "./stars.js";

const root = document.getElementById("stars-work");
const config = readJson("stars-config");
const strings = readJson("stars-strings");
const csrf = root.dataset.csrf;

function actionUrl(id, action) {
  return config.actionUrl.replace("/0/", `/${id}/`).replace("ACTION", action);
}

function reloadAt(anchor) {
  // Keep the card in view and open after the reload.
  sessionStorage.setItem("stars-open", anchor || "");
  window.location.reload();
}

// --- client-side checks (the server checks the same and has the last word) ---

function scorePoints(form, requireAll = false) {
  const points = {};
  for (const input of form.querySelectorAll("input[name=points]")) {
    const raw = input.value.trim();
    input.classList.remove("invalid");
    if (raw === "") {
      if (!requireAll) continue;
      input.classList.add("invalid");
      input.focus();
      throw new Error(strings.unscored);
    }
    const value = Number(raw);
    const max = Number(input.dataset.max);
    const name = input.dataset.name;
    if (!Number.isFinite(value) || value < 0 || value > max) {
      input.classList.add("invalid");
      input.focus();
      throw new Error(fill(strings.range, { name, max }));
    }
    if (Math.abs(value * 10 - Math.round(value * 10)) > 1e-6) {
      input.classList.add("invalid");
      input.focus();
      throw new Error(fill(strings.decimals, { name }));
    }
    points[input.dataset.code] = value;
  }
  if (!Object.keys(points).length) throw new Error(strings.unscored);
  return points;
}

function updateTotal(form) {
  let total = 0;
  for (const input of form.querySelectorAll("input[name=points]")) {
    const value = Number(input.value);
    if (input.value.trim() !== "" && Number.isFinite(value)) total += value;
  }
  const cell = form.querySelector("[data-total]");
  if (cell) cell.textContent = (Math.round(total * 10) / 10).toString();
}

function checkApply(form) {
  const statement = form.elements.statement.value.trim();
  if (!statement) {
    form.elements.statement.focus();
    throw new Error(fill(strings.required, { field: form.elements.statement.dataset.label }));
  }
  const raw = form.elements.self_score.value.trim();
  if (raw !== "") {
    const score = Number(raw);
    if (!Number.isInteger(score) || score < 0 || score > 100) {
      form.elements.self_score.focus();
      throw new Error(strings.selfScore);
    }
  }
  const files = [...form.elements.evidence.files];
  if (files.length > config.maxFiles) throw new Error(strings.tooMany);
  for (const file of files) {
    const dot = file.name.lastIndexOf(".");
    const ext = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
    if (!config.extensions.includes(ext)) throw new Error(fill(strings.badType, { name: file.name }));
    if (file.size > config.maxBytes) throw new Error(fill(strings.tooBig, { name: file.name }));
  }
}

// --- submitting ---

async function submitApply(form) {
  showError(form, "");
  try {
    checkApply(form);
  } catch (error) {
    showError(form, error.message);
    return;
  }
  const body = new FormData(form);
  body.append("period", config.period);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const result = await api(config.applyUrl, { method: "POST", body, csrf });
    toast(root, strings.saved);
    reloadAt(`app-${result.id}`);
  } catch (error) {
    showError(form, error.message || strings.failed);
    button.disabled = false;
  }
}

async function submitAction(form, submitter) {
  const action = form.dataset.action;
  const body = {};
  let scores = null;
  showError(form, "");
  try {
    const note = form.elements.note;
    if (note) {
      body.note = note.value.trim();
      if (note.required && !body.note) {
        note.focus();
        throw new Error(strings.reason);
      }
    }
    if (action === "score") body.points = scorePoints(form);
    // Publishing saves the scores on screen first, so what is published is what the member sees.
    const scoreForm = action === "publish" ? form.closest(".app-card")?.querySelector(".score-form") : null;
    if (scoreForm) scores = scorePoints(scoreForm, true);
    if (action === "resolve") {
      body.objection = Number(form.dataset.objection);
      body.upheld = submitter?.value === "true";
    }
    if (action === "award" && !window.confirm(strings.confirmAward)) return;
    if (action === "revoke" && !window.confirm(strings.confirmRevoke)) return;
  } catch (error) {
    showError(form, error.message);
    return;
  }
  const buttons = form.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  try {
    if (scores) await api(actionUrl(form.dataset.id, "score"), { method: "POST", body: { points: scores }, csrf });
    await api(actionUrl(form.dataset.id, action), { method: "POST", body, csrf });
    toast(root, strings.saved);
    reloadAt(`app-${form.dataset.id}`);
  } catch (error) {
    showError(form, error.message || strings.failed);
    buttons.forEach((b) => { b.disabled = false; });
  }
}

root.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id === "apply-form") {
    event.preventDefault();
    submitApply(form);
  } else if (form.classList.contains("act")) {
    event.preventDefault();
    submitAction(form, event.submitter);
  }
});

root.addEventListener("input", (event) => {
  // A corrected value clears the complaint about it.
  event.target.classList.remove("invalid");
  const form = event.target.closest("form");
  if (form) showError(form, "");
  if (form?.classList.contains("score-form")) updateTotal(form);
});

const periodSelect = root.querySelector(".stars-filter select[name=period]");
periodSelect?.addEventListener("change", () => periodSelect.form.submit());

// Reopen the card just acted on.
const reopen = sessionStorage.getItem("stars-open");
if (reopen) {
  sessionStorage.removeItem("stars-open");
  const card = document.getElementById(reopen);
  if (card) {
    card.open = true;
    card.scrollIntoView({ block: "start" });
  }
}
root.dataset.ready = "1";
