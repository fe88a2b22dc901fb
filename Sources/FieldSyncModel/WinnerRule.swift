/// How the displayed value of a field in conflict is chosen among its heads.
///
/// The winner is a pure function of the set of heads, so every replica that has seen the same writes shows the same
/// value whatever the order of arrival. The conflict is recorded for review whichever rule picks the winner.
public enum WinnerRule: Hashable, Sendable {
    /// The head with the latest HLC wins (amounts, dates, text).
    case latest
    /// The head whose value ranks highest wins; equal ranks fall back to the latest HLC. Values not listed rank lowest.
    ///
    /// Visit status ranks completed over cancelled and missed over planned (what happened beats what was planned);
    /// opportunity stages rank won and lost equally above every open stage, so won against lost falls back to the
    /// latest HLC and stays in conflict for review; the complaint workflow ranks the furthest step highest.
    case ranked([String: Int])

    /// The rank of a value under this rule (0 for `latest`).
    public func rank(of value: Value) -> Int {
        switch self {
        case .latest: 0
        case .ranked(let ranks): value.text.flatMap { ranks[$0] } ?? -1
        }
    }
}
