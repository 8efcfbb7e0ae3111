/* The phone's menu button: opens and closes the main navigation (the CSS hides it on narrow
   screens and shows the button). The bar's menus open on hover and keyboard focus by CSS
   alone; a click (a touch screen) opens one and closes the others, a click elsewhere or
   Escape closes them. No inline script: the Content-Security-Policy forbids it. */
function closeMenus(except) {
  document.querySelectorAll(".nav-menu.open").forEach(function (menu) {
    if (menu === except) { return; }
    menu.classList.remove("open");
    var label = menu.querySelector(".nav-menu-label");
    if (label) { label.setAttribute("aria-expanded", "false"); }
  });
}
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest(".menu-toggle");
  if (button) {
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) { return; }
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
    return;
  }
  var label = e.target.closest && e.target.closest(".nav-menu-label");
  var menu = label && label.parentElement;
  closeMenus(menu);
  if (menu) {
    var opened = menu.classList.toggle("open");
    label.setAttribute("aria-expanded", opened ? "true" : "false");
  }
});
document.addEventListener("keydown", function (e) {
  if (e.key !== "Escape") { return; }
  var open = document.querySelector(".nav-menu.open");
  closeMenus(null);
  if (open) { open.querySelector(".nav-menu-label").focus(); }
});
