import AsyncHTTPClient
import FieldSyncModel
import Foundation
import NIOCore

/// A manager using the server's console as a browser does, over real HTTP: logs in with the form, reads the
/// conflicts page, and sends its resolve form (the session cookie, the page's security token and bases, the origin).
struct ConsoleVisitor {
    let server: String
    let user: String
    let password: String

    private static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    /// Keeps `value` for `field` of `record` (a value shown or another one), or with no field keeps (`record`) or
    /// deletes (`deleted`) the deleted record, as the conflicts page's form does; returns the writes the saved edit
    /// saw (its bases: the heads or deletes the page showed).
    @discardableResult
    func resolve(_ record: RecordID, field: String?, value: String) async throws -> [WriteID] {
        let cookie = try await logIn()
        let page = try await send("GET", "/console/conflicts", cookie: cookie).body
        guard
            let form = Self.forms(in: page).first(where: {
                $0["record"] == record.rawValue && ($0["field"] ?? "") == (field ?? "")
            })
        else {
            throw StepProblem("the console lists no conflict of \(record)\(field.map { ".\($0)" } ?? "") for \(user)")
        }
        var fields = form
        if field != nil {
            (fields["choice"], fields["value"], fields["action"]) = ("new", value, "set")
        } else {
            fields["action"] = value == "deleted" ? "delete" : "keep"
        }
        let answer = try await send("POST", "/console/conflicts/resolve", cookie: cookie, form: fields)
        guard answer.status == 303 else {
            throw StepProblem("the console did not save it (\(answer.status)): \(Self.error(in: answer.body))")
        }
        let seen = field == nil && fields["action"] == "keep" ? fields["deletes"] : fields["bases"]
        return (seen ?? "").split(separator: ",").compactMap { try? WriteID(parsing: String($0)) }
    }

    /// Logs in with the form; the session cookie.
    private func logIn() async throws -> String {
        let answer = try await send("POST", "/console/login", form: ["user": user, "password": password])
        guard answer.status == 303, let cookie = answer.cookie else {
            throw StepProblem("\(user) cannot log in to the console (\(answer.status)): \(Self.error(in: answer.body))")
        }
        return cookie
    }

    private func send(_ method: String, _ path: String, cookie: String? = nil, form: [String: String]? = nil)
        async throws -> (status: Int, body: String, cookie: String?)
    {
        var request = HTTPClientRequest(url: server + path)
        request.method = .init(rawValue: method)
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.headers.add(name: "Origin", value: server)
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            let body = form.sorted { $0.key < $1.key }.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
            }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await Self.client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        let cookie = response.headers["Set-Cookie"].first.flatMap { $0.split(separator: ";").first.map(String.init) }
        return (Int(response.status.code), String(buffer: body), cookie)
    }

    /// Each conflict form's hidden fields, by name.
    static func forms(in page: String) -> [[String: String]] {
        page.components(separatedBy: "<form method=\"post\" action=\"/console/conflicts/resolve\">").dropFirst().map {
            form in
            let body = form.components(separatedBy: "</form>")[0]
            var fields: [String: String] = [:]
            for input in body.components(separatedBy: "<input type=\"hidden\" ").dropFirst() {
                guard let name = attribute("name", in: input), let value = attribute("value", in: input) else {
                    continue
                }
                fields[name] = value
            }
            return fields
        }
    }

    private static func attribute(_ name: String, in tag: String) -> String? {
        guard let start = tag.range(of: "\(name)=\"") else { return nil }
        return String(tag[start.upperBound...].prefix { $0 != "\"" })
    }

    /// The error a console page shows, or its first characters.
    private static func error(in page: String) -> String {
        guard let start = page.range(of: "class=\"error\"") else { return String(page.prefix(200)) }
        let rest = page[start.upperBound...].drop { $0 != ">" }.dropFirst()
        return String(rest.prefix { $0 != "<" })
    }
}
