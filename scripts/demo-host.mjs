// Serves demo/ as a host page on its own origin (`make demo`: port 8081), with a strict
// Content-Security-Policy: scripts only from itself and the proxy, no inline anything.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [listen = '127.0.0.1:8081', proxy = 'http://127.0.0.1:8080'] = process.argv.slice(2);
const [hostname, port] = listen.split(':');
const dir = join(dirname(fileURLToPath(import.meta.url)), '../demo');
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.ics': 'text/calendar; charset=utf-8' };
const csp = `default-src 'none'; script-src 'self' ${proxy} 'wasm-unsafe-eval'; connect-src ${proxy}; worker-src blob:; style-src 'self'; img-src 'self'`;

createServer((req, res) => {
  const path = new URL(req.url, 'http://host').pathname;
  // No icon to serve: say so without an error in the browser's console.
  if (path === '/favicon.ico') { res.writeHead(204); return res.end(); }
  const file = path === '/' ? 'index.html' : path.slice(1);
  if (!/^[a-z.-]+$/.test(file)) { res.writeHead(404); return res.end(); }
  try {
    const body = readFileSync(join(dir, file), 'utf8').replaceAll('__PROXY__', proxy);
    const ext = file.slice(file.lastIndexOf('.'));
    res.writeHead(200, { 'content-type': types[ext] ?? 'text/plain', 'content-security-policy': csp });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
}).listen(Number(port), hostname, () => console.log(`demo host page on http://${listen}/`));
