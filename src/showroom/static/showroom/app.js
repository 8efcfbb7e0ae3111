/* Behaviour every page shares, bound once on the document so that rows swapped in by htmx
   get it too; the Content-Security-Policy allows no inline script or on…= attribute. */
document.addEventListener("change", function (e) {
  var t = e.target;
  if (t.matches && t.matches("[data-autosubmit]") && t.form) { t.form.submit(); }
});
document.addEventListener("click", function (e) {
  var t = e.target;
  if (!t.matches || !t.matches("input[data-check-all]")) { return; }
  document.querySelectorAll(t.dataset.checkAll).forEach(function (box) { box.checked = t.checked; });
});
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) { e.preventDefault(); }
});
