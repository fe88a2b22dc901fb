import FieldSyncModel
import Foundation
import Glibc
import HTTPTypes
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// How long a connection may wait at each step of a request, and how many may be open at once.
public struct ConnectionLimits: Sendable {
    /// How long an open connection may send nothing before a request (default 60 s).
    public var idleTimeoutMs: Int64 = 60_000
    /// How long a request's head may take from its first byte (default 10 s): slow headers are cut.
    public var headerTimeoutMs: Int64 = 10_000
    /// How long a request's body may take from the end of its head (default 120 s): slow or missing bodies are cut.
    public var bodyTimeoutMs: Int64 = 120_000
    /// The most connections open at once; `nil` derives it from the process's descriptor limit, keeping 64 for files.
    /// A new connection over the limit closes the one that has waited longest for a request (then the oldest slow
    /// body), so hostile idle or trickling connections cannot lock honest clients out.
    public var maxConnections: Int?

    /// The default limits.
    public init() {}

    /// `maxConnections`, or the descriptor limit less the descriptors the server keeps for its own files.
    var effectiveMaxConnections: Int {
        if let maxConnections { return maxConnections }
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_000 }
        return max(16, Int(min(limit.rlim_cur, 1 << 20)) - 64)
    }
}

/// Every open connection and where it stands, shared by all event loops: it closes the longest-waiting one when a
/// new connection would pass the limit.
final class ConnectionRegistry: Sendable {
    /// Where a connection stands.
    enum Phase {
        /// Between requests: nothing received since the last response.
        case idle
        /// A request's head is arriving.
        case head
        /// A request's body is arriving.
        case body
        /// The server is answering.
        case busy
    }

    private struct Entry {
        let channel: any Channel
        var phase: Phase
        var sinceNs: UInt64
    }

    private let entries = NIOLockedValueBox([ObjectIdentifier: Entry]())
    let limits: ConnectionLimits
    let maxConnections: Int
    let logger: Logger

    init(limits: ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.maxConnections = limits.effectiveMaxConnections
        self.logger = logger
    }

    /// The number of open connections.
    var count: Int { entries.withLockedValue { $0.count } }

    /// Adds a connection; at the limit, closes the one that has waited longest for a request, else the oldest whose
    /// body is still arriving (or this one, when every other is being answered).
    func add(_ channel: any Channel, nowNs: UInt64) {
        let evicted: (any Channel)? = entries.withLockedValue { entries in
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, phase: .idle, sinceNs: nowNs)
            guard entries.count > maxConnections else { return nil }
            // Waiting for a request first, then a body still arriving; a connection being answered is never cut.
            func rank(_ entry: Entry) -> (Int, UInt64) { (entry.phase == .body ? 1 : 0, entry.sinceNs) }
            let waiting = entries.values.filter { $0.phase != .busy }
            let oldest = waiting.min { rank($0) < rank($1) }?.channel ?? channel
            entries[ObjectIdentifier(oldest)] = nil
            return oldest
        }
        if let evicted {
            logger.notice("connection limit (\(maxConnections)) reached: closed the connection waiting longest")
            evicted.close(promise: nil)
        }
    }

    /// Records that a connection moved to `phase`.
    func move(_ channel: any Channel, to phase: Phase, nowNs: UInt64) {
        entries.withLockedValue { entries in
            entries[ObjectIdentifier(channel)]?.phase = phase
            entries[ObjectIdentifier(channel)]?.sinceNs = nowNs
        }
    }

    /// Forgets a closed connection.
    func remove(_ channel: any Channel) {
        _ = entries.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}

/// The first handler of every connection: registers it, notices the first byte of each request, and closes the
/// connection when a step of a request takes longer than `ConnectionLimits` allows.
final class ConnectionWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let registry: ConnectionRegistry
    private var phase = ConnectionRegistry.Phase.idle
    private var sinceNs: UInt64 = 0
    private var timer: RepeatedTask?

    init(registry: ConnectionRegistry) { self.registry = registry }

    func handlerAdded(context: ChannelHandlerContext) {
        sinceNs = NIODeadline.now().uptimeNanoseconds
        registry.add(context.channel, nowNs: sinceNs)
        let limits = registry.limits
        let shortest = min(limits.idleTimeoutMs, limits.headerTimeoutMs, limits.bodyTimeoutMs)
        let tick = TimeAmount.milliseconds(max(20, min(1_000, shortest / 4)))
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            loopBound.value.handler.check(context: loopBound.value.context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        registry.remove(context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        registry.remove(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if phase == .idle { move(to: .head, channel: context.channel) }
        context.fireChannelRead(data)
    }

    /// Moves to `phase` (the HTTP handler reports heads, ends of bodies and ends of responses).
    func move(to phase: ConnectionRegistry.Phase, channel: any Channel) {
        self.phase = phase
        sinceNs = NIODeadline.now().uptimeNanoseconds
        registry.move(channel, to: phase, nowNs: sinceNs)
    }

    private func check(context: ChannelHandlerContext) {
        let limits = registry.limits
        let allowedMs: Int64? =
            switch phase {
            case .idle: limits.idleTimeoutMs
            case .head: limits.headerTimeoutMs
            case .body: limits.bodyTimeoutMs
            case .busy: nil
            }
        let waitedMs = Int64((NIODeadline.now().uptimeNanoseconds - sinceNs) / 1_000_000)
        guard let allowedMs, waitedMs > allowedMs else { return }
        if phase != .idle {
            registry.logger.notice(
                "closed a connection whose request \(phase == .head ? "head" : "body") took over \(allowedMs) ms",
                metadata: ["address": "\(context.channel.remoteAddress?.ipAddress ?? "unknown")"])
        }
        timer?.cancel()
        timer = nil
        context.close(promise: nil)
    }
}

/// Sits after the HTTP decoder and tells the connection's `ConnectionWatch` where each request stands.
final class RequestPhaseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var watch: ConnectionWatch?

    func handlerAdded(context: ChannelHandlerContext) {
        watch = try? context.pipeline.syncOperations.handler(type: ConnectionWatch.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: watch?.move(to: .body, channel: context.channel)
        case .end: watch?.move(to: .busy, channel: context.channel)
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responding = true
        case .end:
            responding = false
            watch?.move(to: .idle, channel: context.channel)
        case .body: break
        }
        context.write(data, promise: promise)
    }

    /// Whether a response has begun and not ended.
    private var responding = false

    /// A request that is not HTTP/1.1 is answered 400 with the protocol's error body (the HTTP layer alone would
    /// send an empty one), then the connection is closed: after a framing error nothing more on it can be read.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parse = error as? HTTPParserError, !responding else { return context.fireErrorCaught(error) }
        let body = ErrorBody(
            code: .badRequest,
            message: "The request is not valid HTTP/1.1 (\(parse)): check its request line, headers and framing.")
        let bytes = ByteBuffer(bytes: (try? JSONEncoder().encode(body)) ?? Data())
        let head = HTTPResponse(
            status: .badRequest,
            headerFields: [
                .contentType: "application/json", .contentLength: String(bytes.readableBytes), .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(bytes)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}

/// A child channel that puts a `ConnectionWatch` in front of `base` (TLS and HTTP).
struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let registry: ConnectionRegistry

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionWatch(registry: registry))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
