// A tiny static HTTP server for the browser tests: serves folders under URL prefixes on a free localhost
// port. WebGPU needs a secure context, and http://localhost is one (data: and about:blank pages are not).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const kTypes = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

// mounts: {'/': '/abs/dir', '/data/': '/other/dir'}; pages: {'/test.html': '<html>...'} served from memory.
// Resolves to {url, close()}; url ends without a slash (http://127.0.0.1:PORT).
export function serve(mounts, pages = {}) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (urlPath === '/favicon.ico' && pages[urlPath] === undefined) {
      res.writeHead(204); // no icon, and no 404 line in the page's console
      res.end();
      return;
    }
    if (pages[urlPath] !== undefined) {
      res.writeHead(200, { 'content-type': kTypes['.html'], 'cache-control': 'no-store' });
      res.end(pages[urlPath]);
      return;
    }
    const prefix = prefixes.find((p) => urlPath.startsWith(p));
    if (!prefix) return notFound(res, urlPath);
    const root = path.resolve(mounts[prefix]);
    let file = path.resolve(root, '.' + path.posix.normalize('/' + urlPath.slice(prefix.length)));
    if (file !== root && !file.startsWith(root + path.sep)) return notFound(res, urlPath);
    try {
      if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
      const body = fs.readFileSync(file);
      const type = kTypes[path.extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      notFound(res, urlPath);
    }
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://localhost:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

function notFound(res, urlPath) {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end(`not found: ${urlPath}\n`);
}
