/**
 * Installs AsyncLocalStorage as the ambient-context carrier. Imported only by the
 * `node`/`deno`/`bun`/`workerd` entry point, never on the browser path.
 *
 * @internal
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { type AmbientCarrier, installAmbientCarrier } from "./internal/ambient.js";

installAmbientCarrier(new AsyncLocalStorage() as unknown as AmbientCarrier);
