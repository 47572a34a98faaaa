//! "Zoek een plaats": every open offer scored for one participant, with the reasons in Dutch
//! for the ones shown.

use sqlx::PgConnection;

use crate::domain::search::search_key;
use crate::values::ids::{MunicipalityId, OfferId};
use crate::values::kinds::PlacementKind;
use crate::values::level::{DutchLevel, Taalicoon};
use crate::values::weekdays::{DayParts, Weekdays, join_dutch, when_text};

/// What matching knows of the participant.
#[derive(Debug, Clone)]
pub struct Profile {
    pub municipality_id: MunicipalityId,
    /// The municipalities bordering the participant's (`neighbours`).
    pub neighbours: Vec<MunicipalityId>,
    pub dutch_level: DutchLevel,
    pub languages: String,
    pub available_days: Weekdays,
    /// The form the coach looks for, if any.
    pub wanted_kind: Option<PlacementKind>,
}

/// The municipalities that border `municipality`.
pub async fn neighbours(
    conn: &mut PgConnection,
    municipality: MunicipalityId,
) -> Result<Vec<MunicipalityId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT neighbour_id AS "id: MunicipalityId" FROM municipality_neighbours
           WHERE municipality_id = $1"#,
        municipality.0
    )
    .fetch_all(conn)
    .await
}

/// An approved, open offer with free places, as matching ranks it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: OfferId,
    pub title: String,
    pub organisation_name: String,
    pub kind: PlacementKind,
    pub municipality_id: MunicipalityId,
    pub municipality: String,
    pub days: i16,
    pub day_parts: i16,
    pub by_arrangement: bool,
    pub taalicoon: i16,
    pub contact_languages: String,
    pub places: i32,
    pub free: i64,
}

impl Candidate {
    pub fn taalicoon(&self) -> Taalicoon {
        Taalicoon::from_db(self.taalicoon)
    }

    pub fn when_text(&self) -> String {
        when_text(
            Weekdays::from_db(self.days),
            DayParts::from_db(self.day_parts),
            self.by_arrangement,
        )
    }
}

/// One line of "why": a fit, a misfit or something not known yet, always in words (the icon
/// beside it is decoration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub fit: Fit,
    pub text: String,
}

/// Whether one criterion fits. `Unknown` when the participant's side is not filled in: saying
/// "past niet" then would blame every offer for a gap in the participant's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    Fits,
    Misfit,
    Unknown,
}

impl Fit {
    /// What a screen reader says before the reason.
    pub fn spoken(self) -> &'static str {
        match self {
            Self::Fits => "Past: ",
            Self::Misfit => "Past niet: ",
            Self::Unknown => "Nog onbekend: ",
        }
    }

    /// The icon beside the reason (hidden from screen readers).
    pub fn icon(self) -> &'static str {
        match self {
            Self::Fits => "✓",
            Self::Misfit => "✗",
            Self::Unknown => "?",
        }
    }

    pub fn css_class(self) -> &'static str {
        match self {
            Self::Fits => "fits",
            Self::Misfit => "misfit",
            Self::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Suggestion {
    pub offer: Candidate,
    pub score: i32,
    pub reasons: Vec<Reason>,
}

impl Suggestion {
    /// The offer asks more Dutch than the participant's level allows.
    pub fn too_demanding(&self, level: DutchLevel) -> bool {
        self.offer.taalicoon() > Taalicoon::for_level(level)
    }
}

/// Languages typed as free text ("Arabisch, Frans en Engels"), as search keys.
fn language_keys(text: &str) -> Vec<(String, String)> {
    text.split([',', ';', '/', '\n'])
        .flat_map(|part| part.split(" en "))
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| (search_key(part), part.to_string()))
        .collect()
}

/// Points and, when asked for, the reasons in Dutch: ranking scores every offer of the region,
/// the words are written only for the suggestions shown.
struct Assessment {
    score: i32,
    reasons: Option<Vec<Reason>>,
}

impl Assessment {
    fn note(&mut self, fits: bool, points: i32, text: impl FnOnce() -> String) {
        let fit = if fits { Fit::Fits } else { Fit::Misfit };
        self.explain(fit, points, text);
    }

