/* The phone's menu button: opens and closes the main navigation (the CSS hides it on narrow
   screens and shows the button). No inline script: the Content-Security-Policy forbids it. */
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest(".menu-toggle");
  if (!button) { return; }
  var nav = document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) { return; }
  var open = nav.classList.toggle("open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});
