//! What of a request path may be written to a log. Personal links carry their secret in the
//! path (`/mijn/{token}`, `/bevestigen/{token}/…`, `/wachtwoord-herstellen/{token}`, and the
//! certificate codes of `/controle/{code}` and the old `/verify/{code}`); logs are read by more people, and kept longer, than
//! such a link lives. Every place that writes a path to a log (the request log, warnings, the
//! access log table) goes through [`redact_path`], so the list below is the one place to keep.

use percent_encoding::percent_decode_str;

/// Route words whose next path segment is a secret.
const SECRET_FOLLOWS: [&str; 5] = [
    "mijn",
    "bevestigen",
    "wachtwoord-herstellen",
    "controle",
    "verify",
];

/// What a logged path shows instead of a secret.
pub const MASK: &str = "…";

fn is_secret_route(word: &str) -> bool {
    SECRET_FOLLOWS.contains(&word)
}

/// `path` with the secret segment after every route word masked, keeping the route's shape:
/// `/mijn/3f9a…/certificaat.pdf` → `/mijn/…/certificaat.pdf`. Route words match in any case
/// and percent-encoded, and an empty segment does not end the watch, because a link typed
/// or pasted wrongly (`/Mijn/…`, `//mijn//…`, `/mijn%2F…`) still carries a working secret
/// even though it finds no page.
pub fn redact_path(path: &str) -> String {
    let mut secret_next = false;
    let mut shown = Vec::new();
    for segment in path.split('/') {
        if segment.is_empty() {
            shown.push(segment);
            continue;
        }
        let decoded = percent_decode_str(segment)
            .decode_utf8_lossy()
            .to_ascii_lowercase();
        // More than one part only when the client encoded a slash (%2F) inside the segment.
        let parts: Vec<&str> = decoded.split('/').collect();
        let word_inside = parts.iter().rev().skip(1).any(|part| is_secret_route(part));
        shown.push(if secret_next || word_inside {
            MASK
        } else {
            segment
        });
        secret_next = parts.last().is_some_and(|part| is_secret_route(part));
    }
    shown.join("/")
}

#[cfg(test)]
mod tests {
    use super::redact_path;

    #[test]
    fn link_tokens_stay_out_of_the_log() {
        assert_eq!(
            redact_path("/wachtwoord-herstellen/abc123"),
            "/wachtwoord-herstellen/…"
        );
        assert_eq!(
            redact_path("/bevestigen/abc123/uren/1/bevestigen"),
            "/bevestigen/…/uren/1/bevestigen"
        );
        assert_eq!(redact_path("/inburgeraars/1"), "/inburgeraars/1");
    }

    #[test]
    fn every_secret_route_keeps_its_shape_without_its_secret() {
        assert_eq!(redact_path("/mijn/abc123"), "/mijn/…");
        assert_eq!(
            redact_path("/mijn/abc123/certificaat.pdf"),
            "/mijn/…/certificaat.pdf"
        );
        assert_eq!(redact_path("/verify/ABCDE-FGHJK"), "/verify/…");
        assert_eq!(redact_path("/verify"), "/verify");
        assert_eq!(redact_path("/controle/ABCDE-FGHJK"), "/controle/…");
        assert_eq!(
            redact_path("/bevestigen/abc123/plaatsingen/7/alles-bevestigen"),
            "/bevestigen/…/plaatsingen/7/alles-bevestigen"
        );
        // Staff routes that merely contain a route word keep every segment.
        assert_eq!(
            redact_path("/inburgeraars/42/mijn-traject/kaart"),
            "/inburgeraars/42/mijn-traject/kaart"
        );
        assert_eq!(
            redact_path("/partner/uren/42/bevestigen"),
            "/partner/uren/42/bevestigen"
        );
    }

    #[test]
    fn links_typed_wrongly_are_masked_too() {
        assert_eq!(redact_path("/Mijn/abc123"), "/Mijn/…");
        assert_eq!(redact_path("//mijn//abc123/"), "//mijn//…/");
        assert_eq!(redact_path("/mijn%2Fabc123"), "/…");
        assert_eq!(redact_path("/%6Dijn/abc123"), "/%6Dijn/…");
        assert_eq!(redact_path("/x/mijn%2Fabc/def"), "/x/…/def");
    }
}
