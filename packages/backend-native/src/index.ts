export { nativeBackend, type NativeBackendOptions } from "./native-backend.js";
