import "./ambient-node.js";

export * from "./index.js";
