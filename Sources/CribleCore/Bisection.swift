extension RandomAccessCollection where Index == Int {
    /// The index of the last element whose key is at most `bound`, in a collection sorted by that
    /// key; `nil` when even the first one's is above it. What every "which line, run, sentence or
    /// booster holds this position" lookup asks: a handful of comparisons over a sorted list.
    @inlinable
    public func lastIndex<Key: Comparable>(withKeyAtMost bound: Key, key: (Element) -> Key) -> Int? {
        var low = startIndex, high = endIndex
        while low < high {
            let middle = low &+ (high &- low) / 2
            if key(self[middle]) <= bound { low = middle &+ 1 } else { high = middle }
        }
        return low > startIndex ? low &- 1 : nil
    }
}
