document.getElementById('box').innerHTML = '<embed id="doc-view" type="text/html">';
var view = document.getElementById('doc-view');
view.src = URL.createObjectURL(new Blob(['<p>invoice</p>'], { type: 'text/html' }));
