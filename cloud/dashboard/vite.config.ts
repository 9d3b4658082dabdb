import { fileURLToPath } from 'node:url'
import { type Plugin, defineConfig } from 'vite'

/**
 * @cycjimmy/jsmpeg-player injects its VideoElement's stylesheet as an inline <style> when it is
 * loaded; the dashboard's CSP (style-src 'self', cloud/api/headers.ts) refuses it, and the live
 * player (src/live/player.ts) uses JSMpeg.Player on its own canvas, not VideoElement. So that
 * call is taken out at build time; a version without it fails the build rather than pass unseen.
 */
function jsmpegWithoutInlineStyle(): Plugin {
  const call = 'styleInject(css_248z);'
  return {
    name: 'parklink-jsmpeg-without-inline-style',
    transform(code, id) {
      if (!id.includes('@cycjimmy/jsmpeg-player')) return null
      if (!code.includes(call)) throw new Error(`@cycjimmy/jsmpeg-player: "${call}" not found; check live/player.ts`)
      return { code: code.replace(call, ''), map: null }
    },
  }
}

// The monitoring center's dashboard: built into cloud/dashboard/dist (`npm run build`), served by
// the cloud at `/`. No external assets: the park's network may have no internet.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [jsmpegWithoutInlineStyle()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  logLevel: 'warn',
})
