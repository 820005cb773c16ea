// A CDN over HTTPS (a self-signed certificate made by the test, TLS_KEY and TLS_CERT) that the browser reaches as
// unpkg.com (Chromium's --host-resolver-rules): `/leaflet@<version>/dist/<file>` answers with the file of Leaflet's
// dist folder CDN_ROOT (the app's installed package), as unpkg does; so do jsDelivr's `/npm/leaflet@<version>/dist/`
// and cdnjs's `/ajax/libs/leaflet/<version>/`, for the names the browser reaches it by. Plain Node, no dependency.
const fs = require('fs');
const https = require('https');
const path = require('path');

// With CDN_MODULES (a node_modules folder) instead, `/<package>@<version>/<file>` (and jsDelivr's `/npm/...`) answers
// with that file of the installed package, for the no-build libraries of csp-nobuild-app.
const modules = process.env.CDN_MODULES && path.resolve(process.env.CDN_MODULES);
const root = modules || path.resolve(process.env.CDN_ROOT);
const types = { '.js': 'application/javascript', '.mjs': 'application/javascript', '.css': 'text/css', '.png': 'image/png' };

const options = { key: fs.readFileSync(process.env.TLS_KEY), cert: fs.readFileSync(process.env.TLS_CERT) };
const server = https.createServer(options, (req, res) => {
  const pathname = new URL(req.url, 'https://unpkg.com').pathname;
  const rest = modules
    ? pathname.replace(/^\/(npm\/)?((@[^/]+\/)?[^@/]+)@[^/]+\//, '$2/')
    : pathname.replace(/^\/(npm\/)?leaflet@[^/]+\/dist\/|^\/ajax\/libs\/leaflet\/[^/]+\//, '');
  const file = path.join(root, rest);
  if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) {
    res.writeHead(404);
    res.end();
    return;
  }
  // (Module scripts from another origin load only with CORS, which unpkg and jsDelivr answer with.)
  res.writeHead(200, {
    'Content-Type': types[path.extname(file)] || 'application/octet-stream',
    'Access-Control-Allow-Origin': '*',
  });
  fs.createReadStream(file).pipe(res);
});

server.listen(process.env.PORT || 3443, () => {
  console.log(`listening on ${server.address().port}`);
});