    fn explain(&mut self, fit: Fit, points: i32, text: impl FnOnce() -> String) {
        self.score += points;
        if let Some(reasons) = &mut self.reasons {
            reasons.push(Reason { fit, text: text() });
        }
    }
}

/// How well one offer fits: the weights put the language demand first (an activity the person cannot follow helps
/// nobody), then the place, then the form asked for, then the days, then a shared language.
/// `spoken` is `language_keys(&profile.languages)`, computed once per ranking.
fn assess_with(
    profile: &Profile,
    spoken: &[(String, String)],
    offer: &Candidate,
    explain: bool,
) -> Assessment {
    let mut a = Assessment {
        score: 0,
        reasons: explain.then(Vec::new),
    };

    let recommended = Taalicoon::for_level(profile.dutch_level);
    let icon = offer.taalicoon();
    let level = profile.dutch_level.code();
    if icon <= recommended {
        a.note(true, 40, || {
            format!("taalicoon {}: past bij {level}", icon.get())
        });
    } else {
        a.note(
            false,
            -25 * i32::from(icon.get() - recommended.get()),
            || {
                format!(
                    "taalicoon {}: hoger dan aanbevolen voor {level}",
                    icon.get()
                )
            },
        );
    }

    if offer.municipality_id == profile.municipality_id {
        a.note(true, 30, || {
            format!("in de eigen gemeente ({})", offer.municipality)
        });
    } else if profile.neighbours.contains(&offer.municipality_id) {
        a.note(true, 20, || {
            format!("in een buurgemeente ({})", offer.municipality)
        });
    } else {
        a.note(false, 0, || {
            format!("verder weg: {}, geen buurgemeente", offer.municipality)
        });
    }

    if let Some(wanted) = profile.wanted_kind {
        if offer.kind == wanted {
            a.note(true, 20, || {
                format!("vorm: {}, zoals gezocht", offer.kind.label().to_lowercase())
            });
        } else {
            a.note(false, 0, || {
                format!(
                    "vorm: {}, niet {}",
                    offer.kind.label().to_lowercase(),
                    wanted.label().to_lowercase()
                )
            });
        }
    }

    let offer_days = Weekdays::from_db(offer.days);
    if offer.by_arrangement || offer_days.is_empty() {
        a.note(true, 10, || "dagen in overleg".to_string());
    } else if profile.available_days.is_empty() {
        a.explain(Fit::Unknown, 0, || {
            format!(
                "op {}: de beschikbare dagen van de inburgeraar zijn nog niet bekend",
                offer_days.text()
            )
        });
    } else {
        let shared = offer_days.overlap(profile.available_days);
        if shared.is_empty() {
            a.note(false, -15, || {
                format!("op {}: niet op een beschikbare dag", offer_days.text())
            });
        } else {
            a.note(true, 15, || {
                format!("op {}: een beschikbare dag", shared.text())
            });
        }
    }

    let contact = language_keys(&offer.contact_languages);
    if !contact.is_empty() {
        let shared: Vec<&str> = contact
            .iter()
            .filter(|(key, _)| spoken.iter().any(|(spoken, _)| spoken == key))
            .map(|(_, name)| name.as_str())
            .collect();
        if shared.is_empty() {
            a.note(false, 0, || {
                "geen gedeelde taal met de contactpersoon".to_string()
            });
        } else {
            a.note(true, 10, || {
                format!("de contactpersoon spreekt ook {}", join_dutch(&shared))
            });
        }
    }
    a
}

