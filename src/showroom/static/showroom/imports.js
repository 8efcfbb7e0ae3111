/* The import center: a form marked data-busy says it is working while the server checks or
   imports (the import runs within the request), and cannot be sent twice. */
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (e.defaultPrevented || !form.matches || !form.matches("form[data-busy]")) { return; }
  var note = form.querySelector(".busy-note");
  if (note) { note.hidden = false; }
  form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
});
