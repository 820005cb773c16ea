var pdf = new Blob(['%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj trailer<</Root 1 0 R>>\n%%EOF'], { type: 'application/pdf' });
var made = document.createElement('embed');
made.type = 'application/pdf';
made.src = URL.createObjectURL(pdf);
document.getElementById('box').appendChild(made);
var obj = document.createElement('object');
obj.type = 'application/pdf';
obj.data = URL.createObjectURL(pdf);
document.getElementById('box').appendChild(obj);
