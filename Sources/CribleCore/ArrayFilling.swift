extension Array {
    /// `count` copies of `value`, for the arrays made for every document.
    ///
    /// The standard library's `init(repeating:count:)` allocates through a function compiled
    /// once for all element types, which looks the storage's type up in the runtime's tables on
    /// every call: some 300 instructions, against about 80 for the allocation itself. Growing an
    /// empty array with `reserveCapacity` allocates through code specialised for the element
    /// type, which finds the storage's type once.
    @inlinable
    public init(filledWith value: Element, count: Int) {
        self.init()
        reserveCapacity(count)
        append(contentsOf: repeatElement(value, count: count))
    }
}
