/// Min, median and max of one figure over repeated runs. Quote the median.
public struct Spread: Codable, Sendable, Equatable {
    public var min: Double
    public var median: Double
    public var max: Double

    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
        median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
