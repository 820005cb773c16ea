var thumb = document.querySelector('.doc-preview');
thumb.src = URL.createObjectURL(new Blob(['<p>invoice</p>'], { type: 'text/html' }));
