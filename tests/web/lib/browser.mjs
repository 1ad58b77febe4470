// Headless Chromium (Debian's /usr/bin/chromium) through playwright-core, with WebGPU on SwiftShader:
// the flags under which Chromium 156 offers a WebGPU adapter without a GPU. Page console lines and
// uncaught page errors are echoed with a prefix so that a failing test shows what the page said.
import { chromium } from 'playwright-core';

export const kChromiumArgs = [
  '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan',
];

export async function launch() {
  const executablePath = process.env.WEBCONV_CHROMIUM || '/usr/bin/chromium';
  return chromium.launch({ executablePath, args: kChromiumArgs, headless: true });
}

// A new page that echoes its console (lines starting with the page's own prefixes are kept quiet unless
// verbose) and fails loudly on uncaught errors.
export async function newPage(browser, { verbose = !!process.env.WEBCONV_TEST_VERBOSE, viewport } = {}) {
  const page = await browser.newPage(viewport ? { viewport } : {});
  page.on('console', (m) => {
    if (verbose || m.type() === 'error' || m.type() === 'warning') console.log(`  [page ${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (e) => console.log(`  [page uncaught] ${e.message}`));
  page.setDefaultTimeout(240_000);
  return page;
}
