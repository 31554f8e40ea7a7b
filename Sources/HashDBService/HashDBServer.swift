import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HashDB
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `zkstate serve`: the HashDB behind `hashdb.v1` on HTTP/2, with an optional Prometheus endpoint.
///
/// Shutdown (SIGINT/SIGTERM or ``ServiceGroup/triggerGracefulShutdown()``): the server stops
/// accepting, in-flight requests finish, pending flushes are written, the store closes.
public enum HashDBServer {
    /// Metrics registry shared by the process (Prometheus text format).
    public static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped: Bool = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return true
    }()

    /// Makes NIO's event loops Swift Concurrency's global executor, so that request handlers run
    /// on the threads doing the I/O instead of hopping to the cooperative pool and back. Call it
    /// once, from the main thread, before any task starts; returns whether it was installed.
    @discardableResult
    public static func runTasksOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Runs until a shutdown signal. `ready` is called with the bound gRPC port.
    public static func run(configuration: ServerConfiguration, logger: Logger,
                           signals: [UnixSignal] = [.sigterm, .sigint],
                           ready: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        _ = bootstrapped
        var hashDBConfiguration = configuration.hashDB
        hashDBConfiguration.location = try configuration.location()
        let db = try HashDB(configuration: hashDBConfiguration)
        let service = HashDBGRPCService(db: db, readLog: hashDBConfiguration.readLog,
                                        allowReset: configuration.allowResetDB, logger: logger)
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: configuration.listenAddress, port: configuration.port),
            transportSecurity: .plaintext,
            config: .defaults { $0.rpc.maxRequestPayloadSize = configuration.maxMessageBytes }
        )
        let server = GRPCServer(transport: transport, services: [service])
        var services: [any Service] = [GRPCService(server: server, logger: logger, ready: ready)]
        if let port = configuration.metricsPort {
            services.append(MetricsEndpoint(host: configuration.listenAddress, port: port, db: db, logger: logger))
        }
        let metrics = configuration.metricsPort.map { ", metrics :\($0)" } ?? ""
        let ignored = configuration.ignored.isEmpty ? "" : ", ignored keys: \(configuration.ignored.sorted().joined(separator: ","))"
        logger.info("hashdb starting: store \(hashDBConfiguration.location), gRPC \(configuration.listenAddress):\(configuration.port)\(metrics)\(ignored)")
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("hashdb stopped on error: \(error)")
            db.close()
            throw error
        }
        db.close()
        logger.info("hashdb stopped: pending flushes written, store closed (stored flush id \(db.flushStatus.storedFlushId))")
    }
}

/// The gRPC server as a lifecycle service.
struct GRPCService: Service {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let logger: Logger
    let ready: @Sendable (Int) -> Void

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.serve() }
                if let address = try await server.listeningAddress, let ipv4 = address.ipv4 {
                    logger.info("hashdb listening on \(ipv4.host):\(ipv4.port)")
                    ready(ipv4.port)
                }
            }
        } onGracefulShutdown: {
            logger.info("hashdb shutting down: finishing in-flight requests")
            server.beginGracefulShutdown()
        }
    }
}

/// A minimal HTTP/1.1 endpoint serving the Prometheus text format at any path.
struct MetricsEndpoint: Service {
    let host: String
    let port: Int
    let db: HashDB
    let logger: Logger

    func run() async throws {
        let db = self.db
        let render: @Sendable () -> [UInt8] = {
            let s = db.flushStatus
            func gauge(_ name: String, _ unit: String, _ help: String) -> Prometheus.Gauge {
                HashDBServer.registry.makeGauge(descriptor: MetricNameDescriptor(
                    namespace: "hashdb", metricName: name, unitName: unit, helpText: help))
            }
            gauge("pending_flush", "nodes", "Nodes queued for the store, not yet being written").set(Int64(s.pendingNodes))
            gauge("stored_flush", "id", "Last flush id durably stored").set(Int64(s.storedFlushId))
            gauge("failed", "commits", "Store commits that failed (each is retried)").set(Int64(s.failedCommits))
            gauge("node_cache", "hits", "Node reads served by the cache").set(Int64(db.nodeCache.hits))
            gauge("node_cache", "misses", "Node reads the cache could not serve").set(Int64(db.nodeCache.misses))
            gauge("program_cache", "hits", "Program reads served by the cache").set(Int64(db.programCache.hits))
            gauge("program_cache", "misses", "Program reads the cache could not serve").set(Int64(db.programCache.misses))
            gauge("batches", "", "Batches in flight").set(Int64(db.batches.batchCount))
            return HashDBServer.registry.emitToBuffer()
        }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsHandler(render: render))
                }
            }
            .bind(host: host, port: port).get()
        logger.info("metrics on http://\(host):\(port)/metrics")
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}

final class MetricsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let render: @Sendable () -> [UInt8]

    init(render: @escaping @Sendable () -> [UInt8]) { self.render = render }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let body = render()
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; version=0.0.4")
        headers.add(name: "Content-Length", value: String(body.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
