// The page's <p> says which directive blocked something (the browser reports each violation), else yes after a second.
var shown = document.querySelector('p');
document.addEventListener('securitypolicyviolation', function (e) { shown.textContent = 'csp ' + e.violatedDirective; });
setTimeout(function () { if (shown.textContent === 'no') shown.textContent = 'yes'; }, 1000);
