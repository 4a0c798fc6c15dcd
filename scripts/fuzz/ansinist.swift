// libFuzzer harness: the ANSI/NIST-ITL reader (NISTReader.read) and the booking interpretation
// (BookingTransaction) with the default limits, as `frs gallery import` uses them. Built by scripts/fuzz.sh.
import ANSINIST

let reader = NISTReader()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzANSINIST(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let transaction: NISTTransaction
    do {
        transaction = try reader.read(bytes)
    } catch {
        precondition(!error.message.isEmpty, "an error without a message: \(error.code)")
        return 0
    }
    // An accepted file is accounted for byte for byte, its records tile it in order.
    precondition(transaction.reassembled() == bytes, "the records put back together differ from the input")
    var next = 0
    for record in transaction.records {
        precondition(record.range.lowerBound == next && record.range.upperBound <= bytes.count, "records do not tile the file")
        for field in record.fields {
            precondition(field.value.lowerBound >= record.range.lowerBound && field.value.upperBound < record.range.upperBound,
                         "field \(field.tag) outside its record")
        }
        next = record.range.upperBound
    }
    precondition(next == bytes.count, "bytes after the last record were accepted")
    let booking = BookingTransaction(transaction)
    for face in booking.faces {
        if case .raw(let width, let height, let channels) = face.coding {
            precondition(face.data.count == width * height * channels, "raw image size")
        }
    }
    _ = booking.identity(fields: [NISTFieldReference(type: 2, number: 15), NISTFieldReference(type: 2, number: 14)])?.subject
    return 0
}
