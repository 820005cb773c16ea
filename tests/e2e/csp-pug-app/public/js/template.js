// Copies the row kept in the page's client-side template into the list, then clicks its button, as a user would:
// the button's inline handler runs only where the policy allows handlers.
window.addEventListener('load', function () {
  document.getElementById('rows').innerHTML = document.getElementById('row-template').innerHTML;
  document.getElementById('pick').click();
});
