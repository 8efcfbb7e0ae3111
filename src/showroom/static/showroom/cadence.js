/* The next follow-up follows the grade's cadence until the user picks a date. */
document.addEventListener("change", function (e) {
  var t = e.target, form = t.form;
  if (!form) return;
  var next = form.querySelector('input[name$="next_date"]');
  if (!next) return;
  if (t === next) { next.dataset.touched = "1"; return; }
  var grade = form.querySelector("select[data-cadence]");
  var day = form.querySelector('input[name$="-date"]:not([name$="next_date"])');
  if ((t !== grade && t !== day) || next.dataset.touched || !grade || !day || !day.value) return;
  var days = JSON.parse(grade.dataset.cadence)[grade.value];
  if (days === undefined) return;
  var d = new Date(day.value + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + days);
  next.value = d.toISOString().slice(0, 10);
});
