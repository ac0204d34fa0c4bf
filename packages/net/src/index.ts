export { SocketAttribute, TLSAttribute, type SocketFamily } from "./attributes.js";
export { ConnectionFailed } from "./errors.js";
export { NodeByteReceiveStream, NodeByteSendStream, NodeByteStream } from "./node-streams.js";
export { toNodeReadable, toNodeWritable } from "./to-node.js";
export { SocketStream } from "./socket-stream.js";
export { getaddrinfo, getnameinfo, type AddrInfo, type GetaddrinfoOptions } from "./dns.js";
export { connectTcp, happyEyeballsOrder, type ConnectTcpOptions } from "./connect-tcp.js";
export { TLSStream, type TLSWrapOptions } from "./tls-stream.js";
export { TLSListener, type TLSListenerOptions } from "./tls-listener.js";
export { SocketListener } from "./socket-listener.js";
export { createTcpListener, type CreateTcpListenerOptions } from "./create-tcp-listener.js";
export { connectUnix, createUnixListener, type CreateUnixListenerOptions } from "./unix.js";
export {
  ConnectedUDPSocket,
  UDPSocket,
  createConnectedUdpSocket,
  createUdpSocket,
  type CreateConnectedUdpSocketOptions,
  type CreateUdpSocketOptions,
  type UDPPacket,
} from "./udp.js";
