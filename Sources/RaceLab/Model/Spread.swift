/// Min, median and max of one figure over repeated runs. Quote the median.
package struct Spread: Codable, Sendable, Equatable {
    /// The smallest value.
    package var min: Double
    /// The middle value (the mean of the two middle ones for an even count): quote this one.
    package var median: Double
    /// The largest value.
    package var max: Double

    /// The spread of `values`; nil when there are none.
    package init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
        median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
