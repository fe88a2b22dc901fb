import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Checks, before anything is created or opened, that the server can listen where it was asked to, so a port in
/// use is reported with its number and leaves no database behind.
public enum ListenCheck {
    /// Why the server cannot listen.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Binds `host:port` for a moment and lets it go; throws a `Failure` naming the address when that fails. Port 0
    /// (any free port) always works.
    public static func ensureFree(host: String, port: Int) async throws {
        guard port != 0 else { return }
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw Failure(
                description: "Port \(port) on \(host) is in use (another fieldsync-server?): stop that process or"
                    + " choose another --port.")
        } catch let error as IOError where error.errnoCode == EACCES {
            throw Failure(
                description: "Port \(port) on \(host) needs privileges this user lacks: choose a --port above 1023.")
        } catch {
            throw Failure(description: "Cannot listen on \(host):\(port) (\(error)): check --host and --port.")
        }
    }
}
