/* The import center: a form marked data-busy says it is working while the files upload or the
   import starts (the page then follows the job's progress), and cannot be sent twice. */
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (e.defaultPrevented || !form.matches || !form.matches("form[data-busy]")) { return; }
  var note = form.querySelector(".busy-note");
  if (note) { note.hidden = false; }
  form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
});
