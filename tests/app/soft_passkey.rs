//! A software authenticator for the HTTP tests: an ES256 key made with OpenSSL, answering the
//! server's WebAuthn options as a browser with a platform authenticator would (attestation
//! "none", user present and verified). The browser journey uses Chromium's own virtual
//! authenticator instead.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openssl::bn::BigNumContext;
use openssl::ec::{EcGroup, EcKey};
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use openssl::pkey::Private;
use openssl::sha::sha256;
use serde_cbor_2::Value as Cbor;
use serde_json::{Value, json};

/// User present, user verified.
const PRESENT_AND_VERIFIED: u8 = 0x01 | 0x04;
/// ... with attested credential data.
const WITH_CREDENTIAL: u8 = PRESENT_AND_VERIFIED | 0x40;

pub struct SoftPasskey {
    key: EcKey<Private>,
    pub credential_id: Vec<u8>,
    user_handle: Vec<u8>,
    /// The signature counter the next answer carries.
    pub counter: u32,
    origin: String,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn client_data(kind: &str, options: &Value, origin: &str) -> Vec<u8> {
    let challenge = options["publicKey"]["challenge"]
        .as_str()
        .expect("a challenge");
    serde_json::to_vec(&json!({
        "type": kind,
        "challenge": challenge,
        "origin": origin,
        "crossOrigin": false,
    }))
    .expect("client data")
}

fn auth_data(rp_id: &str, flags: u8, counter: u32) -> Vec<u8> {
    let mut data = sha256(rp_id.as_bytes()).to_vec();
    data.push(flags);
    data.extend_from_slice(&counter.to_be_bytes());
    data
}

impl SoftPasskey {
    /// A new passkey answering registration `options` for `origin` (the site's `BASE_URL`):
    /// the passkey and the JSON the browser would send.
    pub fn register(options: &Value, origin: &str) -> (Self, String) {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("P-256");
        let key = EcKey::generate(&group).expect("a key");
        let credential_id = uuid::Uuid::new_v4().as_bytes().to_vec();
        let user = options["publicKey"]["user"]["id"]
            .as_str()
            .expect("user id");
        let user_handle = URL_SAFE_NO_PAD.decode(user).expect("base64url");
        let rp_id = options["publicKey"]["rp"]["id"].as_str().expect("rp id");

        let mut context = BigNumContext::new().expect("context");
        let mut x = openssl::bn::BigNum::new().expect("x");
        let mut y = openssl::bn::BigNum::new().expect("y");
        key.public_key()
            .affine_coordinates(&group, &mut x, &mut y, &mut context)
            .expect("coordinates");
        let cose = Cbor::Map(BTreeMap::from([
            (Cbor::Integer(1), Cbor::Integer(2)),
            (Cbor::Integer(3), Cbor::Integer(-7)),
            (Cbor::Integer(-1), Cbor::Integer(1)),
            (
                Cbor::Integer(-2),
                Cbor::Bytes(x.to_vec_padded(32).expect("x")),
            ),
            (
                Cbor::Integer(-3),
                Cbor::Bytes(y.to_vec_padded(32).expect("y")),
            ),
        ]));
        let mut data = auth_data(rp_id, WITH_CREDENTIAL, 0);
        data.extend_from_slice(&[0; 16]);
        data.extend_from_slice(
            &u16::try_from(credential_id.len())
                .expect("short")
                .to_be_bytes(),
        );
        data.extend_from_slice(&credential_id);
        data.extend(serde_cbor_2::to_vec(&cose).expect("COSE key"));
        let attestation = Cbor::Map(BTreeMap::from([
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(BTreeMap::new())),
            (Cbor::Text("authData".into()), Cbor::Bytes(data)),
        ]));
        let answer = json!({
            "id": b64(&credential_id),
            "rawId": b64(&credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&serde_cbor_2::to_vec(&attestation).expect("CBOR")),
                "clientDataJSON": b64(&client_data("webauthn.create", options, origin)),
            },
            "extensions": {},
        });
        let passkey = Self {
            key,
            credential_id,
            user_handle,
            counter: 1,
            origin: origin.to_string(),
        };
        (passkey, answer.to_string())
    }

    /// The answer to login `options`, signed, with the next counter.
    pub fn sign(&mut self, options: &Value) -> String {
        let rp_id = options["publicKey"]["rpId"].as_str().expect("rp id");
        let client = client_data("webauthn.get", options, &self.origin);
        let data = auth_data(rp_id, PRESENT_AND_VERIFIED, self.counter);
        self.counter += 1;
        let mut signed = data.clone();
        signed.extend_from_slice(&sha256(&client));
        let signature = EcdsaSig::sign(&sha256(&signed), &self.key)
            .and_then(|signature| signature.to_der())
            .expect("a signature");
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&data),
                "clientDataJSON": b64(&client),
                "signature": b64(&signature),
                "userHandle": b64(&self.user_handle),
            },
            "extensions": {},
        })
        .to_string()
    }
}
