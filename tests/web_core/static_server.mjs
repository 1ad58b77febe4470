// A tiny static HTTP server on a free localhost port for the browser tests (navigator.gpu needs a
// secure context, which http://localhost is). `roots` maps URL prefixes to folders; "/" serves an empty
// page. Only GET of plain files inside a root is answered.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const kTypes = {'.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm',
                '.html': 'text/html', '.json': 'application/json', '.css': 'text/css'};

export async function serve(roots) {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    if (url === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (url === '/') {
      res.writeHead(200, {'content-type': 'text/html'});
      res.end('<!doctype html><meta charset="utf-8"><title>webconv core test</title>');
      return;
    }
    for (const [prefix, dir] of Object.entries(roots)) {
      if (!url.startsWith(prefix)) continue;
      const file = path.resolve(dir, '.' + url.slice(prefix.length - 1));
      if (!file.startsWith(path.resolve(dir) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) break;
      res.writeHead(200, {'content-type': kTypes[path.extname(file)] || 'application/octet-stream'});
      fs.createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404);
    res.end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {server, origin: `http://localhost:${server.address().port}`};
}