/// The best `shown` candidates by fit, best first (ties by free places, then by title), with
/// their reasons; and how many candidates there were.
pub fn rank(profile: &Profile, candidates: &[Candidate], shown: usize) -> (usize, Vec<Suggestion>) {
    let spoken = language_keys(&profile.languages);
    let total = candidates.len();
    let mut scored: Vec<(i32, &Candidate)> = candidates
        .iter()
        .map(|offer| (assess_with(profile, &spoken, offer, false).score, offer))
        .collect();
    scored.sort_by(|(a_score, a), (b_score, b)| {
        b_score
            .cmp(a_score)
            .then(b.free.cmp(&a.free))
            .then_with(|| a.title.cmp(&b.title))
            .then(a.id.cmp(&b.id))
    });
    scored.truncate(shown);
    let suggestions = scored
        .into_iter()
        .map(|(score, offer)| Suggestion {
            reasons: assess_with(profile, &spoken, offer, true)
                .reasons
                .unwrap_or_default(),
            offer: offer.clone(),
            score,
        })
        .collect();
    (total, suggestions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    /// How well one offer fits, with the reasons in Dutch.
    fn assess(profile: &Profile, offer: &Candidate) -> (i32, Vec<Reason>) {
        let spoken = language_keys(&profile.languages);
        let assessment = assess_with(profile, &spoken, offer, true);
        (assessment.score, assessment.reasons.unwrap_or_default())
    }

    fn candidate(title: &str, icon: i16, municipality: MunicipalityId) -> Candidate {
        Candidate {
            id: OfferId(Uuid::new_v4()),
            title: title.to_string(),
            organisation_name: "Org".to_string(),
            kind: PlacementKind::Buddy,
            municipality_id: municipality,
            municipality: "Brugge".to_string(),
            days: 0,
            day_parts: 0,
            by_arrangement: true,
            taalicoon: icon,
            contact_languages: String::new(),
            places: 1,
            free: 1,
        }
    }

    #[test]
    fn a_demanding_offer_is_marked_and_ranked_lower() {
        let home = MunicipalityId(Uuid::new_v4());
        let profile = Profile {
            municipality_id: home,
            neighbours: Vec::new(),
            dutch_level: DutchLevel::A1,
            languages: "Arabisch, Frans".to_string(),
            available_days: Weekdays::default(),
            wanted_kind: None,
        };
        let (total, ranked) = rank(
            &profile,
            &[
                candidate("Moeilijk", 4, home),
                candidate("Makkelijk", 1, home),
            ],
            2,
        );
        assert_eq!(total, 2);
        assert_eq!(ranked[0].offer.title, "Makkelijk");
        assert!(ranked[1].reasons.contains(&Reason {
            fit: Fit::Misfit,
            text: "taalicoon 4: hoger dan aanbevolen voor A1".into()
        }));
        assert!(ranked[1].too_demanding(DutchLevel::A1));
    }

    #[test]
    fn only_the_shown_suggestions_are_explained_and_all_are_counted() {
        let home = MunicipalityId(Uuid::new_v4());
        let profile = Profile {
            municipality_id: home,
            neighbours: Vec::new(),
            dutch_level: DutchLevel::A1,
            languages: String::new(),
            available_days: Weekdays::default(),
            wanted_kind: None,
        };
        let elsewhere = MunicipalityId(Uuid::new_v4());
        let (total, ranked) = rank(
            &profile,
            &[
                candidate("Ver weg", 1, elsewhere),
                candidate("Dichtbij", 1, home),
                candidate("Moeilijk", 4, home),
            ],
            2,
        );
        assert_eq!(total, 3);
        let titles: Vec<&str> = ranked.iter().map(|s| s.offer.title.as_str()).collect();
        assert_eq!(titles, ["Dichtbij", "Ver weg"]);
        for suggestion in &ranked {
            let (score, reasons) = assess(&profile, &suggestion.offer);
            assert_eq!((suggestion.score, &suggestion.reasons), (score, &reasons));
        }
    }

    #[test]
    fn shared_languages_are_found_word_by_word() {
        let home = MunicipalityId(Uuid::new_v4());
        let profile = Profile {
            municipality_id: home,
            neighbours: Vec::new(),
            dutch_level: DutchLevel::B1,
            languages: "Arabisch en Frans".to_string(),
            available_days: Weekdays::default(),
            wanted_kind: None,
        };
        let offer = Candidate {
            contact_languages: "Engels; frans".to_string(),
            ..candidate("Taalcafé", 2, home)
        };
        let (_, reasons) = assess(&profile, &offer);
        assert!(reasons.contains(&Reason {
            fit: Fit::Fits,
            text: "de contactpersoon spreekt ook frans".into()
        }));
    }
}
