import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// The monitoring center's dashboard: built into cloud/dashboard/dist (`npm run build`), served by
// the cloud at `/`. No external assets: the park's network may have no internet.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  logLevel: 'warn',
})
