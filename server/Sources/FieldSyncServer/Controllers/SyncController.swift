import FieldSyncModel
import Foundation
import Hummingbird

/// `POST /v1/push`, `GET /v1/pull`, `GET /v1/conflicts`, `GET /v1/records/{id}/history`.
struct SyncController<Store: SyncStore> {
    let store: Store
    let configuration: ServerConfiguration
    let clock: ServerClock
    let metrics: ServerMetrics

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("push", use: push)
        group.get("pull", use: pull)
        group.get("conflicts", use: conflicts)
        group.get("records/:id/history", use: history)
    }

    @Sendable func push(_ request: Request, context: AppRequestContext) async throws -> PushResponse {
        try await metrics.timed(metrics.pushDuration) { started in
            let response = try await handlePush(request, context: context, started: started)
            return (response, response.results.allSatisfy(\.isAcknowledged) ? "ok" : "refused")
        }
    }

    private func handlePush(_ request: Request, context: AppRequestContext, started: ContinuousClock.Instant)
        async throws -> PushResponse
    {
        let principal = try context.requirePrincipal()
        metrics.syncsBySchema[context.schemaVersion]?.increment()
        let body = try await request.decode(as: IncomingPush.self, context: context)
        guard body.mutations.count <= configuration.maxMutationsPerPush else {
            throw ServerError(
                .contentTooLarge, .tooManyMutations,
                "A push carries at most \(configuration.maxMutationsPerPush) mutations; this one has"
                    + " \(body.mutations.count): push in batches.")
        }
        let replica = body.mutations.first?.replica ?? principal.replica
        if let foreign = body.mutations.first(where: { $0.replica != replica }) {
            throw ServerError(
                .forbidden, .replicaMismatch,
                "A push carries the mutations of one replica; mutation \(foreign.key) is from another: push them apart."
            )
        }
        if replica != principal.replica, try await store.replicaOwner(replica) != principal.user.id {
            throw ServerError(
                .forbidden, .replicaMismatch,
                "Replica \(replica) is not registered to \(principal.user.name): register it with POST /v1/replicas"
                    + " first (fieldsync does this itself).")
        }
        guard zip(body.mutations, body.mutations.dropFirst()).allSatisfy({ $0.seq <= $1.seq }) else {
            throw ServerError.badRequest("Mutations in a push must be in seq order, oldest first.")
        }
        var processor = PushProcessor(
            maxForwardSkewMs: configuration.maxForwardSkewMs, nowMs: configuration.clock(),
            clientClockMs: ClientClock.milliseconds(in: request))
        processor.malformed = body.malformed
        processor.olderSchema = context.olderSchema
        processor.receipts = body.receipts
        let commit = try await store.push(body.mutations, by: principal.pushing(for: replica), processor: processor)
        let results = commit.results
        let accepted = Set(results.filter { $0.status == .applied }.map(\.seq))
        if let newest = body.mutations.filter({ accepted.contains($0.seq) }).map(\.hlc).max() {
            await clock.receive(newest)
        }
        for result in results {
            metrics.record(result.status.rawValue)
            if result.status == .rejected {
                context.logger.notice(
                    "push refused",
                    metadata: [
                        "user": "\(principal.user.name)", "seq": "\(result.seq)",
                        "code": "\(result.code?.rawValue ?? "")",
                    ])
            }
        }
        let outcomes = Dictionary(grouping: results, by: \.status).mapValues(\.count)
        context.logger.info(
            "push",
            metadata: [
                "user": "\(principal.user.name)", "replica": "\(replica)", "schema": "\(context.schemaVersion)",
                "mutations": "\(body.mutations.count)",
                "applied": "\(outcomes[.applied] ?? 0)", "duplicate": "\(outcomes[.duplicate] ?? 0)",
                "rejected": "\(outcomes[.rejected] ?? 0)", "retry": "\(outcomes[.retry] ?? 0)",
                "bytes": "\(request.headers[.contentLength] ?? "-")", "ms": "\(Self.milliseconds(since: started))",
            ])
        return PushResponse(
            results: results, hlc: await clock.now(), clockOffsetMs: processor.clockOffsetMs,
            changeSeq: commit.changeSeq, replicaSeq: commit.replicaSeq, generation: commit.generation)
    }

    @Sendable func pull(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await metrics.timed(metrics.pullDuration) { started in
            (try await handlePull(request, context: context, started: started), "ok")
        }
    }

    private func handlePull(_ request: Request, context: AppRequestContext, started: ContinuousClock.Instant)
        async throws -> Response
    {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        guard let cursor = Cursor(parsing: query.get("cursor") ?? "") else {
            throw ServerError.badRequest("The cursor is malformed: send the cursor of the last page, or none to start.")
        }
        let limitText = query.get("limit")
        guard let limit = limitText.map({ Int($0) }) ?? configuration.defaultPullLimit,
            (1...configuration.maxPullLimit).contains(limit)
        else {
            throw ServerError.badRequest("limit must be a whole number from 1 to \(configuration.maxPullLimit).")
        }
        let page = try await store.pull(for: principal, cursor: cursor, limit: limit)
        metrics.pulls.increment()
        metrics.syncsBySchema[context.schemaVersion]?.increment()
        metrics.pulledRecords.increment(by: Int64(page.records.count))
        let body = try PullEncoder.encode(page, hlc: await clock.now(), for: context.olderSchema)
        context.logger.info(
            "pull",
            metadata: [
                "user": "\(principal.user.name)", "replica": "\(principal.replica)",
                "schema": "\(context.schemaVersion)",
                "records": "\(page.records.count)",
                "removed": "\(page.removed.count)", "more": "\(page.more)", "reset": "\(page.reset)",
                "bytes": "\(body.count)", "ms": "\(Self.milliseconds(since: started))",
            ])
        return JSONResponseEncoder.response(body)
    }

    /// Milliseconds since `start`, to a tenth, for the log.
    static func milliseconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return String(format: "%.1f", ms)
    }

    @Sendable func conflicts(_ request: Request, context: AppRequestContext) async throws -> ConflictsResponse {
        let conflicts = try await store.conflicts(for: context.requirePrincipal())
        guard let older = context.olderSchema else { return ConflictsResponse(conflicts: conflicts) }
        return ConflictsResponse(conflicts: Schema.fieldSync.conflicts(conflicts, inVersion: older.version))
    }

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> HistoryResponse {
        let raw = try context.parameters.require("id")
        guard let id = try? RecordID(raw),
            let entries = try await store.history(of: id, for: context.requirePrincipal())
        else { throw ServerError.notFound("Record \(raw.prefix(64))") }
        guard
            let entity = entries.first(where: { $0.op == "create" })?.newValue?.text.flatMap(EntityKind.init(rawValue:))
        else { return HistoryResponse(record: id, entries: entries) }
        // A laptop speaking an older version sees the history of what it can see, under the names it knows.
        let version = context.olderSchema?.version ?? Schema.fieldSync.version
        guard version >= Schema.fieldSync.since(entity) else { throw ServerError.notFound("Record \(raw.prefix(64))") }
        return HistoryResponse(
            record: id, entries: Schema.fieldSync.history(entries, of: entity, inVersion: version))
    }
}
