// The print view's "Afdrukken" button: shown only when scripts run; without them the page says
// to use the browser's print command.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
