/* The phone's menu button: opens and closes the main navigation (the CSS hides it on narrow
   screens and shows the button). The bar's menus: a click (or Enter) on a menu's name opens
   it and closes the others; a click elsewhere, Escape or moving the focus out closes it.
   Without this script the CSS opens them on hover and keyboard focus instead. No inline
   script: the Content-Security-Policy forbids it. */
document.documentElement.classList.add("js-menus");

function closeMenus(except) {
  document.querySelectorAll(".nav-menu.open").forEach(function (menu) {
    if (menu === except) { return; }
    menu.classList.remove("open");
    menu.querySelector(".nav-menu-label").setAttribute("aria-expanded", "false");
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
  var menu = label ? label.parentElement : null;
  closeMenus(menu);
  if (menu) {
    var opened = menu.classList.toggle("open");
    label.setAttribute("aria-expanded", opened ? "true" : "false");
  }
});
document.addEventListener("keydown", function (e) {
  if (e.key !== "Escape") { return; }
  var open = document.querySelector(".nav-menu.open");
  if (!open) { return; }
  closeMenus(null);
  open.querySelector(".nav-menu-label").focus();
});
document.addEventListener("focusin", function (e) {
  closeMenus(e.target.closest ? e.target.closest(".nav-menu") : null);
});
