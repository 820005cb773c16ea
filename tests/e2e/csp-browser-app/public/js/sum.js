// Adds up in a worker built from a string (no worker file to serve).
const source = 'onmessage = (e) => postMessage(e.data.reduce((a, b) => a + b, 0));';
const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
try {
  const worker = new Worker(url);
  worker.onmessage = (e) => {
    document.getElementById('worker').textContent = e.data === 6 ? 'yes' : String(e.data);
  };
  worker.postMessage([1, 2, 3]);
} catch (e) {
  document.getElementById('worker').textContent = 'blocked';
}
