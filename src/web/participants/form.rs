//! The registration and edit form as typed, read into a [`ParticipantInput`] with every field
//! checked at once.

use serde::Deserialize;
use time::Date;

use crate::domain::participant::{
    DossierNumber, Obligation, Participant, ParticipantInput, ParticipantInputError,
    parse_birth_date,
};
use crate::domain::user::{Email, PersonName};
use crate::values::dates;
use crate::values::ids::MunicipalityId;
use crate::values::level::DutchLevel;
use crate::values::weekdays::Weekdays;
use crate::web::forms::{Checkbox, FieldErrors, day_boxes};

/// The raw strings of the form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ParticipantForm {
    pub(super) full_name: String,
    pub(super) birth_date: String,
    pub(super) municipality_id: String,
    pub(super) dutch_level: String,
    pub(super) languages: String,
    pub(super) phone: String,
    pub(super) email: String,
    pub(super) external_dossier: String,
    pub(super) obligation: String,
    pub(super) start_date: String,
    pub(super) target_end_date: String,
    pub(super) notes: String,
    // The available-days checkboxes: non-empty when ticked.
    dag_ma: String,
    dag_di: String,
    dag_wo: String,
    dag_do: String,
    dag_vr: String,
    dag_za: String,
    dag_zo: String,
}

impl ParticipantForm {
    /// A new registration: compulsory, starting `today`.
    pub(super) fn fresh(today: Date) -> Self {
        Self {
            obligation: Obligation::Verplicht.code().into(),
            start_date: dates::iso_date(today),
            ..Self::default()
        }
    }

    /// The form as it would be typed, to prefill the edit page.
    pub(super) fn of(participant: &Participant) -> Self {
        Self {
            full_name: participant.full_name.clone(),
            birth_date: dates::iso_date(participant.birth_date),
            municipality_id: participant.municipality_id.to_string(),
            dutch_level: participant.dutch_level.code().into(),
            languages: participant.languages.clone(),
            phone: participant.phone.clone(),
            email: participant.email.clone(),
            external_dossier: participant.external_dossier.clone(),
            obligation: participant.obligation.code().into(),
            start_date: dates::iso_date(participant.start_date),
            target_end_date: dates::iso_date(participant.target_end_date),
            notes: participant.notes.clone(),
            ..Self::default()
        }
        .with_days(participant.weekdays())
    }

    fn available_days(&self) -> Weekdays {
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
    fn with_days(self, days: Weekdays) -> Self {
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

    /// The available-days checkboxes, as typed.
    pub(super) fn day_boxes(&self) -> Vec<Checkbox> {
        day_boxes(self.available_days())
    }

    /// Parses every field; the errors come back per field name, in form order. A blank start
    /// is `today`, which also bounds the birth date.
    pub(super) fn parse(&self, today: Date) -> Result<ParticipantInput, FieldErrors> {
        use ParticipantInputError as E;
        let mut errors = FieldErrors::default();
        let full_name = errors.check(
            "full_name",
            PersonName::parse(&self.full_name).map_err(|_| E::NameMissing),
        );
        let birth_date = errors.check("birth_date", parse_birth_date(&self.birth_date, today));
        let municipality_id = errors.check(
            "municipality_id",
            self.municipality_id
                .trim()
                .parse::<uuid::Uuid>()
                .map(MunicipalityId)
                .map_err(|_| E::MunicipalityMissing),
        );
        let dutch_level = errors.check(
            "dutch_level",
            DutchLevel::parse(self.dutch_level.trim()).ok_or(E::LevelMissing),
        );
        let email = errors.check(
            "email",
            match self.email.trim() {
                "" => Ok(None),
                typed => Email::parse(typed).map(Some).map_err(E::Email),
            },
        );
        let obligation = errors.check(
            "obligation",
            Obligation::parse(self.obligation.trim()).ok_or(E::ObligationMissing),
        );
        let external_dossier = errors.check(
            "external_dossier",
            DossierNumber::parse(&self.external_dossier),
        );
        let start_date = errors.check(
            "start_date",
            match self.start_date.trim() {
                "" => Ok(today),
                typed => dates::parse_date(typed).map_err(E::Date),
            },
        );
        let target_end_date = errors.check(
            "target_end_date",
            match self.target_end_date.trim() {
                "" => Ok(None),
                typed => dates::parse_date(typed).map(Some).map_err(E::Date),
            },
        );
        if let (Some(start), Some(Some(end))) = (start_date, target_end_date)
            && end < start
        {
            errors.add("target_end_date", E::EndBeforeStart);
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
            external_dossier,
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
                Some(external_dossier),
            ) if errors.is_empty() => Ok(ParticipantInput {
                full_name,
                birth_date,
                municipality_id,
                dutch_level,
                languages: self.languages.trim().to_string(),
                phone: self.phone.trim().to_string(),
                email,
                external_dossier,
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
        let errors = bad.parse(today).unwrap_err();
        let fields: Vec<&str> = errors.all().iter().map(|(f, _)| *f).collect();
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
