// The inbox: opening a message marks it read (POST /api/inbox/<id>/read/) on
// the way to its case; the link works without this script too.
const root = document.getElementById("inbox");

root?.addEventListener("click", async (event) => {
  const link = event.target.closest("a.text");
  const item = event.target.closest(".inbox-item");
  if (!link || !item || !item.classList.contains("unread")) return;
  event.preventDefault();
  try {
    await fetch(root.dataset.readUrl.replace(root.dataset.placeholder, item.dataset.id), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": root.dataset.csrf, Accept: "application/json" },
    });
  } finally {
    window.location.href = link.href;
  }
});
