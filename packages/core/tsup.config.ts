import { packageBuild } from "../../tsup.shared.ts";

export default packageBuild({ runs: "any", entry: { index: "src/index.ts", "index.node": "src/index.node.ts" } });
