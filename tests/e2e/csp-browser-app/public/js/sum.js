// Adds up in a worker built from a string (no worker file to serve).
const source = 'onmessage = (e) => postMessage(e.data.reduce((a, b) => a + b, 0));';
const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
try {
  const worker = new Worker(url);
  let answered = false;
  worker.onmessage = (e) => {
    answered = true;
    document.getElementById('worker').textContent = e.data === 6 ? 'yes' : String(e.data);
  };
  worker.postMessage([1, 2, 3]);
  // A worker runs in real time, which a headless browser's virtual time does not wait for; virtual time does wait
  // while a request is under way, so the page asks its own server again until the worker has answered.
  (async () => {
    for (let i = 0; i < 1000 && !answered; i += 1) {
      await (await fetch('/js/sum.js', { cache: 'no-store' })).text();
    }
  })();
} catch (e) {
  document.getElementById('worker').textContent = 'blocked';
}
