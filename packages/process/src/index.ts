export { CalledProcessError, type Command } from "./errors.js";
export { openProcess, Process, type ProcessOptions, type ProcessWaitOptions, type StdioOption } from "./process.js";
export { PipeReceiveStream } from "./pipe-receive-stream.js";
export { PipeSendStream } from "./pipe-send-stream.js";
export { runProcess, type CompletedProcess, type RunProcessOptions } from "./run-process.js";
export { openSignalReceiver, SignalReceiver } from "./signal-receiver.js";
export { cancelOnSignals, type Cancellable, type SignalCancellation } from "./cancel-on-signals.js";
