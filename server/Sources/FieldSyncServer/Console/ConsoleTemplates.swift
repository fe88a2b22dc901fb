import Hummingbird
import Mustache

/// The console's pages as Mustache templates, compiled once. `{{x}}` is HTML-escaped; only the server's own SVG and
/// the rendered page body go in unescaped (`{{{x}}}`).
enum ConsoleTemplates {
    /// The compiled templates by name.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in sources {
            do { try library.register(text, named: name) } catch { preconditionFailure("template \(name): \(error)") }
        }
        return library
    }()

    /// Renders the template `name` with `context`.
    static func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? ""
    }

    /// A whole page: the layout around the template `name` rendered with `values`.
    static func page(_ title: String, _ name: String, _ values: [String: Any], user: [String: Any]?) -> String {
        var layout = values
        layout["title"] = title
        layout["content"] = render(name, values)
        if let user { layout["user"] = user }
        return render("layout", layout)
    }

    /// An HTML answer.
    static func html(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let sources: [String: String] = [
        "layout": """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · FieldSync</title><link rel="stylesheet" href="/console/style.css"></head>
        <body>
        {{#user}}<header><nav><strong>FieldSync</strong>
        <a href="/console/pipeline">Pipeline</a> <a href="/console/team">Team</a>
        <a href="/console/customers">Customers</a> <a href="/console/conflicts">Conflicts ({{conflictCount}})</a>
        <a href="/console/complaints">Complaints</a> <a href="/console/duplicates">Duplicates</a></nav>
        <form method="post" action="/console/logout" class="logout"><input type="hidden" name="csrf" value="{{csrf}}">
        <span id="who">{{name}} · {{role}} · team {{team}}</span> <button type="submit">Log out</button></form></header>{{/user}}
        <main><h1>{{title}}</h1>
        {{#notice}}<p class="notice" id="notice">{{.}}</p>{{/notice}}{{#error}}<p class="error" id="error" role="alert">{{.}}</p>{{/error}}
        {{{content}}}
        {{#asOf}}<p class="asof">Figures as of {{asOf}}; {{recordCount}} records visible to you.</p>{{/asOf}}
        </main></body></html>
        """,
        "login": """
        <form method="post" action="/console/login" class="login" id="login">
        <label>User name <input name="user" autocomplete="username" required maxlength="64" autofocus></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button type="submit">Log in</button></form>
        <p>Managers see their team's territories, reps their own, admins everything: the same view a laptop pulls.</p>
        """,
        "pipeline": """
        <section><h2>Funnel by stage</h2>{{{funnel}}}
        <table id="by-stage"><thead><tr><th>Stage</th><th>Count</th><th>Amount</th><th>Weighted forecast</th></tr></thead>
        <tbody>{{#stages}}<tr data-key="{{key}}" data-count="{{count}}" data-amount="{{amountKey}}" data-weighted="{{weightedKey}}">
        <td>{{key}}</td><td class="n">{{count}}</td><td class="n">{{amount}}</td><td class="n">{{weighted}}</td></tr>{{/stages}}</tbody></table></section>
        <section><h2>Open, won and lost</h2>
        <table id="outcomes"><thead><tr><th></th><th>Count</th><th>Amount</th><th>Weighted forecast</th></tr></thead>
        <tbody>{{#outcomes}}<tr data-key="{{key}}" data-count="{{count}}" data-amount="{{amountKey}}" data-weighted="{{weightedKey}}">
        <td>{{key}}</td><td class="n">{{count}}</td><td class="n">{{amount}}</td><td class="n">{{weighted}}</td></tr>{{/outcomes}}</tbody></table></section>
        <section><h2>Closing (open deals by expected close date)</h2>
        <table id="closing"><thead><tr><th>Period</th><th>Count</th><th>Amount</th><th>Weighted forecast</th></tr></thead>
        <tbody>{{#closing}}<tr data-key="{{key}}" data-count="{{count}}" data-amount="{{amountKey}}" data-weighted="{{weightedKey}}">
        <td>{{label}}</td><td class="n">{{count}}</td><td class="n">{{amount}}</td><td class="n">{{weighted}}</td></tr>{{/closing}}</tbody></table></section>
        <section><h2>Forecast by rep</h2>{{{repChart}}}
        <table id="by-rep"><thead><tr><th>Rep</th><th>Count</th><th>Amount</th><th>Weighted forecast</th></tr></thead>
        <tbody>{{#reps}}<tr data-key="{{key}}" data-count="{{count}}" data-amount="{{amountKey}}" data-weighted="{{weightedKey}}">
        <td>{{key}}</td><td class="n">{{count}}</td><td class="n">{{amount}}</td><td class="n">{{weighted}}</td></tr>{{/reps}}</tbody></table>
        <p class="hint">Every opportunity counts here, open and closed, as in <code>fieldsync pipeline --by rep</code>.</p></section>
        """,
        "team": """
        <form method="get" action="/console/team" class="inline"><label>Not updated for
        <input name="days" type="number" min="1" max="3650" value="{{days}}"> days</label> <button type="submit">Show</button></form>
        <table id="team"><thead><tr><th>Rep</th><th>Visits this week (done / planned)</th><th>Stale cards</th>
        <th>Stale open deals</th><th>Laptops: last push, clock offset</th></tr></thead>
        <tbody>{{#reps}}<tr data-rep="{{name}}"><td>{{name}}</td><td class="n">{{completed}} / {{planned}}</td>
        <td class="n">{{staleCards}}</td><td class="n">{{staleDeals}}</td>
        <td>{{#laptops}}<div>{{replica}}: {{lastPush}}, {{offset}}</div>{{/laptops}}{{^laptops}}never synced{{/laptops}}</td></tr>{{/reps}}</tbody></table>
        <section><h2>Cards not updated for {{days}} days</h2>
        {{#staleCards}}<table id="stale-cards"><thead><tr><th>Customer</th><th>Owner</th><th>Last update</th></tr></thead><tbody>
        {{#rows}}<tr><td><a href="/console/customers/{{id}}">{{label}}</a></td><td>{{owner}}</td><td>{{last}}</td></tr>{{/rows}}
        </tbody></table>{{/staleCards}}{{^staleCards}}<p>None.</p>{{/staleCards}}</section>
        <section><h2>Open deals without a change for {{days}} days</h2>
        {{#staleDeals}}<table id="stale-deals"><thead><tr><th>Opportunity</th><th>Customer</th><th>Owner</th><th>Stage</th><th>Last change</th></tr></thead><tbody>
        {{#rows}}<tr><td>{{label}}</td><td><a href="/console/customers/{{customer}}">{{customerLabel}}</a></td><td>{{owner}}</td><td>{{stage}}</td><td>{{last}}</td></tr>{{/rows}}
        </tbody></table>{{/staleDeals}}{{^staleDeals}}<p>None.</p>{{/staleDeals}}</section>
        """,
        "customers": """
        <form method="get" action="/console/customers" class="inline"><label>Search
        <input name="q" value="{{query}}" placeholder="name, phone or e-mail"></label> <button type="submit">Search</button></form>
        <table id="customers"><thead><tr><th>Customer</th><th>Territory</th><th>Owner</th><th>Class</th><th>Phone</th></tr></thead><tbody>
        {{#rows}}<tr><td><a href="/console/customers/{{id}}">{{label}}</a></td><td>{{territory}}</td><td>{{owner}}</td><td>{{class}}</td><td>{{phone}}</td></tr>{{/rows}}
        </tbody></table>{{#more}}<p class="hint">Showing the first {{shown}} of {{total}}: search to narrow.</p>{{/more}}
        """,
        "customer": """
        <table id="card" class="card"><tbody>{{#fields}}<tr{{#conflict}} class="conflict"{{/conflict}}><th>{{name}}</th><td>{{value}}{{#conflict}}
        <a href="/console/conflicts">in conflict</a>{{/conflict}}</td></tr>{{/fields}}</tbody></table>
        {{#children}}<section><h2>{{title}} ({{count}})</h2>{{#hasRows}}<table><thead><tr>{{#columns}}<th>{{.}}</th>{{/columns}}</tr></thead><tbody>
        {{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}</tbody></table>{{/hasRows}}</section>{{/children}}
        <section><h2>Notes</h2>{{#notes}}<blockquote><p>{{text}}</p><footer>{{author}}, {{time}}</footer></blockquote>{{/notes}}{{^notes}}<p>None.</p>{{/notes}}</section>
        <section><h2>History</h2><table id="history"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Old</th><th>New</th></tr></thead><tbody>
        {{#history}}<tr><td>{{time}}</td><td>{{author}}</td><td>{{what}}</td><td>{{old}}</td><td>{{new}}</td></tr>{{/history}}</tbody></table></section>
        """,
        "conflicts": """
        {{^conflicts}}<p id="no-conflicts">No open conflicts in your view.</p>{{/conflicts}}
        {{#conflicts}}<section class="conflict" id="conflict-{{anchor}}"><h2><a href="/console/customers/{{customer}}">{{label}}</a> · {{entity}} · {{what}}</h2>
        <form method="post" action="/console/conflicts/resolve"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="record" value="{{record}}"><input type="hidden" name="field" value="{{field}}">
        <input type="hidden" name="bases" value="{{bases}}"><input type="hidden" name="deletes" value="{{deletes}}">
        <table><thead><tr><th></th><th>Value</th><th>By</th><th>When</th></tr></thead><tbody>
        {{#heads}}<tr><td>{{#field}}<input type="radio" name="choice" value="{{id}}" id="h-{{domID}}"{{#winner}} checked{{/winner}}>{{/field}}</td>
        <td><label for="h-{{domID}}">{{value}}</label>{{#winner}} <em>(shown now)</em>{{/winner}}</td><td>{{author}}</td><td>{{time}}</td></tr>{{/heads}}
        {{#deleteMarkers}}<tr><td></td><td><em>deleted</em></td><td>{{author}}</td><td>{{time}}</td></tr>{{/deleteMarkers}}
        </tbody></table>
        {{#field}}<p><label><input type="radio" name="choice" value="new"> Another value:</label> <input name="value" class="newvalue" aria-label="another value"></p>
        <button type="submit" name="action" value="set">Keep this value</button>{{/field}}
        {{^field}}<button type="submit" name="action" value="keep">Keep the record</button> <button type="submit" name="action" value="delete">Delete it</button>{{/field}}
        </form></section>{{/conflicts}}
        """,
        "duplicates": """
        {{^pairs}}<p id="no-duplicates">No likely duplicates in your view.</p>{{/pairs}}
        {{#hasPairs}}<table id="duplicates"><thead><tr><th>Customer</th><th>Customer</th><th>Why they look alike</th><th>Merge</th></tr></thead><tbody>
        {{/hasPairs}}{{#pairs}}<tr data-pair="{{first}} {{second}}"><td><a href="/console/customers/{{first}}">{{firstLabel}}</a> ({{firstOwner}})</td>
        <td><a href="/console/customers/{{second}}">{{secondLabel}}</a> ({{secondOwner}})</td><td>{{reason}}</td>
        <td>{{#canMerge}}<form method="post" action="/console/duplicates/merge" class="merge inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="keep" value="{{first}}"><input type="hidden" name="duplicate" value="{{second}}"><button type="submit">Keep {{firstLabel}}</button></form>
        <form method="post" action="/console/duplicates/merge" class="merge inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="keep" value="{{second}}"><input type="hidden" name="duplicate" value="{{first}}"><button type="submit">Keep {{secondLabel}}</button></form>{{/canMerge}}
        {{^canMerge}}a manager merges{{/canMerge}}</td></tr>{{/pairs}}
        {{#hasPairs}}</tbody></table>{{/hasPairs}}
        <p class="hint">Cards with the same name once width, spaces, punctuation, case and company suffixes are set aside,
        the same phone digits, or the same e-mail. Keeping one merges the other into it: its contacts, visits, deals,
        complaints, tags and notes move over, fields it alone had are carried over, and fields where the two differ
        become conflicts to review. Edits reps made to the other card offline land on the one kept.</p>
        """,
        "complaints": """
        {{^steps}}<p>No open complaints in your view.</p>{{/steps}}
        {{#steps}}<section><h2>{{step}} ({{count}})</h2><table class="complaints"><thead><tr><th>Customer</th><th>Category</th><th>Age</th><th>Due</th><th>Department</th></tr></thead><tbody>
        {{#rows}}<tr{{#overdue}} class="overdue"{{/overdue}}><td><a href="/console/customers/{{customer}}">{{customerLabel}}</a></td><td>{{category}}</td>
        <td class="n">{{age}} days</td><td>{{due}}{{#overdue}} <strong>overdue</strong>{{/overdue}}</td><td>{{department}}</td></tr>{{/rows}}
        </tbody></table>{{#more}}<p class="hint">The {{shown}} oldest of {{count}} shown.</p>{{/more}}</section>{{/steps}}
        """,
        "error": """
        <p><a href="/console/pipeline">Back to the pipeline</a></p>
        """,
    ]

    /// The stylesheet: system fonts (CJK included through the system's own), nothing fetched from elsewhere.
    static let style = """
        body { font-family: "Noto Sans CJK SC", "Noto Sans", system-ui, sans-serif; margin: 0; color: #1d2733; }
        header { display: flex; justify-content: space-between; align-items: center; background: #1d3557; color: #fff;
          padding: 0.5rem 1rem; flex-wrap: wrap; }
        header a { color: #fff; margin-right: 1rem; } header form { margin: 0; }
        main { padding: 1rem 1.5rem; max-width: 80rem; }
        table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
        th, td { border-bottom: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        tr.conflict, tr.overdue { background: #fff4e5; }
        .error { color: #9b1c1c; font-weight: bold; } .notice { color: #1a5e20; font-weight: bold; }
        .hint, .asof { color: #57606a; font-size: 0.9rem; }
        section.conflict { border: 1px solid #d0d7de; border-radius: 6px; padding: 0 1rem 1rem; margin-bottom: 1rem; }
        svg.chart { max-width: 100%; height: auto; } svg .label, svg .value { font-size: 13px; fill: #1d2733; }
        form.login label { display: block; margin: 0.5rem 0; } form.inline { margin-bottom: 1rem; }
        blockquote { border-left: 3px solid #d0d7de; margin: 0.5rem 0; padding-left: 0.8rem; }
        """
}
