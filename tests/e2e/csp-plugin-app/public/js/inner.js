var box = document.body.appendChild(document.createElement('div'));
box.innerHTML = '<embed id="doc-view" type="text/html">';
var view = document.getElementById('doc-view');
view.src = URL.createObjectURL(new Blob(['<p>invoice</p>'], { type: 'text/html' }));
