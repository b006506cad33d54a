//! The server half of NTLMv2, enough for a proxy to check a client's answer: the Type 2
//! challenge it sends, and the NTProofStr check of the Type 3 answer (MS-NLMP 3.3.2).
//!
//! Written from the specification, apart from the client under test (which uses the `sspi`
//! crate), and checked against the specification's own test vector (MS-NLMP 4.2.4), so a
//! wrong idea shared by both cannot pass.

use hmac::{Hmac, KeyInit as _, Mac as _};
use md4::{Digest as _, Md4};

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
const NEGOTIATE_UNICODE: u32 = 0x0000_0001;
const REQUEST_TARGET: u32 = 0x0000_0004;
const NEGOTIATE_NTLM: u32 = 0x0000_0200;
const ALWAYS_SIGN: u32 = 0x0000_8000;
const TARGET_TYPE_DOMAIN: u32 = 0x0001_0000;
const EXTENDED_SESSION_SECURITY: u32 = 0x0008_0000;
const TARGET_INFO: u32 = 0x0080_0000;
const NEGOTIATE_128: u32 = 0x2000_0000;
const KEY_EXCHANGE: u32 = 0x4000_0000;
const NEGOTIATE_56: u32 = 0x8000_0000;

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    let mut mac = Hmac::<md5::Md5>::new_from_slice(key).expect("HMAC takes any key");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// NTOWFv2: HMAC-MD5 over the upper-cased user and the domain, keyed by MD4 of the password.
pub fn ntowfv2(user: &str, domain: &str, password: &str) -> [u8; 16] {
    let nt_hash = Md4::digest(utf16(password));
    hmac_md5(&nt_hash, &[&utf16(&user.to_uppercase()), &utf16(domain)])
}

/// The target information of the challenge: NetBIOS domain and computer name, and a
/// timestamp when given (clients then use it, and send no LMv2 response).
pub fn target_info(domain: &str, server: &str, timestamp: Option<u64>) -> Vec<u8> {
    let mut info = Vec::new();
    let mut pair = |id: u16, value: &[u8]| {
        info.extend_from_slice(&id.to_le_bytes());
        info.extend_from_slice(&(value.len() as u16).to_le_bytes());
        info.extend_from_slice(value);
    };
    pair(2, &utf16(domain));
    pair(1, &utf16(server));
    if let Some(time) = timestamp {
        pair(7, &time.to_le_bytes());
    }
    pair(0, &[]);
    info
}

/// A CHALLENGE_MESSAGE (Type 2) with `challenge` and `target_info`.
pub fn challenge_message(challenge: [u8; 8], domain: &str, target_info: &[u8]) -> Vec<u8> {
    let name = utf16(domain);
    let flags = NEGOTIATE_UNICODE
        | REQUEST_TARGET
        | NEGOTIATE_NTLM
        | ALWAYS_SIGN
        | TARGET_TYPE_DOMAIN
        | EXTENDED_SESSION_SECURITY
        | TARGET_INFO
        | NEGOTIATE_128
        | KEY_EXCHANGE
        | NEGOTIATE_56;
    let header = 48u32;
    let mut message = Vec::new();
    message.extend_from_slice(SIGNATURE);
    message.extend_from_slice(&2u32.to_le_bytes());
    message.extend_from_slice(&(name.len() as u16).to_le_bytes());
    message.extend_from_slice(&(name.len() as u16).to_le_bytes());
    message.extend_from_slice(&header.to_le_bytes());
    message.extend_from_slice(&flags.to_le_bytes());
    message.extend_from_slice(&challenge);
    message.extend_from_slice(&[0; 8]);
    message.extend_from_slice(&(target_info.len() as u16).to_le_bytes());
    message.extend_from_slice(&(target_info.len() as u16).to_le_bytes());
    message.extend_from_slice(&(header + name.len() as u32).to_le_bytes());
    message.extend_from_slice(&name);
    message.extend_from_slice(target_info);
    message
}

