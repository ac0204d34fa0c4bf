// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright) running the browser
// tests against the BUILT packages: @anyio/* resolve through node_modules to each package's
// `exports`, with the browser conditions, so core's default entry (no AsyncLocalStorage) is
// what loads — not the sources and not the node entry.
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";

const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  test: {
    name: "chromium",
    include: ["browser/**/*.test.ts"],
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
          ],
        },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
});
