import FieldSyncModel
import Foundation
import Hummingbird

/// `/console`: the manager's web pages on the sync server's own listener. Server-rendered HTML that works without
/// JavaScript; every figure comes from the signed-in user's own view, every change is a mutation through the push
/// rules (`ConsoleWriter`).
struct ConsoleController<Store: SyncStore>: Sendable {
    let store: Store
    let configuration: ServerConfiguration
    let passwords: PasswordCheck<Store>
    let views: ConsoleViews<Store>
    let writer: ConsoleWriter<Store>

    init(store: Store, configuration: ServerConfiguration, passwords: PasswordCheck<Store>, clock: ServerClock) {
        self.store = store
        self.configuration = configuration
        self.passwords = passwords
        self.views = ConsoleViews(store: store)
        self.writer = ConsoleWriter(store: store, configuration: configuration, clock: clock)
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.add(middleware: ConsoleHeadersMiddleware())
            .add(middleware: ConsoleErrorMiddleware())
            .add(middleware: ConsoleSessionMiddleware(store: store, clock: configuration.clock))
        group.get { _, _ in ConsoleSession.redirect(to: "/console/pipeline") }
        group.get("style.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: ConsoleTemplates.style)))
        }
        group.get("login") { _, _ in ConsoleTemplates.html(ConsoleTemplates.page("Log in", "login", [:], user: nil)) }
        group.post("login", use: login)
        group.post("logout", use: logout)
        group.get("pipeline") { request, context in
            try await render("Pipeline", "pipeline", context, cache: request) { $0.pipeline() }
        }
        group.get("team", use: team)
        group.get("customers") { request, context in
            try await render("Customers", "customers", context, cache: request) {
                $0.customers(query: String((request.uri.queryParameters.get("q") ?? "").prefix(200)))
            }
        }
        group.get("customers/:id", use: customer)
        group.get("conflicts") { request, context in
            let saved = request.uri.queryParameters.get("saved").map { String($0.prefix(300)) }
            return try await conflicts(
                context, notice: saved.map { "Saved: \($0). Laptops see it at their next sync." })
        }
        group.post("conflicts/resolve", use: resolve)
        group.get("duplicates") { request, context in
            let merged = request.uri.queryParameters.get("merged").map { String($0.prefix(300)) }
            return try await duplicates(
                context, notice: merged.map { "Merged \($0). Laptops see one card at their next sync." })
        }
        group.post("duplicates/merge", use: merge)
        group.get("complaints") { request, context in
            try await render("Complaints", "complaints", context, cache: request) { ["steps": $0.complaints()] }
        }
    }

    // MARK: - Sessions

    private struct LoginForm: Decodable {
        let user: String
        let password: String
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await ConsoleSession.form(LoginForm.self, from: request)
        let now = configuration.clock()
        let user: User
        do {
            user = try await passwords.user(
                named: form.user, password: form.password, address: context.remoteAddress, nowMs: now)
        } catch let error as ServerError {
            var response = ConsoleTemplates.html(
                ConsoleTemplates.page("Log in", "login", ["error": error.message], user: nil))
            response.status = error.status
            return response
        }
        let replica = ConsoleSession.replica(of: user)
        try await store.registerReplica(replica, userID: user.id, firstSeq: 1)
        let (token, _) = try await passwords.issueToken(
            for: user, replica: replica, nowMs: now, lifetimeMs: configuration.consoleSessionLifetimeMs)
        context.logger.info("console login", metadata: ["user": "\(user.name)"])
        var response = ConsoleSession.redirect(to: "/console/pipeline")
        response.setCookie(
            ConsoleSession.cookie(
                token, lifetimeMs: configuration.consoleSessionLifetimeMs, secure: configuration.tls != nil))
        return response
    }

    private struct CSRFForm: Decodable {
        let csrf: String?
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await ConsoleSession.form(CSRFForm.self, from: request)
        let token = try Self.checkCSRF(form.csrf, context)
        try await store.revokeToken(hash: Crypto.hex(Crypto.sha256(token)))
        var response = ConsoleSession.redirect(to: "/console/login")
        response.setCookie(ConsoleSession.expiredCookie(secure: configuration.tls != nil))
        return response
    }

