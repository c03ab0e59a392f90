// Builds the React 19 and Vue 3 host apps with Vite (from node_modules) into `out/react`
// and `out/vue`. The widget's script tag is added by whoever serves them.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import vue from '@vitejs/plugin-vue';

const HERE = dirname(fileURLToPath(import.meta.url));

export async function buildApps(out) {
  const apps = {
    react: [react()],
    vue: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'booking-widget' } } })],
  };
  for (const [name, plugins] of Object.entries(apps)) {
    await build({
      root: join(HERE, name),
      configFile: false,
      logLevel: 'warn',
      plugins,
      build: { outDir: join(out, name), emptyOutDir: true },
    });
  }
  return { react: join(out, 'react'), vue: join(out, 'vue') };
}
