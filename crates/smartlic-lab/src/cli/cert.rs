//! What `crypto pki authenticate` needs from a pasted CA certificate: base-64 decoding,
//! the MD5 and SHA-1 fingerprints IOS shows before asking to accept it ([CAT-TS]), and
//! the serial number and subject that `crypto pki certificate chain` / `show crypto pki
//! trustpoints` print. Small and self-contained: the lab has no X.509 dependency, and
//! only a certificate's outer structure is read (no signature is checked here; the
//! licensing agent validates the chain when it connects).

use std::collections::BTreeMap;

use crate::tree::Tree;

/// The DER bytes of the first certificate in pasted text (PEM armour optional).
pub fn der_from_paste(lines: &[String]) -> Option<Vec<u8>> {
    let body: String = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64_decode(&body)?;
    // A certificate is a DER SEQUENCE.
    (der.first() == Some(&0x30)).then_some(der)
}

/// PEM text for DER bytes, 64 columns.
pub fn pem(der: &[u8]) -> String {
    let b64 = base64_encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// Fingerprint as IOS groups it: upper-case hex in blocks of 8, space separated.
pub fn fingerprint(digest: &[u8]) -> String {
    let hex = hex_upper(digest);
    hex.as_bytes()
        .chunks(8)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The hex lines of a `certificate ca` block: 32 bytes per line in 8 groups of 4 bytes.
pub fn hex_lines(der: &[u8]) -> Vec<String> {
    der.chunks(32)
        .map(|line| line.chunks(4).map(hex_upper).collect::<Vec<_>>().join(" "))
        .collect()
}

/// DER bytes back from `hex_lines` (and from a saved config).
pub fn from_hex_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Option<Vec<u8>> {
    let hex: String = lines.flat_map(|l| l.split_whitespace()).collect();
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

/// Serial number (hex as IOS prints it) and subject attributes (`cn=…`, `o=…`) of a
/// certificate, in the order the subject lists them.
pub struct Summary {
    pub serial: String,
    pub subject: Vec<String>,
}

pub fn summary(der: &[u8]) -> Option<Summary> {
    let (cert, _) = read_tlv(der)?;
    let (tbs, _) = read_tlv(cert.content)?;
    let mut rest = tbs.content;
    let (mut item, mut after) = read_tlv(rest)?;
    if item.tag == 0xa0 {
        // [0] version
        rest = after;
        (item, after) = read_tlv(rest)?;
    }
    let serial = hex_upper(item.content);
    rest = after;
    for _ in 0..3 {
        // signature algorithm, issuer, validity
        rest = read_tlv(rest)?.1;
    }
    let (subject, _) = read_tlv(rest)?;
    Some(Summary {
        serial,
        subject: names(subject.content),
    })
}

/// `cn=…`, `o=…`, `ou=…` from an X.501 Name.
fn names(mut name: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    while let Some((set, rest)) = read_tlv(name) {
        name = rest;
        let Some((attribute, _)) = read_tlv(set.content) else {
            continue;
        };
        let Some((oid, value_rest)) = read_tlv(attribute.content) else {
            continue;
        };
        let Some((value, _)) = read_tlv(value_rest) else {
            continue;
        };
        let label = match oid.content {
            [0x55, 0x04, 0x03] => "cn",
            [0x55, 0x04, 0x0a] => "o",
            [0x55, 0x04, 0x0b] => "ou",
            [0x55, 0x04, 0x06] => "c",
            _ => continue,
        };
        out.push(format!(
            "{label}={}",
            String::from_utf8_lossy(value.content)
        ));
    }
    out
}

struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
}

fn read_tlv(data: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *data.first()?;
    let first = *data.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let len = data
            .get(2..2 + n)?
            .iter()
            .fold(0usize, |acc, b| acc << 8 | *b as usize);
        (len, 2 + n)
    };
    let content = data.get(header..header + len)?;
    Some((Tlv { tag, content }, &data[header + len..]))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        let value = B64.iter().position(|&b| b == c)? as u32;
        acc = acc << 6 | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (!out.is_empty()).then_some(out)
}

pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| acc << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// MD5 (RFC 1321), for the `Fingerprint MD5:` line only.
pub fn md5(data: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32)
        .collect();
    let mut h: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for block in padded(data, false).chunks(64) {
        let m: Vec<u32> = block
            .chunks(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let [mut a, mut b, mut c, mut d] = h;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 16];
    for (i, word) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// SHA-1 (FIPS 180-4), for the `Fingerprint SHA1:` line only.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    for block in padded(data, true).chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i / 20 {
                0 => ((b & c) | (!b & d), 0x5A827999),
                1 => (b ^ c ^ d, 0x6ED9EBA1),
                2 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, word) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// The message padded to 64-byte blocks with its bit length (big- or little-endian).
fn padded(data: &[u8], big_endian: bool) -> Vec<u8> {
    let mut m = data.to_vec();
    m.push(0x80);
    while m.len() % 64 != 56 {
        m.push(0);
    }
    let bits = (data.len() as u64).wrapping_mul(8);
    m.extend(if big_endian {
        bits.to_be_bytes()
    } else {
        bits.to_le_bytes()
    });
    m
}

/// The CA certificates a config holds, as PEM by trustpoint (after a reload).
pub fn certificates_in(running: &Tree) -> BTreeMap<String, String> {
    running
        .lines
        .iter()
        .filter_map(|l| {
            let name = l.text.strip_prefix("crypto pki certificate chain ")?;
            let certificate = l
                .children
                .iter()
                .find(|c| c.text.starts_with("certificate ca "))?;
            let hex = certificate
                .children
                .iter()
                .map(|c| c.text.as_str())
                .filter(|t| *t != "quit");
            let der = from_hex_lines(hex)?;
            Some((name.trim().to_string(), pem(&der)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_the_standard_test_vectors() {
        assert_eq!(hex_upper(&md5(b"")), "D41D8CD98F00B204E9800998ECF8427E");
        assert_eq!(hex_upper(&md5(b"abc")), "900150983CD24FB0D6963F7D28E17F72");
        assert_eq!(
            hex_upper(&sha1(b"abc")),
            "A9993E364706816ABA3E25717850C26C9CD0D89D"
        );
        assert_eq!(
            fingerprint(&md5(b"abc")),
            "90015098 3CD24FB0 D6963F7D 28E17F72"
        );
    }

    #[test]
    fn base64_round_trips() {
        for data in [&b""[..], b"a", b"ab", b"abc", b"abcd", &[0xff, 0x00, 0x30]] {
            let text = base64_encode(data);
            assert_eq!(base64_decode(&text).unwrap_or_default(), data);
        }
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert!(base64_decode("not*base64").is_none());
    }

    #[test]
    fn reads_serial_and_subject_of_a_generated_certificate() {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Lab Root CA");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "Lab");
        params.serial_number = Some(rcgen::SerialNumber::from(vec![0x01]));
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let der = cert.der().to_vec();
        let s = summary(&der).unwrap();
        assert_eq!(s.serial, "01");
        assert_eq!(s.subject, ["cn=Lab Root CA", "o=Lab"]);
        let lines: Vec<String> = cert.pem().lines().map(String::from).collect();
        assert_eq!(der_from_paste(&lines).unwrap(), der);
        assert_eq!(
            from_hex_lines(hex_lines(&der).iter().map(String::as_str)).unwrap(),
            der
        );
        assert_eq!(pem(&der), cert.pem().replace("\r\n", "\n"));
    }
}
