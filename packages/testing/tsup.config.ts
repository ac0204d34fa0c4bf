import { packageBuild } from "../../tsup.shared.ts";

export default packageBuild({ runs: "any", entry: { index: "src/index.ts", vitest: "src/vitest.ts" }, external: ["vitest"] });
