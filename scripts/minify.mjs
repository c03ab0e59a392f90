// Shrinks what Trunk leaves: shortens the names between the wasm and its glue, minifies the
// glue (in place, with the integrity hashes in index.html brought up to date) and the embed
// loader (to <dist>/widget.js, which booking-proxy serves in place of its built-in copy).
// Any name it cannot match fails the build rather than leaving a broken glue.
// Usage: node scripts/minify.mjs [dist] [--no-loader] (the manage bundle's folder has no
// loader of its own).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';

const dist = process.argv[2] ?? 'dist';
const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

const glues = readdirSync(dist).filter((f) => /^booking-widget-[0-9a-f]+\.js$/.test(f));
if (glues.length !== 1) throw new Error(`expected one glue file in ${dist}, found ${glues.length}`);
const gluePath = join(dist, glues[0]);
const wasmPath = gluePath.replace(/\.js$/, '_bg.wasm');
const glue = readFileSync(gluePath, 'utf8');
const wasm = readFileSync(wasmPath);
// The wasm is worked on in a copy, put in place only once the glue matches it.
const work = `${wasmPath}.work`;
copyFileSync(wasmPath, work);

// The only class a page uses is `Widget`: wasm-streams' (linked through leptos's server_fn)
// are left out at link time (scripts/wasm-link.sh); one that comes back fails here.
const classes = [...glue.matchAll(/^export class (\w+) \{$/gm)].map((m) => m[1]).filter((c) => c !== 'Widget');
if (classes.length > 0) throw new Error(`unexpected exported classes in the glue: ${classes}`);
const wasmOpt = (args) =>
  execFileSync('node_modules/.bin/wasm-opt', args, { encoding: 'utf8', maxBuffer: 16 << 20 });
// The features the build uses, read before their section goes: later passes keep to them.
const features = wasmOpt([work, '--print-features', '-o', '/dev/null'])
  .split('\n')
  .filter((line) => line.startsWith('--enable-'));

// wasm-bindgen names every import after its function plus a 16-digit hash, and some
// exports after their whole Rust type: about 10 KB of names, twice (wasm and glue), that
// compress badly. Binaryen gives them (and the imports' module) one- or two-letter names
// and prints the mapping; the glue is rewritten to match (4.7 KB gzip less).
// The toolchain's notes (producers, target features) go too: no browser reads them.
const mapping = JSON.parse(
  wasmOpt([
    work,
    '--minify-imports-and-exports-and-modules',
    '--strip-producers',
    '--strip-target-features',
    '-o',
    work,
  ]),
);
// Trunk's one `-Oz` leaves more: the control flow flattened and rebuilt (`--flatten
// --rereloop`) and `-Oz` again until it gains nothing take about 700 bytes gzip more off
// the booking bundle, in about 10 s (S25). After the renaming, where it gains most. The
// round once more after `--converge`, with loads, divisions and the like taken to trap
// only where the code says so (`--ignore-implicit-traps`: Rust checks its indexes and
// divisors itself and traps with `unreachable`, which the flag leaves alone): 135 bytes
// more (S26); a further round is larger again.
wasmOpt([
  work,
  ...features,
  '--low-memory-unused',
  '--ignore-implicit-traps',
  '--flatten',
  '--rereloop',
  '-Oz',
  '--converge',
  '--flatten',
  '--rereloop',
  '-Oz',
  '-o',
  work,
]);
const smallWasm = readFileSync(work);
const modules = new Set(WebAssembly.Module.imports(new WebAssembly.Module(smallWasm)).map((i) => i.module));
if (modules.size !== 1) throw new Error(`expected the imports in one module, found ${[...modules]}`);
const [module] = modules;
const moduleKey = /"\.\/booking-widget[^"]*_bg\.js": import0/;
if (!moduleKey.test(glue)) throw new Error('the glue does not name its imports module as expected');
let renamed = glue.replace(moduleKey, () => `${JSON.stringify(module)}: import0`);
const plain = /^\w+$/;
for (const [, from, to] of mapping.imports) {
  if (!plain.test(from)) throw new Error(`import ${from}: not a plain name`);
  // Each import is defined once, as a key of the imports object: `name: function (…)`.
  const key = new RegExp(`(^|[\\s{,])${from}(?=\\s*:)`, 'gm');
  const found = renamed.match(key)?.length ?? 0;
  if (found !== 1) throw new Error(`import ${from}: expected one definition in the glue, found ${found}`);
  renamed = renamed.replace(key, (_, before) => `${before}${to}`);
}
// Every `wasm.<export>` the glue uses, renamed in one pass; one the wasm no longer
// exports fails the build.
const exports = new Map(mapping.exports);
renamed = renamed.replace(/\bwasm\.(\w+)/g, (_, name) => {
  if (!exports.has(name)) throw new Error(`the glue uses wasm.${name}, which the wasm does not export`);
  return `wasm.${exports.get(name)}`;
});

