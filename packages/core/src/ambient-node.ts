/**
 * Installs AsyncLocalStorage as the ambient-context carrier. Imported only by the
 * `node`/`deno`/`bun`/`workerd` entry point, never on the browser path.
 *
 * @internal
 */
import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import { type AmbientCarrier, installAmbientCarrier } from "./internal/ambient.js";

// An AsyncResource captures the whole async context where it is made (AsyncLocalStorage.snapshot()
// does too, but binding a function per call makes it ~20× dearer on Node 20 and 24).
installAmbientCarrier(new AsyncLocalStorage() as unknown as AmbientCarrier, () => new AsyncResource("anyio.Task"));
