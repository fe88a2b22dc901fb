import COpenSSL

/// The cryptography the server needs, from the system OpenSSL: random bytes, SHA-256, HMAC-SHA256, PBKDF2 and
/// constant-time comparison.
enum Crypto {
    /// `count` cryptographically secure random bytes.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(status == 1, "OpenSSL RAND_bytes failed: the system has no entropy source")
        return bytes
    }

    /// SHA-256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                _ = SHA256(input.baseAddress, input.count, output.baseAddress)
            }
        }
        return digest
    }

    /// PBKDF2-HMAC-SHA256 of `password` with `salt` and `iterations`, 32 bytes long.
    static func pbkdf2(password: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: 32)
        let passwordBytes = Array(password.utf8)
        let status = passwordBytes.withUnsafeBufferPointer { pass in
            salt.withUnsafeBufferPointer { saltBuffer in
                key.withUnsafeMutableBufferPointer { out in
                    pass.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(pass.count, 1)) { passChars in
                        PKCS5_PBKDF2_HMAC(
                            passChars, Int32(pass.count), saltBuffer.baseAddress, Int32(saltBuffer.count),
                            Int32(iterations), EVP_sha256(), Int32(out.count), out.baseAddress)
                    }
                }
            }
        }
        precondition(status == 1, "OpenSSL PKCS5_PBKDF2_HMAC failed")
        return key
    }

    /// HMAC-SHA256 of `bytes` under `key`.
    static func hmacSHA256(key: [UInt8], _ bytes: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var length: UInt32 = 0
        let result = key.withUnsafeBufferPointer { keyBuffer in
            bytes.withUnsafeBufferPointer { input in
                mac.withUnsafeMutableBufferPointer { output in
                    HMAC(
                        EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count), input.baseAddress, input.count,
                        output.baseAddress, &length)
                }
            }
        }
        precondition(result != nil && length == SHA256_DIGEST_LENGTH, "OpenSSL HMAC failed")
        return mac
    }

    /// Whether `a` and `b` are equal, in time that depends only on their length.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBufferPointer { left in
            b.withUnsafeBufferPointer { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, a.count) == 0 }
        }
    }

    /// Lower-case hexadecimal text of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of lower-case or upper-case hexadecimal text, or `nil` if it is not hexadecimal.
    static func bytes(hex text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