// What no page of ours reaches, out before minifying. Pages start the wasm with the
// default export, given an object whose `module_or_path` is a path or a fetch of it,
// answered as `application/wasm`; the loader frees a widget with `free()`. So `initSync`
// goes, and the default path, the warnings about other ways of calling it and `dispose`.
const unused = [
  ['export { initSync, __wbg_init as default };', 'export { __wbg_init as default };'],
  [/if \(module_or_path === undefined\) \{\n\s*module_or_path = new URL\('[\w-]+_bg\.wasm', import\.meta\.url\);\n\s*\}/, ''],
  ['if (Symbol.dispose) Widget.prototype[Symbol.dispose] = Widget.prototype.free;', ''],
  // What instantiating from bytes or a module (never a fetch's answer) would need.
  [/\} else \{\n\s*const instance = await WebAssembly\.instantiate\(module, imports\);\n\n\s*if \(instance instanceof WebAssembly\.Instance\) \{\n\s*return \{ instance, module \};\n\s*\} else \{\n\s*return instance;\n\s*\}\n\s*\}/, '}'],
  [/console\.warn\("`WebAssembly\.instantiateStreaming` failed because[^\n]*\n/, 'console.warn(e);\n'],
  [/console\.warn\('using deprecated parameters for the initialization function[^']*'\)/, ''],
];
for (const [from, to] of unused) {
  const before = renamed;
  renamed = renamed.replace(from, to);
  if (renamed === before) throw new Error(`the glue has changed: ${from} not found`);
}

// Arrows for the imports' `function`s: wasm calls them, never with `new` or `this`.
const small = (await minify(renamed, {
  module: true,
  ecma: 2020,
  compress: { passes: 3, ecma: 2020, unsafe_arrows: true },
  mangle: true,
})).code;

const indexPath = join(dist, 'index.html');
// Trunk may leave the integrity attributes out; where they are there, they must match.
const index = readFileSync(indexPath, 'utf8')
  .replaceAll(sri(glue), sri(small))
  .replaceAll(sri(wasm), sri(smallWasm));
const css = readdirSync(dist).filter((f) => f.endsWith('.css')).map((f) => sri(readFileSync(join(dist, f))));
const wanted = new Set([sri(small), sri(smallWasm), ...css]);
for (const [, hash] of index.matchAll(/integrity=["']?([^"'\s>]+)/g)) {
  if (!wanted.has(hash)) throw new Error(`index.html keeps an integrity hash that matches nothing: ${hash}`);
}
writeFileSync(gluePath, small);
renameSync(work, wasmPath);
writeFileSync(indexPath, index);

const kb = (a, b) => `${(a.length / 1024).toFixed(1)} -> ${(b.length / 1024).toFixed(1)} KiB`;
let loaderNote = '';
if (!process.argv.includes('--no-loader')) {
  const loader = readFileSync('loader/widget.js', 'utf8');
  const tiny = (await minify(loader, { compress: { passes: 2 }, mangle: true })).code;
  for (const mark of ['__GLUE__', '__WASM__', '__MANAGE_GLUE__', '__MANAGE_WASM__']) {
    if (!tiny.includes(mark)) throw new Error(`the minified loader lost ${mark}`);
  }
  writeFileSync(join(dist, 'widget.js'), tiny);
  loaderNote = `; widget.js ${kb(loader, tiny)}`;
}
console.log(
  `minify: ${mapping.imports.length} imports and ` +
    `${mapping.exports.length} exports renamed; ` +
    `${dist}/${glues[0]} ${kb(glue, small)}${loaderNote}`,
);