/// The NTLM message type (1, 2 or 3) of `message`, if it is one.
pub fn message_type(message: &[u8]) -> Option<u32> {
    (message.len() >= 12 && &message[..8] == SIGNATURE)
        .then(|| u32::from_le_bytes(message[8..12].try_into().expect("4 bytes")))
}

/// An AUTHENTICATE_MESSAGE's (Type 3) fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticate {
    pub user: String,
    pub domain: String,
    pub nt_response: Vec<u8>,
}

fn field(message: &[u8], at: usize) -> Option<&[u8]> {
    let len = u16::from_le_bytes(message.get(at..at + 2)?.try_into().ok()?) as usize;
    let offset = u32::from_le_bytes(message.get(at + 4..at + 8)?.try_into().ok()?) as usize;
    message.get(offset..offset.checked_add(len)?)
}

fn text(bytes: &[u8], unicode: bool) -> String {
    if unicode {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

pub fn parse_authenticate(message: &[u8]) -> Option<Authenticate> {
    if message_type(message)? != 3 || message.len() < 64 {
        return None;
    }
    let flags = u32::from_le_bytes(message[60..64].try_into().ok()?);
    let unicode = flags & NEGOTIATE_UNICODE != 0;
    Some(Authenticate {
        nt_response: field(message, 20)?.to_vec(),
        domain: text(field(message, 28)?, unicode),
        user: text(field(message, 36)?, unicode),
    })
}

/// Whether `answer` proves knowledge of `password` for `challenge` (NTLMv2 only: an NTLMv1
/// answer, 24 bytes, fails).
pub fn verify(answer: &Authenticate, password: &str, challenge: [u8; 8]) -> bool {
    if answer.nt_response.len() <= 16 {
        return false;
    }
    let (proof, blob) = answer.nt_response.split_at(16);
    let key = ntowfv2(&answer.user, &answer.domain, password);
    let expected = hmac_md5(&key, &[&challenge, blob]);
    expected
        .iter()
        .zip(proof)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// MS-NLMP 4.2.4: user "User", domain "Domain", password "Password", server challenge
    /// 0123456789abcdef, client challenge aa…, time 0, target info Domain/Server.
    #[test]
    fn the_specifications_test_vector_verifies() {
        assert_eq!(
            hex(&ntowfv2("User", "Domain", "Password")),
            "0c868a403bfd7a93a3001ef22ef02e3f"
        );
        let challenge = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
        let info = target_info("Domain", "Server", None);
        assert_eq!(
            hex(&info),
            "02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000"
        );
        let mut blob = vec![1, 1, 0, 0, 0, 0, 0, 0];
        blob.extend_from_slice(&[0; 8]);
        blob.extend_from_slice(&[0xaa; 8]);
        blob.extend_from_slice(&[0; 4]);
        blob.extend_from_slice(&info);
        blob.extend_from_slice(&[0; 4]);
        let proof = hmac_md5(&ntowfv2("User", "Domain", "Password"), &[&challenge, &blob]);
        assert_eq!(hex(&proof), "68cd0ab851e51c96aabc927bebef6a1c");
        let mut nt_response = proof.to_vec();
        nt_response.extend_from_slice(&blob);
        let answer = Authenticate {
            user: "user".into(), // user names compare without case
            domain: "Domain".into(),
            nt_response,
        };
        assert!(verify(&answer, "Password", challenge));
        assert!(!verify(&answer, "password", challenge));
        assert!(!verify(&answer, "Password", [0; 8]));
        let other_domain = Authenticate {
            domain: "DOMAIN".into(),
            ..answer.clone()
        };
        assert!(
            !verify(&other_domain, "Password", challenge),
            "domains compare exactly"
        );
    }

    #[test]
    fn messages_are_recognised_and_garbage_is_not() {
        let message = challenge_message([7; 8], "CORP", &target_info("CORP", "PROXY", Some(1)));
        assert_eq!(message_type(&message), Some(2));
        assert_eq!(message_type(b"NTLMSSP"), None);
        assert_eq!(parse_authenticate(&message), None);
        assert_eq!(parse_authenticate(b"NTLMSSP\0\x03\0\0\0"), None);
    }
}
