extension RGBImage {
    /// The part of the image inside a rectangle, with a margin, clamped to the image.
    ///
    /// - Parameters:
    ///   - left, top, right, bottom: the rectangle in pixels, inclusive corners (dlib's convention);
    ///     it may reach outside the image.
    ///   - margin: extra border on each side, as a fraction of the rectangle's width and height.
    /// - Returns: the crop, or `nil` when the rectangle (with its margin) misses the image or is empty.
    /// - Complexity: O(pixels of the crop).
    public func cropped(left: Int, top: Int, right: Int, bottom: Int, margin: Double = 0) -> RGBImage? {
        guard right >= left, bottom >= top, width > 0, height > 0 else { return nil }
        let padX = Int((Double(right - left + 1) * margin).rounded())
        let padY = Int((Double(bottom - top + 1) * margin).rounded())
        let x0 = max(0, left - padX), y0 = max(0, top - padY)
        let x1 = min(width - 1, right + padX), y1 = min(height - 1, bottom + padY)
        guard x1 >= x0, y1 >= y0 else { return nil }
        let w = x1 - x0 + 1, h = y1 - y0 + 1
        var out = [UInt8]()
        out.reserveCapacity(w * h * 3)
        for y in y0...y1 {
            let start = (y * width + x0) * 3
            out.append(contentsOf: pixels[start..<(start + w * 3)])
        }
        return RGBImage(width: w, height: h, pixels: out)
    }

    /// The image scaled (bilinear) so that its longer side is at most `maxSide`; unchanged when it fits.
    public func fitting(maxSide: Int) -> RGBImage {
        let longer = max(width, height)
        guard maxSide > 0, longer > maxSide else { return self }
        let scale = Double(maxSide) / Double(longer)
        return resized(width: max(1, Int((Double(width) * scale).rounded())),
                       height: max(1, Int((Double(height) * scale).rounded())))
    }
}
