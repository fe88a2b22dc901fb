/// A count and its noun, in the number the count asks for: "1 laptop", "3 laptops", "0 replies" with `plural`.
public func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