    /// The session token, when `presented` is its CSRF token; 403 otherwise.
    private static func checkCSRF(_ presented: String?, _ context: AppRequestContext) throws -> [UInt8] {
        guard let token = context.consoleToken, ConsoleSession.csrfMatches(presented, token: token) else {
            throw ServerError(
                .forbidden, .forbidden, "This form's security token is missing or old: reload the page and try again.")
        }
        return token
    }

    // MARK: - Pages

    /// Renders page `template` from what `build` computes over the user's view. With `cache` (a GET whose page
    /// depends only on the view, the session and the minute), a page rendered since the view last changed is sent
    /// again instead.
    private func render(
        _ title: String, _ template: String, _ context: AppRequestContext, extra: [String: Any] = [:],
        status: HTTPResponse.Status = .ok, cache request: Request? = nil,
        _ build: (ConsolePages) async throws -> [String: Any]
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await views.view(for: principal)
        let now = configuration.clock()
        let csrf = ConsoleSession.csrf(for: context.consoleToken ?? [])
        let key = request.map {
            ConsoleViews<Store>.PageKey(
                uri: $0.uri.description, csrf: csrf, version: view.version, minute: now / 60_000)
        }
        if let key, let html = await views.page(key, for: principal.user.id) { return ConsoleTemplates.html(html) }
        let pages = ConsolePages(view: view, nowMs: now)
        var values = try await build(pages).merging(extra) { _, new in new }
        values["asOf"] = ConsoleText.time(now)
        values["recordCount"] = view.existingCount
        let conflictCount = view.conflicted.reduce(0) { total, id in
            total + (view.records[id]?.state.conflicts(of: id).count ?? 0)
        }
        let user: [String: Any] = [
            "name": principal.user.name, "role": principal.user.role.rawValue, "team": principal.user.team,
            "csrf": csrf, "conflictCount": conflictCount,
        ]
        let html = ConsoleTemplates.page((values["title"] as? String) ?? title, template, values, user: user)
        if let key, status == .ok { await views.keep(html, as: key, for: principal.user.id) }
        var response = ConsoleTemplates.html(html)
        response.status = status
        return response
    }

    @Sendable func team(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let days = request.uri.queryParameters.get("days").flatMap { Int($0) }.map { min(max($0, 1), 3650) } ?? 30
        return try await render("Team", "team", context, cache: request) { pages in
            let members = Visibility.members(of: principal.user, among: try await store.users())
            return pages.team(members: members, replicas: try await store.replicas(), days: days)
        }
    }

