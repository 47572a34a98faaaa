//! The registration form read into a [`ParticipantInput`], every field checked at once.

use serde::Serialize;
use time::Date;

use crate::domain::user::{Email, PersonName, UserInputError};
use crate::values::dates::{self, DateError};
use crate::values::ids::MunicipalityId;
use crate::values::level::DutchLevel;
use crate::values::weekdays::Weekdays;

use super::Obligation;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParticipantInputError {
    #[error("Vul de naam in.")]
    NameMissing,
    #[error("{0}")]
    Date(DateError),
    #[error("De geboortedatum ligt in de toekomst.")]
    BornInFuture,
    #[error("Kies een gemeente.")]
    MunicipalityMissing,
    #[error("Kies het niveau Nederlands.")]
    LevelMissing,
    #[error("Kies of het traject verplicht of vrijwillig is.")]
    ObligationMissing,
    #[error("{0}")]
    Email(UserInputError),
    #[error("De einddatum ligt vóór de startdatum.")]
    EndBeforeStart,
    #[error("Kies een reden uit de lijst.")]
    ReasonMissing,
}

/// What a register or edit form becomes once every field is read.
#[derive(Debug, Clone, Serialize)]
pub struct ParticipantInput {
    pub full_name: PersonName,
    pub birth_date: Date,
    pub municipality_id: MunicipalityId,
    pub dutch_level: DutchLevel,
    pub languages: String,
    pub phone: String,
    pub email: Option<Email>,
    pub external_dossier: String,
    pub obligation: Obligation,
    pub start_date: Date,
    /// `None`: the region's default trajectory length after the start.
    pub target_end_date: Option<Date>,
    pub notes: String,
    /// The days the person can take part, for matching; empty when not known yet.
    pub available_days: Weekdays,
}

/// The raw strings of the form, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ParticipantForm {
    pub full_name: String,
    pub birth_date: String,
    pub municipality_id: String,
    pub dutch_level: String,
    pub languages: String,
    pub phone: String,
    pub email: String,
    pub external_dossier: String,
    pub obligation: String,
    pub start_date: String,
    pub target_end_date: String,
    pub notes: String,
    // The available-days checkboxes: non-empty when ticked.
    pub dag_ma: String,
    pub dag_di: String,
    pub dag_wo: String,
    pub dag_do: String,
    pub dag_vr: String,
    pub dag_za: String,
    pub dag_zo: String,
}

impl ParticipantForm {
    pub fn available_days(&self) -> Weekdays {
        Weekdays::from_checked(
            [
                &self.dag_ma,
                &self.dag_di,
                &self.dag_wo,
                &self.dag_do,
                &self.dag_vr,
                &self.dag_za,
                &self.dag_zo,
            ]
            .map(|day| !day.is_empty()),
        )
    }

    /// Sets the available-days checkboxes from stored days.
    pub fn with_days(self, days: Weekdays) -> Self {
        let tick = |index: usize| {
            if days.contains(index) {
                "ja".to_string()
            } else {
                String::new()
            }
        };
        Self {
            dag_ma: tick(0),
            dag_di: tick(1),
            dag_wo: tick(2),
            dag_do: tick(3),
            dag_vr: tick(4),
            dag_za: tick(5),
            dag_zo: tick(6),
            ..self
        }
    }

    /// Parses every field; the errors come back per field name, in form order.
    pub fn parse(
        &self,
        today: Date,
    ) -> Result<ParticipantInput, Vec<(&'static str, ParticipantInputError)>> {
        use ParticipantInputError as E;
        let mut errors = Vec::new();
        fn take<T>(
            errors: &mut Vec<(&'static str, ParticipantInputError)>,
            field: &'static str,
            result: Result<T, ParticipantInputError>,
        ) -> Option<T> {
            result.map_err(|error| errors.push((field, error))).ok()
        }
        let full_name = take(
            &mut errors,
            "full_name",
            PersonName::parse(&self.full_name).map_err(|_| E::NameMissing),
        );
        let birth_date = take(
            &mut errors,
            "birth_date",
            dates::parse_date(&self.birth_date)
                .map_err(E::Date)
                .and_then(|d| {
                    if d > today {
                        Err(E::BornInFuture)
                    } else {
                        Ok(d)
                    }
                }),
        );
        let municipality_id = take(
            &mut errors,
            "municipality_id",
            self.municipality_id
                .trim()
                .parse::<uuid::Uuid>()
                .map(MunicipalityId)
                .map_err(|_| E::MunicipalityMissing),
        );
        let dutch_level = take(
            &mut errors,
            "dutch_level",
            DutchLevel::parse(self.dutch_level.trim()).ok_or(E::LevelMissing),
        );
        let email = take(
            &mut errors,
            "email",
            match self.email.trim() {
                "" => Ok(None),
                typed => Email::parse(typed).map(Some).map_err(E::Email),
            },
        );
        let obligation = take(
            &mut errors,
            "obligation",
            Obligation::parse(self.obligation.trim()).ok_or(E::ObligationMissing),
        );
        let start_date = take(
            &mut errors,
            "start_date",
            match self.start_date.trim() {
                "" => Ok(today),
                typed => dates::parse_date(typed).map_err(E::Date),
            },
        );
        let target_end_date = take(
            &mut errors,
            "target_end_date",
            match self.target_end_date.trim() {
                "" => Ok(None),
                typed => dates::parse_date(typed).map(Some).map_err(E::Date),
            },
        );
        if let (Some(start), Some(Some(end))) = (start_date, target_end_date)
            && end < start
        {
            errors.push(("target_end_date", E::EndBeforeStart));
        }
        match (
            full_name,
            birth_date,
            municipality_id,
            dutch_level,
            email,
            obligation,
            start_date,
            target_end_date,
        ) {
            (
                Some(full_name),
                Some(birth_date),
                Some(municipality_id),
                Some(dutch_level),
                Some(email),
                Some(obligation),
                Some(start_date),
                Some(target_end_date),
            ) if errors.is_empty() => Ok(ParticipantInput {
                full_name,
                birth_date,
                municipality_id,
                dutch_level,
                languages: self.languages.trim().to_string(),
                phone: self.phone.trim().to_string(),
                email,
                external_dossier: self.external_dossier.trim().to_string(),
                obligation,
                start_date,
                target_end_date,
                notes: self.notes.trim().to_string(),
                available_days: self.available_days(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn form_parses_and_reports_every_field() {
        let today = date!(2026 - 11 - 24);
        let form = ParticipantForm {
            full_name: " Öztürk Ayşe ".into(),
            birth_date: "17/05/1990".into(),
            municipality_id: uuid::Uuid::nil().to_string(),
            dutch_level: "A2".into(),
            obligation: "verplicht".into(),
            ..Default::default()
        };
        let input = form.parse(today).expect("valid");
        assert_eq!(input.full_name.as_str(), "Öztürk Ayşe");
        assert_eq!(input.start_date, today);
        assert_eq!(input.target_end_date, None);

        let bad = ParticipantForm {
            birth_date: "31/02/1990".into(),
            email: "geen-adres".into(),
            start_date: "2026-12-01".into(),
            target_end_date: "2026-11-01".into(),
            ..Default::default()
        };
        let fields: Vec<&str> = bad
            .parse(today)
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                "full_name",
                "birth_date",
                "municipality_id",
                "dutch_level",
                "email",
                "obligation",
                "target_end_date"
            ]
        );
    }
}
