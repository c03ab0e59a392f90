// Writes <file>.gz (gzip -9, the same tool `make size` measures with) and <file>.br
// (brotli, quality 11) beside each payload file in dist/ and each language in dist/i18n/. booking-proxy serves these
// copies to browsers that accept them, so visitors get the measured bytes and no
// request pays for compression. Usage: node scripts/compress.mjs [dist]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
// widget.js is left out: its route fills in the hashed names per request.
const payload = readdirSync(dist).filter((f) => /\.(js|wasm|css)$/.test(f) && f !== 'widget.js');
// The languages the widget fetches on demand (i18n/*.json) are served compressed too.
if (existsSync(join(dist, 'i18n'))) {
  payload.push(...readdirSync(join(dist, 'i18n')).filter((f) => f.endsWith('.json')).map((f) => join('i18n', f)));
}
if (!payload.some((f) => f.endsWith('.wasm'))) throw new Error(`no wasm in ${dist}: build first`);
let gzTotal = 0;
let brTotal = 0;
for (const name of payload) {
  const path = join(dist, name);
  const raw = readFileSync(path);
  const gz = execFileSync('gzip', ['-9', '-n', '-c', path], { maxBuffer: 64 << 20 });
  const br = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
  writeFileSync(`${path}.gz`, gz);
  writeFileSync(`${path}.br`, br);
  gzTotal += gz.length;
  brTotal += br.length;
}
console.log(`compress: ${payload.length} files, gzip ${gzTotal} bytes, brotli ${brTotal} bytes`);