    @Sendable func customer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let raw = try context.parameters.require("id")
        guard let id = try? RecordID(raw) else { throw ServerError.notFound("Customer \(raw.prefix(64))") }
        return try await render("Customer", "customer", context, cache: request) { pages in
            let history = try await store.history(of: id, for: principal) ?? []
            guard let card = pages.customer(id, history: history) else {
                throw ServerError.notFound("Customer \(raw.prefix(64))")
            }
            return card
        }
    }

    private func conflicts(
        _ context: AppRequestContext, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let csrf = ConsoleSession.csrf(for: context.consoleToken ?? [])
        var extra: [String: Any] = [:]
        if let notice { extra["notice"] = notice }
        if let error { extra["error"] = error }
        return try await render("Conflicts", "conflicts", context, extra: extra, status: status) {
            ["conflicts": $0.conflicts(csrf: csrf)]
        }
    }

    private func duplicates(
        _ context: AppRequestContext, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let csrf = ConsoleSession.csrf(for: context.consoleToken ?? [])
        var extra: [String: Any] = [:]
        if let notice { extra["notice"] = notice }
        if let error { extra["error"] = error }
        return try await render("Likely duplicates", "duplicates", context, extra: extra, status: status) { pages in
            let pairs = pages.duplicates(csrf: csrf, canMerge: principal.canMoveRecords)
            return ["pairs": pairs, "hasPairs": !pairs.isEmpty]
        }
    }

    // MARK: - Merging

    private struct MergeForm: Decodable {
        let csrf: String?
        let keep: String
        let duplicate: String
    }

    /// Merges one card of a likely pair into the other, as `fieldsync customer merge` does: one merge write from the
    /// user's console replica through the push rules (managers and admins; both cards in their view).
    @Sendable func merge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await ConsoleSession.form(MergeForm.self, from: request)
        _ = try Self.checkCSRF(form.csrf, context)
        let principal = try context.requirePrincipal()
        guard let keep = try? RecordID(form.keep), let duplicate = try? RecordID(form.duplicate), keep != duplicate
        else { throw ServerError.badRequest("The form is incomplete: reload the page and send it again.") }
        let records = try await views.view(for: principal).records
        let result = try await writer.write([.merge(record: duplicate, into: keep)], by: principal)
        guard result.isAcknowledged else {
            return try await duplicates(
                context, error: "Not merged: \(result.reason ?? result.code?.rawValue ?? "refused")",
                status: .unprocessableContent)
        }
        context.logger.info(
            "console merge",
            metadata: [
                "user": "\(principal.user.name)", "keep": "\(keep)", "duplicate": "\(duplicate)",
                "seq": "\(result.seq)",
            ])
        let merged = "\(ConsoleText.label(duplicate, in: records)) into \(ConsoleText.label(keep, in: records))"
        let query = merged.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return ConsoleSession.redirect(to: "/console/duplicates?merged=\(query)")
    }

    // MARK: - Resolving

    private struct ResolveForm: Decodable {
        let csrf: String?
        let record: String
        let field: String?
        let bases: String?
        let deletes: String?
        let choice: String?
        let value: String?
        let action: String?
    }

    /// Settles a conflict as the form says: a value shown (by its write) or a new one, keeping or deleting a record.
    /// The write's bases are the heads the page showed, so an edit that arrived since stays in conflict.
    @Sendable func resolve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await ConsoleSession.form(ResolveForm.self, from: request)
        _ = try Self.checkCSRF(form.csrf, context)
        let principal = try context.requirePrincipal()
        func ids(_ text: String?) throws -> [WriteID] {
            try (text ?? "").split(separator: ",").map { try WriteID(parsing: String($0)) }
        }
        guard let record = try? RecordID(form.record), let shown = try? ids(form.bases),
            let deletes = try? ids(form.deletes)
        else { throw ServerError.badRequest("The form is incomplete: reload the page and send it again.") }
        let records = try await views.view(for: principal).records
        guard let state = records[record]?.state, let entity = state.entity else {
            return try await conflicts(context, error: "That record is no longer in your view.", status: .notFound)
        }
        let write: Write
        switch (form.field.flatMap { $0.isEmpty ? nil : $0 }, form.action) {
        case (let field?, _):
            let spec: FieldSpec
            do { spec = try Schema.fieldSync.field(field, of: entity) } catch {
                throw ServerError.badRequest(error.message)
            }
            let value: Value
            if form.choice == "new" {
                do {
                    value = try Value.parse(form.value ?? "", as: spec.type, label: "\(entity.rawValue).\(field)")
                } catch {
                    return try await conflicts(context, error: error.message, status: .unprocessableContent)
                }
            } else if let choice = form.choice,
                let head = state.fields[field]?.heads.first(where: { $0.id.description == choice })
            {
                value = head.value
            } else {
                return try await conflicts(
                    context,
                    error: "Choose one of the values shown, or type another one: the one chosen is no longer"
                        + " among the conflicting values (the page was older than the record).",
                    status: .conflict)
            }
            write = .set(record: record, field: field, value: value, bases: shown)
        case (nil, "keep"): write = .restore(record: record, bases: deletes)
        case (nil, "delete"): write = .delete(record: record, bases: shown)
        default: throw ServerError.badRequest("The form is incomplete: reload the page and send it again.")
        }
        let result = try await writer.write([write], by: principal)
        guard result.isAcknowledged else {
            return try await conflicts(
                context, error: "Not saved: \(result.reason ?? result.code?.rawValue ?? "refused")",
                status: .unprocessableContent)
        }
        context.logger.info(
            "console resolve",
            metadata: ["user": "\(principal.user.name)", "record": "\(record)", "seq": "\(result.seq)"])
        let saved = "\(ConsoleText.label(record, in: records)) \(form.field ?? form.action ?? "")"
        let query = saved.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return ConsoleSession.redirect(to: "/console/conflicts?saved=\(query)")
    }
}

/// Answers the console's errors as pages (the API's answer JSON): a missing session goes to the login form.
struct ConsoleErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as ServerError {
            if error.status == .unauthorized { return ConsoleSession.redirect(to: "/console/login") }
            var response = ConsoleTemplates.html(
                ConsoleTemplates.page(
                    "\(error.status.code) \(error.status.reasonPhrase)", "error", ["error": error.message], user: nil))
            response.status = error.status
            return response
        }
    }
}
