// A tiny template engine of the kind older front ends carry: it compiles templates with new Function.
function compile(template) {
  return new Function('data', 'return `' + template + '`;');
}

try {
  document.getElementById('function').textContent = compile('${data.answer}')({ answer: 'yes' });
} catch (e) {
  document.getElementById('function').textContent = 'blocked';
}

function markTimer() {
  document.getElementById('timer').textContent = 'yes';
}
setTimeout('markTimer()', 10);
