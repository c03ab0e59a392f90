// Drops, from a linked wasm's `__wasm_bindgen_unstable` section, the descriptions of the
// JavaScript classes whose exports scripts/wasm-link.sh left out (wasm-streams'), so that
// wasm-bindgen does not look for them. The section is a list of (schema, program) pairs,
// each a little-endian u32 length and its bytes.
// Usage: node scripts/unexport.mjs file.wasm
import { readFileSync, writeFileSync } from 'node:fs';

const UNUSED = Buffer.from('IntoUnderlying');
const path = process.argv[2];
const wasm = readFileSync(path);

const leb = (buf, at) => {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
};
const toLeb = (n) => {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
};

const parts = [wasm.subarray(0, 8)];
let at = 8;
let dropped = 0;
while (at < wasm.length) {
  const start = at;
  const id = wasm[at++];
  const [size, body] = leb(wasm, at);
  const end = body + size;
  const [nameLength, nameAt] = leb(wasm, body);
  const name = id === 0 ? wasm.subarray(nameAt, nameAt + nameLength).toString() : '';
  if (name !== '__wasm_bindgen_unstable') {
    parts.push(wasm.subarray(start, end));
  } else {
    const kept = [];
    let p = nameAt + nameLength;
    while (p < end) {
      const schemaEnd = p + 4 + wasm.readUInt32LE(p);
      const programEnd = schemaEnd + 4 + wasm.readUInt32LE(schemaEnd);
      const program = wasm.subarray(schemaEnd + 4, programEnd);
      if (program.includes(UNUSED)) dropped += 1;
      else kept.push(wasm.subarray(p, programEnd));
      p = programEnd;
    }
    const payload = Buffer.concat([toLeb(nameLength), Buffer.from(name), ...kept]);
    parts.push(Buffer.from([0]), toLeb(payload.length), payload);
  }
  at = end;
}
writeFileSync(path, Buffer.concat(parts));
if (dropped === 0) console.warn(`unexport: no ${UNUSED} description found in ${path}`);
