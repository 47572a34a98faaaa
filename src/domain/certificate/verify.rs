//! Public verification: the code printed on a certificate, looking it up, and the rate limit
//! of the verification page.

use rand::RngCore;
use serde::Serialize;
use sqlx::PgConnection;
use time::Date;

use super::CertificateStatus;

/// Requests per client address per minute on the public verification page.
pub const VERIFY_REQUESTS_PER_MINUTE: i32 = 30;

/// Crockford's base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The key to a certificate's public verification page: 15 characters of Crockford base32,
/// 75 random bits. Printed as `7K3MQ-9XD2H-FAPZ4` and in the QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct VerifyCode(String);

impl VerifyCode {
    pub const LEN: usize = 15;

    pub fn generate() -> Self {
        let mut bytes = [0u8; Self::LEN];
        rand::rng().fill_bytes(&mut bytes);
        // 5 bits of each random byte: uniform over the 32 symbols.
        Self(
            bytes
                .iter()
                .map(|b| char::from(CROCKFORD[usize::from(b & 0x1f)]))
                .collect(),
        )
    }

    /// Reads a code as people type it: any case, with or without dashes and spaces; `O` is
    /// read as `0` and `I`/`L` as `1`, as Crockford's alphabet intends.
    pub fn parse(input: &str) -> Option<Self> {
        let mut code = String::with_capacity(Self::LEN);
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !CROCKFORD.contains(&(c as u8)) {
                return None;
            }
            code.push(c);
        }
        (code.len() == Self::LEN).then_some(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In groups of five, for people to read and type.
    pub fn grouped(&self) -> String {
        group_code(&self.0)
    }
}

/// `ABCDEFGHJKMNPQR` → `ABCDE-FGHJK-MNPQR`.
pub fn group_code(code: &str) -> String {
    code.as_bytes()
        .chunks(5)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// What the public verification page shows: what the paper shows, nothing more.
#[derive(Debug, Clone)]
pub struct Verified {
    pub number: String,
    pub full_name: String,
    pub issued_on: Date,
    pub total_minutes: i32,
    pub status: CertificateStatus,
    /// Who issued it, as printed on it: whom to ask about it.
    pub region_name: String,
    pub municipality_name: String,
}

pub async fn find_by_code(
    conn: &mut PgConnection,
    code: &VerifyCode,
) -> Result<Option<Verified>, sqlx::Error> {
    sqlx::query_as!(
        Verified,
        r#"SELECT number, full_name, issued_on, total_minutes,
                  status AS "status: CertificateStatus", region_name, municipality_name
           FROM certificates WHERE verify_code = $1"#,
        code.as_str()
    )
    .fetch_optional(conn)
    .await
}

/// Counts a request to the verification page for `client_addr` in the current minute and
/// returns how many this address made in it. Shared by all instances through the table; the
/// first request of a minute also clears windows older than ten minutes.
pub async fn count_verify_request(
    conn: &mut PgConnection,
    client_addr: &str,
) -> Result<i32, sqlx::Error> {
    let count = sqlx::query_scalar!(
        r#"INSERT INTO verify_requests (client_addr, window_start, count)
           VALUES ($1, date_trunc('minute', now()), 1)
           ON CONFLICT (client_addr, window_start)
           DO UPDATE SET count = verify_requests.count + 1
           RETURNING count"#,
        client_addr
    )
    .fetch_one(&mut *conn)
    .await?;
    if count == 1 {
        sqlx::query!(
            "DELETE FROM verify_requests WHERE window_start < now() - interval '10 minutes'"
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_fifteen_crockford_characters_and_differ() {
        let a = VerifyCode::generate();
        let b = VerifyCode::generate();
        assert_eq!(a.as_str().len(), VerifyCode::LEN);
        assert!(a.as_str().bytes().all(|c| CROCKFORD.contains(&c)));
        assert_ne!(a, b);
        assert_eq!(a.grouped().len(), 17);
        assert_eq!(VerifyCode::parse(&a.grouped()), Some(a));
    }

    #[test]
    fn codes_are_read_as_people_type_them() {
        let code = VerifyCode::parse("7k3mq-9xd2h-fapz4").expect("lower case with dashes");
        assert_eq!(code.as_str(), "7K3MQ9XD2HFAPZ4");
        assert_eq!(code.grouped(), "7K3MQ-9XD2H-FAPZ4");
        assert_eq!(
            VerifyCode::parse("OIL00 00000 00000").map(|c| c.0),
            Some("011000000000000".into())
        );
        assert_eq!(VerifyCode::parse("7K3MQ9XD2HFAPZ"), None, "too short");
        assert_eq!(
            VerifyCode::parse("7K3MQ9XD2HFAPZ4U"),
            None,
            "U is not in the alphabet"
        );
        assert_eq!(VerifyCode::parse("7K3MQ9XD2HFAPZ4Z"), None, "too long");
        assert_eq!(VerifyCode::parse("7K3MQ9XD2HFAPZé"), None);
        assert_eq!(VerifyCode::parse(""), None);
    }
}
