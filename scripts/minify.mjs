// Minifies what Trunk leaves readable: wasm-bindgen's glue (in place, with its integrity
// hash in index.html brought up to date) and the embed loader (to <dist>/widget.js, which
// booking-proxy serves in place of its built-in copy). Usage: node scripts/minify.mjs [dist]
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';

const dist = process.argv[2] ?? 'dist';
const sri = (text) => `sha384-${createHash('sha384').update(text).digest('base64')}`;

const glues = readdirSync(dist).filter((f) => /^booking-widget-[0-9a-f]+\.js$/.test(f));
if (glues.length !== 1) throw new Error(`expected one glue file in ${dist}, found ${glues.length}`);
const gluePath = join(dist, glues[0]);
const glue = readFileSync(gluePath, 'utf8');
const small = (await minify(glue, { module: true, compress: { passes: 2 }, mangle: true })).code;
writeFileSync(gluePath, small);

const indexPath = join(dist, 'index.html');
const index = readFileSync(indexPath, 'utf8');
// Trunk may leave the integrity attribute out; where it is there, it must match.
writeFileSync(indexPath, index.replaceAll(sri(glue), sri(small)));

const loader = readFileSync('loader/widget.js', 'utf8');
const tiny = (await minify(loader, { compress: { passes: 2 }, mangle: true })).code;
for (const mark of ['__GLUE__', '__WASM__']) {
  if (!tiny.includes(mark)) throw new Error(`the minified loader lost ${mark}`);
}
writeFileSync(join(dist, 'widget.js'), tiny);

const kb = (a, b) => `${(a.length / 1024).toFixed(1)} -> ${(b.length / 1024).toFixed(1)} KiB`;
console.log(`minify: ${glues[0]} ${kb(glue, small)}; widget.js ${kb(loader, tiny)}`);
